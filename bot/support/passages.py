"""Section (heading-level passage) retrieval over the public collection, in both languages.

Docs are chunked by heading at ingest (`doc:<path>#<n>`, one chunk per section for help-centre
pages). The zh and en pages are the same shop, so a section is paired with its twin by the path with
the language folder (or suffix) taken out and the section number: `doc:en/faq.md#3` and
`doc:zh/faq.md#3` are one *passage group*. A question is scored against every version of a group and
the group is answered from the version in the customer's language.

Only the retriever's public `search` is used: one call with k = the collection size returns every
item with its dense cosine and BM25 score for the query; the lexical and concept scores are computed
here. The weights and the answer threshold are measured on bench/data/support_questions.jsonl
(bench/eval_support.py), not guessed.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import re
from dataclasses import dataclass, field
from typing import Sequence

from knowledge.text import detect_lang
from knowledge.types import Hit

from ..protocols import Retriever
from .lexicon import LISTED_KINDS, PRODUCT_CONCEPTS, concepts, entities, pattern_concepts, tokens

_LANG_DIR = re.compile(r"(^|/)(en|zh|zh[-_](cn|hans|tw|hk)|en[-_](us|gb))(/|$)", re.I)
_LANG_SUFFIX = re.compile(r"[._-](en|zh|zh[-_]cn)(?=\.[a-z0-9]+$)", re.I)


@dataclass(frozen=True)
class Weights:
    """How the parts of a section's score add up (measured on the dev split, see module doc)."""

    dense: float = 1.0
    lexical: float = 1.0
    concept: float = 0.6
    bm25: float = 0.0
    heading: float = 0.3
    entity: float = 0.5  # payment methods, carriers, places named by both question and section
    title: float = 0.6  # the page's title (a product name) matches the question's words
    unit: float = 0.0  # the best sentence/list item of the section (words + answer type)
    prefer: float = 0.5  # a follow-up naming only another product stays with the previous answer's section
    answer_type: float = 0.4  # the question asks a duration / an amount and the section states one
    variant: float = 0.4  # a product page whose name has a variant word (Mini, Lite, Pro) the question lacks
    threshold: float = 0.7  # best group score below this: the docs hold no answer
    # share of an English question's (idf-weighted) words the best passage must explain ("change my
    # delivery address" meets the delivery section through one word of three); Chinese character
    # bigrams are too noisy for this gate, so it applies to English questions only
    min_coverage: float = 0.4
    coverage_below: float = 1.4  # ... and only for scores below this (a strong match needs no veto)
    # Chinese questions: the same gate over jieba words (not character pairs), below this score
    zh_coverage_below: float = 1.2  # measured: 1.0-1.3 alike on old all + holdout2


@dataclass(frozen=True)
class Section:
    id: str
    title: str  # "Doc title › Heading"
    heading: str
    body: str  # the section text without its heading line
    lang: str
    path: str
    group: str

    @property
    def doc_title(self) -> str:
        return self.title.split(" › ")[0]


@dataclass
class Candidate:
    group: str
    score: float
    best_id: str
    parts: dict = field(default_factory=dict)
    coverage: float = 0.0
    versions: dict[str, Section] = field(default_factory=dict)  # lang -> section

    def version(self, lang: str) -> Section | None:
        return self.versions.get(lang) or None


def group_key(hit_id: str, path: str = "") -> str:
    """`doc:en/faq.md#3` -> `faq.md#3`; a catalogue page or an unpaired doc keeps its own id."""
    m = re.match(r"^doc:(.+?)(#\d+)?$", hit_id)
    if not m:
        return hit_id
    p, num = (path or m.group(1)), (m.group(2) or "")
    p2 = _LANG_DIR.sub(lambda mm: mm.group(1) if mm.group(5) else "", p, count=1)
    p2 = _LANG_SUFFIX.sub("", p2).strip("/")
    return f"{p2}{num}"


