"""(question → query spec) pairs for the spec adapter, and the entities they name.

`catalogue_entities(path)` reads a catalogue CSV (item_id, name, name_zh, category_id, category,
category_zh) into the query layer's `Entities`; the generator (below) writes questions in zh and
en from templates and paraphrases over those entities and over generic ones.
"""

from __future__ import annotations

import csv
from pathlib import Path

from knowledge.query import Entities, Entity

# The review categories of the public Chinese review set (online_shopping_10_cats).
REVIEW_CATEGORIES_ZH = ("洗发水", "书籍", "平板", "手机", "水果", "衣服", "计算机", "酒店", "蒙牛", "热水器")


def catalogue_entities(path: Path, *, brands: tuple[str, ...] = ("Lumi",), review_categories: tuple[str, ...] = REVIEW_CATEGORIES_ZH,
                       extra: dict | None = None) -> Entities:
    with Path(path).open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    items = tuple(Entity(r["item_id"].strip(), r.get("name", "").strip(), r.get("name_zh", "").strip()) for r in rows)
    cats: dict[str, Entity] = {}
    for r in rows:
        cid = (r.get("category_id") or "").strip()
        if cid and cid not in cats:
            cats[cid] = Entity(cid, (r.get("category") or "").strip(), (r.get("category_zh") or "").strip())
    rcats = tuple(Entity(c, name_zh=c) for c in review_categories)
    rprods = tuple(Entity(e.id, e.name_en, e.name_zh) for e in items)  # the demo reviews name catalogue items
    return Entities(items=items, categories=tuple(cats.values()), review_categories=rcats, review_products=rprods,
                    brands=tuple(brands), extra=dict(extra or {}))


# ================================================================== the generator
import json  # noqa: E402
import random  # noqa: E402

from knowledge.query import Filter, Period, QuerySpec, SemanticLayer  # noqa: E402
from llm.constrained import spec_messages  # noqa: E402

# Made-up shops, so the adapter learns to copy names from the question, not one catalogue.
GENERIC_SHOPS: tuple[tuple[tuple[str, str, str, str], ...], ...] = (
    # (item en, item zh, category en, category zh)
    (("Nova Phone 12", "诺瓦手机12", "phones", "手机"), ("Nova Phone 12 Mini", "诺瓦手机12 mini", "phones", "手机"),
     ("Breeze Desk Fan", "清风桌面风扇", "appliances", "小家电"), ("Breeze Air Purifier", "清风空气净化器", "appliances", "小家电"),
     ("Aero Running Shoes", "疾风跑步鞋", "shoes", "鞋靴"), ("Aero Trail Boots", "疾风登山靴", "shoes", "鞋靴")),
    (("Mochi Green Tea", "麻薯绿茶", "drinks", "饮品"), ("Mochi Oat Latte", "麻薯燕麦拿铁", "drinks", "饮品"),
     ("Crunchy Nut Mix", "脆脆坚果", "snacks", "零食"), ("Sunny Dried Mango", "阳光芒果干", "snacks", "零食"),
     ("Pure Face Cream", "纯净面霜", "beauty", "美妆"), ("Pure Lip Balm", "纯净润唇膏", "beauty", "美妆")),
    (("Orbit Gaming Mouse", "轨道游戏鼠标", "accessories", "配件"), ("Orbit Keyboard Pro", "轨道机械键盘 Pro", "accessories", "配件"),
     ("Pixel Kids Tablet", "像素儿童平板", "tablets", "平板"), ("Cosy Wool Scarf", "暖暖羊毛围巾", "clothing", "服饰"),
     ("Cosy Knit Sweater", "暖暖针织毛衣", "clothing", "服饰")),
)

