"""Reports computed by code, never by the model: a compact table, a PNG chart and a two-line
narrative, in Chinese or English.

The numbers come from the same functions as the insights (knowledge.insights), on the store's
frames, so a report and an insight never disagree. Frames and the encoded behaviour log are
cached in memory (the store is read once), results are cached per request, which keeps a
report at 10^6 behaviour rows well under a second once warm.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Protocol

import numpy as np
import pandas as pd

from .errors import BotUserError, no_data_error
from .lang import pick
from .tables import pct, render

logger = logging.getLogger("growthpilot.bot.reports")
SEGMENT_ZH = {"loyal_buyers": "忠实买家", "one_time_buyers": "新客/一次性买家", "cart_abandoners": "加购未买", "window_shoppers": "只逛不买", "dormant": "沉睡用户"}

REPORT_KINDS: tuple[str, ...] = ("funnel", "top", "trends", "segments", "sentiment", "recs", "forecast")

# Checked in this order: the more specific words first.
_KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("recs", ("recs", "recommend", "bought together", "together with", "co-occur", "推荐", "一起买", "搭配", "连带")),
    ("forecast", ("forecast", "propensity", "predict", "campaign", "预测", "倾向", "活动效果")),
    ("segments", ("segment", "cohort", "分群", "人群", "用户群", "分层")),
    ("sentiment", ("sentiment", "review", "aspect", "complain", "praise", "情感", "好评", "差评", "评价", "口碑", "维度", "抱怨", "投诉", "吐槽", "不满")),
    ("trends", ("trend", "week-over-week", "wow", "weekly", "daily", "over time", "趋势", "环比", "周报", "每日", "每天")),
    ("top", ("top", "best", "most", "highest", "bestseller", "热销", "排行", "排名", "榜", "最好", "最高", "最多", "卖得")),
    ("funnel", ("funnel", "conversion", "convert", "漏斗", "转化")),
)


_CHANGE_WORDS = ("change", "last week", "this week", "grow", "drop", "increase", "decrease", "declin", "上周", "本周", "变化", "增长", "下降", "下滑")
# Words of movement alone (no time words): they turn a conversion question into a trends one.
_MOVEMENT_WORDS = ("change", "grow", "drop", "fell", "fall", "increase", "decrease", "declin", "变化", "增长", "下降", "下滑", "降低", "跌")


@dataclass(frozen=True)
class ReportRequest:
    kind: str
    product: str = ""  # item id or a catalogue name
    category: str = ""  # category id or name
    days: int | None = None  # the last N days of the log (None: all of it)
    n: int = 10
    by: str = "buys"  # top: buys | views | conversion


@dataclass(frozen=True)
class ReportResult:
    kind: str
    lang: str
    title: str
    table: pd.DataFrame
    table_text: str
    narrative: str  # two lines
    chart: Path | None = None
    numbers: dict = field(default_factory=dict)  # the headline figures, unrounded (for --json)

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.narrative}\n\n{self.table_text}"

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "lang": self.lang,
            "title": self.title,
            "narrative": self.narrative,
            "table": self.table_text,
            "rows": _jsonable_rows(self.table),
            "chart": str(self.chart) if self.chart else None,
            "numbers": self.numbers,
        }


class FramesProvider(Protocol):
    """What the report engine reads: knowledge.store.Store has these."""

    def behavior_frame(self, columns: list[str] | None = None) -> pd.DataFrame: ...

    def reviews_frame(self) -> pd.DataFrame: ...

    def catalog_frame(self) -> pd.DataFrame: ...


def parse_report_request(text: str, *, default_kind: str | None = None) -> ReportRequest | None:
    """`funnel --product 123 --days 7`, or free text ("上周的转化漏斗", "top products last 14 days").
    None when no report kind can be found (and no default)."""
    t = text.strip()
    low = t.lower()
    kind = None
    first = low.split()[0] if low.split() else ""
    aliases = {"trend": "trends", "segment": "segments", "rec": "recs", "recommendations": "recs", "propensity": "forecast", "reviews": "sentiment"}
    first = aliases.get(first, first)
    if first in REPORT_KINDS:
        kind = first
    else:
        for k, words in _KIND_WORDS:
            if any(_mentions(low, w) for w in words):
                kind = k
                break
    if kind is None and any(_mentions(low, w) for w in _CHANGE_WORDS):
        kind = "trends"  # "how did purchases change last week?" — only when nothing more specific matched
    elif kind == "funnel" and any(_mentions(low, w) for w in _MOVEMENT_WORDS):
        kind = "trends"  # "why did conversion drop?" asks what changed, not for the funnel itself
    kind = kind or default_kind
    if kind is None:
        return None
    opts: dict = {}
    for key, pat in (("product", r"--product[= ](\S+)"), ("category", r"--category[= ](\S+)"), ("days", r"--days[= ](\d+)"), ("n", r"--(?:n|top)[= ](\d+)"), ("by", r"--by[= ](buys|views|conversion)")):
        m = re.search(pat, t)
        if m:
            opts[key] = m.group(1)
    if "days" not in opts:
        m = re.search(r"(?:last|past|最近|过去|近)\s*(\d{1,3})\s*(?:days?|天|日)", low)
        if m:
            opts["days"] = m.group(1)
        elif re.search(r"last week|this week|past week|上周|本周|这周|近一周|最近一周", low):
            opts["days"] = "7"
        elif re.search(r"last month|this month|past month|上个月|本月|这个月|近一个月", low):
            opts["days"] = "30"
    if "product" not in opts:
        m = re.search(r"(?:item|product|商品|产品)\s*#?\s*(\d{3,})", low)
        if m:
            opts["product"] = m.group(1)
    if "category" not in opts:
        m = re.search(r"(?:category|品类|类目)\s*#?\s*(\d{3,})", low)
        if m:
            opts["category"] = m.group(1)
    if "n" not in opts:
        m = re.search(r"(?:top|前)\s*(\d{1,3})", low)
        if m:
            opts["n"] = m.group(1)
    if "by" not in opts and kind == "top":
        if re.search(r"conversion|转化", low):
            opts["by"] = "conversion"
        elif re.search(r"\bviews?\b|浏览", low):
            opts["by"] = "views"
    req = ReportRequest(kind)
    return replace(
        req,
        product=opts.get("product", ""),
        category=opts.get("category", ""),
        days=int(opts["days"]) if "days" in opts else None,
        n=max(1, min(int(opts.get("n", 10)), 50)),
        by=opts.get("by", "buys"),
    )


def _mentions(text: str, word: str) -> bool:
    """Whole-word match for English ("top" is not in "laptop"), substring for Chinese."""
    if re.search(r"[\u4e00-\u9fff]", word):
        return word in text
    return re.search(rf"\b{re.escape(word)}", text) is not None


class ReportEngine:
    """Runs reports over a frames provider (the Store), caching frames and results in memory."""

    def __init__(self, frames: FramesProvider | Callable[[], FramesProvider], charts_dir: Path, *, cache_size: int = 64, charts: bool = True):
        self._frames_source = frames
        self.charts_dir = Path(charts_dir)
        self.make_charts = charts
        self._lock = threading.RLock()
        self._frames: dict[str, pd.DataFrame] = {}
        self._prepared = None
        self._cache: OrderedDict[tuple, ReportResult] = OrderedDict()
        self._cache_size = cache_size

    # -- data -----------------------------------------------------------------------------
    def _provider(self) -> FramesProvider:
        src = self._frames_source
        return src if hasattr(src, "behavior_frame") else src()

    def frame(self, name: str) -> pd.DataFrame:
        with self._lock:
            if name not in self._frames:
                provider = self._provider()
                self._frames[name] = getattr(provider, f"{name}_frame")()
            return self._frames[name]

    def behavior(self):
        """The behaviour log, encoded once (knowledge.insights.prepare)."""
        from knowledge.insights.prepare import prepare

        with self._lock:
            if self._prepared is None:
                frame = self.frame("behavior")
                if len(frame) == 0:
                    raise no_data_error()
                self._prepared = prepare(frame)
            return self._prepared

    def invalidate(self) -> None:
        """Forget cached frames and results (after an ingest)."""
        with self._lock:
            self._frames.clear()
            self._prepared = None
            self._cache.clear()

    def warm(self) -> None:
        self.behavior()

    def prefetch(self, kinds: tuple[str, ...] = REPORT_KINDS, lang: str = "zh") -> threading.Thread:
        """Compute the default report of each kind in a background thread, so the first request
        for it is answered from the cache (segments and forecast train/aggregate per user and
        take more than a second at 10^6 rows). Errors (e.g. no reviews) are only logged."""

        def work() -> None:
            for kind in kinds:
                try:
                    self.run(ReportRequest(kind), lang)
                except Exception as exc:  # noqa: BLE001 - a missing kind of data is fine here
                    logger.debug("prefetch of %s report skipped: %s", kind, exc)

        thread = threading.Thread(target=work, name="report-prefetch", daemon=True)
        thread.start()
        return thread

    # -- running ----------------------------------------------------------------------------
    def run(self, req: ReportRequest, lang: str = "en") -> ReportResult:
        if req.kind not in REPORT_KINDS:
            raise BotUserError(
                f"unknown report {req.kind!r}",
                fix="use one of: " + ", ".join(REPORT_KINDS),
                message_zh=f"没有 {req.kind!r} 这种报告",
                fix_zh="可用的报告：" + "、".join(REPORT_KINDS),
            )
        key = (req, lang)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        result = getattr(self, f"_report_{req.kind}")(req, lang)
        if self.make_charts and result.chart is None:
            result = replace(result, chart=self._chart(req, lang, result))
        with self._lock:
            self._cache[key] = result
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return result

    # -- filters ------------------------------------------------------------------------------
    def _item_ids(self, product: str) -> np.ndarray:
        if product.isdigit():
            return np.array([int(product)], dtype=np.int64)
        cat = self.frame("catalog")
        if len(cat) and "name" in cat.columns:
            hit = cat[cat["name"].astype(str).str.contains(product, case=False, regex=False)]
            if len(hit):
                return hit["item_id"].to_numpy(dtype=np.int64)
        raise BotUserError(
            f"no product matches {product!r}",
            fix="use an item id (see `growthpilot report top`) or a name from the catalogue",
            message_zh=f"找不到与 {product!r} 匹配的商品",
            fix_zh="请使用商品编号（见 `growthpilot report top`）或商品目录里的名称",
        )

    def _category_ids(self, category: str) -> np.ndarray:
        if category.isdigit():
            return np.array([int(category)], dtype=np.int64)
        cat = self.frame("catalog")
        if len(cat) and "category" in cat.columns:
            hit = cat[cat["category"].astype(str).str.contains(category, case=False, regex=False)]
            if len(hit):
                return hit["category_id"].unique().astype(np.int64)
        raise BotUserError(f"no category matches {category!r}", message_zh=f"找不到与 {category!r} 匹配的品类")

    def scoped(self, req: ReportRequest):
        """(events of the request's product/category/period, period (first, last) day numbers)."""
        from knowledge.insights.prepare import subset

        data = self.behavior()
        mask = np.ones(len(data), dtype=bool)
        if req.product:
            mask &= np.isin(data.item, self._item_ids(req.product))
        if req.category:
            mask &= np.isin(data.category, self._category_ids(req.category))
        end = int(data.day.max())
        start = int(data.day.min())
        if req.days:
            start = max(start, end - req.days + 1)
            mask &= data.day >= start
        if not mask.all():
            data = subset(data, mask)
        return data, (start, end)

    def _scope_label(self, req: ReportRequest, period: tuple[int, int], lang: str) -> str:
        from knowledge.insights.prepare import day_to_date

        a, b = day_to_date(period[0]), day_to_date(period[1])
        parts = [f"{a} – {b}"]
        if req.product:
            parts.append(pick(lang, f"item {req.product}", f"商品 {req.product}"))
        if req.category:
            parts.append(pick(lang, f"category {req.category}", f"品类 {req.category}"))
        return ", ".join(parts) if lang == "en" else "，".join(parts)

    def _names(self) -> dict[int, str]:
        cat = self.frame("catalog")
        if len(cat) == 0 or "name" not in cat.columns:
            return {}
        return dict(zip(cat["item_id"].astype(np.int64), cat["name"].astype(str)))

    # -- the reports ----------------------------------------------------------------------------
    def _report_funnel(self, req: ReportRequest, lang: str) -> ReportResult:
        from knowledge.insights.funnel import funnel_by

        data, period = self.scoped(req)
        if len(data) == 0:
            raise _empty_scope(lang)
        f = funnel_by(data, None).iloc[0]
        stages = [("pv", "View", "浏览", "viewers", "views"), ("cart", "Cart", "加购", "carters", "carts"), ("fav", "Favourite", "收藏", "favers", "favs"), ("buy", "Buy", "购买", "buyers", "buys")]
        viewers = int(f["viewers"])
        rows = []
        for _, en, zh, users_col, events_col in stages:
            users = int(f[users_col])
            rows.append({"stage": pick(lang, en, zh), "users": users, "events": int(f[events_col]), "of_viewers": (users / viewers) if viewers else float("nan")})
        table = pd.DataFrame(rows)
        headers = pick(lang, "stage|users|events|% of viewers", "环节|用户数|次数|占浏览用户").split("|")
        text = render([[r["stage"], r["users"], r["events"], pct(r["of_viewers"])] for r in rows], headers)
        scope = self._scope_label(req, period, lang)
        conv, cart_buy = float(f["view_to_buy"]), float(f["cart_to_buy"])
        line1 = pick(
            lang,
            f"{scope}: {viewers:,} users viewed, {int(f['carters']):,} added to cart, {int(f['buyers']):,} bought — conversion {pct(conv)}.",
            f"{scope}：{viewers:,} 人浏览，{int(f['carters']):,} 人加购，{int(f['buyers']):,} 人购买，转化率 {pct(conv)}。",
        )
        line2 = pick(
            lang,
            f"Of those who added to cart, {pct(cart_buy)} bought; {pct(float(f['view_to_cart']))} of viewers reached the cart.",
            f"加购用户中 {pct(cart_buy)} 完成购买；浏览用户中 {pct(float(f['view_to_cart']))} 进入购物车。",
        )
        numbers = {k: _plain(f[k]) for k in ("viewers", "carters", "favers", "buyers", "views", "carts", "favs", "buys", "view_to_cart", "view_to_fav", "view_to_buy", "cart_to_buy")}
        title = pick(lang, "Funnel", "转化漏斗") + f" · {scope}"
        return ReportResult("funnel", lang, title, table, text, f"{line1}\n{line2}", numbers=numbers)

    def _report_top(self, req: ReportRequest, lang: str) -> ReportResult:
        from knowledge.insights.funnel import top_products

        data, period = self.scoped(req)
        if len(data) == 0:
            raise _empty_scope(lang)
        top = top_products(data, by=req.by, n=req.n)
        if len(top) == 0:
            raise BotUserError(f"no item has enough activity to rank by {req.by}", message_zh=f"没有商品有足够的数据按 {req.by} 排名")
        names = self._names()
        table = pd.DataFrame(
            {
                "rank": top["rank"].astype(int),
                "item_id": top["item_id"].astype(np.int64),
                "name": [names.get(int(i), "") for i in top["item_id"]],
                "views": top["views"].astype(int),
                "buys": top["buys"].astype(int),
                "conversion": top["view_to_buy"].astype(float),
            }
        )
        headers = pick(lang, "#|item|name|views|buys|conversion", "#|商品|名称|浏览|购买|转化率").split("|")
        text = render([[r.rank, r.item_id, r.name, r.views, r.buys, pct(r.conversion)] for r in table.itertuples()], headers)
        scope = self._scope_label(req, period, lang)
        first = table.iloc[0]
        label = f"{first['item_id']}" + (f" ({first['name']})" if first["name"] else "")
        total_buys = int((data.b == 3).sum())
        share = float(table["buys"].sum()) / total_buys if total_buys else float("nan")
        metric = {"buys": pick(lang, "buys", "购买"), "views": pick(lang, "views", "浏览"), "conversion": pick(lang, "conversion", "转化率")}[req.by]
        line1 = pick(
            lang,
            f"{scope}: top item by {metric} is {label} with {int(first['buys']):,} buys from {int(first['views']):,} views (conversion {pct(first['conversion'])}).",
            f"{scope}：按{metric}排名第一的是 {label}，{int(first['views']):,} 次浏览带来 {int(first['buys']):,} 次购买（转化率 {pct(first['conversion'])}）。",
        )
        line2 = pick(
            lang,
            f"These {len(table)} items account for {pct(share)} of all {total_buys:,} buys in the period.",
            f"这 {len(table)} 个商品占该时段全部 {total_buys:,} 次购买的 {pct(share)}。",
        )
        numbers = {"total_buys": total_buys, "share_of_buys": share, "items": _jsonable_rows(table)}
        title = pick(lang, f"Top {len(table)} items by {req.by}", f"{metric}前 {len(table)} 的商品") + f" · {scope}"
        return ReportResult("top", lang, title, table, text, f"{line1}\n{line2}", numbers=numbers)

    def _report_trends(self, req: ReportRequest, lang: str) -> ReportResult:
        from knowledge.insights.trends import weekly_trends

        # the period filter is the window length here: this window vs the one before it
        data, _ = self.scoped(replace(req, days=None))
        if len(data) == 0:
            raise _empty_scope(lang)
        t = weekly_trends(data, None, window_days=req.days).iloc[0]
        w = int(t["window_days"])
        metrics = [
            ("views", pick(lang, "views", "浏览次数"), "views_this", "views_last", "views_change"),
            ("buys", pick(lang, "buys", "购买次数"), "buys_this", "buys_last", "buys_change"),
            ("viewers", pick(lang, "viewers", "浏览用户"), "viewers_this", "viewers_last", None),
            ("buyers", pick(lang, "buyers", "购买用户"), "buyers_this", "buyers_last", None),
        ]
        rows = []
        for key, label, a, b, ch in metrics:
            this, last = int(t[a]), int(t[b])
            change = float(t[ch]) if ch else ((this - last) / last if last else float("nan"))
            rows.append({"metric": label, "this": this, "last": last, "change": change})
        rows.append({"metric": pick(lang, "conversion", "转化率"), "this": float(t["conv_this"]), "last": float(t["conv_last"]), "change": float(t["conv_change"])})
        table = pd.DataFrame(rows)
        headers = pick(lang, f"metric|last {w}d|{w}d before|change", f"指标|最近{w}天|前{w}天|变化").split("|")
        body = []
        for r in rows[:-1]:
            body.append([r["metric"], r["this"], r["last"], _signed_pct(r["change"])])
        conv = rows[-1]
        body.append([conv["metric"], pct(conv["this"]), pct(conv["last"]), _signed_pp(conv["change"], lang)])
        text = render(body, headers)
        scope = f"{t['this_start']} – {t['this_end']}"
        line1 = pick(
            lang,
            f"Last {w} days ({scope}) vs the {w} before: views {_signed_pct(rows[0]['change'])}, buys {_signed_pct(rows[1]['change'])}.",
            f"最近 {w} 天（{scope}）对比前 {w} 天：浏览 {_signed_pct(rows[0]['change'])}，购买 {_signed_pct(rows[1]['change'])}。",
        )
        line2 = pick(
            lang,
            f"Conversion went from {pct(conv['last'])} to {pct(conv['this'])}" + (" — a significant drop." if bool(t["significant_drop"]) else "."),
            f"转化率从 {pct(conv['last'])} 变为 {pct(conv['this'])}" + ("，显著下降。" if bool(t["significant_drop"]) else "。"),
        )
        numbers = {k: _plain(t[k]) for k in t.index if k not in ("this_start", "this_end")}
        numbers.update(this_start=str(t["this_start"]), this_end=str(t["this_end"]))
        # which items moved: the same weekly_trends per item, significant drops first (biggest fall in conversion)
        per_item = weekly_trends(data, "item_id", window_days=req.days)
        drops = per_item[per_item["significant_drop"]].sort_values(["conv_change", "item_id"]).head(3) if len(per_item) else per_item
        names = self._names()
        movers = [
            (f"{names.get(int(d.item_id), '')} (item {int(d.item_id)})".strip() if lang == "en" else f"{names.get(int(d.item_id), '')}（商品 {int(d.item_id)}）".strip(),
             float(d.conv_last), float(d.conv_this))
            for d in drops.itertuples()
        ]
        numbers["drops"] = [{"item_id": int(d.item_id), "conv_last": float(d.conv_last), "conv_this": float(d.conv_this)} for d in drops.itertuples()]
        line3 = ""
        if movers:
            line3 = "\n" + pick(
                lang,
                "Significant drops: " + "; ".join(f"{n}: conversion {pct(a)} → {pct(b)}" for n, a, b in movers) + ".",
                "显著下降的商品：" + "；".join(f"{n}：转化率 {pct(a)} → {pct(b)}" for n, a, b in movers) + "。",
            )
        title = pick(lang, "Trends", "趋势") + f" · {scope}"
        # daily series of both windows for the chart
        from knowledge.insights.funnel import funnel_by
        from knowledge.insights.prepare import subset

        end = int(data.day.max())
        daily = funnel_by(subset(data, data.day > end - 2 * w), "day")
        result = ReportResult("trends", lang, title, table, text, f"{line1}\n{line2}{line3}", numbers=numbers)
        chart = self._line_chart(req, lang, daily["date"].tolist(), {pick(lang, "views", "浏览"): daily["views"].tolist(), pick(lang, "buys", "购买"): daily["buys"].tolist()}, title) if self.make_charts else None
        return replace(result, chart=chart)

    def _report_segments(self, req: ReportRequest, lang: str) -> ReportResult:
        from knowledge.insights.segments import SEGMENT_LABELS, segments, user_segments

        data, period = self.scoped(replace(req, product="", category=""))
        if len(data) == 0:
            raise _empty_scope(lang)
        seg = segments(data, user_segs=user_segments(data))
        table = pd.DataFrame(
            {
                "segment": [pick(lang, SEGMENT_LABELS[s], SEGMENT_ZH[s]) for s in seg["segment"]],
                "users": seg["users"].astype(int),
                "share": seg["share"].astype(float),
                "buyers": seg["buyers"].astype(int),
                "buys": seg["buys"].astype(int),
                "top_categories": [", ".join(str(c) for c in cs) for cs in seg["top_categories"]],
            }
        )
        headers = pick(lang, "segment|users|share|buyers|buys|top categories", "用户群|人数|占比|买家|购买次数|主要品类").split("|")
        text = render([[r.segment, r.users, pct(r.share, 1), r.buyers, r.buys, r.top_categories] for r in table.itertuples()], headers)
        scope = self._scope_label(replace(req, product="", category=""), period, lang)
        big = table.sort_values(["users", "segment"], ascending=[False, True]).iloc[0]
        loyal = table.iloc[0]
        total_buys = int(table["buys"].sum())
        loyal_share = float(loyal["buys"]) / total_buys if total_buys else float("nan")
        line1 = pick(lang, f"{scope}: the largest segment is {big['segment']} with {int(big['users']):,} users ({pct(big['share'], 1)}).", f"{scope}：最大的用户群是{big['segment']}，共 {int(big['users']):,} 人（{pct(big['share'], 1)}）。")
        line2 = pick(lang, f"{loyal['segment'].capitalize()} are {pct(loyal['share'], 1)} of users but make {pct(loyal_share, 1)} of the {total_buys:,} purchases.", f"{loyal['segment']}占用户的 {pct(loyal['share'], 1)}，却贡献了 {total_buys:,} 次购买中的 {pct(loyal_share, 1)}。")
        numbers = {"segments": _jsonable_rows(seg.drop(columns=["top_category_events", "top_item_events"], errors="ignore")), "total_buys": total_buys}
        return ReportResult("segments", lang, pick(lang, "Segments", "用户分群") + f" · {scope}", table, text, f"{line1}\n{line2}", numbers=numbers)

    def scored_reviews(self) -> pd.DataFrame:
        """Reviews with sentiment (knowledge.insights.reviews.review_sentiment), computed once."""
        from knowledge.insights.reviews import review_sentiment

        with self._lock:
            if "scored_reviews" not in self._frames:
                reviews = self.frame("reviews")
                if len(reviews) == 0:
                    raise BotUserError("no reviews yet", fix="run `growthpilot demo` or `growthpilot ingest reviews PATH`", message_zh="还没有评论数据", fix_zh="运行 `growthpilot demo` 或 `growthpilot ingest reviews 路径`")
                self._frames["scored_reviews"] = review_sentiment(reviews)
            return self._frames["scored_reviews"]

    def review_aspects(self) -> pd.DataFrame:
        from knowledge.insights.reviews import aspects

        with self._lock:
            if "aspects" not in self._frames:
                self._frames["aspects"] = aspects(self.scored_reviews(), "product")
            return self._frames["aspects"]

    def _report_sentiment(self, req: ReportRequest, lang: str) -> ReportResult:
        from knowledge.insights.reviews import sentiment_by_product

        scored = self.scored_reviews()
        if req.product:
            ids = {str(i) for i in self._item_ids(req.product)} if req.product.isdigit() or len(self.frame("catalog")) else {req.product}
            scored = scored[scored["product"].astype(str).isin(ids | {req.product})]
        if req.days and "date" in scored.columns:
            dates = pd.to_datetime(scored["date"].replace("", None), errors="coerce")
            if dates.notna().any():
                scored = scored[dates >= dates.max() - pd.Timedelta(days=req.days - 1)]
        sp = sentiment_by_product(scored, "product").head(req.n)
        if len(sp) == 0:
            raise BotUserError("no reviews with a product match that request", message_zh="没有符合条件的商品评论")
        asp = self.review_aspects()
        names = self._names()
        praised, complained = [], []
        for key in sp["product"]:
            a = asp[asp["product"] == key]
            p = a[a["positive"] > 0].sort_values(["positive", "aspect"], ascending=[False, True]).head(2)
            c = a[a["negative"] > 0].sort_values(["negative", "aspect"], ascending=[False, True]).head(2)
            praised.append(", ".join(f"{x} ({int(n)})" for x, n in zip(p["aspect"], p["positive"])))
            complained.append(", ".join(f"{x} ({int(n)})" for x, n in zip(c["aspect"], c["negative"])))
        label = [names.get(int(k), str(k)) if str(k).isdigit() else str(k) for k in sp["product"]]
        table = pd.DataFrame(
            {
                "product": label,
                "reviews": sp["reviews"].astype(int),
                "share_positive": sp["share_positive"].astype(float),
                "share_negative": sp["share_negative"].astype(float),
                "mean_rating": sp["mean_rating"].astype(float),
                "praised": praised,
                "complained": complained,
            }
        )
        headers = pick(lang, "product|reviews|positive|negative|rating|praised|complained", "商品|评论数|好评率|差评率|评分|好评点|差评点").split("|")
        text = render([[r.product, r.reviews, pct(r.share_positive, 1), pct(r.share_negative, 1), r.mean_rating, r.praised, r.complained] for r in table.itertuples()], headers)
        top = table.iloc[0]
        worst = table.sort_values(["share_negative", "product"], ascending=[False, True]).iloc[0]
        line1 = pick(lang, f"Most reviewed: {top['product']} ({int(top['reviews']):,} reviews, {pct(top['share_positive'], 1)} positive" + (f"; praised for {top['praised']}" if top["praised"] else "") + ").", f"评论最多的是 {top['product']}（{int(top['reviews']):,} 条，好评率 {pct(top['share_positive'], 1)}" + (f"；好评集中在 {top['praised']}" if top["praised"] else "") + "）。")
        line2 = pick(lang, f"Most negative: {worst['product']} at {pct(worst['share_negative'], 1)} negative" + (f", mainly about {worst['complained']}." if worst["complained"] else "."), f"差评率最高的是 {worst['product']}（{pct(worst['share_negative'], 1)}）" + (f"，主要抱怨 {worst['complained']}。" if worst["complained"] else "。"))
        numbers = {"products": _jsonable_rows(sp)}
        title = pick(lang, "Review sentiment by product", "各商品评论情感")
        return ReportResult("sentiment", lang, title, table, text, f"{line1}\n{line2}", numbers=numbers)

    def _report_recs(self, req: ReportRequest, lang: str) -> ReportResult:
        from knowledge.insights.recommend import co_occurrence

        data, period = self.scoped(replace(req, product=""))
        if len(data) == 0:
            raise _empty_scope(lang)
        pairs = co_occurrence(data, behaviors=("buy",), basket="user", top_items=5000, min_count=2)
        basis = "buy"
        if req.product:
            target = set(int(i) for i in self._item_ids(req.product))
            sel = pairs[pairs["item_a"].isin(target)]
            if len(sel) == 0:  # not enough joint purchases: fall back to same-day views
                pairs = co_occurrence(data, behaviors=("pv",), basket="user_day", top_items=1000, min_count=2)
                sel, basis = pairs[pairs["item_a"].isin(target)], "pv"
            pairs = sel
        else:
            pairs = pairs[pairs["item_a"] < pairs["item_b"]]
            if len(pairs) == 0:  # too few joint purchases: same-day views
                pairs = co_occurrence(data, behaviors=("pv",), basket="user_day", top_items=1000, min_count=2)
                pairs, basis = pairs[pairs["item_a"] < pairs["item_b"]], "pv"
        pairs = pairs.head(req.n).reset_index(drop=True)
        if len(pairs) == 0:
            raise BotUserError("not enough joint activity for recommendations", fix="try another item (see `/report top`) or a longer period", message_zh="共同购买/浏览数据不足，无法推荐", fix_zh="换一个商品（见 `/report top`）或放宽时间范围")
        names = self._names()
        table = pd.DataFrame(
            {
                "item_a": pairs["item_a"].astype(np.int64),
                "item_b": pairs["item_b"].astype(np.int64),
                "name_b": [names.get(int(i), "") for i in pairs["item_b"]],
                "count": pairs["count"].astype(int),
                "confidence": pairs["confidence"].astype(float),
                "lift": pairs["lift"].astype(float),
            }
        )
        headers = pick(lang, "item|with item|name|together|confidence|lift", "商品|搭配商品|名称|共同次数|置信度|提升度").split("|")
        text = render([[r.item_a, r.item_b, r.name_b, r.count, pct(r.confidence, 1), r.lift] for r in table.itertuples()], headers)
        first = table.iloc[0]
        verb = pick(lang, "bought" if basis == "buy" else "viewed on the same day", "一起购买" if basis == "buy" else "同一天一起浏览")
        scope = self._scope_label(replace(req, product=""), period, lang)
        line1 = pick(lang, f"{scope}: {first['item_a']} and {first['item_b']} were {verb} by {int(first['count']):,} users (confidence {pct(first['confidence'], 1)}, lift {first['lift']:.2f}).", f"{scope}：{first['item_a']} 与 {first['item_b']} 被 {int(first['count']):,} 位用户{verb}（置信度 {pct(first['confidence'], 1)}，提升度 {first['lift']:.2f}）。")
        line2 = pick(lang, "Promote the paired items together (bundles, \"often bought with\").", "建议把这些搭配商品一起推广（组合装、“经常一起买”）。")
        numbers = {"basis": basis, "pairs": _jsonable_rows(pairs)}
        title = pick(lang, "Often together", "经常一起") + (f" · {req.product}" if req.product else "")
        return ReportResult("recs", lang, title, table, text, f"{line1}\n{line2}", numbers=numbers)

    def propensity_result(self, req: ReportRequest):
        from knowledge.insights.propensity import propensity
        from knowledge.insights.segments import user_segments

        key = ("propensity", req.days)
        with self._lock:
            cached = self._frames.get(key)  # type: ignore[call-overload]
        if cached is not None:
            return cached
        data, _ = self.scoped(ReportRequest("forecast", days=req.days))
        result = (propensity(data), user_segments(data))
        with self._lock:
            self._frames[key] = result  # type: ignore[index]
        return result

    def _report_forecast(self, req: ReportRequest, lang: str) -> ReportResult:
        from knowledge.insights.propensity import campaign_forecast, rank_segments
        from knowledge.insights.segments import SEGMENT_LABELS

        res, us = self.propensity_result(req)
        top_n = max(req.n, 1) * 100 if req.n != 10 else 1000
        rs = rank_segments(res, us, top_n=top_n)
        fc = campaign_forecast(res, top_n)
        table = pd.DataFrame(
            {
                "segment": [pick(lang, SEGMENT_LABELS.get(s, s), SEGMENT_ZH.get(s, s)) for s in rs["segment"]],
                "users": rs["users"].astype(int),
                "mean_propensity": rs["mean_propensity"].astype(float),
                "expected_buyers": rs["expected_buyers"].astype(float),
                "users_in_top": rs["users_in_top"].astype(int),
            }
        )
        headers = pick(lang, f"segment|users|mean propensity|expected buyers|in top {fc['top_n']:,}", f"用户群|人数|平均购买倾向|预计买家|进入前 {fc['top_n']:,}").split("|")
        text = render([[r.segment, r.users, pct(r.mean_propensity, 1), f"{r.expected_buyers:.1f}", r.users_in_top] for r in table.itertuples()], headers)
        auc = "n/a" if np.isnan(res.auc) else f"{res.auc:.3f}"
        line1 = pick(lang, f"Targeting the top {fc['top_n']:,} users should reach ~{fc['expected_buyers_top_n']:.0f} buyers in the next {res.label_days} days vs ~{fc['expected_buyers_random_n']:.0f} at random.", f"定向购买倾向最高的 {fc['top_n']:,} 位用户，预计未来 {res.label_days} 天约有 {fc['expected_buyers_top_n']:.0f} 人购买，随机投放约 {fc['expected_buyers_random_n']:.0f} 人。")
        line2 = pick(lang, f"Model: {res.model_name}, held-out AUC {auc} on {res.n_test:,} users (tested on purchases from {res.cutoff_test}).", f"模型：{res.model_name}，留出集 AUC {auc}（{res.n_test:,} 位用户，检验 {res.cutoff_test} 之后的购买）。")
        numbers = {"auc": _plain(res.auc), "base_rate": _plain(res.base_rate), "lift_top_decile": _plain(res.lift_top_decile), "label_days": res.label_days, **fc, "segments": _jsonable_rows(rs)}
        return ReportResult("forecast", lang, pick(lang, "Campaign forecast", "活动效果预测"), table, text, f"{line1}\n{line2}", numbers=numbers)

    # -- charts ------------------------------------------------------------------------------
    def _chart_path(self, req: ReportRequest, lang: str) -> Path:
        digest = hashlib.sha1(repr((req, lang)).encode()).hexdigest()[:10]
        self.charts_dir.mkdir(parents=True, exist_ok=True)
        return self.charts_dir / f"{req.kind}-{digest}.png"

    def _chart(self, req: ReportRequest, lang: str, result: ReportResult) -> Path | None:
        """A horizontal bar chart of the table's main numeric column."""
        t = result.table
        if len(t) == 0:
            return None
        label_col = t.columns[0] if req.kind != "top" else "item_id"
        value_col = {"funnel": "users", "top": "buys" if req.by != "views" else "views"}.get(req.kind)
        if value_col is None or value_col not in t.columns:
            numeric = [c for c in t.columns if pd.api.types.is_numeric_dtype(t[c]) and c != label_col]
            if not numeric:
                return None
            value_col = numeric[0]
        labels = [_ascii_safe(str(x), lang) or str(i + 1) for i, x in enumerate(t[label_col])][::-1]
        values = [float(x) for x in t[value_col]][::-1]
        path = self._chart_path(req, lang)
        plt = _pyplot()
        fig, ax = plt.subplots(figsize=(6, 0.35 * len(labels) + 1.2), dpi=100)
        try:
            ax.barh(labels, values, color="#4C72B0")
            ax.set_title(_ascii_safe(result.title, lang) or req.kind, fontsize=9)
            ax.set_xlabel(value_col)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # missing CJK glyphs were replaced above
                fig.tight_layout()
                fig.savefig(path)
        finally:
            plt.close(fig)
        return path

    def _line_chart(self, req: ReportRequest, lang: str, x: list[str], series: dict[str, list[float]], title: str) -> Path:
        path = self._chart_path(req, lang)
        plt = _pyplot()
        fig, ax = plt.subplots(figsize=(7, 3), dpi=100)
        try:
            for name, ys in series.items():
                ax.plot(x, ys, marker="o", markersize=3, label=_ascii_safe(name, lang) or name)
            ax.set_title(_ascii_safe(title, lang) or req.kind, fontsize=9)
            ax.tick_params(axis="x", labelrotation=45, labelsize=7)
            ax.legend(fontsize=8)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # missing CJK glyphs were replaced above
                fig.tight_layout()
                fig.savefig(path)
        finally:
            plt.close(fig)
        return path


# -- helpers -----------------------------------------------------------------------------------
def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # headless: servers and CI have no display
    import matplotlib.pyplot as plt

    return plt


# Chart labels in English when no CJK font is installed (DejaVu Sans has no Chinese glyphs).
_CHART_EN = {
    "浏览": "View", "加购": "Cart", "收藏": "Favourite", "购买": "Buy", "转化漏斗": "Funnel", "趋势": "Trends", "商品": "item", "品类": "category",
    "忠实买家": "loyal buyers", "新客/一次性买家": "one-time buyers", "加购未买": "cart abandoners", "只逛不买": "window-shoppers", "沉睡用户": "dormant",
    "用户分群": "Segments", "活动效果预测": "Campaign forecast", "各商品评论情感": "Review sentiment", "经常一起": "Often together",
}


def _ascii_safe(text: str, lang: str) -> str:
    """Matplotlib's default font has no CJK glyphs: use a CJK font when one is installed,
    else translate the known labels and drop the remaining Chinese characters."""
    if not re.search(r"[\u4e00-\u9fff]", text):
        return text
    if _has_cjk_font():
        return text
    for zh, en in sorted(_CHART_EN.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(zh, en)
    cleaned = re.sub(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]+", " ", text)
    return re.sub(r"\s+", " ", cleaned).strip(" ·,")


def _has_cjk_font() -> bool:
    from matplotlib import font_manager, rcParams

    names = {f.name for f in font_manager.fontManager.ttflist}
    for cand in ("Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "Source Han Sans SC"):
        if cand in names:
            if cand not in rcParams["font.sans-serif"]:
                rcParams["font.sans-serif"] = [cand] + list(rcParams["font.sans-serif"])
            return True
    return False


def _empty_scope(lang: str) -> BotUserError:
    return BotUserError(
        "no behaviour events match that product / category / period",
        fix="widen --days or check the id with `growthpilot report top`",
        message_zh="没有符合该商品/品类/时段的行为数据",
        fix_zh="放宽 --days，或用 `growthpilot report top` 核对编号",
    )


def _signed_pct(x: float) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "–"
    return f"{100 * x:+.1f}%"


def _signed_pp(x: float, lang: str) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "–"
    return f"{100 * x:+.2f} pp" if lang == "en" else f"{100 * x:+.2f} 个百分点"


def _plain(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        f = float(v)
        return None if np.isnan(f) else f
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if isinstance(v, float) and np.isnan(v):
        return None
    return v


def _jsonable_rows(df: pd.DataFrame) -> list[dict]:
    return [{k: _plain(v) for k, v in row.items()} for row in df.to_dict(orient="records")]
