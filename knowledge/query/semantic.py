"""The semantic layer: every metric and dimension the query layer knows, each defined once.

Adding a metric or a dimension touches this file only: its name, bilingual label, one-line
definition, unit and the SQL that computes it (filled in by the compiler's conventions; see
knowledge.query.compiler). Names are the vocabulary of query specs (knowledge.query.spec) and
of the JSON schema a language model writes specs under.

Definitions are fixed here so that a report, an insight and an ad-hoc answer can never
disagree: e.g. "conversion" always says which one — by events (buy events / view events) or by
users (buyers / viewers) — and "cart→buy" counts only users who carted.
"""

from __future__ import annotations

from dataclasses import dataclass

from .result import MetricInfo
from .spec import QuerySpec, SpecError, json_schema


@dataclass(frozen=True)
class DimensionInfo:
    name: str
    label_en: str
    label_zh: str
    source: str  # "behavior" | "reviews"

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en


def _m(name, unit, source, label_en, label_zh, definition_en, definition_zh) -> MetricInfo:
    return MetricInfo(name=name, label_en=label_en, label_zh=label_zh, definition_en=definition_en,
                      definition_zh=definition_zh, unit=unit, source=source)


METRICS: dict[str, MetricInfo] = {m.name: m for m in (
    # ---- behaviour: event counts
    _m("views", "count", "behavior", "views", "浏览次数", "number of page-view (pv) events", "浏览（pv）事件数"),
    _m("carts", "count", "behavior", "add-to-carts", "加购次数", "number of add-to-cart events", "加购事件数"),
    _m("favs", "count", "behavior", "favourites", "收藏次数", "number of favourite events", "收藏事件数"),
    _m("buys", "count", "behavior", "purchases", "购买次数", "number of purchase (buy) events", "购买事件数"),
    _m("events", "count", "behavior", "events", "行为事件数", "number of behaviour events of any kind", "所有行为事件数"),
    # ---- behaviour: distinct users
    _m("users", "count", "behavior", "active users", "活跃用户数", "distinct users with at least one event", "至少有一次行为的去重用户数"),
    _m("viewers", "count", "behavior", "viewers", "浏览用户数", "distinct users with at least one view", "至少浏览一次的去重用户数"),
    _m("carters", "count", "behavior", "cart users", "加购用户数", "distinct users with at least one add-to-cart", "至少加购一次的去重用户数"),
    _m("favers", "count", "behavior", "favouriting users", "收藏用户数", "distinct users with at least one favourite", "至少收藏一次的去重用户数"),
    _m("buyers", "count", "behavior", "buyers", "购买用户数", "distinct users with at least one purchase", "至少购买一次的去重用户数"),
    _m("cart_no_buy_users", "count", "behavior", "users who carted but never bought", "加购未购买用户数",
       "distinct users with an add-to-cart and no purchase (same scope and period)", "有加购但没有购买的去重用户数（同一范围与时段）"),
    # ---- behaviour: rates
    _m("conversion_events", "ratio", "behavior", "conversion (by events)", "转化率（按事件）",
       "purchase events ÷ view events", "购买事件数 ÷ 浏览事件数"),
    _m("conversion_users", "ratio", "behavior", "conversion (by users)", "转化率（按用户）",
       "buyers ÷ viewers (distinct users)", "购买用户数 ÷ 浏览用户数（去重）"),
    _m("view_to_cart", "ratio", "behavior", "view→cart rate", "浏览→加购率",
       "cart users ÷ viewers (distinct users, same scope and period)", "加购用户数 ÷ 浏览用户数（去重，同一范围与时段）"),
    _m("view_to_fav", "ratio", "behavior", "view→favourite rate", "浏览→收藏率",
       "favouriting users ÷ viewers (distinct users, same scope and period)", "收藏用户数 ÷ 浏览用户数（去重，同一范围与时段）"),
    _m("cart_to_buy", "ratio", "behavior", "cart→buy rate", "加购→购买转化率",
       "share of cart users who also bought (same scope and period)", "加购用户中也完成购买的比例（同一范围与时段）"),
    _m("cart_abandonment", "ratio", "behavior", "cart abandonment rate", "弃购率",
       "share of cart users who did not buy (same scope and period)", "加购用户中没有购买的比例（同一范围与时段）"),
    _m("fav_to_buy", "ratio", "behavior", "favourite→buy rate", "收藏→购买转化率",
       "share of favouriting users who also bought (same scope and period)", "收藏用户中也完成购买的比例（同一范围与时段）"),
    _m("repeat_buyer_share", "ratio", "behavior", "repeat-buyer share", "复购用户占比",
       "share of buyers with 2 or more purchase events", "有 2 次及以上购买事件的买家占全部买家的比例"),
    _m("purchases_per_buyer", "number", "behavior", "purchases per buyer", "人均购买次数",
       "purchase events ÷ buyers", "购买事件数 ÷ 购买用户数"),
    _m("views_per_viewer", "number", "behavior", "views per viewer", "人均浏览次数", "view events ÷ viewers", "浏览事件数 ÷ 浏览用户数"),
    _m("events_per_user", "number", "behavior", "events per user", "人均行为次数", "behaviour events ÷ active users", "行为事件数 ÷ 活跃用户数"),
    # ---- reviews
    _m("reviews", "count", "reviews", "reviews", "评论数", "number of stored reviews", "已入库的评论条数"),
    _m("avg_rating", "number", "reviews", "average rating", "平均评分", "mean star rating of reviews that have one (1–5)",
       "有评分的评论的平均星级（1–5）"),
    _m("positive_share", "ratio", "reviews", "positive share", "好评占比",
       "share of reviews whose sentiment is positive", "情感为正面的评论占比"),
    _m("negative_share", "ratio", "reviews", "negative share", "差评占比",
       "share of reviews whose sentiment is negative", "情感为负面的评论占比"),
    _m("bought_together", "count", "behavior", "bought together", "共同购买人数",
       "distinct users who bought both items in the period (one person counts once)", "在该时段内两件商品都买过的去重用户数（每人只算一次）"),
    _m("viewed_together", "count", "behavior", "viewed together", "共同浏览人数",
       "distinct users who viewed both items in the period (one person counts once)", "在该时段内两件商品都浏览过的去重用户数（每人只算一次）"),
    _m("aspect_mentions", "count", "reviews", "aspect mentions", "维度提及次数",
       "number of reviews mentioning an aspect (quality, price, delivery, …)", "提及某一维度（质量、价格、物流……）的评论数"),
)}

