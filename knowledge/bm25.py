"""BM25 (Okapi) over jieba tokens for Chinese and word tokens for English, on scipy sparse matrices.

The index keeps the raw term-frequency matrix (documents × vocabulary, CSR) — that is
what is saved and what incremental updates slice and extend — and derives the BM25
weight matrix (CSC, so a query reads only the columns of its terms) from it:

    w(d, t) = idf(t) · tf·(k1 + 1) / (tf + k1·(1 − b + b·|d| / avgdl))
    idf(t)  = ln(1 + (N − df + 0.5) / (df + 0.5))

A query's scores are one sparse column-sum; the top k come from `argpartition`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import scipy.sparse as sp

from .text import tokenize


# Words that carry sentiment (kept by `tokenize`) but no topic: as BM25 terms they only make
# unrelated texts match ("声音很好" vs "颜色很好看"), which matters most in small collections
# where IDF cannot discount them yet.
BM25_EXTRA_STOPWORDS: frozenset[str] = frozenset(
    "很 太 非常 特别 比较 挺 真 真的 好 还 都 也 就 再 更 最 会 能 可以 觉得 感觉 不过 但是 不是 没 不 "
    "really quite pretty much very not no".split()
)


def bm25_tokens(text: str, tokenizer: str = "jieba") -> list[str]:
    """The tokens BM25 indexes and queries with: jieba words / lower-cased English words, no stop words."""
    return [t for t in tokenize(text, tokenizer, remove_stopwords=True) if t not in BM25_EXTRA_STOPWORDS]  # type: ignore[arg-type]


class BM25Index:
    """An immutable BM25 index; `take` and `extend` return new indexes (rows keep their order)."""

    def __init__(self, tf: sp.csr_matrix, vocab: dict[str, int], *, k1: float = 1.2, b: float = 0.75):
        self.tf = sp.csr_matrix(tf, dtype=np.float32)
        self.vocab = vocab
        self.k1, self.b = k1, b
        self._weights = self._compute_weights()

    # ---- construction -------------------------------------------------
    @classmethod
    def build(cls, token_lists: Iterable[Sequence[str]], **kw) -> "BM25Index":
        vocab: dict[str, int] = {}
        tf = _tf_rows(token_lists, vocab)
        return cls(tf, vocab, **kw)

    def extend(self, token_lists: Iterable[Sequence[str]]) -> "BM25Index":
        """A new index with these documents appended (vocabulary grows as needed)."""
        vocab = dict(self.vocab)
        new = _tf_rows(token_lists, vocab)
        old = self.tf
        if old.shape[1] < len(vocab):
            old = sp.csr_matrix((old.data, old.indices, old.indptr), shape=(old.shape[0], len(vocab)))
        return BM25Index(sp.vstack([old, new], format="csr"), vocab, k1=self.k1, b=self.b)

    def take(self, rows: np.ndarray) -> "BM25Index":
        """A new index with only `rows` (in that order); unused terms are dropped from the vocabulary."""
        tf = self.tf[np.asarray(rows, dtype=np.int64)]
        used = np.unique(tf.indices)
        if len(used) < len(self.vocab):
            remap = np.full(max(len(self.vocab), 1), -1, dtype=np.int64)
            remap[used] = np.arange(len(used))
            tf = sp.csr_matrix((tf.data, remap[tf.indices], tf.indptr), shape=(tf.shape[0], len(used)))
            inv = {i: t for t, i in self.vocab.items()}
            vocab = {inv[int(old)]: new for new, old in enumerate(used)}
        else:
            vocab = dict(self.vocab)
        return BM25Index(tf, vocab, k1=self.k1, b=self.b)

    def _compute_weights(self) -> sp.csc_matrix:
        tf = self.tf
        n_docs = tf.shape[0]
        if n_docs == 0 or tf.nnz == 0:
            return sp.csc_matrix(tf.shape, dtype=np.float32)
        dl = np.asarray(tf.sum(axis=1)).ravel()
        avgdl = float(dl.mean()) or 1.0
        df = np.bincount(tf.indices, minlength=tf.shape[1]).astype(np.float64)
        idf = self._idf = np.log1p((n_docs - df + 0.5) / (df + 0.5))
        rows = np.repeat(np.arange(n_docs), np.diff(tf.indptr))
        t = tf.data.astype(np.float64)
        norm = self.k1 * (1.0 - self.b + self.b * dl[rows] / avgdl)
        w = idf[tf.indices] * t * (self.k1 + 1.0) / (t + norm)
        return sp.csr_matrix((w.astype(np.float32), tf.indices, tf.indptr), shape=tf.shape).tocsc()

    # ---- query --------------------------------------------------------
    def __len__(self) -> int:
        return self.tf.shape[0]

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every document (0 where no query term occurs)."""
        counts: dict[int, int] = {}
        for tok in query_tokens:
            j = self.vocab.get(tok)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        if not counts or len(self) == 0:
            return np.zeros(len(self), dtype=np.float32)
        cols = np.fromiter(counts.keys(), dtype=np.int64)
        qtf = np.fromiter(counts.values(), dtype=np.float32)
        return np.asarray(self._weights[:, cols] @ qtf, dtype=np.float32).ravel()

    def top_k(self, query_tokens: Sequence[str], k: int, *, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(rows, scores) of the best `k` documents with a positive score, best first.
        `mask` (bool per row) keeps only allowed rows."""
        s = self.scores(query_tokens)
        if mask is not None:
            s = np.where(mask, s, 0.0)
        positive = np.flatnonzero(s > 0)
        if not len(positive) or k <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        if len(positive) > k:
            part = np.argpartition(-s[positive], k - 1)[:k]
            positive = positive[part]
        order = np.argsort(-s[positive], kind="stable")
        rows = positive[order]
        return rows.astype(np.int64), s[rows]

    def idf(self, token: str) -> float:
        """The token's IDF here; a token no document has gets the IDF of a term in none."""
        j = self.vocab.get(token)
        idf = getattr(self, "_idf", None)
        if j is None or idf is None:
            n = len(self)
            return float(np.log1p((n + 0.5) / 0.5))
        return float(idf[j])

    def coverage(self, groups: Sequence[Sequence[str]], rows: Sequence[int]) -> np.ndarray:
        """For each of `rows`: the IDF-weighted share of `groups` (each a word and its synonyms)
        of which the document has at least one token. 0 for no groups."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.zeros(len(rows), dtype=np.float64)
        groups = [g for g in groups if g]
        if not groups or not len(rows):
            return out
        weights = np.array([max(self.idf(t) for t in g) for g in groups], dtype=np.float64)
        cols = [[self.vocab[t] for t in g if t in self.vocab] for g in groups]
        indptr, indices = self.tf.indptr, self.tf.indices
        for k, r in enumerate(rows.tolist()):
            have = set(indices[indptr[r] : indptr[r + 1]].tolist())
            out[k] = sum(float(w) for w, c in zip(weights, cols) if any(j in have for j in c))
        return out / float(weights.sum())

    # ---- persistence --------------------------------------------------
    def save(self, path: Path) -> None:
        """Write tf (CSR parts) and the vocabulary to one .npz file (no pickles)."""
        terms = np.array(sorted(self.vocab, key=self.vocab.__getitem__), dtype=np.str_)
        with open(path, "wb") as f:
            np.savez(
                f, data=self.tf.data, indices=self.tf.indices, indptr=self.tf.indptr,
                shape=np.array(self.tf.shape, dtype=np.int64), terms=terms,
                params=np.array([self.k1, self.b], dtype=np.float64),
            )

    @classmethod
    def load(cls, path: Path) -> "BM25Index":
        with np.load(path, allow_pickle=False) as z:
            shape = tuple(int(x) for x in z["shape"])
            tf = sp.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=shape)
            vocab = {str(t): i for i, t in enumerate(z["terms"])}
            k1, b = (float(x) for x in z["params"])
        return cls(tf, vocab, k1=k1, b=b)


def _tf_rows(token_lists: Iterable[Sequence[str]], vocab: dict[str, int]) -> sp.csr_matrix:
    """Term-frequency rows for documents, adding unseen terms to `vocab` in place."""
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for tokens in token_lists:
        counts: dict[int, int] = {}
        for tok in tokens:
            j = vocab.get(tok)
            if j is None:
                j = vocab[tok] = len(vocab)
            counts[j] = counts.get(j, 0) + 1
        indices.extend(counts.keys())
        data.extend(counts.values())
        indptr.append(len(indices))
    return sp.csr_matrix(
        (np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
        shape=(len(indptr) - 1, len(vocab)),
    )
