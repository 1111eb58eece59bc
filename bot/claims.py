"""The claim checker: a sentence the model writes about a query result is shown only when every
claim in it is bound to a fact of that result.

Numbers: each number is bound to the quantity it is about — the nearest metric word that fits
its unit (a percentage binds to a rate or a relative change, a count to a count), the nearest
subject (item, category, day … named in the result) and a role cue ("from X to Y", "by N",
"previous") — and is accepted only when a fact of the same metric, subject and role holds that
value within the rounding of the written number. A number that merely appears somewhere in the
result is not enough ("95.3% were negative" when 95.3% is the positive share is refused).

Directions: up/down/rose/fell/增加/减少/上升/下降 … must match the sign of the change fact of the
metric and subject they are about (negations flip them); a direction with no change fact behind
it is refused. Comparatives between two named subjects ("A converts better than B") must match
their values.

Entities: a product, category or brand the sentence names (capitalised words, quoted names,
Latin words in Chinese text) must exist in the result or in `Entities`.

Dates, periods ("7 days") and numbers the question itself holds are not claims about a metric.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from knowledge.query import Entities, Fact, QueryResult
from knowledge.query.semantic import METRICS

from .grounding import Number, extract_numbers, split_sentences, strip_markers

# A ratio's numerator and denominator, as metrics of their own: a numerator fact of
# conversion_users is also the value of buyers for the same subject and period.
RATIO_PARTS: dict[str, tuple[str, str]] = {
    "conversion_events": ("buys", "views"),
    "conversion_users": ("buyers", "viewers"),
    "cart_to_buy": ("buyers", "carters"),
    "fav_to_buy": ("buyers", "favers"),
    "repeat_buyer_share": ("buyers", "buyers"),
    "purchases_per_buyer": ("buys", "buyers"),
    "positive_share": ("reviews", "reviews"),
    "negative_share": ("reviews", "reviews"),
}

# Words a reader uses for each metric (longest match wins; "cart users" is not "users").
METRIC_WORDS: dict[str, tuple[str, ...]] = {
    "views": ("page views", "page-views", "pageviews", "views", "view events", "pv", "浏览次数", "浏览量", "浏览事件", "浏览"),
    "carts": ("add-to-carts", "add to carts", "cart adds", "carts", "加购次数", "加购事件", "加购"),
    "favs": ("favourites", "favorites", "favs", "收藏次数", "收藏事件", "收藏"),
    "buys": ("purchases", "purchase events", "buys", "orders", "sales", "units sold", "sold", "购买次数", "购买事件", "销量", "订单", "购买"),
    "events": ("events", "行为事件", "事件"),
    "users": ("active users", "users", "活跃用户", "用户数", "用户"),
    "viewers": ("viewers", "浏览用户", "访客"),
    "carters": ("cart users", "carters", "users who carted", "加购用户", "加购的用户"),
    "favers": ("favouriting users", "favoriting users", "收藏用户"),
    "buyers": ("buyers", "customers who bought", "users who bought", "购买用户", "买家", "购买的用户"),
    "cart_no_buy_users": ("carted but never bought", "carted but did not buy", "cart abandoners", "加购未购买", "加购但未购买", "加购却没有购买"),
    "conversion_events": ("conversion by events", "event conversion", "conversion rate", "conversion", "converts", "converted", "converting", "转化率", "转化"),
    "conversion_users": ("conversion by users", "user conversion", "按用户"),
    "cart_to_buy": ("cart→buy", "cart-to-buy", "cart to buy", "cart->buy", "加购→购买", "加购转化", "加购到购买"),
    "fav_to_buy": ("favourite→buy", "favorite→buy", "fav-to-buy", "favourite to buy", "收藏→购买", "收藏转化", "收藏到购买"),
    "repeat_buyer_share": ("repeat-buyer share", "repeat buyers", "repeat-buyer", "repeat purchase", "复购用户占比", "复购率", "复购"),
    "purchases_per_buyer": ("purchases per buyer", "per buyer", "人均购买", "人均"),
    "reviews": ("reviews", "review count", "评论数", "评论", "评价"),
    "avg_rating": ("average rating", "rating", "stars", "平均评分", "评分", "星级"),
    "positive_share": ("positive share", "positive", "好评占比", "好评率", "好评", "正面"),
    "negative_share": ("negative share", "negative", "差评占比", "差评率", "差评", "负面"),
    "aspect_mentions": ("mentions", "mentioned", "提及"),
}
# "conversion" alone may be either definition: both are the same family for binding.
FAMILIES: dict[str, frozenset[str]] = {
    "conversion_events": frozenset({"conversion_events", "conversion_users"}),
    "conversion_users": frozenset({"conversion_events", "conversion_users"}),
}

_UP = ("increased", "increases", "increase", "rose", "rises", "risen", "rise", "grew", "grows", "growth", "gained", "climbed",
       "jumped", "improved", "went up", "gone up", "is up", "was up", "up by", "up from", "higher", "more than",
       "增加", "上升", "上涨", "增长", "提高", "提升", "升高", "走高", "涨")
_DOWN = ("decreased", "decreases", "decrease", "declined", "declines", "decline", "fell", "falls", "fallen", "fall", "dropped",
         "drops", "drop", "shrank", "slipped", "worsened", "went down", "gone down", "is down", "was down", "down by", "down from",
         "lower", "less than", "fewer", "下降", "减少", "下跌", "降低", "下滑", "回落", "跌", "降")
_FLAT = ("unchanged", "flat", "stable", "steady", "持平", "不变", "没有变化")
_BETTER = ("better", "best", "more", "higher", "outperform", "更好", "更高", "更多", "最好", "最高")
_WORSE = ("worse", "worst", "less", "lower", "underperform", "更差", "更低", "更少", "最差", "最低")
_NEGATION = re.compile(r"(?:\bnot\b|\bno\b|\bnever\b|n't|没有|并未|未|不|没)\s*\S{0,6}$", re.I)

_CUE_PREVIOUS = re.compile(r"(?:\bfrom\b|\bprevious(?:ly)?\b|\bbefore\b|\bprior\b|\bearlier\b|\bwas\b\s+$|从|上期|之前|此前|前一周)\s*\S{0,12}$", re.I)
_CUE_VALUE_AFTER_FROM = re.compile(r"(?:\bto\b|到|至|变为|升至|降至)\s*\S{0,6}$", re.I)
_CUE_CHANGE = re.compile(r"(?:\bby\b|了|幅度|变化|change of|a change of)\s*\S{0,4}$", re.I)
_POINTS = re.compile(r"^\s*(?:percentage points?|pp\b|points?\b|个百分点|百分点)", re.I)
_PERIOD_AFTER = re.compile(r"^\s*(?:days?|weeks?|months?|hours?|天|日|周|星期|个月|月|小时|点)", re.I)
_ID_BEFORE = re.compile(r"(?:\bitem\b|\bid\b|\bsku\b|#|商品|编号|类目|品类|category)\s*$", re.I)
_RANK_BEFORE = re.compile(r"(?:\bno\.\s*|\brank(?:ed)?\s*|\b#|第)\s*$", re.I)
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}月\d{1,2}日|\b\d{4}年")
_CAPWORD = re.compile(r"\b[A-Z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*\b")
_QUOTED = re.compile(r"[“「『《\"]([^”」』》\"]{2,30})[”」』》\"]")
_LATIN_IN_ZH = re.compile(r"[A-Za-z][A-Za-z0-9\-]+")
# Capitalised words that are not names (sentence words, units, calendar, our own terms).
_COMMON = frozenset(
    """a an the this that these those it its in on at of for from to by and or but so as is was are were be been has have had
    we our you your they their he she i my me he overall total all most more less top bottom best worst last next previous
    week weeks day days month months year monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december utc sql duckdb json csv conversion conversions views buyers viewers
    purchases reviews review customers customer users user rating ratings positive negative share rate however also meanwhile
    note overall because since while although though whereas compared versus vs among between then therefore thus still yet
    only just both each every some many much few sales orders items item products product category categories segment segments
    yes no not how why what which who when where if one two three first second third growth traffic demand price quality
    delivery battery sound design interest shoppers shopper buyer cart carts add favourites favorites this period""".split()
)


def _stop_words() -> frozenset[str]:
    global _STOP_CACHE
    if _STOP_CACHE is None:
        try:
            from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

            _STOP_CACHE = frozenset(ENGLISH_STOP_WORDS)
        except ImportError:  # pragma: no cover - sklearn is a dependency
            _STOP_CACHE = frozenset()
    return _STOP_CACHE


_STOP_CACHE: frozenset[str] | None = None


@dataclass(frozen=True)
class Verdict:
    ok: bool
    sentence: str
    reasons: tuple[str, ...] = ()


@dataclass
class ClaimChecker:
    """Checks sentences against the facts of one or more results (see module doc)."""

    results: Sequence[QueryResult]
    entities: Entities = field(default_factory=Entities)
    question: str = ""
    known_names: Iterable[str] = ()  # extra names allowed (the brand, evidence product names)
    context: str = ""  # the text the model was given (facts, quoted reviews): its words are not foreign names
    # a capitalised word opening a sentence counts as a name unless it is a common word (strict), or
    # only when a second capitalised word follows it ("Apple AirPods") or it is CamelCase (lenient)
    strict_start: bool = True

    def __post_init__(self) -> None:
        self.facts: list[Fact] = []
        for r in self.results:
            self.facts += list(r.facts)
            for f in r.facts:  # numerators/denominators are values of their own metrics too
                parts = RATIO_PARTS.get(f.metric)
                if parts and f.role in ("numerator", "denominator"):
                    m = parts[0] if f.role == "numerator" else parts[1]
                    self.facts.append(Fact(m, f.value, "value", f.dim, f.subject, f.subject_id, f.period))
        self.metric_of_result = [r.metric.name for r in self.results]
        self._q_numbers = [n.value for n in extract_numbers(self.question)]
        self._period_numbers: set[float] = set()
        self._dates: set[str] = set()
        for r in self.results:
            for p in (r.period, r.previous):
                if p is not None:
                    self._period_numbers |= {float(p.days), float(p.covered_days)}
                    self._dates |= {p.start, p.end}
            n = getattr(r.spec.period, "n", None)
            if n:
                self._period_numbers.add(float(n))
            self._period_numbers.add(float(r.spec.limit))
        # subject → the names it may be written as
        self._subject_names: dict[str, set[str]] = {}
        by_id = {e.id: e for group in (self.entities.items, self.entities.categories, self.entities.review_categories,
                                          self.entities.review_products, self.entities.segments) for e in group}
        for f in self.facts:
            if not f.subject:
                continue
            names = self._subject_names.setdefault(f.subject, {f.subject})
            if f.subject_id:
                names.add(f.subject_id)
                e = by_id.get(f.subject_id)
                if e is not None:
                    names.update(e.names())
            for e in by_id.values():
                if f.subject in e.names():
                    names.update(e.names())
        self._names_lower = {n.lower() for n in self.entities.all_names() | set(self._subject_names) | set(self.known_names) if n}
        for names in self._subject_names.values():
            self._names_lower |= {n.lower() for n in names}
        self._name_tokens = {t for n in self._names_lower for t in re.split(r"[\s\-·/()（）]+", n) if t}
        self._context_words = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9'-]*", self.context + " " + self.question)}
        self._metric_words = sorted(((w.lower(), m) for m, ws in METRIC_WORDS.items() for w in ws), key=lambda x: -len(x[0]))

    # ------------------------------------------------------------------ public
    def check(self, sentence: str) -> Verdict:
        text = strip_markers(sentence)
        reasons: list[str] = []
        low = text.lower()
        mentions = self._metric_mentions(low)
        subjects = self._subject_mentions(low)
        reasons += self._check_numbers(text, low, mentions, subjects)
        reasons += self._check_directions(low, mentions, subjects)
        reasons += self._check_entities(text)
        return Verdict(not reasons, sentence, tuple(reasons))

    def filter_text(self, text: str) -> tuple[str, list[Verdict]]:
        """`text` with every sentence that fails the check dropped; the verdicts of the dropped ones."""
        kept, dropped = [], []
        for s in split_sentences(text):
            if not s.strip():
                kept.append(s)
                continue
            v = self.check(s)
            (kept if v.ok else dropped).append(s if v.ok else v)
        return "".join(k for k in kept if isinstance(k, str)).strip(), dropped

    # ------------------------------------------------------------------ binding
    def _metric_mentions(self, low: str) -> list[tuple[int, int, str]]:
        return _mentions(low, self._metric_words)

    def _subject_mentions(self, low: str) -> list[tuple[int, int, str]]:
        out = []
        pairs = sorted(((n.lower(), s) for s, names in self._subject_names.items() for n in names if len(n) >= 2 or not n.isdigit()),
                       key=lambda x: -len(x[0]))
        taken = [False] * len(low)
        for name, subject in pairs:
            if not name:
                continue
            pattern = re.escape(name)
            if re.match(r"[a-z0-9]", name):
                pattern = r"(?<![a-z0-9])" + pattern
            if re.search(r"[a-z0-9]$", name):
                pattern += r"(?![a-z0-9])"
            for m in re.finditer(pattern, low):
                if any(taken[m.start():m.end()]):
                    continue
                for i in range(m.start(), m.end()):
                    taken[i] = True
                out.append((m.start(), m.end(), subject))
        return sorted(out)

    @staticmethod
    def _nearest(pos: int, spans: Sequence[tuple[int, int, str]], end: int | None = None) -> tuple[int, int, str] | None:
        if not spans:
            return None
        end = pos if end is None else end

        def dist(s):
            return 0 if s[0] <= pos < s[1] else (pos - s[1] if s[1] <= pos else s[0] - end)

        return min(spans, key=lambda s: (dist(s), s[0]))

    def _family(self, metric: str) -> frozenset[str]:
        return FAMILIES.get(metric, frozenset({metric}))

    # ------------------------------------------------------------------ numbers
    def _spans(self, text: str) -> list[tuple[int, int, Number]]:
        from .grounding import _NUMBER  # the same number syntax as the number check

        out = []
        for m in _NUMBER.finditer(text):
            nums = extract_numbers(m.group(0))
            if nums:
                out.append((m.start(), m.end(), nums[0]))
        return out

    def _check_numbers(self, text: str, low: str, mentions, subjects) -> list[str]:
        reasons = []
        date_spans = [(m.start(), m.end()) for m in _DATE.finditer(text)]
        subject_spans = [(a, b) for a, b, _ in subjects]
        for start, end, num in self._spans(text):
            before, after = text[max(0, start - 16):start], text[end:end + 20]
            if any(a <= start < b for a, b in date_spans):
                if not any(d and d in text[max(0, start - 6):end + 6] for d in self._dates) and not self._in_question(num):
                    if re.search(r"\d{4}-\d{2}-\d{2}", text[max(0, start - 6):end + 6]):
                        reasons.append(f"date {num.text} is not a period of the result")
                continue
            if any(a <= start < b for a, b in subject_spans):
                continue  # the number is part of a subject's name (an item id, an hour, a date)
            if _PERIOD_AFTER.match(after) and not num.percent:
                if num.value in self._period_numbers or self._in_question(num):
                    continue
                reasons.append(f"period {num.text} {after.split()[0] if after.split() else ''} is not the result's period")
                continue
            if _ID_BEFORE.search(before) and not num.percent and num.text.lower() in self._names_lower:
                continue
            if self._in_question(num) and not self._metric_near(start, end, mentions):
                continue  # "top 5", a number the person wrote
            if not self._number_ok(num, start, end, before, after, mentions, subjects):
                reasons.append(f"number {num.text} is not a value of the quantity it is written about")
        return reasons

    def _in_question(self, num: Number) -> bool:
        return any(abs(num.value - q) <= num.tolerance + 1e-9 for q in self._q_numbers)

    def _metric_near(self, start: int, end: int, mentions) -> bool:
        near = self._nearest(start, mentions, end)
        return near is not None and (abs(near[0] - end) <= 12 or abs(start - near[1]) <= 12)

    def _number_ok(self, num: Number, start: int, end: int, before: str, after: str, mentions, subjects) -> bool:
        points = bool(_POINTS.match(after))
        if num.percent or points:
            # a percentage is a rate's value first; else a relative change of a count
            fitting = [m for m in mentions if METRICS.get(m[2]) is not None and METRICS[m[2]].unit == "ratio"]
            if not fitting and not points:
                fitting = [m for m in mentions if METRICS.get(m[2]) is not None]
        else:
            fitting = [m for m in mentions if METRICS.get(m[2]) is not None and METRICS[m[2]].unit != "ratio"]
            # a plain number next to a rate word: a rate written as a fraction (0.08) or a count
            if not fitting and num.value < 1:
                fitting = [m for m in mentions if METRICS.get(m[2]) is not None and METRICS[m[2]].unit == "ratio"]
        bound = self._nearest(start, fitting, end)
        if bound is None:
            # no metric word fits: the result's own metrics (a pronoun, "it rose to 8%")
            families = set().union(*[self._family(m) for m in self.metric_of_result]) if self.metric_of_result else set()
            if num.percent:  # a percentage may be a ratio metric's value or any metric's relative change
                pass
            elif not any(METRICS[m].unit != "ratio" for m in families if m in METRICS) and not num.value < 1:
                return any(self._match(num, f, points) for f in self.facts if f.role == "rank") if _RANK_BEFORE.search(before) else False
        else:
            families = set(self._family(bound[2]))
        subj = self._nearest(start, subjects, end)
        subject = subj[2] if subj is not None else None
        roles = self._roles(before, after, num, points)
        for f in self.facts:
            if f.metric not in families:
                continue
            if subject is not None and f.subject != subject:
                continue
            if f.role not in roles:
                continue
            if self._match(num, f, points):
                return True
        return False

    def _roles(self, before: str, after: str, num: Number, points: bool) -> set[str]:
        if _RANK_BEFORE.search(before):
            return {"rank"}
        if points:
            return {"change"}
        if _CUE_VALUE_AFTER_FROM.search(before):
            return {"value"}
        if _CUE_PREVIOUS.search(before):
            return {"previous"}
        if _CUE_CHANGE.search(before):
            return {"change", "change_pct"}
        return {"value", "previous", "change", "change_pct", "numerator", "denominator"}

    @staticmethod
    def _match(num: Number, f: Fact, points: bool) -> bool:
        unit = METRICS[f.metric].unit if f.metric in METRICS else "number"
        v = float(f.value)
        written = abs(num.value) if f.role in ("change", "change_pct") else num.value
        target = abs(v) if f.role in ("change", "change_pct") else v
        tol = num.tolerance + 1e-9 * max(1.0, abs(target))
        if f.role == "change_pct":
            return num.percent and abs(written - target) <= tol
        if unit == "ratio" and f.role in ("value", "previous", "change"):
            if num.percent or points:
                return abs(written - target * 100) <= tol
            return abs(written - target) <= tol  # written as a fraction
        if num.percent:
            return False  # a count is not a percentage
        return abs(written - target) <= tol

    # ------------------------------------------------------------------ directions
    def _direction_mentions(self, low: str) -> list[tuple[int, int, str]]:
        words = [(w, "up") for w in _UP] + [(w, "down") for w in _DOWN] + [(w, "flat") for w in _FLAT]
        return _mentions(low, sorted(words, key=lambda x: -len(x[0])))

    def _check_directions(self, low: str, mentions, subjects) -> list[str]:
        reasons = []
        comparative = bool(re.search(r"\bthan\b|比|相比|相较", low))
        for start, end, d in self._direction_mentions(low):
            if _NEGATION.search(low[max(0, start - 10):start]):
                d = {"up": "down", "down": "up", "flat": "flat"}[d] if d != "flat" else "changed"
            near = self._nearest(start, mentions, end)
            families = set(self._family(near[2])) if near else set().union(*[self._family(m) for m in self.metric_of_result] or [set()])
            subj_spans = [s for s in subjects]
            if comparative and len({s[2] for s in subj_spans}) >= 2:
                if not self._comparison_ok(low, start, d, families, subj_spans):
                    reasons.append(f"comparison '{low[start:end]}' does not match the values")
                continue
            subj = self._nearest(start, subjects, end)
            changes = [f for f in self.facts if f.role == "change" and f.metric in families and (subj is None or f.subject == subj[2])]
            if not changes:
                reasons.append(f"direction '{low[start:end]}' has no change in the result behind it")
                continue
            signs = {("up" if f.value > 0 else "down" if f.value < 0 else "flat") for f in changes}
            if d == "changed":
                if signs == {"flat"}:
                    reasons.append("says it changed; it did not")
            elif d not in signs:
                reasons.append(f"direction '{low[start:end]}' contradicts the change ({', '.join(sorted(signs))})")
        # "A converts better than B" without a direction word from the lists above
        if comparative and not self._direction_mentions(low):
            for w, d in [(w, "up") for w in _BETTER] + [(w, "down") for w in _WORSE]:
                m = re.search((r"(?<![a-z])" + re.escape(w) + r"(?![a-z])") if w.isascii() else re.escape(w), low)
                if m and len({s[2] for s in subjects}) >= 2:
                    near = self._nearest(m.start(), mentions, m.end())
                    families = set(self._family(near[2])) if near else set(self.metric_of_result)
                    if not self._comparison_ok(low, m.start(), d, families, subjects):
                        reasons.append(f"comparison '{w}' does not match the values")
                    break
        return reasons

    def _comparison_ok(self, low: str, pos: int, d: str, families: set[str], subjects) -> bool:
        """"A … higher than B": A is the subject named before `pos`, B the one after."""
        first = [s for s in subjects if s[1] <= pos]
        second = [s for s in subjects if s[0] >= pos]
        if not first or not second:
            return False
        a, b = first[-1][2], second[0][2]
        va = [f.value for f in self.facts if f.subject == a and f.metric in families and f.role == "value"]
        vb = [f.value for f in self.facts if f.subject == b and f.metric in families and f.role == "value"]
        if not va or not vb:
            return False
        if d == "flat":
            return va[0] == vb[0]
        return (va[0] > vb[0]) if d == "up" else (va[0] < vb[0])

    # ------------------------------------------------------------------ entities
    def _check_entities(self, text: str) -> list[str]:
        reasons = []
        candidates: list[str] = []
        words = list(_CAPWORD.finditer(text))
        for i, m in enumerate(words):
            w = m.group(0)
            at_start = not text[: m.start()].strip() or re.search(r"[.!?。！？:：]\s*$", text[: m.start()])
            camel = bool(re.search(r"[a-z][A-Z]|^[A-Z]{2,}[a-z]?$", w)) and len(w) > 1
            follows = i + 1 < len(words) and words[i + 1].start() - m.end() <= 1
            if (w.lower() in _COMMON or w.lower() in _stop_words()) and not camel:
                continue
            if at_start and not camel and not follows and (w.lower() in self._context_words or not self.strict_start):
                continue  # "Noise …" at a sentence start, a word the facts or quotes use
            candidates.append(w)
        if re.search(r"[\u4e00-\u9fff]", text):
            candidates += [w for w in _LATIN_IN_ZH.findall(text) if w.lower() not in ("pv", "utc", "sql", "json", "duckdb")]
        candidates += [q.strip() for q in _QUOTED.findall(text)]
        for c in dict.fromkeys(candidates):
            if not self._known(c):
                reasons.append(f"names {c!r}, which is not in the data")
        return reasons

    def _known(self, name: str) -> bool:
        low = name.lower()
        if low in self._names_lower or low in self._name_tokens:
            return True
        if low in {w for ws in METRIC_WORDS.values() for w in ws}:
            return True
        if low in self._context_words and not re.search(r"[\u4e00-\u9fff]", name):
            return True  # a word of the quoted reviews or the facts
        return any(low in n for n in self._names_lower if len(low) >= 2)


def check_text(text: str, results: Sequence[QueryResult], entities: Entities | None = None, *, question: str = "",
               known_names: Iterable[str] = (), context: str = "") -> tuple[str, list[Verdict]]:
    """Shortcut: the kept text and the dropped sentences' verdicts."""
    return ClaimChecker(results, entities or Entities(), question, tuple(known_names), context).filter_text(text)


def _mentions(low: str, words) -> list[tuple[int, int, str]]:
    """(start, end, tag) of each (word, tag) found in `low`, taken in the given order, a span never
    taken twice (so the longer phrase listed first wins); Latin words match whole words only."""
    taken = [False] * len(low)
    out = []
    for word, tag in words:
        pattern = re.escape(word)
        if re.match(r"[a-z]", word):
            pattern = r"(?<![a-z])" + pattern + r"(?![a-z])"
        for m in re.finditer(pattern, low):
            if any(taken[m.start():m.end()]):
                continue
            for i in range(m.start(), m.end()):
                taken[i] = True
            out.append((m.start(), m.end(), tag))
    return sorted(out)
