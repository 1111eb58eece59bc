"""Trend windows and significant drops, on query-layer results (no metric computed here).

default_window_days: 7, or half the span when the log covers less than two weeks (span from
the 1st-percentile day, so stray old timestamps do not stretch it).
significant_drops: from a `conversion_users` change result by item or category (numerators
and denominators per window), the groups whose conversion fell by at least `drop` relative
and `z` standard errors (two-proportion z-test), with enough viewers in both windows.
"""

from __future__ import annotations

import math

DAY_S = 86_400


def default_window_days(engine) -> int:
    b = engine.bounds()
    if not b.rows:
        return 7
    span = int(b.last_day) - int(b.day_quantile(0.01)) + 1
    return 7 if span >= 14 else max(1, span // 2)


def two_proportion_z(x1: int, n1: int, x0: int, n0: int) -> float | None:
    if not n1 or not n0:
        return None
    p1, p0 = x1 / n1, x0 / n0
    pooled = (x1 + x0) / (n1 + n0)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    return None if se == 0 else (p1 - p0) / se


def significant_drops(result, *, min_viewers: int = 20, drop: float = 0.2, z: float = 2.0) -> list[dict]:
    """Rows of a conversion_users change-by result that dropped significantly, largest fall first."""
    out = []
    for r in result.records():
        n1, n0 = r.get("denominator") or 0, r.get("prev_denominator") or 0
        if n1 < min_viewers or n0 < min_viewers or r.get("previous") in (None, 0) or r.get("value") is None:
            continue
        rel = (r["value"] - r["previous"]) / r["previous"]
        zz = two_proportion_z(r["numerator"], n1, r["prev_numerator"], n0)
        if rel <= -drop and zz is not None and zz <= -z:
            out.append({**r, "relative_change": rel, "z": zz})
    return sorted(out, key=lambda r: (r["change"], str(r["key"])))


def significant_count_drops(result, *, min_last: int = 20, drop: float = 0.2, z: float = 2.0) -> list[dict]:
    """Rows of a count change-by result (views, buys) that fell by at least `drop` relative and
    `z` Poisson standard errors, with at least `min_last` in the earlier window."""
    out = []
    for r in result.records():
        v1, v0 = r.get("value") or 0, r.get("previous") or 0
        if v0 < min_last:
            continue
        rel = (v1 - v0) / v0
        zz = (v1 - v0) / math.sqrt(v1 + v0)
        if rel <= -drop and zz <= -z:
            out.append({**r, "relative_change": rel, "z": zz})
    return sorted(out, key=lambda r: (r["relative_change"], str(r["key"])))
