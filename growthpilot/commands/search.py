"""`growthpilot search "…"`: hybrid (FAISS + BM25) search over the indexed knowledge."""

from __future__ import annotations

import sys

from ..errors import UserFacingError
from ..output import emit_json, table

SNIPPET_CHARS = 80


def register(sub, parent) -> None:
    p = sub.add_parser(
        "search",
        parents=[parent],
        help="search insights, reviews and docs (dense + BM25, Chinese and English)",
        description=(
            "Search the knowledge indexes. Dense (multilingual embeddings in FAISS) and keyword (BM25 over "
            "jieba/English tokens) results are fused by reciprocal rank, so a Chinese query also finds "
            "English items and the reverse. `internal` holds insights and reviews (team only); `public` "
            "holds docs (FAQ, policies, product pages). --rebuild re-embeds everything from the store, "
            "e.g. after changing [embeddings]."
        ),
    )
    p.add_argument("query", nargs="?", default=None, help="what to look for (any language)")
    p.add_argument("-k", "--k", type=int, default=None, metavar="N", help="number of hits (default: [search] k)")
    p.add_argument("--collection", choices=["internal", "public"], default="internal",
                   help="internal = insights + reviews (default), public = docs")
    p.add_argument("--kind", action="append", choices=["insight", "review", "doc"], default=None,
                   help="only this kind of item (repeatable)")
    p.add_argument("--product", default=None, help="only items about this product (id or name)")
    p.add_argument("--category", default=None, help="only items in this category")
    p.add_argument("--sentiment", choices=["pos", "neg", "neutral"], default=None,
                   help="only reviews with this sentiment")
    p.add_argument("--topic", default=None, help="only insights of this topic (funnel, trend, segment, sentiment, …)")
    p.add_argument("--since", default=None, metavar="YYYY-MM-DD", help="only items dated on or after this day")
    p.add_argument("--until", default=None, metavar="YYYY-MM-DD", help="only items dated on or before this day")
    p.add_argument("--rebuild", action="store_true",
                   help="rebuild both indexes from the store with the configured embedder, as the data dir's one writer "
                        "(waits [ingest] lock_wait_s for another writer); also indexes what an earlier run stored "
                        "but did not index (then search, if a query is given)")
    p.set_defaults(handler=run)


def _filters(args) -> dict:
    pairs = {
        "product": args.product, "category": args.category, "sentiment": args.sentiment,
        "topic": args.topic, "date_from": args.since, "date_to": args.until,
    }
    return {k: v for k, v in pairs.items() if v}


def _rebuild(cfg, *, progress: bool) -> dict:
    """Re-embed both indexes from the store, as the one writer of the data dir (Store.writing: a
    second writer waits [ingest] lock_wait_s, then exits 2 naming the holder). What the refresh
    journal holds (stored, not yet indexed: after --no-index or a crash) is covered too, its
    insights recomputed first, and the journal is cleared once the indexes are saved."""
    from knowledge.embeddings import make_embedder
    from knowledge.indexing import update_indexes
    from knowledge.search import embedding_cache_dir

    from ..pipeline import refresh

    try:
        from knowledge.store import Store
    except ImportError as exc:  # the store is written by another part of the project
        raise UserFacingError("the knowledge store is not available in this installation") from exc
    data_dir = cfg.data.dir
    if not (data_dir / "store.sqlite").exists():
        raise UserFacingError(
            f"no data ingested yet (no store in {data_dir})",
            fix="run `growthpilot ingest reviews|docs|behavior|catalog PATH` or `growthpilot demo` first",
        )
    store = Store.open(data_dir)
    try:
        with store.writing(wait_s=cfg.ingest.lock_wait_s, on_wait=lambda msg: print(msg, file=sys.stderr)):
            embedder = make_embedder(cfg.embeddings, cache_dir=embedding_cache_dir(data_dir))
            if store.pending_refresh():  # the full refresh (insights, then indexes); it clears the journal
                return refresh(store, data_dir, cfg.embeddings, cfg.index, cfg.search, embedder=embedder,
                               progress=progress, rebuild=True)["indexes"]
            mark = store.journal_mark()
            counts = update_indexes(store, embedder, cfg.index, data_dir, progress=progress,
                                    tokenizer=cfg.search.tokenizer, rebuild=True)
            store.clear_refresh_journal(mark)
            return counts
    finally:
        store.close()


