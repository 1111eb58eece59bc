"""Train the shipped sentiment classifier (knowledge/models/sentiment_linear.npz) from the shared reviews.

    growthpilot train sentiment [--reviews ../shared/data] [--out knowledge/models/sentiment_linear.npz]
                                [--cache bench/out/cache]
    python -m training.sentiment_train [--data ../shared/data] [--out FILE] [--cache DIR]   (the same)

Training data (all of it; bench/eval_sentiment.py measures the same recipe on held-out splits and
held-out domains):
  zh  reviews_zh_online_shopping.csv  (cat,label,review; 10 categories)
  en  reviews_en_alexa.tsv            (verified_reviews, feedback 1/0)
      reviews_en_yelp_labelled.txt    (headerless: sentence<TAB>label)
  +   the hand-written seed sentences of knowledge/sentiment_seed.py (pos/neg; neu only for the
      neutral gate)
Texts are stripped; exact duplicates are kept once, and a text that appears with both labels is
dropped (counted in the output). Deterministic: same data → same file (liblinear, random_state=0).
The sentence vectors come from the offline USE v3 embedder; --cache keeps them in a content-hash
cache so a second run embeds nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from knowledge.sentiment_linear import (
    BLOCKS,
    MODEL_FILE,
    LanguageModel,
    LinearSentimentModel,
    NgramBlock,
    NgramFeatures,
    normalise,
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DATA_FILES = ("reviews_zh_online_shopping.csv", "reviews_en_alexa.tsv", "reviews_en_yelp_labelled.txt")
COMMAND = "growthpilot train sentiment"
SEED_DOMAIN = "seed"  # the hand-written seed sentences: trained on, never judged as a domain
MAX_FEATURES = {"zh": 60_000, "en": 20_000}  # n-grams kept after pruning by |coef|
MIN_DF = {"zh": 2, "en": 2}
C = {"zh": 2.0, "en": 4.0}
EMB_SCALE = 1.0
LEX_SCALE = 1.0
# The options of fit_language_model the shipped weights use, per language (chosen by bench/eval_sentiment.py;
# "prior": True = the seed-sentence gate's pos − neg direction).
RECIPE: dict[str, dict] = {"zh": {}, "en": {"threshold": True, "domain_weights": True, "prior": True}}


# ---- data --------------------------------------------------------------------------------------
def load_corpus(data_dir: Path) -> tuple[pd.DataFrame, dict]:
    """DataFrame text, label (1/0), lang, source, domain — deduplicated; plus a report of what was dropped."""
    data_dir = Path(data_dir)
    frames = []
    z = pd.read_csv(data_dir / "reviews_zh_online_shopping.csv")
    frames.append(pd.DataFrame({"text": z["review"], "label": z["label"], "lang": "zh", "source": "zh_shopping",
                                "domain": z["cat"]}))
    a = pd.read_csv(data_dir / "reviews_en_alexa.tsv", sep="\t")
    frames.append(pd.DataFrame({"text": a["verified_reviews"], "label": a["feedback"], "lang": "en", "source": "en_alexa",
                                "domain": "alexa"}))
    frames.append(read_uci(data_dir / "reviews_en_yelp_labelled.txt").assign(lang="en", source="en_yelp", domain="yelp"))
    df = pd.concat(frames, ignore_index=True)
    df["text"] = df["text"].fillna("").astype(str).str.strip()
    df = df[df["text"] != ""]
    df["label"] = df["label"].astype(int)
    n0 = len(df)
    labels_per_text = df.groupby("text")["label"].nunique()
    conflicting = set(labels_per_text[labels_per_text > 1].index)
    df = df[~df["text"].isin(conflicting)]
    n1 = len(df)
    df = df.drop_duplicates("text", keep="first").reset_index(drop=True)
    report = {"rows": n0, "conflicting_texts_dropped": len(conflicting), "conflicting_rows_dropped": n0 - n1,
              "duplicates_dropped": n1 - len(df), "kept": len(df)}
    return df, report


def read_uci(path: Path) -> pd.DataFrame:
    """A headerless `sentence<TAB>label` file (UCI Sentiment Labelled Sentences)."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if "\t" not in line:
                continue
            text, label = line.rsplit("\t", 1)
            if label.strip() in ("0", "1"):
                rows.append((text, int(label)))
    return pd.DataFrame(rows, columns=["text", "label"])


