"""Trends: the last N days against the N before (N = --days, default 7 or half a short log),
with a warning when either window holds fewer days of data than its length, and the items
whose conversion dropped significantly."""

from __future__ import annotations

import pandas as pd

from knowledge.insights.windows import default_window_days, significant_drops
from knowledge.query import Period

from ..charts import line_chart
from ..tables import pct, render
from .common import Ctx, empty_scope, signed_pct, signed_pp
from .types import ReportResult

METRICS = (("views", "views", "浏览次数"), ("buys", "buys", "购买次数"), ("viewers", "viewers", "浏览用户"), ("buyers", "buyers", "购买用户"))


def build(ctx: Ctx) -> ReportResult:
    ctx.require_behavior()
    w = int(ctx.req.days or default_window_days(ctx.q))
    period = Period("last_days", w)
    *rs, conv, conv_e = ctx.run_many([ctx.spec(m, op="change", period=period) for m, _, _ in METRICS]
                                     + [ctx.spec(m, op="change", period=period) for m in ("conversion_users", "conversion_events")])
    res = dict(zip([m for m, _, _ in METRICS], rs))
    if not any(res[m].value or res[m].fact("previous").value for m in ("views", "buys")):
        raise empty_scope()
    rows = []
    for m, en, zh in METRICS:
        r = res[m]
        pctv = r.fact("change_pct")
        rows.append({"metric": ctx.pick(en, zh), "this": r.value, "last": r.fact("previous").value, "change": None if pctv is None else pctv.value})
    rows.append({"metric": ctx.pick("conversion (buyers ÷ viewers)", "转化率（购买用户÷浏览用户）"), "this": conv.value,
                 "last": _v(conv, "previous"), "change": _v(conv, "change")})
    rows.append({"metric": ctx.pick("conversion (buys ÷ views)", "转化率（购买次数÷浏览次数）"), "this": conv_e.value,
                 "last": _v(conv_e, "previous"), "change": _v(conv_e, "change")})
    table = pd.DataFrame(rows)
    headers = ctx.pick(f"metric|last {w}d|{w}d before|change", f"指标|最近{w}天|前{w}天|变化").split("|")
    body = [[r["metric"], r["this"], r["last"], signed_pct(r["change"])] for r in rows[:4]]
    body += [[r["metric"], pct(r["this"]), pct(r["last"]), signed_pp(r["change"], ctx.lang)] for r in rows[4:]]
    text = render(body, headers)
    cur, prev = conv.period, conv.previous
    scope = f"{cur.start} – {cur.end}"
    line1 = ctx.pick(
        f"Last {w} days ({scope}) vs the {w} before ({prev.start} – {prev.end}): views {signed_pct(rows[0]['change'])}, buys {signed_pct(rows[1]['change'])}.",
        f"最近 {w} 天（{scope}）对比前 {w} 天（{prev.start} – {prev.end}）：浏览 {signed_pct(rows[0]['change'])}，购买 {signed_pct(rows[1]['change'])}。")
    # which items moved: conversion change per item, significant drops first
    per_item = ctx.run(ctx.spec("conversion_users", op="change", by="item", period=period, limit=100))
    drops = significant_drops(per_item)[:3]
    overall_drop = bool(significant_drops(_as_grouped(conv)))
    line2 = ctx.pick(
        f"Conversion (buyers ÷ viewers) went from {pct(rows[4]['last'])} to {pct(rows[4]['this'])}" + (" — a significant drop." if overall_drop else "."),
        f"按用户转化率从 {pct(rows[4]['last'])} 变为 {pct(rows[4]['this'])}" + ("，显著下降。" if overall_drop else "。"))
    lines = [line1, line2]
    if drops:
        movers = [(f"{d['label']} (item {d['key']})" if d["label"] != str(d["key"]) else f"item {d['key']}") if ctx.lang == "en" else
                  (f"{d['label_zh']}（商品 {d['key']}）" if d["label_zh"] != str(d["key"]) else f"商品 {d['key']}") for d in drops]
        lines.append(ctx.pick("Significant drops: " + "; ".join(f"{n}: conversion {pct(d['previous'])} → {pct(d['value'])}" for n, d in zip(movers, drops)) + ".",
                              "显著下降的商品：" + "；".join(f"{n}：转化率 {pct(d['previous'])} → {pct(d['value'])}" for n, d in zip(movers, drops)) + "。"))
    incomplete = [p for p in (cur, prev) if not p.complete]
    if incomplete:
        lines.append(ctx.pick(
            "⚠ Incomplete window: " + "; ".join(f"{p.start} – {p.end} has data on {p.covered_days} of {p.days} days" for p in incomplete)
            + " — the changes compare unequal amounts of data.",
            "⚠ 时间窗不完整：" + "；".join(f"{p.start} – {p.end} 只有 {p.covered_days}/{p.days} 天有数据" for p in incomplete) + "，变化对比的数据量不相等。"))
    numbers = {
        "window_days": w, "this_start": cur.start, "this_end": cur.end, "last_start": prev.start, "last_end": prev.end,
        "this_covered_days": cur.covered_days, "last_covered_days": prev.covered_days, "complete": not incomplete,
        **{f"{m}_this": res[m].value for m, _, _ in METRICS}, **{f"{m}_last": res[m].fact("previous").value for m, _, _ in METRICS},
        "views_change": None if rows[0]["change"] is None else rows[0]["change"] / 100,
        "buys_change": None if rows[1]["change"] is None else rows[1]["change"] / 100,
        "conv_this": conv.value, "conv_last": _v(conv, "previous"), "conv_change": _v(conv, "change"),
        "conv_events_this": conv_e.value, "conv_events_last": _v(conv_e, "previous"), "significant_drop": overall_drop,
        "drops": [{"item_id": int(d["key"]), "conv_last": d["previous"], "conv_this": d["value"], "z": d["z"]} for d in drops],
    }
    title = ctx.pick("Trends", "趋势") + f" · {scope}"
    path = ctx.chart_path()
    chart = None
    if path:
        daily_v = ctx.run(ctx.spec("views", op="breakdown", by="day", period=Period("between", start=prev.start, end=cur.end)))
        daily_b = {x["key"]: x["value"] for x in ctx.run(ctx.spec("buys", op="breakdown", by="day", period=Period("between", start=prev.start, end=cur.end))).records()}
        recs = daily_v.records()
        chart = line_chart(path, [x["label"] for x in recs], {ctx.pick("views", "浏览"): [x["value"] for x in recs],
                                                               ctx.pick("buys", "购买"): [daily_b.get(x["key"], 0) for x in recs]}, title=title)
    return ReportResult("trends", ctx.lang, title, table, text, "\n".join(lines), chart=chart, numbers=numbers, how=ctx.how(conv))


def _v(r, role):
    f = r.fact(role)
    return None if f is None else f.value


class _as_grouped:
    """A total change result read as one group (for significant_drops)."""

    def __init__(self, r):
        self.r = r

    def records(self):
        rec = dict(zip(self.r.columns, self.r.rows[0])) if self.r.rows else {}
        return [{"key": "", **rec}] if rec else []
