"""A working fake `Generator` for tests: records every prompt, returns queued texts.

Never selected by configuration: tests construct it explicitly.
"""

from __future__ import annotations

import inspect
from collections import deque
from typing import Sequence

from .types import ChatMessage, GenerationResult, OnText


class FakeGenerator:
    def __init__(self, replies: Sequence[str] = (), *, default: str = "OK", model_id: str = "fake-model"):
        self.replies: deque[str] = deque(replies)
        self.default = default
        self.prompts: list[list[ChatMessage]] = []  # every call's messages, in order
        self.calls: list[dict] = []  # every call's keyword arguments
        self._model_id = model_id

    @property
    def model_id(self) -> str:
        return self._model_id

    def queue(self, *texts: str) -> None:
        self.replies.extend(texts)

    async def generate(
        self,
        messages: Sequence[ChatMessage],
        *,
        n: int = 1,
        max_new_tokens: int | None = None,
        temperature: float | None = None,
        stop: Sequence[str] = (),
        on_text: OnText | None = None,
        schema: dict | None = None,
    ) -> GenerationResult:
        self.prompts.append([dict(m) for m in messages])
        self.calls.append({"n": n, "max_new_tokens": max_new_tokens, "temperature": temperature, "stop": tuple(stop), "schema": schema})
        texts = tuple(self.replies.popleft() if self.replies else self.default for _ in range(n))
        if on_text is not None:
            # stream the first variant word by word, as a real backend would
            words = texts[0].split(" ")
            for i in range(1, len(words) + 1):
                r = on_text(" ".join(words[:i]))
                if inspect.isawaitable(r):
                    await r
        return GenerationResult(texts=texts, model_id=self._model_id, completion_tokens=sum(len(t) for t in texts))

    @property
    def last_prompt_text(self) -> str:
        """All message contents of the last call, joined (for assertions)."""
        return "\n".join(m["content"] for m in self.prompts[-1]) if self.prompts else ""
