"""Grounded answering shared by the team and the support paths: relevance check, prompt,
generation with a streamed, already-checked partial text, the number check, and citations."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from typing import Sequence

from knowledge.types import Hit
from llm.types import Generator

from .grounding import CheckedDraft, SourceNumbers, check_draft, remove_markers, split_sentences
from .lang import pick
from .protocols import OnPartial
from .types import Source


def best_similarity(hits: Sequence[Hit]) -> float:
    """The query's best dense cosine (the retriever records it on every hit)."""
    if not hits:
        return 0.0
    vals = [float(h.metadata.get("best_similarity", h.metadata.get("similarity", 0.0)) or 0.0) for h in hits]
    return max(vals)


def lexical_agreement(hits: Sequence[Hit], min_similarity: float) -> bool:
    """Dense and BM25 agree on a top hit that is not far below the threshold: short, concrete
    questions ("I want to return my watch") against long help articles score low cosines with
    the multilingual USE embedder although the right article is found by both retrievers."""
    for h in hits[:3]:
        m = h.metadata
        dr, br = m.get("dense_rank"), m.get("bm25_rank")
        if dr is not None and br is not None and dr <= 2 and br <= 2 and float(m.get("similarity", 0.0) or 0.0) >= 0.6 * min_similarity:
            return True
    return False


def relevant_hits(hits: Sequence[Hit], min_similarity: float) -> list[Hit]:
    """Hits worth putting in a prompt, or [] when nothing is relevant enough: the best dense
    cosine must clear `min_similarity` (or dense and BM25 must agree, see lexical_agreement);
    hits far below the threshold (BM25-only matches on a stray word) are left out."""
    if best_similarity(hits) < min_similarity and not lexical_agreement(hits, min_similarity):
        return []
    floor = min_similarity * 0.6
    return [h for h in hits if float(h.metadata.get("similarity", min_similarity) or 0.0) >= floor]


def to_source(hit: Hit, snippet_chars: int = 240) -> Source:
    text = " ".join(hit.text.split())
    snip = text if len(text) <= snippet_chars else text[: snippet_chars - 1] + "…"
    return Source(id=hit.id, kind=hit.kind, title=hit.title or hit.id, snippet=snip, score=round(float(hit.score), 6))


def source_numbers(hits: Sequence[Hit], extra_texts: Sequence[str]) -> SourceNumbers:
    """The numbers each hit holds: its text and title, and an insight's `numbers` dict when the
    index carries it in the metadata."""
    texts = [f"{h.title}\n{h.text}" for h in hits]
    values = [list((h.metadata.get("numbers") or {}).values()) if isinstance(h.metadata.get("numbers"), dict) else [] for h in hits]
    return SourceNumbers.build(texts, values, extra_texts)


@dataclass
class Outcome:
    """What a pipeline (answering, copywriting) gives the router to turn into a Reply."""

    text: str
    data: dict
    prompt: list = field(default_factory=list)
    citations: tuple[Source, ...] = ()
    model_id: str = ""


@dataclass(frozen=True)
class Answer:
    text: str
    citations: tuple[Source, ...]
    checked: CheckedDraft
    draft: str
    model_id: str
    first_token_s: float = 0.0
    seconds: float = 0.0


async def generate_checked(
    generator: Generator,
    messages: list[dict],
    hits: Sequence[Hit],
    *,
    extra_texts: Sequence[str],
    lang: str,
    on_partial: OnPartial | None = None,
    mode: str = "drop",
) -> Answer:
    """Generate, then keep only sentences whose numbers the sources (or the question) hold.
    The partial text streamed to `on_partial` is checked the same way, sentence by sentence,
    so an invented number is never shown, not even for a moment."""
    numbers = source_numbers(hits, extra_texts)
    n = len(hits)
    last_sent = [""]

    async def on_text(text: str) -> None:
        if on_partial is None:
            return
        sentences = split_sentences(text)
        # the last sentence is complete only when the text ends on its punctuation — and a
        # "8." at the very end may still become "8.4%"
        finished = re.search(r"[。！？!?.\n]$", text) and not re.search(r"\d\.$", text)
        complete = text if finished else "".join(sentences[:-1])
        # the unfinished sentence may be shown too while it holds no digit (nothing to check yet)
        tail = "" if finished or not sentences else sentences[-1]
        if re.search(r"\d", tail):
            tail = ""
        # markers are placed when the sentence is complete; an unfinished "[" is not shown
        tail = remove_markers(tail)
        if not (complete + tail).strip():
            return
        shown = check_draft(complete, numbers, n_sources=n, mode=mode).text if complete.strip() else ""
        if tail:
            shown = (shown + (" " if shown and not complete.endswith(("\n", " ")) and re.match(r"[A-Za-z]", tail.lstrip()) else "") + tail.lstrip()) if shown else tail.lstrip()
        if shown and shown != last_sent[0]:
            last_sent[0] = shown
            r = on_partial(shown)
            if inspect.isawaitable(r):
                await r

    result = await generator.generate(messages, n=1, on_text=on_text if on_partial else None)
    draft = result.texts[0] if result.texts else ""
    checked = check_draft(draft, numbers, n_sources=n, mode=mode)  # type: ignore[arg-type]
    citations = tuple(to_source(hits[i - 1]) for i in checked.cited if 1 <= i <= n)
    text = checked.text
    if checked.removed and mode == "drop":
        note = pick(
            lang,
            f"(Removed {len(checked.removed)} sentence(s) with a number not found in the sources.)",
            f"（已删除 {len(checked.removed)} 句：其中的数字在资料中找不到。）",
        )
        text = f"{text}\n\n{note}" if text else ""
    return Answer(text, citations, checked, draft, result.model_id, result.first_token_s, result.seconds)


def one_per_insight(hits: Sequence[Hit], lang: str) -> list[Hit]:
    """Insights are indexed in English and in Chinese ("<id>@zh"): keep one hit per insight, in
    the question's language where both were retrieved, at the rank of the better of the two."""
    def key(h: Hit) -> str:
        return str(h.metadata.get("insight_id") or "") if h.kind == "insight" else ""

    chosen: dict[str, Hit] = {}
    for h in hits:
        k = key(h)
        if k and (k not in chosen or (h.metadata.get("lang") == lang and chosen[k].metadata.get("lang") != lang)):
            chosen[k] = h
    out, seen = [], set()
    for h in hits:
        k = key(h)
        if not k:
            out.append(h)
        elif k not in seen:
            seen.add(k)
            out.append(chosen[k])
    return out