def concept_text(s: Section) -> str:
    """What a section's topics (concepts) are read from: its heading and body. A help page's title
    ("Shipping and returns", "Warranty") is shared by every section of the page, so its topic says which
    page, not which section: "what's the refund time" must not meet the 30-day-returns section through
    the page's word "returns" (the page title still counts in the words and the `title` part). A
    product page keeps its title: the product's name is what tells its sections from another's."""
    if is_product(s):
        return s.title + "\n" + s.body
    return (s.heading + "\n" + s.body) if s.heading and s.heading != s.doc_title else s.body


def is_product(s: Section) -> bool:
    return s.group.startswith("catalog/") or s.group.startswith("products/") or "/products/" in s.group


def to_section(hit: Hit) -> Section:
    text = hit.text.strip()
    title = hit.title or ""
    heading = title.split(" › ")[-1] if title else ""
    lines = text.splitlines()
    if lines and heading and lines[0].strip() == heading.strip():
        body = "\n".join(lines[1:]).strip()
    else:
        body = text
    lang = str(hit.metadata.get("lang") or "") or detect_lang(text)
    path = str(hit.metadata.get("path") or "")
    if hit.id.startswith("doc:catalog/") or str(hit.metadata.get("topic", "")) == "product" and " / " in title:
        lang = "both"  # a catalogue page holds both languages
    return Section(hit.id, title, heading, body, lang if lang in ("zh", "en", "both") else "en", path, group_key(hit.id, path))


def localize(section: Section, lang: str) -> Section:
    """A bilingual catalogue page reduced to the lines (or halves of "en / zh" lines) in `lang`."""
    if section.lang != "both":
        return section
    out: list[str] = []
    for i, line in enumerate(section.body.splitlines()):
        line = line.strip()
        if not line or (i == 0 and " / " in line and len(line) < 40 and not re.search(r"\d", line)):
            continue  # the category line ("audio / 音频") answers nothing
        if " / " in line:
            halves = [h.strip() for h in line.split(" / ")]
            pick = [h for h in halves if detect_lang(h) == lang] or halves[:1]
            out.append(pick[0])
        elif detect_lang(line) == lang:
            out.append(line)
    halves = [h.strip() for h in section.title.split(" / ")]
    title = next((h for h in halves if detect_lang(h) == lang), halves[0])
    return Section(section.id, title, title, "\n\n".join(out), lang, section.path, section.group)


@dataclass(frozen=True)
class QueryTerms:
    tokens: frozenset[str]
    concepts: frozenset[str]


# words that name a variant of a product line rather than the product ("Buds Pro" / "Buds Lite")
VARIANT_WORDS = frozenset({"mini", "lite", "pro", "plus", "max", "ultra", "air", "迷你", "mini版", "青春版", "标准版", "高配"})


def _has_base_model(title_tokens: frozenset[str], base_titles: Sequence[frozenset[str]]) -> bool:
    """A product page without variant words whose name mostly reappears in this variant's name."""
    rest = title_tokens - VARIANT_WORDS
    return any(len(b & rest) >= 0.6 * len(b) for b in base_titles)


def unfloored(retriever: Retriever | None) -> Retriever | None:
    """The same retriever with its search's dense floor and BM25 margin off ([search] dense_floor,
    bm25_margin): the section finder scores every section with its own lexical and concept parts, so a
    section whose dense cosine is low (a short Chinese question against its zh section: "价格含税吗？")
    must still be returned. The caller's retriever is not changed."""
    settings = getattr(retriever, "settings", None)
    if retriever is None or settings is None or not dataclasses.is_dataclass(settings):
        return retriever
    off = {name: 0.0 for name in ("dense_floor", "bm25_margin") if float(getattr(settings, name, 0.0) or 0.0) > 0}
    if not off:
        return retriever
    view = copy.copy(retriever)
    view.settings = dataclasses.replace(settings, **off)
    return view