_M = {  # metric → (en phrasings, zh phrasings)
    "views": (["views", "page views", "product views"], ["浏览量", "浏览次数", "PV"]),
    "carts": (["add-to-carts", "cart adds", "add to cart events"], ["加购次数", "加购数", "加入购物车的次数"]),
    "favs": (["favourites", "favorites", "times favourited"], ["收藏次数", "收藏数"]),
    "buys": (["purchases", "sales", "orders", "buys"], ["购买次数", "销量", "订单数"]),
    "events": (["events", "behaviour events"], ["行为事件数", "总事件数"]),
    "users": (["active users", "users"], ["活跃用户数", "用户数"]),
    "viewers": (["viewers", "users who viewed"], ["浏览用户数", "浏览过的用户数"]),
    "carters": (["cart users", "users who added to cart"], ["加购用户数", "加购过的人数"]),
    "favers": (["favouriting users", "users who favourited"], ["收藏用户数", "收藏过的人数"]),
    "buyers": (["buyers", "paying users", "users who bought"], ["购买用户数", "买家数"]),
    "cart_no_buy_users": (["users who carted but never bought", "cart abandoners"], ["加购未购买的用户数", "加购了但没买的人数"]),
    "conversion_events": (["conversion by events", "event-level conversion"], ["按事件的转化率", "事件口径转化率"]),
    "conversion_users": (["conversion", "conversion rate", "conversion by users"], ["转化率", "按用户的转化率", "用户转化率"]),
    "cart_to_buy": (["cart-to-buy rate", "cart conversion"], ["加购转化率", "加购后购买的比例"]),
    "fav_to_buy": (["favourite-to-buy rate", "favourite conversion"], ["收藏转化率", "收藏后购买的比例"]),
    "repeat_buyer_share": (["repeat-buyer share", "repeat purchase rate"], ["复购率", "复购用户占比"]),
    "purchases_per_buyer": (["purchases per buyer", "average purchases per buyer"], ["人均购买次数", "每个买家的平均购买次数"]),
    "reviews": (["reviews", "number of reviews"], ["评论数", "评价数量"]),
    "avg_rating": (["average rating", "star rating"], ["平均评分", "评分"]),
    "positive_share": (["positive share", "share of positive reviews"], ["好评率", "正面评价占比"]),
    "negative_share": (["negative share", "share of negative reviews"], ["差评率", "负面评价占比"]),
    "aspect_mentions": (["aspect mentions"], ["维度提及次数"]),
}
_D = {  # dimension → (en singular, en plural, zh)
    "item": ("product", "products", "商品"), "category": ("category", "categories", "品类"), "day": ("day", "days", "天"),
    "week": ("week", "weeks", "周"), "hour": ("hour of the day", "hours", "小时"), "weekday": ("weekday", "weekdays", "星期几"),
    "segment": ("segment", "segments", "用户分群"), "review_category": ("category", "categories", "品类"),
    "review_product": ("product", "products", "商品"), "review_lang": ("language", "languages", "语言"),
    "sentiment": ("sentiment", "sentiments", "情感"), "aspect": ("aspect", "aspects", "维度"),
}
_ZH_NUM = "零一二三四五六七八九十"

_T = {
    ("total", "en"): ["What is the {m}{e}{p}?", "{M}{e}{p}?", "Show me the {m}{e}{p}.", "Tell me the {m}{e}{p}", "what's our {m}{e}{p}"],
    ("total", "zh"): ["{p}{e}的{m}是多少？", "{e}{p}{m}多少", "查一下{p}{e}的{m}", "{p}{e}{m}是多少"],
    ("breakdown", "en"): ["{M} by {d}{e}{p}", "Break down {m} by {d}{e}{p}", "{M} for each {d}{e}{p}", "show {m} per {d}{e}{p}"],
    ("breakdown", "zh"): ["{p}{e}各{d}的{m}", "按{d}看{p}{e}的{m}", "{p}{e}每个{d}的{m}分别是多少"],
    ("top", "en"): ["Which {d} has the highest {m}{e}{p}?", "Top {n} {ds} by {m}{e}{p}", "Which {d} had the most {m}{e}{p}?", "best {ds} by {m}{e}{p}"],
    ("top", "zh"): ["{p}{e}{m}最高的{d}是哪个？", "{p}{e}{m}排名前{nz}的{d}", "哪个{d}{p}{e}{m}最多", "{p}{e}{m}最高的{d}"],
    ("bottom", "en"): ["Which {d} has the lowest {m}{e}{p}?", "Bottom {n} {ds} by {m}{e}{p}", "worst {ds} by {m}{e}{p}"],
    ("bottom", "zh"): ["{p}{e}{m}最低的{d}", "{p}{e}哪个{d}的{m}最少", "{m}倒数前{nz}的{d}{p}"],
    ("change", "en"): ["Did {m}{e} go up or down {p}?", "How did {m}{e} change {p} compared to the period before?", "{M}{e} {p} vs the period before",
                       "is {m}{e} increasing or decreasing {p}?"],
    ("change", "zh"): ["{p}{e}{m}是上升还是下降？", "{p}{e}{m}环比变化", "{p}{e}的{m}比之前增加了还是减少了", "{p}{e}{m}涨了还是跌了"],
    ("change_by", "en"): ["How did {m} change per {d}{e} {p}?", "{M} change by {d}{e} {p}"],
    ("change_by", "zh"): ["{p}{e}各{d}的{m}变化", "{p}{e}按{d}看{m}的涨跌"],
}


