"""compute_all: every insight, as short texts with their numbers and stable ids.

The numbers of each insight are copied from the DataFrames of the individual functions
(funnel_by, top_products, weekly_trends, segments, co_occurrence, promote_to_segments,
propensity, sentiment_by_product, aspects): one computation for insights and reports.
"""

from __future__ import annotations

import math
import sys
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from .funnel import COUNT_COLUMNS, RATE_COLUMNS, funnel_by, top_products
from .prepare import prepare
from .propensity import campaign_forecast, propensity, rank_segments
from .recommend import co_occurrence, promote_to_segments
from .reviews import aspects, review_sentiment, sentiment_by_product
from .segments import SEGMENT_LABELS, segments, user_segments_and_features
from .trends import weekly_trends
from .types import Insight

TOP_ITEMS = 20  # funnel insights for the most viewed items / categories
TOP_DAYS = 14  # daily funnels for the last days of the log
TOP_PAIRS = 10
TOP_REVIEWED = 30


def _num(v) -> float | int | str | None:
    """A JSON-friendly Python scalar; None for NaN/NA."""
    if v is None or v is pd.NA:
        return None
    if isinstance(v, (np.integer, int)) and not isinstance(v, bool):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return None if math.isnan(v) else float(v)
    if isinstance(v, (np.bool_, bool)):
        return int(bool(v))
    return str(v)


def numbers_of(row: pd.Series | dict, keys: Iterable[str]) -> dict[str, float | int | str]:
    out = {}
    for k in keys:
        v = _num(row[k])
        if v is not None:
            out[k] = v
    return out


def _cap(s: str) -> str:
    """Upper-case the first letter only (names keep their case)."""
    return s[:1].upper() + s[1:]


def _pct(x: float) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.1f}%"


def _signed_pct(x: float) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:+.1f}%"


class _Names:
    """Item and category display names from the catalogue (ids when there is none)."""

    def __init__(self, catalog: pd.DataFrame | None):
        self.items: dict[int, str] = {}
        self.categories: dict[int, str] = {}
        if catalog is not None and len(catalog):
            if {"item_id", "name"} <= set(catalog.columns):
                self.items = dict(zip(catalog["item_id"].astype("int64"), catalog["name"].astype(str)))
            if {"category_id", "category"} <= set(catalog.columns):
                c = catalog[["category_id", "category"]].dropna().drop_duplicates("category_id")
                self.categories = dict(zip(c["category_id"].astype("int64"), c["category"].astype(str)))

    def item(self, item_id: int) -> str:
        name = self.items.get(int(item_id))
        return f"item {item_id} ({name})" if name else f"item {item_id}"

    def category(self, category_id: int) -> str:
        name = self.categories.get(int(category_id))
        return f"category {category_id} ({name})" if name else f"category {category_id}"

    def category_field(self, category_id) -> str:
        return self.categories.get(int(category_id), str(category_id))


def _funnel_text(subject: str, r: pd.Series) -> str:
    return (
        f"{subject}: {int(r['viewers']):,} users viewed, {int(r['carters']):,} carted ({_pct(r['view_to_cart'])}), "
        f"{int(r['favers']):,} favourited, {int(r['buyers']):,} bought: view-to-buy conversion {_pct(r['view_to_buy'])} "
        f"({int(r['views']):,} views, {int(r['buys']):,} purchases)."
    )


FUNNEL_NUMBERS = (*COUNT_COLUMNS, *RATE_COLUMNS)


def funnel_insights(data, names: _Names) -> list[Insight]:
    out: list[Insight] = []
    total = funnel_by(data, None)
    if len(total):
        r = total.iloc[0]
        out.append(Insight("insight:funnel:all", "funnel", "Overall funnel", _funnel_text("All products", r), numbers_of(r, FUNNEL_NUMBERS)))
    items = funnel_by(data, "item_id")
    for _, r in items.sort_values(["views", "item_id"], ascending=[False, True]).head(TOP_ITEMS).iterrows():
        iid = int(r["item_id"])
        out.append(Insight(f"insight:funnel:item:{iid}", "funnel", f"Funnel of {names.item(iid)}", _funnel_text(_cap(names.item(iid)), r),
                           {"item_id": iid, **numbers_of(r, FUNNEL_NUMBERS)}, product=str(iid)))
    cats = funnel_by(data, "category_id")
    for _, r in cats.sort_values(["views", "category_id"], ascending=[False, True]).head(TOP_ITEMS).iterrows():
        cid = int(r["category_id"])
        out.append(Insight(f"insight:funnel:category:{cid}", "funnel", f"Funnel of {names.category(cid)}", _funnel_text(_cap(names.category(cid)), r),
                           {"category_id": cid, **numbers_of(r, FUNNEL_NUMBERS)}, category=names.category_field(cid)))
    days = funnel_by(data, "day")
    for _, r in days.tail(TOP_DAYS).iterrows():
        d = str(r["date"])
        out.append(Insight(f"insight:funnel:day:{d}", "funnel", f"Funnel on {d}", _funnel_text(f"On {d}", r),
                           {"date": d, **numbers_of(r, FUNNEL_NUMBERS)}, date=d))
    return out, items