def seed_frame(include_neutral: bool = False) -> pd.DataFrame:
    from knowledge.sentiment_seed import seed_examples
    from knowledge.text import detect_lang

    rows = [(t, lab) for lab, t in seed_examples() if include_neutral or lab != "neu"]
    df = pd.DataFrame(rows, columns=["text", "label3"])
    df["label"] = (df["label3"] == "pos").astype(int)
    df["lang"] = [detect_lang(t) for t in df["text"]]
    df["domain"] = SEED_DOMAIN
    return df


# ---- features ----------------------------------------------------------------------------------
def fit_ngrams(texts: Sequence[str], lang: str) -> NgramFeatures:
    from sklearn.feature_extraction.text import CountVectorizer

    from knowledge.sentiment_linear import WORD_TOKEN_PATTERN

    norm = [normalise(t) for t in texts]
    n = len(norm)
    blocks = []
    for analyzer, ngram in BLOCKS[lang]:
        cv = CountVectorizer(analyzer=analyzer, ngram_range=ngram, lowercase=False, min_df=MIN_DF[lang],
                             token_pattern=WORD_TOKEN_PATTERN if analyzer == "word" else None, dtype=np.float32)
        m = cv.fit_transform(norm)
        vocab = sorted(cv.vocabulary_, key=cv.vocabulary_.get)
        df = np.bincount(m.nonzero()[1], minlength=len(vocab)).astype(np.float64)
        idf = (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)
        blocks.append(NgramBlock(analyzer, ngram, vocab, idf))
    return NgramFeatures(blocks)


def prune(feats: NgramFeatures, coef: np.ndarray, keep: int) -> NgramFeatures:
    """Keep the `keep` n-grams with the largest |coef| (idf kept as fitted)."""
    if feats.dim <= keep:
        return feats
    top = np.sort(np.argsort(-np.abs(coef[: feats.dim]), kind="stable")[:keep])
    blocks, offset = [], 0
    for b in feats.blocks:
        sel = top[(top >= offset) & (top < offset + len(b.vocab))] - offset
        blocks.append(NgramBlock(b.analyzer, b.ngram, [b.vocab[i] for i in sel], b.idf[sel]))
        offset += len(b.vocab)
    return NgramFeatures(blocks)


def design(feats: NgramFeatures | None, texts, vectors: np.ndarray | None, lex: np.ndarray | None,
           emb_scale: float = EMB_SCALE, lex_scale: float = LEX_SCALE, prior: np.ndarray | None = None):
    import scipy.sparse as sp

    parts = []
    if feats is not None:
        parts.append(feats.transform(texts))
    if vectors is not None:
        parts.append(sp.csr_matrix(emb_scale * vectors.astype(np.float32)))
    if lex is not None:
        parts.append(sp.csr_matrix(lex_scale * lex.astype(np.float32).reshape(-1, 1)))
    if prior is not None and vectors is not None:
        parts.append(sp.csr_matrix((vectors.astype(np.float32) @ prior.astype(np.float32)).reshape(-1, 1)))
    return sp.hstack(parts, format="csr")


def _fit_lr(x, y: np.ndarray, c: float, sample_weight: np.ndarray | None = None):
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=c, solver="liblinear", class_weight=None if sample_weight is not None else "balanced",
                            random_state=0, max_iter=2000)
    return lr.fit(x, y, sample_weight=sample_weight)


