"""Does a search query ask for one polarity? "complaints about the speaker", "差评", "short battery life".

`query_polarity(query)` → "neg", "pos" or None. It adds two kinds of evidence:
* intent words that name a polarity without carrying one in the lexicon ("complaints", "差评",
  "what people love", "好评"), counted with a negation check ("no complaints", "没有差评" flip);
* the lexicon analyzer's score of the query (negation/degree rules, VADER), plus aspect-aware words
  that are only negative next to an aspect ("short" / "短" with battery, 续航, 电池, life; "long"
  with wait, delivery, 物流).
"""

from __future__ import annotations

import re
from typing import Literal

from .sentiment import LexiconSentimentAnalyzer

Polarity = Literal["pos", "neg"]

_EN_NEG = ("complaint", "complain", "problem", "issue", "negative", "bad review", "worst", "broken", "defect",
           "fault", "fail", "disappoint", "poor", "rotten", "dirty", "noisy", "refund", "return", "stopped working",
           "doesn't work", "does not work", "not working", "slow", "hate", "annoy", "cheap quality", "overpriced",
           "too expensive", "leak", "smell", "stale", "rude")
_EN_POS = ("praise", "love", "positive", "best", "recommend", "happy with", "satisfied", "like about", "great",
           "excellent", "favorite", "favourite", "compliment")
_ZH_NEG = ("差评", "投诉", "吐槽", "抱怨", "不满", "问题", "毛病", "缺点", "差", "坏", "烂", "慢", "贵", "退货", "失望",
           "难吃", "难用", "脏", "吵", "漏", "臭", "假货", "不新鲜", "不好")
_ZH_POS = ("好评", "称赞", "夸", "喜欢", "满意", "推荐", "优点", "赞", "好吃", "好用", "新鲜", "干净", "划算")
_ASPECT_NEG = (
    (re.compile(r"\b(short|drains?|dies)\b"), re.compile(r"\b(battery|batteries|life|charge)\b")),
    (re.compile(r"\b(long|forever)\b"), re.compile(r"\b(wait|delivery|shipping|queue)\b")),
    (re.compile(r"短"), re.compile(r"续航|电池|待机|电量")),
    (re.compile(r"久|长"), re.compile(r"物流|快递|发货|等")),
)
_EN_NEGATION = re.compile(r"\b(no|not|never|without|zero)\s+(\w+\s+)?$")
_ZH_NEGATION = ("没有", "没", "无", "不")


def _count(low: str, words: tuple[str, ...], zh: bool) -> int:
    n = 0
    for w in words:
        start = 0
        while True:
            i = low.find(w, start)
            if i < 0:
                break
            before = low[max(0, i - 3) : i]
            negated = any(before.endswith(x) for x in _ZH_NEGATION) if zh else bool(_EN_NEGATION.search(low[:i]))
            # "不好" is itself a negative word: its 不 is part of it, not a negation of it
            n += -1 if negated and w not in ("不好", "不满", "不新鲜") else 1
            start = i + len(w)
    return n


_lexicon = LexiconSentimentAnalyzer()


def query_polarity(query: str) -> Polarity | None:
    """"neg" / "pos" when the query asks for complaints / praise (or describes a problem / a good
    experience), else None."""
    low = (query or "").lower().strip()
    if not low:
        return None
    has_zh = any("\u4e00" <= ch <= "\u9fff" for ch in low)
    score = 0.6 * (_count(low, _EN_POS, False) - _count(low, _EN_NEG, False))
    if has_zh:
        zh_neg = _count(low, _ZH_NEG, True)
        zh_pos = _count(low, tuple(w for w in _ZH_POS), True)
        # "不好" also contains 好-words' characters; 差评 contains 差: count the longer intent once
        score += 0.6 * (zh_pos - zh_neg)
    for word, aspect in _ASPECT_NEG:
        if word.search(low) and aspect.search(low):
            score -= 0.8
    score += _lexicon.analyze_one(query).score
    if score <= -0.3:
        return "neg"
    if score >= 0.3:
        return "pos"
    return None
