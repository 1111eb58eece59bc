"""Follow-ups: "and to Hong Kong?", "那香港呢？", "what about the lamp?" are answered in the context of
the previous question: the retrieval query is the previous turn's query plus the new words, and the
new words are the focus when the passage's sentences are picked."""

from __future__ import annotations

import re

_EN_FOLLOW = re.compile(r"^\s*(and|what about|how about|also|same for|what if|and if|or|plus|then)\b|\b(too|as well|instead)\s*\??\s*$", re.I)
_ZH_FOLLOW = re.compile(r"^\s*(那|那么|还有|另外|以及|和|再|换成|如果是|要是|也)|呢\s*[?？]?\s*$|也(可以|能|行|是)吗\s*[?？]?\s*$")
_QUESTION_WORDS = re.compile(r"\b(how|what|when|where|why|which|can|do|does|is|are|will|should)\b|怎么|如何|什么|哪|多少|几|吗|能不能|可不可以", re.I)


def is_follow_up(text: str) -> bool:
    t = text.strip()
    if not t:
        return False
    if _EN_FOLLOW.search(t) or _ZH_FOLLOW.search(t):
        return True
    cjk = len(re.findall(r"[\u4e00-\u9fff]", t))
    words = len(re.findall(r"[A-Za-z0-9]+", t))
    # a fragment with no question of its own ("to Hong Kong?", "台灯？")
    return (words + cjk / 2) <= 3 and not _QUESTION_WORDS.search(t)


def rewrite(text: str, previous_query: str) -> str:
    """The retrieval query for `text` given the previous turn's query (unchanged when not a follow-up)."""
    if previous_query and is_follow_up(text):
        return f"{previous_query} {text.strip()}"
    return text


def follow_up_query(previous_query: str, text: str) -> str:
    """The previous question's topic with the new words; when the new words name another product
    ("what about the lamp?", "耳机呢？"), the previous product's words are left out."""
    from .lexicon import CONCEPTS, PRODUCT_CONCEPTS, concepts

    prev = previous_query
    if concepts(text) & PRODUCT_CONCEPTS:
        forms = sorted({f for c in PRODUCT_CONCEPTS for f in CONCEPTS[c]}, key=len, reverse=True)
        for form in forms:
            prev = re.sub(("(?i)" + r"\b" + re.escape(form) + r"\b") if form.isascii() else re.escape(form), " ", prev)
        prev = re.sub(r"\s+", " ", prev).strip()
    return f"{prev} {text.strip()}".strip()
