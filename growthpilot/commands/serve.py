"""`growthpilot serve`: run the registered channels (adapters/registry.py) in one process, sharing one model worker."""

from __future__ import annotations

import argparse
import asyncio
import inspect
import logging
import os
from typing import Any, Mapping

from ..errors import UserFacingError
from ..output import emit_json

log = logging.getLogger("growthpilot.serve")


def register(sub, parent) -> None:
    from adapters import registry

    p = sub.add_parser(
        "serve",
        parents=[parent],
        help="run the Slack and/or Telegram bots",
        description=(
            "Run the configured channels ([slack] / [telegram] enabled = true) in one process that shares one "
            "generation worker. Slack uses Socket Mode when SLACK_APP_TOKEN is set, else the HTTP Events API "
            "(SLACK_SIGNING_SECRET). Telegram long-polls unless [telegram] mode = \"webhook\". A burst waits in a "
            "fair line for the model (people are told their place). SIGTERM/Ctrl-C stop taking new work, finish "
            "the replies in flight (up to [serve] shutdown_grace_s), mark the rest \"interrupted — please ask "
            "again\" and leave them for a retry, close the model worker and exit 0."
        ),
    )
    for name in registry.names():
        p.add_argument(f"--{name}", action=argparse.BooleanOptionalAction, default=None,
                       help=f"run (or with --no-{name} skip) the {name} channel; default: [{name}] enabled")
    p.set_defaults(handler=run)


def wanted_channels(args, cfg) -> list:
    """The ChannelSpecs to run: a --NAME / --no-NAME flag, else [NAME] enabled."""
    from adapters import registry

    specs = []
    for name in registry.names():
        flag = getattr(args, name, None)
        spec = registry.load(name) if flag or (flag is None and getattr(getattr(cfg, name, None), "enabled", False)) else None
        if spec is not None:
            specs.append(spec)
    return specs


def run(args, cfg) -> int:
    from adapters import registry

    specs = wanted_channels(args, cfg)
    if not specs:
        names = registry.names()
        raise UserFacingError(
            "no channel to serve: " + " and ".join(n.capitalize() for n in names) + (" are all off" if len(names) > 2 else " are both off"),
            fix="set `enabled = true` under " + " or ".join(f"[{n}]" for n in names) + " in config.toml, or pass "
                + " / ".join(f"--{n}" for n in names),
        )
    credentials = check_credentials(cfg, specs, os.environ)
    # the ingest refresh journal (stored but not yet indexed) is finished before serving
    __import__("growthpilot.pipeline").pipeline.finish_refresh_journal(cfg, strict=False)
    summary = asyncio.run(_serve(cfg, credentials))
    if args.json:
        emit_json({"ok": True, **summary})
    return 0


def check_credentials(cfg, specs, env: Mapping[str, str]) -> dict[str, Any]:
    """{channel: credentials}. Tokens come from the environment only; a missing one is a
    user-facing error naming the variable; an unworkable setting names the key."""
    from adapters.credentials import MissingCredential
    from adapters.service import ChannelConfigError

    out: dict[str, Any] = {}
    for spec in specs:
        try:
            out[spec.name] = spec.credentials(cfg, env)
        except MissingCredential as exc:
            raise UserFacingError(str(exc), fix=f"export {exc.variable}=… (see docs/channels.md); never put it in config.toml") from exc
        except ChannelConfigError as exc:
            raise UserFacingError(str(exc), fix=exc.fix) from exc
    return out


def _build_assistants(cfg, notifier, *, team: bool, customer: bool, shared_out: dict | None = None) -> dict[str, Any]:
    """The assistants the enabled channels need, through growthpilot.wiring, sharing ONE generator
    (one model worker, behind one waiting line) and one embedder between the team and customer audiences."""
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
        # the local worker generates one and queues queue_size; an OpenAI-compatible server takes queue_size at once
        room = cfg.generation.queue_size + 1 if cfg.generation.backend == "local" else max(1, cfg.generation.queue_size)
        generator = wiring.build_generator(cfg)
        warm = getattr(generator, "warm", None)  # a lazy generator: load the model in the background now
        if callable(warm):
            warm()
        shared["generator"] = WaitingLine(generator, slots=min(cfg.serve.model_slots, room),
                                          max_waiting=cfg.serve.max_waiting)
        if shared_out is not None:
            shared_out["generator"] = shared["generator"]
    built: dict[str, Any] = {}
    if team:
        built["team"] = wiring.build_assistant(cfg, "team", **shared)
    if customer:
        built["customer"] = wiring.build_assistant(cfg, "customer", **shared)
    return built


def warm_up(assistants: list) -> None:
    """Load what the assistants load lazily on first use — the intent classifier, the sentiment model
    (seconds each on a CPU) — now, in a worker thread: otherwise the first message loads them on the
    event loop and every channel's acks and polling stall meanwhile. An assistant may offer `warm_up()`."""
    for a in assistants:
        try:
            own = getattr(a, "warm_up", None)
            if callable(own):
                own()
                continue
            intents = getattr(a, "intents", None)
            if intents is not None and callable(getattr(intents, "parse", None)):
                intents.parse("hello")
            sentiment = getattr(getattr(a, "_support", None), "_sentiment", None)
            if sentiment is not None and callable(getattr(sentiment, "analyze", None)):
                sentiment.analyze(["hello"])
        except Exception as exc:  # noqa: BLE001 - a failed warm-up only means a slower first answer
            log.warning("warming up %s failed: %s", type(a).__name__, exc)


async def _serve(cfg, credentials: dict[str, Any]) -> dict:
    from adapters import registry
    from adapters.dedupe import EventLedger
    from adapters.handover import LoggingHandoverNotifier
    from adapters.service import ServeContext, install_signal_handlers, run_channels

    specs = [registry.load(name) for name in credentials]
    notifier: Any = None
    for name in registry.names():  # the first channel that offers a hand-over notifier (Slack's channel) gets them all
        spec = registry.load(name)
        if spec.notifier is not None:
            try:
                notifier = spec.notifier(cfg, credentials.get(name), os.environ)
            except Exception as exc:  # noqa: BLE001 - hand-overs then go to the log
                log.warning("%s hand-over notifier unavailable: %s", name, exc)
            if notifier is not None:
                break
    notifier = notifier or LoggingHandoverNotifier()
    audiences: set[str] = set()
    for spec in specs:
        audiences |= spec.audiences(cfg, credentials[spec.name])
    shared_parts: dict[str, Any] = {}
    assistants = _build_assistants(cfg, notifier, team="team" in audiences, customer="customer" in audiences, shared_out=shared_parts)
    ledger = EventLedger(cfg.data.dir / cfg.serve.state_file)
    try:
        await asyncio.to_thread(warm_up, list({id(a): a for a in assistants.values()}.values()))
        channels = [spec.build(ServeContext(cfg, credentials[spec.name], assistants, ledger, notifier)) for spec in specs]
        stop = asyncio.Event()
        install_signal_handlers(stop)  # only now: Ctrl-C while the model loads simply interrupts (exit 130)
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
