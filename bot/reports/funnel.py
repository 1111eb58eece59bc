"""Funnel: view → cart / favourite → buy, users and events per stage; both conversion
definitions, labelled; cart→buy among cart users (never all buyers over all cart users)."""

from __future__ import annotations

import pandas as pd

from ..charts import bar_chart
from ..tables import pct, render
from .common import Ctx, empty_scope
from .types import ReportResult

STAGES = (("View", "浏览", "viewers", "views"), ("Cart", "加购", "carters", "carts"),
          ("Favourite", "收藏", "favers", "favs"), ("Buy", "购买", "buyers", "buys"))


def build(ctx: Ctx) -> ReportResult:
    ctx.require_behavior()
    counts = [m for s in STAGES for m in s[2:]]
    rates = ["conversion_users", "conversion_events", "cart_to_buy", "view_to_cart", "view_to_fav", "fav_to_buy"]
    res = dict(zip(counts + rates, ctx.run_many([ctx.spec(m) for m in counts + rates])))
    n = {m: res[m].value for m in counts}
    if not n["views"] and not n["carts"] and not n["favs"] and not n["buys"]:
        raise empty_scope()
    conv_u, conv_e, c2b = res["conversion_users"], res["conversion_events"], res["cart_to_buy"]
    v2c, v2f, f2b = (res[m].value for m in ("view_to_cart", "view_to_fav", "fav_to_buy"))
    cart_buyers = c2b.fact("numerator").value
    never_carted = n["buyers"] - cart_buyers
    viewers = n["viewers"]
    rows = [{"stage": ctx.pick(en, zh), "users": n[u], "events": n[e], "of_viewers": (n[u] / viewers) if viewers else float("nan")}
            for en, zh, u, e in STAGES]
    table = pd.DataFrame(rows)
    headers = ctx.pick("stage|users|events|% of viewers", "环节|用户数|次数|占浏览用户").split("|")
    text = render([[r["stage"], r["users"], r["events"], pct(r["of_viewers"])] for r in rows], headers)
    scope = ctx.scope_label(conv_u)
    cu, ce, cb = conv_u.value, conv_e.value, c2b.value
    line1 = ctx.pick(
        f"{scope}: {viewers:,} users viewed, {n['carters']:,} added to cart, {n['buyers']:,} bought — conversion by users "
        f"(buyers ÷ viewers) {pct(cu)}; by events (purchases ÷ views) {pct(ce)}.",
        f"{scope}：{viewers:,} 人浏览，{n['carters']:,} 人加购，{n['buyers']:,} 人购买。按用户转化率（购买用户 ÷ 浏览用户）{pct(cu)}；"
        f"按事件转化率（购买次数 ÷ 浏览次数）{pct(ce)}。",
    )
    line2 = ctx.pick(
        f"Of the {n['carters']:,} cart users, {cart_buyers:,} bought (cart→buy {pct(cb)}); {never_carted:,} buyers never added to cart; "
        f"{pct(v2c)} of viewers reached the cart, favourite→buy {pct(f2b)}.",
        f"{n['carters']:,} 位加购用户中 {cart_buyers:,} 人完成购买（加购→购买 {pct(cb)}）；{never_carted:,} 位买家从未加购；"
        f"浏览用户中 {pct(v2c)} 进入购物车，收藏→购买 {pct(f2b)}。",
    )
    numbers = {**n, "view_to_cart": v2c, "view_to_fav": v2f, "view_to_buy": cu, "conversion_users": cu, "conversion_events": ce,
               "cart_to_buy": cb, "cart_buyers": cart_buyers, "buyers_never_carted": never_carted, "fav_to_buy": f2b}
    title = ctx.pick("Funnel", "转化漏斗") + f" · {scope}"
    path = ctx.chart_path()
    chart = bar_chart(path, table["stage"].tolist(), table["users"].tolist(), title=title, xlabel="users") if path else None
    return ReportResult("funnel", ctx.lang, title, table, text, f"{line1}\n{line2}", chart=chart, numbers=numbers, how=ctx.how(conv_u))
