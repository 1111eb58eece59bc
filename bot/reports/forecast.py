"""Campaign forecast: who is likely to buy in the next window (purchase-propensity model,
time-split, pandas/sklearn), a target within the population (`users` means that many users),
and the lift measured on held-out days with its AUC. The same computation as the propensity
insight (knowledge.insights.propensity.campaign), so report and insight say the same."""

from __future__ import annotations

import math

import pandas as pd

from knowledge.insights.propensity import campaign
from knowledge.query.engine import SEGMENT_LABELS_EN

from ..charts import bar_chart
from ..errors import BotUserError
from ..tables import pct, render
from .common import SEGMENT_ZH, Ctx
from .types import ReportResult


def build(ctx: Ctx) -> ReportResult:
    ctx.require_behavior()
    population = ctx.run(ctx.spec("users", filters=(), period=ctx.period()))
    key = ("campaign", ctx.req.users)
    cache = ctx.engine._frames if ctx.engine is not None else {}
    c = cache.get(key)
    if c is None:
        c = campaign(ctx.q, top_n=ctx.req.users)
        cache[key] = c
    res, fc, rs = c.result, c.forecast, c.segments
    if fc["population"] == 0:
        raise BotUserError("no users to score", message_zh="没有可评分的用户")
    table = pd.DataFrame({
        "segment": [ctx.pick(SEGMENT_LABELS_EN.get(s, s), SEGMENT_ZH.get(s, s)) for s in rs["segment"]],
        "users": rs["users"].astype(int), "mean_propensity": rs["mean_propensity"].astype(float),
        "users_in_top": rs["users_in_top"].astype(int),
    })
    n = fc["top_n"]
    headers = ctx.pick(f"segment|users|mean propensity|in the top {n:,}", f"用户群|人数|平均购买倾向|进入前 {n:,}").split("|")
    text = render([[r.segment, r.users, pct(r.mean_propensity, 1), r.users_in_top] for r in table.itertuples()], headers)
    auc = "n/a" if math.isnan(res.auc) else f"{res.auc:.3f}"
    lift = "n/a" if math.isnan(fc["lift_held_out"]) else f"{fc['lift_held_out']:.2f}×"
    share = pct(fc["share"], 1)
    capped = ctx.pick(f" (you asked for {fc['requested']:,}; there are only {fc['population']:,} users)",
                      f"（要求 {fc['requested']:,} 人，但只有 {fc['population']:,} 位用户）") if fc["capped"] else ""
    line1 = ctx.pick(
        f"Targeting the {n:,} users ({share} of {fc['population']:,}) most likely to buy{capped} should reach ~{fc['expected_buyers_top_n']:.0f} "
        f"buyers in the next {res.label_days} days vs ~{fc['expected_buyers_random_n']:.0f} at random (held-out lift {lift}).",
        f"定向购买倾向最高的 {n:,} 位用户（{fc['population']:,} 人中的 {share}）{capped}，预计未来 {res.label_days} 天约有 "
        f"{fc['expected_buyers_top_n']:.0f} 人购买，随机投放约 {fc['expected_buyers_random_n']:.0f} 人（留出集提升 {lift}）。")
    line2 = ctx.pick(
        f"Measured on held-out days: model {res.model_name}, AUC {auc} on {res.n_test:,} users (trained before {res.cutoff_train}, "
        f"tested on purchases from {res.cutoff_test}); base rate {pct(res.base_rate, 1)}.",
        f"在留出的日期上检验：模型 {res.model_name}，AUC {auc}（{res.n_test:,} 位用户；用 {res.cutoff_train} 之前训练，检验 {res.cutoff_test} 起的购买）；"
        f"基准购买率 {pct(res.base_rate, 1)}。")
    numbers = {"auc": _f(res.auc), "base_rate": _f(res.base_rate), "lift_top_decile": _f(res.lift_top_decile), "label_days": res.label_days,
               "cutoff_train": res.cutoff_train, "cutoff_test": res.cutoff_test, "n_test": res.n_test, "model": res.model_name,
               **{k: _f(v) for k, v in fc.items()}, "users_in_log": population.value,
               "segments": [{k: _f(v) for k, v in r.items()} for r in rs.to_dict("records")]}
    title = ctx.pick(f"Campaign forecast · top {n:,} users", f"活动效果预测 · 前 {n:,} 位用户")
    path = ctx.chart_path()
    chart = bar_chart(path, table["segment"].tolist(), table["mean_propensity"].tolist(), title=title, xlabel="mean propensity") if path else None
    how = ctx.pick("How this was computed: ", "计算方法：") + ctx.pick(
        f"logistic propensity model on per-user features before each cutoff; lift = buy rate of the top {share} of held-out users ÷ the held-out base rate; "
        f"population from the query layer ({population.value:,} users)",
        f"逻辑回归购买倾向模型，特征只用截止日前的行为；提升 = 留出集中倾向最高的 {share} 用户的购买率 ÷ 留出集基准购买率；用户总数来自查询层（{population.value:,} 人）")
    return ReportResult("forecast", ctx.lang, title, table, text, f"{line1}\n{line2}", chart=chart, numbers=numbers, how=how)


def _f(v):
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):
        return v.item()
    return v