def top_insights(data, items: pd.DataFrame, names: _Names, n: int = 5) -> list[Insight]:
    out = []
    for by, metric, label in (("buys", "buys", "purchases"), ("views", "views", "views"), ("conversion", "view_to_buy", "view-to-buy conversion")):
        t = top_products(data, by, n, funnel=items)  # type: ignore[arg-type]
        if t.empty:
            continue
        parts, nums = [], {}
        for _, r in t.iterrows():
            iid, rank = int(r["item_id"]), int(r["rank"])
            val = _pct(r[metric]) if by == "conversion" else f"{int(r[metric]):,}"
            parts.append(f"{names.item(iid)} {val}")
            nums[f"rank{rank}_item_id"] = iid
            nums[f"rank{rank}_{metric}"] = _num(r[metric])
            if by == "conversion":
                nums[f"rank{rank}_viewers"] = int(r["viewers"])
        text = f"Top products by {label}: " + "; ".join(parts) + "."
        out.append(Insight(f"insight:top:{by}", "top", f"Top products by {label}", text, nums))
    return out


TREND_NUMBERS = ("views_this", "views_last", "buys_this", "buys_last", "viewers_this", "viewers_last", "buyers_this", "buyers_last",
                 "conv_this", "conv_last", "views_change", "buys_change", "conv_change", "window_days", "this_start", "this_end")


def _trend_text(subject: str, r: pd.Series) -> str:
    w = int(r["window_days"])
    period = "this week vs last week" if w == 7 else f"last {w} days vs the {w} before"
    flag = " Significant drop." if r.get("significant_drop", False) else ""
    return (
        f"{subject}, {period} (to {r['this_end']}): views {int(r['views_this']):,} vs {int(r['views_last']):,} ({_signed_pct(r['views_change'])}), "
        f"purchases {int(r['buys_this']):,} vs {int(r['buys_last']):,} ({_signed_pct(r['buys_change'])}), "
        f"conversion {_pct(r['conv_this'])} vs {_pct(r['conv_last'])}.{flag}"
    )


def trend_insights(data, names: _Names, n: int = 10) -> list[Insight]:
    out = []
    overall = weekly_trends(data, None)
    if len(overall):
        r = overall.iloc[0]
        out.append(Insight("insight:trend:all", "trend", "Overall trend", _trend_text("All products", r),
                           {**numbers_of(r, TREND_NUMBERS), "significant_drop": int(bool(r["significant_drop"]))}, date=str(r["this_end"])))
    for by, kind in (("item_id", "item"), ("category_id", "category")):
        t = weekly_trends(data, by)
        if t.empty:
            continue
        drops = t[t["significant_drop"]].sort_values(["views_z", by], ascending=[True, True]).head(n)
        for _, r in drops.iterrows():
            key = int(r[by])
            subject = names.item(key) if kind == "item" else names.category(key)
            out.append(Insight(
                f"insight:trend:{kind}:{key}", "trend", f"Drop: {subject}", _trend_text(_cap(subject), r),
                {by: key, **numbers_of(r, TREND_NUMBERS), "significant_drop": 1},
                product=str(key) if kind == "item" else "", category=names.category_field(key) if kind == "category" else "", date=str(r["this_end"]),
            ))
    return out


def segment_insights(data, names: _Names) -> tuple[list[Insight], pd.DataFrame]:
    us, features = user_segments_and_features(data)
    seg = segments(data, user_segs=us)
    out = []
    for _, r in seg.iterrows():
        if r["users"] == 0:
            continue
        what = {"buy": "buy most in", "cart": "cart most in", "pv": "view most"}[r["top_by"]]
        cats = ", ".join(f"{names.category(c)} ({n:,})" for c, n in zip(r["top_categories"], r["top_category_events"]))
        text = (f"{_cap(r['label'])}: {int(r['users']):,} users ({_pct(r['share'])} of all), {int(r['buys']):,} purchases; "
                f"they {what}: {cats or 'n/a'}.")
        nums = numbers_of(r, ("users", "share", "buyers", "events", "buys"))
        nums["dormant_days"] = int(seg.attrs.get("dormant_days") or 0)
        for i, (c, n) in enumerate(zip(r["top_categories"], r["top_category_events"]), 1):
            nums[f"top{i}_category_id"], nums[f"top{i}_category_{r['top_by']}"] = int(c), int(n)
        out.append(Insight(f"insight:segment:{r['segment']}", "segment", f"Segment: {r['label']}", text, nums))
    return out, (us, features)


