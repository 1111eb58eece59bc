"""Block Kit rendering and the shared pieces under it (split, ledger, limits) — pure, no network."""

from __future__ import annotations

import asyncio
import time

from adapters.dedupe import EventLedger
from adapters.ratelimit import PerChatPacer, PerUserRateLimit
from adapters.render_common import split_text
from adapters.render_slack import SECTION_LIMIT, render_partial, render_reply, to_mrkdwn
from bot.types import Action, Reply, Source


def test_split_prefers_paragraphs_then_sentences_and_loses_nothing():
    text = "First para one. Two.\n\nSecond para is here. And more."
    assert split_text(text, 25) == ["First para one. Two.", "Second para is here.", "And more."]
    assert split_text(text, 30) == ["First para one. Two.", "Second para is here. And more."]
    cjk = "第一句话很长很长。第二句也很长很长。第三句。"
    assert split_text(cjk, 12) == ["第一句话很长很长。", "第二句也很长很长。", "第三句。"]
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]  # an unbreakable run is hard-cut


def test_split_measures_the_rendered_size():
    text = "& " * 2000  # each & becomes &amp; (5 chars) in Slack mrkdwn
    pieces = split_text(text, SECTION_LIMIT, measure=lambda s: len(to_mrkdwn(s)))
    assert all(len(to_mrkdwn(p)) <= SECTION_LIMIT for p in pieces)
    assert sum(p.count("&") for p in pieces) == 2000


def test_10000_char_reply_sections_and_buttons():
    text = "\n\n".join(f"Point {i}: " + "growth " * 60 for i in range(24))
    assert len(text) > 10_000
    (msg,) = render_reply(Reply(text=text, reply_id="r1"))
    sections = [b for b in msg.blocks if b["type"] == "section"]
    assert len(sections) >= 4 and all(len(b["text"]["text"]) <= 3000 for b in sections)
    assert len(msg.text) <= 4000
    assert msg.blocks[-1]["elements"][0]["action_id"] == "feedback_up"


def test_citations_become_context_blocks_of_at_most_ten():
    cites = [Source(f"insight:{i}", "insight", f"Title {i}", "snippet <b>", 0.5) for i in range(12)]
    (msg,) = render_reply(Reply(text="ok", citations=tuple(cites)))
    ctx = [b for b in msg.blocks if b["type"] == "context"]
    assert [len(b["elements"]) for b in ctx] == [10, 2]
    assert ctx[0]["elements"][0]["text"] == "[1] *Title 0* — snippet &lt;b&gt;  `insight:0`"
    assert not [b for b in msg.blocks if b["type"] == "actions"]  # no reply id: nothing to give feedback on


def test_reply_actions_and_share_button():
    reply = Reply(text="t", reply_id="r9", actions=(Action("feedback_up", "👍", "r9"), Action("feedback_down", "👎", "r9")))
    (msg,) = render_reply(reply, share_value="tok")
    assert [(e["action_id"], e["value"]) for e in msg.blocks[-1]["elements"]] == [
        ("feedback_up", "r9"), ("feedback_down", "r9"), ("share", "tok")]


def test_mrkdwn_conversion_and_partial():
    assert to_mrkdwn("**Top** [docs](https://x.io) a<b") == "*Top* <https://x.io|docs> a&lt;b"
    part = render_partial("y" * 5000)
    assert len(part.blocks[0]["text"]["text"]) <= 3000 and part.blocks[0]["text"]["text"].endswith(" …")


def test_ledger_claims_once_and_survives_reopen(tmp_path):
    path = tmp_path / "ledger.sqlite"
    a = EventLedger(path)
    assert a.claim("Ev1") and not a.claim("Ev1")
    a.done("Ev1")
    assert a.claim("Ev2")  # claimed, never finished: the process "dies"
    a.close()
    b = EventLedger(path)
    assert not b.claim("Ev1")  # answered before the restart
    assert b.claim("Ev2")  # a dead process's unfinished claim is taken over
    assert not b.claim("Ev2")
    assert b.claim("")  # nothing to de-duplicate on
    b.close()


def test_per_user_rate_limit_window():
    now = [0.0]
    rl = PerUserRateLimit(2, clock=lambda: now[0])
    assert rl.check("u") == 0 and rl.check("u") == 0
    assert 59 < rl.check("u") <= 60
    assert rl.check("v") == 0
    now[0] = 60.5
    assert rl.check("u") == 0


async def test_pacer_spaces_one_chat_but_not_others():
    pacer = PerChatPacer(0.1)
    t0 = time.monotonic()
    stamps: dict[str, list[float]] = {"a": [], "b": []}

    async def send(chat):
        await pacer.wait(chat)
        stamps[chat].append(time.monotonic() - t0)

    await asyncio.gather(*(send(c) for c in "aaabbb"))
    for chat in "ab":
        gaps = [y - x for x, y in zip(stamps[chat], stamps[chat][1:])]
        assert min(gaps) >= 0.09
    assert max(stamps["a"] + stamps["b"]) < 0.3  # chats in parallel
    pacer.penalize("a", 0.3)
    t1 = time.monotonic()
    await pacer.wait("a")
    assert time.monotonic() - t1 >= 0.28
