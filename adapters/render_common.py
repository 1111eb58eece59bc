"""Splitting long text at sensible boundaries, shared by the Slack and Telegram renderers."""

from __future__ import annotations

import re
from typing import Callable

# Preferred cut points, best first: paragraph, line, sentence end (Latin and CJK), clause, word.
_BOUNDARIES = (
    re.compile(r"\n\s*\n"),
    re.compile(r"\n"),
    re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])"),
    re.compile(r"(?<=[,;:，；：、])\s*"),
    re.compile(r"\s+"),
)


def split_text(text: str, limit: int, *, measure: Callable[[str], int] = len) -> list[str]:
    """Cut `text` into pieces whose `measure` is ≤ `limit`, at the best boundary available.

    `measure` is the size the platform counts (e.g. the length after escaping), so a piece
    that grows when rendered still fits. Whitespace at a cut is dropped; nothing else is.
    """
    if limit <= 0:
        raise ValueError("limit must be positive")
    text = text.strip()
    pieces: list[str] = []
    while text:
        if measure(text) <= limit:
            pieces.append(text)
            break
        fit = _longest_prefix(text, limit, measure)
        cut_start, cut_end = _best_cut(text, fit)
        piece = text[:cut_start].rstrip()
        if not piece:  # a single unbreakable run longer than the limit: hard cut
            piece, cut_end = text[:fit], fit
        pieces.append(piece)
        text = text[cut_end:].lstrip()
    return pieces


def _longest_prefix(text: str, limit: int, measure: Callable[[str], int]) -> int:
    """Largest n with measure(text[:n]) ≤ limit (binary search; measure grows with n)."""
    lo, hi = 1, min(len(text), limit)
    if measure(text[:hi]) <= limit:
        return hi
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if measure(text[:mid]) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return max(1, lo)


def _best_cut(text: str, fit: int) -> tuple[int, int]:
    """(end of the piece, start of the rest) of the best boundary inside text[:fit+1].

    A boundary in the first third is not taken when a weaker one sits later: pieces stay
    reasonably full instead of cutting a 4000-char window after 30 characters.
    """
    window = text[: fit + 1]
    floor = fit // 3
    for pattern in _BOUNDARIES:
        last = None
        for m in pattern.finditer(window):
            if m.start() > 0 and m.start() <= fit:
                last = m
        if last is not None and last.start() >= floor:
            return last.start(), last.end()
    return fit, fit


def truncate(text: str, limit: int, *, ellipsis: str = "…") -> str:
    """`text` cut to at most `limit` characters, marked with an ellipsis when cut."""
    return text if len(text) <= limit else text[: max(0, limit - len(ellipsis))].rstrip() + ellipsis


def interrupted_text(lang: str) -> str:
    """What replaces a reply that a shutdown cut off (the event is left unrecorded, so asking again works)."""
    if lang == "zh":
        return "⚠️ 回答被中断：服务在回答完成前重启了。请重新提问。"
    return "⚠️ Interrupted — the service restarted before this answer was finished. Please ask again."


def queue_text(position: int, lang: str) -> str:
    """What a person waiting for the model sees: their place in line (1 = next)."""
    if lang == "zh":
        return f"⏳ 现在有点忙：您排在第 {position} 位，回答会出现在这里。"
    return f"⏳ Busy right now: you are #{position} in line — your answer will appear here."
