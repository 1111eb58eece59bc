"""`growthpilot serve`: run the Slack and/or Telegram bots in one process, sharing one model worker."""

from __future__ import annotations

import argparse
import asyncio
import inspect
import logging
import os
from typing import Any

from ..errors import UserFacingError
from ..output import emit_json

log = logging.getLogger("growthpilot.serve")


def register(sub, parent) -> None:
    p = sub.add_parser(
        "serve",
        parents=[parent],
        help="run the Slack and/or Telegram bots",
        description=(
            "Run the configured channels ([slack] / [telegram] enabled = true) in one process that shares one "
            "generation worker. Slack uses Socket Mode when SLACK_APP_TOKEN is set, else the HTTP Events API "
            "(SLACK_SIGNING_SECRET). Telegram long-polls unless [telegram] mode = \"webhook\". SIGTERM/Ctrl-C stop "
            "taking new work and finish the replies in flight (up to [serve] shutdown_grace_s)."
        ),
    )
    p.add_argument("--slack", action=argparse.BooleanOptionalAction, default=None,
                   help="run (or with --no-slack skip) the Slack channel; default: [slack] enabled")
    p.add_argument("--telegram", action=argparse.BooleanOptionalAction, default=None,
                   help="run (or with --no-telegram skip) the Telegram channel; default: [telegram] enabled")
    p.set_defaults(handler=run)


def run(args, cfg) -> int:
    want_slack = cfg.slack.enabled if args.slack is None else args.slack
    want_telegram = cfg.telegram.enabled if args.telegram is None else args.telegram
    if not (want_slack or want_telegram):
        raise UserFacingError(
            "no channel to serve: Slack and Telegram are both off",
            fix="set `enabled = true` under [slack] or [telegram] in config.toml, or pass --slack / --telegram",
        )
    slack_creds, telegram_creds = check_credentials(cfg, want_slack, want_telegram, os.environ)
    summary = asyncio.run(_serve(cfg, slack_creds, telegram_creds))
    if args.json:
        emit_json({"ok": True, **summary})
    return 0


def check_credentials(cfg, want_slack: bool, want_telegram: bool, env) -> tuple[Any, Any]:
    """Tokens come from the environment only; a missing one is a user-facing error naming the variable."""
    from adapters.credentials import MissingCredential
    from adapters.slack.app import SlackCredentials
    from adapters.telegram.app import TelegramCredentials

    try:
        slack = SlackCredentials.from_env(env) if want_slack else None
        telegram = TelegramCredentials.from_env(cfg.telegram, env) if want_telegram else None
    except MissingCredential as exc:
        raise UserFacingError(str(exc), fix=f"export {exc.variable}=… (see docs/channels.md); never put it in config.toml") from exc
    if want_telegram and cfg.telegram.mode == "webhook" and not cfg.telegram.webhook_url:
        raise UserFacingError("[telegram] mode = \"webhook\" needs webhook_url (the public https address Telegram posts to)",
                              fix="set [telegram] webhook_url, or use mode = \"polling\"")
    return slack, telegram


def _build_assistants(cfg, notifier, *, team: bool, customer: bool, shared_out: dict | None = None) -> dict[str, Any]:
    """The assistants the enabled channels need, through growthpilot.wiring, sharing ONE generator
    (one model worker) and one embedder between the team and customer audiences."""
    from .. import wiring

    params = inspect.signature(wiring.build_assistant).parameters
    shared: dict[str, Any] = {}
    if "notify_handover" in params:
        shared["notify_handover"] = notifier
    if "embedder" in params and hasattr(wiring, "build_embedder"):
        shared["embedder"] = wiring.build_embedder(cfg)
    if "generator" in params and hasattr(wiring, "build_generator"):
        from bot.waiting_line import WaitingLine

        # a burst waits in a fair line in front of the worker's small queue (told its place), never "busy"
        shared["generator"] = WaitingLine(wiring.build_generator(cfg), slots=min(cfg.serve.model_slots, cfg.generation.queue_size + 1),
                                          max_waiting=cfg.serve.max_waiting)
    if shared_out is not None and "generator" in shared:
        shared_out["generator"] = shared["generator"]
    built: dict[str, Any] = {}
    if team:
        built["team"] = wiring.build_assistant(cfg, "team", **shared)
    if customer:
        built["customer"] = wiring.build_assistant(cfg, "customer", **shared)
    return built


async def _serve(cfg, slack_creds, telegram_creds) -> dict:
    from adapters.dedupe import EventLedger
    from adapters.service import SlackChannel, TelegramChannel, install_signal_handlers, run_channels
    from adapters.slack import SlackAdapter, SlackHandoverNotifier, SlackHttpServer, build_slack_app
    from adapters.handover import LoggingHandoverNotifier
    from adapters.slack.server import SlackSocketMode
    from adapters.telegram import TelegramAdapter, TelegramRunner, build_telegram_application

    slack_app = build_slack_app(cfg.slack, slack_creds) if slack_creds else None
    notifier: Any = LoggingHandoverNotifier()
    if cfg.slack.handover_channel and (slack_app or os.environ.get("SLACK_BOT_TOKEN")):
        from slack_sdk.web.async_client import AsyncWebClient

        client = slack_app.client if slack_app else AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=cfg.slack.api_base_url)
        notifier = SlackHandoverNotifier(client, cfg.slack.handover_channel)
    want_team = slack_app is not None or bool(telegram_creds and cfg.telegram.team_chats)
    shared_parts: dict[str, Any] = {}
    assistants = _build_assistants(cfg, notifier, team=want_team, customer=telegram_creds is not None, shared_out=shared_parts)
    ledger = EventLedger(cfg.data.dir / cfg.serve.state_file)
    channels: list = []
    if slack_app is not None:
        adapter = SlackAdapter(slack_app, assistants["team"], cfg.slack, ledger)
        if slack_creds.socket_mode:
            channels.append(SlackChannel(adapter, socket=SlackSocketMode(slack_app, slack_creds.app_token)))
        else:
            http = SlackHttpServer(slack_app, slack_creds.signing_secret, path=cfg.slack.http_path)
            channels.append(SlackChannel(adapter, http=http, host=cfg.slack.http_host, port=cfg.slack.http_port))
    if telegram_creds is not None:
        application = build_telegram_application(cfg.telegram, telegram_creds.token)
        tg = TelegramAdapter(application, assistants["customer"], cfg.telegram, ledger,
                             team_assistant=assistants.get("team"), notifier=notifier)
        channels.append(TelegramChannel(tg, TelegramRunner(application, cfg.telegram, webhook_secret=telegram_creds.webhook_secret)))
    stop = asyncio.Event()
    install_signal_handlers(stop)  # only now: Ctrl-C while the model loads simply interrupts (exit 130)
    try:
        summary = await run_channels(channels, stop, grace_s=cfg.serve.shutdown_grace_s)
    finally:
        # the assistants (their stores), then the ONE model worker they share: its thread is stopped
        # and joined here, never left running into interpreter exit (that aborted with exit −6)
        for part in [*{id(a): a for a in assistants.values()}.values(), *shared_parts.values()]:
            close = getattr(part, "close", None)
            if callable(close):
                try:
                    close()
                except Exception as exc:  # noqa: BLE001 - keep closing the rest
                    log.warning("closing %s failed: %s", type(part).__name__, exc)
        ledger.close()
    summary["channels"] = [c.name for c in channels]
    return summary