def _period_text(period: Period, lang: str, rng: random.Random) -> str:
    k, n = period.kind, period.n
    if k == "all":
        return rng.choice(["", "", " overall", " in total", " of all time"]) if lang == "en" else rng.choice(["", "", "整体", "总共", "历史累计"])
    if k == "last_days":
        if lang == "en":
            return rng.choice([f" in the last {n} days", f" over the past {n} days", f" for the last {n} days"])
        nz = _ZH_NUM[n] if n <= 10 and rng.random() < 0.3 else str(n)
        return rng.choice([f"最近{nz}天", f"近{nz}天", f"过去{nz}天"])
    if k == "last_weeks":
        return f" in the last {n} weeks" if lang == "en" else rng.choice([f"最近{n}周", f"近{n}周"])
    if k == "last_week":
        return rng.choice([" last week", " for last week"]) if lang == "en" else rng.choice(["上周", "上星期"])
    if k == "this_week":
        return " this week" if lang == "en" else rng.choice(["本周", "这周"])
    if lang == "en":
        return f" from {period.start} to {period.end}" if period.start != period.end else f" on {period.start}"
    return f"{period.start}到{period.end}" if period.start != period.end else f"{period.start}"


def _random_period(rng: random.Random, op: str) -> Period:
    r = rng.random()
    if op == "change":
        return rng.choice([Period("last_week"), Period("last_week"), Period("this_week"), Period("last_days", n=rng.choice([7, 14, 3]))])
    if r < 0.35:
        return Period()
    if r < 0.6:
        return Period("last_days", n=rng.choice([3, 7, 7, 14, 30, 5]))
    if r < 0.7:
        return Period("last_weeks", n=rng.choice([2, 3, 4]))
    if r < 0.82:
        return Period("last_week")
    if r < 0.92:
        return Period("this_week")
    d1 = rng.randint(1, 20)
    d2 = min(31, d1 + rng.randint(0, 9))
    return Period("between", start=f"2026-10-{d1:02d}", end=f"2026-10-{d2:02d}")


def catalogue_shop(path: Path) -> list[tuple[str, str, str, str, str, str]]:
    """(item id, en, zh, category id, category en, category zh) per row of a catalogue CSV."""
    with Path(path).open(encoding="utf-8-sig", newline="") as f:
        return [(r["item_id"].strip(), r["name"].strip(), r["name_zh"].strip(), r["category_id"].strip(), r["category"].strip(),
                 r["category_zh"].strip()) for r in csv.DictReader(f)]


def generic_shops() -> list[list[tuple[str, str, str, str, str, str]]]:
    shops = []
    for i, items in enumerate(GENERIC_SHOPS):
        cat_ids: dict[str, str] = {}
        shop = []
        for j, (en, zh, cen, czh) in enumerate(items):
            cid = cat_ids.setdefault(cen, str(20 + 10 * i + len(cat_ids)))
            shop.append((str(5000 + 100 * i + j), en, zh, cid, cen, czh))
        shops.append(shop)
    return shops


_BEHAVIOUR_WEIGHTS = {"views": 3, "carts": 2, "favs": 2, "buys": 4, "events": 1, "users": 2, "viewers": 1, "carters": 1, "favers": 1, "buyers": 2,
                      "cart_no_buy_users": 1, "conversion_events": 2, "conversion_users": 4, "cart_to_buy": 2, "fav_to_buy": 1,
                      "repeat_buyer_share": 2, "purchases_per_buyer": 2}
_REVIEW_WEIGHTS = {"reviews": 2, "avg_rating": 3, "positive_share": 2, "negative_share": 3, "aspect_mentions": 1}
_BEHAVIOUR_DIMS = {"item": 4, "category": 4, "day": 2, "week": 1, "hour": 2, "weekday": 2, "segment": 1}
_REVIEW_DIMS = {"review_category": 3, "review_product": 3, "review_lang": 1, "sentiment": 1, "aspect": 1}


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    names = list(weights)
    return rng.choices(names, weights=[weights[n] for n in names])[0]


