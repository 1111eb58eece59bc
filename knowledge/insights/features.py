"""Per-user behaviour features for the propensity model, aggregated by DuckDB (one row per
user, so the model's memory grows with users, not with the log) and handed to pandas/sklearn.

Every feature at a cutoff uses only events strictly before it. `user_features_at` computes
the features at several cutoffs in ONE scan of the log (conditional aggregates per cutoff).
"""

from __future__ import annotations

import pandas as pd

FEATURES: tuple[str, ...] = (
    "n_pv", "n_cart", "n_fav", "n_buy", "active_days", "buy_days", "n_items", "n_categories",
    "recency_days", "buy_recency_days", "cart_recency_days", "tenure_days",
    "pv_last1d", "cart_last1d", "fav_last1d", "buy_last1d", "pv_last3d", "cart_last3d", "open_cart_items",
)
NEVER = 999.0  # recency for "never did it" (tree models and logistic regression both cope)
DAY_S = 86_400


def features_sql(n_cutoffs: int) -> list[str]:
    """One scan per grouping, no DISTINCT aggregates: distinct days / items / categories and open
    carts are counted from per-(user, day), per-(user, item) and per-(user, category) first
    timestamps, so a feature at cutoff c is a count of groups whose first event is before c."""
    cs = [f"$c{k}" for k in range(n_cutoffs)]
    d = DAY_S
    per_user, per_day, per_item, per_cat = [], [], [], []
    for k, r in enumerate(cs):
        w = f"ts < {r}"
        per_user += [
            f"count(*) FILTER (WHERE {w} AND b = 0) AS f{k}_n_pv", f"count(*) FILTER (WHERE {w} AND b = 1) AS f{k}_n_cart",
            f"count(*) FILTER (WHERE {w} AND b = 2) AS f{k}_n_fav", f"count(*) FILTER (WHERE {w} AND b = 3) AS f{k}_n_buy",
            f"({r} - max(ts) FILTER (WHERE {w})) / {d}.0 AS f{k}_recency_days",
            f"coalesce(({r} - max(ts) FILTER (WHERE {w} AND b = 3)) / {d}.0, {NEVER}) AS f{k}_buy_recency_days",
            f"coalesce(({r} - max(ts) FILTER (WHERE {w} AND b = 1)) / {d}.0, {NEVER}) AS f{k}_cart_recency_days",
            f"({r} - min(ts)) / {d}.0 AS f{k}_tenure_days",
            f"count(*) FILTER (WHERE {w} AND b = 0 AND ts >= {r} - {d}) AS f{k}_pv_last1d",
            f"count(*) FILTER (WHERE {w} AND b = 1 AND ts >= {r} - {d}) AS f{k}_cart_last1d",
            f"count(*) FILTER (WHERE {w} AND b = 2 AND ts >= {r} - {d}) AS f{k}_fav_last1d",
            f"count(*) FILTER (WHERE {w} AND b = 3 AND ts >= {r} - {d}) AS f{k}_buy_last1d",
            f"count(*) FILTER (WHERE {w} AND b = 0 AND ts >= {r} - {3 * d}) AS f{k}_pv_last3d",
            f"count(*) FILTER (WHERE {w} AND b = 1 AND ts >= {r} - {3 * d}) AS f{k}_cart_last3d",
        ]
        per_day += [f"count(*) FILTER (WHERE first < {r}) AS f{k}_active_days", f"count(*) FILTER (WHERE first_buy < {r}) AS f{k}_buy_days"]
        per_item += [f"count(*) FILTER (WHERE first < {r}) AS f{k}_n_items",
                     f"count(*) FILTER (WHERE first_cart < {r} AND (first_buy IS NULL OR first_buy >= {r})) AS f{k}_open_cart_items"]
        per_cat += [f"count(*) FILTER (WHERE first < {r}) AS f{k}_n_categories"]
    e = f"(SELECT user, item_id, category_id, behavior AS b, ts FROM behavior WHERE ts < $cmax)"
    # four statements, each one aggregation DuckDB can spill, joined in pandas (one row per user each)
    return [
        f"SELECT user, {', '.join(per_user)} FROM {e} GROUP BY user",
        f"SELECT user, {', '.join(per_day)} FROM (SELECT user, min(ts) AS first, min(ts) FILTER (WHERE b = 3) AS first_buy "
        f"FROM {e} GROUP BY user, ts // {d}) GROUP BY user",
        f"SELECT user, {', '.join(per_item)} FROM (SELECT user, min(ts) AS first, min(ts) FILTER (WHERE b = 1) AS first_cart, "
        f"min(ts) FILTER (WHERE b = 3) AS first_buy FROM {e} GROUP BY user, item_id) GROUP BY user",
        f"SELECT user, {', '.join(per_cat)} FROM (SELECT user, min(ts) AS first FROM {e} GROUP BY user, category_id) GROUP BY user",
    ]


def user_features_at(engine, cutoffs: list[int]) -> list[pd.DataFrame]:
    """Features of every user with at least one event before each cutoff. Index: user pseudonym."""
    params = {f"c{k}": int(c) for k, c in enumerate(cutoffs)}
    params["cmax"] = int(max(cutoffs))
    df = None
    for sql in features_sql(len(cutoffs)):
        part = engine.frame_sql(sql, params).set_index("user")
        df = part if df is None else df.join(part, how="inner")
    df = df.sort_index()
    out = []
    for k in range(len(cutoffs)):
        f = df[[f"f{k}_{c}" for c in FEATURES]]
        f.columns = list(FEATURES)
        f = f[f["n_pv"] + f["n_cart"] + f["n_fav"] + f["n_buy"] > 0].copy()
        for c in FEATURES:
            f[c] = f[c].astype("float64") if c.endswith("_days") else f[c].astype("int64")
        out.append(f)
    return out


def user_features(engine, ref_ts: int) -> pd.DataFrame:
    return user_features_at(engine, [ref_ts])[0]


LABELS_SQL = "SELECT DISTINCT user FROM behavior WHERE behavior = 3 AND ts >= $start AND ts < $end"


def bought_between(engine, start_ts: int, end_ts: int) -> set[str]:
    return {r[0] for r in engine.sql(LABELS_SQL, {"start": int(start_ts), "end": int(end_ts)})}
