"""The config sections that adapters/ read. Tokens and secrets come from the environment only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class SlackSettings:
    """[slack] the team channel. Tokens: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN (Socket Mode)."""

    enabled: bool = False
    api_base_url: str = "https://slack.com/api/"
    http_port: int = 3000  # Events API mode (when no app-level token is set)
    http_path: str = "/slack/events"
    allowed_channels: tuple[str, ...] = ()  # () = any channel the bot is in
    allowed_users: tuple[str, ...] = ()  # () = anyone in the workspace
    handover_channel: str = ""  # where support hand-overs are posted
    rate_limit_per_minute: int = 20
    update_interval_s: float = 1.0


@dataclass(frozen=True)
class TelegramSettings:
    """[telegram] the customer-support channel. Token: TELEGRAM_BOT_TOKEN; webhook secret: TELEGRAM_WEBHOOK_SECRET."""

    enabled: bool = False
    api_base_url: str = "https://api.telegram.org/bot"
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""
    webhook_port: int = 8443
    team_chats: tuple[int, ...] = ()  # group chats whose members may see internal knowledge
    per_chat_interval_s: float = 1.0


@dataclass(frozen=True)
class ServeSettings:
    """[serve] running the channels together."""

    shutdown_grace_s: float = 30.0
