"""Names in a question → entities: catalogue items (en/zh names, partial names, ids), behaviour
categories, review categories and products, segments.

A name matches when a contiguous run of the question's units (a CJK character, a latin word, a
number) is a subsequence of the name's units (brand words left out) covering enough of it:
"智能水杯" → "Lumi 智能保温水杯" (4 of 6 characters; "Lumi 智能水杯 mini" covers 4 of 8 units, less),
"Buds Lite" → "Lumi Buds Lite". Longer matches win over the shorter ones inside them ("充电宝" is
the power bank, not the category 充电); equal best matches are all kept and the notes say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.query import Entities, Entity

_UNIT = re.compile(r"[\u3400-\u9fff]|[a-z]+|\d+")
# Words that say nothing about which item is meant.
# Words that tell one variant from another: a name whose variant word the question does not say
# ranks below one without ("智能水杯" is the bottle, not the bottle mini).
_VARIANT = {"mini", "pro", "lite", "max", "plus", "ultra", "air", "se", "青春版", "青", "春", "版"}
_GENERIC = {"the", "a", "an", "of", "our", "my", "and", "for", "with", "in", "on", "to", "is", "was", "how", "what", "did", "do",
            "lumi", "pro", "mini", "lite", "max", "plus", "smart", "in", "3", "1", "的", "了"}


def _category_words(e: Entity) -> tuple[str, ...]:
    """The other language's words for a category name (vocab.CATEGORY_WORDS, both ways)."""
    from .vocab import CATEGORY_WORDS

    out: list[str] = []
    for zh, en in CATEGORY_WORDS.items():
        if zh in (e.id, e.name_zh, e.name_en):
            out.extend(en)
        elif any(n and n.lower() in en for n in (e.name_en, e.id)):
            out.append(zh)
    return tuple(out)


def _is_vocabulary_word(text: str) -> bool:
    """Whether the characters are, as a whole, a metric word of the vocabulary (then they name a quantity, not an entity)."""
    from .vocab import METRIC_PATTERNS

    return any(p.fullmatch(text) for _, p in METRIC_PATTERNS)


def units(text: str) -> list[str]:
    return _UNIT.findall(text.lower())


@dataclass(frozen=True)
class Match:
    group: str  # "items" | "categories" | "review_categories" | "review_products" | "segments"
    entity: Entity
    start: int  # unit span in the question
    end: int
    score: float  # share of the name's units covered (1.0 = the whole name), less for an unsaid variant word
    exact: bool


def _is_subsequence(needle: list[str], hay: list[str]) -> bool:
    it = iter(hay)
    return all(any(u == h for h in it) for u in needle)


def _best_run(q: list[str], name: list[str]) -> tuple[int, int] | None:
    """The longest run q[i:j] that is a subsequence of `name` (ties: the first)."""
    best: tuple[int, int] | None = None
    n = len(q)
    for i in range(n):
        if q[i] not in name:
            continue
        j = i + 1
        while j < n and _is_subsequence(q[i : j + 1], name):
            j += 1
        if best is None or (j - i) > (best[1] - best[0]):
            best = (i, j)
    return best


class Resolver:
    def __init__(self, entities: Entities):
        self.entities = entities
        brands = {b.lower() for b in entities.brands}
        self._brand_units = {u for b in brands for u in units(b)}
        self._names: list[tuple[str, Entity, list[str], bool]] = []  # group, entity, units, is_id
        for group in ("items", "categories", "review_categories", "review_products", "segments"):
            for e in getattr(entities, group):
                # an id that is a word ("洗发水", "loyal_buyers": the engine's review categories and segments) is a name too
                word_id = e.id if e.id and not e.id.isdigit() else ""
                words = _category_words(e) if group in ("categories", "review_categories") else ()
                for name in {e.name_en, e.name_zh, *e.aliases, word_id, *words}:
                    u = [x for x in units(name) if x not in self._brand_units]
                    if u:
                        self._names.append((group, e, u, False))
                if e.id:
                    self._names.append((group, e, units(e.id) or [e.id.lower()], True))

    def find(self, text: str) -> list[Match]:
        """Every entity the question names, overlaps resolved (longest, then best covered)."""
        q = units(text)
        cands: list[Match] = []
        for group, e, name, is_id in self._names:
            if is_id:
                # ids only as a whole number of 3+ digits ("1003"), or any id right after "category"/"品类"/"item"
                for i, u in enumerate(q):
                    if [u] == name and (len(u) >= 3 or not u.isdigit()) and (group != "categories" or (i and q[i - 1] in ("category", "类", "目"))):
                        cands.append(Match(group, e, i, i + 1, 1.0, True))
                continue
            run = _best_run(q, name)
            if run is None:
                continue
            i, j = run
            got = q[i:j]
            cjk = sum(1 for u in got if len(u) == 1 and "\u3400" <= u <= "\u9fff")
            words = [u for u in got if not (len(u) == 1 and "\u3400" <= u <= "\u9fff")]
            meaningful = cjk + sum(1 for w in words if w not in _GENERIC)
            score = len(got) / len(name)
            left = list(name)
            for u in got:
                left.remove(u)
            rank = len(got) / (len(name) + 2 * sum(1 for u in left if u in _VARIANT))
            exact = got == name
            if exact and (meaningful >= 1 or len(name) == len(got)):
                if len(name) == 1 and len(got[0]) == 1:  # a single character name: too easy to hit by chance
                    continue
                cands.append(Match(group, e, i, j, 1.0, True))
            elif not exact and group == "segments":
                continue  # a segment by its whole name or alias only: its words ("buyers", "购买", "用户") are everyday words
            elif not exact and cjk == len(got) and _is_vocabulary_word("".join(got)):
                continue  # "购买" / "加购" are metric words, not part of the segment name 加购未买
            elif meaningful >= 2 and score >= 0.4 and (cjk >= 2 or words):
                cands.append(Match(group, e, i, j, rank, False))
            elif len(words) == 1 and not cjk and words[0] not in _GENERIC and len(words[0]) >= 4 and score >= 0.3 and group in ("items", "review_products"):
                cands.append(Match(group, e, i, j, rank, False))  # "buds", "aquasmart": a distinctive word of the name
        return _resolve_overlaps(cands)


def _resolve_overlaps(cands: list[Match]) -> list[Match]:
    # best per entity first
    per: dict[tuple[str, str], Match] = {}
    for m in cands:
        k = (m.group, m.entity.id)
        old = per.get(k)
        if old is None or (m.end - m.start, m.score) > (old.end - old.start, old.score):
            per[k] = m
    ranked = sorted(per.values(), key=lambda m: (-(m.end - m.start), -m.score, -int(m.exact), m.start))
    kept: list[Match] = []
    for m in ranked:
        clash = [k for k in kept if k.start < m.end and m.start < k.end]
        if not clash:
            kept.append(m)
            continue
        # an equally good reading of the same words (a tie: "buds" → Pro and Lite) is kept too
        if all((k.end - k.start, k.score) == (m.end - m.start, m.score) and k.group == m.group for k in clash):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)
