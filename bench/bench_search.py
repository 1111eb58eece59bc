"""Search benchmarks: FAISS ANN vs exact, BM25 (ours vs bm25s), hybrid query end to end.

    .venv/bin/python bench/bench_search.py [--quick] [--parts ann,bm25,hybrid] [--sizes 100000,1000000]

ann     clustered, L2-normalised 512-d vectors (what sentence embeddings look like: topics, not
        uniform noise); per size: build time, single-query p50/p95 latency and recall@10 against
        exact search (IndexFlatIP, also timed: the ratio is against it), for HNSW and IVF settings.
bm25    our scipy-sparse BM25 vs bm25s on the same jieba/English tokens (build, query p50).
hybrid  growthpilot's Retriever end to end (USE query embedding + FAISS + BM25 + RRF fusion) over
        10^5 items: real review texts (../shared/data when present, generated otherwise) with
        clustered vectors standing in for their embeddings (embedding 10^5 texts takes ~10 min here),
        HNSW as configured by default vs exact.
Results print as a table and append to bench/out/search.jsonl (--out to change).
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np
from _machine import cpu_model  # noqa: E402  (bench/ is on sys.path when run as a script)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("GROWTHPILOT_SHARED_DATA") or ROOT.parent / "shared" / "data")
DIM = 512


def machine() -> dict:
    cpu = cpu_model()
    import scipy

    return {"cpu": cpu or platform.processor(), "cores": os.cpu_count(), "python": platform.python_version(),
            "faiss": faiss.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
            "faiss_threads": faiss.omp_get_max_threads()}


def clustered(n: int, seed: int, n_clusters: int | None = None, spread: float = 1.0, centers=None) -> tuple[np.ndarray, np.ndarray]:
    """n unit vectors around random topic centres (within-topic cosine ≈ 1/(1+spread²) ≈ 0.5)."""
    rng = np.random.default_rng(seed)
    if centers is None:
        n_clusters = n_clusters or max(100, n // 1000)
        centers = rng.standard_normal((n_clusters, DIM), dtype=np.float32)
        centers /= np.linalg.norm(centers, axis=1, keepdims=True)
    out = np.empty((n, DIM), dtype=np.float32)
    step = 100_000
    for a in range(0, n, step):
        b = min(n, a + step)
        assign = rng.integers(0, len(centers), b - a)
        x = rng.standard_normal((b - a, DIM), dtype=np.float32) * (spread / np.sqrt(DIM))
        x += centers[assign]
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        out[a:b] = x
    return out, centers


def percentiles(times_s: list[float]) -> tuple[float, float]:
    a = np.array(times_s) * 1000
    return float(np.percentile(a, 50)), float(np.percentile(a, 95))


QUERY_THREADS = [1]  # set from --query-threads (growthpilot's [index] query_threads default is 1)


def time_single_queries(index, queries: np.ndarray, k: int, params=None) -> tuple[np.ndarray, list[float]]:
    """One query at a time (what a chat message does), on QUERY_THREADS threads."""
    ids = np.empty((len(queries), k), dtype=np.int64)
    times = []
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(QUERY_THREADS[0])
    try:
        return _time_loop(index, queries, k, params, ids, times)
    finally:
        faiss.omp_set_num_threads(before)


def _time_loop(index, queries, k, params, ids, times):
    for i in range(len(queries)):
        t = time.perf_counter()
        _, I = index.search(queries[i : i + 1], k, params=params) if params is not None else index.search(queries[i : i + 1], k)
        times.append(time.perf_counter() - t)
        ids[i] = I[0]
    return ids, times


def recall_at(found: np.ndarray, truth: np.ndarray, k: int = 10) -> float:
    return float(np.mean([len(set(f[:k]) & set(t[:k])) / k for f, t in zip(found, truth)]))


def emit(rows: list[dict], row: dict) -> None:
    rows.append(row)
    keys = ("part", "n", "index", "setting", "search", "build_s", "p50_ms", "p95_ms", "recall@10", "vs_exact_p50")
    print("  ".join(f"{k}={row[k]}" for k in keys if k in row), flush=True)


# ---- ANN ---------------------------------------------------------------------

def bench_ann(n: int, rows: list[dict], *, n_queries: int, hnsw_settings, ivf_settings) -> None:
    print(f"\n== ANN at n={n:,} ({n * DIM * 4 / 2**30:.2f} GiB of vectors) ==", flush=True)
    xb, centers = clustered(n, seed=1)
    xq, _ = clustered(n_queries, seed=2, centers=centers)
    t = time.perf_counter()
    flat = faiss.IndexFlatIP(DIM)
    flat.add(xb)
    build = time.perf_counter() - t
    _, truth = flat.search(xq, 10)  # batched ground truth
    lat_q = xq[: min(50, n_queries)]
    _, ft = time_single_queries(flat, lat_q, 10)
    exact_p50, exact_p95 = percentiles(ft)
    emit(rows, {"part": "ann", "n": n, "index": "flat", "setting": "IndexFlatIP (exact)", "build_s": round(build, 2),
                "p50_ms": round(exact_p50, 3), "p95_ms": round(exact_p95, 3), "recall@10": 1.0, "vs_exact_p50": 1.0})
    del flat
    gc.collect()

    for m, efc in hnsw_settings:
        t = time.perf_counter()
        h = faiss.IndexHNSWFlat(DIM, m, faiss.METRIC_INNER_PRODUCT)
        h.hnsw.efConstruction = efc
        h.add(xb)
        build = time.perf_counter() - t
        for ef in (32, 64, 128, 256):
            params = faiss.SearchParametersHNSW(efSearch=ef)
            found, times = time_single_queries(h, xq, 10, params)
            p50, p95 = percentiles(times)
            emit(rows, {"part": "ann", "n": n, "index": "hnsw", "setting": f"M={m} efConstruction={efc} efSearch={ef}",
                        "build_s": round(build, 1), "p50_ms": round(p50, 3), "p95_ms": round(p95, 3),
                        "recall@10": round(recall_at(found, truth), 4), "vs_exact_p50": round(exact_p50 / p50, 1)})
        del h
        gc.collect()

    for nlist in ivf_settings:
        t = time.perf_counter()
        ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(DIM), DIM, nlist, faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(0)
        sample = xb if n <= nlist * 40 else xb[rng.choice(n, nlist * 40, replace=False)]
        ivf.train(sample)
        ivf.add(xb)
        build = time.perf_counter() - t
        for nprobe in (8, 16, 32, 64, 128):
            if nprobe > nlist:
                continue
            params = faiss.SearchParametersIVF(nprobe=nprobe)
            found, times = time_single_queries(ivf, xq, 10, params)
            p50, p95 = percentiles(times)
            emit(rows, {"part": "ann", "n": n, "index": "ivf", "setting": f"nlist={nlist} nprobe={nprobe}",
                        "build_s": round(build, 1), "p50_ms": round(p50, 3), "p95_ms": round(p95, 3),
                        "recall@10": round(recall_at(found, truth), 4), "vs_exact_p50": round(exact_p50 / p50, 1)})
        del ivf
        gc.collect()


# ---- texts -----------------------------------------------------------------------

def corpus_texts(n: int, seed: int = 0) -> tuple[list[str], str]:
    """n review-like texts: the shared review data when present (repeated with small variations), else generated."""
    base: list[str] = []
    zh = DATA / "reviews_zh_online_shopping.csv"
    en = DATA / "reviews_en_alexa.tsv"
    if zh.exists():
        with open(zh, encoding="utf-8") as f:
            base += [r["review"] for r in csv.DictReader(f) if r.get("review")]
    if en.exists():
        with open(en, encoding="utf-8") as f:
            base += [r["verified_reviews"] for r in csv.DictReader(f, delimiter="\t") if r.get("verified_reviews")]
    source = "shared data (reviews_zh_online_shopping.csv + reviews_en_alexa.tsv)"
    if not base:
        source = "generated"
        rnd = random.Random(seed)
        zh_parts = ["电池续航", "屏幕", "物流", "包装", "客服", "质量", "价格", "尺码", "颜色", "味道"]
        zh_views = ["很好", "太差了", "一般", "超出预期", "不太满意", "非常满意"]
        en_parts = ["battery", "screen", "delivery", "packaging", "support", "quality", "price", "size", "colour"]
        en_views = ["is great", "is terrible", "is okay", "exceeded expectations", "was disappointing"]
        for i in range(5000):
            if i % 3:
                base.append(f"{rnd.choice(zh_parts)}{rnd.choice(zh_views)}，{rnd.choice(zh_parts)}{rnd.choice(zh_views)}")
            else:
                base.append(f"The {rnd.choice(en_parts)} {rnd.choice(en_views)} and the {rnd.choice(en_parts)} {rnd.choice(en_views)}.")
    out = []
    for i in range(n):
        t = base[i % len(base)]
        out.append(t if i < len(base) else f"{t} #{i // len(base)}")
    return out, source


HYBRID_QUERIES = [
    "电池续航太短", "屏幕太暗", "物流很慢", "手机的差评", "酒店的好评", "热水器加热慢", "衣服尺码偏小", "牛奶口感",
    "平板电脑卡顿", "洗发水味道", "battery life is too short", "the speaker sound is great", "alexa does not understand me",
    "complaints about the echo dot", "delivery was late", "great value for money", "setup was difficult",
    "水果不新鲜", "书的印刷质量", "电脑发热严重",
]


_TOKENS: dict[int, tuple[list[list[str]], float]] = {}


def corpus_tokens(texts: list[str], tokenizer: str) -> tuple[list[list[str]], float]:
    """BM25 tokens of `texts` (computed once per run) and the seconds it took."""
    from knowledge.bm25 import bm25_tokens

    key = len(texts)
    if key not in _TOKENS:
        t = time.perf_counter()
        _TOKENS[key] = ([bm25_tokens(x, tokenizer) for x in texts], time.perf_counter() - t)
    return _TOKENS[key]


def bench_bm25(n: int, rows: list[dict], tokenizer: str = "jieba") -> None:
    from knowledge.bm25 import BM25Index, bm25_tokens

    print(f"\n== BM25 at n={n:,} ==", flush=True)
    texts, source = corpus_texts(n)
    toks, tok_s = corpus_tokens(texts, tokenizer)
    t = time.perf_counter()
    ours = BM25Index.build(toks)
    ours_build = time.perf_counter() - t
    qtoks = [bm25_tokens(q, tokenizer) for q in HYBRID_QUERIES]
    times = []
    for _ in range(3):
        for q in qtoks:
            t = time.perf_counter()
            ours.top_k(q, 50)
            times.append(time.perf_counter() - t)
    ours_p50, ours_p95 = percentiles(times)
    row = {"part": "bm25", "n": n, "index": "ours (scipy.sparse)", "setting": f"texts: {source}; tokenizer {tokenizer}",
           "tokenize_s": round(tok_s, 1), "build_s": round(ours_build, 2), "p50_ms": round(ours_p50, 3),
           "p95_ms": round(ours_p95, 3)}
    try:
        import bm25s
    except ImportError:
        emit(rows, row)
        return
    t = time.perf_counter()
    other = bm25s.BM25(k1=1.2, b=0.75)
    other.index(toks, show_progress=False)
    other_build = time.perf_counter() - t
    times = []
    for _ in range(3):
        for q in qtoks:
            q = [w for w in q if w in other.vocab_dict] or ["<no-term>"]
            t = time.perf_counter()
            try:
                other.retrieve([q], k=50, show_progress=False)
            except Exception:  # noqa: BLE001 - bm25s refuses queries with no known token
                pass
            times.append(time.perf_counter() - t)
    p50, p95 = percentiles(times)
    row["vs_bm25s_p50"] = round(p50 / ours_p50, 2)
    emit(rows, row)
    emit(rows, {"part": "bm25", "n": n, "index": f"bm25s {bm25s.__version__}", "setting": "same tokens",
                "build_s": round(other_build, 2), "p50_ms": round(p50, 3), "p95_ms": round(p95, 3)})


def bench_hybrid(n: int, rows: list[dict], tokenizer: str = "jieba") -> None:
    from knowledge.bm25 import BM25Index, bm25_tokens
    from knowledge.embeddings import USEEmbedder
    from knowledge.search import Collection, KnowledgeBase, StoredItem
    from knowledge.settings import IndexSettings, SearchSettings
    from knowledge.vector_index import VectorIndex

    print(f"\n== hybrid end to end at n={n:,} ==", flush=True)
    texts, source = corpus_texts(n)
    emb = USEEmbedder()
    t = time.perf_counter()
    emb.encode(["warm up"])
    load_s = time.perf_counter() - t
    # real embeddings for the queries; the corpus vectors are clustered stand-ins around the
    # real embeddings of a sample of the texts, so queries land among plausible neighbours
    seed_vecs = emb.encode(texts[:2000])
    vecs, _ = clustered(n, seed=3, centers=seed_vecs, spread=0.8)
    toks, _ = corpus_tokens(texts, tokenizer)
    bm25 = BM25Index.build(toks)
    from knowledge.text import detect_lang

    # each review has its language and a sentiment (1 in 4 negative, at random): the cross-language
    # pools and the polarity filter are exercised as on real reviews
    rnd = random.Random(7)
    items = [StoredItem(f"review:{i}", i + 1, "review", "", x,
                        {"product": str(i % 500), "lang": detect_lang(x), "sentiment": "neg" if rnd.random() < 0.25 else "pos"}, "")
             for i, x in enumerate(texts)]
    searches = (("search defaults", SearchSettings(tokenizer=tokenizer)),
                ("before cross-language (one pool, re-rank)",
                 SearchSettings(tokenizer=tokenizer, cross_language=False, topic_only=False, polarity_filter=False)))
    for (label, settings), (slabel, search) in ((a, b) for a in (
            ("default (HNSW above exact_below)", IndexSettings(use_gpu="never")),
            ("exact IndexFlatIP", IndexSettings(exact_below=10**9, use_gpu="never"))) for b in searches):
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            vi = VectorIndex.build(DIM, settings, np.arange(1, n + 1, dtype=np.int64), vecs)
            build_s = time.perf_counter() - t
            coll = Collection("internal", emb.name, DIM, True, settings, items, vi, bm25, n + 1)
            t = time.perf_counter()
            coll.save(Path(tmp) / "indexes" / "internal")
            save_s = time.perf_counter() - t
            kb = KnowledgeBase.open(Path(tmp), emb, settings, search)
            r = kb.retriever("internal")
            t = time.perf_counter()
            r.search("warm up")
            load_index_s = time.perf_counter() - t
            times, stage = [], {"embed": [], "faiss": [], "bm25": []}
            for _ in range(3):
                for q in HYBRID_QUERIES:
                    t = time.perf_counter()
                    r.search(q, 8)
                    times.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    qv = emb.encode([q])
                    stage["embed"].append(time.perf_counter() - t)
                    t = time.perf_counter()
                    vi.search(qv, search.candidates)
                    stage["faiss"].append(time.perf_counter() - t)
                    t = time.perf_counter()
                    bm25.top_k(bm25_tokens(q, tokenizer), search.candidates)
                    stage["bm25"].append(time.perf_counter() - t)
            p50, p95 = percentiles(times)
            emit(rows, {"part": "hybrid", "n": n, "index": vi.kind, "setting": label, "search": slabel, "texts": source,
                        "build_s": round(build_s, 1), "save_s": round(save_s, 2), "load_s": round(load_index_s, 2),
                        "p50_ms": round(p50, 2), "p95_ms": round(p95, 2),
                        **{f"{k}_p50_ms": round(percentiles(v)[0], 2) for k, v in stage.items()},
                        "use_load_s": round(load_s, 2)})
            del kb, r, coll, vi
            gc.collect()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes (10^4 ANN, 10^4 hybrid): a smoke run")
    ap.add_argument("--parts", default="ann,bm25,hybrid", help="comma list of ann, bm25, hybrid")
    ap.add_argument("--sizes", default=None, help="ANN sizes, comma list (default 100000,1000000)")
    ap.add_argument("--queries", type=int, default=200, help="ANN queries (recall is averaged over them)")
    ap.add_argument("--hnsw", default="32:200", help="HNSW build settings M:efConstruction, comma list")
    ap.add_argument("--ivf", default="1024,4096", help="IVF nlist values, comma list")
    ap.add_argument("--tokenizer", choices=["jieba", "rjieba"], default="jieba", help="BM25 tokenizer (bm25, hybrid)")
    ap.add_argument("--query-threads", type=int, default=1, help="FAISS threads per single query (default 1)")
    ap.add_argument("--out", default=str(ROOT / "bench" / "out" / "search.jsonl"))
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else ([10_000] if args.quick else [100_000, 1_000_000])
    hybrid_n = 10_000 if args.quick else 100_000
    QUERY_THREADS[0] = args.query_threads
    info = {**machine(), "query_threads": args.query_threads}
    print("machine:", json.dumps(info), flush=True)
    rows: list[dict] = []
    if "ann" in parts:
        hnsw = [tuple(int(v) for v in s.split(":")) for s in args.hnsw.split(",") if s]  # "" = no HNSW
        for n in sizes:
            ivf = [nl for nl in (int(v) for v in args.ivf.split(",")) if nl * 39 <= n]
            bench_ann(n, rows, n_queries=args.queries, hnsw_settings=hnsw, ivf_settings=ivf)
    if "bm25" in parts:
        bench_bm25(hybrid_n, rows, args.tokenizer)
    if "hybrid" in parts:
        bench_hybrid(hybrid_n, rows, args.tokenizer)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "a", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps({**row, "machine": info, "date": time.strftime("%Y-%m-%d"), "argv": sys.argv[1:]},
                               ensure_ascii=False) + "\n")
    print(f"\nwrote {len(rows)} rows to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
