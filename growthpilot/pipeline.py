"""After data changes: recompute insights, store them, bring the search indexes up to date.

Called by `growthpilot ingest` after a successful ingest (unless --no-index) and by
`growthpilot demo`. Takes only the config sections it needs.

The refresh journal: every change the store commits is journalled in the same SQLite
transaction (`Store.pending_refresh`), and only a completed refresh clears it. So after
`--no-index`, a crash or a kill -9 during the refresh, the next `growthpilot ingest`,
`search` or `serve` start-up (`finish_refresh_journal`) indexes what was stored.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from knowledge.embeddings import Embedder, make_embedder
from knowledge.indexing import update_indexes
from knowledge.search import embedding_cache_dir
from knowledge.settings import EmbeddingSettings, IndexSettings, SearchSettings


def refresh(
    store,
    data_dir: Path,
    embeddings: EmbeddingSettings,
    index: IndexSettings,
    search: SearchSettings,
    *,
    embedder: Embedder | None = None,
    progress: bool = True,
    rebuild: bool = False,
) -> dict[str, Any]:
    """compute_all over the query layer (DuckDB on the store's Parquet parts, reviews and
    catalogue) → store.replace_insights → update_indexes.

    `embedder` defaults to the configured one with its cache under <data_dir>/cache/embeddings.
    Returns {"insights": n, "indexes": {"internal": counts, "public": counts}, "seconds": {...}}.
    """
    if not hasattr(store, "writing"):  # a store without lock and journal (test doubles)
        return _refresh(store, data_dir, embeddings, index, search, embedder=embedder, progress=progress,
                        rebuild=rebuild)
    with store.writing():  # re-entrant: ingest already holds it
        mark = store.journal_mark()
        result = _refresh(store, data_dir, embeddings, index, search, embedder=embedder, progress=progress,
                          rebuild=rebuild)
        store.clear_refresh_journal(mark)  # only after the indexes are saved: a crash leaves it for the next run
    return result


def _refresh(store, data_dir, embeddings, index, search, *, embedder, progress, rebuild) -> dict[str, Any]:
    from knowledge.insights import compute_all
    from knowledge.query import QueryEngine

    t0 = time.perf_counter()
    if embedder is None:
        embedder = make_embedder(embeddings, cache_dir=embedding_cache_dir(data_dir))
    sentiment = _shared_sentiment(embedder, progress)
    if progress:
        print("computing insights…", file=sys.stderr)
    # DuckDB over the stored Parquet parts: memory bounded, spills to disk
    engine = QueryEngine.from_store(store, temp_directory=Path(data_dir) / "cache" / "duckdb", sentiment=sentiment)
    try:
        insights = compute_all(engine=engine, progress=progress)
    finally:
        engine.close()
    n_insights = store.replace_insights(insights)
    t1 = time.perf_counter()
    if progress:
        print("updating search indexes…", file=sys.stderr)
    counts = update_indexes(store, embedder, index, Path(data_dir), progress=progress, tokenizer=search.tokenizer,
                            rebuild=rebuild, sentiment=sentiment)
    t2 = time.perf_counter()
    return {
        "insights": n_insights,
        "indexes": counts,
        "seconds": {"insights": round(t1 - t0, 3), "indexes": round(t2 - t1, 3), "total": round(t2 - t0, 3)},
    }


def finish_refresh_journal(cfg, *, progress: bool = False, embedder: Embedder | None = None,
                           say=None, strict: bool = True) -> dict[str, Any] | None:
    """Index what an earlier run stored but did not index (see the module doc). Returns the
    refresh result, or None when nothing was pending (or another writer holds the data dir:
    that writer finishes it). `say` gets the one-line notes (default: stderr). With
    strict=False (serve start-up) a user-facing failure is a note, not the end of the run."""
    from knowledge.types import KnowledgeError

    try:
        return _finish_journal(cfg, progress=progress, embedder=embedder,
                               say=say or (lambda msg: print(msg, file=sys.stderr)))
    except KnowledgeError as exc:
        if strict:
            raise
        (say or (lambda msg: print(msg, file=sys.stderr)))(f"note: could not finish the index refresh: {exc}")
        return None


def _finish_journal(cfg, *, progress, embedder, say) -> dict[str, Any] | None:
    from knowledge.store import DataDirBusy, Store

    data_dir = Path(cfg.data.dir)
    if not (data_dir / "store.sqlite").exists():
        return None
    store = Store.open(data_dir)
    try:
        if not store.pending_refresh():
            return None
        try:
            with store.writing(wait_s=0):
                pending = store.pending_refresh()  # again, under the lock
                if not pending:
                    return None
                say(f"indexing {sum(p['rows'] for p in pending)} stored change(s) not yet in the search index "
                    f"(left by an earlier run at {pending[0]['at']})…")
                return refresh(store, data_dir, cfg.embeddings, cfg.index, cfg.search, embedder=embedder,
                               progress=progress)
        except DataDirBusy as exc:
            say(f"note: {exc}. The search index may miss the newest data until that writer finishes.")
            return None
    finally:
        store.close()


def _shared_sentiment(embedder: Embedder, progress: bool):
    """One sentiment analyzer for the insights and the index: it takes its sentence vectors from the
    index's (cached) embedder, so each review is embedded once, and remembers its answers, so a
    review scored for the insights is not scored again for the index."""
    from knowledge.sentiment import SentimentAnalyzer

    return SentimentAnalyzer(embedder=embedder, memo=True, progress=progress)
