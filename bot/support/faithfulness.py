"""The faithfulness check on a model's draft of a support answer: every claim must be in the passage.

A claim is: a number (with its unit: days, years, hours, ¥ amounts, %), a payment method, a carrier,
a place or shop, a yes/no, and the content words of the sentence (conditions such as "free",
"opened", "prepaid"). A sentence with any claim the passage does not state is dropped, with the reason.
The passage is given in both languages (the zh and en twins of one section): numbers and named things
are checked against both, content words against the passage in the draft's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from ..grounding import split_sentences

from .lexicon import entities, norm, tokens

_NUM = re.compile(r"\d+(?:[.,]\d+)*")
_ZH_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_NUM = re.compile(r"[零一二两三四五六七八九十百]+(?=\s*(?:个)?(?:天|年|月|小时|周|星期|工作日|元|块|次|倍|分钟|%|折))")
_EN_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
             "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30}
_EN_NUM_WORD = re.compile(r"\b(" + "|".join(_EN_WORDS) + r")\b(?=[\s-]+(?:day|year|month|hour|week|working|business|yuan|time))", re.I)
_YES = re.compile(r"^\s*(yes|yeah|yep|sure|of course|certainly|absolutely|definitely|correct|no problem|you can|you may)\b|^\s*(是的|可以的|可以|当然|没问题|对的|没错|支持|能的|能)", re.I)
_NO = re.compile(r"^\s*(no|nope|unfortunately|sorry,? (we|you) (can'?t|don'?t|cannot))\b|^\s*(不可以|不能|不行|不支持|抱歉，不|暂不|暂时不)", re.I)


def _zh_number(s: str) -> int | None:
    total, cur = 0, 0
    for ch in s:
        if ch in _ZH_DIGITS:
            cur = _ZH_DIGITS[ch]
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        elif ch == "百":
            total += (cur or 1) * 100
            cur = 0
    return total + cur if s else None


def numbers(text: str) -> set[float]:
    t = norm(text)
    out: set[float] = set()
    for m in _NUM.finditer(t):
        raw = m.group(0)
        try:
            out.add(float(raw.replace(",", "")))
        except ValueError:
            continue
    for m in _ZH_NUM.finditer(text):
        v = _zh_number(m.group(0))
        if v is not None:
            out.add(float(v))
    for m in _EN_NUM_WORD.finditer(t):
        out.add(float(_EN_WORDS[m.group(1).lower()]))
    return out


@dataclass(frozen=True)
class Removed:
    sentence: str
    reason: str


@dataclass
class FaithCheck:
    text: str
    kept: list[str] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)


def check(
    draft: str,
    passage: str,
    *,
    twin: str = "",
    question: str = "",
    min_support: float = 0.6,
) -> FaithCheck:
    """Keep the sentences of `draft` whose every claim `passage` (or its other-language `twin`) states.

    `question`: a "yes"/"no" is kept only when every named thing the question asks about (a payment
    method, carrier, place, shop) is in the passage — "Can I pay with PayPal?" → "Yes …" goes when the
    passage lists no PayPal."""
    both = passage + "\n" + twin
    have_nums = numbers(both)
    have_ents = entities(both)
    have_tokens = tokens(passage) | tokens(twin)
    q_ents = entities(question) if question else frozenset()
    kept: list[str] = []
    removed: list[Removed] = []
    flat = _flat(both)
    for sent in split_sentences(draft):
        s = re.sub(r"\[\d+\]", "", sent).strip()
        s = re.sub(r"^(?:[-*•]|\d+[.)、])\s*", "", s).strip()  # a list marker is not a claim
        if not s or re.fullmatch(r"[\W\d]*", s):
            continue
        reason = ""
        if _flat(s).rstrip("。.;；") in flat:
            kept.append(sent.strip())  # a verbatim quote of the passage states only what it states
            continue
        extra_nums = sorted(n for n in numbers(s) if n not in have_nums)
        extra_ents = sorted(e for e in entities(s) if e not in have_ents)
        if extra_nums:
            reason = "number not in the passage: " + ", ".join(f"{n:g}" for n in extra_nums)
        elif extra_ents:
            reason = "not in the passage: " + ", ".join(f"{k} {n}" for k, n in extra_ents)
        elif (_YES.search(s) or _NO.search(s)) and any(e not in have_ents for e in q_ents):
            missing = ", ".join(n for _k, n in sorted(q_ents) if (_k, n) not in have_ents)
            reason = f"a yes/no the passage does not give (it does not mention {missing})"
        else:
            words = tokens(s)
            if words:
                support = len(words & have_tokens) / len(words)
                if support < min_support:
                    reason = f"words not in the passage ({support:.0%} supported)"
        if reason:
            removed.append(Removed(s, reason))
        else:
            kept.append(sent.strip())
    joiner = "" if re.search(r"[\u4e00-\u9fff]", draft) else " "
    return FaithCheck(joiner.join(kept).strip(), kept, removed)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", norm(text))


def invented_claims(reply: str, passages: Sequence[str], question: str = "") -> list[Removed]:
    """What `check` would remove from a finished reply, given all the passages it drew on."""
    joined = "\n".join(passages)
    return check(reply, joined, question=question).removed
