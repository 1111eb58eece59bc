"""`growthpilot ingest behavior|reviews|catalog|docs PATH`: read a file into the store.

Prints read / accepted / rejected / duplicates (they reconcile) and where the rejected
rows went. Exit code 0 when the file is in the store (even with rejects), 2 when nothing
usable could be read (every row rejected, an empty file, an unreadable encoding). After an
ingest, insights and search indexes are refreshed when anything is stored but not yet indexed
(by this run or an earlier one: the refresh journal), unless --no-index. The whole run holds
the data-dir writer lock.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from knowledge.ingest import INGESTERS, IngestReport
from knowledge.privacy import Privacy
from knowledge.store import Store

from ..errors import UserFacingError
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
                   help="store only: do not recompute insights and search indexes now. What was stored is kept in "
                        "the refresh journal and indexed by the next `growthpilot ingest`, `search` or `serve` "
                        "(e.g. ingest many files with --no-index, the last one without)")
    p.set_defaults(handler=run)


def run(args, cfg) -> int:
    t_start = time.perf_counter()
    privacy = Privacy.from_settings(cfg.privacy, data_dir=cfg.data.dir)
    store = Store.open(cfg.data.dir)
    try:
        with store.writing(wait_s=cfg.ingest.lock_wait_s, on_wait=lambda msg: print(msg, file=sys.stderr)):
            return _run_locked(args, cfg, privacy, store, t_start)
    finally:
        store.close()


def _run_locked(args, cfg, privacy, store, t_start: float) -> int:
    """The ingest and its refresh, under the data-dir writer lock. The refresh also covers what
    earlier runs stored but did not index (the refresh journal: --no-index, a crash)."""
    before = store.journal_mark()  # journal entries up to here were left by earlier runs
    try:
        report = INGESTERS[args.kind](args.path, store, privacy, cfg.ingest, progress=sys.stderr.isatty())
    except OSError as exc:  # a file that vanished or became unreadable mid-run: the person's to fix, exit 2
        where = exc.filename or args.path
        raise UserFacingError(f"{where}: cannot be read ({exc.strerror or exc}); nothing from it was stored",
                              fix="check the file (permissions: chmod a+r FILE), then run again") from exc
    pending = store.pending_refresh()
    earlier = sum(p["rows"] for p in pending if p["id"] <= before)
    refresh_result, refresh_note = None, ""
    if args.no_index:
        refresh_note = ("--no-index: stored but not indexed yet; the next `growthpilot ingest`, `search` or `serve` "
                        "indexes it" if pending else "--no-index: insights and indexes not refreshed")
    elif pending:
        refresh_result = refresh(store, cfg.data.dir, cfg.embeddings, cfg.index, cfg.search,
                                 progress=sys.stderr.isatty())
        if earlier:
            refresh_note = f"also indexed {earlier} change(s) stored earlier but not yet indexed"
    elif not report.usable:
        refresh_note = "nothing usable was read; store unchanged"
    else:
        refresh_note = "nothing new; insights and indexes unchanged"
    if not report.usable and not refresh_note.startswith("nothing usable"):
        refresh_note = "nothing usable was read from this file; " + refresh_note
    counts = store.counts()
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