def recommendation_insights(data, us: pd.DataFrame, items: pd.DataFrame, names: _Names) -> list[Insight]:
    out = []
    for behaviors, basket, kind, verb in ((("buy",), "user", "bought", "bought"), (("pv",), "user_day", "viewed", "viewed on the same day")):
        # viewed pairs are dense among popular items: pair the 500 most viewed only
        pairs = co_occurrence(data, behaviors=behaviors, basket=basket, top_items=5000 if kind == "bought" else 500)
        pairs = pairs[pairs["item_a"] < pairs["item_b"]].head(TOP_PAIRS)
        for _, r in pairs.iterrows():
            a, b = int(r["item_a"]), int(r["item_b"])
            text = (f"{_cap(names.item(a))} and {names.item(b)} are often {verb} together: {int(r['count']):,} of "
                    f"{int(r['n_baskets']):,} {'users' if basket == 'user' else 'user-days'} (support {_pct(r['support'])}), "
                    f"confidence {_pct(r['confidence'])} ({a}→{b}), lift {r['lift']:.2f}.")
            nums = {"item_a": a, "item_b": b, **numbers_of(r, ("count", "count_a", "count_b", "n_baskets", "support", "confidence", "lift"))}
            out.append(Insight(f"insight:recommendation:{kind}:{a}:{b}", "recommendation", f"{_cap(kind)} together: {a} + {b}", text, nums, product=str(a)))
    promo = promote_to_segments(data, us, funnel=items)
    for seg_name, grp in promo.groupby("segment", sort=True, observed=True):
        if grp.empty:
            continue
        parts = [f"{names.item(int(r['item_id']))} ({int(r['interested_users'])} interested, conversion {_pct(r['conversion'])}, "
                 f"~{r['expected_buyers']:.1f} buyers)" for _, r in grp.iterrows()]
        nums = {}
        for _, r in grp.iterrows():
            k = int(r["rank"])
            nums[f"rank{k}_item_id"] = int(r["item_id"])
            nums[f"rank{k}_interested_users"] = int(r["interested_users"])
            nums[f"rank{k}_conversion"] = float(r["conversion"])
            nums[f"rank{k}_expected_buyers"] = float(r["expected_buyers"])
        label = SEGMENT_LABELS.get(str(seg_name), str(seg_name))
        out.append(Insight(f"insight:recommendation:segment:{seg_name}", "recommendation", f"Promote to {label}",
                           f"Promote to {label}: " + "; ".join(parts) + ".", nums))
    return out


