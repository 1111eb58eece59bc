"""User segments from behaviour, by explicit rules (so anyone can recompute them).

Rules, applied in this order (first match wins), with `recency_days` counted from the end
of the log (the last event's day + 1, in days):
  dormant          no event in the last `dormant_days` days
  loyal_buyers     bought on 2 or more distinct days
  one_time_buyers  bought on exactly 1 day (new / one-time buyers)
  cart_abandoners  no purchase, at least one cart event
  window_shoppers  no purchase, no cart (views and favourites only)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .features import user_features
from .prepare import BUY, CART, DAY_S, PV, BehaviorData, prepare

SEGMENTS: tuple[str, ...] = ("loyal_buyers", "one_time_buyers", "cart_abandoners", "window_shoppers", "dormant")
SEGMENT_LABELS: dict[str, str] = {
    "loyal_buyers": "loyal buyers",
    "one_time_buyers": "new/one-time buyers",
    "cart_abandoners": "cart abandoners",
    "window_shoppers": "window-shoppers",
    "dormant": "dormant users",
}


def log_end_ts(data: BehaviorData) -> int:
    """End of the log: midnight (UTC) after the last event's day."""
    return (int(data.day.max()) + 1) * DAY_S


def default_dormant_days(data: BehaviorData) -> int:
    """7 days on logs of 4 weeks or more; a quarter of the span (at least 1) on shorter ones."""
    span = int(data.day.max()) - int(np.quantile(data.day, 0.01)) + 1
    return 7 if span >= 28 else max(1, span // 4)


def user_segments(behavior: pd.DataFrame | BehaviorData, *, dormant_days: int | None = None) -> pd.DataFrame:
    """One row per user: user (pseudonym), segment, code (internal user code) and the features
    the rules used. `.attrs["dormant_days"]` holds the threshold used."""
    return user_segments_and_features(behavior, dormant_days=dormant_days)[0]


def user_segments_and_features(
    behavior: pd.DataFrame | BehaviorData, *, dormant_days: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """user_segments plus the user_features at the end of the log they came from."""
    data = prepare(behavior)
    if len(data) == 0:
        return pd.DataFrame(columns=["user", "segment", "code"]), pd.DataFrame()
    dd = dormant_days if dormant_days is not None else default_dormant_days(data)
    f = user_features(data, log_end_ts(data))
    seg = np.select(
        [f["recency_days"].to_numpy() > dd, f["buy_days"].to_numpy() >= 2, f["buy_days"].to_numpy() == 1, f["n_cart"].to_numpy() > 0],
        ["dormant", "loyal_buyers", "one_time_buyers", "cart_abandoners"],
        default="window_shoppers",
    )
    out = pd.DataFrame({"user": data.users[f.index.to_numpy()], "segment": pd.Categorical(seg, categories=list(SEGMENTS))})
    out["code"] = f.index.to_numpy()
    for c in ("n_pv", "n_cart", "n_fav", "n_buy", "buy_days", "recency_days"):
        out[c] = f[c].to_numpy()
    out = out.reset_index(drop=True)
    out.attrs["dormant_days"] = dd
    return out, f


def _top_per_segment(seg_of_event: np.ndarray, key: np.ndarray, nseg: int, top: int) -> list[list[tuple[int, int]]]:
    """For each segment: the `top` (key, events) pairs by events desc, key asc."""
    if len(key) == 0:
        return [[] for _ in range(nseg)]
    vc = pd.DataFrame({"s": seg_of_event, "k": key}).value_counts().reset_index(name="n")
    vc = vc.sort_values(["s", "n", "k"], ascending=[True, False, True])
    out: list[list[tuple[int, int]]] = [[] for _ in range(nseg)]
    for s, grp in vc.groupby("s", sort=True):
        out[int(s)] = [(int(k), int(n)) for k, n in zip(grp["k"].head(top), grp["n"].head(top))]
    return out


def segments(
    behavior: pd.DataFrame | BehaviorData,
    *,
    dormant_days: int | None = None,
    top: int = 3,
    user_segs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per segment (all five, in SEGMENTS order): users, share (of all users), buyers,
    events, buys, and what they buy: top categories / items by buy events (by cart events for
    segments without purchases, by views when there are no carts either); `top_by` says which."""
    data = prepare(behavior)
    us = user_segs if user_segs is not None else user_segments(data, dormant_days=dormant_days)
    n_users = len(us)
    seg_codes = np.full(data.n_users, -1, dtype=np.int64)
    seg_codes[us["code"].to_numpy()] = us["segment"].cat.codes.to_numpy()
    ev_seg = seg_codes[data.user]
    rows = []
    tops = {}
    for code, basis in ((BUY, "buy"), (CART, "cart"), (PV, "pv")):
        m = data.b == code
        tops[basis] = (
            _top_per_segment(ev_seg[m], data.category[m], len(SEGMENTS), top),
            _top_per_segment(ev_seg[m], data.item[m], len(SEGMENTS), top),
        )
    events = np.bincount(ev_seg, minlength=len(SEGMENTS))
    buys = np.bincount(ev_seg[data.b == BUY], minlength=len(SEGMENTS))
    for i, name in enumerate(SEGMENTS):
        members = us[us["segment"] == name]
        basis = next((b for b in ("buy", "cart", "pv") if tops[b][0][i]), "buy")
        cats, items = tops[basis][0][i], tops[basis][1][i]
        rows.append({
            "segment": name,
            "label": SEGMENT_LABELS[name],
            "users": int(len(members)),
            "share": len(members) / n_users if n_users else float("nan"),
            "buyers": int((members["n_buy"] > 0).sum()),
            "events": int(events[i]),
            "buys": int(buys[i]),
            "top_by": basis,
            "top_categories": [c for c, _ in cats],
            "top_category_events": [n for _, n in cats],
            "top_items": [c for c, _ in items],
            "top_item_events": [n for _, n in items],
        })
    out = pd.DataFrame(rows)
    out.attrs["dormant_days"] = us.attrs.get("dormant_days")
    return out
