"""Top items by purchases, views or conversion. The rate beside event columns is by events
(purchases ÷ views); beside user columns, by users (buyers ÷ viewers) — never mixed."""

from __future__ import annotations

import pandas as pd

from knowledge.query import Filter

from ..charts import bar_chart
from ..errors import BotUserError
from ..tables import pct, render
from .common import Ctx, by_key, empty_scope, item_label
from .types import ReportResult


def build(ctx: Ctx) -> ReportResult:
    ctx.require_behavior()
    req = ctx.req
    if req.by == "conversion":
        main = ctx.run(ctx.spec("conversion_users", op="top", by="item", limit=req.n))
        cols = ("viewers", "buyers")
    else:
        main = ctx.run(ctx.spec(req.by, op="top", by="item", limit=req.n))
        cols = ("views", "buys")
    total_buys = ctx.total("buys")
    if not main.rows:
        if not ctx.total("events"):
            raise empty_scope()
        raise BotUserError(f"no item has enough activity to rank by {req.by}", message_zh=f"没有商品有足够的数据按 {req.by} 排名")
    ids = [str(x["key"]) for x in main.records()]
    only = ctx.filters(product=False) + (Filter("item", tuple(ids)),)
    side = {c: by_key(ctx.run(ctx.spec(c, op="breakdown", by="item", filters=only, limit=len(ids)))) for c in ("views", "buys", "viewers", "buyers")}
    rate_metric = "conversion_users" if req.by == "conversion" else "conversion_events"
    rates = by_key(ctx.run(ctx.spec(rate_metric, op="breakdown", by="item", filters=only, limit=len(ids))))
    rec = main.records()
    table = pd.DataFrame({
        "rank": [x["rank"] for x in rec],
        "item_id": [int(x["key"]) for x in rec],
        "name": [ctx.q.item_name(x["key"], ctx.lang) for x in rec],
        **{c: [int(side[c].get(x["key"], {}).get("value") or 0) for x in rec] for c in cols},
        "conversion": [rates.get(x["key"], {}).get("value") for x in rec],
    })
    table["conversion"] = table["conversion"].astype(float)
    rate_label = ctx.pick("conversion (buyers ÷ viewers)", "转化率（购买用户÷浏览用户）") if req.by == "conversion" else \
        ctx.pick("conversion (buys ÷ views)", "转化率（购买次数÷浏览次数）")
    headers = ["#", ctx.pick("item", "商品"), ctx.pick("name", "名称"),
               *(ctx.pick("viewers", "浏览用户") if c == "viewers" else ctx.pick("buyers", "购买用户") if c == "buyers" else
                 ctx.pick("views", "浏览") if c == "views" else ctx.pick("buys", "购买") for c in cols), rate_label]
    text = render([[r["rank"], str(r["item_id"]), r["name"], *(r[c] for c in cols), pct(r["conversion"])] for r in table.to_dict("records")], headers)
    scope = ctx.scope_label(main)
    first = table.iloc[0]
    label = item_label(ctx, int(first["item_id"]))
    metric = {"buys": ctx.pick("buys", "购买"), "views": ctx.pick("views", "浏览"), "conversion": ctx.pick("conversion", "转化率")}[req.by]
    if req.by == "conversion":
        line1 = ctx.pick(
            f"{scope}: top item by conversion is {label}: {int(first['buyers']):,} of its {int(first['viewers']):,} viewers bought "
            f"({pct(first['conversion'])}, buyers ÷ viewers; items with at least {main.extra.get('min_support')} viewers).",
            f"{scope}：转化率最高的是 {label}，{int(first['viewers']):,} 位浏览用户中 {int(first['buyers']):,} 人购买"
            f"（{pct(first['conversion'])}，购买用户 ÷ 浏览用户；仅统计浏览用户不少于 {main.extra.get('min_support')} 的商品）。")
    else:
        line1 = ctx.pick(
            f"{scope}: top item by {metric} is {label} with {int(first['buys']):,} buys from {int(first['views']):,} views "
            f"(conversion by events {pct(first['conversion'])}).",
            f"{scope}：按{metric}排名第一的是 {label}，{int(first['views']):,} 次浏览带来 {int(first['buys']):,} 次购买（按事件转化率 {pct(first['conversion'])}）。")
    listed_buys = sum(int(side["buys"].get(x["key"], {}).get("value") or 0) for x in rec)
    share = listed_buys / total_buys if total_buys else float("nan")
    line2 = ctx.pick(f"These {len(table)} items account for {pct(share)} of all {total_buys:,} buys in the period.",
                     f"这 {len(table)} 个商品占该时段全部 {total_buys:,} 次购买的 {pct(share)}。")
    numbers = {"total_buys": total_buys, "share_of_buys": share, "conversion_definition": rate_metric,
               "min_support": main.extra.get("min_support"), "items": [{k: (None if v != v else v) for k, v in r.items()} for r in table.to_dict("records")]}
    title = ctx.pick(f"Top {len(table)} items by {req.by}", f"{metric}前 {len(table)} 的商品") + f" · {scope}"
    path = ctx.chart_path()
    value_col = cols[1] if req.by != "views" else "views"
    chart = bar_chart(path, [str(i) for i in table["item_id"]], table[value_col if req.by != "conversion" else "conversion"].tolist(),
                      title=title, xlabel=value_col if req.by != "conversion" else "conversion") if path else None
    return ReportResult("top", ctx.lang, title, table, text, f"{line1}\n{line2}", chart=chart, numbers=numbers, how=ctx.how(main))
