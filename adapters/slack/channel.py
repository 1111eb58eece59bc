"""Slack as a `serve` channel: the registry's SPEC, and the Channel over HTTP or Socket Mode."""

from __future__ import annotations

from typing import Any, Mapping

from ..service import ChannelSpec, ChannelStartError, ServeContext
from .adapter import SlackAdapter
from .server import SlackHttpServer, SlackSocketMode


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


def _credentials(cfg: Any, env: Mapping[str, str]):
    from .app import SlackCredentials

    return SlackCredentials.from_env(env)


def _notifier(cfg: Any, creds: Any, env: Mapping[str, str]):
    """Customer hand-overs (from any channel) are posted to [slack] handover_channel when a bot token is there."""
    token = creds.bot_token if creds is not None else env.get("SLACK_BOT_TOKEN", "").strip()
    if not (cfg.slack.handover_channel and token):
        return None
    from slack_sdk.web.async_client import AsyncWebClient

    from .handover import SlackHandoverNotifier

    return SlackHandoverNotifier(AsyncWebClient(token=token, base_url=cfg.slack.api_base_url), cfg.slack.handover_channel)


def _build(ctx: ServeContext) -> SlackChannel:
    from .app import build_slack_app

    cfg, creds = ctx.cfg, ctx.credentials
    app = build_slack_app(cfg.slack, creds)
    adapter = SlackAdapter(app, ctx.assistants["team"], cfg.slack, ctx.ledger)
    if creds.socket_mode:
        return SlackChannel(adapter, socket=SlackSocketMode(app, creds.app_token))
    http = SlackHttpServer(app, creds.signing_secret, path=cfg.slack.http_path)
    return SlackChannel(adapter, http=http, host=cfg.slack.http_host, port=cfg.slack.http_port)


SPEC = ChannelSpec(
    name="slack",
    description="the Slack channel (team audience; Socket Mode when SLACK_APP_TOKEN is set, else the HTTP Events API)",
    credentials=_credentials,
    audiences=lambda cfg, creds: {"team"},
    build=_build,
    notifier=_notifier,
)