def domain_balanced_weights(domains: Sequence[str], labels: np.ndarray) -> np.ndarray:
    """Sample weights under which every (domain, label) cell weighs the same in the loss (mean weight 1):
    a big category cannot set the n-gram weights alone, and classes stay balanced within each domain."""
    keys = [f"{d}\x00{int(y)}" for d, y in zip(domains, labels)]
    counts: dict[str, int] = {}
    for k in keys:
        counts[k] = counts.get(k, 0) + 1
    w = np.array([len(keys) / (len(counts) * counts[k]) for k in keys], dtype=np.float64)
    return w


def balanced_threshold(z: np.ndarray, y: np.ndarray, domains: Sequence[str] | None = None) -> float:
    """The cut on the log-odds that maximises balanced accuracy on (z, y) — averaged over domains when
    given, so a big domain does not decide it alone. Returned as the midpoint between neighbouring scores."""
    order = np.argsort(z, kind="stable")
    zs = z[order]
    mids = (zs[1:] + zs[:-1]) / 2.0
    if len(mids) > 400:  # 400 quantile cuts are plenty and keep this linear in the validation size
        mids = np.quantile(mids, np.linspace(0.0, 1.0, 400))
    cands = np.unique(np.concatenate([[zs[0] - 1.0], mids, [0.0]]))
    doms = np.array(["_"] * len(z) if domains is None else list(domains), dtype=object)
    judged = [d for d in np.unique(doms) if d != SEED_DOMAIN] or [SEED_DOMAIN]
    best_t, best = 0.0, -1.0
    for t in cands:
        pred = z >= t
        scores = []
        for d in judged:
            m = doms == d
            rec = [float((pred[m & (y == c)] == bool(c)).mean()) for c in (0, 1) if (m & (y == c)).any()]
            if len(rec) == 2:
                scores.append(np.mean(rec))
        score = float(np.mean(scores)) if scores else 0.0
        if score > best + 1e-12 or (abs(score - best) <= 1e-12 and abs(t) < abs(best_t)):
            best_t, best = float(t), score
    return best_t


def _fit_once(texts, labels, vectors, lex, lang, keep, c, ngrams, prior, weights, lex_scale=LEX_SCALE):
    feats = fit_ngrams(texts, lang) if ngrams else NgramFeatures([NgramBlock(a, g, [], np.zeros(0, np.float32))
                                                                   for a, g in BLOCKS[lang]])
    if ngrams:
        lr = _fit_lr(design(feats, texts, vectors, lex, lex_scale=lex_scale, prior=prior), labels, c, weights)
        feats = prune(feats, lr.coef_[0], keep)
    lr = _fit_lr(design(feats if ngrams else None, texts, vectors, lex, lex_scale=lex_scale, prior=prior), labels, c, weights)
    w = lr.coef_[0].astype(np.float32)
    n = feats.dim
    coef = np.zeros(n + 512 + 1, dtype=np.float32)
    coef[:n] = w[:n]
    pos = n
    if vectors is not None:
        coef[n : n + 512] = w[pos : pos + 512]
        pos += 512
    if lex is not None:
        coef[-1] = w[pos]
        pos += 1
    if prior is not None and vectors is not None:
        coef[n : n + 512] += w[pos] * prior.astype(np.float32)  # the prior direction folds into the vector block
    return LanguageModel(feats, coef, float(lr.intercept_[0]), EMB_SCALE, lex_scale)


