"""compute_all: every insight, as short texts (en + zh) with their numbers, specs and stable ids.

Every number is a query-layer result (knowledge.query: DuckDB over the behaviour log and
reviews, metrics defined once in the semantic layer); the same specs as the reports. The only
model here is the purchase-propensity one (pandas/sklearn features, propensity.campaign — the
same call the forecast report makes).
"""

from __future__ import annotations

import math
import sys
from typing import Callable

from ..query import Filter, Period, QueryEngine, QueryResult, QuerySpec
from ..query.engine import SEGMENT_LABELS_EN, SEGMENT_LABELS_ZH, SEGMENTS
from .propensity import campaign
from .types import Insight
from .windows import default_window_days, significant_count_drops, significant_drops

TOP_ITEMS = 20  # funnel insights for the most viewed items / categories
TOP_DAYS = 14  # daily funnels for the last days of the log
TOP_PAIRS = 10
TOP_REVIEWED = 30
FUNNEL_METRICS = ("viewers", "carters", "favers", "buyers", "views", "carts", "favs", "buys",
                  "view_to_cart", "view_to_fav", "conversion_users", "conversion_events", "cart_to_buy")
# numbers keys (the figures' names in insights; view_to_buy is conversion by users)
FUNNEL_KEYS = {"conversion_users": "view_to_buy"}


def _pct(x) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.1f}%"


def _spct(x) -> str:
    return "n/a" if x is None else f"{x:+.1f}%"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


class _Names:
    def __init__(self, q: QueryEngine):
        self.q = q

    def item(self, iid, lang="en") -> str:
        name = self.q.item_name(int(iid), lang)
        if lang == "zh":
            return f"商品 {int(iid)}（{name}）" if name else f"商品 {int(iid)}"
        return f"item {int(iid)} ({name})" if name else f"item {int(iid)}"

    def category(self, cid, lang="en") -> str:
        name = self.q.category_name(int(cid), lang)
        if lang == "zh":
            return f"品类 {int(cid)}（{name}）" if name else f"品类 {int(cid)}"
        return f"category {int(cid)} ({name})" if name else f"category {int(cid)}"

    def category_field(self, cid) -> str:
        return self.q.category_name(int(cid)) or str(int(cid))


def _specs(*results: QueryResult) -> tuple:
    return tuple(r.spec.to_dict() for r in results)


def _nums(results: dict[str, QueryResult], key=None) -> dict:
    out = {}
    for m, r in results.items():
        if key is None:
            v = r.value
        else:
            v = next((x["value"] for x in r.records() if x["key"] == key), None)
        if v is not None:
            out[FUNNEL_KEYS.get(m, m)] = v
    return out


# ---------------------------------------------------------------------- funnels
def _funnel_text(subject: str, n: dict) -> tuple[str, str]:
    en = (f"{subject[0]}: {n.get('viewers', 0):,} users viewed, {n.get('carters', 0):,} carted, {n.get('favers', 0):,} favourited, "
          f"{n.get('buyers', 0):,} bought; conversion by users (buyers ÷ viewers) {_pct(n.get('view_to_buy'))}, by events "
          f"({n.get('buys', 0):,} purchases ÷ {n.get('views', 0):,} views) {_pct(n.get('conversion_events'))}; "
          f"cart→buy {_pct(n.get('cart_to_buy'))} of cart users.")
    zh = (f"{subject[1]}：{n.get('viewers', 0):,} 人浏览，{n.get('carters', 0):,} 人加购，{n.get('favers', 0):,} 人收藏，{n.get('buyers', 0):,} 人购买；"
          f"按用户转化率（购买用户÷浏览用户）{_pct(n.get('view_to_buy'))}，按事件转化率（{n.get('buys', 0):,} 次购买÷{n.get('views', 0):,} 次浏览）"
          f"{_pct(n.get('conversion_events'))}；加购用户中 {_pct(n.get('cart_to_buy'))} 完成购买。")
    return en, zh


