"""llm.lazy.LazyGenerator: the model is loaded on the first generate (once), or in the background
on warm(); close before any load loads nothing."""

import asyncio
import time

import pytest

from llm.fake import FakeGenerator
from llm.lazy import LazyGenerator
from llm.types import ModelUnavailable


def test_loads_on_first_generate_and_only_once():
    made = []

    def factory():
        made.append(1)
        g = FakeGenerator()
        g.queue("one", "two")
        return g

    lazy = LazyGenerator(factory)
    assert not lazy.is_loaded and made == [] and lazy.waiting == 0
    first = asyncio.run(lazy.generate([{"role": "user", "content": "hi"}]))
    second = asyncio.run(lazy.generate([{"role": "user", "content": "again"}]))
    assert (first.texts, second.texts) == (("one",), ("two",)) and made == [1] and lazy.loads == 1
    lazy.close()


def test_close_before_use_never_loads():
    made = []
    lazy = LazyGenerator(lambda: made.append(1) or FakeGenerator())
    lazy.close()
    assert made == []
    with pytest.raises(ModelUnavailable):
        asyncio.run(lazy.generate([{"role": "user", "content": "hi"}]))


def test_warm_loads_in_the_background():
    lazy = LazyGenerator(FakeGenerator)
    lazy.warm()
    deadline = time.monotonic() + 5
    while not lazy.is_loaded and time.monotonic() < deadline:
        time.sleep(0.01)
    assert lazy.is_loaded and lazy.loads == 1


def test_a_failed_load_fails_every_call_the_same_way():
    calls = []

    def factory():
        calls.append(1)
        raise ModelUnavailable("no model: run scripts/setup.sh")

    lazy = LazyGenerator(factory)
    for _ in range(2):
        with pytest.raises(ModelUnavailable, match="setup.sh"):
            asyncio.run(lazy.generate([{"role": "user", "content": "hi"}]))
    assert calls == [1]
