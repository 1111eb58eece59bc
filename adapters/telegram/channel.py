"""Telegram as a `serve` channel: the registry's SPEC, and the Channel (polling or webhook)."""

from __future__ import annotations

from typing import Any, Mapping

from ..service import ChannelConfigError, ChannelSpec, ServeContext
from .adapter import TelegramAdapter
from .runner import TelegramRunner


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


def _credentials(cfg: Any, env: Mapping[str, str]):
    from .app import TelegramCredentials

    creds = TelegramCredentials.from_env(cfg.telegram, env)
    if cfg.telegram.mode == "webhook" and not cfg.telegram.webhook_url:
        raise ChannelConfigError('[telegram] mode = "webhook" needs webhook_url (the public https address Telegram posts to)',
                                 fix='set [telegram] webhook_url, or use mode = "polling"')
    return creds


def _audiences(cfg: Any, creds: Any) -> set[str]:
    return {"customer", "team"} if cfg.telegram.team_chats else {"customer"}


def _build(ctx: ServeContext) -> TelegramChannel:
    from .app import build_telegram_application

    cfg, creds = ctx.cfg, ctx.credentials
    application = build_telegram_application(cfg.telegram, creds.token)
    adapter = TelegramAdapter(application, ctx.assistants["customer"], cfg.telegram, ctx.ledger,
                              team_assistant=ctx.assistants.get("team"), notifier=ctx.notifier)
    return TelegramChannel(adapter, TelegramRunner(application, cfg.telegram, webhook_secret=creds.webhook_secret))


SPEC = ChannelSpec(
    name="telegram",
    description="the Telegram channel (customers; group chats in [telegram] team_chats get the team audience)",
    credentials=_credentials,
    audiences=_audiences,
    build=_build,
)
