"""parse_report_request: `funnel --product 123 --days 7`, or free text ("上周的转化漏斗",
"top products last 14 days", "which hours do people buy?")."""

from __future__ import annotations

import re
from dataclasses import replace

from .registry import REPORT_KINDS
from .types import ReportRequest

# Checked in this order: the more specific words first.
_KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("recs", ("recs", "recommend", "bought together", "together with", "co-occur", "推荐", "一起买", "搭配", "连带")),
    ("forecast", ("forecast", "propensity", "predict", "campaign", "预测", "倾向", "活动效果")),
    ("segments", ("segment", "cohort", "repeat buyer", "分群", "人群", "用户群", "分层", "复购")),
    ("sentiment", ("sentiment", "review", "aspect", "complain", "praise", "rating", "情感", "好评", "差评", "评价", "口碑", "维度", "抱怨", "投诉", "吐槽", "不满", "评分")),
    ("categories", ("categories", "which category", "by category", "category ranking", "各品类", "哪个品类", "哪些品类", "品类排行", "品类排名", "类目排行")),
    ("hours", ("hour of day", "hours", "what time", "time of day", "weekday", "day of week", "几点", "时段", "小时", "星期几", "周几")),
    ("trends", ("trend", "week-over-week", "wow", "weekly", "daily", "over time", "趋势", "环比", "周报", "每日", "每天")),
    ("top", ("top", "best", "most", "highest", "bestseller", "热销", "排行", "排名", "榜", "最好", "最高", "最多", "卖得")),
    ("funnel", ("funnel", "conversion", "convert", "漏斗", "转化")),
)
_CHANGE_WORDS = ("change", "last week", "this week", "grow", "drop", "increase", "decrease", "declin", "上周", "本周", "变化", "增长", "下降", "下滑")
# Words of movement alone (no time words): they turn a conversion question into a trends one.
_MOVEMENT_WORDS = ("change", "grow", "drop", "fell", "fall", "increase", "decrease", "declin", "变化", "增长", "下降", "下滑", "降低", "跌")
_ALIASES = {"trend": "trends", "segment": "segments", "rec": "recs", "recommendations": "recs", "propensity": "forecast",
            "reviews": "sentiment", "category": "categories", "hour": "hours"}


def mentions(text: str, word: str) -> bool:
    """Whole-word match for English ("top" is not in "laptop"), substring for Chinese."""
    if re.search(r"[\u4e00-\u9fff]", word):
        return word in text
    return re.search(rf"\b{re.escape(word)}", text) is not None


def parse_report_request(text: str, *, default_kind: str | None = None) -> ReportRequest | None:
    """None when no report kind can be found (and no default)."""
    t = text.strip()
    low = t.lower()
    kind = None
    words = low.split()
    first = _ALIASES.get(words[0], words[0]) if words else ""
    if first in REPORT_KINDS:
        kind = first
    else:
        for k, kws in _KIND_WORDS:
            if any(mentions(low, w) for w in kws):
                kind = k
                break
    if kind is None and any(mentions(low, w) for w in _CHANGE_WORDS):
        kind = "trends"  # "how did purchases change last week?" — only when nothing more specific matched
    elif kind == "funnel" and any(mentions(low, w) for w in _MOVEMENT_WORDS):
        kind = "trends"  # "why did conversion drop?" asks what changed, not for the funnel itself
    kind = kind or default_kind
    if kind is None:
        return None
    opts: dict = {}
    for key, pat in (("product", r"--product[= ](\S+)"), ("category", r"--category[= ](\S+)"), ("days", r"--days[= ](\d+)"),
                     ("n", r"--(?:n|top)[= ](\d+)"), ("by", r"--by[= ](buys|views|conversion)")):
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
    users = None
    if kind == "forecast":
        m = re.search(r"--(?:n|users)[= ](\d+)", t) or re.search(r"(?:top|前)\s*(\d{1,7})\s*(?:users|位|个用户|名用户|人)", low)
        if m:
            users = int(m.group(1))
            opts.pop("n", None)
    return replace(
        ReportRequest(kind),
        product=opts.get("product", ""),
        category=opts.get("category", ""),
        days=int(opts["days"]) if "days" in opts else None,
        n=max(1, min(int(opts.get("n", 10)), 50)),
        by=opts.get("by", "buys"),
        users=users,
    )
