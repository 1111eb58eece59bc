"""`growthpilot demo`: the main job on embedded defaults.

Ingests the bundled demo data of "Lumi" (a fictional D2C gadget shop: behaviour log,
Chinese and English reviews, catalogue, FAQ/policy docs), computes insights, builds the
search indexes, then puts a few typical requests to the assistant with the offline
model: data questions (numbers written by code from a query, each with how it was computed), one
that is not in the data, a report, a copy request and a customer-support message.
"""

from __future__ import annotations

import asyncio
import sys
import time
from ..demo import DATA_DIR, DEMO_FILES
from ..output import emit_json

# (audience, text): what a team member and a customer typically ask. The first four are data
# questions: a change with its evidence, complaints counted from reviews, an ad-hoc question no
# fixed report answers, and one the data cannot answer (it says so, and what it does hold).
DEMO_REQUESTS = (
    ("team", "Which product's conversion dropped in the last 7 days, and why?"),
    ("team", "客户最常抱怨什么？"),
    ("team", "What is the repeat-buyer share in the drinkware category?"),
    ("team", "What was our ad spend in October?"),
    ("team", "/report funnel"),
    ("team", "帮我写一条小红书文案，推广智能水杯"),
    ("customer", "How long does shipping take, and can I return my earbuds?"),
)


def register(sub, parent) -> None:
    p = sub.add_parser(
        "demo",
        parents=[parent],
        help="run the whole thing on the bundled demo data with the offline model",
        description=(
            "Ingest the bundled demo data (behaviour log, zh/en reviews, catalogue, docs) into the data dir of the "
            "config, compute insights, build the search indexes, then answer a few typical requests with the "
            "embedded model: a grounded question with citations, a report with a chart, a copy request and a "
            "customer-support reply. Re-running is cheap: files already ingested are skipped."
        ),
    )
    p.add_argument("--ask", action="append", metavar="TEXT", default=None,
                   help="put this request to the team assistant instead of the built-in ones (repeatable)")
    p.add_argument("--no-model", action="store_true",
                   help="stop after ingest, insights and indexing (no language model is loaded)")
    p.set_defaults(handler=run)


def run(args, cfg) -> int:
    from knowledge.ingest import INGESTERS
    from knowledge.privacy import Privacy

    from ..pipeline import refresh
    from ..wiring import open_store
    from .ingest import format_report

    say = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    result: dict = {"ingest": [], "refresh": None, "insights": [], "replies": []}
    privacy = Privacy.from_settings(cfg.privacy, data_dir=cfg.data.dir)
    store = open_store(cfg)
    try:
        say(f"== 1. ingest the demo data into {cfg.data.dir}")
        for kind, rel in DEMO_FILES:
            report = INGESTERS[kind](DATA_DIR / rel, store, privacy, cfg.ingest, progress=False)
            result["ingest"].append(report.to_dict())
            say(format_report(report))
        say("\n== 2. insights and search indexes")
        summary = refresh(store, cfg.data.dir, cfg.embeddings, cfg.index, cfg.search, progress=not args.json)
        result["refresh"] = summary
        say(f"{summary['insights']} insights; indexes {summary['indexes']}; {summary['seconds']['total']:.1f} s")
        insights = store.insights()
    finally:
        store.close()
    highlights = [i for i in insights if i.topic in ("trend", "aspect", "segment", "propensity")][:6]
    for ins in highlights:
        say(f"  - [{ins.id}] {ins.text}")
    result["insights"] = [{"id": i.id, "topic": i.topic, "text": i.text} for i in highlights]
    if args.no_model:
        if args.json:
            emit_json(result)
        return 0

    requests = tuple(("team", t) for t in args.ask) if args.ask else DEMO_REQUESTS
    say("\n== 3. the assistant (embedded offline model; first run converts it once, about a minute)")
    result["replies"] = asyncio.run(_converse(cfg, requests, quiet=args.json, say=say))
    if args.json:
        emit_json(result)
    failed = [r for r in result["replies"] if not r["ok"]]
    return 1 if failed else 0


async def _converse(cfg, requests, *, quiet: bool, say) -> list[dict]:
    from adapters.cli import StreamPrinter
    from bot.types import Message

    from ..wiring import build_assistant, build_embedder, build_generator
    from .ask import reply_json

    embedder = build_embedder(cfg)
    generator = build_generator(cfg, progress=not quiet)  # one model worker shared by both audiences
    assistants = {}
    out = []
    try:
        for n, (audience, text) in enumerate(requests, 1):
            if audience not in assistants:
                assistants[audience] = build_assistant(cfg, audience, generator=generator, embedder=embedder,
                                                       progress=not quiet)
            say(f"\n--- [{audience}] {text}")
            message = Message("cli", "demo", "demo-user", text, thread=f"demo-{n}", is_direct=True, audience=audience)
            t0 = time.perf_counter()
            if quiet:
                reply = await assistants[audience].handle(message)
            else:
                printer = StreamPrinter(sys.stdout)
                reply = await assistants[audience].handle(message, on_partial=printer)
                printer.finish(reply)
            entry = reply_json(reply)
            entry.update(audience=audience, request=text, seconds=round(time.perf_counter() - t0, 2))
            out.append(entry)
    finally:
        for a in assistants.values():
            a.close()
        close = getattr(generator, "close", None)
        if callable(close):
            close()
    return out
