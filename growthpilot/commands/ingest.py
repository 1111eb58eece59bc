"""`growthpilot ingest behavior|reviews|catalog|docs PATH`: read a file into the store.

Prints read / accepted / rejected / duplicates (they reconcile) and where the rejected
rows went. Exit code 0 when the file is in the store (even with rejects), 2 when nothing
usable could be read (every row rejected, an empty file, an unreadable encoding). After a
successful ingest that added something, insights and search indexes are refreshed unless
--no-index.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from knowledge.ingest import INGESTERS, IngestReport
from knowledge.privacy import Privacy
from knowledge.store import Store

from ..output import emit_json
from ..pipeline import refresh

log = logging.getLogger(__name__)

KIND_HELP = {
    "behavior": "behaviour log: CSV/TSV/JSONL/Parquet, Taobao shape user_id,item_id,category_id,behavior,timestamp "
                "(header optional)",
    "reviews": "reviews: CSV/TSV/JSONL with text and optional rating, label, product, category, date, user",
    "catalog": "product catalogue: item_id, name (name_zh), category_id, category, price, description",
    "docs": "Markdown/text docs (a file or a folder) for the public collection: FAQ, policies, product pages",
}


def register(sub, parent) -> None:
    p = sub.add_parser(
        "ingest",
        parents=[parent],
        help="read a behaviour log, reviews, a catalogue or docs into the store",
        description="Read a file into the knowledge store. User ids are replaced by keyed pseudonyms and personal "
                    "data in free text is redacted before anything is stored. Files in UTF-8, UTF-8 with BOM or "
                    "GB18030 are detected. Rejected rows go to <data dir>/rejects/ with line number and reason. "
                    "Re-ingesting the same file adds nothing. Exit code 0: ingested (even with rejects); "
                    "2: nothing usable could be read.",
        epilog="kinds:\n" + "\n".join(f"  {k:9} {v}" for k, v in KIND_HELP.items()),
        formatter_class=__import__("argparse").RawDescriptionHelpFormatter,
    )
    p.add_argument("kind", choices=list(INGESTERS), help="what the file holds: behavior, reviews, catalog or docs")
    p.add_argument("path", type=Path, help="the file (or, for docs, a folder) to ingest")
    p.add_argument("--no-index", action="store_true",
                   help="do not recompute insights and search indexes afterwards (run `growthpilot ingest` of the "
                        "last file without it, or `growthpilot demo`, to refresh later)")
    p.set_defaults(handler=run)


def run(args, cfg) -> int:
    t_start = time.perf_counter()
    privacy = Privacy.from_settings(cfg.privacy)
    store = Store.open(cfg.data.dir)
    try:
        report = INGESTERS[args.kind](args.path, store, privacy, cfg.ingest, progress=sys.stderr.isatty())
        refresh_result, refresh_note = None, ""
        if not report.usable:
            refresh_note = "nothing usable was read; store unchanged"
        elif args.no_index:
            refresh_note = "--no-index: insights and indexes not refreshed"
        elif report.accepted == 0:
            refresh_note = "nothing new; insights and indexes unchanged"
        else:
            refresh_result = refresh(store, cfg.data.dir, cfg.embeddings, cfg.index, cfg.search,
                                     progress=sys.stderr.isatty())
        counts = store.counts()
    finally:
        store.close()
    seconds = run_seconds(report, refresh_result, time.perf_counter() - t_start)
    if args.json:
        emit_json({"ok": report.usable, "report": report.to_dict(), "store": counts,
                   "refresh": refresh_result, "refresh_note": refresh_note, "seconds": seconds})
    else:
        print(format_report(report, seconds))
        if refresh_note:
            print(f"  note        {refresh_note}")
        if refresh_result:
            print(f"  refreshed   {_summary(refresh_result)}")
    return 0 if report.usable else 2


def run_seconds(report: IngestReport, refresh_result: dict | None, total: float) -> dict[str, float]:
    """The whole run's wall time and its parts: read+store (the ingester: read, validate, redact,
    store), insights, index (embedding, sentiment of unlabelled reviews, BM25, FAISS, save)."""
    parts = {"total": round(total, 3), "read_store": round(report.seconds, 3)}
    if refresh_result:
        parts["insights"] = refresh_result["seconds"]["insights"]
        parts["index"] = refresh_result["seconds"]["indexes"]
    return parts


def format_report(r: IngestReport, seconds: dict | None = None) -> str:
    """The human summary of an ingest."""
    lines = [f"{r.kind} ← {r.file}" + ("  (already ingested: nothing added)" if r.already_ingested else "")]
    width = len(f"{r.read:,}")
    for name, value in (("read", r.read), ("accepted", r.accepted), ("rejected", r.rejected),
                        ("duplicates", r.duplicates)):
        lines.append(f"  {name:<11} {value:>{width},}")
    lines.append(f"  rejects     {r.rejects_path if r.rejects_path else '-'}")
    if r.redactions:
        lines.append("  redacted    " + ", ".join(f"{k} {v}" for k, v in sorted(r.redactions.items())))
    if seconds:
        split = ", ".join(f"{name.replace('_', '+')} {seconds[name]:.2f} s"
                          for name in ("read_store", "insights", "index") if name in seconds)
        lines.append(f"  time        {seconds['total']:.2f} s in all ({split})")
    elif r.seconds:
        lines.append(f"  time        {r.seconds:.2f} s")
    for note in r.notes:
        lines.append(f"  note        {note}")
    return "\n".join(lines)


def _summary(result: dict) -> str:
    """One line from pipeline.refresh's result: insights, index sizes, seconds."""
    parts = [f"{result['insights']} insights"]
    parts += [f"{name} index {counts['total']}" for name, counts in result["indexes"].items()]
    parts.append(f"{result['seconds']['total']:.1f} s")
    return ", ".join(parts)
