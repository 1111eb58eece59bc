"""Recommendations: items often viewed/bought together, and what to promote to a segment.

co_occurrence: a basket is a user (or a user-day); an item is in a basket when the user had
one of `behaviors` on it. For each ordered pair a → b of distinct items:
  count = baskets holding both, support = count / n_baskets,
  confidence = count / count_a, lift = count * n_baskets / (count_a * count_b)
where count_a = baskets holding a and n_baskets = baskets holding any item.
"""

from __future__ import annotations

from typing import Literal, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .funnel import funnel_by
from .prepare import BEHAVIORS, BUY, BehaviorData, prepare

Basket = Literal["user", "user_day"]
PAIR_COLUMNS = ["item_a", "item_b", "count", "count_a", "count_b", "n_baskets", "support", "confidence", "lift"]


def co_occurrence(
    behavior: pd.DataFrame | BehaviorData,
    *,
    behaviors: Sequence[str] = ("buy",),
    basket: Basket = "user",
    min_count: int = 2,
    top_items: int = 5000,
    n: int | None = None,
) -> pd.DataFrame:
    """Item pairs seen together in at least `min_count` baskets, sorted by count desc, lift
    desc, then item ids. Only the `top_items` items in most baskets are paired (bounds the cost
    on long-tail catalogues); counts of the pairs reported are exact."""
    data = prepare(behavior)
    codes = [BEHAVIORS.index(x) for x in behaviors]
    m = np.isin(data.b, codes)
    if basket == "user":
        bk = data.user[m]
    elif basket == "user_day":
        bk = data.user[m] * (int(data.day.max()) + 1) + data.day[m]
    else:
        raise ValueError(f"basket {basket!r}: use user or user_day")
    bc, baskets = pd.factorize(bk)
    ic, items = pd.factorize(data.item[m])
    n_items = max(len(items), 1)
    pairs = pd.unique(bc.astype(np.int64) * n_items + ic)
    pb, pi = np.divmod(pairs, n_items)
    n_baskets = len(baskets)  # every basket holds at least one item
    item_count = np.bincount(pi, minlength=len(items))
    keep_order = np.lexsort((np.asarray(items), -item_count))[:top_items]
    keep = np.zeros(len(items), dtype=bool)
    keep[keep_order] = True
    sel = keep[pi]
    if not sel.any():
        return pd.DataFrame(columns=PAIR_COLUMNS)
    col = np.full(len(items), -1, dtype=np.int64)
    col[keep_order] = np.arange(len(keep_order))
    x = sp.csr_matrix((np.ones(int(sel.sum()), dtype=np.int32), (pb[sel], col[pi[sel]])), shape=(int(pb.max()) + 1, len(keep_order)))
    c = (x.T @ x).tocoo()
    ok = (c.row != c.col) & (c.data >= min_count)
    a_idx, b_idx, cnt = keep_order[c.row[ok]], keep_order[c.col[ok]], c.data[ok].astype(np.int64)
    ca, cb = item_count[a_idx].astype(np.int64), item_count[b_idx].astype(np.int64)
    out = pd.DataFrame({
        "item_a": np.asarray(items)[a_idx].astype(np.int64),
        "item_b": np.asarray(items)[b_idx].astype(np.int64),
        "count": cnt, "count_a": ca, "count_b": cb, "n_baskets": n_baskets,
    })
    out["support"] = out["count"] / n_baskets
    out["confidence"] = out["count"] / out["count_a"]
    out["lift"] = out["count"] * n_baskets / (out["count_a"] * out["count_b"])
    out = out.sort_values(["count", "lift", "item_a", "item_b"], ascending=[False, False, True, True])
    out = out.reset_index(drop=True)
    return out.head(n) if n else out


def promote_to_segments(
    behavior: pd.DataFrame | BehaviorData,
    user_segs: pd.DataFrame,
    *,
    n: int = 5,
    min_viewers: int = 20,
    funnel: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """What to promote to each segment: items the segment's users viewed/carted/favourited but
    did not buy, ranked by expected_buyers = interested_users × the item's conversion
    (view_to_buy over all users; items with at least `min_viewers` viewers).
    Columns: segment, rank, item_id, category_id, interested_users, conversion, expected_buyers."""
    data = prepare(behavior)
    f = funnel if funnel is not None else funnel_by(data, "item_id")
    conv = f.loc[f["viewers"] >= min_viewers, ["item_id", "view_to_buy"]]
    conv = conv[conv["view_to_buy"] > 0]
    ic, items = pd.factorize(data.item)
    k = max(len(items), 1)
    ui = data.user * k + ic
    isbuy = data.b == BUY
    engaged = pd.unique(ui[~isbuy])
    bought = pd.unique(ui[isbuy])
    interested = engaged[~np.isin(engaged, bought)]
    seg_codes = np.full(data.n_users, -1, dtype=np.int64)
    seg_codes[user_segs["code"].to_numpy()] = user_segs["segment"].cat.codes.to_numpy()
    u_i, i_i = np.divmod(interested, k)
    df = pd.DataFrame({"seg": seg_codes[u_i], "item_id": np.asarray(items)[i_i]})
    df = df[df["seg"] >= 0].value_counts().rename("interested_users").reset_index()
    df = df.merge(conv, on="item_id", how="inner").rename(columns={"view_to_buy": "conversion"})
    df["expected_buyers"] = df["interested_users"] * df["conversion"]
    df = df.sort_values(["seg", "expected_buyers", "item_id"], ascending=[True, False, True])
    df = df.groupby("seg", sort=True).head(n).copy()
    cats = pd.Series(data.category, index=data.item).groupby(level=0).first()
    df["category_id"] = cats.reindex(df["item_id"]).to_numpy()
    df["segment"] = user_segs["segment"].cat.categories[df["seg"].to_numpy()]
    df["rank"] = df.groupby("seg").cumcount() + 1
    return df[["segment", "rank", "item_id", "category_id", "interested_users", "conversion", "expected_buyers"]].reset_index(drop=True)
