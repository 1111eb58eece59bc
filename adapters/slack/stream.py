"""Showing a reply as it grows: chat.update on the placeholder, at most once per interval."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Callable

from slack_sdk.web.async_client import AsyncWebClient

from ..render_slack import SlackMessage, render_partial

log = logging.getLogger(__name__)


class ThrottledUpdater:
    """Coalesces partial texts and pushes the latest one no more often than `interval_s`.

    `partial()` never waits on the network (the generator keeps going); `final()` waits for
    any update in flight, then respects the same interval, so updates never arrive out of
    order and consecutive chat.update calls are ≥ interval apart.
    """

    def __init__(self, client: AsyncWebClient, channel: str, ts: str, interval_s: float, *, clock: Callable[[], float] = time.monotonic):
        self.client = client
        self.channel = channel
        self.ts = ts
        self.interval_s = interval_s
        self._clock = clock
        self._latest = ""
        self._shown = ""
        self._last_update = float("-inf")  # the first update (progress or final) may go at once
        self._task: asyncio.Task | None = None
        self._sending = False
        self.updates = 0

    async def partial(self, text: str) -> None:
        self._latest = text
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._flush_later())

    async def _flush_later(self) -> None:
        await self._wait_interval()
        text = self._latest
        if text and text != self._shown:
            self._sending = True
            try:
                await self._update(render_partial(text))
                self._shown = text
            except Exception as exc:  # noqa: BLE001 - a failed progress update must not fail the reply
                log.warning("chat.update (progress) failed: %s", exc)
            finally:
                self._sending = False

    async def _wait_interval(self) -> None:
        delay = self._last_update + self.interval_s - self._clock()
        if delay > 0:
            await asyncio.sleep(delay)

    async def _update(self, message: SlackMessage) -> None:
        self._last_update = self._clock()
        self.updates += 1
        await self.client.chat_update(channel=self.channel, ts=self.ts, **message.as_kwargs())

    async def abort(self) -> None:
        """Stop any progress update (pending or in flight): nothing of the cut-off text is sent after this."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def final(self, message: SlackMessage) -> None:
        """Replace the placeholder with the finished reply (after any progress update in flight)."""
        if self._task is not None and not self._task.done():
            if self._sending:
                await asyncio.shield(self._task)
            else:
                self._task.cancel()
                await asyncio.gather(self._task, return_exceptions=True)
        await self._wait_interval()
        await self._update(message)
