"""Segments: users, buyers, purchases per segment (rules of knowledge/insights/segments.py,
in SQL), what each segment buys most, repeat-buyer share and purchases per buyer."""

from __future__ import annotations

import pandas as pd

from knowledge.query import Filter
from knowledge.query.engine import SEGMENT_LABELS_EN, SEGMENTS

from ..charts import bar_chart
from ..tables import pct, render
from .common import SEGMENT_ZH, Ctx, by_key, empty_scope
from .types import ReportResult


def build(ctx: Ctx) -> ReportResult:
    ctx.require_behavior()
    kw = dict(filters=(), period=ctx.period())
    users = by_key(ctx.run(ctx.spec("users", op="breakdown", by="segment", **kw)))
    if not users:
        raise empty_scope()
    buyers = by_key(ctx.run(ctx.spec("buyers", op="breakdown", by="segment", **kw)))
    buys = by_key(ctx.run(ctx.spec("buys", op="breakdown", by="segment", **kw)))
    total_users = ctx.total("users", **kw)
    repeat = ctx.run(ctx.spec("repeat_buyer_share", **kw))
    ppb = ctx.run(ctx.spec("purchases_per_buyer", **kw))
    rows, tops = [], []
    for s in SEGMENTS:
        top = []
        for metric in ("buys", "carts", "views"):  # what they buy; cart for segments without purchases; else what they view
            r = ctx.run(ctx.spec(metric, op="top", by="category", limit=3, filters=(Filter("segment", (s,)),), period=ctx.period()))
            if r.rows:
                top = [(x["key"], x["value"], metric) for x in r.records()]
                break
        tops.append(top)
        u = int(users.get(s, {}).get("value") or 0)
        rows.append({"segment": ctx.pick(SEGMENT_LABELS_EN[s], SEGMENT_ZH[s]), "users": u,
                     "share": u / total_users if total_users else float("nan"),
                     "buyers": int(buyers.get(s, {}).get("value") or 0), "buys": int(buys.get(s, {}).get("value") or 0),
                     "top_categories": ", ".join(ctx.q.label("category", c, ctx.lang) for c, _, _ in top)})
    table = pd.DataFrame(rows)
    headers = ctx.pick("segment|users|share|buyers|buys|top categories", "用户群|人数|占比|买家|购买次数|主要品类").split("|")
    text = render([[r["segment"], r["users"], pct(r["share"], 1), r["buyers"], r["buys"], r["top_categories"]] for r in rows], headers)
    scope = ctx.scope_label(repeat, product=False, category=False)
    big = table.sort_values(["users", "segment"], ascending=[False, True]).iloc[0]
    loyal = table.iloc[0]
    total_buys = int(table["buys"].sum())
    loyal_share = float(loyal["buys"]) / total_buys if total_buys else float("nan")
    line1 = ctx.pick(f"{scope}: the largest segment is {big['segment']} with {int(big['users']):,} users ({pct(big['share'], 1)}).",
                     f"{scope}：最大的用户群是{big['segment']}，共 {int(big['users']):,} 人（{pct(big['share'], 1)}）。")
    line2 = ctx.pick(f"{loyal['segment'].capitalize()} are {pct(loyal['share'], 1)} of users but make {pct(loyal_share, 1)} of the {total_buys:,} purchases; "
                     f"{pct(repeat.value, 1)} of buyers bought twice or more, {_num(ppb.value)} purchases per buyer.",
                     f"{loyal['segment']}占用户的 {pct(loyal['share'], 1)}，却贡献了 {total_buys:,} 次购买中的 {pct(loyal_share, 1)}；"
                     f"{pct(repeat.value, 1)} 的买家购买 2 次及以上，人均购买 {_num(ppb.value)} 次。")
    numbers = {"segments": [{"segment": s, "users": r["users"], "share": r["share"], "buyers": r["buyers"], "buys": r["buys"],
                             "top_categories": [int(c) for c, _, _ in t], "top_by": t[0][2] if t else ""}
                            for s, r, t in zip(SEGMENTS, rows, tops)],
               "total_buys": total_buys, "total_users": total_users, "repeat_buyer_share": repeat.value, "purchases_per_buyer": ppb.value,
               "dormant_days": ctx.q.dormant_days()}
    title = ctx.pick("Segments", "用户分群") + f" · {scope}"
    path = ctx.chart_path()
    chart = bar_chart(path, table["segment"].tolist(), table["users"].tolist(), title=title, xlabel="users") if path else None
    return ReportResult("segments", ctx.lang, title, table, text, f"{line1}\n{line2}", chart=chart, numbers=numbers,
                        how=ctx.how(ctx.results[0]))


def _num(x) -> str:
    return "–" if x is None else f"{x:.2f}"


