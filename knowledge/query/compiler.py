"""A validated QuerySpec → one SQL statement (+ parameters) for DuckDB.

Tables the SQL reads (the engine creates them):
  behavior(user VARCHAR, item_id BIGINT, category_id BIGINT, behavior TINYINT 0 pv/1 cart/2 fav/3 buy, ts BIGINT)
  user_segment(user, segment)       the rules of knowledge/insights/segments.py, in SQL (built on demand)
  reviews(id, text, rating, label, product, category, date, user, lang, sentiment)
  review_aspects(review_id, aspect)

Every metric is a numerator and (for ratios) a denominator over "base" quantities. Base
quantities that count events are aggregated straight from the events; those that count
distinct users (viewers, cart users who bought, repeat buyers, …) go through a per-(group,
user) table first, so "cart→buy" is the share of the group's cart users who bought in the
group — never all buyers over all cart users.

The compiler knows nothing of the data: the engine resolves the period to timestamps and
names to ids before calling it (see `Scope`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..aspects import aspect_concept

DAY_S = 86_400

# base quantity → (SQL over the events `ev`, or None when it needs the per-user table; SQL over `u`)
BEHAVIOR_BASE: dict[str, tuple[str | None, str]] = {
    "views": ("count(*) FILTER (WHERE behavior = 0)", "sum(pv)"),
    "carts": ("count(*) FILTER (WHERE behavior = 1)", "sum(cart)"),
    "favs": ("count(*) FILTER (WHERE behavior = 2)", "sum(fav)"),
    "buys": ("count(*) FILTER (WHERE behavior = 3)", "sum(buy)"),
    "events": ("count(*)", "sum(pv + cart + fav + buy)"),
    "users": (None, "count(*)"),
    "viewers": (None, "count(*) FILTER (WHERE pv > 0)"),
    "carters": (None, "count(*) FILTER (WHERE cart > 0)"),
    "favers": (None, "count(*) FILTER (WHERE fav > 0)"),
    "buyers": (None, "count(*) FILTER (WHERE buy > 0)"),
    "cart_buyers": (None, "count(*) FILTER (WHERE cart > 0 AND buy > 0)"),
    "fav_buyers": (None, "count(*) FILTER (WHERE fav > 0 AND buy > 0)"),
    "repeat_buyers": (None, "count(*) FILTER (WHERE buy >= 2)"),
    "cart_no_buy": (None, "count(*) FILTER (WHERE cart > 0 AND buy = 0)"),
}

REVIEW_BASE: dict[str, str] = {
    "reviews": "count(DISTINCT r.id)",
    "rated": "count(DISTINCT r.id) FILTER (WHERE r.rating IS NOT NULL)",
    "rating_sum": "sum(r.rating)",
    "positive": "count(DISTINCT r.id) FILTER (WHERE r.sentiment = 'pos')",
    "negative": "count(DISTINCT r.id) FILTER (WHERE r.sentiment = 'neg')",
    "mentioning": "count(DISTINCT a.review_id)",
}


@dataclass(frozen=True)
class MetricSQL:
    numerator: str
    denominator: str | None = None
    support_default: int = 1  # top/bottom: at least this many units of the denominator (of the value for counts)


METRIC_SQL: dict[str, MetricSQL] = {
    **{m: MetricSQL(m) for m in ("views", "carts", "favs", "buys", "events", "users", "viewers", "carters", "favers", "buyers")},
    "cart_no_buy_users": MetricSQL("cart_no_buy"),
    "conversion_events": MetricSQL("buys", "views", 100),
    "conversion_users": MetricSQL("buyers", "viewers", 20),
    "view_to_cart": MetricSQL("carters", "viewers", 20),
    "view_to_fav": MetricSQL("favers", "viewers", 20),
    "cart_to_buy": MetricSQL("cart_buyers", "carters", 10),
    "fav_to_buy": MetricSQL("fav_buyers", "favers", 10),
    "cart_abandonment": MetricSQL("cart_no_buy", "carters", 10),
    "repeat_buyer_share": MetricSQL("repeat_buyers", "buyers", 10),
    "purchases_per_buyer": MetricSQL("buys", "buyers", 10),
    "views_per_viewer": MetricSQL("views", "viewers", 10),
    "events_per_user": MetricSQL("events", "users", 10),
    # co-occurrence: distinct users with both items (see compile_pairs)
    "bought_together": MetricSQL("pair_users", None, 2),
    "viewed_together": MetricSQL("pair_users", None, 2),
    # reviews
    "reviews": MetricSQL("reviews"),
    "avg_rating": MetricSQL("rating_sum", "rated", 5),
    "positive_share": MetricSQL("positive", "reviews", 5),
    "negative_share": MetricSQL("negative", "reviews", 5),
    "aspect_mentions": MetricSQL("mentioning"),
}

# the layer metric a base quantity is, for facts about numerators/denominators
BASE_AS_METRIC: dict[str, str] = {
    "views": "views", "carts": "carts", "favs": "favs", "buys": "buys", "events": "events", "users": "users",
    "viewers": "viewers", "carters": "carters", "favers": "favers", "buyers": "buyers", "cart_no_buy": "cart_no_buy_users",
    "reviews": "reviews",
}

# dimension → SQL key over the events (behaviour) or over reviews r / aspects a
BEHAVIOR_KEYS: dict[str, str] = {
    "item": "item_id",
    "category": "category_id",
    "day": "day",
    "week": "(day - (day + 3) % 7)",  # the Monday (day 0 = 1970-01-01, a Thursday)
    "hour": "((ts % 86400) // 3600)",
    "weekday": "((day + 3) % 7)",  # 0 Monday … 6 Sunday
    "segment": "segment",
}
REVIEW_KEYS: dict[str, str] = {
    "review_category": "r.category",
    "review_product": "r.product",
    "review_lang": "r.lang",
    "sentiment": "r.sentiment",
    "aspect": "a.aspect",
}
TIME_DIMS = ("day", "week", "hour", "weekday")
# dimensions cut to `limit` rows in a breakdown (the others are short by nature)
LONG_DIMS = ("item", "category", "review_product", "review_category", "aspect")


@dataclass(frozen=True)
class Scope:
    """What the engine resolved: the window(s) in ts (behaviour) or dates (reviews), and the
    filter values as SQL-ready lists (ids as ints, segments/dates as text)."""

    start: int | str | None = None  # inclusive (ts or 'YYYY-MM-DD')
    end: int | str | None = None  # exclusive ts, or inclusive date
    prev_start: int | str | None = None  # op=change: the window before
    filters: tuple[tuple[str, tuple], ...] = ()  # (dim, values)


@dataclass
class Compiled:
    sql: str
    params: list = field(default_factory=list)
    two_level: bool = False
    columns: tuple[str, ...] = ()


def metric_sql(metric: str) -> MetricSQL:
    return METRIC_SQL[metric]


def _filter_sql(dim: str, values: tuple, params: list, source: str) -> str:
    if dim == "aspect":  # a lexicon word ("续航", "售后") filters by the aspect it counts under
        values = tuple(dict.fromkeys(v for x in values for v in (x, aspect_concept(str(x)))))
    ph = ", ".join("?" for _ in values)
    params.extend(values)
    if source == "behavior":
        if dim == "segment":
            return f"user IN (SELECT user FROM user_segment WHERE segment IN ({ph}))"
        if dim == "day":
            return f"day IN ({ph})"
        return f"{BEHAVIOR_KEYS[dim]} IN ({ph})"
    return f"{REVIEW_KEYS[dim]} IN ({ph})"


def compile_behavior(metric: str, op: str, by: str | None, scope: Scope, *, extra_metrics: tuple[str, ...] = ()) -> Compiled:
    """SQL returning one row per group: key, then per window (cur, and prev for op=change) the
    numerator and denominator of `metric` (and of `extra_metrics`, for run_many)."""
    metrics = (metric, *[m for m in extra_metrics if m != metric])
    bases: list[str] = []
    for m in metrics:
        ms = METRIC_SQL[m]
        for b in (ms.numerator, ms.denominator):
            if b and b not in bases:
                bases.append(b)
    two_level = any(BEHAVIOR_BASE[b][0] is None for b in bases)
    key = BEHAVIOR_KEYS[by] if by else "0"
    join_seg = by == "segment"
    params: list = []
    sel_w = ""
    if op == "change":
        sel_w = ", CASE WHEN ts >= ? THEN 1 ELSE 0 END AS w"
        params.append(int(scope.start))
    inner = []  # on the stored columns (pushed down to the Parquet scan)
    lo = scope.prev_start if op == "change" else scope.start
    if lo is not None:
        inner.append("ts >= ?")
        params.append(int(lo))
    if scope.end is not None:
        inner.append("ts < ?")
        params.append(int(scope.end))
    outer = [_filter_sql(dim, values, params, "behavior") for dim, values in scope.filters]
    ev_sql = (f"SELECT user, item_id, category_id, behavior, ts, ts // {DAY_S} AS day{sel_w}"
              f"{', s.segment' if join_seg else ''} FROM behavior"
              f"{' JOIN user_segment s USING (user)' if join_seg else ''}"
              f" WHERE {' AND '.join(inner) or 'TRUE'}")
    if outer:
        ev_sql = f"SELECT * FROM ({ev_sql}) WHERE {' AND '.join(outer)}"
    all_params = params
    gw = ", w" if op == "change" else ""
    if two_level:
        u = (f"SELECT {key} AS k{gw}, user, count(*) FILTER (WHERE behavior = 0) AS pv, count(*) FILTER (WHERE behavior = 1) AS cart, "
             f"count(*) FILTER (WHERE behavior = 2) AS fav, count(*) FILTER (WHERE behavior = 3) AS buy FROM ev GROUP BY ALL")
        agg_cols = ", ".join(f"{BEHAVIOR_BASE[b][1]} AS {b}" for b in bases)
        agg = f"SELECT k{gw}, {agg_cols} FROM u GROUP BY ALL"
        ctes = f"WITH ev AS ({ev_sql}),\nu AS ({u}),\nagg AS ({agg})"
    else:
        agg_cols = ", ".join(f"{BEHAVIOR_BASE[b][0]} AS {b}" for b in bases)
        ctes = f"WITH ev AS ({ev_sql}),\nagg AS (SELECT {key} AS k{gw}, {agg_cols} FROM ev GROUP BY ALL)"
    sql, columns = _final_select(ctes, bases, op)
    return Compiled(sql, all_params, two_level, columns)


def compile_reviews(metric: str, op: str, by: str | None, scope: Scope) -> Compiled:
    ms = METRIC_SQL[metric]
    bases = [b for b in (ms.numerator, ms.denominator) if b]
    needs_aspects = metric == "aspect_mentions" or by == "aspect" or any(d == "aspect" for d, _ in scope.filters)
    params: list = []
    where = []
    w_sel = ""
    if op == "change":
        w_sel = ", CASE WHEN r.date >= ? THEN 1 ELSE 0 END"
        params.append(scope.start)
    lo = scope.prev_start if op == "change" else scope.start
    if lo is not None:
        where.append("r.date >= ?")
        params.append(lo)
    if scope.end is not None:
        where.append("r.date <= ?")
        params.append(scope.end)
    for dim, values in scope.filters:
        where.append(_filter_sql(dim, values, params, "reviews"))
    if by:
        where.append(f"{REVIEW_KEYS[by]} <> ''")
    key = REVIEW_KEYS[by] if by else "''"
    join = " JOIN review_aspects a ON a.review_id = r.id" if needs_aspects else ""
    cols = ", ".join(f"{REVIEW_BASE[b]} AS {b}" for b in bases)
    ctes = (f"WITH agg AS (SELECT {key} AS k{w_sel}{' AS w' if w_sel else ''}, {cols} FROM reviews r{join}"
            f" WHERE {' AND '.join(where) or 'TRUE'} GROUP BY ALL)")
    sql, columns = _final_select(ctes, bases, op)
    return Compiled(sql, params, False, columns)


def _final_select(ctes: str, bases: list[str], op: str) -> tuple[str, tuple[str, ...]]:
    """The last SELECT over `agg` (k, [w,] the base counts): per key, or for op=change the current
    window (w = 1) beside the previous one (w = 0), keys present in either."""
    if op == "change":
        cols = ", ".join(f"c.{b} AS {b}, p.{b} AS prev_{b}" for b in bases)
        sql = (f"{ctes}\nSELECT coalesce(c.k, p.k) AS key, {cols} FROM (SELECT * FROM agg WHERE w = 1) c "
               f"FULL OUTER JOIN (SELECT * FROM agg WHERE w = 0) p ON c.k = p.k ORDER BY key")
        return sql, ("key", *[x for b in bases for x in (b, f"prev_{b}")])
    return f"{ctes}\nSELECT k AS key, {', '.join(bases)} FROM agg ORDER BY key", ("key", *bases)


def compile_pairs(metric: str, scope: Scope, *, anchor: tuple[int, ...] = (), min_users: int = 2, limit: int = 10,
                  top_items: int = 2000) -> Compiled:
    """Items bought (or viewed) together: for each pair of distinct items, the number of
    DISTINCT USERS who bought (viewed) both in the period — one person's browsing counts once,
    however many days it spans. With `anchor` (item ids): pairs (anchor item, other item)."""
    code = 3 if metric == "bought_together" else 0
    params: list = [code]
    where = ["behavior = ?"]
    if scope.start is not None:
        where.append("ts >= ?")
        params.append(int(scope.start))
    if scope.end is not None:
        where.append("ts < ?")
        params.append(int(scope.end))
    fparams: list = []
    for dim, values in scope.filters:
        if dim in ("item",):
            continue  # the anchor, below
        where.append(_filter_sql(dim, values, fparams, "behavior"))
    params += fparams
    ui = f"SELECT DISTINCT user, item_id FROM (SELECT *, ts // {DAY_S} AS day FROM behavior) WHERE {' AND '.join(where)}"
    if anchor:
        ph = ", ".join("?" for _ in anchor)
        pair_where = f"a.item_id IN ({ph}) AND a.item_id <> b.item_id"
        params += list(anchor)
    else:
        pair_where = "a.item_id < b.item_id"
    # only the `top_items` items with most users are paired (bounds the self-join on long tails);
    # an anchor item is always kept. The counts of the pairs reported are exact.
    keep = f"item_id IN (SELECT item_id FROM n ORDER BY users DESC, item_id LIMIT {int(top_items)})"
    if anchor:
        keep = f"({keep} OR item_id IN ({', '.join(str(int(a)) for a in anchor)}))"
    sql = (f"WITH ui0 AS ({ui}),\n"
           f"n AS (SELECT item_id, count(*) AS users FROM ui0 GROUP BY item_id),\n"
           f"ui AS (SELECT * FROM ui0 WHERE {keep}),\n"
           f"pairs AS (SELECT a.item_id AS item_a, b.item_id AS item_b, count(*) AS pair_users FROM ui a JOIN ui b "
           f"ON a.user = b.user AND {pair_where} GROUP BY ALL HAVING count(*) >= ?)\n"
           f"SELECT p.item_a, p.item_b, p.pair_users, na.users AS users_a, nb.users AS users_b, "
           f"(SELECT count(DISTINCT user) FROM ui0) AS n_users FROM pairs p JOIN n na ON na.item_id = p.item_a "
           f"JOIN n nb ON nb.item_id = p.item_b ORDER BY p.pair_users DESC, p.item_a, p.item_b LIMIT ?")
    params += [int(min_users), int(limit)]
    return Compiled(sql, params, True, ("item_a", "item_b", "pair_users", "users_a", "users_b", "n_users"))


SEGMENT_SQL = """
CREATE OR REPLACE TEMP TABLE user_segment AS
WITH f AS (
  SELECT user, max(ts) AS last_ts,
         count(DISTINCT CASE WHEN behavior = 3 THEN ts // 86400 END) AS buy_days,
         count(*) FILTER (WHERE behavior = 1) AS n_cart
  FROM behavior GROUP BY user)
SELECT user,
  CASE WHEN (? - last_ts) / 86400.0 > ? THEN 'dormant'
       WHEN buy_days >= 2 THEN 'loyal_buyers'
       WHEN buy_days = 1 THEN 'one_time_buyers'
       WHEN n_cart > 0 THEN 'cart_abandoners'
       ELSE 'window_shoppers' END AS segment
FROM f
"""