def funnel_insights(q: QueryEngine, names: _Names) -> list[Insight]:
    out: list[Insight] = []
    extra = ("repeat_buyer_share", "purchases_per_buyer", "fav_to_buy")
    total = dict(zip(FUNNEL_METRICS + extra, q.run_many([QuerySpec(m) for m in FUNNEL_METRICS + extra])))
    n = _nums(total)
    en, zh = _funnel_text(("All products", "全部商品"), n)
    en += (f" {_pct(n.get('repeat_buyer_share'))} of buyers bought twice or more; {n.get('purchases_per_buyer', 0):.2f} purchases per buyer; "
           f"favourite→buy {_pct(n.get('fav_to_buy'))}.")
    zh += f"{_pct(n.get('repeat_buyer_share'))} 的买家购买 2 次及以上；人均购买 {n.get('purchases_per_buyer', 0):.2f} 次；收藏→购买 {_pct(n.get('fav_to_buy'))}。"
    out.append(Insight("insight:funnel:all", "funnel", "Overall funnel", en, n, text_zh=zh, title_zh="整体转化漏斗",
                       specs=_specs(*total.values())))
    for dim, kind in (("item", "item"), ("category", "category")):
        top = q.run(QuerySpec("views", op="top", by=dim, limit=TOP_ITEMS))
        keys = [x["key"] for x in top.records()]
        if not keys:
            continue
        f = (Filter(dim, tuple(str(k) for k in keys)),)
        res = dict(zip(FUNNEL_METRICS, q.run_many([QuerySpec(m, op="breakdown", by=dim, filters=f, limit=TOP_ITEMS) for m in FUNNEL_METRICS])))
        for k in keys:
            nk = _nums(res, k)
            if kind == "item":
                en, zh = _funnel_text((_cap(names.item(k)), names.item(k, "zh")), nk)
                out.append(Insight(f"insight:funnel:item:{k}", "funnel", f"Funnel of {names.item(k)}", en, {"item_id": int(k), **nk},
                                   product=str(k), text_zh=zh, title_zh=f"{names.item(k, 'zh')}的转化漏斗", specs=_specs(top, *res.values())))
            else:
                en, zh = _funnel_text((_cap(names.category(k)), names.category(k, "zh")), nk)
                out.append(Insight(f"insight:funnel:category:{k}", "funnel", f"Funnel of {names.category(k)}", en, {"category_id": int(k), **nk},
                                   category=names.category_field(k), text_zh=zh, title_zh=f"{names.category(k, 'zh')}的转化漏斗",
                                   specs=_specs(top, *res.values())))
    p = Period("last_days", TOP_DAYS)
    res = dict(zip(FUNNEL_METRICS, q.run_many([QuerySpec(m, op="breakdown", by="day", period=p) for m in FUNNEL_METRICS])))
    for row in res["views"].records():
        d, k = row["label"], row["key"]
        nk = _nums(res, k)
        en, zh = _funnel_text((f"On {d}", f"{d} 当天"), nk)
        out.append(Insight(f"insight:funnel:day:{d}", "funnel", f"Funnel on {d}", en, {"date": d, **nk}, date=d, text_zh=zh,
                           title_zh=f"{d} 的转化漏斗", specs=_specs(*res.values())))
    return out


# ---------------------------------------------------------------------- top products, categories, hours
def top_insights(q: QueryEngine, names: _Names, n: int = 5) -> list[Insight]:
    out = []
    for by, metric, label, label_zh in (("buys", "buys", "purchases", "购买次数"), ("views", "views", "views", "浏览次数"),
                                        ("conversion", "conversion_users", "conversion (buyers ÷ viewers)", "转化率（购买用户÷浏览用户）")):
        r = q.run(QuerySpec(metric, op="top", by="item", limit=n))
        if r.empty:
            continue
        parts, parts_zh, nums = [], [], {}
        for x in r.records():
            k, rank = x["key"], x["rank"]
            if by == "conversion":
                val = f"{_pct(x['value'])} ({x['numerator']:,} of {x['denominator']:,} viewers)"
                val_zh = f"{_pct(x['value'])}（{x['denominator']:,} 位浏览用户中 {x['numerator']:,} 人购买）"
                nums[f"rank{rank}_viewers"] = x["denominator"]
                nums[f"rank{rank}_buyers"] = x["numerator"]
            else:
                val = val_zh = f"{x['value']:,}"
            parts.append(f"{names.item(k)} {val}")
            parts_zh.append(f"{names.item(k, 'zh')} {val_zh}")
            nums[f"rank{rank}_item_id"] = int(k)
            nums[f"rank{rank}_{'view_to_buy' if by == 'conversion' else metric}"] = x["value"]
        rule = f" (items with at least {r.extra['min_support']} viewers)" if by == "conversion" else ""
        rule_zh = f"（仅统计浏览用户不少于 {r.extra['min_support']} 的商品）" if by == "conversion" else ""
        out.append(Insight(f"insight:top:{by}", "top", f"Top products by {label}", f"Top products by {label}{rule}: " + "; ".join(parts) + ".", nums,
                           text_zh=f"按{label_zh}排名的商品{rule_zh}：" + "；".join(parts_zh) + "。", title_zh=f"按{label_zh}排名的商品", specs=_specs(r)))
    return out


