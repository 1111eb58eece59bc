"""Facts written by code: the text of a data answer, from a `QueryResult`, in zh or en.

Every number a person reads in a data answer comes from `result.facts` and is printed here with
its metric's name, its definition, its period and (for a change) its direction — never by the
language model. Four shapes: total, breakdown, top/bottom, change (with or without `by`), then
the engine's warnings and one "how this was computed" line. `not_in_data_text` says plainly
that something is not in the data and what the data does hold.
"""

from __future__ import annotations

import re

from dataclasses import dataclass
from typing import Iterable, Sequence

from knowledge.query import Fact, MetricInfo, QueryResult
from knowledge.query.semantic import DIMENSIONS, METRICS

from .lang import pick


# ------------------------------------------------------------------------ formatting numbers
def fmt_value(value: float | int | None, unit: str) -> str:
    """8.0% for a ratio (0..1), 1,234 for a count, 2.35 for a number."""
    if value is None:
        return "—"
    v = float(value)
    if unit == "ratio":
        pct = v * 100
        return f"{pct:.2f}%" if abs(pct) < 1 and pct != 0 else f"{pct:.1f}%"
    if unit == "count":
        return f"{int(round(v)):,}"
    return f"{v:.2f}"


def fmt_change(value: float, unit: str, lang: str) -> str:
    """A change with its sign: +1.5 percentage points for a ratio, +120 for a count."""
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    a = abs(float(value))
    if unit == "ratio":
        return f"{sign}{a * 100:.1f} " + pick(lang, "percentage points", "个百分点")
    if unit == "count":
        return f"{sign}{int(round(a)):,}"
    return f"{sign}{a:.2f}"


def fmt_pct(value: float) -> str:
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{abs(float(value)):.1f}%"


def direction_word(value: float | None, lang: str) -> str:
    if value is None:
        return ""
    if value > 0:
        return pick(lang, "up", "上升")
    if value < 0:
        return pick(lang, "down", "下降")
    return pick(lang, "unchanged", "持平")


# ------------------------------------------------------------------------ the engine's warnings, in zh
_WARNINGS_ZH: tuple[tuple[re.Pattern, str], ...] = tuple((re.compile(p), z) for p, z in (
    (r"^incomplete window: the earlier period (.+?) has data on only ([\d,]+) of its ([\d,]+) days, so the change compares unequal amounts of data$",
     r"时间窗不完整：前一时段 \1 只有 \2/\3 天有数据，变化比较的数据量不相等"),
    (r"^incomplete window: (.+?) has data on ([\d,]+) of its ([\d,]+) days$", r"时间窗不完整：\1 只有 \2/\3 天有数据"),
    (r"^no data in this scope and period$", "该范围和时段内没有数据"),
    (r"^reviews without a date are left out of a dated period$", "没有日期的评论不计入指定时段"),
    (r"^showing ([\d,]+) of ([\d,]+) (\S+) values \(the largest by (.+)\)$", r"只列出 \2 个\3值中的 \1 个（按\4最大的）"),
    (r"^([\d,]+) of ([\d,]+) (\S+) value\(s\) with fewer than ([\d,]+) (.+) left out \(minimum support\)$",
     r"\2 个\3值中有 \1 个因少于 \4 \5（最小支持度）未列出"),
    (r"^no pair of items was (bought|viewed) by ([\d,]+) or more different users in this period$",
     r"该时段内没有被 \2 个及以上不同用户一起\1的商品对"),
))
_ZH_WORDS = {"bought": "购买", "viewed": "浏览", "item": "商品", "category": "品类", "users": "用户", "buyers": "买家", "reviews": "条评论",
             "hour": "小时", "weekday": "星期", "day": "日期", "aspect": "方面", "segment": "分群", "review_category": "评论品类", "review_product": "评论商品"}


def warning_text(w: str, lang: str) -> str:
    """An engine warning in the reply's language (the engine writes English; zh replies get Chinese)."""
    if lang != "zh":
        return w
    for pat, zh in _WARNINGS_ZH:
        m = pat.match(w)
        if m:
            out = m.expand(zh)
            for en, z in _ZH_WORDS.items():
                out = re.sub(rf"(?<![A-Za-z]){en}(?![A-Za-z])", z, out)
            return out
    return w


