"""The parts of a customer message that asks two things ("How long does delivery take, and is
shipping free?", "可以退货吗？要自己付运费吗？"): each part is answered from its own best section."""

from __future__ import annotations

import re

from .lexicon import tokens

# a question mark or semicolon with more text after it, or a comma / "and" followed by a new question
_HARD = re.compile(r"(?<=[?？;；])\s*")
_SOFT = re.compile(
    r"\s*(?:[,，]\s*(?:and\s+|also\s+|plus\s+)?|\s+and\s+(?:also\s+)?)(?=(?:is|are|do|does|did|can|could|will|would|how|what|when|where|which|who|should|"
    r"要|能|可以|是否|多久|怎么|如何|谁|什么|哪|几|有没有|会不会)\b|[要能可是多怎如谁什哪几有会])",
    re.I,
)
_ZH_SOFT = re.compile(r"[，,]\s*(?=(?:另外|还有|那|再)?(?:要|能|可以|是否|多久|怎么|如何|谁|什么|哪|几|有没有|会不会|运费|退款|保修|多少))")


def split_parts(text: str) -> list[str]:
    """The questions in `text`, in order; one part when it asks one thing. A part must hold at least one
    content word of its own (a trailing "right?" is no question)."""
    pieces: list[str] = []
    for hard in _HARD.split(text.strip()):
        if not hard.strip():
            continue
        if re.search(r"[\u4e00-\u9fff]", hard):
            pieces += _ZH_SOFT.split(hard)
        else:
            pieces += _SOFT.split(hard)
    parts = [p.strip(" ,，;；") for p in pieces if p and p.strip(" ,，;；?？")]
    merged: list[str] = []
    carry = ""
    for p in parts:
        # a piece that asks nothing ("it broke, can I get a refund?") belongs to the question after it
        if not is_question(p):
            carry = f"{carry} {p}".strip()
            continue
        merged.append(f"{carry} {p}".strip() if carry else p)
        carry = ""
    if carry and merged:
        merged[-1] = f"{merged[-1]} {carry}"
    merged = [p for p in merged if tokens(p)]
    return merged if len(merged) > 1 else [text.strip()]


_EN_Q = re.compile(r"^\s*(is|are|do|does|did|can|could|will|would|how|what|when|where|which|who|should|may)\b", re.I)
_ZH_Q = re.compile(r"吗|呢|多久|怎么|如何|几|多少|什么|谁|哪|是否|有没有|会不会|能不能|可不可以")


def is_question(text: str) -> bool:
    t = text.strip()
    return t.endswith(("?", "？")) or bool(_EN_Q.search(t)) or bool(_ZH_Q.search(t))
