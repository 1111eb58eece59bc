"""BLEU-4 / ROUGE on hand-computed examples (the ChatGLM / LLaMA-Factory AdvertiseGen convention)."""

from __future__ import annotations

import math

import pytest

from training.metrics import corpus_scores, rouge_l, rouge_n, score_pair, sentence_bleu4, words


def test_bleu4_with_method3_smoothing_by_hand():
    # 1-grams 3/4, 2-grams 2/3, 3-grams 1/2, 4-grams 0/1 → smoothed 1/(2·1); equal lengths: no penalty
    assert sentence_bleu4(list("abcd"), list("abce")) == pytest.approx((3 / 4 * 2 / 3 * 1 / 2 * 1 / 2) ** 0.25)
    # characters of Chinese text: 4/6, 3/5, 2/4, 1/3
    assert sentence_bleu4(list("今天天气很好"), list("今天天气不错")) == pytest.approx((4 / 6 * 3 / 5 * 2 / 4 * 1 / 3) ** 0.25)


def test_bleu4_brevity_penalty_and_no_match():
    # all n-grams of "abc" match "abcdef", the 4-gram is smoothed to 1/2, penalty exp(1 - 6/3)
    assert sentence_bleu4(list("abcdef"), list("abc")) == pytest.approx(0.5**0.25 * math.exp(-1))
    assert sentence_bleu4(list("abc"), list("xyz")) == 0.0
    assert sentence_bleu4(list("abc"), []) == 0.0
    assert sentence_bleu4(list("abcdef"), list("abcdef")) == pytest.approx(1.0)


def test_rouge_by_hand():
    hyp, ref = "the cat the mat".split(), "the cat sat on the mat".split()
    assert rouge_n(hyp, ref, 1) == pytest.approx(0.75, abs=1e-7)  # distinct: 3/3 precision, 3/5 recall
    assert rouge_n(hyp, ref, 2) == pytest.approx(0.5, abs=1e-7)  # 2/3 precision, 2/5 recall
    assert rouge_l(hyp, ref) == pytest.approx(0.8, abs=1e-7)  # LCS 4: 4/4 precision, 4/6 recall
    assert rouge_l([], ref) == 0.0 and rouge_n(hyp, [], 1) == 0.0


def test_score_pair_uses_jieba_words_and_scales_by_100():
    ref = "这款牛仔外套简约百搭"
    assert words("这款 牛仔外套") == [w for w in words("这款牛仔外套") if w.strip()]
    perfect = score_pair(ref, ref)
    assert perfect == {"bleu-4": 100.0, "rouge-1": 100.0, "rouge-2": 100.0, "rouge-l": 100.0}
    assert score_pair("", ref) == {"bleu-4": 0.0, "rouge-1": 0.0, "rouge-2": 0.0, "rouge-l": 0.0}
    half = score_pair("这款牛仔外套", ref)
    assert 0 < half["rouge-1"] < 100 and half["bleu-4"] < 100


def test_corpus_scores_average_examples():
    ref = "这款牛仔外套简约百搭"
    avg = corpus_scores([ref, ""], [ref, ref])
    assert avg == {"bleu-4": 50.0, "rouge-1": 50.0, "rouge-2": 50.0, "rouge-l": 50.0}
