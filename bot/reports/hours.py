"""Hours and weekdays: when people view and buy (UTC), and conversion by events per hour."""

from __future__ import annotations

import pandas as pd

from ..charts import bar_chart
from ..tables import pct, render
from .common import Ctx, by_key, empty_scope
from .types import ReportResult


def build(ctx: Ctx) -> ReportResult:
    ctx.require_behavior()
    views = ctx.run(ctx.spec("views", op="breakdown", by="hour"))
    if not views.rows and not ctx.total("events"):
        raise empty_scope()
    buys = by_key(ctx.run(ctx.spec("buys", op="breakdown", by="hour")))
    conv = by_key(ctx.run(ctx.spec("conversion_events", op="breakdown", by="hour")))
    vmap = by_key(views)
    table = pd.DataFrame({"hour": list(range(24)), "views": [int(vmap.get(h, {}).get("value") or 0) for h in range(24)],
                          "buys": [int(buys.get(h, {}).get("value") or 0) for h in range(24)],
                          "conversion": [conv.get(h, {}).get("value") for h in range(24)]})
    table["conversion"] = table["conversion"].astype(float)
    wd_v = ctx.run(ctx.spec("views", op="breakdown", by="weekday"))
    wd_b = by_key(ctx.run(ctx.spec("buys", op="breakdown", by="weekday")))
    headers = ctx.pick("hour (UTC)|views|buys|conversion (buys ÷ views)", "小时（UTC）|浏览次数|购买次数|转化率（购买次数÷浏览次数）").split("|")
    text = render([[f"{h:02d}:00", v, b, pct(c)] for h, v, b, c in table.itertuples(index=False)], headers)
    wd = [(x["label"], x["value"], int(wd_b.get(x["key"], {}).get("value") or 0)) for x in wd_v.records()]
    if wd:
        text += "\n\n" + render([list(x) for x in wd], ctx.pick("weekday|views|buys", "星期|浏览次数|购买次数").split("|"))
    scope = ctx.scope_label(views)
    pv = table.sort_values(["views", "hour"], ascending=[False, True]).iloc[0]
    pb = table.sort_values(["buys", "hour"], ascending=[False, True]).iloc[0]
    line1 = ctx.pick(f"{scope}: most views at {int(pv['hour']):02d}:00 UTC ({int(pv['views']):,}), most purchases at {int(pb['hour']):02d}:00 UTC ({int(pb['buys']):,}).",
                     f"{scope}：浏览最多在 UTC {int(pv['hour']):02d}:00（{int(pv['views']):,} 次），购买最多在 UTC {int(pb['hour']):02d}:00（{int(pb['buys']):,} 次）。")
    if wd:
        top = max(wd, key=lambda x: (x[2], x[1]))
        line2 = ctx.pick(f"The busiest weekday for purchases is {top[0]} ({top[2]:,} buys); hours are UTC.",
                         f"购买最多的是{top[0]}（{top[2]:,} 次）；时间为 UTC。")
    else:
        line2 = ""
    numbers = {"hours": table.where(table.notna(), None).to_dict("records"),
               "weekdays": [{"weekday": w, "views": v, "buys": b} for w, v, b in wd]}
    title = ctx.pick("Hours of day", "时段分布") + f" · {scope}"
    path = ctx.chart_path()
    chart = bar_chart(path, [f"{h:02d}" for h in table["hour"]], table["buys"].tolist(), title=title, xlabel="buys") if path else None
    return ReportResult("hours", ctx.lang, title, table, text, f"{line1}\n{line2}".strip(), chart=chart, numbers=numbers, how=ctx.how(views))
