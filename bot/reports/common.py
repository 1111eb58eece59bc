"""What every report module gets: `Ctx` (the request, the language, the query engine, and a
`run` that keeps every QueryResult for the ReportResult) and small formatting helpers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.query import Filter, Period, QueryEngine, QueryResult, QuerySpec, SpecError

from ..errors import BotUserError, no_data_error
from ..lang import pick
from .types import ReportRequest

SEGMENT_ZH = {"loyal_buyers": "忠实买家", "one_time_buyers": "新客/一次性买家", "cart_abandoners": "加购未买", "window_shoppers": "只逛不买", "dormant": "沉睡用户"}


@dataclass
class Ctx:
    req: ReportRequest
    lang: str
    q: QueryEngine
    charts_dir: Path | None  # None: no chart
    engine: Any = None  # the ReportEngine (model caches, frames)
    results: list[QueryResult] = field(default_factory=list)

    # ---- scope
    def filters(self, *, product: bool = True, category: bool = True) -> tuple[Filter, ...]:
        out = []
        if product and self.req.product:
            out.append(Filter("item", (self.req.product,)))
        if category and self.req.category:
            out.append(Filter("category", (self.req.category,)))
        return tuple(out)

    def period(self) -> Period:
        return Period("last_days", int(self.req.days)) if self.req.days else Period("all")

    def spec(self, metric: str, **kw) -> QuerySpec:
        kw.setdefault("filters", self.filters())
        kw.setdefault("period", self.period())
        return QuerySpec(metric, **kw)

    def run(self, spec: QuerySpec) -> QueryResult:
        """Run a spec; a name that matches nothing is a user-facing error, not a crash."""
        return self.run_many([spec])[0]

    def run_many(self, specs: list[QuerySpec]) -> list[QueryResult]:
        """Several specs at once (one scan for those sharing scope and period)."""
        try:
            rs = self.q.run_many(specs) if len(specs) > 1 else [self.q.run(specs[0])]
        except SpecError as exc:
            raise BotUserError(exc.reason, fix="use an item id (see `growthpilot report top`) or a name from the catalogue",
                               message_zh=f"查询无法执行：{exc.reason}", fix_zh="请使用商品编号（见 `growthpilot report top`）或商品目录里的名称") from exc
        self.results.extend(rs)
        return rs

    def total(self, metric: str, **kw):
        return self.run(self.spec(metric, **kw)).value

    def require_behavior(self) -> None:
        if self.q.bounds().rows == 0:
            raise no_data_error()

    def require_reviews(self) -> None:
        if self.q.n_reviews == 0:
            raise BotUserError("no reviews yet", fix="run `growthpilot demo` or `growthpilot ingest reviews PATH`",
                               message_zh="还没有评论数据", fix_zh="运行 `growthpilot demo` 或 `growthpilot ingest reviews 路径`")

    # ---- words
    def pick(self, en: str, zh: str) -> str:
        return pick(self.lang, en, zh)

    def scope_label(self, r: QueryResult, *, product: bool = True, category: bool = True) -> str:
        parts = [r.period.label(self.lang)] if r.period else []
        if product and self.req.product:
            parts.append(self.pick(f"item {self.req.product}", f"商品 {self.req.product}"))
        if category and self.req.category:
            parts.append(self.pick(f"category {self.req.category}", f"品类 {self.req.category}"))
        return (", " if self.lang == "en" else "，").join(parts)

    def how(self, r: QueryResult) -> str:
        return self.pick("How this was computed: ", "计算方法：") + self.q.explain(r, self.lang)

    def chart_path(self, *extra) -> Path | None:
        if self.charts_dir is None:
            return None
        digest = hashlib.sha1(repr((self.req, self.lang, extra)).encode()).hexdigest()[:10]
        return self.charts_dir / f"{self.req.kind}-{digest}.png"

    def warnings(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(w for r in self.results for w in r.warnings))


def empty_scope() -> BotUserError:
    return BotUserError(
        "no behaviour events match that product / category / period",
        fix="widen --days or check the id with `growthpilot report top`",
        message_zh="没有符合该商品/品类/时段的行为数据",
        fix_zh="放宽 --days，或用 `growthpilot report top` 核对编号",
    )


def item_label(ctx: Ctx, item_id: int) -> str:
    """"1003 (Lumi Buds Pro)" — ids never with thousands separators."""
    name = ctx.q.item_name(item_id, ctx.lang)
    return f"{int(item_id)} ({name})" if name else str(int(item_id))


def signed_pct(x) -> str:
    return "–" if x is None else f"{x:+.1f}%"


def signed_pp(x, lang: str) -> str:
    if x is None:
        return "–"
    return f"{100 * x:+.2f} pp" if lang == "en" else f"{100 * x:+.2f} 个百分点"


def by_key(r: QueryResult) -> dict:
    return {row["key"]: row for row in r.records()}