def compact(spec: QuerySpec) -> str:
    """The spec as the model writes it under the grammar (compact JSON, the schema's property order)."""
    return json.dumps(spec.to_dict(), ensure_ascii=False, separators=(",", ":"))


def _one(rng: random.Random, shop, lang: str, review_categories: tuple[str, ...]) -> tuple[str, QuerySpec]:
    reviews = rng.random() < 0.25
    metric = _pick(rng, _REVIEW_WEIGHTS if reviews else _BEHAVIOUR_WEIGHTS)
    op = rng.choices(["total", "breakdown", "top", "bottom", "change"], weights=[4, 2, 3, 1, 2])[0]
    dims = _REVIEW_DIMS if reviews else _BEHAVIOUR_DIMS
    by = _pick(rng, dims) if op in ("breakdown", "top", "bottom") or (op == "change" and rng.random() < 0.25) else None
    filters: list[Filter] = []
    ent_text = ""
    if rng.random() < 0.4:
        item = rng.choice(shop)
        kind = rng.choice(["item", "category"]) if not reviews else rng.choice(["review_product", "review_category"])
        if kind in ("item", "review_product") and by not in ("item", "review_product"):
            name = item[1] if lang == "en" else item[2]
            filters.append(Filter(kind, (name,)))
            ent_text = name
        elif kind == "category" and by != "category":
            name = item[4] if lang == "en" else item[5]
            filters.append(Filter("category", (name,)))
            ent_text = f"the {name} category" if lang == "en" else f"{name}品类"
        elif kind == "review_category" and by != "review_category":
            name = rng.choice(review_categories)
            filters.append(Filter("review_category", (name,)))
            ent_text = f"{name} reviews" if lang == "en" else f"{name}评论"
    if reviews and metric == "reviews" and by != "sentiment" and rng.random() < 0.3:
        sentiment = rng.choice(["positive", "negative"])
        filters.append(Filter("sentiment", (sentiment,)))
    if reviews and by != "review_lang" and rng.random() < 0.15:
        lang_v = rng.choice(["zh", "en"])
        filters.append(Filter("review_lang", (lang_v,)))
    period = _random_period(rng, op)
    limit = rng.choice([3, 5, 10]) if op in ("top", "bottom") and rng.random() < 0.5 else 10
    spec = QuerySpec(metric=metric, op=op, by=by, filters=tuple(filters), period=period, limit=limit)

    m = rng.choice(_M[metric][0 if lang == "en" else 1])
    if metric == "reviews":
        sent = spec.filter_values("sentiment")
        rl = spec.filter_values("review_lang")
        if sent:
            m = (f"{sent[0]} reviews" if lang == "en" else ("好评数" if sent[0] == "positive" else "差评数"))
        if rl:
            m = ({"zh": "Chinese ", "en": "English "}[rl[0]] + m) if lang == "en" else ({"zh": "中文", "en": "英文"}[rl[0]] + m)
    elif spec.filter_values("review_lang"):
        rl = spec.filter_values("review_lang")[0]
        ent_text = (ent_text + " " if ent_text else "") + ({"zh": "in Chinese reviews", "en": "in English reviews"}[rl] if lang == "en"
                                                           else {"zh": "中文评论", "en": "英文评论"}[rl])
    key = ("change_by" if op == "change" and by else op, lang)
    tpl = rng.choice(_T[key])
    d_sing, d_pl, d_zh = _D[by] if by else ("", "", "")
    e = ""
    if ent_text:
        e = (" for " + ent_text) if lang == "en" else ent_text
    p = _period_text(period, lang, rng)
    n_txt = str(limit) if limit != 10 or rng.random() < 0.3 else ""
    q = tpl.format(m=m, M=m[:1].upper() + m[1:], e=e, p=p if lang == "zh" else p, d=d_sing if lang == "en" else d_zh, ds=d_pl,
                   n=n_txt, nz=(_ZH_NUM[limit] if limit <= 10 and rng.random() < 0.5 else str(limit)))
    if op in ("top", "bottom") and "{n}" in tpl and not n_txt:
        spec = spec.with_changes(limit=10)
    if op in ("top", "bottom") and "{n" not in tpl:
        spec = spec.with_changes(limit=10)
    q = " ".join(q.split()).replace(" ?", "?").replace(" .", ".")
    if lang == "en" and rng.random() < 0.3:
        q = q.lower()
    return q, spec