def run(args, cfg) -> int:
    from knowledge.embeddings import embedder_name, make_embedder
    from knowledge.search import KnowledgeBase

    rebuilt = None
    if not args.rebuild:  # index what an earlier run stored but did not index (the refresh journal)
        __import__("growthpilot.pipeline").pipeline.finish_refresh_journal(cfg, progress=sys.stderr.isatty())
    if args.rebuild:
        rebuilt = _rebuild(cfg, progress=not args.json and sys.stderr.isatty())
        if not args.json:
            for name, c in rebuilt.items():
                print(f"rebuilt {name}: {c['total']} items ({c['embedded']} embedded, index {c['index_kind']}) "
                      f"in {c['seconds']:.1f}s", file=sys.stderr)
    if args.query is None:
        if rebuilt is None:
            raise UserFacingError("give a query, e.g. growthpilot search \"电池续航\"", fix="or --rebuild to rebuild the indexes")
        if args.json:
            emit_json({"ok": True, "rebuilt": rebuilt})
        return 0
    if args.k is not None and args.k <= 0:
        raise UserFacingError(f"--k must be a positive number, got {args.k}")
    k = args.k or cfg.search.k
    data_dir = cfg.data.dir
    # check for the index before loading the embedder (a few seconds)
    probe = KnowledgeBase.open(data_dir, _NoEmbedder(), cfg.index, cfg.search).retriever(args.collection)
    if not probe.available:
        raise UserFacingError(
            f"no {args.collection} search index yet in {data_dir / 'indexes' / args.collection}",
            fix="run `growthpilot ingest reviews|docs|behavior|catalog PATH` (indexes after ingesting) "
                "or `growthpilot demo` to try the bundled demo data",
        )
    _check_embedder(data_dir / "indexes" / args.collection, embedder_name(cfg.embeddings))
    kb = KnowledgeBase.open(data_dir, make_embedder(cfg.embeddings), cfg.index, cfg.search)
    hits = kb.retriever(args.collection).search(args.query, k, kinds=args.kind, filters=_filters(args))
    best = hits[0].metadata.get("best_similarity", 0.0) if hits else 0.0
    relevant = bool(hits) and best >= cfg.search.min_similarity
    if args.json:
        emit_json({
            "ok": True, "query": args.query, "collection": args.collection, "k": k, "filters": _filters(args),
            "relevant": relevant, "best_similarity": best,
            "hits": [{"id": h.id, "kind": h.kind, "score": h.score, "title": h.title, "text": h.text,
                      "source": _source(h), "metadata": h.metadata} for h in hits],
            **({"rebuilt": rebuilt} if rebuilt else {}),
        })
        return 0
    if not hits:
        print(f"no hits in {args.collection} for {args.query!r}" + (" with these filters" if _filters(args) or args.kind else ""))
        return 0
    rows = [
        (i, h.score, h.metadata.get("similarity", 0.0), h.kind, _source(h), _snippet(h))
        for i, h in enumerate(hits, start=1)
    ]
    print(table(rows, ["#", "score", "cosine", "kind", "source", "text"]))
    if not relevant:
        print(f"\nnote: nothing looks really relevant (best cosine {best:.2f} < [search] min_similarity "
              f"{cfg.search.min_similarity:.2f})")
    return 0


def _check_embedder(path, configured: str) -> None:
    """Fail fast (before loading a model) when the index was built by another embedder."""
    import json

    from knowledge.search import REBUILD_COMMAND

    try:
        built_by = json.loads((path / "manifest.json").read_text(encoding="utf-8")).get("embedder")
    except (OSError, ValueError):
        return  # the full load reports unreadable manifests
    if built_by != configured:
        raise UserFacingError(
            f"the index in {path} was built by embedder {built_by!r} but [embeddings] configures {configured!r}",
            fix=f"`{REBUILD_COMMAND}` (re-embeds everything with the configured embedder), or set [embeddings] back",
        )


def _source(hit) -> str:
    m = hit.metadata
    if hit.kind == "doc":
        return str(m.get("path") or hit.id)
    bits = [hit.id if len(hit.id) <= 28 else hit.id[:27] + "…"]
    if m.get("product"):
        bits.append(f"product={m['product']}")
    if hit.kind == "review" and m.get("sentiment"):
        bits.append(str(m["sentiment"]))
    if m.get("date"):
        bits.append(str(m["date"]))
    return " ".join(bits)


def _snippet(hit) -> str:
    text = " ".join((f"{hit.title}: {hit.text}" if hit.title else hit.text).split())
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1] + "…"


class _NoEmbedder:
    """Stands in for the embedder while only checking that an index exists."""

    name = ""
    dim = 0
    normalized = True

    def encode(self, texts, *, progress=False):  # pragma: no cover - never called
        raise AssertionError("not for encoding")
