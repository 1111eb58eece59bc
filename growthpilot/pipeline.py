"""After data changes: recompute insights, store them, bring the search indexes up to date.

Called by `growthpilot ingest` after a successful ingest (unless --no-index) and by
`growthpilot demo`. Takes only the config sections it needs.
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
    from knowledge.insights import compute_all
    from knowledge.query import QueryEngine

    t0 = time.perf_counter()
    if progress:
        print("computing insights…", file=sys.stderr)
    engine = QueryEngine.from_store(store, temp_directory=Path(data_dir) / "cache" / "duckdb")  # memory bounded, spills to disk
    try:
        insights = compute_all(engine=engine, progress=progress)
    finally:
        engine.close()
    n_insights = store.replace_insights(insights)
    t1 = time.perf_counter()
    if embedder is None:
        embedder = make_embedder(embeddings, cache_dir=embedding_cache_dir(data_dir))
    if progress:
        print("updating search indexes…", file=sys.stderr)
    counts = update_indexes(store, embedder, index, Path(data_dir), progress=progress, tokenizer=search.tokenizer,
                            rebuild=rebuild)
    t2 = time.perf_counter()
    return {
        "insights": n_insights,
        "indexes": counts,
        "seconds": {"insights": round(t1 - t0, 3), "indexes": round(t2 - t1, 3), "total": round(t2 - t0, 3)},
    }
