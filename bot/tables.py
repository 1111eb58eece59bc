"""Compact monospace tables for chat replies (CJK characters count double)."""

from __future__ import annotations

import math
import unicodedata
from typing import Any, Sequence


def fmt_cell(v: Any) -> str:
    """Numbers as people read them: integers with thousands separators, rates as percentages
    are formatted by the caller; other floats with up to 4 significant digits."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int) or (hasattr(v, "dtype") and getattr(v.dtype, "kind", "") in "iu"):
        return f"{int(v):,}"
    if isinstance(v, float) or (hasattr(v, "dtype") and getattr(v.dtype, "kind", "") == "f"):
        f = float(v)
        if math.isnan(f):
            return "–"
        if f.is_integer() and abs(f) >= 1000:
            return f"{int(f):,}"
        return f"{f:.4g}"
    return str(v)


def pct(x: float, digits: int = 2) -> str:
    """0.0234 → "2.34%" (NaN → "–")."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{100.0 * float(x):.{digits}f}%"


def width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def render(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    cells = [[fmt_cell(c) for c in r] for r in rows]
    widths = [width(h) for h in headers]
    for r in cells:
        for i, c in enumerate(r):
            widths[i] = max(widths[i], width(c))

    def line(row: Sequence[str]) -> str:
        return "  ".join(c + " " * (w - width(c)) for c, w in zip(row, widths)).rstrip()

    return "\n".join([line(list(headers)), line(["-" * w for w in widths])] + [line(r) for r in cells])