def category_insights(q: QueryEngine, names: _Names, n: int = 5) -> list[Insight]:
    top = q.run(QuerySpec("buys", op="top", by="category", limit=n))
    if top.empty:
        return []
    keys = tuple(str(x["key"]) for x in top.records())
    conv = {x["key"]: x for x in q.run(QuerySpec("conversion_users", op="breakdown", by="category", filters=(Filter("category", keys),), limit=n)).records()}
    parts, parts_zh, nums = [], [], {}
    for x in top.records():
        k, c = x["key"], conv.get(x["key"], {})
        parts.append(f"{names.category(k)} {x['value']:,} purchases (conversion by users {_pct(c.get('value'))})")
        parts_zh.append(f"{names.category(k, 'zh')} {x['value']:,} 次购买（按用户转化率 {_pct(c.get('value'))}）")
        nums[f"rank{x['rank']}_category_id"], nums[f"rank{x['rank']}_buys"] = int(k), x["value"]
        if c.get("value") is not None:
            nums[f"rank{x['rank']}_view_to_buy"] = c["value"]
    return [Insight("insight:category:top", "category", "Top categories by purchases", "Top categories by purchases: " + "; ".join(parts) + ".",
                    nums, text_zh="购买次数最多的品类：" + "；".join(parts_zh) + "。", title_zh="购买次数最多的品类", specs=_specs(top))]


def hour_insights(q: QueryEngine) -> list[Insight]:
    views, buys = q.run_many([QuerySpec("views", op="breakdown", by="hour"), QuerySpec("buys", op="breakdown", by="hour")])
    wd = q.run(QuerySpec("buys", op="breakdown", by="weekday"))
    if views.empty:
        return []
    pv = max(views.records(), key=lambda x: (x["value"], -x["key"]))
    pb = max(buys.records(), key=lambda x: (x["value"], -x["key"])) if buys.rows else None
    w = max(wd.records(), key=lambda x: (x["value"], -x["key"])) if wd.rows else None
    nums = {"peak_view_hour": pv["key"], "peak_view_hour_views": pv["value"]}
    en = f"Most views at {pv['key']:02d}:00 UTC ({pv['value']:,})"
    zh = f"浏览最多在 UTC {pv['key']:02d}:00（{pv['value']:,} 次）"
    if pb:
        nums.update(peak_buy_hour=pb["key"], peak_buy_hour_buys=pb["value"])
        en += f", most purchases at {pb['key']:02d}:00 UTC ({pb['value']:,})"
        zh += f"，购买最多在 UTC {pb['key']:02d}:00（{pb['value']:,} 次）"
    if w:
        nums.update(peak_buy_weekday=w["label"], peak_buy_weekday_buys=w["value"])
        en += f"; the busiest weekday for purchases is {w['label']} ({w['value']:,})"
        zh += f"；购买最多的是{w['label_zh']}（{w['value']:,} 次）"
    return [Insight("insight:hour:peaks", "hour", "When people view and buy", en + ".", nums, text_zh=zh + "。", title_zh="浏览与购买的高峰时段",
                    specs=_specs(views, buys, wd))]


# ---------------------------------------------------------------------- trends
TREND_METRICS = ("views", "buys", "viewers", "buyers")