# ------------------------------------------------------------------------ the answer's parts
@dataclass(frozen=True)
class FactsText:
    """What code writes for one result: `body` (the facts), `warnings`, `how` (one line), and
    `numeric` (whether the answer is a number the person asked for)."""

    body: str
    warnings: tuple[str, ...]
    how: str
    numeric: bool = True

    @property
    def text(self) -> str:
        parts = [self.body]
        parts += [f"⚠ {w}" for w in self.warnings]
        if self.how:
            parts.append(self.how)
        return "\n".join(p for p in parts if p)


def _subjects(facts: Iterable[Fact], role: str = "value") -> list[str]:
    out: list[str] = []
    for f in facts:
        if f.role == role and f.subject not in out:
            out.append(f.subject)
    return out


def _shown_names(result: QueryResult, lang: str) -> dict[str, str]:
    """subject (the engine's English label) → the label in `lang`: the engine gives each row its zh label too."""
    cols = tuple(result.columns or ())
    if lang != "zh" or "label" not in cols or "label_zh" not in cols:
        return {}
    i, j = cols.index("label"), cols.index("label_zh")
    return {str(r[i]): str(r[j]) for r in result.rows if len(r) > max(i, j) and r[j] not in (None, "")}


def _fact(facts: Sequence[Fact], role: str, subject: str) -> Fact | None:
    for f in facts:
        if f.role == role and f.subject == subject:
            return f
    return None


def _scope(result: QueryResult, lang: str, names: dict | None = None) -> str:
    """"for 洗发水 (category)" from the spec's filters (ids shown by name where `names` has one)."""
    parts = []
    for flt in result.spec.filters:
        dim = DIMENSIONS.get(flt.dim)
        label = dim.label(lang) if dim else flt.dim
        shown = [str((names or {}).get(v, result.extra.get("filter_names", {}).get(v, v))) for v in flt.values]
        parts.append(pick(lang, f"{label} {', '.join(shown)}", f"{label}：{'、'.join(shown)}"))
    if not parts:
        return ""
    return pick(lang, " for " + "; ".join(parts), "（" + "；".join(parts) + "）")


def _period(result: QueryResult, lang: str, previous: bool = False) -> str:
    p = result.previous if previous else result.period
    if p is None:
        return pick(lang, "the whole log", "全部数据")
    return p.label(lang)


def _parts(result: QueryResult, subject: str, lang: str) -> str:
    """(120 buyers ÷ 1,500 viewers) for a ratio whose numerator and denominator the result has."""
    num, den = _fact(result.facts, "numerator", subject), _fact(result.facts, "denominator", subject)
    if num is None or den is None:
        return ""
    from .claims import RATIO_PARTS

    n_metric, d_metric = RATIO_PARTS.get(result.metric.name) or _MORE_PARTS.get(result.metric.name, ("", ""))
    n_label = METRICS[n_metric].label(lang) if n_metric in METRICS else pick(lang, "numerator", "分子")
    n_label = _NUMERATOR_LABELS.get(result.metric.name, {}).get(lang, n_label)
    d_label = METRICS[d_metric].label(lang) if d_metric in METRICS else pick(lang, "denominator", "分母")
    return f"（{fmt_value(num.value, 'count')} {n_label} ÷ {fmt_value(den.value, 'count')} {d_label}）" if lang == "zh" else \
        f" ({fmt_value(num.value, 'count')} {n_label} ÷ {fmt_value(den.value, 'count')} {d_label})"


# ratios of the layer the claim checker's RATIO_PARTS does not list (yet)
_MORE_PARTS = {"cart_abandonment": ("cart_no_buy_users", "carters"), "views_per_viewer": ("views", "viewers"), "events_per_user": ("events", "users")}

_NUMERATOR_LABELS = {
    "positive_share": {"en": "positive reviews", "zh": "好评"},
    "negative_share": {"en": "negative reviews", "zh": "差评"},
    "repeat_buyer_share": {"en": "repeat buyers", "zh": "复购买家"},
    "cart_to_buy": {"en": "cart users who bought", "zh": "加购后购买的用户"},
    "fav_to_buy": {"en": "favouriting users who bought", "zh": "收藏后购买的用户"},
}


def _label(m: MetricInfo, lang: str) -> str:
    lab = m.label(lang)
    return lab[:1].upper() + lab[1:] if lang == "en" else lab


