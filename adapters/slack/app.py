"""Building the Bolt AsyncApp from settings and environment credentials."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Mapping

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from ..credentials import MissingCredential
from ..settings import SlackSettings

__all__ = ["MissingCredential", "SlackCredentials", "build_slack_app"]


@dataclass(frozen=True)
class SlackCredentials:
    bot_token: str
    signing_secret: str  # required in HTTP mode only
    app_token: str = ""  # set: Socket Mode

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "SlackCredentials":
        """Read SLACK_BOT_TOKEN, SLACK_APP_TOKEN, SLACK_SIGNING_SECRET; raise MissingCredential naming what lacks."""
        env = os.environ if env is None else env
        bot = env.get("SLACK_BOT_TOKEN", "").strip()
        app = env.get("SLACK_APP_TOKEN", "").strip()
        secret = env.get("SLACK_SIGNING_SECRET", "").strip()
        if not bot:
            raise MissingCredential("SLACK_BOT_TOKEN", "the Slack channel is enabled; export the bot token (xoxb-…) from your app's OAuth page")
        if not app and not secret:
            raise MissingCredential(
                "SLACK_SIGNING_SECRET",
                "HTTP Events API mode needs the signing secret (Basic Information → App Credentials); "
                "or set SLACK_APP_TOKEN (xapp-…) to use Socket Mode",
            )
        return cls(bot_token=bot, signing_secret=secret, app_token=app)


def build_slack_app(settings: SlackSettings, creds: SlackCredentials, *, logger: logging.Logger | None = None) -> AsyncApp:
    """An AsyncApp whose Web API client talks to `settings.api_base_url`."""
    client = AsyncWebClient(token=creds.bot_token, base_url=settings.api_base_url)
    return AsyncApp(
        client=client,
        signing_secret=creds.signing_secret or "socket-mode-needs-no-signing-secret",
        logger=logger,
        name="growthpilot",
    )
