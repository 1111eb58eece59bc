"""Background work the adapters start after acknowledging a platform, drained on shutdown."""

from __future__ import annotations

import asyncio
import logging
from typing import Awaitable

log = logging.getLogger(__name__)


class InFlight:
    """Tracks tasks so `serve` can stop taking work and wait for what is running."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task] = set()
        self.accepting = True

    def spawn(self, coro: Awaitable, *, name: str = "") -> asyncio.Task | None:
        """Start `coro` in the background; None (and the coroutine closed) when shutting down."""
        if not self.accepting:
            if hasattr(coro, "close"):
                coro.close()  # type: ignore[union-attr]
            return None
        task = asyncio.ensure_future(coro)
        if name:
            task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())

    def __len__(self) -> int:
        return len(self._tasks)

    async def drain(self, timeout_s: float, *, cleanup_s: float = 5.0) -> int:
        """Stop accepting; wait up to `timeout_s` for running tasks; cancel the rest. Returns how many were cancelled.

        A cancelled task gets up to `cleanup_s` to say so (edit its placeholder to "interrupted",
        release its event for a retry); one that takes longer is left behind, not waited for."""
        self.accepting = False
        pending = set(self._tasks)
        if not pending:
            return 0
        _, still = await asyncio.wait(pending, timeout=max(0.0, timeout_s))
        for t in still:
            t.cancel()
        if still:
            _, stuck = await asyncio.wait(still, timeout=cleanup_s)
            if stuck:
                log.warning("%d interrupted task(s) did not finish their clean-up within %.0f s", len(stuck), cleanup_s)
        return len(still)

    async def join(self) -> None:
        """Wait for everything running now (tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