def how_line(result: QueryResult, lang: str) -> str:
    """One line: the definition, the operation, the period and where it ran."""
    m, spec = result.metric, result.spec
    by = DIMENSIONS[spec.by].label(lang) if spec.by in DIMENSIONS else (spec.by or "")
    op = {
        "total": pick(lang, "total", "总计"),
        "breakdown": pick(lang, f"per {by}", f"按{by}分组"),
        "top": pick(lang, f"top {spec.limit} by {by}", f"按{by}取前 {spec.limit}"),
        "bottom": pick(lang, f"bottom {spec.limit} by {by}", f"按{by}取后 {spec.limit}"),
        "change": pick(lang, "this period vs the one before, same length", "本期与上一等长时段对比") + (pick(lang, f", per {by}", f"，按{by}") if by else ""),
    }.get(spec.op, spec.op)
    src = pick(lang, "behaviour log", "行为日志") if m.source == "behavior" else pick(lang, "stored reviews", "已入库评论")
    support = ""
    if spec.op in ("top", "bottom") and result.extra.get("min_support"):
        support = pick(lang, f"; only those with ≥ {result.extra['min_support']} in the denominator",
                       f"；只计分母 ≥ {result.extra['min_support']} 的")
    return pick(
        lang,
        f"How this was computed: {m.label_en} = {m.definition_en}; {op}; {_period(result, 'en')}{support}; one SQL query over the {src} (`--json` shows it).",
        f"计算方式：{m.label_zh} = {m.definition_zh}；{op}；{_period(result, 'zh')}{support}；对{src}执行一条 SQL 查询（`--json` 可查看）。",
    )


def render(result: QueryResult, lang: str, explain: str = "", emphasis: str | None = None, names: dict | None = None) -> FactsText:
    """The facts of `result` as text in `lang` (see module doc). `explain`: the engine's own
    one-line account (definition, period, SQL summary), used for the "how" line when given.
    `emphasis` "down"/"up": a change per subject lists the biggest drop (rise) first."""
    ft = _render(result, lang, emphasis, names or {})
    if explain:
        ft = FactsText(ft.body, ft.warnings, pick(lang, "How this was computed: ", "计算方式：") + explain, ft.numeric)
    return ft


def _render(result: QueryResult, lang: str, emphasis: str | None = None, names: dict | None = None) -> FactsText:
    m, spec = result.metric, result.spec
    label = _label(m, lang)
    scope = _scope(result, lang, names or {})
    period = _period(result, lang)
    sep = pick(lang, ": ", "：")
    if result.empty or not result.facts:
        body = pick(lang, f"{label}{scope}, {period}: no data in this period and scope.", f"{label}{scope}，{period}：该时段和范围内没有数据。")
        return FactsText(body, tuple(warning_text(w, lang) for w in result.warnings), how_line(result, lang))
    if spec.op == "total":
        f = _fact(result.facts, "value", "")
        v = f.value if f is not None else result.facts[0].value
        body = pick(lang, f"{label}{scope}, {period}: {fmt_value(v, m.unit)}", f"{label}{scope}，{period}：{fmt_value(v, m.unit)}") + _parts(result, "", lang) + pick(lang, ".", "。")
    elif spec.op == "change":
        body = _render_change(result, lang, label, scope, emphasis)
    else:
        subjects = _subjects(result.facts)
        ranked = [(_fact(result.facts, "rank", s), s) for s in subjects]
        if spec.op in ("top", "bottom") and all(r is not None for r, _ in ranked):
            subjects = [s for _, s in sorted(ranked, key=lambda x: x[0].value)]  # type: ignore[union-attr]
        by = DIMENSIONS[spec.by].label(lang) if spec.by in DIMENSIONS else spec.by
        if spec.op == "breakdown":
            head = pick(lang, f"{label} by {by}{scope}, {period}", f"{label}按{by}{scope}，{period}")
        else:
            word = pick(lang, "Top" if spec.op == "top" else "Bottom", "前" if spec.op == "top" else "后")
            head = pick(lang, f"{word} {len(subjects)} by {m.label_en} (per {by}){scope}, {period}", f"{m.label_zh}{word} {len(subjects)} 的{by}{scope}，{period}")
        lines = [head + sep.rstrip()]
        shown = _shown_names(result, lang)
        for i, s in enumerate(subjects, 1):
            f = _fact(result.facts, "value", s)
            lines.append(f"{i}. {shown.get(s, s) or pick(lang, '(none)', '（空）')} — {fmt_value(f.value if f else None, m.unit)}{_parts(result, s, lang)}")
        body = "\n".join(lines)
    definition = pick(lang, f"({m.label_en}: {m.definition_en}.)", f"（{m.label_zh}：{m.definition_zh}。）")
    return FactsText(body + "\n" + definition, tuple(warning_text(w, lang) for w in result.warnings), how_line(result, lang))


