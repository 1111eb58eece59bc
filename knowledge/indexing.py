"""Keep the search indexes in step with the store: add new documents, re-index changed ones,
remove the ones that are gone. Only new or changed texts are embedded (and the embedding
cache makes even those free when the text itself did not change)."""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from .bm25 import bm25_tokens
from .embeddings import Embedder
from .search import (
    COLLECTIONS,
    Collection,
    StoredItem,
    _sentiment_of,
    check_manifest,
    collection_path,
    embed_text,
)
from .settings import IndexSettings
from .types import Document, KnowledgeError
from .vector_index import IndexDirectory


def document_hash(doc: Document) -> str:
    """sha256 over everything indexed about a document (kind, title, text, metadata)."""
    payload = json.dumps([doc.kind, doc.title, doc.text, doc.metadata], ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def update_collection(
    path: Path,
    name: str,
    documents: Iterable[Document],
    embedder: Embedder,
    index: IndexSettings,
    *,
    tokenizer: str = "jieba",
    progress: bool = True,
    rebuild: bool = False,
    sentiment=None,
) -> dict[str, Any]:
    """Bring the collection in `path` to exactly `documents`. Reviews without a label or rating get
    their sentiment from `sentiment` (a SentimentAnalyzer; default a new one) on the vector just
    computed. Returns counts (sentiment_scored: reviews scored that way):
    added, updated, removed, unchanged, duplicates (same id twice: the first wins), embedded
    (texts sent to the embedder), total, index_kind, rebuilt_index, saved, seconds."""
    t0 = time.perf_counter()
    directory = IndexDirectory(path)
    if directory.exists() and not rebuild:
        check_manifest(directory.read_manifest(), name, embedder, path)  # clear error before any work
        coll = Collection.load(path, name, embedder, index)
    else:
        coll = Collection.empty(name, embedder, index, tokenizer)
    coll.index_settings = index
    coll.vindex.settings = index

    seen: set[str] = set()
    duplicates = 0
    fresh: list[tuple[Document, str]] = []  # new or changed
    keep_rows: list[int] = []
    changed_ns: list[int] = []
    for doc in documents:
        if doc.id in seen:
            duplicates += 1
            continue
        seen.add(doc.id)
        h = document_hash(doc)
        row = coll.row_of_id.get(doc.id)
        if row is None:
            fresh.append((doc, h))
        elif coll.items[row].hash != h:
            fresh.append((doc, h))
            changed_ns.append(coll.items[row].n)
        else:
            keep_rows.append(row)
    n_updated = len(changed_ns)
    gone_rows = [r for r, it in enumerate(coll.items) if it.id not in seen]
    removed_ns = [coll.items[r].n for r in gone_rows]
    counts: dict[str, Any] = {
        "collection": name, "added": len(fresh) - n_updated, "updated": n_updated, "removed": len(gone_rows),
        "unchanged": len(keep_rows), "duplicates": duplicates, "embedded": 0,
    }
    if not fresh and not gone_rows and directory.exists() and not rebuild:
        vi = coll.vindex
        if not vi.maintain():  # settings may ask for another index type even when no document changed
            counts.update(total=len(coll), index_kind=vi.kind, rebuilt_index=False, saved=False,
                          seconds=round(time.perf_counter() - t0, 3))
            return counts
        coll.save(path)
        counts.update(total=len(coll), index_kind=vi.kind, rebuilt_index=True, saved=True,
                      seconds=round(time.perf_counter() - t0, 3))
        return counts

    texts = [embed_text(d.title, d.text) for d, _ in fresh]
    dense_texts = [dense_text(d) for d, _ in fresh]
    misses_before = getattr(embedder, "misses", None)
    vectors = embedder.encode(dense_texts, progress=progress) if texts else np.empty((0, embedder.dim), np.float32)
    if vectors.shape != (len(texts), embedder.dim):
        raise KnowledgeError(f"embedder {embedder.name} returned shape {vectors.shape}, expected ({len(texts)}, {embedder.dim})")
    counts["embedded"] = (embedder.misses - misses_before) if misses_before is not None else len(texts)
    model_sentiment = review_sentiments([d for d, _ in fresh], vectors, embedder, sentiment)
    counts["sentiment_scored"] = len(model_sentiment)
    tokens = _tokenize_all(texts, tokenizer, progress)

    new_ids = np.arange(coll.next_id, coll.next_id + len(fresh), dtype=np.int64)
    vi = coll.vindex
    vi.remove(np.array(changed_ns + removed_ns, dtype=np.int64))
    vi.add(new_ids, vectors)
    rebuilt = vi.maintain()

    keep_rows.sort()  # keep the stored order of unchanged items
    new_items = [coll.items[r] for r in keep_rows] + [
        StoredItem(d.id, int(n), d.kind, d.title, d.text, {**d.metadata, **model_sentiment.get(j, {})}, h)
        for j, ((d, h), n) in enumerate(zip(fresh, new_ids))
    ]
    bm25 = coll.bm25.take(np.array(keep_rows, dtype=np.int64)).extend(tokens)
    updated = Collection(
        name, embedder.name, embedder.dim, embedder.normalized, index, new_items, vi, bm25,
        coll.next_id + len(fresh), tokenizer=tokenizer, created=coll.created,
    )
    updated.save(path)
    counts.update(total=len(updated), index_kind=vi.kind, rebuilt_index=rebuilt, saved=True,
                  seconds=round(time.perf_counter() - t0, 3))
    return counts


def dense_text(doc: Document) -> str:
    """What a document's dense vector is computed from: a review's own text (the same string the
    sentiment model embeds, so the content-hash cache serves both), else title + text."""
    return doc.text if doc.kind == "review" and doc.text.strip() else embed_text(doc.title, doc.text)


def review_sentiments(docs: list[Document], vectors: np.ndarray, embedder: Embedder, analyzer=None) -> dict[int, dict]:
    """{position: {"sentiment", "sentiment_score", "sentiment_source": "model"}} for the reviews that
    have no sentiment from a label or rating; scored from the vectors just computed when the
    embedder is the one the sentiment model was trained with (nothing is embedded twice)."""
    todo = [j for j, d in enumerate(docs) if d.kind == "review" and not _sentiment_of(d.metadata)]
    if not todo:
        return {}
    from .sentiment import SentimentAnalyzer

    an = analyzer if analyzer is not None else SentimentAnalyzer(embedder=embedder)
    texts = [docs[j].text for j in todo]
    model = getattr(an, "_linear", None)
    shared = model is not None and getattr(embedder, "name", "") == model.embedder_name and all(
        dense_text(docs[j]) == docs[j].text for j in todo)
    res = an.analyze(texts, vectors=vectors[todo] if shared else None)
    return {j: {"sentiment": r.label, "sentiment_score": round(r.score, 4), "sentiment_source": "model"}
            for j, r in zip(todo, res)}


def _tokenize_all(texts: list[str], tokenizer: str, progress: bool) -> list[list[str]]:
    if progress and len(texts) > 1000:
        from tqdm import tqdm

        texts_iter = tqdm(texts, desc="tokenising (BM25)", unit="text", file=sys.stderr, leave=False)
    else:
        texts_iter = texts
    return [bm25_tokens(t, tokenizer) for t in texts_iter]


def update_indexes(store, embedder: Embedder, index: IndexSettings, data_dir: Path, *, progress: bool = True,
                   tokenizer: str = "jieba", rebuild: bool = False, sentiment=None) -> dict[str, dict[str, Any]]:
    """Update both collections from `store.documents("internal" | "public")`.

    Incremental: new/changed documents are embedded and added, gone ones removed. With
    `rebuild`, existing index files are ignored (needed after changing the embedder).
    Returns {"internal": counts, "public": counts} (see `update_collection`)."""
    return {
        name: update_collection(collection_path(data_dir, name), name, store.documents(name), embedder, index,
                                tokenizer=tokenizer, progress=progress, rebuild=rebuild, sentiment=sentiment)
        for name in COLLECTIONS
    }