def propensity_insights(data, segs: tuple[pd.DataFrame, pd.DataFrame], top_n: int | None = None) -> list[Insight]:
    us, features = segs
    res = propensity(data, end_features=features)
    # a campaign reaching the top 10% of users (at most 1,000)
    top_n = top_n or max(1, min(1000, len(res.scores) // 10))
    nums = {k: v for k, v in {
        "auc": _num(res.auc), "base_rate": _num(res.base_rate), "lift_top_decile": _num(res.lift_top_decile),
        "n_train": res.n_train, "n_test": res.n_test, "label_days": res.label_days,
        "cutoff_train": res.cutoff_train, "cutoff_test": res.cutoff_test, "model": res.model_name,
    }.items() if v is not None}
    fc = campaign_forecast(res, top_n)
    nums.update(fc)
    auc = "n/a" if math.isnan(res.auc) else f"{res.auc:.3f}"
    lift = "n/a" if math.isnan(res.lift_top_decile) else f"{res.lift_top_decile:.2f}x"
    text = (f"Purchase-propensity model ({res.model_name}, next {res.label_days} days): held-out AUC {auc} on {res.n_test:,} users "
            f"(trained on events before {res.cutoff_train}, tested on purchases from {res.cutoff_test} on); top-decile lift {lift}. "
            f"Targeting the top {fc['top_n']:,} users should reach ~{fc['expected_buyers_top_n']:.0f} buyers vs ~{fc['expected_buyers_random_n']:.0f} at random.")
    out = [Insight("insight:propensity:model", "propensity", "Purchase propensity model", text, nums, date=res.cutoff_test)]
    rs = rank_segments(res, us, top_n=top_n)
    if len(rs):
        parts = [f"{SEGMENT_LABELS.get(r['segment'], r['segment'])} {r['mean_propensity']:.1%} (~{r['expected_buyers']:.0f} buyers)" for _, r in rs.iterrows()]
        snums = {}
        for _, r in rs.iterrows():
            s = r["segment"]
            snums[f"{s}_users"] = int(r["users"])
            snums[f"{s}_mean_propensity"] = float(r["mean_propensity"])
            snums[f"{s}_expected_buyers"] = float(r["expected_buyers"])
            snums[f"{s}_users_in_top"] = int(r["users_in_top"])
        out.append(Insight("insight:propensity:segments", "propensity", "Campaign targets by segment",
                           f"Mean purchase propensity (next {res.label_days} days) by segment: " + "; ".join(parts) + ".", snums))
    return out


def review_insights(reviews: pd.DataFrame, sentiment=None) -> list[Insight]:
    if reviews is None or reviews.empty or "text" not in reviews.columns:
        return []
    scored = review_sentiment(reviews, sentiment)
    out = []
    for by, kind in (("product", "product"), ("category", "category")):
        if by not in scored.columns:
            continue
        sp = sentiment_by_product(scored, by).head(TOP_REVIEWED)
        asp = aspects(scored, by)
        for _, r in sp.iterrows():
            key = str(r[by])
            rating = "" if pd.isna(r["mean_rating"]) else f", mean rating {r['mean_rating']:.2f}"
            text = (f"Reviews of {kind} {key}: {int(r['reviews']):,} reviews, {_pct(r['share_positive'])} positive, "
                    f"{_pct(r['share_negative'])} negative{rating}.")
            fields = {"product": key} if kind == "product" else {"category": key}
            out.append(Insight(f"insight:sentiment:{kind}:{key}", "sentiment", f"Sentiment: {kind} {key}", text,
                               numbers_of(r, ("reviews", "positive", "negative", "neutral", "share_positive", "share_negative", "mean_rating")), **fields))
            a = asp[asp[by] == key]
            if a.empty:
                continue
            praised = a[a["positive"] > 0].sort_values(["positive", "aspect"], ascending=[False, True]).head(3)
            complained = a[a["negative"] > 0].sort_values(["negative", "aspect"], ascending=[False, True]).head(3)
            if praised.empty and complained.empty:
                continue
            nums: dict[str, float | int | str] = {}
            for i, (_, x) in enumerate(praised.iterrows(), 1):
                nums[f"praised{i}"], nums[f"praised{i}_positive"], nums[f"praised{i}_mentions"] = x["aspect"], int(x["positive"]), int(x["mentions"])
            for i, (_, x) in enumerate(complained.iterrows(), 1):
                nums[f"complained{i}"], nums[f"complained{i}_negative"], nums[f"complained{i}_mentions"] = x["aspect"], int(x["negative"]), int(x["mentions"])
            p = ", ".join(f"{x['aspect']} ({int(x['positive'])})" for _, x in praised.iterrows()) or "nothing in particular"
            c = ", ".join(f"{x['aspect']} ({int(x['negative'])})" for _, x in complained.iterrows()) or "nothing in particular"
            out.append(Insight(f"insight:aspect:{kind}:{key}", "aspect", f"Aspects: {kind} {key}",
                               f"Customers of {kind} {key} praise {p} and complain about {c} (mentions in positive / negative reviews).", nums, **fields))
    return out


def compute_all(
    behavior: pd.DataFrame | None,
    reviews: pd.DataFrame | None,
    catalog: pd.DataFrame | None = None,
    *,
    progress: bool = False,
    sentiment=None,
) -> list[Insight]:
    """Every insight from the behaviour log, the reviews and (for names) the catalogue.
    Either frame may be empty or None. Same data → same insights, same ids, same order.
    `sentiment`: the SentimentAnalyzer for reviews without label or rating (default: a new one)."""
    names = _Names(catalog)
    steps: list[tuple[str, Callable[[], list[Insight]]]] = []
    out: list[Insight] = []
    has_behavior = behavior is not None and len(behavior) > 0
    state: dict = {}
    if has_behavior:
        data = prepare(behavior)

        def _funnels():
            ins, state["items"] = funnel_insights(data, names)
            return ins

        def _segments():
            ins, state["us"] = segment_insights(data, names)
            return ins

        steps += [
            ("funnels", _funnels),
            ("top products", lambda: top_insights(data, state["items"], names)),
            ("trends", lambda: trend_insights(data, names)),
            ("segments", _segments),
            ("recommendations", lambda: recommendation_insights(data, state["us"][0], state["items"], names)),
            ("propensity", lambda: propensity_insights(data, state["us"])),
        ]
    if reviews is not None and len(reviews) > 0:
        steps.append(("reviews", lambda: review_insights(reviews, sentiment)))
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(steps), desc="insights", unit="step", file=sys.stderr, leave=False)
    try:
        for name, step in steps:
            if bar is not None:
                bar.set_postfix_str(name)
            out.extend(step())
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return out
