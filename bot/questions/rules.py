"""The fast path: a question → a spec by words (zh and en), no model.

`parse_rules` reads, in order: not a data question (chit-chat, copy, "why") → not in the data
(ad spend, revenue, competitors …) → the metric → the operation, the dimension, the period, the
top-N → names of entities (filters) → a follow-up edit of the previous spec. It says whether it
is confident; when it is not, the parser may ask the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.query import Entities, Entity, Filter, Period, QuerySpec, SemanticLayer, SpecError

from . import vocab as V
from .periods import BEFORE, COMPARE, PeriodHit, parse_period, shift_back, strip_periods
from .resolve import Match, Resolver
from .settings import QuestionSettings

CONV_DEFAULT_NOTE = {"en": "conversion read as by users (buyers ÷ viewers); ask 'by events' for purchase events ÷ view events",
                     "zh": "转化率按用户口径（购买用户数 ÷ 浏览用户数）；按事件口径请说“按事件”"}
_VERB_TO_USERS = {"buys": "buyers", "carts": "carters", "favs": "favers", "views": "viewers"}
_GROUP_DIM = {"items": "item", "categories": "category", "review_categories": "review_category", "review_products": "review_product", "segments": "segment"}
_BEHAVIOUR_OF_REVIEW_DIM = {"review_category": "category", "review_product": "item"}
_REVIEW_OF_BEHAVIOUR_DIM = {"category": "review_category", "item": "review_product"}


@dataclass
class RuleResult:
    kind: str  # "query" | "not_in_data" | "none" | "unsure"
    spec: QuerySpec | None = None
    missing: str = ""
    source: str = "rules"
    notes: list[str] = field(default_factory=list)
    confident: bool = False
    data_cue: bool = False  # the question looks like it asks for a number


@dataclass
class Reading:
    """What the words of a question say, before a spec is assembled."""

    metric: str | None = None
    metric_notes: list[str] = field(default_factory=list)
    op: str | None = None  # "top" | "bottom" | "breakdown" | "change" | None
    dim: str | None = None
    dim_defaulted: bool = False
    period: PeriodHit | None = None
    limit: int | None = None
    matches: list[Match] = field(default_factory=list)
    word_filters: list[Filter] = field(default_factory=list)
    unknown_names: list[str] = field(default_factory=list)
    followup: bool = False
    compare_only: bool = False  # the only change word is a comparison ("vs", "对比"): of two named things, not of two periods
    before: bool = False  # "and the week before?": the period before the previous one (a follow-up), not a comparison
    last_day: str = ""  # the log's last day ("now"), when the entities know it


_CART = re.compile(r"(?<![a-z])(?:cart(?:s|ed)?|basket)(?![a-z])|加购|购物车")
_FAV = re.compile(r"(?<![a-z])(?:fav(?:ou?rite[sd]?|orite[sd]?|s)?|wishlist\w*|sav(?:e|ed))(?![a-z])|收藏")
_BUY = re.compile(r"(?<![a-z])(?:buy\w*|bought|purchas\w*|check(?:ed)? ?out|order\w*)(?![a-z])|购买|买|下单|付款")
_RATIO_CUE = re.compile(r"(?<![a-z])(?:share|percent\w*|proportion|fraction|rate|ratio|how often|how many of|end(?:ed)? up|go(?:es)? on|went on)(?![a-z])"
                        r"|%|比例|占比|百分之|比率|率|多少比例|最后|后来|最终")
_VIEWISH = re.compile(r"(?<![a-z])(?:viewers|visitors|(?:users|people|shoppers|customers) (?:who |that )?(?:viewed|visited|looked at|browsed))(?![a-z])"
                      r"|浏览用户|访客|浏览过|看过|浏览的(?:用户|人)")
_NEVER = re.compile(r"(?<![a-z])(?:never|not|didn't|did not|don't|without|no)(?![a-z])|没|未|不")


def _ratio_of(t: str) -> str | None:
    """"among users who carted, what share bought" / "收藏了的人后来买的比例": cart→buy, fav→buy."""
    if not (_BUY.search(t) and _RATIO_CUE.search(t)) or _NEVER.search(t):
        return None
    cart, fav = _CART.search(t), _FAV.search(t)
    if cart and (not fav or cart.start() < fav.start()):
        return "cart_to_buy" if cart.start() < _BUY.search(t).start() else None
    if fav:
        return "fav_to_buy" if fav.start() < _BUY.search(t).start() else None
    view = _VIEWISH.search(t)
    if view and view.start() < _BUY.search(t).start():
        return "conversion_users"  # "what share of visitors bought?": buyers ÷ viewers
    return None


def find_metric(t: str, lang: str, known: set[str] | None = None) -> tuple[str | None, list[str]]:
    notes: list[str] = []
    ordered = tuple((n, p) for n, p in V.METRIC_PATTERNS if known is None or n in known)
    if known is None or "cart_abandonment" in known:
        # "what share of cart users never bought?": the rate, not the count of those users
        cart, buy = _CART.search(t), _BUY.search(t)
        if V.ABANDON_RATE.search(t) or (cart and buy and cart.start() < buy.start() and _NEVER.search(t) and _RATIO_CUE.search(t)):
            return "cart_abandonment", notes
    # the specific ratios first: "加购转化率" is cart→buy, not conversion
    specific = [x for x in ordered if x[0] in ("cart_no_buy_users", "cart_to_buy", "fav_to_buy")]
    for name, pat in specific:
        if pat.search(t):
            return name, notes
    ratio = _ratio_of(t)
    if ratio:
        return ratio, notes
    if V.PER_VIEW.search(t):
        return "conversion_events", notes
    if V.CONV.search(t):
        if V.BY_EVENTS.search(t):
            return "conversion_events", notes
        if not V.BY_USERS.search(t):
            notes.append(CONV_DEFAULT_NOTE["zh" if lang == "zh" else "en"])
        return "conversion_users", notes
    for name, pat in ordered:
        if name in ("cart_no_buy_users", "cart_to_buy", "fav_to_buy"):
            continue
        if pat.search(t):
            if name in _VERB_TO_USERS and V.USERISH.search(t) and (V.COUNT.search(t) or "多少" in t or "几个" in t):
                return _VERB_TO_USERS[name], notes
            if name in ("negative_share", "positive_share") and V.COUNT.search(t) and not V.SHARE.search(t):
                return "reviews", notes  # "how many negative reviews": a count, the sentiment a filter
            if name == "reviews" and V.SHARE.search(t):
                # "what share of phone reviews are bad?": the sentiment share
                for value, spat in V.SENTIMENT_FILTER:
                    if spat.search(t) and (known is None or f"{value}_share" in known):
                        return f"{value}_share", notes
            return name, notes
    return None, notes


def find_dims(t: str) -> list[tuple[int, str]]:
    out = []
    for name, pat in V.DIM_PATTERNS:
        m = pat.search(t)
        if m:
            out.append((m.start(), -(m.end() - m.start()), name))
    return [(start, name) for start, _, name in sorted(out)]  # at one place the longer phrase wins ("每周哪天" is the weekday)


def _limit(t: str) -> int | None:
    m = V.LIMIT.search(t)
    if not m:
        return None
    n = V.to_int(next(g for g in m.groups() if g))
    return n if n and 1 <= n <= 100 else None


_QUOTED = re.compile(r"[\"“「『'‘]([^\"”」』'’]{2,40})[\"”」』'’]")


_ZH_CUT = re.compile(r"的|销量|转化|浏览|加购|收藏|购买|评分|评论|好评|差评|卖|多少|是|有|在|和|呢")


def unknown_names(original: str, entities: Entities, matches: list[Match]) -> list[str]:
    """Names the question gives that the catalogue does not have: a brand word followed by a name no
    item matches ("Lumi Rocket", "Lumi 电动牙刷"), or a quoted name that resolves to nothing."""
    found: list[str] = []
    resolver = Resolver(entities)
    for brand in entities.brands:
        b = re.escape(brand)
        for m in re.finditer(rf"(?<![A-Za-z])(?i:{b})((?:\s+[A-Z0-9][\w\-]*){{1,3}})", original):
            name = f"{brand}{m.group(1)}".strip()
            if not resolver.find(V.normalise(name)):
                found.append(name)
        for m in re.finditer(rf"(?i)(?<![A-Za-z]){b}\s*([\u4e00-\u9fff]{{2,10}})", original):
            tail = _ZH_CUT.split(m.group(1))[0]
            if len(tail) >= 2 and not resolver.find(tail):
                found.append(f"{brand} {tail}")
    for m in _QUOTED.finditer(original):
        name = m.group(1).strip()
        if not resolver.find(V.normalise(name)):
            found.append(name)
    return found


_UNIT_RE = re.compile(r"[\u3400-\u9fff]|[a-z]+|\d+")


_ITEM_ID = re.compile(r"(?:(?<![a-z])(?:items?|products?|skus?|goods)|商品|产品|单品|宝贝)\s*(?:id\s*)?[#:：]?\s*(\d{3,})")


def _item_ids(text: str, matches: list[Match]) -> None:
    """"item 3031354", "商品2333346": an item by its id, also where no catalogue lists it (a log of ids only)."""
    for m in _ITEM_ID.finditer(text):
        iid = m.group(1)
        if any(x.group == "items" and x.entity.id == iid for x in matches):
            continue
        u = len(_UNIT_RE.findall(text[: m.start(1)]))
        matches[:] = [x for x in matches if not (x.start <= u < x.end)]
        matches.append(Match("items", Entity(iid), u, u + 1, 1.0, True))
    matches.sort(key=lambda x: x.start)


def blank_units(text: str, matches: list[Match]) -> str:
    """The text with the words of `matches` (unit spans, as the resolver counts them) blanked out."""
    spans = [m.span() for m in _UNIT_RE.finditer(text)]
    out = list(text)
    for m in matches:
        if m.start < len(spans) and m.end - 1 < len(spans):
            for i in range(spans[m.start][0], spans[m.end - 1][1]):
                out[i] = " "
    return "".join(out)


def read(text: str, lang: str, resolver: Resolver, entities: Entities, layer: SemanticLayer | None = None) -> Reading:
    t = V.fix_typos(V.normalise(text))
    r = Reading()
    r.period = parse_period(t, entities.extra)
    r.last_day = str((entities.extra or {}).get("last_day") or "")
    r.before = bool(BEFORE.search(t)) and not COMPARE.search(t) and r.period is None
    s = strip_periods(t)
    r.matches = resolver.find(s)
    _item_ids(s, r.matches)
    known = set(layer.metrics) if layer is not None else None
    segs = [m for m in r.matches if m.group == "segments"]
    if segs:
        # "how many loyal buyers", "只逛不买的用户有多少": the segment is a filter, its name's words are no metric;
        # a segment with no other metric word is a count of its users
        r.metric, r.metric_notes = find_metric(blank_units(s, segs), lang, known)
        r.metric = r.metric or "users"
    else:
        r.metric, r.metric_notes = find_metric(s, lang, known)
    if r.metric is None and V.PERFORMANCE.search(s) and any(m.group in ("items", "categories") for m in r.matches):
        r.metric = "conversion_users"
        r.metric_notes.append("'how is it doing' read as its conversion (buyers ÷ viewers)" if lang != "zh" else "“表现”按转化率（购买用户数 ÷ 浏览用户数）回答")
    # a word that is part of a matched name is no operation/dimension word ("Lumi Buds Pro" has no "pro" op)
    r.limit = _limit(s)
    if V.CHANGE.search(s) or (r.period is not None and r.period.compare):
        r.op = "change"
        r.compare_only = not V.CHANGE.search(V.ENTITY_COMPARE.sub(lambda m: " " * len(m.group(0)), s)) and not V.SECOND_PERIOD.search(t)
    elif V.BOTTOM.search(s):
        r.op = "bottom"
    elif V.TOP.search(s) or r.limit:
        r.op = "top"
    elif V.BREAKDOWN.search(s):
        r.op = "breakdown"
    dims = find_dims(V.OBJECT_NOUN.sub(lambda m: m.group(0)[:2] + " " * (len(m.group(0)) - 2), s) if r.op is None else s)
    filter_dims = {_GROUP_DIM[m.group] for m in r.matches}
    filter_dims |= {_BEHAVIOUR_OF_REVIEW_DIM.get(d, d) for d in list(filter_dims)}
    free = [d for _, d in dims if d not in filter_dims]
    if free and not (r.op is None and r.matches):
        r.dim = free[0]
    elif dims and not r.matches:
        r.dim = dims[0][1]
    for value, pat in V.LANG_FILTER:
        if pat.search(s):
            r.word_filters.append(Filter("review_lang", (value,)))
            break
    for value, pat in V.SENTIMENT_FILTER:
        if pat.search(s):
            r.word_filters.append(Filter("sentiment", (value,)))
            break
    r.unknown_names = unknown_names(text, entities, r.matches)
    r.followup = bool(V.FOLLOWUP.search(t))
    return r


def _filters_for(metric_source: str, r: Reading, notes: list[str], lang: str) -> list[Filter]:
    by_dim: dict[str, list[str]] = {}
    groups = {}
    for m in r.matches:
        dim = _GROUP_DIM[m.group]
        if metric_source == "reviews" and dim in _REVIEW_OF_BEHAVIOUR_DIM:
            dim = _REVIEW_OF_BEHAVIOUR_DIM[dim]
        if metric_source == "behavior" and dim in _BEHAVIOUR_OF_REVIEW_DIM:
            if m.group == "review_products":  # a reviewed product that is also a catalogue item
                dim = "item"
            else:
                notes.append(f"'{m.entity.name(lang)}' is a review category; behaviour data has no such category" if lang != "zh"
                             else f"“{m.entity.name(lang)}”是评论品类，行为数据中没有这个品类")
                continue
        if metric_source == "behavior" and dim == "segment":
            pass
        by_dim.setdefault(dim, [])
        if m.entity.id not in by_dim[dim]:
            by_dim[dim].append(m.entity.id)
        groups.setdefault(dim, []).append(m)
    for dim, ms in groups.items():
        if len(ms) > 1 and len({(x.end - x.start, x.score) for x in ms}) == 1 and not all(x.exact for x in ms):
            names = ", ".join(x.entity.name(lang) for x in ms)
            notes.append(f"'{ms[0].entity.name(lang)}' is ambiguous: read as all of {names}" if lang != "zh" else f"名称不唯一，按全部计算：{names}")
    out = [Filter(d, tuple(v)) for d, v in by_dim.items()]
    if metric_source == "reviews":
        have = {f.dim for f in out}
        out += [f for f in r.word_filters if f.dim not in have]
    return out


def assemble(r: Reading, layer: SemanticLayer, lang: str, settings: QuestionSettings) -> tuple[QuerySpec | None, list[str]]:
    notes = list(r.metric_notes)
    if r.metric is None:
        return None, notes
    info = layer.metric(r.metric)
    dim = r.dim
    if dim is not None:
        if info.source == "reviews" and dim in _REVIEW_OF_BEHAVIOUR_DIM:
            dim = _REVIEW_OF_BEHAVIOUR_DIM[dim]
        elif info.source == "behavior" and dim in _BEHAVIOUR_OF_REVIEW_DIM:
            dim = _BEHAVIOUR_OF_REVIEW_DIM[dim]
        if layer.dimensions.get(dim) is None or layer.dimensions[dim].source != info.source:
            notes.append(f"'{dim}' does not apply to {info.label_en}; ignored" if lang != "zh" else f"“{dim}”不适用于{info.label_zh}，已忽略")
            dim = None
    filters = _filters_for(info.source, r, notes, lang)
    if info.source == "reviews" and r.metric in ("positive_share", "negative_share"):
        filters = [f for f in filters if f.dim != "sentiment"]  # the share itself is about sentiment
    op = r.op
    if r.metric in ("bought_together", "viewed_together") and "item_pair" in layer.dimensions:
        op, dim = "top", "item_pair"  # a ranking of item pairs (the engine runs these as top only)
    if op in ("top", "bottom") and dim is None:
        dim = "item" if info.source == "behavior" else "review_product"
        r.dim_defaulted = True
        notes.append("read as per product" if lang != "zh" else "按商品排名")
    if op is None or (op == "breakdown" and dim is None):
        op = "breakdown" if dim else "total"
    if op == "total" and dim:
        op = "breakdown"
    several = [f for f in filters if len(f.values) > 1 and f.dim in ("item", "category", "review_product", "review_category", "segment")]
    if several and dim is None and (op is None or op == "total" or (op == "change" and r.compare_only)):
        op, dim = "breakdown", several[0].dim  # "audio vs lighting", "A 和 B 分别": each of them, side by side
    if op == "change" and dim and any(f.dim == dim for f in filters):
        dim = None  # "did Buds Pro's conversion go up?": the change of that one product
    if op in ("top", "bottom", "breakdown") and dim and any(f.dim == dim for f in filters) and len(next(f for f in filters if f.dim == dim).values) == 1:
        op, dim = "total", None  # "Buds Pro's views by product" means the one product
    period = r.period.period if r.period else Period()
    if r.period:
        notes += list(r.period.notes)
    if op == "change" and (r.period is None or period.kind == "all"):
        period = Period(settings.default_change_period)
    limit = r.limit or 10
    try:
        spec = QuerySpec(metric=r.metric, op=op, by=dim, filters=tuple(filters), period=period, limit=limit)
        layer.validate(spec)
    except SpecError as e:
        notes.append(str(e))
        return None, notes
    return spec, notes


def parse_rules(text: str, lang: str, layer: SemanticLayer, resolver: Resolver, entities: Entities,
                previous: QuerySpec | None, settings: QuestionSettings) -> RuleResult:
    t = V.normalise(text)
    zh = lang == "zh"
    if not t.strip() or V.CHAT.search(t):
        return RuleResult("none", notes=["chit-chat"], confident=True)
    if V.COPY.search(t):
        return RuleResult("none", notes=["a copy request"], confident=True)
    if V.WHY.search(t):
        return RuleResult("none", notes=["a 'why' question: needs evidence, not one number"], confident=True)
    if V.SUMMARY.search(t):
        return RuleResult("none", notes=["a summary: needs evidence, not one number"], confident=True)
    for pat, en, zh_name in V.NOT_IN_DATA:
        if pat.search(t):
            return RuleResult("not_in_data", missing=zh_name if zh else en, confident=True)

    r = read(text, lang, resolver, entities, layer)
    cue = bool(V.DATA_CUE.search(t))
    if r.unknown_names:
        name = r.unknown_names[0]
        return RuleResult("not_in_data", missing=(f"商品“{name}”" if zh else f"product '{name}'"),
                          notes=[f"unknown product '{n}'" for n in r.unknown_names], confident=True)

    if previous is not None and (r.metric is None or r.followup):
        spec, notes = followup(previous, r, layer, lang, settings)
        if spec is not None:
            return RuleResult("query", spec, source="followup", notes=notes, confident=True)
    spec, notes = assemble(r, layer, lang, settings)
    if spec is None:
        return RuleResult("unsure", notes=notes, confident=False, data_cue=cue or bool(r.matches) or r.metric is not None)
    return RuleResult("query", spec, notes=notes, confident=True, data_cue=True)


def followup(previous: QuerySpec, r: Reading, layer: SemanticLayer, lang: str, settings: QuestionSettings) -> tuple[QuerySpec | None, list[str]]:
    """Edit `previous` with what a short follow-up names: a period, a dimension, an entity, an operation, a metric."""
    notes: list[str] = list(r.metric_notes)
    changes: dict = {}
    metric = r.metric or previous.metric
    info = layer.metric(metric)
    changed = False
    if r.before:
        back = shift_back(previous.period, r.last_day)
        if back is not None:
            changes["period"] = back
            changed = True
        else:
            notes.append("the period before could not be placed (the log's last day is not known)")
    if r.metric and r.metric != previous.metric:
        changes["metric"] = r.metric
        changed = True
        if layer.metric(previous.metric).source != info.source:  # e.g. from views to reviews: names no longer fit
            changes["by"] = None if previous.by is None else (_REVIEW_OF_BEHAVIOUR_DIM.get(previous.by) or _BEHAVIOUR_OF_REVIEW_DIM.get(previous.by))
            # the product carries over (a reviewed product is a catalogue item); other names do not fit the other source
            products = {"item": "review_product", "review_product": "item"}
            changes["filters"] = tuple(Filter(products[f.dim], f.values) for f in previous.filters
                                       if f.dim in products and layer.dimensions.get(products[f.dim]) is not None
                                       and layer.dimensions[products[f.dim]].source == info.source)
            if changes["by"] is None and previous.op in ("top", "bottom", "breakdown"):
                changes["op"] = "total"
    if r.period is not None:
        changes["period"] = r.period.period
        notes += list(r.period.notes)
        if r.period.compare:
            changes["op"] = "change"
        changed = True
    by = changes.get("by", previous.by)
    op = changes.get("op", previous.op)
    if r.dim is not None:
        dim = r.dim
        if info.source == "reviews":
            dim = _REVIEW_OF_BEHAVIOUR_DIM.get(dim, dim)
        else:
            dim = _BEHAVIOUR_OF_REVIEW_DIM.get(dim, dim)
        if layer.dimensions.get(dim) is not None and layer.dimensions[dim].source == info.source:
            by = dim
            if op == "total":
                op = "breakdown"
            changed = True
    if r.op in ("top", "bottom", "change") and r.op != op:
        op = r.op
        changed = True
        if op in ("top", "bottom") and by is None:
            by = "item" if info.source == "behavior" else "review_product"
    if r.op == "change" and "period" not in changes and previous.period.kind == "all":
        changes["period"] = Period(settings.default_change_period)
    if r.limit:
        changes["limit"] = r.limit
        changed = True
    if r.matches or r.word_filters:
        new = _filters_for(info.source, r, notes, lang)
        dims = {f.dim for f in new}
        kept = tuple(f for f in changes.get("filters", previous.filters) if f.dim not in dims)
        changes["filters"] = kept + tuple(new)
        if by in dims:  # "what about Buds Lite?" after "which product …": the one product now
            by, op = None, ("change" if op == "change" else "total")
        changed = changed or bool(new)
    if not changed:
        return None, notes
    if metric in ("positive_share", "negative_share"):  # the share itself is about sentiment
        changes["filters"] = tuple(f for f in changes.get("filters", previous.filters) if f.dim != "sentiment")
    changes["by"] = by
    changes["op"] = op if (by or op in ("total", "change")) else "total"
    if changes["op"] == "total" and by:
        changes["op"] = "breakdown"
    try:
        spec = previous.with_changes(**changes)
        layer.validate(spec)
    except SpecError as e:
        notes.append(str(e))
        return None, notes
    return spec, notes
