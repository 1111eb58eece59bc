"""Running several channels in one asyncio process, with a graceful stop.

Stop = (1) stop taking new work: the Slack endpoint answers 503 (Slack retries later, to the
next process), Socket Mode disconnects, Telegram stops polling / closes its webhook; (2) wait
for the replies in flight, at most `grace_s`; (3) close. Handled-event ledgers are SQLite
files, so a retry that reaches the next process is still answered exactly once.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Protocol

from .slack import SlackAdapter, SlackHttpServer
from .slack.server import SlackSocketMode
from .telegram import TelegramAdapter, TelegramRunner

log = logging.getLogger("growthpilot.serve")


class ChannelStartError(Exception):
    """A channel could not start for a reason the person can fix (port in use, ...)."""

    user_facing = True


class Channel(Protocol):
    name: str

    async def start(self) -> None: ...
    async def stop_intake(self) -> None: ...
    async def drain(self, timeout_s: float) -> int: ...
    async def close(self) -> None: ...


class SlackChannel:
    """Slack over HTTP (Events API) or Socket Mode."""

    name = "slack"

    def __init__(self, adapter: SlackAdapter, *, http: SlackHttpServer | None = None, socket: SlackSocketMode | None = None,
                 host: str = "0.0.0.0", port: int = 3000):
        if (http is None) == (socket is None):
            raise ValueError("give exactly one of http= or socket=")
        self.adapter, self.http, self.socket = adapter, http, socket
        self.host, self.port = host, port

    async def start(self) -> None:
        if self.http is not None:
            try:
                self.port = await self.http.start(self.host, self.port)
            except OSError as exc:
                raise ChannelStartError(
                    f"Slack: cannot listen on {self.host}:{self.port} ({exc.strerror or exc}); "
                    "set another [slack] http_port, or stop what uses it") from exc
        else:
            await self.socket.start()  # type: ignore[union-attr]

    async def stop_intake(self) -> None:
        if self.http is not None:
            self.http.accepting = False  # new requests: 503, Slack retries them later
        else:
            await self.socket.stop()  # type: ignore[union-attr]

    async def drain(self, timeout_s: float) -> int:
        return await self.adapter.drain(timeout_s)

    async def close(self) -> None:
        if self.http is not None:
            await self.http.stop()


class TelegramChannel:
    name = "telegram"

    def __init__(self, adapter: TelegramAdapter, runner: TelegramRunner):
        self.adapter, self.runner = adapter, runner

    async def start(self) -> None:
        await self.runner.start()

    async def stop_intake(self) -> None:
        await self.runner.stop_intake()

    async def drain(self, timeout_s: float) -> int:
        return await self.adapter.drain(timeout_s)

    async def close(self) -> None:
        await self.runner.stop()


def install_signal_handlers(stop: asyncio.Event) -> None:
    """SIGTERM / SIGINT set `stop` (once); a second signal is left to the default behaviour."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, _on_signal, loop, sig, stop)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - non-Unix
            pass


def _on_signal(loop: asyncio.AbstractEventLoop, sig: signal.Signals, stop: asyncio.Event) -> None:
    log.warning("%s received: no new work; finishing replies in flight", sig.name)
    stop.set()
    loop.remove_signal_handler(sig)


async def run_channels(channels: list[Channel], stop: asyncio.Event, *, grace_s: float, ready: asyncio.Event | None = None) -> dict:
    """Start every channel, wait for `stop`, then stop intake, drain (≤ grace_s) and close.
    Returns {"cancelled": {channel: n}} — replies abandoned after the grace period."""
    started: list[Channel] = []
    try:
        for ch in channels:
            await ch.start()
            started.append(ch)
            log.info("%s channel started", ch.name)
        if ready is not None:
            ready.set()
        await stop.wait()
    finally:
        for ch in started:
            try:
                await ch.stop_intake()
            except Exception as exc:  # noqa: BLE001 - keep stopping the others
                log.warning("%s: stopping intake failed: %s", ch.name, exc)
        cancelled = await asyncio.gather(*(ch.drain(grace_s) for ch in started))
        for ch in started:
            try:
                await ch.close()
            except Exception as exc:  # noqa: BLE001
                log.warning("%s: close failed: %s", ch.name, exc)
    return {"cancelled": {ch.name: n for ch, n in zip(started, cancelled)}}
