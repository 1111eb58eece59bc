"""Per-user behaviour features for the propensity model, aggregated by DuckDB (one row per
user, so the model's memory grows with users, not with the log) and handed to pandas/sklearn.

Every feature uses only events strictly before `ref_ts`.
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

FEATURES_SQL = f"""
WITH e AS (SELECT user, item_id, category_id, behavior AS b, ts, ts // {DAY_S} AS day FROM behavior WHERE ts < $ref),
oc AS (SELECT user, count(*) AS open_cart_items FROM (
         SELECT user, item_id, bool_or(b = 1) AS carted, bool_or(b = 3) AS bought FROM e GROUP BY user, item_id)
       WHERE carted AND NOT bought GROUP BY user),
f AS (SELECT user,
  count(*) FILTER (WHERE b = 0) AS n_pv, count(*) FILTER (WHERE b = 1) AS n_cart,
  count(*) FILTER (WHERE b = 2) AS n_fav, count(*) FILTER (WHERE b = 3) AS n_buy,
  count(DISTINCT day) AS active_days, count(DISTINCT day) FILTER (WHERE b = 3) AS buy_days,
  count(DISTINCT item_id) AS n_items, count(DISTINCT category_id) AS n_categories,
  ($ref - max(ts)) / {DAY_S}.0 AS recency_days,
  coalesce(($ref - max(ts) FILTER (WHERE b = 3)) / {DAY_S}.0, {NEVER}) AS buy_recency_days,
  coalesce(($ref - max(ts) FILTER (WHERE b = 1)) / {DAY_S}.0, {NEVER}) AS cart_recency_days,
  ($ref - min(ts)) / {DAY_S}.0 AS tenure_days,
  count(*) FILTER (WHERE b = 0 AND ts >= $ref - {DAY_S}) AS pv_last1d,
  count(*) FILTER (WHERE b = 1 AND ts >= $ref - {DAY_S}) AS cart_last1d,
  count(*) FILTER (WHERE b = 2 AND ts >= $ref - {DAY_S}) AS fav_last1d,
  count(*) FILTER (WHERE b = 3 AND ts >= $ref - {DAY_S}) AS buy_last1d,
  count(*) FILTER (WHERE b = 0 AND ts >= $ref - {3 * DAY_S}) AS pv_last3d,
  count(*) FILTER (WHERE b = 1 AND ts >= $ref - {3 * DAY_S}) AS cart_last3d
  FROM e GROUP BY user)
SELECT f.*, coalesce(oc.open_cart_items, 0) AS open_cart_items FROM f LEFT JOIN oc USING (user) ORDER BY user
"""

LABELS_SQL = "SELECT DISTINCT user FROM behavior WHERE behavior = 3 AND ts >= $start AND ts < $end"


def user_features(engine, ref_ts: int) -> pd.DataFrame:
    """Features of every user with at least one event before `ref_ts`. Index: user pseudonym."""
    rows = engine.sql(FEATURES_SQL, {"ref": int(ref_ts)})
    f = pd.DataFrame(rows, columns=["user", *[c for c in FEATURES if c != "open_cart_items"], "open_cart_items"])
    f = f.set_index("user")
    for c in FEATURES:
        f[c] = f[c].astype("float64") if c.endswith("_days") else f[c].astype("int64")
    return f[list(FEATURES)]


def bought_between(engine, start_ts: int, end_ts: int) -> set[str]:
    return {r[0] for r in engine.sql(LABELS_SQL, {"start": int(start_ts), "end": int(end_ts)})}