def fit_language_model(texts: Sequence[str], labels: np.ndarray, vectors: np.ndarray | None, lex: np.ndarray | None,
                       lang: str, *, max_features: int | None = None, c: float | None = None,
                       ngrams: bool = True, domains: Sequence[str] | None = None, domain_weights: bool = False,
                       prior: np.ndarray | None = None, threshold: bool = False,
                       val_fraction: float = 0.15, lex_scale: float = LEX_SCALE) -> LanguageModel:
    """n-grams + sentence vector + lexicon score → logistic regression (balanced classes), pruned and refitted.

    A block passed as None (or ngrams=False) is left out; its coefficients are stored as 0, so the
    model still scores with the same interface (bench/eval_sentiment.py compares the blocks this way).
    Options (each measured in bench/eval_sentiment.py before it is used by `train`):
      domain_weights  every (domain, label) cell weighs the same (needs `domains`)
      prior           a 512-d direction in sentence-vector space given its own feature (less penalised):
                      the seed-sentence gate's pos − neg direction, learned from hand-written sentences of
                      no particular domain; folded into the vector coefficients, so scoring is unchanged
      lex_scale       the lexicon score's scale in the design (larger = less penalised, relied on more)
      threshold       fit on a stratified (1 − val_fraction) part, pick the log-odds cut that maximises
                      balanced accuracy (averaged over `domains`) on the rest, refit on all, shift the
                      intercept by that cut (so the stored model still counts z ≥ 0 as positive)"""
    c = C[lang] if c is None else c
    keep = MAX_FEATURES[lang] if max_features is None else max_features
    texts = list(texts)
    labels = np.asarray(labels)
    doms = list(domains) if domains is not None else ["_"] * len(texts)

    def fit(idx):
        w = domain_balanced_weights([doms[i] for i in idx], labels[idx]) if domain_weights else None
        return _fit_once([texts[i] for i in idx], labels[idx], None if vectors is None else vectors[idx],
                         None if lex is None else lex[idx], lang, keep, c, ngrams, prior, w, lex_scale)

    everything = np.arange(len(texts))
    model = fit(everything)
    if threshold:
        rng = np.random.default_rng(0)
        val = np.concatenate([rng.permutation(np.flatnonzero(labels == k))[: int(round(val_fraction * (labels == k).sum()))]
                              for k in (0, 1)])
        train_idx = np.setdiff1d(everything, val)
        part = fit(train_idx)
        z = part.logits([texts[i] for i in val], vectors[val] if vectors is not None else np.zeros((len(val), 512), np.float32),
                        lex[val] if lex is not None else np.zeros(len(val), np.float32))
        cut = balanced_threshold(z, labels[val], [doms[i] for i in val])
        model.intercept -= cut
    return model


def fit_neutral_gate(embed) -> tuple[np.ndarray, np.ndarray]:
    """3-class (neg/neu/pos) logistic regression on the seed sentences' vectors (as knowledge.sentiment_models)."""
    from sklearn.linear_model import LogisticRegression

    from knowledge.sentiment_models import SEED_CLASSES

    seeds = seed_frame(include_neutral=True)
    x = embed(seeds["text"].tolist())
    lr = LogisticRegression(C=0.5, max_iter=5000).fit(x, seeds["label3"].to_numpy())
    assert tuple(lr.classes_.tolist()) == SEED_CLASSES
    return lr.coef_.astype(np.float32), lr.intercept_.astype(np.float32)


# ---- helpers shared with bench/eval_sentiment.py -----------------------------------------------
def missing_files(data_dir: Path) -> list[str]:
    """The training files not found in `data_dir`."""
    return [n for n in DATA_FILES if not (Path(data_dir) / n).exists()]


