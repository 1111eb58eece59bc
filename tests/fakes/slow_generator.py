"""A slow `Generator` that behaves like llm.worker.LocalGenerator under load: ONE request is generated
at a time, at most `queue_size` wait behind it, and one more is refused with ModelBusy at once."""

from __future__ import annotations

import asyncio

from llm.types import GenerationResult, ModelBusy


class SlowSerialGenerator:
    def __init__(self, text: str = "Returns are accepted within 7 days of delivery [1].", *, seconds: float = 0.1, queue_size: int = 16):
        self.text = text
        self.seconds = seconds
        self.queue_size = queue_size
        self._lock = asyncio.Lock()
        self._waiting = 0
        self.calls = 0
        self.busy = 0  # ModelBusy answers given
        self.closed = False

    @property
    def model_id(self) -> str:
        return "slow-serial"

    async def generate(self, messages, *, n=1, max_new_tokens=None, temperature=None, stop=(), on_text=None) -> GenerationResult:
        if self._lock.locked() and self._waiting >= self.queue_size:
            self.busy += 1
            raise ModelBusy(f"the model is busy: {self.queue_size} requests are already waiting. Please try again in a moment.")
        self._waiting += 1
        try:
            await self._lock.acquire()
        finally:
            self._waiting -= 1
        try:
            self.calls += 1
            words = self.text.split(" ")
            for i in range(1, len(words) + 1):
                await asyncio.sleep(self.seconds / len(words))
                if on_text is not None:
                    r = on_text(" ".join(words[:i]))
                    if asyncio.iscoroutine(r):
                        await r
            return GenerationResult(texts=tuple(self.text for _ in range(n)), model_id=self.model_id, completion_tokens=len(words))
        finally:
            self._lock.release()

    def close(self) -> None:
        self.closed = True