def _followup(rng: random.Random, prev: QuerySpec, shop, lang: str) -> tuple[str, QuerySpec] | None:
    choice = rng.choice(["period", "dim", "entity", "metric"])
    if choice == "period":
        period = rng.choice([Period("last_week"), Period("this_week"), Period("last_days", n=7), Period("last_days", n=30), Period()])
        if period == prev.period:
            return None
        text = {"en": {"last_week": "and last week?", "this_week": "what about this week?", "all": "and overall?"},
                "zh": {"last_week": "那上周呢？", "this_week": "本周呢？", "all": "那整体呢？"}}[lang].get(period.kind)
        if text is None:
            text = f"and the last {period.n} days?" if lang == "en" else f"那最近{period.n}天呢？"
        return text, prev.with_changes(period=period)
    if choice == "dim" and layer_source(prev.metric) == "behavior":
        by = rng.choice(["category", "item", "hour", "weekday", "day"])
        if by == prev.by:
            return None
        text = f"and by {_D[by][0]}?" if lang == "en" else f"那{_D[by][2]}呢？"
        op = prev.op if prev.op in ("top", "bottom", "breakdown", "change") else "breakdown"
        filters = tuple(f for f in prev.filters if f.dim != by)
        return text, prev.with_changes(by=by, op=op, filters=filters)
    if choice == "entity" and layer_source(prev.metric) == "behavior":
        item = rng.choice(shop)
        name = item[1] if lang == "en" else item[2]
        text = f"what about {name}?" if lang == "en" else f"那{name}呢？"
        by, op = prev.by, prev.op
        if by == "item":
            by, op = None, ("change" if op == "change" else "total")
        filters = tuple(f for f in prev.filters if f.dim != "item") + (Filter("item", (name,)),)
        return text, prev.with_changes(filters=filters, by=by, op=op)
    if choice == "metric" and layer_source(prev.metric) == "behavior":
        metric = rng.choice(["views", "carts", "favs", "buys", "buyers", "conversion_users"])
        if metric == prev.metric:
            return None
        m = rng.choice(_M[metric][0 if lang == "en" else 1])
        text = f"and {m}?" if lang == "en" else f"那{m}呢？"
        return text, prev.with_changes(metric=metric)
    return None


def layer_source(metric: str) -> str:
    return SemanticLayer().metric(metric).source


def generate(n: int, *, seed: int = 0, catalog: Path | None = None, followup_share: float = 0.15,
             review_categories: tuple[str, ...] = REVIEW_CATEGORIES_ZH) -> list[dict]:
    """`n` chat examples {"messages": [system, user, assistant]} whose answer is the spec's compact JSON,
    half Chinese, half English, over the catalogue (when given) and the generic shops."""
    rng = random.Random(seed)
    shops = ([catalogue_shop(catalog)] if catalog else []) + generic_shops()
    layer = SemanticLayer()
    out: list[dict] = []
    seen: set[str] = set()
    while len(out) < n:
        shop = shops[0] if catalog and rng.random() < 0.5 else rng.choice(shops)
        lang = "zh" if len(out) % 2 else "en"
        q, spec = _one(rng, shop, lang, review_categories)
        layer.validate(spec)
        previous = ""
        if rng.random() < followup_share:
            f = _followup(rng, spec, shop, lang)
            if f is None:
                continue
            previous, (q, spec) = compact(spec), f
            layer.validate(spec)
        if q in seen:
            continue
        seen.add(q)
        msgs = spec_messages(q, previous)
        out.append({"messages": [*msgs, {"role": "assistant", "content": compact(spec)}]})
    return out


def write_jsonl(rows: list[dict], path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m training.spec_data", description="Write (question → query spec) training pairs as chat JSONL.")
    ap.add_argument("out", type=Path, help="the JSONL file to write")
    ap.add_argument("--n", type=int, default=1200, help="number of examples (default 1200)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--catalog", type=Path, default=None, help="catalogue CSV whose names the questions use (besides generic shops)")
    args = ap.parse_args(argv)
    rows = generate(args.n, seed=args.seed, catalog=args.catalog)
    write_jsonl(rows, args.out)
    print(f"wrote {len(rows)} examples to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