def make_embed(cache_dir: Path | None, progress: bool = True):
    from knowledge.embeddings import CachedEmbedder, USEEmbedder

    inner = USEEmbedder(batch_size=64)
    emb = CachedEmbedder(inner, cache_dir) if cache_dir is not None else inner

    def embed(texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths batch together
        out = np.empty((len(texts), 512), dtype=np.float32)
        if texts:
            out[order] = emb.encode([texts[i] for i in order], progress=progress and len(texts) > 2000)
        return out

    return embed, emb.name


def seed_direction(neu_coef: np.ndarray) -> np.ndarray:
    """The seed-sentence gate's pos − neg direction in sentence-vector space."""
    from knowledge.sentiment_models import SEED_CLASSES

    return (neu_coef[SEED_CLASSES.index("pos")] - neu_coef[SEED_CLASSES.index("neg")]).astype(np.float32)


def recipe_kwargs(options: dict, neu_coef: np.ndarray) -> dict:
    """fit_language_model keyword arguments from a recipe entry ("prior": True → the seed direction)."""
    kw = dict(options)
    if kw.pop("prior", False):
        kw["prior"] = seed_direction(neu_coef)
    return kw


def lexicon_scores(texts: Sequence[str]) -> np.ndarray:
    from knowledge.sentiment import LexiconSentimentAnalyzer

    lex = LexiconSentimentAnalyzer()
    return np.array([lex.analyze_one(t).score for t in texts], dtype=np.float32)


def train(data_dir: Path, out: Path, cache_dir: Path | None, log=print, progress: bool = True) -> dict:
    """Fit both languages and the neutral gate, write `out`; the meta returned (and stored) records the
    data files' sha256, the recipe and `weights_sha256` (a digest of the weights, equal across reruns)."""
    t0 = time.perf_counter()
    corpus, report = load_corpus(data_dir)
    log(f"corpus: {json.dumps(report)}")
    seeds = seed_frame()
    embed, embedder_name = make_embed(cache_dir, progress)
    neu_coef, neu_icpt = fit_neutral_gate(embed)
    models = {}
    sizes = {}
    for lang in ("zh", "en"):
        cols = ["text", "label", "domain"]
        part = pd.concat([corpus[corpus["lang"] == lang][cols], seeds[seeds["lang"] == lang][cols]], ignore_index=True)
        part = part.drop_duplicates("text", keep="first")  # a few seed sentences are also reviews
        texts, y = part["text"].tolist(), part["label"].to_numpy()
        log(f"{lang}: {len(texts)} texts ({int(y.sum())} positive); embedding…")
        vec = embed(texts)
        lex = lexicon_scores(texts)
        models[lang] = fit_language_model(texts, y, vec, lex, lang, domains=part["domain"].astype(str).tolist(),
                                          **recipe_kwargs(RECIPE[lang], neu_coef))
        sizes[lang] = len(texts)
        log(f"{lang}: fitted, {models[lang].ngrams.dim} n-grams kept")
    digest = hashlib.sha256()
    for name in DATA_FILES:
        digest.update((Path(data_dir) / name).read_bytes())
    meta = {
        "embedder": embedder_name, "embedding_dim": 512,
        "trained_on": {"files": [*DATA_FILES, "knowledge/sentiment_seed.py"], "sha256": digest.hexdigest(), "texts": sizes, **report},
        "recipe": {"max_features": MAX_FEATURES, "min_df": MIN_DF, "C": C, "class_weight": "balanced",
                   "emb_scale": EMB_SCALE, "lex_scale": LEX_SCALE, "options": RECIPE},
        "command": COMMAND,
    }
    model = LinearSentimentModel(models, neu_coef, neu_icpt, meta)
    meta["weights_sha256"] = model.weights_sha256()
    model.save(out)
    log(f"wrote {out} ({Path(out).stat().st_size / 1e6:.2f} MB) in {time.perf_counter() - t0:.0f} s")
    return meta


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.sentiment_train", description=__doc__.splitlines()[0],
                                 epilog="The data files are described in ../shared/data/README.md.")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with the review files (default ../shared/data)")
    ap.add_argument("--out", type=Path, default=MODEL_FILE, help=f"weights file to write (default {MODEL_FILE.relative_to(ROOT)})")
    ap.add_argument("--cache", type=Path, default=None, help="embedding cache folder (e.g. bench/out/cache); none = embed in memory")
    args = ap.parse_args(argv)
    missing = missing_files(args.data)
    if missing:
        print(f"error: {', '.join(missing)} not found in {args.data} (pass --data FOLDER)", file=sys.stderr)
        return 2
    train(args.data, args.out, args.cache)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
