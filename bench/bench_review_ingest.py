"""Review ingest end to end — read, redact, store, sentiment, insights, embed, index — this code vs another checkout.

    .venv/bin/python bench/bench_review_ingest.py [--n 2000] [--baseline-commit f849c73 | --baseline DIR] [--no-baseline]

Writes N unlabelled reviews (no label, no rating: every one needs the sentiment model) sampled from
../shared/data (3/4 Chinese online-shopping reviews, 1/4 English Alexa and Yelp, 20 products) into a
temporary CSV, then runs, each in its own process with an empty data dir and an empty embedding
cache, `knowledge.ingest.ingest_reviews` + `growthpilot.pipeline.refresh` (what `growthpilot ingest
reviews FILE` does) with default settings:
  this     the code of this checkout
  baseline the code of --baseline-commit (default f849c73: main before issue 11's changes, extracted
           with `git archive` into a temporary folder) or of the checkout --baseline DIR
and prints reviews/s end to end, the phases (read+store, insights, index) and the ratio; and, in the
same process, the USE embedder alone on the same texts (the floor no pipeline can beat on this CPU:
end to end / embedding-only says how much the rest costs, whatever the machine's load). Also checks
that both runs accepted the same rows and built indexes of the same size. Skips (exit 0) without the data.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("GROWTHPILOT_SHARED_DATA") or ROOT.parent / "shared" / "data")


def write_csv(path: Path, n: int, seed: int = 3) -> None:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    z = pd.read_csv(DATA / "reviews_zh_online_shopping.csv")["review"].dropna().astype(str)
    a = pd.read_csv(DATA / "reviews_en_alexa.tsv", sep="\t")["verified_reviews"].dropna().astype(str)
    y = pd.read_csv(DATA / "reviews_en_yelp_labelled.txt", sep="\t", header=None, quoting=3)[0].dropna().astype(str)
    en = pd.concat([a, y])
    n_zh = (3 * n) // 4
    texts = list(z.sample(n_zh, random_state=seed)) + list(en.sample(n - n_zh, random_state=seed, replace=n - n_zh > len(en)))
    texts = [t.strip() for t in texts]
    rng.shuffle(texts)
    df = pd.DataFrame({"review": texts, "product": [f"P{rng.integers(1, 21):02d}" for _ in texts],
                       "date": pd.Timestamp("2026-11-01") + pd.to_timedelta(rng.integers(0, 28, len(texts)), unit="D")})
    df.to_csv(path, index=False)


def child(csv: Path, out: Path) -> None:
    """Runs inside the process whose sys.path starts with the checkout under test."""
    from knowledge.ingest import ingest_reviews
    from knowledge.privacy import Privacy
    from knowledge.settings import EmbeddingSettings, IndexSettings, IngestSettings, PrivacySettings, SearchSettings
    from knowledge.store import Store
    from growthpilot.pipeline import refresh

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        try:
            privacy = Privacy.from_settings(PrivacySettings(), data_dir=data_dir)
        except TypeError:
            privacy = Privacy.from_settings(PrivacySettings())
        store = Store.open(data_dir)
        t0 = time.perf_counter()
        report = ingest_reviews(csv, store, privacy, IngestSettings(), progress=False)
        t1 = time.perf_counter()
        res = refresh(store, data_dir, EmbeddingSettings(), IndexSettings(use_gpu="never"), SearchSettings(),
                      progress=False)
        t2 = time.perf_counter()
        texts = store.reviews_frame()["text"].astype(str).tolist()
        store.close()
        from knowledge.embeddings import USEEmbedder

        emb = USEEmbedder()
        emb.encode(["warm up"])
        t3 = time.perf_counter()
        emb.encode(texts)
        embed_only = time.perf_counter() - t3
        out.write_text(json.dumps({
            "embed_only_s": embed_only,
            "accepted": report.accepted, "read": report.read, "insights": res["insights"],
            "internal_index": res["indexes"]["internal"]["total"],
            "seconds": {"read_store": t1 - t0, "insights": res["seconds"]["insights"], "index": res["seconds"]["indexes"],
                        "total": t2 - t0},
        }))


def parts(n: int, repeat: int = 3) -> None:
    """The per-review steps of the review path, timed one by one on the same N texts in this process
    (best of `repeat`), as a share of the USE embedding of the same texts: where the non-embedding time goes."""
    import numpy as np

    from knowledge.bm25 import bm25_tokens
    from knowledge.embeddings import USEEmbedder
    from knowledge.insights.reviews import review_aspects
    from knowledge.sentiment import LexiconSentimentAnalyzer, SentimentAnalyzer
    from knowledge.text import detect_lang

    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "reviews.csv"
        write_csv(csv, n)
        import pandas as pd

        texts = [t for t in pd.read_csv(csv)["review"].fillna("").astype(str).tolist() if t.strip()]
    emb = USEEmbedder()
    lex = LexiconSentimentAnalyzer()
    an = SentimentAnalyzer(embedder=emb)
    model = an._linear
    langs = [detect_lang(t) for t in texts]
    an.analyze(texts[:8])  # warm: segmenter, VADER, vocabularies
    bm25_tokens("预热 warm", "rjieba")
    vec = emb.encode(texts)
    by_lang = {lg: [t for t, x in zip(texts, langs) if x == lg] for lg in ("zh", "en")}
    steps = {
        "USE embedding (batch, sorted by length)": lambda: emb.encode(texts),
        "detect_lang": lambda: [detect_lang(t) for t in texts],
        "lexicon score (zh segmentation + rules, VADER)": lambda: lex.analyze(texts),
        "n-gram log-odds": lambda: [model.models[lg].ngram_logits(ts) for lg, ts in by_lang.items() if ts],
        "linear analyzer given the vectors (lexicon + n-grams + gate)": lambda: an.analyze(texts, vectors=vec),
        "BM25 tokens": lambda: [bm25_tokens(t, "rjieba") for t in texts],
        "aspects": lambda: review_aspects(texts, langs),
    }
    base = None
    print(f"{len(texts)} texts, load {os.getloadavg()[0]:.2f}; best of {repeat}")
    for name, fn in steps.items():
        best = min(_timed(fn) for _ in range(repeat))
        base = base or best
        print(f"  {name:<62} {best:7.3f} s  {1000 * best / len(texts):6.3f} ms/text  {best / base:5.2f} of embedding", flush=True)
    print(f"load after: {os.getloadavg()[0]:.2f}")
    del np


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="reviews to ingest (default 2000)")
    ap.add_argument("--baseline", type=Path, default=None, help="a checkout to compare against (instead of --baseline-commit)")
    ap.add_argument("--baseline-commit", default="f849c73", help="commit to compare against (default f849c73: before issue 11)")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--parts", action="store_true", help="time each per-review step on the same N texts in one process instead")
    ap.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return 0
    if not (DATA / "reviews_zh_online_shopping.csv").exists():
        print(f"skipped: shared review data not found under {DATA} (set GROWTHPILOT_SHARED_DATA)")
        return 0
    if args.parts:
        parts(args.n)
        return 0
    sys.path.insert(0, str(ROOT / "bench"))
    from _machine import cpu_model

    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f} (1 min)")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        base = args.baseline.resolve() if args.baseline else Path(tmp) / "baseline"
        if not args.no_baseline and not args.baseline:
            base.mkdir()
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.baseline_commit], check=True, capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        runs = [("this", ROOT)] + ([] if args.no_baseline else [("baseline", base)])
        csv = Path(tmp) / "reviews.csv"
        write_csv(csv, args.n)
        for name, code in runs:
            out = Path(tmp) / f"{name}.json"
            env = dict(os.environ, PYTHONPATH=str(code), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
                       TOKENIZERS_PARALLELISM="false", GROWTHPILOT_PSEUDONYM_KEY=os.environ.get("GROWTHPILOT_PSEUDONYM_KEY", "5e" * 32))
            load = os.getloadavg()[0]
            subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", str(csv), str(out)], env=env,
                           check=True, cwd=str(code))
            r = json.loads(out.read_text())
            results[name] = r
            s = r["seconds"]
            print(f"{name:8} ({code}): {r['accepted']} reviews in {s['total']:.1f} s = {r['accepted'] / s['total']:.0f} reviews/s "
                  f"(read+store {s['read_store']:.1f} s, insights {s['insights']:.1f} s, index {s['index']:.1f} s); "
                  f"{r['insights']} insights, internal index {r['internal_index']}; the USE embedder alone on the same texts "
                  f"{r['accepted'] / r['embed_only_s']:.0f} texts/s, so end to end = {s['total'] and r['embed_only_s'] / s['total']:.2f} "
                  f"of embedding-only speed; load before {load:.2f}", flush=True)
    if "baseline" in results:
        a, b = results["this"]["seconds"]["total"], results["baseline"]["seconds"]["total"]
        print(f"ratio: this is x{b / a:.2f} the baseline's speed (same {args.n} reviews, same machine, one run after the other)")
    print(f"load after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