class SectionFinder:
    """Ranks passage groups for a question (see module doc)."""

    def __init__(self, retriever: Retriever | None, weights: Weights | None = None, *, max_items: int = 400):
        self._retriever = unfloored(retriever)
        self.weights = weights or Weights()
        self.max_items = max_items

    def _k(self) -> int:
        count = getattr(self._retriever, "count", None)
        try:
            n = int(count()) if callable(count) else 50
        except Exception:  # noqa: BLE001 - a retriever without a usable count: a generous k
            n = 50
        return max(1, min(n, self.max_items))

    def find(self, query: str, *, focus: str = "", prefer: str = "", part: bool = False) -> list[Candidate]:
        """Passage groups best first. `focus` (a follow-up's own words) is scored on top of `query`;
        `prefer` (the group that answered the previous question) gets `Weights.prefer` on top.
        `part`: the focus is one part of a two-part message, and the kind of answer it asks for (a
        duration, an amount) is its own, not the whole message's."""
        if self._retriever is None or not query.strip():
            return []
        hits = [h for h in self._retriever.search(query, self._k(), kinds=["doc"]) if h.kind == "doc"]
        if not hits:
            return []
        sections = [to_section(h) for h in hits]
        # idf over the returned items (the whole public collection when k covers it)
        df: dict[str, int] = {}
        cdf: dict[str, int] = {}
        sec_tokens = []
        sec_concepts = []
        for s in sections:
            tk = tokens(s.title + "\n" + s.body)
            cc = concepts(concept_text(s))
            sec_tokens.append(tk)
            sec_concepts.append(cc)
            for t in tk:
                df[t] = df.get(t, 0) + 1
            for c in cc:
                cdf[c] = cdf.get(c, 0) + 1
        n = len(sections)
        idf = lambda d: math.log(1 + n / (1 + d))  # noqa: E731
        q = QueryTerms(tokens(query), concepts(query))
        f = QueryTerms(tokens(focus), concepts(focus)) if focus else None
        max_bm25 = max((float(h.metadata.get("bm25_score") or 0.0) for h in hits), default=0.0) or 1.0
        w = self.weights
        groups: dict[str, Candidate] = {}
        vocab = set(df)
        q_explained = explained_by_concepts(query, q.concepts)
        q_patterns = {c: tokens(span) for c, span in pattern_concepts(query).items()}
        asks = asked_types(query if f is None else focus if part else f"{query} {focus}")
        base_titles = [tt for tt in {tokens(x.doc_title) for x in sections} if tt and not tt & VARIANT_WORDS]
        for h, s, tk, cc in zip(hits, sections, sec_tokens, sec_concepts):
            def recall(terms: frozenset[str], have: frozenset[str], table: dict[str, int], fuzzy: bool = False) -> float:
                total = sum(idf(table.get(t, 0)) for t in terms)
                if total <= 0:
                    return 0.0
                return sum(idf(table.get(t, 0)) for t in terms if t in have or fuzzy and _fuzzy_in(t, have)) / total

            # words that express a pattern concept ("send … back" = return) are the section's when it has the concept
            tk_q = tk.union(*(spans for c, spans in q_patterns.items() if c in cc)) if q_patterns else tk
            lex = recall(q.tokens, tk_q, df, fuzzy=True)
            con = recall(q.concepts, cc, cdf)
            head = recall(q.tokens, tokens(s.heading), df) if s.heading else 0.0
            # coverage: the question's words found in the section, directly, by a near spelling, or
            # through a concept both share ("PayPal" is explained by a section about paying)
            shared = q.concepts & cc
            explained = frozenset(t for c in shared for t in q_explained.get(c, ()))
            cov_terms = q.tokens | (f.tokens if f is not None else frozenset())
            total = sum(idf(df.get(t, 0)) for t in cov_terms)
            cov = (sum(idf(df.get(t, 0)) for t in cov_terms if t in tk or t in explained or _fuzzy_in(t, tk)) / total) if total else (1.0 if shared else 0.0)
            if f is not None:
                # a follow-up naming only another product ("what about the lamp?") keeps the topic
                share = 0.25 if f.concepts and f.concepts <= PRODUCT_CONCEPTS else 0.5
                lex = (1 - share) * lex + share * recall(f.tokens, tk, df, fuzzy=True)
                con = (1 - share) * con + share * recall(f.concepts, cc, cdf) if f.concepts else con
            unit = best_unit(s, query if f is None else focus, df, idf)
            typed = answer_type_fit(s, asks)
            ents = entities(query) | (entities(focus) if focus else frozenset())
            ent = entity_fit(ents, entities(s.title + "\n" + s.body))
            tt = tokens(s.doc_title)
            title = (2 * len(q.tokens & tt) / (len(q.tokens) + len(tt))) if tt and q.tokens else 0.0
            dense = float(h.metadata.get("similarity") or 0.0)
            bm = float(h.metadata.get("bm25_score") or 0.0) / max_bm25
            score = w.dense * dense + w.lexical * lex + w.concept * con + w.bm25 * bm + w.heading * head + w.unit * unit + w.entity * ent + w.title * title + w.answer_type * typed
            # "AquaSmart" means the base model: a page of its Mini is meant only when the customer names
            # it (only where a base model exists: Buds Pro and Buds Lite are both variants of nothing)
            asked_tokens = q.tokens | (f.tokens if f is not None else frozenset())
            if (tt & VARIANT_WORDS) - asked_tokens and _has_base_model(tt, base_titles):
                score -= w.variant
            parts = {"dense": dense, "lexical": lex, "concept": con, "bm25": bm, "heading": head, "unit": unit, "entity": ent, "title": title, "answer_type": typed, "coverage": cov}
            c = groups.get(s.group)
            if c is None:
                c = groups[s.group] = Candidate(s.group, score, s.id, parts, cov)
            elif score > c.score:
                c.score, c.best_id, c.parts, c.coverage = score, s.id, parts, max(cov, c.coverage)
            else:
                c.coverage = max(c.coverage, cov)
            if s.lang == "both":
                c.versions.setdefault("zh", localize(s, "zh"))
                c.versions.setdefault("en", localize(s, "en"))
            else:
                c.versions.setdefault(s.lang, s)
        if prefer and prefer in groups:
            groups[prefer].score += w.prefer
        return sorted(groups.values(), key=lambda c: -c.score)

    def answerable(self, candidates: Sequence[Candidate], question: str = "") -> bool:
        if not candidates or candidates[0].score < self.weights.threshold:
            return False
        top = candidates[0]
        w = self.weights
        if lists_asked_kind(question, top):
            return True  # "能发韵达吗": the section listing our carriers answers, whatever the score's other parts
        if detect_lang(question) == "zh":
            return top.score >= w.zh_coverage_below or zh_word_coverage(question, top) >= w.min_coverage
        return top.score >= w.coverage_below or top.coverage >= w.min_coverage


