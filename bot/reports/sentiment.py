"""Review sentiment overall, per product and per category (a review file with a category but
no product still counts), with average rating and the aspects praised / complained about."""

from __future__ import annotations

import pandas as pd

from knowledge.query import Filter, Period

from ..charts import bar_chart
from ..errors import BotUserError
from ..tables import pct, render
from .common import Ctx, by_key
from .types import ReportResult


def _scope(ctx: Ctx) -> dict:
    f = (Filter("review_product", (ctx.req.product,)),) if ctx.req.product else ()
    if ctx.req.category:
        f += (Filter("review_category", (ctx.req.category,)),)
    return {"filters": f, "period": Period("last_days", ctx.req.days) if ctx.req.days else Period("all")}


def _aspects(ctx: Ctx, scope: dict, dim: str, key: str, sentiment: str) -> str:
    r = ctx.run(ctx.spec("aspect_mentions", op="top", by="aspect", limit=2, period=scope["period"],
                         filters=scope["filters"] + (Filter(dim, (key,)), Filter("sentiment", (sentiment,)))))
    return ", ".join(f"{x['key']} ({x['value']})" for x in r.records())


def _rows(ctx: Ctx, scope: dict, dim: str, kind: str) -> list[dict]:
    top = ctx.run(ctx.spec("reviews", op="top", by=dim, limit=ctx.req.n, **scope))
    keys = tuple(str(x["key"]) for x in top.records())
    if not keys:
        return []
    only = {"period": scope["period"], "filters": scope["filters"] + (Filter(dim, keys),)}
    pos = by_key(ctx.run(ctx.spec("positive_share", op="breakdown", by=dim, limit=len(keys), **only)))
    neg = by_key(ctx.run(ctx.spec("negative_share", op="breakdown", by=dim, limit=len(keys), **only)))
    rating = by_key(ctx.run(ctx.spec("avg_rating", op="breakdown", by=dim, limit=len(keys), **only)))
    out = []
    for x in top.records():
        k = x["key"]
        out.append({"kind": kind, "key": k, "subject": x["label"] if ctx.lang == "en" else x["label_zh"], "reviews": x["value"],
                    "positive": pos.get(k, {}).get("numerator", 0), "negative": neg.get(k, {}).get("numerator", 0),
                    "share_positive": pos.get(k, {}).get("value"), "share_negative": neg.get(k, {}).get("value"),
                    "mean_rating": rating.get(k, {}).get("value"),
                    "praised": _aspects(ctx, scope, dim, k, "pos"), "complained": _aspects(ctx, scope, dim, k, "neg")})
    return out


def build(ctx: Ctx) -> ReportResult:
    ctx.require_reviews()
    scope = _scope(ctx)
    total = ctx.run(ctx.spec("reviews", **scope))
    if not total.value:
        raise BotUserError("no reviews match that request", message_zh="没有符合条件的评论")
    pos = ctx.run(ctx.spec("positive_share", **scope))
    neg = ctx.run(ctx.spec("negative_share", **scope))
    rating = ctx.run(ctx.spec("avg_rating", **scope))
    overall = {"kind": "overall", "key": "", "subject": ctx.pick("all reviews", "全部评论"), "reviews": total.value,
               "positive": pos.fact("numerator").value, "negative": neg.fact("numerator").value,
               "share_positive": pos.value, "share_negative": neg.value, "mean_rating": rating.value,
               "praised": _aspects_all(ctx, scope, "pos"), "complained": _aspects_all(ctx, scope, "neg")}
    products = _rows(ctx, scope, "review_product", "product")
    categories = _rows(ctx, scope, "review_category", "category")
    rows = [overall] + products + categories
    table = pd.DataFrame(rows)[["kind", "subject", "reviews", "share_positive", "share_negative", "mean_rating", "praised", "complained"]]
    headers = ctx.pick("scope|subject|reviews|positive|negative|rating|praised|complained", "范围|对象|评论数|好评率|差评率|评分|好评点|差评点").split("|")
    kinds = {"overall": ctx.pick("overall", "整体"), "product": ctx.pick("product", "商品"), "category": ctx.pick("category", "品类")}
    text = render([[kinds[r["kind"]], r["subject"], r["reviews"], pct(r["share_positive"], 1), pct(r["share_negative"], 1),
                    "–" if r["mean_rating"] is None else f"{r['mean_rating']:.2f}", r["praised"], r["complained"]] for r in rows], headers)
    rt = "" if rating.value is None else ctx.pick(f", average rating {rating.value:.2f}", f"，平均评分 {rating.value:.2f}")
    line1 = ctx.pick(f"{total.value:,} reviews: {pct(pos.value, 1)} positive, {pct(neg.value, 1)} negative{rt}"
                     + (f"; praised for {overall['praised']}" if overall["praised"] else "") + ".",
                     f"共 {total.value:,} 条评论：好评 {pct(pos.value, 1)}，差评 {pct(neg.value, 1)}{rt}"
                     + (f"；好评集中在 {overall['praised']}" if overall["praised"] else "") + "。")
    subjects = [r for r in products + categories if r["share_negative"] is not None]
    if subjects:
        worst = sorted(subjects, key=lambda r: (-r["share_negative"], -r["reviews"], str(r["key"])))[0]
        what = kinds[worst["kind"]]
        line2 = ctx.pick(f"Most negative {what}: {worst['subject']} at {pct(worst['share_negative'], 1)} negative of {worst['reviews']:,}"
                         + (f", mainly about {worst['complained']}." if worst["complained"] else "."),
                         f"差评率最高的{what}是 {worst['subject']}（{worst['reviews']:,} 条中 {pct(worst['share_negative'], 1)}）"
                         + (f"，主要抱怨 {worst['complained']}。" if worst["complained"] else "。"))
    else:
        line2 = ctx.pick("Complaints: " + (overall["complained"] or "none stand out") + ".", "差评点：" + (overall["complained"] or "无突出问题") + "。")
    numbers = {"overall": {k: overall[k] for k in ("reviews", "positive", "negative", "share_positive", "share_negative", "mean_rating")},
               "products": [{"product": r["key"], **{k: r[k] for k in ("reviews", "positive", "negative", "share_positive", "share_negative", "mean_rating")}} for r in products],
               "categories": [{"category": r["key"], **{k: r[k] for k in ("reviews", "positive", "negative", "share_positive", "share_negative", "mean_rating")}} for r in categories]}
    title = ctx.pick("Review sentiment", "评论情感") + (f" · {ctx.req.product}" if ctx.req.product else "")
    path = ctx.chart_path()
    sub = products + categories
    chart = bar_chart(path, [r["subject"] for r in sub], [r["share_negative"] or 0 for r in sub], title=title, xlabel="negative share") if path and sub else None
    return ReportResult("sentiment", ctx.lang, title, table, text, f"{line1}\n{line2}", chart=chart, numbers=numbers, how=ctx.how(neg))


def _aspects_all(ctx: Ctx, scope: dict, sentiment: str) -> str:
    r = ctx.run(ctx.spec("aspect_mentions", op="top", by="aspect", limit=3, period=scope["period"],
                         filters=scope["filters"] + (Filter("sentiment", (sentiment,)),)))
    return ", ".join(f"{x['key']} ({x['value']})" for x in r.records())
