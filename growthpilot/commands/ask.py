"""`growthpilot ask "…"`: one question (or /copy, /report …) to the assistant."""

from __future__ import annotations

import asyncio
import sys

from ..output import emit_json


def register(sub, parent) -> None:
    p = sub.add_parser(
        "ask",
        parents=[parent],
        help="ask the assistant one question (grounded answer with sources)",
        description=(
            "Send one message to the assistant and print its reply with the sources it cites. Free text is "
            "routed to a grounded answer, copywriting or a report; slash commands (/copy, /report funnel, /ask) "
            "work too. Follow-ups in the same --thread remember the previous questions."
        ),
    )
    p.add_argument("text", help="the question or command, e.g. \"which product converts best?\" or \"/copy a launch tweet\"")
    p.add_argument("--audience", choices=["team", "customer"], default="team", help="team (internal data) or customer (public docs only); default team")
    p.add_argument("--thread", default="ask", help="conversation to continue (default: ask)")
    p.add_argument("--user", default="cli-user", help="who is asking (recorded with feedback)")
    p.add_argument("--timing", action="store_true",
                   help="print start-up, time to first text and total seconds to stderr (for bench/eval_answers.py --ask-process)")
    p.set_defaults(handler=run)


def run(args, cfg) -> int:
    import time

    from ..wiring import build_assistant

    t0 = time.perf_counter()
    assistant = build_assistant(cfg, args.audience, progress=not args.json)
    args._timing = {"t0": t0, "built": time.perf_counter()}
    try:
        reply = asyncio.run(_ask(assistant, args))
    finally:
        _close(assistant)
    if getattr(args, "timing", False):
        t = args._timing
        end = time.perf_counter()
        print(f"timing: build {t['built'] - t0:.3f} s, first text {t.get('first', end) - t0:.3f} s, answer {end - t0:.3f} s "
              f"(from the command's start, after imports)", file=sys.stderr)
    if args.json:
        emit_json(reply_json(reply))
    return 2 if reply.data.get("error") == "user" else 1 if reply.data.get("error") == "internal" else 0


async def _ask(assistant, args):
    from adapters.cli import StreamPrinter
    from bot.types import Message

    import time

    message = Message("cli", "ask", args.user, args.text, thread=args.thread, is_direct=True, audience=args.audience)
    timing = getattr(args, "_timing", {})
    if args.json:
        reply = await assistant.handle(message)
        timing.setdefault("first", time.perf_counter())
        return reply
    printer = StreamPrinter(sys.stdout)

    async def on_partial(text: str) -> None:
        timing.setdefault("first", time.perf_counter())
        await printer(text)

    reply = await assistant.handle(message, on_partial=on_partial)
    timing.setdefault("first", time.perf_counter())
    printer.finish(reply)
    return reply


def reply_json(reply) -> dict:
    """The machine-readable form of a Reply (ask --json, serve logs)."""
    data = dict(reply.data)
    report = data.pop("report", None)
    numbers = report["numbers"] if report else {k: data[k] for k in ("numbers_total", "numbers_backed", "unsupported_numbers") if k in data}
    return {
        "ok": "error" not in data,
        "reply_id": reply.reply_id,
        "text": reply.text,
        "intent": data.get("intent"),
        "lang": data.get("lang"),
        "citations": [{"n": i, "id": c.id, "kind": c.kind, "title": c.title, "snippet": c.snippet, "score": c.score} for i, c in enumerate(reply.citations, 1)],
        "numbers": numbers,
        "chart": str(reply.attachments[0].path) if reply.attachments else (report or {}).get("chart"),
        "handover": reply.handover,
        "data": data,
    }


def _close(assistant) -> None:
    gen = getattr(assistant, "generator", None)
    close = getattr(gen, "close", None)
    if callable(close):
        close()
    assistant.close()