# question and function words of Chinese that name nothing the passage must explain
_ZH_FUNCTION_WORDS = frozenset(
    "吗 呢 吧 啊 呀 么 的 地 得 了 是 我 你 您 他 她 它 们 这 那 个 就 也 都 和 与 及 在 有 请问 请 想 要 可以 能 会 不 没 没有 "
    "能不能 可不可以 会不会 是不是 有没有 怎么 怎么办 怎样 如何 什么 多少 几 哪 哪些 哪里 一下 是否 你们 我们 我的 东西 之后 以后 后 "
    "完 还 还是 用 上 里 到 吧 呗 嘛 现在 已经 一个 给 把 被 让 对 从 跟 为什么 为啥 啥 的话 如果 要是".split()
)


def zh_word_coverage(question: str, cand: "Candidate") -> float:
    """Share of a Chinese question's content words (jieba) that the passage explains: the word is in
    it, or a topic (concept) both share covers it ("周末发货吗": 发货 is there, 周末 is not → 0.5)."""
    from knowledge.text import tokenize

    from .lexicon import CONCEPTS, norm

    text = norm("\n".join(v.title + "\n" + v.body for v in cand.versions.values()))
    words = [w.lower() for w in tokenize(question) if re.search(r"[\u4e00-\u9fffA-Za-z0-9]", w) and w not in _ZH_FUNCTION_WORDS]
    words = [w for w in words if not w.isdigit()]
    if not words:
        return 1.0
    shared = concepts(question) & concepts(text)
    forms = [f.lower() for c in shared for f in CONCEPTS[c] if f.lower() in norm(question)]

    def explained(w: str) -> bool:
        return w in text or any(w in f or (len(f) >= 2 and f in w) for f in forms) or (len(w) >= 2 and _fuzzy_in(w, tokens(text)))

    return sum(explained(w) for w in words) / len(words)


