"""Building the PTB Application from settings and environment credentials."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Mapping

from telegram.ext import Application, ApplicationBuilder

from ..settings import TelegramSettings
from ..credentials import MissingCredential


@dataclass(frozen=True)
class TelegramCredentials:
    token: str
    webhook_secret: str = ""

    @classmethod
    def from_env(cls, settings: TelegramSettings, env: Mapping[str, str] | None = None) -> "TelegramCredentials":
        """TELEGRAM_BOT_TOKEN always; TELEGRAM_WEBHOOK_SECRET in webhook mode (raises MissingCredential naming it)."""
        env = os.environ if env is None else env
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        secret = env.get("TELEGRAM_WEBHOOK_SECRET", "").strip()
        if not token:
            raise MissingCredential("TELEGRAM_BOT_TOKEN", "the Telegram channel is enabled; export the token @BotFather gave you")
        if settings.mode == "webhook" and not secret:
            raise MissingCredential(
                "TELEGRAM_WEBHOOK_SECRET",
                "webhook mode checks the X-Telegram-Bot-Api-Secret-Token header; export a random string of 1-256 "
                "characters A-Z a-z 0-9 _ - (e.g. `openssl rand -hex 32`)",
            )
        return cls(token=token, webhook_secret=secret)


def build_telegram_application(settings: TelegramSettings, token: str) -> Application:
    """An Application whose Bot talks to `settings.api_base_url` (enterprise proxy, local Bot API server, tests)."""
    # httpx logs every request URL at INFO, and Bot API URLs contain the token: keep it out of logs.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.getLogger("httpx").level))
    base = settings.api_base_url.rstrip("/")
    file_base = base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base + "/file"
    return (
        ApplicationBuilder()
        .token(token)
        .base_url(base)
        .base_file_url(file_base)
        .get_updates_read_timeout(settings.poll_timeout_s + 10)
        .build()
    )
