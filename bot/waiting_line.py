"""A fair waiting line in front of the model, so a burst turns nobody away.

The model worker (llm.worker.LocalGenerator) holds a small bounded queue and answers "busy"
when it is full. `WaitingLine` wraps any `Generator`: at most `slots` requests are handed to it
at once; the others wait here, first come first served, and are told their place ("you are #5
in line") through the listener the adapter set for the current request (`position_listener`).
Only when the line itself holds `max_waiting` people does a newcomer get a clear "try again in a
few minutes" (`LineFull`, safe to show a customer). A request cancelled while waiting (the person
left, or a shutdown) leaves the line and everyone behind moves up.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import logging
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Iterator, Sequence

from llm.types import ChatMessage, GenerationResult, ModelBusy, OnText

from .errors import BotUserError

log = logging.getLogger("growthpilot.bot")

PositionListener = Callable[[int], Awaitable[None] | None]
# Set by an adapter around `assistant.handle(...)`: called with the request's place in line (1 = next).
position_listener: contextvars.ContextVar[PositionListener | None] = contextvars.ContextVar("position_listener", default=None)


@contextmanager
def listening(listener: PositionListener | None) -> Iterator[None]:
    """`with listening(cb): await assistant.handle(...)` — cb(position) while the request waits for the model."""
    token = position_listener.set(listener)
    try:
        yield
    finally:
        position_listener.reset(token)


class LineFull(BotUserError):
    """So many people are waiting that a newcomer is asked to come back later (customer-safe)."""

    def __init__(self, waiting: int):
        super().__init__(
            f"I'm very busy right now: {waiting} requests are waiting for an answer. Please try again in a few minutes.",
            message_zh=f"现在非常繁忙：有 {waiting} 个请求正在排队。请过几分钟再试。",
            customer_safe=True,
        )
        self.waiting = waiting


@dataclass(eq=False)
class _Waiter:
    granted: asyncio.Future
    moved: asyncio.Event = field(default_factory=asyncio.Event)


class WaitingLine:
    """A `Generator` that queues fairly in front of another one (see module doc)."""

    def __init__(self, inner: Any, *, slots: int = 2, max_waiting: int = 500, busy_retry_s: float = 30.0,
                 notice_after_s: float = 1.0, clock: Callable[[], float] = time.monotonic):
        self.inner = inner
        # a wait shorter than this is not announced (the "…thinking" placeholder is enough), which
        # also keeps a burst's first second free of position updates while the platform is being acked
        self.notice_after_s = max(0.0, notice_after_s)
        self.slots = max(1, int(slots))
        self.max_waiting = max(0, int(max_waiting))
        self.busy_retry_s = busy_retry_s
        self._clock = clock
        self._active = 0
        self._line: deque[_Waiter] = deque()
        self.most_waiting = 0  # the longest the line has been (bench, logs)
        self.refused = 0  # newcomers turned away because the line was full

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def waiting(self) -> int:
        return len(self._line)

    def __getattr__(self, name: str) -> Any:  # loaded, etc.: the wrapped generator's
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    async def generate(self, messages: Sequence[ChatMessage], *, n: int = 1, max_new_tokens: int | None = None,
                       temperature: float | None = None, stop: Sequence[str] = (), on_text: OnText | None = None) -> GenerationResult:
        await self._acquire()
        try:
            return await self._generate(messages, n=n, max_new_tokens=max_new_tokens, temperature=temperature, stop=stop, on_text=on_text)
        finally:
            self._release()

    def close(self, *args: Any, **kwargs: Any) -> None:
        for w in list(self._line):
            if not w.granted.done():
                w.granted.cancel()
        self._line.clear()
        close = getattr(self.inner, "close", None)
        if callable(close):
            close(*args, **kwargs)

    # ------------------------------------------------------------------ the line
    async def _acquire(self) -> None:
        if self._active < self.slots and not self._line:
            self._active += 1
            return
        if len(self._line) >= self.max_waiting:
            self.refused += 1
            raise LineFull(len(self._line))
        waiter = _Waiter(asyncio.get_running_loop().create_future())
        self._line.append(waiter)
        self.most_waiting = max(self.most_waiting, len(self._line))
        listener = position_listener.get()
        shown = 0
        notice_at = self._clock() + self.notice_after_s
        try:
            while not waiter.granted.done():
                position = self._line.index(waiter) + 1
                timeout = None
                if listener is not None and position != shown:
                    timeout = notice_at - self._clock()
                    if timeout <= 0:
                        shown = position
                        await _notify(listener, position)
                        continue  # the line may have moved meanwhile: look again before waiting
                waiter.moved.clear()
                moved = asyncio.ensure_future(waiter.moved.wait())
                try:
                    await asyncio.wait({waiter.granted, moved}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    moved.cancel()
        except BaseException:
            if waiter.granted.done() and not waiter.granted.cancelled():
                self._release()  # granted a slot just as we were cancelled: give it back
            elif waiter in self._line:
                self._line.remove(waiter)
                self._moved()
            raise

    def _release(self) -> None:
        self._active -= 1
        self._dispatch()

    def _dispatch(self) -> None:
        while self._active < self.slots and self._line:
            waiter = self._line.popleft()
            if waiter.granted.done():  # cancelled meanwhile
                continue
            self._active += 1
            waiter.granted.set_result(None)
        self._moved()

    def _moved(self) -> None:
        for w in self._line:
            w.moved.set()

    async def _generate(self, messages, **kw) -> GenerationResult:
        """The wrapped generator, waiting out a "busy" from it (someone else filled its queue) for a while."""
        deadline = self._clock() + self.busy_retry_s
        while True:
            try:
                return await self.inner.generate(messages, **kw)
            except ModelBusy:
                if self._clock() >= deadline:
                    raise LineFull(len(self._line) + 1) from None
                await asyncio.sleep(0.2)


async def _notify(listener: PositionListener, position: int) -> None:
    try:
        result = listener(position)
        if inspect.isawaitable(result):
            await result
    except Exception as exc:  # noqa: BLE001 - telling the place in line is best effort
        log.debug("queue position listener failed: %s", exc)