def entity_fit(asked: frozenset, have: frozenset) -> float:
    """Share of the question's named things the section names; a carrier / payment method the section
    does not name still counts when the section lists others of its kind (it says which ones we use)."""
    if not asked:
        return 0.0
    kinds = {kind for kind, _name in have}
    return sum(1.0 if e in have else (1.0 if e[0] in LISTED_KINDS and e[0] in kinds else 0.0) for e in asked) / len(asked)


def lists_asked_kind(question: str, cand: "Candidate") -> bool:
    """The question names a carrier / payment method and the section lists those of that kind."""
    asked = {kind for kind, _name in entities(question) if kind in LISTED_KINDS}
    if not asked:
        return False
    have = {kind for v in cand.versions.values() for kind, _name in entities(v.title + "\n" + v.body)}
    return bool(asked & have)


def _edit1(a: str, b: str) -> bool:
    """a and b differ by one edit (insert, delete, substitute or swap of neighbours)."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return a == b
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1:]


def _fuzzy_in(t: str, have: frozenset[str]) -> bool:
    """A misspelt English word ("retrun", "waranty", "delivary") meets its section word."""
    if len(t) < 5 or not t.isascii() or not t.isalpha():
        return False
    return any(len(h) >= 4 and h.isascii() and _edit1(t, h) for h in have)


def explained_by_concepts(text: str, cs: frozenset[str]) -> dict[str, frozenset[str]]:
    """Per concept of `text`, the tokens of `text` that its matching surface forms cover."""
    from .lexicon import CONCEPTS, norm

    from .lexicon import pattern_concepts

    t = norm(text)
    spans = pattern_concepts(t)
    out: dict[str, frozenset[str]] = {}
    for c in cs:
        got: set[str] = set()
        for form in CONCEPTS[c]:
            if form.lower() in t:
                got |= tokens(form)
        if c in spans:
            got |= tokens(spans[c])
        out[c] = frozenset(got)
    return out


_ASK_DURATION = re.compile(r"how long|how many days|when|how soon|how fast|how quickly|how quick|多久|几天|什么时候|多长时间|多快|几个小时|几年", re.I)
_ASK_AMOUNT = re.compile(r"how much|price|cost|多少钱|价格|运费多少|几块|多钱", re.I)
_DURATION = re.compile(r"\d\s*(?:[-–]\s*\d+\s*)?(?:h\b|hours?|days?|working days|years?|months?|weeks?|小时|天|个工作日|工作日|年|个月|周)|within|内", re.I)
_AMOUNT = re.compile(r"[¥￥$]\s*\d|\d\s*(?:元|块|yuan|rmb)", re.I)




def asked_types(question: str) -> frozenset[str]:
    """What kind of answer the question asks for: "duration" (how long, 多久), "amount" (how much, 多少钱)."""
    out = set()
    if _ASK_DURATION.search(question):
        out.add("duration")
    if _ASK_AMOUNT.search(question):
        out.add("amount")
    return frozenset(out)


def answer_type_fit(section: Section, asks: frozenset[str]) -> float:
    """1 when the section states every kind of answer asked for (a duration, an amount), 0 when it
    states none of them, in between for some; 0 when nothing in particular is asked."""
    if not asks:
        return 0.0
    have = {"duration": bool(_DURATION.search(section.body)), "amount": bool(_AMOUNT.search(section.body))}
    return sum(have[k] for k in asks) / len(asks)


def best_unit(section: Section, question: str, df: dict[str, int], idf) -> float:
    """How well the section's best sentence/list item answers `question`: its share of the question's
    words plus a bonus when it holds the kind of answer asked for (a duration, an amount)."""
    from .extract import units

    q = tokens(question)
    total = sum(idf(df.get(t, 0)) for t in q)
    want_dur, want_amt = bool(_ASK_DURATION.search(question)), bool(_ASK_AMOUNT.search(question))
    best = 0.0
    for u in units(section.body):
        ut = tokens(u.text)
        sc = (sum(idf(df.get(t, 0)) for t in q if t in ut) / total) if total else 0.0
        if want_dur and _DURATION.search(u.text) or want_amt and _AMOUNT.search(u.text):
            sc += 0.5
        best = max(best, sc)
    return best
