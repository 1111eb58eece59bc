"""Funnels (view → cart/fav → buy) per product, category, day, and top products.

Definitions (tests recompute them with pandas groupby/nunique):
  viewers/carters/favers/buyers = distinct users with a pv/cart/fav/buy event in the group;
  views/carts/favs/buys = number of such events;
  view_to_cart = carters / viewers, view_to_fav = favers / viewers,
  view_to_buy (the conversion rate) = buyers / viewers, cart_to_buy = buyers / carters
  (NaN where the denominator is 0).
"""

from __future__ import annotations

from typing import Literal, Sequence

import numpy as np
import pandas as pd

from .prepare import BehaviorData, day_to_date, prepare

GroupKey = Literal["item_id", "category_id", "day"]
COUNT_COLUMNS = ("viewers", "carters", "favers", "buyers", "views", "carts", "favs", "buys")
RATE_COLUMNS = ("view_to_cart", "view_to_fav", "view_to_buy", "cart_to_buy")


def _key_array(data: BehaviorData, key: str) -> np.ndarray:
    arrays = {"item_id": data.item, "category_id": data.category, "day": data.day}
    if key not in arrays:
        raise ValueError(f"cannot group by {key!r}: use item_id, category_id or day")
    return arrays[key]


def group_codes(data: BehaviorData, by: str | Sequence[str] | None) -> tuple[np.ndarray, pd.DataFrame]:
    """Dense group codes (sorted by key) and the key frame (one row per group)."""
    cols = [] if by is None else [by] if isinstance(by, str) else list(by)
    if not cols:
        return np.zeros(len(data), dtype=np.int64), pd.DataFrame(index=range(1 if len(data) else 0))
    combined = np.zeros(len(data), dtype=np.int64)
    uniques: list[np.ndarray] = []
    for c in cols:
        codes, uniq = pd.factorize(_key_array(data, c), sort=True)
        combined = combined * len(uniq) + codes
        uniques.append(np.asarray(uniq))
    g, gvals = pd.factorize(combined, sort=True)
    gvals = np.asarray(gvals, dtype=np.int64)
    keys: dict[str, np.ndarray] = {}
    for c, uniq in zip(reversed(cols), reversed(uniques)):
        gvals, idx = np.divmod(gvals, len(uniq))
        keys[c] = uniq[idx]
    return g.astype(np.int64), pd.DataFrame({c: keys[c] for c in cols})


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.full(len(num), np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def funnel_by(behavior: pd.DataFrame | BehaviorData, by: str | Sequence[str] | None = "item_id") -> pd.DataFrame:
    """One funnel row per group (`by`: "item_id", "category_id", "day", a list of them, or None
    for the whole log), sorted by the key. Columns: the key(s) (+ "date" when grouped by day),
    viewers, carters, favers, buyers, views, carts, favs, buys and the rates of the module doc."""
    data = prepare(behavior)
    g, keys = group_codes(data, by)
    ng = len(keys)
    b = data.b.astype(np.int64)
    events = np.bincount(g * 4 + b, minlength=ng * 4).reshape(ng, 4)
    # distinct (group, user, behaviour) triples → distinct users per group and behaviour
    triple = pd.unique((g * data.n_users + data.user) * 4 + b)
    g2, rest = np.divmod(triple, data.n_users * 4)
    users = np.bincount(g2 * 4 + rest % 4, minlength=ng * 4).reshape(ng, 4)
    out = keys.copy()
    if "day" in out.columns:
        out["date"] = [day_to_date(d) for d in out["day"]]
    for i, name in enumerate(("viewers", "carters", "favers", "buyers")):
        out[name] = users[:, i]
    for i, name in enumerate(("views", "carts", "favs", "buys")):
        out[name] = events[:, i]
    out["view_to_cart"] = _ratio(users[:, 1], users[:, 0])
    out["view_to_fav"] = _ratio(users[:, 2], users[:, 0])
    out["view_to_buy"] = _ratio(users[:, 3], users[:, 0])
    out["cart_to_buy"] = _ratio(users[:, 3], users[:, 1])
    return out


TopBy = Literal["buys", "views", "conversion"]


def top_products(
    behavior: pd.DataFrame | BehaviorData,
    by: TopBy = "buys",
    n: int = 10,
    *,
    min_viewers: int = 20,
    funnel: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The top `n` items by buy events, view events, or conversion (view_to_buy, among items with
    at least `min_viewers` viewers). Ties broken by item_id ascending. Adds a 1-based "rank"."""
    f = funnel if funnel is not None else funnel_by(behavior, "item_id")
    if by == "buys":
        f = f[f["buys"] > 0].sort_values(["buys", "item_id"], ascending=[False, True])
    elif by == "views":
        f = f[f["views"] > 0].sort_values(["views", "item_id"], ascending=[False, True])
    elif by == "conversion":
        f = f[f["viewers"] >= min_viewers].sort_values(["view_to_buy", "item_id"], ascending=[False, True])
    else:
        raise ValueError(f"top_products by {by!r}: use buys, views or conversion")
    f = f.head(n).reset_index(drop=True)
    f.insert(0, "rank", np.arange(1, len(f) + 1))
    return f
