"""Categories ranked by purchases, with buyers, viewers and conversion by users beside them
(users beside a users rate), and cart→buy among each category's cart users."""

from __future__ import annotations

import pandas as pd

from knowledge.query import Filter

from ..charts import bar_chart
from ..tables import pct, render
from .common import Ctx, by_key, empty_scope
from .types import ReportResult


def build(ctx: Ctx) -> ReportResult:
    ctx.require_behavior()
    main = ctx.run(ctx.spec("buys", op="top", by="category", limit=ctx.req.n, filters=ctx.filters(category=False)))
    if not main.rows:
        raise empty_scope()
    ids = tuple(str(x["key"]) for x in main.records())
    only = ctx.filters(category=False) + (Filter("category", ids),)
    side = {m: by_key(ctx.run(ctx.spec(m, op="breakdown", by="category", filters=only, limit=len(ids))))
            for m in ("views", "viewers", "buyers", "conversion_users", "cart_to_buy")}
    rec = main.records()
    table = pd.DataFrame({
        "rank": [x["rank"] for x in rec], "category_id": [int(x["key"]) for x in rec],
        "name": [ctx.q.category_name(x["key"], ctx.lang) for x in rec], "buys": [x["value"] for x in rec],
        **{m: [side[m].get(x["key"], {}).get("value") for x in rec] for m in side},
    })
    headers = ctx.pick("#|category|name|buys|views|viewers|buyers|conversion (buyers ÷ viewers)|cart→buy (cart users)",
                       "#|品类|名称|购买次数|浏览次数|浏览用户|购买用户|转化率（购买用户÷浏览用户）|加购→购买（加购用户）").split("|")
    text = render([[r["rank"], str(r["category_id"]), r["name"], r["buys"], r["views"], r["viewers"], r["buyers"],
                    pct(r["conversion_users"]), pct(r["cart_to_buy"])] for r in table.to_dict("records")], headers)
    scope = ctx.scope_label(main, category=False)
    first = table.iloc[0]
    name = ctx.q.label("category", first["category_id"], ctx.lang)
    best = table.dropna(subset=["conversion_users"]).sort_values(["conversion_users", "category_id"], ascending=[False, True])
    line1 = ctx.pick(f"{scope}: the category with most purchases is {name} ({int(first['buys']):,} buys by {int(first['buyers'] or 0):,} buyers).",
                     f"{scope}：购买最多的品类是 {name}（{int(first['buys']):,} 次购买，{int(first['buyers'] or 0):,} 位买家）。")
    if len(best):
        b = best.iloc[0]
        bn = ctx.q.label("category", b["category_id"], ctx.lang)
        line2 = ctx.pick(f"Of these, {bn} converts best: {pct(b['conversion_users'])} of its {int(b['viewers'] or 0):,} viewers bought.",
                         f"其中 {bn} 转化率最高：{int(b['viewers'] or 0):,} 位浏览用户中 {pct(b['conversion_users'])} 购买。")
    else:
        line2 = ctx.pick("No category has viewers to compute a conversion.", "没有品类有浏览用户可计算转化率。")
    numbers = {"categories": table.where(table.notna(), None).to_dict("records")}
    title = ctx.pick(f"Top {len(table)} categories by purchases", f"购买次数前 {len(table)} 的品类") + f" · {scope}"
    path = ctx.chart_path()
    chart = bar_chart(path, [ctx.q.label("category", c, "en") for c in table["category_id"]], table["buys"].tolist(), title=title, xlabel="buys") if path else None
    return ReportResult("categories", ctx.lang, title, table, text, f"{line1}\n{line2}", chart=chart, numbers=numbers, how=ctx.how(main))
