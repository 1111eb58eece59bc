"""BLEU-4 and ROUGE-1/2/L the way ChatGLM and LLaMA-Factory score AdvertiseGen.

Their convention (per example, then averaged, each ×100):
- BLEU-4: nltk `sentence_bleu([list(reference)], list(prediction), smoothing_function=method3)`:
  over CHARACTERS, uniform 4-gram weights, clipped n-gram precision, brevity penalty against the
  reference length, NIST geometric smoothing (the k-th zero precision becomes 1 / (2^k · count)),
  0 when no character matches.
- ROUGE-1/2/L: `rouge_chinese.Rouge().get_scores(" ".join(jieba.cut(pred)), " ".join(jieba.cut(ref)))`,
  F-scores: ROUGE-N over the SETS of distinct word n-grams (that library's default), ROUGE-L over
  the longest common subsequence of all words; F = 2PR / (P + R + 1e-8). An empty side scores 0.
Re-implemented here (no nltk / rouge-chinese dependency); tests check hand-computed values.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Iterable, Sequence

METRIC_NAMES = ("bleu-4", "rouge-1", "rouge-2", "rouge-l")


def words(text: str) -> list[str]:
    """jieba words with whitespace dropped (how the convention feeds ROUGE)."""
    import jieba

    return " ".join(jieba.cut(text)).split()


def sentence_bleu4(reference: Sequence[str], hypothesis: Sequence[str]) -> float:
    """nltk sentence_bleu with one reference, weights (¼,¼,¼,¼) and SmoothingFunction().method3, in [0, 1]."""
    if not hypothesis:
        return 0.0
    precisions: list[tuple[int, int]] = []
    for n in range(1, 5):
        hyp = Counter(_ngrams(hypothesis, n))
        ref = Counter(_ngrams(reference, n))
        matched = sum(min(c, ref[g]) for g, c in hyp.items())
        precisions.append((matched, max(1, sum(hyp.values()))))
    if precisions[0][0] == 0:
        return 0.0
    k, log_sum = 1, 0.0
    for matched, total in precisions:
        if matched == 0:
            p = 1.0 / (2**k * total)
            k += 1
        else:
            p = matched / total
        log_sum += 0.25 * math.log(p)
    c, r = len(hypothesis), len(reference)
    bp = 1.0 if c > r else math.exp(1 - r / c)
    return bp * math.exp(log_sum)


def rouge_n(hyp_words: Sequence[str], ref_words: Sequence[str], n: int) -> float:
    """ROUGE-N F-score over distinct n-grams (rouge-chinese's default `exclusive=True`)."""
    hyp, ref = set(_ngrams(hyp_words, n)), set(_ngrams(ref_words, n))
    overlap = len(hyp & ref)
    p = overlap / len(hyp) if hyp else 0.0
    r = overlap / len(ref) if ref else 0.0
    return _f(p, r)


def rouge_l(hyp_words: Sequence[str], ref_words: Sequence[str]) -> float:
    """ROUGE-L F-score: longest common subsequence over all words."""
    if not hyp_words or not ref_words:
        return 0.0
    lcs = _lcs_length(hyp_words, ref_words)
    return _f(lcs / len(hyp_words), lcs / len(ref_words))


def score_pair(prediction: str, reference: str) -> dict[str, float]:
    """The four scores of one prediction, ×100 and rounded to 4 decimals (as LLaMA-Factory does)."""
    hyp_w, ref_w = words(prediction), words(reference)
    if hyp_w and ref_w:
        rouge = {"rouge-1": rouge_n(hyp_w, ref_w, 1), "rouge-2": rouge_n(hyp_w, ref_w, 2), "rouge-l": rouge_l(hyp_w, ref_w)}
    else:
        rouge = {"rouge-1": 0.0, "rouge-2": 0.0, "rouge-l": 0.0}
    scores = {"bleu-4": sentence_bleu4(list(reference), list(prediction)), **rouge}
    return {k: round(v * 100, 4) for k, v in scores.items()}


def corpus_scores(predictions: Iterable[str], references: Iterable[str]) -> dict[str, float]:
    """Mean of the per-example scores."""
    per = [score_pair(p, r) for p, r in zip(predictions, references, strict=True)]
    if not per:
        return {k: 0.0 for k in METRIC_NAMES}
    return {k: round(sum(s[k] for s in per) / len(per), 4) for k in METRIC_NAMES}


def _ngrams(tokens: Sequence[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def _f(p: float, r: float) -> float:
    return 2.0 * (p * r) / (p + r + 1e-8)


def _lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b, 1):
            cur.append(prev[j - 1] + 1 if x == y else max(prev[j], cur[j - 1]))
        prev = cur
    return prev[-1]