DIMENSIONS: dict[str, DimensionInfo] = {d.name: d for d in (
    DimensionInfo("item", "product", "商品", "behavior"),
    DimensionInfo("category", "category", "品类", "behavior"),
    DimensionInfo("day", "day", "日期", "behavior"),
    DimensionInfo("week", "week (Monday)", "周（周一）", "behavior"),
    DimensionInfo("hour", "hour of day (UTC)", "小时（UTC）", "behavior"),
    DimensionInfo("weekday", "weekday", "星期", "behavior"),
    DimensionInfo("segment", "user segment", "用户分群", "behavior"),
    DimensionInfo("item_pair", "pair of products", "商品组合", "behavior"),
    DimensionInfo("review_category", "review category", "评论品类", "reviews"),
    DimensionInfo("review_product", "reviewed product", "评论商品", "reviews"),
    DimensionInfo("review_lang", "review language", "评论语言", "reviews"),
    DimensionInfo("sentiment", "review sentiment", "评论情感", "reviews"),
    DimensionInfo("aspect", "review aspect", "评论维度", "reviews"),
)}


class SemanticLayer:
    """Names, definitions and validation. The compiler turns a validated spec into SQL."""

    def __init__(self, metrics: dict[str, MetricInfo] = METRICS, dimensions: dict[str, DimensionInfo] = DIMENSIONS):
        self.metrics = metrics
        self.dimensions = dimensions

    def metric(self, name: str) -> MetricInfo:
        try:
            return self.metrics[name]
        except KeyError:
            raise SpecError(f"unknown metric {name!r}; known: {', '.join(sorted(self.metrics))}", "metric") from None

    def dimension(self, name: str, path: str = "by") -> DimensionInfo:
        try:
            return self.dimensions[name]
        except KeyError:
            raise SpecError(f"unknown dimension {name!r}; known: {', '.join(sorted(self.dimensions))}", path) from None

    def validate(self, spec: QuerySpec) -> QuerySpec:
        """Raise SpecError (with the key and what is known instead) unless every name exists and fits."""
        m = self.metric(spec.metric)
        dims = [(spec.by, "by")] if spec.by else []
        dims += [(f.dim, f"filters[{i}].dim") for i, f in enumerate(spec.filters)]
        for name, path in dims:
            d = self.dimension(name, path)
            if d.source != m.source:
                fitting = sorted(n for n, x in self.dimensions.items() if x.source == m.source)
                raise SpecError(f"dimension {name!r} belongs to {d.source}, metric {m.name!r} to {m.source}; "
                                f"dimensions for {m.name}: {', '.join(fitting)}", path)
        return spec

    def json_schema(self) -> dict:
        return json_schema(self.metrics, self.dimensions)