def _render_change(result: QueryResult, lang: str, label: str, scope: str, emphasis: str | None = None) -> str:
    m = result.metric
    cur, prev = _period(result, lang), _period(result, lang, previous=True)
    lines = []
    subjects = _subjects(result.facts, "change") or _subjects(result.facts)
    if emphasis in ("down", "up") and len(subjects) > 1:
        ch = {f.subject: float(f.value) for f in result.facts if f.role == "change"}
        ch.update({f.subject: float(f.value) for f in result.facts if f.role == "change_pct"})  # relative change first
        subjects.sort(key=lambda x: ch.get(x, 0.0), reverse=emphasis == "up")
    others = 0
    if emphasis in ("down", "up") and len(subjects) > 1:
        sign = {f.subject: float(f.value) for f in result.facts if f.role == "change"}
        match = [x for x in subjects if (sign.get(x, 0.0) < 0 if emphasis == "down" else sign.get(x, 0.0) > 0)]
        if match:
            others = len(subjects) - len(match)
            subjects = match
    if len(subjects) > 1 or others:
        label = m.label(lang)
    for s in subjects:
        v, p = _fact(result.facts, "value", s), _fact(result.facts, "previous", s)
        ch, pct = _fact(result.facts, "change", s), _fact(result.facts, "change_pct", s)
        d = direction_word(ch.value if ch else None, lang)
        name = f"{_shown_names(result, lang).get(s, s)} — " if s else ""
        pct_txt = f" ({fmt_pct(pct.value)})" if pct is not None and lang == "en" else f"（{fmt_pct(pct.value)}）" if pct is not None else ""
        if lang == "zh":
            lines.append(f"{name}{label}{scope}{d}：从 {fmt_value(p.value if p else None, m.unit)}（{prev}）到 {fmt_value(v.value if v else None, m.unit)}（{cur}），"
                         f"变化 {fmt_change(ch.value, m.unit, lang) if ch else '—'}{pct_txt}。")
        else:
            lines.append(f"{name}{label}{scope} went {d}: from {fmt_value(p.value if p else None, m.unit)} ({prev}) to {fmt_value(v.value if v else None, m.unit)} ({cur}), "
                         f"a change of {fmt_change(ch.value, m.unit, lang) if ch else '—'}{pct_txt}.")
    tail = ""
    if others:
        tail = "\n" + pick(lang, f"({others} other(s) went {'up' if emphasis == 'down' else 'down'} or stayed flat.)",
                           f"（另有 {others} 个{'上升' if emphasis == 'down' else '下降'}或持平。）")
    if len(lines) > 1:
        return "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1)) + tail
    return (lines[0] if lines else "") + tail


# ------------------------------------------------------------------------ not in the data
def metric_list(lang: str, metrics: dict[str, MetricInfo] | None = None) -> str:
    metrics = metrics or METRICS
    beh = [m.label(lang) for m in metrics.values() if m.source == "behavior"]
    rev = [m.label(lang) for m in metrics.values() if m.source == "reviews"]
    j = pick(lang, ", ", "、")
    return pick(lang, f"behaviour: {j.join(beh)}; reviews: {j.join(rev)}", f"行为数据：{j.join(beh)}；评论：{j.join(rev)}")


def not_in_data_text(missing: str, lang: str, metrics: dict[str, MetricInfo] | None = None) -> str:
    what = missing.strip() or pick(lang, "that", "这项内容")
    return pick(
        lang,
        f"Not in the data: {what} is not something the stored data holds, so I can't answer it (and won't guess).\n"
        f"What the data does hold — {metric_list('en', metrics)}; by product, category, day, week, hour, weekday, segment "
        "and, for reviews, category, product, language, sentiment and aspect.",
        f"数据里没有：{what}不在已存储的数据中，所以无法回答（也不做猜测）。\n"
        f"数据里有的是——{metric_list('zh', metrics)}；可按商品、品类、日期、周、小时、星期、用户分群，评论可按品类、商品、语言、情感和维度查看。",
    )
