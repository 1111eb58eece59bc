"""The config sections that adapters/ read. Tokens and secrets come from the environment only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class SlackSettings:
    """[slack] the team channel. Tokens: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN (Socket Mode)."""

    enabled: bool = False
    api_base_url: str = "https://slack.com/api/"
    http_host: str = "0.0.0.0"  # Events API mode: address the HTTP server binds
    http_port: int = 3000  # Events API mode (when no app-level token is set)
    http_path: str = "/slack/events"
    slash_command: str = "/growth"
    allowed_channels: tuple[str, ...] = ()  # () = any channel the bot is in
    allowed_users: tuple[str, ...] = ()  # () = anyone in the workspace
    handover_channel: str = ""  # where support hand-overs are posted
    rate_limit_per_minute: int = 20
    update_interval_s: float = 1.0  # at most one chat.update of a growing reply per this many seconds
    thinking_text: str = "…thinking"


@dataclass(frozen=True)
class TelegramSettings:
    """[telegram] the customer-support channel. Token: TELEGRAM_BOT_TOKEN; webhook secret: TELEGRAM_WEBHOOK_SECRET."""

    enabled: bool = False
    api_base_url: str = "https://api.telegram.org/bot"
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""  # public https URL Telegram posts to (webhook mode)
    webhook_host: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_path: str = "/telegram/webhook"
    team_chats: tuple[int, ...] = ()  # group chats whose members may see internal knowledge
    per_chat_interval_s: float = 1.0  # Telegram allows about one message per second per chat
    poll_timeout_s: float = 10.0  # long-polling getUpdates timeout
    typing_interval_s: float = 4.0  # re-send "typing…" this often while working (it lasts ~5 s)
    max_send_attempts: int = 5  # tries per message when Telegram answers 429 retry_after
    customer_rate_limit: int = 5  # messages a customer may send per customer_rate_window_s (0 = no limit)
    customer_rate_window_s: float = 10.0  # over the limit: one polite "slow down", no model call
    group_max_per_minute: int = 20  # PTB AIORateLimiter: messages per minute into one group chat (Telegram's limit)
    overall_max_per_second: float = 30.0  # PTB AIORateLimiter: messages per second over all chats


@dataclass(frozen=True)
class ServeSettings:
    """[serve] running the channels together."""

    shutdown_grace_s: float = 30.0  # on SIGTERM: finish in-flight replies for at most this long
    state_file: str = "channels.sqlite"  # under [data] dir: handled Slack events / Telegram updates
    model_slots: int = 2  # requests handed to the model worker at once; the rest wait in line, told their place
    max_waiting: int = 500  # people in line beyond which a newcomer is asked to try again in a few minutes
