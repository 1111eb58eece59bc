"""Items bought together (else viewed together), counted in DISTINCT USERS who did both —
one person's browsing counts once, and a pair needs at least two different people."""

from __future__ import annotations

import pandas as pd

from knowledge.query import Filter

from ..charts import bar_chart
from ..errors import BotUserError
from ..tables import pct, render
from .common import Ctx, item_label
from .types import ReportResult


def build(ctx: Ctx) -> ReportResult:
    ctx.require_behavior()
    req = ctx.req
    by = "item" if req.product else "item_pair"
    filters = ((Filter("item", (req.product,)),) if req.product else ()) + ctx.filters(product=False)
    r = None
    for metric in ("bought_together", "viewed_together"):
        r = ctx.run(ctx.spec(metric, op="top", by=by, limit=req.n, filters=filters))
        if r.rows:
            break
    assert r is not None
    if not r.rows:
        raise BotUserError("not enough joint activity for recommendations: no two items were bought or viewed by the same 2+ users",
                           fix="try another item (see `/report top`) or a longer period",
                           message_zh="共同购买/浏览数据不足：没有哪两件商品被至少 2 位相同用户购买或浏览", fix_zh="换一个商品（见 `/report top`）或放宽时间范围")
    basis = "buy" if r.spec.metric == "bought_together" else "pv"
    rec = r.records()
    table = pd.DataFrame({
        "item_a": [x["item_a"] for x in rec], "item_b": [x["item_b"] for x in rec],
        "name_b": [ctx.q.item_name(x["item_b"], ctx.lang) for x in rec],
        "users": [x["value"] for x in rec], "confidence": [x["confidence"] for x in rec], "lift": [x["lift"] for x in rec],
    })
    together = ctx.pick("bought both" if basis == "buy" else "viewed both", "都买过" if basis == "buy" else "都浏览过")
    headers = ctx.pick(f"item|with item|name|users who {together}|confidence|lift", f"商品|搭配商品|名称|{together}的用户数|置信度|提升度").split("|")
    text = render([[str(x.item_a), str(x.item_b), x.name_b, x.users, pct(x.confidence, 1), x.lift] for x in table.itertuples()], headers)
    first = table.iloc[0]
    scope = ctx.scope_label(r, product=False)
    a, b = item_label(ctx, int(first["item_a"])), item_label(ctx, int(first["item_b"]))
    n_a = rec[0]["users_a"]
    verb_en = "bought" if basis == "buy" else "viewed"
    line1 = ctx.pick(f"{scope}: {int(first['users']):,} different users {verb_en} both {a} and {b} "
                     f"({pct(first['confidence'], 1)} of the {n_a:,} who {verb_en} {int(first['item_a'])}; lift {first['lift']:.2f}).",
                     f"{scope}：{int(first['users']):,} 位不同用户{together} {a} 和 {b}"
                     f"（占{'购买' if basis == 'buy' else '浏览'} {int(first['item_a'])} 的 {n_a:,} 人中的 {pct(first['confidence'], 1)}；提升度 {first['lift']:.2f}）。")
    support = r.extra["min_support"]
    if basis == "buy":
        line2 = ctx.pick(f"Pairs bought by at least {support} different users: candidates for a bundle or an \"often bought with\" link.",
                         f"以上组合至少有 {support} 位不同用户都买过：可考虑组合装或“经常一起买”推荐。")
    else:
        line2 = ctx.pick(f"No pair was bought by {support}+ different users; these were viewed by the same {support}+ users — shared interest, "
                         "not purchases: try a cross-link, not a bundle.",
                         f"没有组合被 {support} 位以上不同用户共同购买；以上是被相同用户浏览的组合，说明兴趣相近而非购买：可做互相推荐，不宜做组合装。")
    numbers = {"basis": basis, "counted_in": "distinct users", "min_support": support,
               "pairs": [{k: x[k] for k in ("item_a", "item_b", "value", "users_a", "users_b", "n_users", "confidence", "lift")} for x in rec]}
    title = ctx.pick("Often together", "经常一起") + (f" · {req.product}" if req.product else "")
    path = ctx.chart_path()
    chart = bar_chart(path, [f"{x.item_a}+{x.item_b}" for x in table.itertuples()], table["users"].tolist(), title=title, xlabel="users") if path else None
    return ReportResult("recs", ctx.lang, title, table, text, f"{line1}\n{line2}", chart=chart, numbers=numbers, how=ctx.how(r))
