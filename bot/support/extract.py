"""The extractive answer: the passage's own sentences that answer the question, in the passage's
(= the customer's) language. Nothing is written that the passage does not say."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import concepts, entities, tokens
from .passages import Section

_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)、])\s+")
# sentence ends: Chinese 。！？； or an English ". " (not inside "e.g." / numbers like "1.5")
_ZH_END = re.compile(r"(?<=[。！？；])")
_EN_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])|(?<=;)\s+")


@dataclass(frozen=True)
class Unit:
    text: str
    list_item: bool
    marker: str  # "1." for numbered steps, "" otherwise


def units(body: str) -> list[Unit]:
    """List items (one per line) and sentences of paragraphs, in document order."""
    out: list[Unit] = []
    for para in re.split(r"\n\s*\n", body):
        lines = [ln for ln in para.splitlines() if ln.strip()]
        if not lines:
            continue
        if all(_LIST_ITEM.match(ln) for ln in lines[:1]) and any(_LIST_ITEM.match(ln) for ln in lines):
            for ln in lines:
                m = _LIST_ITEM.match(ln)
                if m:
                    marker = m.group(0).strip() if re.match(r"\d", m.group(0).strip()) else ""
                    out.append(Unit(ln[m.end():].strip(), True, marker))
                elif out:  # a wrapped list line
                    prev = out[-1]
                    out[-1] = Unit(prev.text + " " + ln.strip(), True, prev.marker)
            continue
        text = " ".join(ln.strip() for ln in lines) if not re.search(r"[\u4e00-\u9fff]", para) else "".join(ln.strip() for ln in lines)
        for piece in _ZH_END.split(text):
            for sent in _EN_END.split(piece):
                if sent.strip():
                    out.append(Unit(sent.strip(), False, ""))
    return out


def _score(unit: Unit, q_tokens: frozenset[str], q_concepts: frozenset[str], q_entities: frozenset) -> float:
    t = tokens(unit.text)
    c = concepts(unit.text)
    e = entities(unit.text)
    return len(q_tokens & t) + 1.5 * len(q_concepts & c) + 2.0 * len(q_entities & e)


def select(section: Section, question: str, *, focus: str = "", max_units: int = 4) -> list[Unit]:
    """The units that answer `question` (a follow-up's `focus` words weigh double). A short section
    is quoted whole; otherwise the best unit and those scoring at least half as well."""
    us = units(section.body)
    if len(us) <= 2:
        return us
    qt, qc, qe = tokens(question), concepts(question), entities(question)
    scores = [_score(u, qt, qc, qe) for u in us]
    if focus:
        ft, fc, fe = tokens(focus), concepts(focus), entities(focus)
        scores = [s + 2 * _score(u, ft, fc, fe) for s, u in zip(scores, us)]
    best = max(scores)
    if best <= 0:
        return us[:max_units]
    keep = [i for i, s in enumerate(scores) if s >= 0.5 * best and s > 0]
    if len(keep) > max_units:
        keep = sorted(sorted(keep, key=lambda i: -scores[i])[:max_units])
    # numbered steps read as a procedure: keep them all when most of them are chosen
    if all(u.marker for u in us) and len(keep) >= len(us) // 2:
        keep = list(range(len(us)))[:max_units]
    return [us[i] for i in keep]


def render(section: Section, chosen: list[Unit], lang: str) -> str:
    """The reply text from the chosen units; a product page's section says which product it is."""
    if not chosen:
        return ""
    if any(u.marker for u in chosen) and len(chosen) > 1:
        body = "\n".join(f"{u.marker} {u.text}" if u.marker else u.text for u in chosen)
    elif len(chosen) > 1 and all(u.list_item for u in chosen):
        body = "\n".join(f"- {u.text}" for u in chosen)
    else:
        sep = "" if lang == "zh" else " "
        parts = []
        for u in chosen:
            t = u.text
            if not re.search(r"[.!?。！？；;:：]$", t):
                t += "。" if lang == "zh" else "."
            parts.append(t)
        body = sep.join(parts)
    product = section.path.startswith("catalog/") or "/products/" in f"/{section.path}" or section.path.startswith("products/")
    name = section.doc_title.strip()
    if product and name and name.lower() not in body.lower():
        heading = section.heading if section.heading and section.heading != name else ""
        label = f"{name}（{heading}）" if lang == "zh" and heading else (f"{name} ({heading.lower()})" if heading else name)
        body = f"{label}：{body}" if lang == "zh" else f"{label}: {body}"
    return body
