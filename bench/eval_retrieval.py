"""Retrieval on the shared review data, scored against its labels: the written query set (default)
and the older category precision@10 (--category-p10).

    .venv/bin/python bench/eval_retrieval.py [--quick] [--per-category N] [--heldout] [--data DIR] [--category-p10]

Query set (bench/data/retrieval_queries.jsonl, 48 queries written by hand before looking at results:
zh→zh, en→en, zh→en, en→zh, each with a polarity; --heldout scores the 16 of
retrieval_queries_heldout.jsonl instead, kept aside for one final run): the index holds N zh reviews
per category (default 200) of reviews_zh_online_shopping.csv, all of reviews_en_alexa.tsv (domain
"alexa") and all of reviews_en_yelp_labelled.txt (domain "restaurant"). A hit is relevant when its
domain is one of the query's and its labelled polarity is the query's: precision@5 per query kind
(and the median search time per query), for
  before        one candidate pool: dense over all languages, BM25 in the query's language, dense
                floor 0.2, polarity re-rank, the query searched as typed (the previous default)
  + topic only  the request words ("差评", "complaints about") not searched, only the topic
  + per-language pools   each language's reviews searched in their own language (the query
                translated by knowledge/bilingual.py), pools weighed by their mean cosine
  + coverage    + the IDF coverage of the query's words in each pool's strength
  after         + candidates drawn from the wanted polarity's reviews, not re-ranked afterwards,
                each language weighed by its filtered candidates (the defaults), with sweeps of
                [search] language_tau and coverage_weight
  option        language_by = "all": the languages weighed by all their candidates, then the
                wanted polarity's drawn (added after the held-out run: it has no held-out figure)
  ..., model sentiment   the labels hidden from the index: the review sentiment used by the
                polarity re-rank comes from the sentiment model at index time (as for a user's
                unlabelled reviews); relevance is still judged by the labels.

Category precision@10 (--category-p10):

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
# ../shared/data beside the checkout; GROWTHPILOT_SHARED_DATA (or --data) names another place (a git worktree)
DATA = Path(os.environ.get("GROWTHPILOT_SHARED_DATA") or ROOT.parent / "shared" / "data")
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
            docs.append(Document(f"review:zh:{cat}:{i}", "review", r["review"].strip(),
                                 metadata={"category": cat, "sentiment": "pos" if r["label"] == "1" else "neg", "lang": "zh"}))
    with open(en_path, encoding="utf-8") as f:
        for i, r in enumerate(csv.DictReader(f, delimiter="\t")):
            text = (r.get("verified_reviews") or "").strip()
            if text:
                docs.append(Document(f"review:en:{i}", "review", text,
                                     metadata={"category": r["variation"].strip(),
                                               "sentiment": "pos" if r["feedback"] == "1" else "neg", "lang": "en"}))
    return docs, sorted(by_cat)


def load_yelp(start: int):
    from knowledge.types import Document

    docs = []
    with open(DATA / "reviews_en_yelp_labelled.txt", encoding="utf-8") as f:
        for i, line in enumerate(f):
            text, _, label = line.rstrip("\n").rpartition("\t")
            if text.strip() and label.strip() in ("0", "1"):
                docs.append(Document(f"review:yelp:{i}", "review", text.strip(),
                                     metadata={"category": "restaurant", "domain": "restaurant",
                                               "sentiment": "pos" if label.strip() == "1" else "neg", "lang": "en"}))
    return docs


AFTER = "after: + polarity filter (the defaults)"


def query_set_eval(docs, per_cat: int, heldout: bool = False, qpath: Path | None = None) -> None:
    from dataclasses import replace

    from knowledge.embeddings import CachedEmbedder, USEEmbedder
    from knowledge.indexing import update_collection
    from knowledge.search import KnowledgeBase, collection_path
    from knowledge.settings import IndexSettings, SearchSettings
    from knowledge.types import Document

    qfile = qpath or ROOT / "bench" / "data" / ("retrieval_queries_heldout.jsonl" if heldout else "retrieval_queries.jsonl")
    queries = [json.loads(line) for line in qfile.read_text(encoding="utf-8").splitlines() if line]
    print(f"queries: {qfile.name} ({len(queries)})")
    for d in docs:
        d.metadata.setdefault("domain", d.metadata["category"] if d.metadata["lang"] == "zh" else "alexa")
        d.metadata["true_sentiment"] = d.metadata["sentiment"]
    hidden = [Document(d.id, d.kind, d.text, d.title, {k: v for k, v in d.metadata.items() if k != "sentiment"}) for d in docs]
    cache = CachedEmbedder(USEEmbedder(), ROOT / "bench" / "out" / "cache")
    index = IndexSettings(use_gpu="never")
    base = SearchSettings(candidates=50)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        update_collection(collection_path(Path(tmp) / "a", "internal"), "internal", docs, cache, index, progress=False)
        c = update_collection(collection_path(Path(tmp) / "b", "internal"), "internal", hidden, cache, index, progress=False)
        print(f"indexed {len(docs)} reviews twice ({per_cat}/category zh + Alexa + Yelp) in {time.perf_counter() - t:.1f} s; "
              f"model sentiment on {c['sentiment_scored']} hidden-label reviews", flush=True)
        scored = 0
        kb_b = KnowledgeBase.open(Path(tmp) / "b", cache, index, base).retriever("internal")
        coll = kb_b._handle.get()
        agree = [it.metadata.get("sentiment") == it.metadata["true_sentiment"] for it in coll.items]
        scored = float(np.mean(agree))
        print(f"index-time model sentiment agrees with the labels on {scored:.3f} of the indexed reviews")

        def run(folder: str, settings, polarity):
            r = KnowledgeBase.open(Path(tmp) / folder, cache, index, settings).retriever("internal")
            r.search("warm up", k=5)
            per_kind = defaultdict(list)
            detail = []
            times = []
            for q in queries:
                t0 = time.perf_counter()
                hits = r.search(q["query"], k=5, polarity=polarity)
                times.append(time.perf_counter() - t0)
                rel = [h.metadata["domain"] in q["domains"] and h.metadata["true_sentiment"] == q["polarity"] for h in hits]
                p = sum(rel) / 5
                per_kind[q["kind"]].append(p)
                per_kind["all"].append(p)
                detail.append((q["query"], p, hits[0].text[:60] if hits else ""))
            res = {k: round(float(np.mean(v)), 3) for k, v in per_kind.items()}
            return res, detail, round(1000 * float(np.median(times)), 1)

        # today's default before this change: one candidate pool (dense over every language, BM25 in
        # the query's language), dense floor 0.2, polarity re-rank, the query searched as typed
        before = replace(base, topic_only=False, cross_language=False, polarity_filter=False)
        configs = [
            ("before", "a", before, "auto"),
            ("+ topic only", "a", replace(before, topic_only=True), "auto"),
            ("+ per-language pools (translated query), no coverage", "a",
             replace(base, coverage_weight=0.0, polarity_filter=False), "auto"),
            ("+ coverage 0.2 in the pool strength", "a", replace(base, polarity_filter=False), "auto"),
            (AFTER, "a", base, "auto"),
            ("option: languages weighed by all candidates (language_by all)", "a", replace(base, language_by="all"), "auto"),
            ("option: language_by all, coverage 0.4", "a", replace(base, language_by="all", coverage_weight=0.4), "auto"),
            ("option: no polarity filter (re-rank), coverage 0.4", "a",
             replace(base, polarity_filter=False, coverage_weight=0.4), "auto"),
            ("option: polarity filter, coverage 0.4", "a", replace(base, coverage_weight=0.4), "auto"),
        ]
        if not heldout:
            configs += [
                ("oldest: fusion over everything, no floor, no polarity", "a",
                 replace(before, dense_floor=0.0, bm25_same_language=False, polarity=False), None),
                ("after, tau 0.02", "a", replace(base, language_tau=0.02), "auto"),
                ("after, tau 0.1", "a", replace(base, language_tau=0.1), "auto"),
                ("after, coverage 0.1", "a", replace(base, coverage_weight=0.1), "auto"),
                ("after, coverage 0.4", "a", replace(base, coverage_weight=0.4), "auto"),
                ("after, per-language pools without topic only", "a", replace(base, topic_only=False), "auto"),
                ("before + polarity filter only", "a", replace(before, polarity_filter=True), "auto"),
            ]
        configs += [
            ("before, model sentiment", "b", before, "auto"),
            ("after, model sentiment", "b", base, "auto"),
            ("option: language_by all, model sentiment", "b", replace(base, language_by="all"), "auto"),
            ("option: language_by all, coverage 0.4, model sentiment", "b",
             replace(base, language_by="all", coverage_weight=0.4), "auto"),
            ("option: no polarity filter, coverage 0.4, model sentiment", "b",
             replace(base, polarity_filter=False, coverage_weight=0.4), "auto"),
            ("option: polarity filter, coverage 0.4, model sentiment", "b", replace(base, coverage_weight=0.4), "auto"),
        ]
        details = {}
        for name, folder, settings, pol in configs:
            res, detail, ms = run(folder, settings, pol)
            details[name] = detail
            print(json.dumps({"config": name, "precision@5": res, "median_ms_per_query": ms}, ensure_ascii=False), flush=True)
        print("\nper query (before → + coverage → after, labels; → after, model sentiment):")
        cov = "+ coverage 0.2 in the pool strength"
        for (q, p0, _), (_, pc, _), (_, p1, top), (_, p2, _) in zip(details["before"], details[cov], details[AFTER],
                                                                  details["after, model sentiment"]):
            print(f"  {p0:.1f} → {pc:.1f} → {p1:.1f} → {p2:.1f}  {q}  | top: {top!r}")


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
    ap.add_argument("--per-category", type=int, default=None,
                    help="Chinese reviews sampled per category (default 200; 300 with --category-p10)")
    ap.add_argument("--category-p10", action="store_true", help="the older category precision@10 instead of the query set")
    ap.add_argument("--heldout", action="store_true",
                    help="score bench/data/retrieval_queries_heldout.jsonl instead (kept aside: run once, at the end)")
    ap.add_argument("--queries", type=Path, default=None,
                    help="score this query file instead (e.g. bench/data/retrieval_queries_heldout2.jsonl: "
                         "kept aside, run once at the end; implies the short held-out ladder)")
    ap.add_argument("--data", type=Path, default=None, help="the shared review data folder (default ../shared/data)")
    args = ap.parse_args()
    if args.data is not None:
        global DATA
        DATA = args.data
    if not (DATA / "reviews_zh_online_shopping.csv").exists() or not (DATA / "reviews_en_alexa.tsv").exists():
        print(f"skipped: the shared review data is not in {DATA}")
        return 0
    from bench_search import machine

    from knowledge.embeddings import CachedEmbedder, USEEmbedder
    from knowledge.indexing import update_collection
    from knowledge.search import KnowledgeBase, collection_path
    from knowledge.settings import IndexSettings, SearchSettings

    if not args.category_p10:
        per_cat = args.per_category or (60 if args.quick else 200)
        docs, _ = load_documents(per_cat)
        docs += load_yelp(len(docs))
        print("machine:", json.dumps(machine()), "load", os.getloadavg()[0])
        query_set_eval(docs, per_cat, heldout=args.heldout or args.queries is not None, qpath=args.queries)
        return 0
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