def trend_insights(q: QueryEngine, names: _Names, n: int = 10) -> list[Insight]:
    w = default_window_days(q)
    p = Period("last_days", w)
    *rs, conv = q.run_many([QuerySpec(m, op="change", period=p) for m in TREND_METRICS] + [QuerySpec("conversion_users", op="change", period=p)])
    res = dict(zip(TREND_METRICS, rs))
    cur, prev = conv.period, conv.previous
    nums: dict = {"window_days": w, "this_start": cur.start, "this_end": cur.end, "last_start": prev.start, "last_end": prev.end,
                  "this_covered_days": cur.covered_days, "last_covered_days": prev.covered_days, "complete": int(cur.complete and prev.complete)}
    for m, r in res.items():
        nums[f"{m}_this"], nums[f"{m}_last"] = r.value, r.fact("previous").value
        pc = r.fact("change_pct")
        if pc is not None:
            nums[f"{m}_change"] = pc.value / 100
    if conv.value is not None:
        nums["conv_this"] = conv.value
    if conv.fact("previous") is not None:
        nums["conv_last"] = conv.fact("previous").value
    if conv.fact("change") is not None:
        nums["conv_change"] = conv.fact("change").value
    period = "this week vs last week" if w == 7 else f"last {w} days vs the {w} before"
    warn = "" if nums["complete"] else (f" Warning: incomplete window — {prev.start} – {prev.end} has data on {prev.covered_days} of {prev.days} days"
                                        if not prev.complete else f" Warning: incomplete window — {cur.start} – {cur.end} has data on {cur.covered_days} of {cur.days} days") + \
        ", so the changes compare unequal amounts of data."
    warn_zh = "" if nums["complete"] else (f" 注意：时间窗不完整（{prev.start} – {prev.end} 只有 {prev.covered_days}/{prev.days} 天有数据）"
                                           if not prev.complete else f" 注意：时间窗不完整（{cur.start} – {cur.end} 只有 {cur.covered_days}/{cur.days} 天有数据）") + "，变化对比的数据量不相等。"
    r_v, r_b = res["views"], res["buys"]
    en = (f"All products, {period} (to {cur.end}): views {r_v.value:,} vs {r_v.fact('previous').value:,} ({_spct(_fv(r_v, 'change_pct'))}), "
          f"purchases {r_b.value:,} vs {r_b.fact('previous').value:,} ({_spct(_fv(r_b, 'change_pct'))}), conversion by users "
          f"{_pct(conv.value)} vs {_pct(_fv(conv, 'previous'))}.{warn}")
    zh = (f"全部商品，最近 {w} 天对比前 {w} 天（截至 {cur.end}）：浏览 {r_v.value:,} 对比 {r_v.fact('previous').value:,}（{_spct(_fv(r_v, 'change_pct'))}），"
          f"购买 {r_b.value:,} 对比 {r_b.fact('previous').value:,}（{_spct(_fv(r_b, 'change_pct'))}），按用户转化率 {_pct(conv.value)} 对比 {_pct(_fv(conv, 'previous'))}。{warn_zh}")
    out = [Insight("insight:trend:all", "trend", "Overall trend", en, nums, date=cur.end, text_zh=zh, title_zh="整体趋势",
                   specs=_specs(*res.values(), conv))]
    for dim, kind in (("item", "item"), ("category", "category")):
        views = q.run(QuerySpec("views", op="change", by=dim, period=p, limit=100, min_support=1))
        convs = q.run(QuerySpec("conversion_users", op="change", by=dim, period=p, limit=100))
        flagged: dict = {}
        for d in significant_count_drops(views):
            flagged.setdefault(d["key"], {})["views"] = d
        for d in significant_drops(convs):
            flagged.setdefault(d["key"], {})["conv"] = d
        vmap = {x["key"]: x for x in views.records()}
        cmap = {x["key"]: x for x in convs.records()}
        order = sorted(flagged, key=lambda k: (flagged[k].get("views", {}).get("relative_change", 0), str(k)))[:n]
        for k in order:
            v, c = vmap.get(k, {}), cmap.get(k, {})
            subj = names.item(k) if kind == "item" else names.category(k)
            subj_zh = names.item(k, "zh") if kind == "item" else names.category(k, "zh")
            kn: dict = {("item_id" if kind == "item" else "category_id"): int(k), "window_days": w, "this_end": cur.end, "significant_drop": 1}
            if v:
                kn.update(views_this=v["value"], views_last=v["previous"])
                if v.get("change_pct") is not None:
                    kn["views_change"] = v["change_pct"] / 100
            if c:
                kn.update({kk: c[src] for kk, src in (("conv_this", "value"), ("conv_last", "previous"), ("conv_change", "change")) if c.get(src) is not None})
                kn.update(viewers_this=c["denominator"], viewers_last=c["prev_denominator"])
            why = []
            why_zh = []
            if "views" in flagged[k]:
                why.append(f"views {v['value']:,} vs {v['previous']:,} ({_spct(v.get('change_pct'))})")
                why_zh.append(f"浏览 {v['value']:,} 对比 {v['previous']:,}（{_spct(v.get('change_pct'))}）")
            if "conv" in flagged[k]:
                why.append(f"conversion by users {_pct(c['value'])} vs {_pct(c['previous'])}")
                why_zh.append(f"按用户转化率 {_pct(c['value'])} 对比 {_pct(c['previous'])}")
            out.append(Insight(f"insight:trend:{kind}:{k}", "trend", f"Drop: {subj}",
                               f"{_cap(subj)}, {period} (to {cur.end}): significant drop — " + "; ".join(why) + "." + warn, kn,
                               product=str(k) if kind == "item" else "", category=names.category_field(k) if kind == "category" else "",
                               date=cur.end, text_zh=f"{subj_zh}，最近 {w} 天对比前 {w} 天（截至 {cur.end}）显著下降：" + "；".join(why_zh) + "。" + warn_zh,
                               title_zh=f"下降：{subj_zh}", specs=_specs(views, convs)))
    return out


