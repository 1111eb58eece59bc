"""Telegram channel (python-telegram-bot v22): long polling or a webhook with a secret token."""

from .adapter import TelegramAdapter
from .app import build_telegram_application, TelegramCredentials
from .runner import TelegramRunner

__all__ = ["TelegramAdapter", "TelegramCredentials", "TelegramRunner", "build_telegram_application"]
