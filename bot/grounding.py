"""Keeping answers honest: every number in a draft must come from a source or the question.

`extract_numbers` finds numbers the way a reader sees them (1,234 · 12.5% · 3.2万 · 2026-11-22),
`check_draft` splits a draft into sentences, drops (or flags) each sentence whose numbers no
source backs, fixes the citation markers so each kept number points at a source that holds it,
and renumbers the markers in order of first use.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Iterable, Literal, Sequence

# [1] · [1, 2] · [1][2] · 【1】 — the citation markers the prompt asks for.
_MARKER = re.compile(r"\s?(?:\[|【)\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*(?:\]|】)")
# "1. ", "2) ", "3、" at the start of a line: list enumerators, not facts.
_ENUM_DOT = "\uff0e"  # an enumerator's period while a draft is checked (not a sentence end)
_ENUM = re.compile(r"(?m)^(\s*(?:[-*•]\s*)?)\d{1,2}[.)、\uff0e](?=\s|\D)")
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9_.])(?P<sign>[-+−])?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"\s?(?P<unit>%|％|‰|万|亿|千|百万|[kKmM](?![A-Za-z]))?"
)
_UNIT_SCALE = {"%": 1.0, "％": 1.0, "‰": 1.0, "万": 1e4, "亿": 1e8, "千": 1e3, "百万": 1e6, "k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6}
# Sentence ends: Chinese punctuation, ! ?, a period not inside a number, or a newline.
_SENTENCE = re.compile(r"[^。！？!?\n]*?(?:[。！？!?]+|\.(?!\d)(?=\s|$|[\u4e00-\u9fff])|\n|$)", re.S)


@dataclass(frozen=True)
class Number:
    """A number as written: its value in plain units, and how precisely it was written."""

    text: str
    value: float
    tolerance: float  # half a unit of the last written digit (rounding), in plain units
    percent: bool = False


def strip_markers(text: str) -> str:
    """Text without citation markers and list enumerators (they are not claims)."""
    return _ENUM.sub(r"\1", _MARKER.sub("", text))


def remove_markers(text: str) -> str:
    """Text without citation markers (and without an unfinished "[" at the end)."""
    return re.sub(r"\s?[\[【][\d,，、\s]*$", "", _MARKER.sub("", text))


def extract_numbers(text: str) -> list[Number]:
    """All numbers in `text` (citation markers and list enumerators excluded)."""
    out: list[Number] = []
    for m in _NUMBER.finditer(strip_markers(text)):
        raw = m.group("num").replace(",", "")
        unit = m.group("unit") or ""
        scale = _UNIT_SCALE.get(unit, 1.0)
        decimals = len(raw.split(".")[1]) if "." in raw else 0
        value = float(raw) * scale
        if m.group("sign") in ("-", "−"):
            value = -value
        out.append(Number(m.group(0).strip(), value, 0.5 * 10 ** (-decimals) * scale, percent=unit in ("%", "％")))
    return out


def numbers_in_values(values: Iterable[object]) -> list[float]:
    """Plain numeric values (e.g. an insight's `numbers` dict values, report cells)."""
    out: list[float] = []
    for v in values:
        if isinstance(v, bool):
            continue
        if isinstance(v, (int, float)) and math.isfinite(float(v)):
            out.append(float(v))
        elif isinstance(v, str):
            out.extend(n.value for n in extract_numbers(v))
    return out


def supports(n: Number, allowed: Iterable[float]) -> bool:
    """Whether a written number matches an allowed value, allowing for rounding and for a
    fraction written as a percentage (a 0.0234 source written as "2.3%")."""
    candidates = [(n.value, n.tolerance)]
    if n.percent:
        candidates.append((n.value / 100.0, n.tolerance / 100.0))
    for b in allowed:
        for a, tol in candidates:
            if abs(a - b) <= tol + 1e-9 * max(1.0, abs(b)):
                return True
    return False


@dataclass
class SourceNumbers:
    """The numbers each numbered source holds (1-based, as in the prompt)."""

    per_source: dict[int, list[float]]
    extra: list[float] = field(default_factory=list)  # from the question and the conversation
    tokens: dict[int, set[str]] = field(default_factory=dict)  # content words of each source

    @classmethod
    def build(cls, source_texts: Sequence[str], source_values: Sequence[Iterable[object]] = (), extra_texts: Sequence[str] = ()) -> "SourceNumbers":
        per: dict[int, list[float]] = {}
        for i, text in enumerate(source_texts, 1):
            vals = [n.value for n in extract_numbers(text)]
            if i - 1 < len(source_values):
                vals += numbers_in_values(source_values[i - 1])
            per[i] = vals
        extra = [n.value for t in extra_texts for n in extract_numbers(t)]
        return cls(per, extra, {i: content_tokens(t) for i, t in enumerate(source_texts, 1)})

    def all_values(self) -> list[float]:
        return [v for vals in self.per_source.values() for v in vals] + self.extra

    def source_by_overlap(self, sentence: str, min_shared: int = 2) -> int | None:
        """Attribution for a sentence the model left uncited: the source sharing the most
        distinctive content words with it (words in every source, like the product name all
        reviews carry, weigh nothing). None unless one source clearly wins."""
        words = content_tokens(sentence)
        if not words or not self.tokens:
            return None
        n = len(self.tokens)
        df: dict[str, int] = {}
        for toks in self.tokens.values():
            for w in toks & words:
                df[w] = df.get(w, 0) + 1
        scored = []
        for i, toks in self.tokens.items():
            shared = toks & words
            weight = sum(math.log(n / df[w]) for w in shared) if n > 1 else float(len(shared))
            scored.append((weight, len(shared), i))
        scored.sort(key=lambda x: (-x[0], x[2]))
        weight, shared, i = scored[0]
        if shared < min_shared or weight <= 0 or (len(scored) > 1 and scored[1][0] >= weight - 1e-9):
            return None
        return i

    def source_of(self, n: Number, prefer: Sequence[int] = ()) -> int | None:
        """The source holding `n` (the preferred ones first); None if only the question has it."""
        for i in list(prefer) + [i for i in self.per_source if i not in prefer]:
            if supports(n, self.per_source.get(i, [])):
                return i
        return None


@dataclass(frozen=True)
class CheckedDraft:
    text: str  # what the user sees
    cited: tuple[int, ...]  # original source numbers, in the new marker order ([1] = cited[0])
    removed: tuple[str, ...]  # sentences dropped or flagged for an unsupported number
    unsupported: tuple[str, ...]  # the numbers no source backs
    numbers_total: int  # numbers in the kept text
    numbers_backed: int  # of those, backed by a source or the question


_STOP = frozenset(
    "the and for with that this from are was were has have had its their they them what which who how than then "
    "into about based information provided sources source answer question customers customer product products".split()
)


def content_tokens(text: str) -> set[str]:
    """Lower-case English words of 3+ letters (minus common ones) and Chinese character bigrams."""
    low = strip_markers(text).lower()
    words = {w for w in re.findall(r"[a-z][a-z0-9'-]{2,}", low) if w not in _STOP}
    for run in re.findall(r"[\u4e00-\u9fff]+", low):
        words |= {run[i : i + 2] for i in range(len(run) - 1)}
    return words


def split_sentences(text: str) -> list[str]:
    """Sentences with their end punctuation kept, so joining them gives the text back."""
    return [s for s in _SENTENCE.findall(text) if s]


def _markers(sentence: str) -> list[int]:
    out: list[int] = []
    for m in _MARKER.finditer(sentence):
        out += [int(x) for x in re.split(r"\s*[,，、]\s*", m.group(1)) if x]
    return out


def check_draft(
    draft: str,
    numbers: SourceNumbers,
    *,
    n_sources: int,
    mode: Literal["drop", "flag"] = "drop",
    flag_text: str = " ⚠",
) -> CheckedDraft:
    """Drop (or flag) every sentence with a number that no source and not the question holds;
    point each kept numeric sentence at a source that holds its numbers; renumber markers."""
    # list enumerators ("1. ", "2) ", also inline after a sentence end) must not split sentences
    draft = re.sub(r"(?<=[。！？.!?])[ \t]+(\d{1,2})[.)、][ \t]+", lambda m: f"\n{m.group(1)}{_ENUM_DOT} ", draft)
    draft = re.sub(r"(?m)^(\s*)(\d{1,2})[.)、](?=[ \t])", lambda m: f"{m.group(1)}{m.group(2)}{_ENUM_DOT}", draft)
    kept: list[str] = []
    removed: list[str] = []
    unsupported: list[str] = []
    total = backed = 0
    for sentence in split_sentences(draft):
        cited = list(dict.fromkeys(i for i in _markers(sentence) if 1 <= i <= n_sources))
        nums = extract_numbers(sentence)
        bad = [n for n in nums if not supports(n, numbers.all_values())]
        good = [n for n in nums if n not in bad]
        if bad:
            unsupported += [n.text for n in bad]
            removed.append(sentence.strip().replace(_ENUM_DOT, "."))
            if mode == "drop":
                if sentence.endswith("\n"):  # keep the line break, so lists stay lists
                    kept.append("\n")
                continue
        total += len(good)
        backed += len(good)
        refs = cited
        if good:
            # cite the sources that actually hold the sentence's numbers
            holding = [c for c in cited if any(supports(n, numbers.per_source.get(c, [])) for n in good)]
            for n in good:
                src = numbers.source_of(n, prefer=holding or cited)
                if src is not None and src not in holding:
                    holding.append(src)
            refs = holding or cited
        if not refs and sentence.strip():
            by_words = numbers.source_by_overlap(_MARKER.sub("", sentence))
            refs = [by_words] if by_words is not None else []
        body = _MARKER.sub("", sentence)
        body = _append_markers(body, refs, flag_text if bad else "")
        kept.append(body)
    if mode == "flag":
        total += len(unsupported)
    text, order = _renumber("".join(kept).replace(_ENUM_DOT, "."))
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return CheckedDraft(text, tuple(order), tuple(removed), tuple(unsupported), total, backed)


def _append_markers(sentence: str, ids: Sequence[int], flag: str = "") -> str:
    """Put the markers (and a flag) before the sentence's end punctuation and line break."""
    m = re.search(r"([。！？!?.：:]*\s*)$", sentence)
    cut = m.start() if m else len(sentence)
    head = sentence[:cut].rstrip()
    if not head:
        return sentence
    return head + "".join(f"[{i}]" for i in ids) + flag + sentence[cut:]


def _renumber(text: str) -> tuple[str, list[int]]:
    order: list[int] = []

    def repl(m: re.Match) -> str:
        i = int(m.group(1))
        if i not in order:
            order.append(i)
        return f"[{order.index(i) + 1}]"

    return re.sub(r"\[(\d+)\]", repl, text), order
