"""Per-user behaviour features (vectorised), shared by segments and the propensity model."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .prepare import BUY, CART, DAY_S, FAV, PV, BehaviorData

FEATURES: tuple[str, ...] = (
    "n_pv", "n_cart", "n_fav", "n_buy", "active_days", "buy_days", "n_items", "n_categories",
    "recency_days", "buy_recency_days", "cart_recency_days", "tenure_days",
    "pv_last1d", "cart_last1d", "fav_last1d", "buy_last1d", "pv_last3d", "cart_last3d", "open_cart_items",
)
_NEVER = 999.0  # recency for "never did it" (tree models and logistic regression both cope)


def _distinct_per_user(user: np.ndarray, codes: np.ndarray, n_codes: int, n_users: int) -> np.ndarray:
    """Number of distinct `codes` (dense, < n_codes) per user code."""
    if len(user) == 0:
        return np.zeros(n_users, dtype=np.int64)
    k = max(n_codes, 1)
    pairs = pd.unique(user * k + codes)
    return np.bincount(pairs // k, minlength=n_users)


def _last_ts(user: np.ndarray, ts: np.ndarray, n_users: int, fill: int) -> np.ndarray:
    out = np.full(n_users, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(out, user, ts)
    out[out == np.iinfo(np.int64).min] = fill
    return out


def user_features(data: BehaviorData, ref_ts: int) -> pd.DataFrame:
    """Features of every user with at least one event before `ref_ts` (events at or after
    `ref_ts` are ignored). Index: user code; columns: FEATURES."""
    m = data.ts < ref_ts
    u, b, ts = data.user[m], data.b[m].astype(np.int64), data.ts[m]
    day = data.day[m] - int(data.day.min())
    (ic, iu), (cc, cu) = data.item_codes, data.category_codes
    ic, cc = ic[m], cc[m]
    n_days = int(data.day.max() - data.day.min()) + 1
    nu = data.n_users
    counts = np.bincount(u * 4 + b, minlength=nu * 4).reshape(nu, 4)
    present = counts.sum(axis=1) > 0
    f = pd.DataFrame(counts, columns=["n_pv", "n_cart", "n_fav", "n_buy"])
    f["active_days"] = _distinct_per_user(u, day, n_days, nu)
    isbuy = b == BUY
    f["buy_days"] = _distinct_per_user(u[isbuy], day[isbuy], n_days, nu)
    f["n_items"] = _distinct_per_user(u, ic, len(iu), nu)
    f["n_categories"] = _distinct_per_user(u, cc, len(cu), nu)
    first = np.full(nu, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, u, ts)
    last = _last_ts(u, ts, nu, ref_ts)
    f["recency_days"] = (ref_ts - last) / DAY_S
    never = ref_ts - int(_NEVER * DAY_S)
    f["buy_recency_days"] = (ref_ts - _last_ts(u[isbuy], ts[isbuy], nu, never)) / DAY_S
    iscart = b == CART
    f["cart_recency_days"] = (ref_ts - _last_ts(u[iscart], ts[iscart], nu, never)) / DAY_S
    f["tenure_days"] = np.where(present, (ref_ts - np.minimum(first, ref_ts)) / DAY_S, 0.0)
    for name, code, days in (("pv_last1d", PV, 1), ("cart_last1d", CART, 1), ("fav_last1d", FAV, 1),
                             ("buy_last1d", BUY, 1), ("pv_last3d", PV, 3), ("cart_last3d", CART, 3)):
        sel = (b == code) & (ts >= ref_ts - days * DAY_S)
        f[name] = np.bincount(u[sel], minlength=nu)
    # items carted and not bought (before ref_ts)
    k = max(len(iu), 1)
    carted = pd.unique(u[iscart] * k + ic[iscart])
    bought = pd.unique(u[isbuy] * k + ic[isbuy])
    open_pairs = carted[~np.isin(carted, bought)]
    f["open_cart_items"] = np.bincount(open_pairs // k, minlength=nu)
    f = f[list(FEATURES)]
    return f[present]