def _fv(r: QueryResult, role: str):
    f = r.fact(role)
    return None if f is None else f.value


# ---------------------------------------------------------------------- segments and recommendations
def segment_insights(q: QueryEngine, names: _Names) -> list[Insight]:
    users, buyers, buys = q.run_many([QuerySpec(m, op="breakdown", by="segment") for m in ("users", "buyers", "buys")])
    total = q.run(QuerySpec("users")).value or 0
    um, bm, ym = ({x["key"]: x["value"] for x in r.records()} for r in (users, buyers, buys))
    out = []
    for s in SEGMENTS:
        u = um.get(s, 0)
        if not u:
            continue
        top, basis = None, "buy"
        # segments without purchases (or carts) by definition skip those rankings
        order = {"cart_abandoners": (("carts", "cart"), ("views", "pv")), "window_shoppers": (("views", "pv"),)}.get(
            s, (("buys", "buy"), ("carts", "cart"), ("views", "pv")))
        for metric, basis in order:
            top = q.run(QuerySpec(metric, op="top", by="category", limit=3, filters=(Filter("segment", (s,)),)))
            if top.rows:
                break
        what = {"buy": "buy most in", "cart": "cart most in", "pv": "view most"}[basis]
        what_zh = {"buy": "购买最多的品类", "cart": "加购最多的品类", "pv": "浏览最多的品类"}[basis]
        recs = top.records() if top is not None else []
        share = u / total if total else None
        nums = {"users": u, "share": share, "buyers": bm.get(s, 0), "buys": ym.get(s, 0), "dormant_days": q.dormant_days()}
        for i, x in enumerate(recs, 1):
            nums[f"top{i}_category_id"], nums[f"top{i}_category_{basis}"] = int(x["key"]), x["value"]
        cats = ", ".join(f"{names.category(x['key'])} ({x['value']:,})" for x in recs) or "n/a"
        cats_zh = "、".join(f"{names.category(x['key'], 'zh')}（{x['value']:,}）" for x in recs) or "无"
        en = f"{_cap(SEGMENT_LABELS_EN[s])}: {u:,} users ({_pct(share)} of all), {bm.get(s, 0):,} buyers, {ym.get(s, 0):,} purchases; they {what}: {cats}."
        zh = f"{SEGMENT_LABELS_ZH[s]}：{u:,} 人（占全部用户 {_pct(share)}），{bm.get(s, 0):,} 位买家，{ym.get(s, 0):,} 次购买；{what_zh}：{cats_zh}。"
        out.append(Insight(f"insight:segment:{s}", "segment", f"Segment: {SEGMENT_LABELS_EN[s]}", en, {k: v for k, v in nums.items() if v is not None},
                           text_zh=zh, title_zh=f"用户分群：{SEGMENT_LABELS_ZH[s]}", specs=_specs(users, buyers, buys, top)))
    return out


