"""`growthpilot chat`: a terminal conversation with the assistant (streams replies as they grow)."""

from __future__ import annotations

import asyncio

from ..errors import UserFacingError


def register(sub, parent) -> None:
    p = sub.add_parser(
        "chat",
        parents=[parent],
        help="chat with the assistant in the terminal",
        description=(
            "An interactive conversation: questions get grounded answers with sources, /copy writes marketing "
            "copy, /report funnel|top|trends|segments|sentiment|recs|forecast shows computed reports, "
            "/feedback up|down|\"correction\" rates the last reply, /reset forgets the conversation, /quit leaves."
        ),
    )
    p.add_argument("--audience", choices=["team", "customer"], default="team", help="team (internal data) or customer (public docs only, support mode); default team")
    p.add_argument("--thread", default="chat", help="conversation to continue (memory is kept per thread)")
    p.add_argument("--user", default="cli-user", help="who is chatting (recorded with feedback)")
    p.set_defaults(handler=run)


def run(args, cfg) -> int:
    if args.json:
        raise UserFacingError("`growthpilot chat` is interactive and has no --json output", fix='use `growthpilot ask "…" --json`')
    from adapters.cli import repl

    from ..wiring import build_assistant
    from .ask import _close

    assistant = build_assistant(cfg, args.audience)
    warm = getattr(getattr(assistant, "generator", None), "warm", None)
    if callable(warm):  # a chat will likely need the model: load it in the background while the user types
        warm()
    if assistant.reports is not None:
        assistant.reports.prefetch(lang=cfg.assistant.default_locale)  # first /report answers from cache
    try:
        asyncio.run(repl(assistant, user=args.user, thread=args.thread, audience=args.audience))
    finally:
        _close(assistant)
    return 0
