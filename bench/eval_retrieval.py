"""Retrieval precision@10 on the shared review data, scored against its labels.

    .venv/bin/python bench/eval_retrieval.py [--quick] [--per-category 300]

Indexes a sample of ../shared/data/reviews_zh_online_shopping.csv (N reviews per category) and
all of reviews_en_alexa.tsv with growthpilot's default embedder (USE v3) + BM25, then asks:

  "<category> 的差评"            relevant = a review of that category labelled negative
  "complaints about <variation>"  relevant = an Alexa review of that variation with feedback 0
  "<category> 的好评" / "what people love about <variation>"  (positive, the mirror)

and reports precision@10 for hybrid (RRF), dense only and BM25 only — the ratio is hybrid over the
alternatives. The labels say nothing about topic beyond category/variation, so a hit counts only
when both the category and the polarity match. Skips (exit 0) when the data is absent.
Embeddings are cached in bench/out/cache, so a re-run embeds nothing.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DATA = ROOT.parent / "shared" / "data"
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def load_documents(per_category: int, seed: int = 0):
    from knowledge.types import Document

    zh_path, en_path = DATA / "reviews_zh_online_shopping.csv", DATA / "reviews_en_alexa.tsv"
    rng = np.random.default_rng(seed)
    by_cat: dict[str, list[dict]] = defaultdict(list)
    with open(zh_path, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r.get("review"):
                by_cat[r["cat"]].append(r)
    docs = []
    for cat, rows in sorted(by_cat.items()):
        for i in rng.choice(len(rows), min(per_category, len(rows)), replace=False):
            r = rows[i]
            docs.append(Document(f"review:zh:{cat}:{i}", "review", r["review"],
                                 metadata={"category": cat, "sentiment": "pos" if r["label"] == "1" else "neg", "lang": "zh"}))
    with open(en_path, encoding="utf-8") as f:
        for i, r in enumerate(csv.DictReader(f, delimiter="\t")):
            text = (r.get("verified_reviews") or "").strip()
            if text:
                docs.append(Document(f"review:en:{i}", "review", text,
                                     metadata={"category": r["variation"].strip(),
                                               "sentiment": "pos" if r["feedback"] == "1" else "neg", "lang": "en"}))
    return docs, sorted(by_cat)


def precision_at_10(hits, category: str, sentiment: str, order_key=None) -> float:
    if order_key is not None:
        hits = sorted((h for h in hits if h.metadata.get(order_key) is not None), key=lambda h: h.metadata[order_key])
    top = hits[:10]
    if not top:
        return 0.0
    return sum(h.metadata["category"] == category and h.metadata["sentiment"] == sentiment for h in top) / 10


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="60 reviews per category")
    ap.add_argument("--per-category", type=int, default=None, help="Chinese reviews sampled per category (default 300)")
    args = ap.parse_args()
    if not (DATA / "reviews_zh_online_shopping.csv").exists() or not (DATA / "reviews_en_alexa.tsv").exists():
        print(f"skipped: the shared review data is not in {DATA}")
        return 0
    from bench_search import machine

    from knowledge.embeddings import CachedEmbedder, USEEmbedder
    from knowledge.indexing import update_collection
    from knowledge.search import KnowledgeBase, collection_path
    from knowledge.settings import IndexSettings, SearchSettings

    per_cat = args.per_category or (60 if args.quick else 300)
    docs, zh_cats = load_documents(per_cat)
    variations = defaultdict(lambda: [0, 0])
    for d in docs:
        if d.metadata["lang"] == "en":
            variations[d.metadata["category"]][d.metadata["sentiment"] == "neg"] += 1
    en_vars = sorted(v for v, (pos, neg) in variations.items() if neg >= 10)  # enough complaints to fill a top 10
    print("machine:", json.dumps(machine()))
    print(f"indexed: {len(docs)} reviews ({per_cat}/category zh + all Alexa en); variations with ≥10 complaints: {len(en_vars)}")
    cache = CachedEmbedder(USEEmbedder(), ROOT / "bench" / "out" / "cache")
    index, search = IndexSettings(use_gpu="never"), SearchSettings(candidates=100)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        counts = update_collection(collection_path(Path(tmp), "internal"), "internal", docs, cache, index, progress=True)
        print(f"index built in {time.perf_counter() - t:.1f}s ({counts['embedded']} texts embedded)")
        r = KnowledgeBase.open(Path(tmp), cache, index, search).retriever("internal")
        queries = ([(f"{c} 的差评", c, "neg") for c in zh_cats] + [(f"{c} 的好评", c, "pos") for c in zh_cats]
                   + [(f"complaints about {v}", v, "neg") for v in en_vars]
                   + [(f"what people love about {v}", v, "pos") for v in en_vars])
        table = defaultdict(lambda: defaultdict(list))
        for q, cat, sent in queries:
            hits = r.search(q, k=200)
            group = ("zh " if any("\u4e00" <= ch <= "\u9fff" for ch in q) else "en ") + ("negative" if sent == "neg" else "positive")
            table[group]["hybrid"].append(precision_at_10(hits, cat, sent))
            table[group]["dense only"].append(precision_at_10(hits, cat, sent, "dense_rank"))
            table[group]["bm25 only"].append(precision_at_10(hits, cat, sent, "bm25_rank"))
            table[group]["hybrid + category filter"].append(
                precision_at_10(r.search(q, k=10, filters={"category": cat}), cat, sent))
    print()
    for group, methods in table.items():
        line = {m: round(float(np.mean(v)), 3) for m, v in methods.items()}
        print(json.dumps({"queries": group, "n": len(methods["hybrid"]), "precision@10": line}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