def recommendation_insights(q: QueryEngine, names: _Names) -> list[Insight]:
    out = []
    for metric, kind, verb, verb_zh in (("bought_together", "bought", "bought", "购买"), ("viewed_together", "viewed", "viewed", "浏览")):
        r = q.run(QuerySpec(metric, op="top", by="item_pair", limit=TOP_PAIRS))
        for x in r.records():
            a, b = x["item_a"], x["item_b"]
            en = (f"{_cap(names.item(a))} and {names.item(b)} were both {verb} by the same {x['value']:,} users "
                  f"({_pct(x['confidence'])} of the {x['users_a']:,} who {verb} {a}; lift {x['lift']:.2f}; distinct users, at least {r.extra['min_support']}).")
            zh = (f"{names.item(a, 'zh')} 和 {names.item(b, 'zh')} 被相同的 {x['value']:,} 位用户都{verb_zh}过"
                  f"（占{verb_zh} {a} 的 {x['users_a']:,} 人中的 {_pct(x['confidence'])}；提升度 {x['lift']:.2f}；按去重用户计，至少 {r.extra['min_support']} 人）。")
            nums = {"item_a": a, "item_b": b, "count": x["value"], "count_a": x["users_a"], "count_b": x["users_b"], "n_baskets": x["n_users"],
                    "support": x["value"] / x["n_users"] if x["n_users"] else None, "confidence": x["confidence"], "lift": x["lift"]}
            out.append(Insight(f"insight:recommendation:{kind}:{a}:{b}", "recommendation", f"{_cap(kind)} together: {a} + {b}", en,
                               {k: v for k, v in nums.items() if v is not None}, product=str(a), text_zh=zh, title_zh=f"一起{verb_zh}：{a} + {b}",
                               specs=_specs(r)))
    out += promote_insights(q, names)
    return out


def promote_insights(q: QueryEngine, names: _Names, n: int = 5, min_viewers: int = 20) -> list[Insight]:
    """What to promote to each segment: items its users engaged with but did not buy (users −
    buyers of the item within the segment), ranked by expected buyers = those users × the item's
    conversion by users (items with at least `min_viewers` viewers)."""
    out = []
    interest: dict[str, dict] = {}
    specs = []
    for s in SEGMENTS:
        f = (Filter("segment", (s,)),)
        specs.append((s, QuerySpec("users", op="breakdown", by="item", filters=f, limit=100),
                      QuerySpec("buyers", op="breakdown", by="item", filters=f, limit=100)))
    for s, su, sb in specs:
        users, buyers = q.run_many([su, sb])
        bmap = {x["key"]: x["value"] for x in buyers.records()}
        got = {x["key"]: x["value"] - bmap.get(x["key"], 0) for x in users.records()}
        interest[s] = {k: v for k, v in got.items() if v > 0}
    candidates = sorted({k for v in interest.values() for k in v})
    if not candidates:
        return []
    # one conversion query for every segment's candidates: the 100 converting best among those with enough viewers
    conv_r = q.run(QuerySpec("conversion_users", op="top", by="item", limit=100, min_support=min_viewers,
                             filters=(Filter("item", tuple(str(k) for k in candidates)),)))
    conv = {x["key"]: x for x in conv_r.records()}
    for s in SEGMENTS:
        rows = [(k, u, conv[k]["value"], conv[k]["denominator"]) for k, u in interest.get(s, {}).items()
                if k in conv and conv[k]["value"] and conv[k]["denominator"] >= min_viewers]
        rows = sorted(rows, key=lambda r: (-(r[1] * r[2]), r[0]))[:n]
        if not rows:
            continue
        nums, parts, parts_zh = {}, [], []
        for i, (k, u, c, _) in enumerate(rows, 1):
            nums.update({f"rank{i}_item_id": int(k), f"rank{i}_interested_users": u, f"rank{i}_conversion": c, f"rank{i}_expected_buyers": u * c})
            parts.append(f"{names.item(k)} ({u:,} interested, conversion by users {_pct(c)}, ~{u * c:.1f} buyers)")
            parts_zh.append(f"{names.item(k, 'zh')}（{u:,} 人感兴趣未购买，按用户转化率 {_pct(c)}，预计约 {u * c:.1f} 人购买）")
        out.append(Insight(f"insight:recommendation:segment:{s}", "recommendation", f"Promote to {SEGMENT_LABELS_EN[s]}",
                           f"Promote to {SEGMENT_LABELS_EN[s]}: " + "; ".join(parts) + ".", nums,
                           text_zh=f"向{SEGMENT_LABELS_ZH[s]}推广：" + "；".join(parts_zh) + "。", title_zh=f"向{SEGMENT_LABELS_ZH[s]}推广",
                           specs=tuple(x.to_dict() for x in (next(t for t in specs if t[0] == s)[1:])) + _specs(conv_r)))
    return out


