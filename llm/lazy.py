"""LazyGenerator: a `Generator` whose model is loaded on first need, not at start-up.

A data question answered by the rules parser and code-written facts never touches the model, so
a new `growthpilot ask` process must not pay ~5-15 s loading it (docs/BENCHMARKS.md, 2026-12-02).
The model is loaded (llm.factory.make_generator: base + adapter, the one loader) the first time
`generate` is awaited, in a worker thread so the event loop keeps running; `warm()` starts that
load in the background for long-lived processes (chat, serve) that will need it soon.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Callable, Sequence

from .types import ChatMessage, GenerationResult, Generator, OnText


class LazyGenerator:
    """Wraps `factory()` (which builds the real generator). Thread-safe: one load per process."""

    def __init__(self, factory: Callable[[], Generator], *, model_id_hint: str = ""):
        self._factory = factory
        self._inner: Generator | None = None
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self.model_id_hint = model_id_hint
        self.loads = 0  # how many times the factory ran (0 or 1): tests and timing read it

    @property
    def is_loaded(self) -> bool:
        return self._inner is not None

    def _load(self) -> Generator:
        with self._lock:
            if self._inner is None:
                if self._error is not None:
                    raise self._error
                if self._closed:
                    from .types import ModelUnavailable

                    raise ModelUnavailable("the local generator was closed")
                self.loads += 1
                try:
                    self._inner = self._factory()
                except BaseException as exc:  # remembered: a missing model fails every call the same way
                    self._error = exc
                    raise
            return self._inner

    def warm(self) -> None:
        """Start loading in a background thread (idempotent; errors surface on first generate)."""
        if self._inner is not None or self._thread is not None:
            return

        def run() -> None:
            try:
                self._load()
            except BaseException:
                pass

        self._thread = threading.Thread(target=run, name="growthpilot-llm-load", daemon=True)
        self._thread.start()

    @property
    def inner(self) -> Generator:
        """The real generator, loading it now if needed (blocking)."""
        return self._load()

    @property
    def model_id(self) -> str:
        return self._inner.model_id if self._inner is not None else self.model_id_hint

    @property
    def waiting(self) -> int:
        return getattr(self._inner, "waiting", 0) if self._inner is not None else 0

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
        inner = self._inner if self._inner is not None else await asyncio.to_thread(self._load)
        return await inner.generate(messages, n=n, max_new_tokens=max_new_tokens, temperature=temperature,
                                    stop=stop, on_text=on_text, schema=schema)

    def __getattr__(self, name: str) -> Any:  # loaded, etc.: the real generator's (loads it)
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._load(), name)

    def close(self, *args: Any, **kwargs: Any) -> None:
        """Close the real generator if it was loaded; a load still running in the background is
        left to finish in its daemon thread (the process is exiting) and closed if it lands."""
        self._closed = True
        inner = self._inner
        if inner is not None:
            close = getattr(inner, "close", None)
            if callable(close):
                close(*args, **kwargs)
