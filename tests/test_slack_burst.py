"""Issue 10 item 15: a burst of mentions turns nobody away — a place in line, then the answer."""

from __future__ import annotations

import asyncio

import pytest

from bot.waiting_line import LineFull, WaitingLine, listening
from fakes.real_assistant import NeutralSentiment, real_assistant
from fakes.slack_api import FakeSlackAPI, event_body, mention
from fakes.slack_harness import start_harness
from fakes.slow_generator import SlowSerialGenerator

ANSWER = "Returns are accepted within 7 days of delivery [1]."


async def _burst(tmp_path, generator, n: int = 20) -> tuple[list[str], list[str]]:
    """n mentions at once from n people; returns (final text per placeholder, every text shown)."""
    fake = await FakeSlackAPI().start()
    assistant, _ = real_assistant(tmp_path, sentiment=NeutralSentiment(), generator=generator)
    h = await start_harness(assistant, tmp_path / "s.sqlite", fake=fake, update_interval_s=0.05)
    try:
        posts = [h.post_signed(event_body(mention("/ask How do returns work?", user=f"U{i:03d}", ts=f"1700000000.{i:06d}"),
                                          event_id=f"EvBurst{i}")) for i in range(n)]
        statuses = [r.status for r in await asyncio.gather(*posts)]
        await h.adapter.inflight.join()
    finally:
        await h.close()
        await fake.stop()
        assistant.close()
    assert statuses == [200] * n
    placeholders = [c.params.get("ts") for c in fake.calls_to("chat.postMessage")]
    final: dict[str, str] = {}
    shown: list[str] = []
    for c in fake.calls_to("chat.update"):
        final[c.params["ts"]] = c.params["text"]
        shown.append(c.params["text"])
    assert len(final) == n, (len(placeholders), len(final))
    return list(final.values()), shown


async def test_without_the_line_a_burst_turns_people_away(tmp_path):
    # the control: the bare worker queue (3 waiting) answers "busy" — the defect the line fixes
    finals, _ = await _burst(tmp_path, SlowSerialGenerator(ANSWER, seconds=0.15, queue_size=3))
    assert sum("busy" in t for t in finals) > 0


async def test_a_burst_gets_places_in_line_and_every_answer(tmp_path):
    inner = SlowSerialGenerator(ANSWER, seconds=0.15, queue_size=3)
    finals, shown = await _burst(tmp_path, WaitingLine(inner, slots=2, notice_after_s=0.2))
    assert [t for t in finals if ANSWER.split(" [")[0] not in t] == []  # 0 refusals: everyone got the answer
    assert inner.busy == 0 and inner.calls == 20
    assert any("in line" in t and "#" in t for t in shown)


async def test_the_line_is_first_come_first_served_and_reports_positions():
    inner = SlowSerialGenerator("ok", seconds=0.05, queue_size=16)
    line = WaitingLine(inner, slots=1, notice_after_s=0)
    order: list[int] = []
    positions: dict[int, list[int]] = {}

    async def ask(i: int):
        positions[i] = []
        with listening(lambda p, i=i: positions[i].append(p)):
            await line.generate([{"role": "user", "content": str(i)}])
        order.append(i)

    tasks = []
    for i in range(5):
        tasks.append(asyncio.create_task(ask(i)))
        await asyncio.sleep(0)  # arrive in this order
    await asyncio.gather(*tasks)
    assert order == [0, 1, 2, 3, 4]
    assert positions[0] == [] and positions[4] == [4, 3, 2, 1]


async def test_a_full_line_says_try_again_later_in_customer_safe_words():
    line = WaitingLine(SlowSerialGenerator("ok", seconds=0.5), slots=1, max_waiting=2)
    running = [asyncio.create_task(line.generate([])) for _ in range(3)]
    await asyncio.sleep(0.05)
    with pytest.raises(LineFull) as err:
        await line.generate([])
    for t in running:
        t.cancel()
    await asyncio.gather(*running, return_exceptions=True)
    assert err.value.customer_safe and "try again in a few minutes" in str(err.value)
    assert line.waiting == 0 and line._active == 0  # cancelled waiters left the line, slots given back


async def test_a_short_wait_is_not_announced():
    line = WaitingLine(SlowSerialGenerator("ok", seconds=0.05), slots=1, notice_after_s=1.0)
    told: list[int] = []

    async def ask():
        with listening(told.append):
            await line.generate([])

    await asyncio.gather(*(ask() for _ in range(3)))  # the last waits ~0.1 s
    assert told == []
