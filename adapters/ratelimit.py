"""Limits the adapters respect: a per-user budget per minute and a per-chat send pacer."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from contextlib import asynccontextmanager
from typing import AsyncIterator, Callable


class PerUserRateLimit:
    """Sliding-window limit: at most `per_minute` accepted requests per key in any 60 s."""

    def __init__(self, per_minute: int, *, window_s: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self.window_s = window_s
        self._clock = clock
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    def check(self, key: str) -> float:
        """Record a request; 0.0 when allowed, else the seconds until the next one would be."""
        if self.per_minute <= 0:
            return 0.0
        now = self._clock()
        hits = self._hits[key]
        while hits and now - hits[0] >= self.window_s:
            hits.popleft()
        if len(hits) >= self.per_minute:
            return max(0.001, self.window_s - (now - hits[0]))
        hits.append(now)
        return 0.0


class PerChatPacer:
    """Spaces sends to one chat at least `interval_s` apart (Telegram: ~1 message/s per chat).

    Different chats never wait on each other. `penalize()` pushes a chat's next slot back
    when the platform answered 429 with retry_after.
    """

    def __init__(self, interval_s: float, *, clock: Callable[[], float] = time.monotonic):
        self.interval_s = interval_s
        self._clock = clock
        self._next: dict[object, float] = {}
        self._locks: dict[object, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def wait(self, chat: object) -> None:
        """Return when a message may be sent to `chat` now (and book that slot)."""
        async with self._locks[chat]:
            # a loop: asyncio may wake a timer up to its clock resolution early, and the slot
            # may move (penalize/sent) while we sleep
            while (delay := self._next.get(chat, 0.0) - self._clock()) > 0:
                await asyncio.sleep(delay)
            self._next[chat] = self._clock() + self.interval_s

    @asynccontextmanager
    async def slot(self, chat: object) -> AsyncIterator[None]:
        """Hold the chat's turn for one send: waits for the slot, keeps other sends to this chat
        out while the request is in flight, and books the next slot from its completion."""
        async with self._locks[chat]:
            while (delay := self._next.get(chat, 0.0) - self._clock()) > 0:
                await asyncio.sleep(delay)
            try:
                yield
            finally:
                self._next[chat] = max(self._next.get(chat, 0.0), self._clock() + self.interval_s)

    def sent(self, chat: object) -> None:
        """Call when a send to `chat` completed: the next one starts ≥ interval after the platform
        got this one (start-to-start spacing alone lets network jitter squeeze two arrivals
        closer than the interval, which Telegram answers with 429)."""
        self._next[chat] = max(self._next.get(chat, 0.0), self._clock() + self.interval_s)

    def penalize(self, chat: object, seconds: float) -> None:
        self._next[chat] = max(self._next.get(chat, 0.0), self._clock() + seconds)
