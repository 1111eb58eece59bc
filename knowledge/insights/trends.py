"""Week-over-week trends: the last `window_days` days against the `window_days` before them.

Per group (item, category, or the whole log): views/buys events, viewers/buyers and the
conversion (buyers / viewers) in each window; changes (relative for counts, absolute for
conversion); z-scores (Poisson for counts, two-proportion for conversion); and a
`significant_drop` flag: enough volume last window AND a relative drop of at least
`drop_threshold` that is also at least `z` standard errors.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from .funnel import _ratio, funnel_by
from .prepare import BehaviorData, day_to_date, prepare, subset


def trend_windows(data: BehaviorData, window_days: int | None = None) -> tuple[int, int]:
    """(last day, window length). Without `window_days`: 7, or half the span when the log
    covers less than two weeks (span measured from the 1st percentile day: stray old
    timestamps do not stretch it)."""
    end = int(data.day.max())
    if window_days:
        return end, int(window_days)
    start = int(np.quantile(data.day, 0.01))
    span = end - start + 1
    return end, 7 if span >= 14 else max(1, span // 2)


def weekly_trends(
    behavior: pd.DataFrame | BehaviorData,
    by: str | Sequence[str] | None = "item_id",
    *,
    window_days: int | None = None,
    min_views: int = 20,
    min_buys: int = 5,
    drop_threshold: float = 0.2,
    z: float = 2.0,
) -> pd.DataFrame:
    """One row per group seen in either window; see the module doc for the columns."""
    data = prepare(behavior)
    if len(data) == 0:
        return pd.DataFrame()
    end, w = trend_windows(data, window_days)
    this = funnel_by(subset(data, (data.day > end - w) & (data.day <= end)), by)
    last = funnel_by(subset(data, (data.day > end - 2 * w) & (data.day <= end - w)), by)
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    cols = ["views", "buys", "viewers", "buyers"]
    if keys:
        t = this.merge(last[keys + cols], on=keys, how="outer", suffixes=("_this", "_last"), sort=True)
        t = t[keys + [c + s for c in cols for s in ("_this", "_last")]]
    else:
        t = pd.DataFrame({c + s: [int(f[c].sum()) if len(f) else 0] for c in cols for s, f in (("_this", this), ("_last", last))})
    for c in t.columns:
        if c not in keys:
            t[c] = t[c].fillna(0).astype(np.int64)
    t.insert(len(keys), "window_days", w)
    t.insert(len(keys) + 1, "this_start", day_to_date(end - w + 1))
    t.insert(len(keys) + 2, "this_end", day_to_date(end))
    v1, v0 = t["views_this"].to_numpy(), t["views_last"].to_numpy()
    b1, b0 = t["buys_this"].to_numpy(), t["buys_last"].to_numpy()
    u1, u0 = t["viewers_this"].to_numpy(), t["viewers_last"].to_numpy()
    p1, p0 = t["buyers_this"].to_numpy(), t["buyers_last"].to_numpy()
    t["conv_this"] = _ratio(p1, u1)
    t["conv_last"] = _ratio(p0, u0)
    t["views_change"] = _ratio(v1 - v0, v0)
    t["buys_change"] = _ratio(b1 - b0, b0)
    t["conv_change"] = t["conv_this"] - t["conv_last"]
    t["views_z"] = _ratio(v1 - v0, np.sqrt(v1 + v0))
    t["buys_z"] = _ratio(b1 - b0, np.sqrt(b1 + b0))
    pooled = _ratio(p1 + p0, u1 + u0)
    se = np.sqrt(pooled * (1 - pooled) * (_ratio(np.ones(len(t)), u1) + _ratio(np.ones(len(t)), u0)))
    t["conv_z"] = _ratio(t["conv_change"].to_numpy(), se)
    views_drop = (v0 >= min_views) & (t["views_change"] <= -drop_threshold) & (t["views_z"] <= -z)
    buys_drop = (b0 >= min_buys) & (t["buys_change"] <= -drop_threshold) & (t["buys_z"] <= -z)
    rel_conv = t["conv_change"] / t["conv_last"]
    conv_drop = (u0 >= min_views) & (u1 >= min_views) & (rel_conv <= -drop_threshold) & (t["conv_z"] <= -z)
    t["significant_drop"] = (views_drop | buys_drop | conv_drop).fillna(False).astype(bool)
    return t.reset_index(drop=True)
