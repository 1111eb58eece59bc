"""LocalGenerator mechanics on a tiny random Qwen2 model: streaming, variants, stops, bounds, queue."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import replace

import pytest

from llm.identity import ModelIdentity
from llm.loader import LoadedModel
from llm.settings import GenerationSettings
from llm.types import ModelBusy, ModelUnavailable
from llm.worker import LocalGenerator, cut_at_stop
from llm_tiny import build_model, build_tokenizer

SYSTEM = "You are growthpilot, a concise marketing assistant for a startup team."
ASK = [{"role": "user", "content": "Write a short slogan for a coffee brand"}]


@pytest.fixture(scope="module")
def loaded() -> LoadedModel:
    tokenizer = build_tokenizer()
    model = build_model(tokenizer)
    return LoadedModel(model=model, tokenizer=tokenizer, identity=ModelIdentity("tiny", "ab" * 32), device="cpu", dtype="float32")


def settings(**kw) -> GenerationSettings:
    base = GenerationSettings(system_prompt=SYSTEM, temperature=0.0, max_new_tokens=24, repetition_penalty=1.0, timeout_s=60)
    return replace(base, **kw)


@pytest.fixture
def make(loaded):
    made: list[LocalGenerator] = []

    def _make(**kw) -> LocalGenerator:
        g = LocalGenerator(loaded, settings(**kw))
        made.append(g)
        return g

    yield _make
    for g in made:
        g.close()


def expected_prompt_tokens(tokenizer, messages) -> int:
    text = tokenizer.apply_chat_template([{"role": "system", "content": SYSTEM}, *messages], tokenize=False, add_generation_prompt=True)
    return len(tokenizer(text, add_special_tokens=False)["input_ids"])


async def test_greedy_reply_counts_tokens_and_prepends_system_prompt(make, loaded):
    gen = make()
    result = await gen.generate(ASK, max_new_tokens=12)
    again = await gen.generate(ASK, max_new_tokens=12)
    assert len(result.texts) == 1 and result.texts[0]
    assert result.texts == again.texts  # greedy is deterministic
    assert result.prompt_tokens == expected_prompt_tokens(loaded.tokenizer, ASK)
    assert 1 <= result.completion_tokens <= 12
    assert result.model_id == "tiny@" + "ab" * 6
    assert 0 < result.first_token_s <= result.seconds


async def test_explicit_system_message_is_not_doubled(make, loaded):
    gen = make()
    msgs = [{"role": "system", "content": SYSTEM}, *ASK]
    result = await gen.generate(msgs, max_new_tokens=4)
    assert result.prompt_tokens == expected_prompt_tokens(loaded.tokenizer, ASK)


async def test_streaming_callback_receives_growing_text_ending_with_the_reply(make):
    gen = make()
    seen: list[str] = []

    async def on_text(text: str) -> None:
        seen.append(text)

    result = await gen.generate(ASK, max_new_tokens=20, on_text=on_text)
    assert len(seen) >= 3
    for before, after in zip(seen, seen[1:]):
        assert after.startswith(before) and len(after) > len(before)
    assert seen[-1] == result.texts[0]


async def test_sync_callback_is_accepted(make):
    gen = make()
    seen: list[str] = []
    result = await gen.generate(ASK, max_new_tokens=8, on_text=seen.append)
    assert seen and seen[-1] == result.texts[0]


async def test_n_variants_come_from_one_batched_call(make, loaded, monkeypatch):
    gen = make(temperature=1.0)
    calls: list[int] = []
    original = loaded.model.generate

    def spy(*args, **kwargs):
        calls.append(kwargs["num_return_sequences"])
        return original(*args, **kwargs)

    monkeypatch.setattr(loaded.model, "generate", spy)
    result = await gen.generate(ASK, n=3, max_new_tokens=10)
    assert calls == [3]
    assert len(result.texts) == 3 and all(result.texts)
    assert len(set(result.texts)) > 1  # sampled, so the variants differ
    assert result.completion_tokens <= 30


async def test_variants_at_temperature_zero_still_differ(make):
    gen = make(temperature=0.0)
    result = await gen.generate(ASK, n=3, max_new_tokens=10)
    assert len(set(result.texts)) > 1


async def test_stop_string_ends_the_reply_before_it(make):
    gen = make()
    full = (await gen.generate(ASK, max_new_tokens=24)).texts[0]
    assert len(full) > 8, full
    stop = full[len(full) // 2 : len(full) // 2 + 3]
    expected = full[: full.index(stop)].strip()
    seen: list[str] = []
    result = await gen.generate(ASK, max_new_tokens=24, stop=[stop], on_text=seen.append)
    assert result.texts[0] == expected
    assert result.stopped_by == "stop"
    assert all(stop not in s for s in seen)
    assert result.completion_tokens < 24


async def test_max_new_tokens_bounds_the_reply(make):
    gen = make(max_new_tokens=5)
    result = await gen.generate(ASK)
    assert result.completion_tokens <= 5
    if result.stopped_by == "max_tokens":
        assert result.completion_tokens == 5


async def test_timeout_bounds_the_reply(make):
    gen = make(timeout_s=0.05)
    t0 = time.monotonic()
    result = await gen.generate(ASK, max_new_tokens=5000)
    assert result.stopped_by == "timeout"
    assert result.completion_tokens < 5000
    assert time.monotonic() - t0 < 10


def block_worker(gen: LocalGenerator, monkeypatch) -> tuple[threading.Event, threading.Event, list[int]]:
    """Make the worker wait for `release` inside each request; `started` is set when one begins."""
    started, release = threading.Event(), threading.Event()
    active: list[int] = [0, 0]  # current, max
    original = gen._run

    def run(req):
        active[0] += 1
        active[1] = max(active[1], active[0])
        started.set()
        release.wait(10)
        try:
            return original(req)
        finally:
            active[0] -= 1

    monkeypatch.setattr(gen, "_run", run)
    return started, release, active


async def test_full_queue_answers_busy_at_once(make, monkeypatch):
    gen = make(queue_size=1)
    started, release, _ = block_worker(gen, monkeypatch)
    first = asyncio.create_task(gen.generate(ASK, max_new_tokens=3))
    await asyncio.to_thread(started.wait, 5)  # the worker holds the first request
    second = asyncio.create_task(gen.generate(ASK, max_new_tokens=3))
    await asyncio.sleep(0.05)
    assert gen.waiting == 1
    t0 = time.monotonic()
    with pytest.raises(ModelBusy, match="busy"):
        await gen.generate(ASK, max_new_tokens=3)
    assert time.monotonic() - t0 < 0.5
    release.set()
    r1, r2 = await asyncio.gather(first, second)
    assert r1.texts[0] and r2.texts[0]


async def test_one_worker_serialises_concurrent_requests(make, monkeypatch):
    gen = make(queue_size=8)
    started, release, active = block_worker(gen, monkeypatch)
    release.set()
    prompts = [[{"role": "user", "content": f"slogan number {i}"}] for i in range(4)]
    results = await asyncio.gather(*(gen.generate(p, max_new_tokens=4) for p in prompts))
    assert active[1] == 1  # never two generations at once
    assert len(results) == 4 and all(r.texts[0] for r in results)
    alone = await gen.generate(prompts[2], max_new_tokens=4)
    assert alone.texts == results[2].texts  # greedy: queued requests did not mix


async def test_cancelled_caller_does_not_block_the_worker(make):
    gen = make(timeout_s=30)
    task = asyncio.create_task(gen.generate(ASK, max_new_tokens=100000))
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    t0 = time.monotonic()
    result = await gen.generate(ASK, max_new_tokens=3)
    assert result.texts[0] and time.monotonic() - t0 < 10


async def test_closed_generator_is_unavailable(loaded):
    gen = LocalGenerator(loaded, settings())
    gen.close()
    with pytest.raises(ModelUnavailable):
        await gen.generate(ASK)


def test_cut_at_stop_takes_the_earliest_stop():
    assert cut_at_stop("hello END world STOP", ["STOP", "END"]) == ("hello ", True)
    assert cut_at_stop("hello", ["x"]) == ("hello", False)
    assert cut_at_stop("hello", []) == ("hello", False)


async def test_a_failing_callback_reaches_the_caller_and_frees_the_worker(make):
    gen = make(timeout_s=30)

    def broken(text: str) -> None:
        raise RuntimeError("channel went away")

    with pytest.raises(RuntimeError, match="channel went away"):
        await gen.generate(ASK, max_new_tokens=100000, on_text=broken)
    t0 = time.monotonic()
    result = await gen.generate(ASK, max_new_tokens=3)
    assert result.texts[0] and time.monotonic() - t0 < 10