# ---------------------------------------------------------------------- propensity
def propensity_insights(q: QueryEngine, top_n: int | None = None) -> list[Insight]:
    c = campaign(q, top_n=top_n)
    res, fc = c.result, c.forecast
    nums = {k: v for k, v in {
        "auc": res.auc, "base_rate": res.base_rate, "lift_top_decile": res.lift_top_decile, "n_train": res.n_train, "n_test": res.n_test,
        "label_days": res.label_days, "cutoff_train": res.cutoff_train, "cutoff_test": res.cutoff_test, "model": res.model_name, **fc,
    }.items() if v is not None and not (isinstance(v, float) and math.isnan(v))}
    auc = "n/a" if math.isnan(res.auc) else f"{res.auc:.3f}"
    lift = "n/a" if math.isnan(fc["lift_held_out"]) else f"{fc['lift_held_out']:.2f}x"
    en = (f"Purchase-propensity model ({res.model_name}, next {res.label_days} days): held-out AUC {auc} on {res.n_test:,} users "
          f"(trained on events before {res.cutoff_train}, tested on purchases from {res.cutoff_test} on). Targeting the top {fc['top_n']:,} "
          f"of {fc['population']:,} users ({_pct(fc['share'])}) had a held-out lift of {lift}: ~{fc['expected_buyers_top_n']:.0f} buyers "
          f"vs ~{fc['expected_buyers_random_n']:.0f} at random.")
    zh = (f"购买倾向模型（{res.model_name}，预测未来 {res.label_days} 天）：留出集 AUC {auc}（{res.n_test:,} 位用户；用 {res.cutoff_train} 之前的行为训练，"
          f"检验 {res.cutoff_test} 起的购买）。定向 {fc['population']:,} 位用户中倾向最高的 {fc['top_n']:,} 人（{_pct(fc['share'])}），留出集提升 {lift}："
          f"预计约 {fc['expected_buyers_top_n']:.0f} 人购买，随机投放约 {fc['expected_buyers_random_n']:.0f} 人。")
    out = [Insight("insight:propensity:model", "propensity", "Purchase propensity model", en, nums, date=res.cutoff_test, text_zh=zh,
                   title_zh="购买倾向模型")]
    rs = c.segments
    if len(rs):
        parts, parts_zh, snums = [], [], {}
        for r in rs.to_dict("records"):
            s = r["segment"]
            parts.append(f"{SEGMENT_LABELS_EN.get(s, s)} {r['mean_propensity']:.1%} ({int(r['users_in_top'])} in the top {fc['top_n']:,})")
            parts_zh.append(f"{SEGMENT_LABELS_ZH.get(s, s)} {r['mean_propensity']:.1%}（{int(r['users_in_top'])} 人进入前 {fc['top_n']:,}）")
            snums.update({f"{s}_users": int(r["users"]), f"{s}_mean_propensity": float(r["mean_propensity"]), f"{s}_users_in_top": int(r["users_in_top"])})
        out.append(Insight("insight:propensity:segments", "propensity", "Campaign targets by segment",
                           f"Mean purchase propensity (next {res.label_days} days) by segment: " + "; ".join(parts) + ".", snums,
                           text_zh=f"各用户群平均购买倾向（未来 {res.label_days} 天）：" + "；".join(parts_zh) + "。", title_zh="各用户群的活动目标"))
    return out


# ---------------------------------------------------------------------- reviews
def _review_row(q: QueryEngine, filters: tuple) -> tuple[dict, list[QueryResult]]:
    rs = q.run_many([QuerySpec(m, filters=filters) for m in ("reviews", "positive_share", "negative_share", "avg_rating")])
    total, pos, neg, rating = rs
    n = {"reviews": total.value, "positive": pos.fact("numerator").value, "negative": neg.fact("numerator").value,
         "share_positive": pos.value, "share_negative": neg.value, "mean_rating": rating.value}
    return {k: v for k, v in n.items() if v is not None}, rs


def _aspect_lists(q: QueryEngine, filters: tuple) -> tuple[list[dict], list[dict]]:
    praised = q.run(QuerySpec("aspect_mentions", op="top", by="aspect", limit=3, filters=filters + (Filter("sentiment", ("pos",)),))).records()
    complained = q.run(QuerySpec("aspect_mentions", op="top", by="aspect", limit=3, filters=filters + (Filter("sentiment", ("neg",)),))).records()
    return praised, complained


