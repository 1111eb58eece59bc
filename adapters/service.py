"""Running several channels in one asyncio process, with a graceful stop.

Stop = (1) stop taking new work: the Slack endpoint answers 503 (Slack retries later, to the
next process), Socket Mode disconnects, Telegram stops polling / closes its webhook; (2) wait
for the replies in flight, at most `grace_s`; (3) replies still running are cancelled: each
says "interrupted — please ask again" and leaves its event unrecorded, so a retry is answered;
(4) close. Handled-event ledgers are SQLite files, so a retry that reaches the next process is
still answered exactly once.

Which channels exist is adapters/registry.py's business: each one is a `ChannelSpec` that reads
its credentials, says which audiences it needs, and builds its `Channel`.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol

log = logging.getLogger("growthpilot.serve")


class ChannelStartError(Exception):
    """A channel could not start for a reason the person can fix (port in use, ...)."""

    user_facing = True


class ChannelConfigError(Exception):
    """A channel's configuration cannot work (names the key and the fix)."""

    user_facing = True

    def __init__(self, message: str, fix: str = ""):
        super().__init__(message)
        self.fix = fix


class Channel(Protocol):
    name: str

    async def start(self) -> None: ...
    async def stop_intake(self) -> None: ...
    async def drain(self, timeout_s: float) -> int: ...
    async def close(self) -> None: ...


@dataclass
class ServeContext:
    """What `serve` hands every channel's `build`: the config, its credentials, the shared parts."""

    cfg: Any
    credentials: Any
    assistants: Mapping[str, Any]  # "team" / "customer" → the assistant (one shared model worker)
    ledger: Any  # adapters.dedupe.EventLedger
    notifier: Any  # bot.protocols.HandoverNotifier
    extras: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ChannelSpec:
    """One channel, as the registry knows it.

    credentials(cfg, env) → credentials (raise adapters.credentials.MissingCredential or ChannelConfigError);
    audiences(cfg, creds) → the assistants it needs ({"team"}, {"customer"}, both);
    build(ctx) → a Channel;
    notifier(cfg, creds, env) → a HandoverNotifier this channel offers the others (or None).
    """

    name: str
    description: str
    credentials: Callable[[Any, Mapping[str, str]], Any]
    audiences: Callable[[Any, Any], set[str]]
    build: Callable[[ServeContext], Channel]
    notifier: Callable[[Any, Any, Mapping[str, str]], Any] | None = None

    def section(self, cfg: Any) -> Any:
        return getattr(cfg, self.name)

    def enabled(self, cfg: Any) -> bool:
        return bool(getattr(self.section(cfg), "enabled", False))


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
    Returns {"cancelled": {channel: n}} — replies cut off after the grace period (told so, left for a retry)."""
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
