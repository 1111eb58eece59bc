"""Building the PTB Application from settings and environment credentials."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Mapping

from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

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
    # PTB's own limiter paces what it knows: ≤ overall_max_per_second over all chats and
    # ≤ group_max_per_minute into one group. It has no per-private-chat spacing, so the adapter's
    # PerChatPacer keeps ~1 message/s per chat, and handles 429 retry_after per chat (max_retries=0
    # here: a retry inside the limiter would pause every chat, and log each 429 as an error).
    limiter = AIORateLimiter(overall_max_rate=settings.overall_max_per_second, overall_time_period=1,
                             group_max_rate=settings.group_max_per_minute, group_time_period=60, max_retries=0)
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)  # our _paced logs each 429
    return (
        ApplicationBuilder()
        .token(token)
        .base_url(base)
        .base_file_url(file_base)
        .get_updates_read_timeout(settings.poll_timeout_s + 10)
        .rate_limiter(limiter)
        .build()
    )