def review_insights(q: QueryEngine) -> list[Insight]:
    if not q.n_reviews:
        return []
    out = []
    subjects = [("all", "", ())]
    for dim, kind in (("review_product", "product"), ("review_category", "category")):
        top = q.run(QuerySpec("reviews", op="top", by=dim, limit=TOP_REVIEWED))
        subjects += [(kind, str(x["key"]), (Filter(dim, (str(x["key"]),)),)) for x in top.records()]
    for kind, key, filters in subjects:
        n, rs = _review_row(q, filters)
        if not n.get("reviews"):
            continue
        name = q.label("review_product", key) if kind == "product" else key
        subj = {"all": ("all reviews", "全部评论"), "product": (f"product {name}", f"商品 {name}"), "category": (f"category {key}", f"品类 {key}")}[kind]
        rating = "" if n.get("mean_rating") is None else f", mean rating {n['mean_rating']:.2f}"
        rating_zh = "" if n.get("mean_rating") is None else f"，平均评分 {n['mean_rating']:.2f}"
        en = f"{_cap(subj[0]) if kind == 'all' else 'Reviews of ' + subj[0]}: {n['reviews']:,} reviews, {_pct(n.get('share_positive'))} positive, {_pct(n.get('share_negative'))} negative{rating}."
        zh = f"{subj[1] if kind == 'all' else subj[1] + '的评论'}：共 {n['reviews']:,} 条，好评 {_pct(n.get('share_positive'))}，差评 {_pct(n.get('share_negative'))}{rating_zh}。"
        fields = {"product": key} if kind == "product" else {"category": key} if kind == "category" else {}
        iid = "insight:sentiment:all" if kind == "all" else f"insight:sentiment:{kind}:{key}"
        out.append(Insight(iid, "sentiment", f"Sentiment: {subj[0]}", en, n, text_zh=zh, title_zh=f"评论情感：{subj[1]}", specs=_specs(*rs), **fields))
        praised, complained = _aspect_lists(q, filters)
        if not praised and not complained:
            continue
        nums: dict = {}
        for i, x in enumerate(praised, 1):
            nums[f"praised{i}"], nums[f"praised{i}_positive"] = x["key"], x["value"]
        for i, x in enumerate(complained, 1):
            nums[f"complained{i}"], nums[f"complained{i}_negative"] = x["key"], x["value"]
        p = ", ".join(f"{x['key']} ({x['value']})" for x in praised) or "nothing in particular"
        c = ", ".join(f"{x['key']} ({x['value']})" for x in complained) or "nothing in particular"
        pz = "、".join(f"{x['key']}（{x['value']}）" for x in praised) or "无特别之处"
        cz = "、".join(f"{x['key']}（{x['value']}）" for x in complained) or "无特别之处"
        aid = "insight:aspect:all" if kind == "all" else f"insight:aspect:{kind}:{key}"
        out.append(Insight(aid, "aspect", f"Aspects: {subj[0]}",
                           f"Customers ({subj[0]}) praise {p} and complain about {c} (reviews mentioning the aspect, positive / negative).", nums,
                           text_zh=f"{subj[1]}：顾客称赞 {pz}，抱怨 {cz}（提及该维度的好评 / 差评条数）。", title_zh=f"评论维度：{subj[1]}", **fields))
    return out


# ---------------------------------------------------------------------- all
def compute_all(behavior=None, reviews=None, catalog=None, *, engine: QueryEngine | None = None, progress: bool = False) -> list[Insight]:
    """Every insight from the behaviour log, the reviews and (for names) the catalogue — through
    the query layer. Pass `engine` (e.g. QueryEngine.from_store) to run over stored Parquet;
    else one is built from the frames. Same data → same insights, same ids, same order."""
    own = engine is None
    if engine is None:
        engine = QueryEngine.from_frames(behavior if behavior is not None and len(behavior) else None,
                                         reviews if reviews is not None and len(reviews) else None, catalog)
    names = _Names(engine)
    steps: list[tuple[str, Callable[[], list[Insight]]]] = []
    if engine.bounds().rows:
        steps += [
            ("funnels", lambda: funnel_insights(engine, names)),
            ("top products", lambda: top_insights(engine, names)),
            ("categories", lambda: category_insights(engine, names)),
            ("hours", lambda: hour_insights(engine)),
            ("trends", lambda: trend_insights(engine, names)),
            ("segments", lambda: segment_insights(engine, names)),
            ("recommendations", lambda: recommendation_insights(engine, names)),
            ("propensity", lambda: propensity_insights(engine)),
        ]
    if engine.n_reviews:
        steps.append(("reviews", lambda: review_insights(engine)))
    out: list[Insight] = []
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
        if own:
            engine.close()
    return out
