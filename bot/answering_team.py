"""The team's answers: a data question becomes a query, code writes the facts, the model may add
one checked sentence; anything else is answered from the knowledge base with the number check.

  question ─ QuestionParser ─┬─ "query"       → QueryEngine.run(spec) → facts (bot.facts)
                             │                   + reviews of the implied polarity, cited
                             │                   + ≤ 1 interpretation sentence, claim-checked (bot.claims)
                             ├─ "not_in_data"  → "not in the data: …; the data holds …"
                             └─ "none"         → evidence (complaints/praise) or a grounded answer
                                                 from the index (bot.answering.generate_checked)

Untrusted text (reviews, docs) reaches the model only fenced, and is never a source for a metric:
a sentence whose metric number only a review holds is dropped.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
from typing import Any, Sequence

from knowledge.types import Hit
from llm.types import Generator

from .answering import Outcome, best_similarity, generate_checked, one_per_insight, relevant_hits, to_source
from .claims import METRIC_WORDS, ClaimChecker
from .errors import BotUserError
from .facts import not_in_data_text, render
from .grounding import extract_numbers, split_sentences, strip_markers
from .lang import pick
from .memory import ConversationMemory, Turn
from .prompts import UNTRUSTED_KINDS, answer_messages, interpretation_messages
from .protocols import OnPartial, Retriever
from .types import Source

logger = logging.getLogger("growthpilot.bot.answering")

# Evidence is searched only after the parser read the question as a data question with a polarity, so the
# floor has to keep on-topic reviews, not to reject off-topic questions (that is the parser's job).
# Measured by bench/eval_answers.py --floors (2026-12-02, demo index): every on-topic review question's best
# cosine is ≥ 0.25 over all kinds; with kinds=["review"] and the sentiment filter the best review of
# "What do customers complain about?" falls below 0.30 (0 of 4 opinion questions kept a quote at 0.30,
# 4 of 4 at 0.20). Off-topic questions pass 0.20 (17 of 22) — which is why it is not the index's floor.
EVIDENCE_FLOOR = 0.20
SPEC_PREFIX = "spec:"  # a user turn's `query` holds the spec it became, for follow-ups
_FOLLOW_UP = re.compile(r"^\s*(and|what about|how about|also|same for|then|那|那么|还有|以及|和|再|换成|如果是)\b|^\s*(那|还有|和)", re.I)
# "why did X drop?" → the negative reviews; "why did X grow?" → the positive ones
class _WhyWords:
    """The parser's "why" words (bot.questions.vocab.WHY: why, what's behind, how come, 为什么 …), on any text."""

    def search(self, text: str):
        from .questions.vocab import WHY, normalise

        return WHY.search(normalise(text))


_WHY = _WhyWords()
_COMPLAIN = re.compile(r"complain|complaint|negative|unhappy|dislike|problem|issue|差评|抱怨|投诉|吐槽|不满|负面|问题", re.I)
_PRAISE = re.compile(r"praise|love|like (?:about|in|most)|\benjoy|appreciate|positive|happy|good about|好评|夸|喜欢|满意|称赞|正面|优点", re.I)
_DOWN = re.compile(r"drop|fall|fell|declin|decreas|down|worse|lower|下降|减少|下跌|降低|下滑|变差|掉|跌", re.I)
_UP = re.compile(r"grow|grew|rise|rose|increas|up\b|better|higher|上升|增加|增长|提高|上涨|变好|涨", re.I)
# Source labels a small model copies from a prompt: "(review · Review) …", "(insight · Funnel) …"
_LABEL = re.compile(r"[\(（]\s*(?:review|insight|doc|report|评论|洞察|文档)\s*[·・:：][^)）\n]{0,60}[\)）]\s*", re.I)


def strip_labels(text: str, *, partial: bool = False) -> str:
    """Source labels never reach the person; while streaming (`partial`), an opening "(" that may
    still become a label is held back."""
    text = _LABEL.sub("", text)
    if partial:
        text = re.sub(r"[\(（][^)）\n]{0,60}$", "", text)
    return text


def polarity(question: str) -> str | None:
    """The review sentiment a question implies: "neg" for complaints and drops, "pos" for praise
    and rises, None when it implies none."""
    if _COMPLAIN.search(question):
        return "neg"
    if _PRAISE.search(question):
        return "pos"
    if _WHY.search(question):
        return "neg" if _DOWN.search(question) else "pos" if _UP.search(question) else None
    return None


class TeamAnswerer:
    """The team's answering pipeline (see module doc). `parser` and `engine` are optional: without
    them every question is answered from the index, as before the query layer."""

    def __init__(self, *, generator: Generator, memory: ConversationMemory, retriever: Retriever | None,
                 public_retriever: Retriever | None, parser=None, engine=None, brand: str = "Lumi",
                 min_similarity: float = 0.25, k: int = 5, interpret: bool = True, evidence_k: int = 3, reports=None):
        self.generator = generator
        self.memory = memory
        self.retriever = retriever
        self.public = public_retriever
        self.parser = parser
        self.engine = engine
        self.brand = brand
        self.min_similarity = min_similarity
        self.k = k
        self.interpret = interpret
        self.evidence_k = evidence_k
        self.reports = reports  # the fixed reports, a computed source where no query spec answers
        self._entities = None

    # ------------------------------------------------------------------ entry point
    async def answer(self, key, text: str, lang: str, *, on_partial: OnPartial | None, collection: str = "internal",
                     intent: str = "question") -> Outcome:
        history = self.memory.recent(key, 3)
        previous = _previous_spec(history)
        if collection == "public" and self.parser is not None and self.engine is not None:
            # a help-centre question by the classifier that the rules read as a data question
            # ("退货率是多少？" is a metric, not the returns policy) is answered as one; so is a follow-up
            # of the previous data question ("那酒店呢？" after "洗发水的差评率多少？")
            ruled = await asyncio.to_thread(self.parser.parse_rules_only, text, lang=lang, previous=previous) \
                if hasattr(self.parser, "parse_rules_only") else None
            # — but "how do I register?" stays a help-centre question: "not in the data" needs a quantity asked
            if ruled is not None and (ruled.kind == "query" or (ruled.kind == "not_in_data" and _QUANTITY.search(text))):
                collection = "internal"
        if collection == "internal" and self.parser is not None:
            parsed = await asyncio.to_thread(self._parse, text, lang, previous)
            if parsed.kind == "query" and parsed.spec is not None and self.engine is not None:
                self.memory.add(key, "user", text, intent=intent, query=SPEC_PREFIX + parsed.spec.to_json())
                return await self._data_answer(text, parsed, lang, on_partial)
            if parsed.kind == "not_in_data":
                self.memory.add(key, "user", text, intent=intent)
                body = not_in_data_text(parsed.missing, lang)
                return Outcome(body, {"intent": intent, "lang": lang, "kind": "not_in_data", "missing": parsed.missing,
                                      "parse_source": parsed.source, "grounded": False})
        return await self._index_answer(key, text, lang, history, on_partial, collection, intent)

    # ------------------------------------------------------------------ data questions
    def is_data_question(self, text: str, lang: str) -> bool:
        """Whether the rules (no model) read a query spec from the text: the intent classifier's
        "report" then yields to the query layer, which answers that exact question."""
        if self.engine is None or self.parser is None or not text:
            return False
        rules = getattr(self.parser, "parse_rules_only", None) or self.parser.parse
        try:
            parsed = rules(text, lang=lang, previous=None)
        except Exception:  # noqa: BLE001 - a parser failure leaves the request as it was
            return False
        return parsed.kind == "query" and parsed.spec is not None

    def _parse(self, text: str, lang: str, previous):
        """The parser's reading, plus two of ours: "what do customers complain about?" is the
        review aspects of that polarity (counted by code, quoted from reviews), and "why did X
        drop?" is the change the "why" is about (the parser leaves why-questions to evidence)."""
        if opinion_question(text) and self.engine is not None:
            from types import SimpleNamespace

            from knowledge.query import Filter, QuerySpec

            pol = polarity(text) or "neg"
            filters = [Filter("sentiment", (pol,))]
            named = _named_item(text, self.entities())
            if named is not None:
                filters.append(Filter("review_product", (named.id,)))
            cats = _named_review_categories(text, self.entities())
            if cats:
                filters.append(Filter("review_category", cats))  # "what do people like in the fruit reviews?"
            spec = QuerySpec("aspect_mentions", op="top", by="aspect", filters=tuple(filters), limit=5)
            return SimpleNamespace(kind="query", spec=spec, missing="", source="evidence", notes=("opinion question: review aspects",))
        parsed = self.parser.parse(text, lang=lang, previous=previous)
        if parsed.kind == "none" and _WHY.search(text):
            rest = strip_why(text)
            if rest and rest != text:
                again = self.parser.parse(rest, lang=lang, previous=previous)
                if again.kind == "query":
                    parsed = again
        if parsed.kind == "query" and parsed.spec is not None:
            # a follow-up keeps the filters it inherits ("and last week?" after the Buds Pro's conversion)
            parsed = self._named_filters_only(parsed, text, inherited=previous.filters if previous is not None else ())
        if parsed.kind == "query" and parsed.spec is not None and previous is None:
            if getattr(parsed, "source", "") == "model" and not mentions_metric(text, parsed.spec.metric):
                from types import SimpleNamespace

                # the grammar makes the model write *some* valid spec; one for a metric the question
                # never names ("marketing budget" → repeat-buyer share) would be a number for another quantity
                return SimpleNamespace(kind="not_in_data", spec=None, missing=missing_phrase(text), source="answering",
                                       notes=(f"the model's spec ({parsed.spec.metric}) names a metric the question does not",))
        if parsed.kind == "none" and _QUANTITY.search(text) and not _WHY.search(text) and \
                any("no metric" in n for n in getattr(parsed, "notes", ())):
            from types import SimpleNamespace

            # a quantity the layer has no metric for: say so, rather than search reviews for it
            return SimpleNamespace(kind="not_in_data", spec=None, missing=missing_phrase(text), source="answering",
                                   notes=("a quantity with no metric of the layer",))
        return parsed

    def _named_filters_only(self, parsed, text: str, inherited=()):
        """Drop a filter on an item, category, segment or review product/category that the question
        does not name (a parser matching "购买" to the segment 加购未买 would answer another question);
        a follow-up's `inherited` filters (those of the spec it edits) stay."""
        ents = self.entities()
        if ents is None:
            return parsed
        groups = {"item": ents.items, "category": ents.categories, "segment": ents.segments,
                  "review_product": ents.review_products or ents.items, "review_category": ents.review_categories}
        keep, dropped = [], []
        for f in parsed.spec.filters:
            group = groups.get(f.dim)
            carried = any(f.values == g.values and {f.dim, g.dim} <= {"item", "review_product"} for g in inherited)
            if group is None or f in inherited or carried or any(_named(v, group, text, resolve=f.dim in ("item", "review_product")) for v in f.values):
                keep.append(f)
            else:
                dropped.append(f"{f.dim}={','.join(f.values)}")
        if not dropped:
            return parsed
        from dataclasses import replace

        spec = parsed.spec.with_changes(filters=tuple(keep))
        notes = tuple(getattr(parsed, "notes", ())) + (f"dropped filter(s) the question does not name: {'; '.join(dropped)}",)
        try:
            return replace(parsed, spec=spec, notes=notes)
        except TypeError:
            from types import SimpleNamespace

            return SimpleNamespace(kind=parsed.kind, spec=spec, missing=getattr(parsed, "missing", ""), source=getattr(parsed, "source", ""), notes=notes)

    def entities(self):
        if self._entities is None and self.engine is not None:
            try:
                self._entities = self.engine.entities()
            except Exception:  # noqa: BLE001 - no store yet: the checker then knows only the result's names
                logger.warning("query engine has no entities", exc_info=True)
        return self._entities

    async def _data_answer(self, question: str, parsed, lang: str, on_partial: OnPartial | None) -> Outcome:
        spec = parsed.spec
        try:
            result = await asyncio.to_thread(self.engine.run, spec)
        except ValueError as exc:  # SpecError: the spec names something the layer lacks
            raise BotUserError(f"I can't compute that: {exc}", message_zh=f"无法计算：{exc}") from None
        explain = ""
        if hasattr(self.engine, "explain"):
            try:
                explain = self.engine.explain(result, lang)
            except Exception:  # noqa: BLE001 - the facts still stand; our own "how" line is used
                logger.warning("explain failed", exc_info=True)
        pol = polarity(question)
        facts = render(result, lang, explain, emphasis={"neg": "down", "pos": "up"}.get(pol or ""), names=_names(self.entities(), lang))
        data: dict[str, Any] = {"intent": "question", "lang": lang, "kind": "query", "parse_source": parsed.source,
                                "spec": spec.to_dict(), "sql": result.sql, "facts": [f.to_dict() for f in result.facts],
                                "warnings": list(result.warnings), "grounded": True, "model_id": ""}
        text = facts.text
        await _emit(on_partial, text)
        evidence: list[Hit] = []
        if pol is not None and self.retriever is not None:
            evidence = await self._evidence(question, pol, result, lang)
            data["evidence_polarity"] = pol
        elif pol is None and self.retriever is not None and neutral_opinion(question):
            # "what do people think of X?": what both sides say, the positive side first
            pos, neg = await self._evidence(question, "pos", result, lang), await self._evidence(question, "neg", result, lang)
            evidence = [h for pair in zip(pos, neg) for h in pair] + pos[len(neg):] + neg[len(pos):]
            evidence = list({h.id: h for h in evidence}.values())[: self.evidence_k]
            data["evidence_polarity"] = "mixed"
        citations = tuple(_source_in(lang, to_source(h), h, self.entities()) for h in evidence)
        if evidence:
            text += "\n" + _quotes(evidence, pol, lang)
            await _emit(on_partial, text)
        prompt: list = []
        model_id = ""
        if self.interpret and evidence:
            prompt = interpretation_messages(question, facts.body, evidence, lang=lang, brand=self.brand)
            known = [h.title for h in evidence if h.title] + [str(h.metadata.get("product", "")) for h in evidence]
            context = facts.body + "\n" + "\n".join(h.text for h in evidence)
            checker = ClaimChecker([result], self.entities() or _no_entities(), question, tuple(known) + (self.brand,), context)
            extra = interpretation_checks(evidence, pol, lang, self.entities(), self.brand)
            sentence, dropped, model_id = await self._one_checked_sentence(prompt, checker, text, on_partial, len(evidence), extra)
            data["interpretation_dropped"] = [{"sentence": v.sentence.strip(), "reasons": list(v.reasons)} for v in dropped]
            if sentence:
                text += "\n" + sentence
                data["interpretation"] = sentence
        data["model_id"] = model_id
        return Outcome(text, data, prompt, citations, model_id)

    async def _one_checked_sentence(self, prompt, checker: ClaimChecker, shown: str, on_partial, n_evidence: int, extra=None):
        """Generate; keep the first sentence that passes the claim check and `extra` (streamed only once it has)."""
        extra = extra or (lambda _s: [])
        state = {"last": ""}

        async def on_text(t: str) -> None:
            done = [s for s in split_sentences(strip_labels(t, partial=True)) if re.search(r"[。！？!?.]\s*$", s)]
            if not done:
                return
            kept, _ = checker.filter_text(done[0])
            if kept and not extra(kept) and kept != state["last"]:
                state["last"] = kept
                await _emit(on_partial, shown + "\n" + kept)

        result = await self.generator.generate(prompt, n=1, max_new_tokens=60, temperature=0.2,
                                               on_text=on_text if on_partial is not None else None)
        draft = strip_labels(result.texts[0] if result.texts else "")
        dropped, passed = [], []
        for s in split_sentences(draft):
            if not s.strip():
                continue
            if not re.search(r"[。！？!?.]\s*(?:\[\d+\])*\s*$", s.strip()):
                from .claims import Verdict

                dropped.append(Verdict(False, s, ("unfinished sentence",)))
                continue
            v = checker.check(s)
            more = extra(s) if v.ok else []
            if more:
                from .claims import Verdict

                v = Verdict(False, s, tuple(more))
            if v.ok:
                passed.append(re.sub(r"\[(\d+)\]", lambda m: m.group(0) if 1 <= int(m.group(1)) <= n_evidence else "", s).strip())
            else:
                dropped.append(v)
        # an interpretation, not a repeat of the facts: a sentence without numbers first
        passed.sort(key=lambda x: bool(re.search(r"\d", re.sub(r"\[\d+\]", "", x))))
        return (passed[0] if passed else ""), dropped, result.model_id

    async def _evidence(self, question: str, pol: str, result=None, lang: str = "en") -> list[Hit]:
        """Reviews of the implied polarity — about the product the facts point at when there is one
        (the filtered item, or the item whose change has the sign the question asks about)."""
        filters = {"sentiment": pol}
        product = _focus_item(result, pol) if result is not None else ""
        hits: list[Hit] = []
        if product:
            # the product and the polarity are filters: every hit is about it, whatever its cosine
            name = _entity_name(self.entities(), product)
            query = f"{name} {'problems complaints' if pol == 'neg' else 'what customers love'}".strip()
            hits = await asyncio.to_thread(self.retriever.search, query, self.evidence_k * 2, kinds=["review"], filters={**filters, "product": product})
            hits = [h for h in hits if h.kind == "review"]
            if hits:
                return _same_language_first(hits, lang)[: self.evidence_k]
        query = question
        if result is not None and result.spec.by == "aspect":
            # the aspects the code counted are the topic ("what are people unhappy about?" alone is too vague
            # for the relevance floor): search for them, with the polarity filter
            aspects = [f.subject_id for f in sorted(result.facts, key=lambda f: f.value) if f.role == "rank" and f.subject_id][:3]
            if aspects:
                query = " ".join(aspects) + " " + question
        hits = await asyncio.to_thread(self.retriever.search, query, self.evidence_k * 3, kinds=["review"], filters=filters)
        hits = [h for h in hits if h.kind == "review"]
        # without a product filter: the floor measured by `bench/eval_answers.py --floors` (docs/BENCHMARKS.md)
        return _same_language_first(relevant_hits(hits, min(self.min_similarity, EVIDENCE_FLOOR)), lang)[: self.evidence_k]

    # ------------------------------------------------------------------ from the index
    async def _index_answer(self, key, text: str, lang: str, history: Sequence[Turn], on_partial, collection: str, intent: str) -> Outcome:
        retriever = self.retriever if collection == "internal" else self.public
        query = _retrieval_query(text, history)
        data: dict[str, Any] = {"intent": intent, "lang": lang, "query": query, "collection": collection}
        if retriever is None:
            raise BotUserError(
                "no knowledge base is configured for this conversation",
                fix="run `growthpilot demo` or `growthpilot ingest ...`, then ask again",
                message_zh="这个对话没有可用的知识库",
                fix_zh="先运行 `growthpilot demo` 或 `growthpilot ingest ...`，再提问",
            )
        pol = polarity(text) if collection == "internal" else None
        filters = {"sentiment": pol} if pol is not None and (_COMPLAIN.search(text) or _PRAISE.search(text)) else None
        hits = await asyncio.to_thread(retriever.search, query, self.k, **({"filters": filters} if filters else {}))
        if filters and not hits:  # nothing of that polarity: search without the filter
            hits = await asyncio.to_thread(retriever.search, query, self.k)
        if filters:
            data["evidence_polarity"] = pol
        data["similarity"] = round(best_similarity(hits), 4)
        # an opinion question (a polarity filter) keeps the floor measured for quoting reviews
        hits = one_per_insight(relevant_hits(hits, min(self.min_similarity, EVIDENCE_FLOOR) if filters else self.min_similarity), lang)
        if collection == "internal":
            computed = await self._report_source(text, lang)
            if computed is not None:
                hits = [computed] + hits[: max(1, self.k - 1)]
                data["report_source"] = computed.id
        self.memory.add(key, "user", text, intent=intent, query=query)
        if not hits:
            data["grounded"] = False
            return Outcome(nothing_relevant(text, lang), data)
        messages = answer_messages(text, hits, history, lang=lang, brand=self.brand)
        names = ClaimChecker([], self.entities() or _no_entities(), text, (self.brand,),
                             "\n".join(f"{h.title} {h.text}" for h in hits), strict_start=False)

        def clean(t: str) -> tuple[str, list[str]]:
            """Labels stripped; sentences stating a metric only untrusted text holds, or naming
            something neither the sources nor the catalogue know, dropped."""
            t, dropped = drop_untrusted_metrics(strip_labels(t), hits, text)
            kept = []
            for sentence in split_sentences(t):
                if sentence.strip() and names._check_entities(strip_markers(sentence)):
                    dropped.append(sentence.strip())
                else:
                    kept.append(sentence)
            return "".join(kept).strip(), dropped

        async def shown(t: str) -> None:
            c, _ = clean(strip_labels(t, partial=True))
            if c:
                await _emit(on_partial, c)

        answer = await generate_checked(self.generator, messages, hits, extra_texts=[text] + [t.text for t in history if t.role == "user"],
                                        lang=lang, on_partial=shown if on_partial is not None else None)
        body, untrusted = clean(answer.checked.text)
        n_removed = len(answer.checked.removed) + len(untrusted)
        if body and n_removed:
            body += "\n\n" + pick(lang, f"(Removed {n_removed} sentence(s) with a number or a name not found in the sources.)",
                                   f"（已删除 {n_removed} 句：其中的数字或名称在资料中找不到。）")
        data.update(grounded=True, removed_sentences=list(answer.checked.removed) + untrusted, unsupported_numbers=list(answer.checked.unsupported),
                    numbers_total=answer.checked.numbers_total, numbers_backed=answer.checked.numbers_backed,
                    first_token_s=answer.first_token_s, generate_s=answer.seconds, draft=answer.draft)
        citations = tuple(_source_in(lang, c, None, self.entities()) for c in answer.citations)
        if not body.strip() and "report_source" in data:
            # the model gave nothing usable, but a report computed by code answers the question
            body, citations = hits[0].text, (to_source(hits[0]),)
            data["fallback"] = "report"
        elif not body.strip():
            if answer.checked.removed or untrusted:
                body = pick(lang, "I couldn't write an answer whose numbers the sources back. The most relevant sources are listed below.", "我没能写出数字都有出处的回答。下面列出了最相关的资料。")
            else:
                body = pick(lang, "The model gave no usable answer. The most relevant sources are listed below.", "模型没有给出可用的回答。下面列出了最相关的资料。")
            citations = tuple(to_source(h) for h in hits[:3])
        return Outcome(body, data, messages, citations, answer.model_id)


    async def _report_source(self, question: str, lang: str) -> Hit | None:
        """A question a fixed report answers also gets that report — numbers computed by code —
        as a source (the path for questions the query parser leaves to the index)."""
        if self.reports is None:
            return None
        try:
            from .reports import parse_report_request
        except ImportError:  # the reports moved: no computed source then
            return None
        rr = parse_report_request(question)
        if rr is None:
            return None
        if rr.kind == "top" and getattr(rr, "by", "") == "buys" and re.search(r"conver|转化", question, re.I):
            from dataclasses import replace

            rr = replace(rr, by="conversion")
        try:
            result = await asyncio.to_thread(self.reports.run, rr, lang)
        except BotUserError:
            return None  # no behaviour data, or nothing in that scope: the index may still answer
        rows = result.table_text.splitlines()[:8]
        return Hit(id=f"report:{rr.kind}", kind="insight", text=result.narrative + "\n" + "\n".join(rows), score=1.0, title=result.title,
                   metadata={"similarity": 1.0, "best_similarity": 1.0, "preformatted": True, "topic": "report"})


# ---------------------------------------------------------------------- helpers
def _focus_item(result, pol: str) -> str:
    """The item id the facts are about: an item filter, or the item with the largest change in
    the direction the question implies (neg → the biggest drop)."""
    spec = result.spec
    items = spec.filter_values("item") or spec.filter_values("review_product")
    if len(items) == 1:
        return str(items[0])
    if spec.by == "item" and spec.op == "change":
        changes = [f for f in result.facts if f.role == "change_pct" and f.subject_id] or \
            [f for f in result.facts if f.role == "change" and f.subject_id]
        if changes:
            f = min(changes, key=lambda x: x.value) if pol == "neg" else max(changes, key=lambda x: x.value)
            return f.subject_id
    if spec.by == "item" and spec.op in ("top", "bottom"):
        first = next((f for f in result.facts if f.role == "rank" and f.value == 1 and f.subject_id), None)
        return first.subject_id if first else ""
    return ""


_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]{2,}")


def interpretation_checks(evidence: Sequence[Hit], pol: str | None, lang: str, entities, brand: str):
    """What the claim checker does not see in the model's one sentence about reviews, as a function
    sentence → reasons (empty: fine): it names a catalogue product other than the one every quoted
    review is about; it repeats a quoted review instead of interpreting; a praise answer states a
    complaint (or a complaint answer reads as praise); a Chinese answer carries English words that
    are no name (copied from an English review)."""
    from .questions.vocab import normalise

    items = list(getattr(entities, "items", ()) or ())
    products = {str(h.metadata.get("product") or "") for h in evidence}
    focus = next(iter(products)) if len(products) == 1 and "" not in products else ""
    quotes = [re.sub(r"[\W_]+", "", normalise(h.text)) for h in evidence]
    names = {w.lower() for e in items for n in (e.name_en, e.name_zh, *e.aliases) for w in _LATIN_WORD.findall(n or "")} | {brand.lower()}

    def item_names(e) -> list[str]:
        out = []
        for n in (e.name_en, e.name_zh, *e.aliases):
            if n:
                out.append(n.lower())
                core = re.sub(rf"^\s*{re.escape(brand.lower())}\s*", "", n.lower()) if brand else n.lower()
                if len(core) >= 4 and core != n.lower():
                    out.append(core)
        return out

    def check(sentence: str) -> list[str]:
        reasons: list[str] = []
        low = sentence.lower()
        if focus:
            other = [e for e in items if e.id != focus and any(n in low for n in item_names(e))]
            if other:
                reasons.append(f"names {other[0].name(lang)}, but the reviews are about {_entity_name(entities, focus) or focus}")
        core = re.sub(r"\[\d+\]", "", normalise(sentence))
        core = re.sub(r"[\W_]+", "", core)
        if len(core) >= 8 and any(core in q or _lcs(core, q) >= 0.6 * len(core) for q in quotes if q):
            reasons.append("repeats a quoted review instead of interpreting it")
        if pol in ("pos", "neg"):
            from knowledge.sentiment import LexiconSentimentAnalyzer

            an = LexiconSentimentAnalyzer()
            plain = re.sub(r"\[\d+\]", "", sentence)
            if pol == "pos" and any(an.analyze_one(c).score <= -0.3 for c in re.split(r"[，,;；。.!！?？]|\bbut\b|但|不过", plain) if c.strip()):
                reasons.append("states a complaint in an answer about praise")
            if pol == "neg" and an.analyze_one(plain).score >= 0.3:
                reasons.append("reads as praise in an answer about complaints")
        about = _direction_without_metric(sentence)
        if about:
            reasons.append(f"a direction ({about!r}) about something the result does not measure")
        if lang == "zh":
            foreign = [w for w in _LATIN_WORD.findall(sentence) if w.lower().strip("'’") not in names and not w.isupper()]
            if foreign:
                reasons.append(f"English words in a Chinese answer ({foreign[0]!r}): not in the reply's language")
        return reasons

    return check


_DIR_ZH = re.compile(r"上升|下降|增加|减少|提高|降低|上涨|下跌|增长|下滑|提升|升高|走低|走高|涨|跌")
_DIR_EN = re.compile(r"(?<![a-z])(?:rose|rises?|risen|rising|fell|falls?|fallen|falling|dropped|drops?|dropping|increased?|increases|increasing|"
                     r"decreased?|decreases|decreasing|grew|grows?|growing|declined?|declines|declining|went (?:up|down)|climbed|jumped|slipped|plunged|surged)(?![a-z])")
_ZH_FILL = "了有也都还在明显大幅略稍有所的"
# the metric words, longest first, split by script once (the check runs on every streamed sentence)
_METRIC_WORDS_ALL = sorted({w.lower() for ws in METRIC_WORDS.values() for w in ws}, key=len, reverse=True)
_METRIC_WORDS_ZH = tuple(w for w in _METRIC_WORDS_ALL if re.search(r"[\u4e00-\u9fff]", w))
_METRIC_WORDS_EN = tuple(w for w in _METRIC_WORDS_ALL if not re.search(r"[\u4e00-\u9fff]", w))


def _direction_without_metric(sentence: str) -> str:
    """The first direction word not about a quantity: "价格下降" / "prices dropped" (the result measures no price), where
    "转化率下降了" / "conversion fell" / "a drop in conversion" are about a metric. "" when every direction is."""
    low = strip_markers(sentence).lower()
    for m in _DIR_ZH.finditer(low):
        pre = low[max(0, m.start() - 10): m.start()].rstrip(" " + _ZH_FILL)
        if not any(pre.endswith(w) for w in _METRIC_WORDS_ZH):
            return m.group(0)
    for m in _DIR_EN.finditer(low):
        clause = re.split(r"[,;:.!?()]|(?<![a-z])(?:because|as|while|since|but|and|so|which|that|due to|after|when)(?![a-z])", low[: m.start()])[-1]
        before = re.findall(r"[a-z'’\-]+", clause)[-6:]  # "conversion (rate of the Buds Pro) fell", within its clause
        rest = re.split(r"[,;:.!?()]|(?<![a-z])(?:because|as|while|since|but|and|so|which|that|was|were|is|due to|after|when)(?![a-z])", low[m.end():])[0]
        after = re.findall(r"[a-z'’\-]+", rest)[:5]  # "a drop in (the Buds Pro's) conversion", within its clause
        near = " ".join(before + ["|"] + after)
        if not any(re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", near) for w in _METRIC_WORDS_EN):
            return m.group(0)
    return ""


def _hit_lang(h: Hit) -> str:
    lang = str(h.metadata.get("lang") or "")
    if lang in ("zh", "en"):
        return lang
    return "zh" if re.search(r"[\u4e00-\u9fff]", h.text or "") else "en"


def _same_language_first(hits: Sequence[Hit], lang: str) -> list[Hit]:
    """Reviews in the question's language first (the search is cross-lingual), each group in its rank order."""
    return sorted(hits, key=lambda h: _hit_lang(h) != lang)


_REVIEW_TITLE = re.compile(r"^\s*reviews?\s*[:：·]\s*", re.I)


def _source_in(lang: str, src: Source, hit: Hit | None, entities) -> Source:
    """A source's title in the reply's language: "Review: Lumi Buds Pro" → "评论：Lumi 降噪蓝牙耳机 Pro" in a zh reply."""
    from dataclasses import replace

    title = src.title or ""
    if src.kind != "review" or not _REVIEW_TITLE.match(title):
        return src
    product = str((hit.metadata.get("product") if hit is not None else "") or "")
    e = _entity(entities, product) if product else None
    rest = (e.name(lang) if e is not None else "") or _REVIEW_TITLE.sub("", title)
    return replace(src, title=pick(lang, f"Review: {rest}", f"评论：{rest}"))


def _names(entities, lang: str) -> dict[str, str]:
    """item/category ids → the names a person reads, for the facts' scope line."""
    out: dict[str, str] = {}
    for group in ("items", "categories", "review_products", "segments"):
        for e in getattr(entities, group, ()) or ():
            if e.name_en or e.name_zh:
                out.setdefault(e.id, e.name(lang))
    for k, (en, zh) in {"neg": ("negative", "负面"), "pos": ("positive", "正面"), "neutral": ("neutral", "中性")}.items():
        out[k] = zh if lang == "zh" else en
    return out


def _entity(entities, item_id: str):
    """The catalogue entity with this id, or None."""
    return next((e for e in getattr(entities, "items", ()) or () if e.id == str(item_id)), None)


def _entity_name(entities, item_id: str) -> str:
    e = _entity(entities, item_id)
    return (e.name_en or e.name_zh or e.id) if e is not None else ""


def _named_item(text: str, entities):
    """The catalogue item a question names (en or zh name, with or without the brand word)."""
    low = text.lower()
    best = None
    for e in getattr(entities, "items", ()) or ():
        for n in (e.name_en, e.name_zh, *e.aliases):
            if not n:
                continue
            for cand in {n.lower(), re.sub(r"^\w+\s+", "", n.lower()) if " " in n else n.lower()}:
                if len(cand) >= 3 and cand in low and (best is None or len(cand) > best[0]):
                    best = (len(cand), e)
    return best[1] if best else None


def _named_review_categories(text: str, entities) -> tuple[str, ...]:
    """The review categories a question names (in either language: "fruit" is 水果)."""
    from knowledge.query import Entities

    from .questions.resolve import Resolver
    from .questions.vocab import normalise

    cats = tuple(getattr(entities, "review_categories", ()) or ())
    if not cats:
        return ()
    found = [m.entity.id for m in Resolver(Entities(review_categories=cats)).find(normalise(text)) if m.group == "review_categories"]
    return tuple(dict.fromkeys(found))


def _no_entities():
    from knowledge.query import Entities

    return Entities()


_QUANTITY = re.compile(r"how many|how much|what share|what percent|what %|percentage|fraction|proportion|\bshare\b|\brate\b|ratio|count|number of|average|"
                       r"多少|几|比例|占比|百分之|比率|率|平均|数量", re.I)


def _lcs(a: str, b: str) -> int:
    """Length of the longest common substring (short strings: names and questions)."""
    best = 0
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, 1):
            if ca == cb:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


def _named(value: str, group, text: str, *, resolve: bool = False) -> bool:
    """Whether the question names the entity `value` (its id, or enough of one of its names)."""
    low = text.lower()
    ent = next((e for e in group if e.id == str(value) or str(value) in e.names()), None)
    names = ent.names() if ent is not None else (str(value),)
    if ent is not None:
        from .questions.resolve import _category_words

        words = _category_words(ent)
        if any(re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", low) for w in words):
            return True
    for n in names:
        n = n.lower().strip()
        if not n:
            continue
        if n in low:
            return True
        core = re.sub(r"^lumi\s*", "", n)
        need = min(len(core), 3 if re.search(r"[\u4e00-\u9fff]", core) else 5)
        if need >= 2 and _lcs(core, low) >= need:
            return True
    if ent is not None and resolve:
        # catalogue items only: the parser's own reading of names ("降噪耳机" → Lumi 降噪蓝牙耳机 Pro): a name it resolves is named
        from knowledge.query import Entities

        from .questions.resolve import Resolver
        from .questions.vocab import normalise

        return any(m.entity.id == ent.id for m in Resolver(Entities(items=tuple(group))).find(normalise(text)))
    return False


def mentions_metric(text: str, metric: str) -> bool:
    """Whether the question uses a word of `metric` (or of its family: conversion by events/users)."""
    from .claims import FAMILIES, RATIO_PARTS

    low = text.lower()
    names = set(FAMILIES.get(metric, {metric})) | {metric}
    names |= set(RATIO_PARTS.get(metric, ()))  # "cart users who bought" names cart_to_buy's parts
    words = [w for m in names for w in METRIC_WORDS.get(m, ())]
    from knowledge.query.semantic import METRICS

    words += [METRICS[m].label_en for m in names if m in METRICS] + [METRICS[m].label_zh for m in names if m in METRICS]
    return any(w.lower() in low for w in words if w)


def missing_phrase(text: str) -> str:
    """"What was our ad spend in October?" → "ad spend in October"; "退货率是多少？" → "退货率"."""
    t = text.strip().rstrip("?？。.!！")
    t = re.sub(r"^(?:what(?:'s| is| was| are| were)?|how (?:much|many)|how old|how)\s+(?:is |was |are |were |did |do |does )?(?:our |the |we |us )?", "", t, flags=re.I)
    t = re.sub(r"(?:是多少|有多少|多少|是什么|怎么样|如何)$", "", t)
    t = re.sub(r"^(?:我们的|我们|上周的|本月的)", "", t)
    return t.strip() or text.strip()


def neutral_opinion(text: str) -> bool:
    """"What do people think of X?" / "X口碑怎么样": an opinion question with no polarity."""
    from .questions.vocab import OPINION_OF, normalise

    return bool(OPINION_OF.search(normalise(text)))


def opinion_question(text: str) -> bool:
    """"What do customers complain about?" / "顾客夸什么？": an opinion, not a quantity."""
    return bool((_COMPLAIN.search(text) or _PRAISE.search(text)) and not _QUANTITY.search(text) and not _WHY.search(text))


def strip_why(text: str) -> str:
    """The question a "why" is about: "Which product's conversion dropped, and why?" → "Which
    product's conversion dropped"; "Why did conversion drop last week?" → "conversion drop last week"."""
    t = re.sub(r"[,，]?\s*(?:and|&)\s+why\s*[?？]?\s*$", "", text.strip(), flags=re.I)
    t = re.sub(r"^\s*why\s+(?:did|does|do|is|are|was|were|has|have)\s+", "", t, flags=re.I)
    t = re.sub(r"^\s*(?:what(?:'s|’s| is| was| are) behind|what explains|what (?:drove|drives|led to)|how come)\s+(?:the\s+)?", "", t, flags=re.I)
    t = re.sub(r"[，,]?\s*(?:为什么|为何|是什么原因|原因是什么|什么原因|怎么回事)\s*", "", t)
    return t.strip()


async def _emit(on_partial: OnPartial | None, text: str) -> None:
    if on_partial is None:
        return
    r = on_partial(text)
    if inspect.isawaitable(r):
        await r


def _quotes(evidence: Sequence[Hit], pol: str | None, lang: str) -> str:
    head = {"neg": pick(lang, "What unhappy customers say", "不满意的顾客怎么说"), "pos": pick(lang, "What happy customers say", "满意的顾客怎么说")}.get(pol or "", pick(lang, "What customers say", "顾客怎么说"))
    lines = [head + pick(lang, " (reviews, quoted):", "（评论原文）：")]
    for i, h in enumerate(evidence, 1):
        t = " ".join(h.text.split())
        lines.append(f"[{i}] “{t if len(t) <= 140 else t[:139] + '…'}”")
    return "\n".join(lines)


def _previous_spec(history: Sequence[Turn]):
    from knowledge.query import QuerySpec

    for t in reversed(history):
        if t.role == "user" and (t.query or "").startswith(SPEC_PREFIX):
            try:
                return QuerySpec.from_json(t.query[len(SPEC_PREFIX):])
            except ValueError:
                return None
    return None


def _retrieval_query(text: str, history: Sequence[Turn]) -> str:
    """A follow-up ("and last week?", "那上周呢？") borrows the previous question's query."""
    previous = next((t for t in reversed(history) if t.role == "user" and t.intent in ("question", "support")), None)
    if previous is None:
        return text
    short = len(text.split()) <= 5 if re.search(r"[A-Za-z]", text) and not re.search(r"[\u4e00-\u9fff]", text) else len(text) <= 8
    if _FOLLOW_UP.search(text) or short:
        prev = previous.query if previous.query and not previous.query.startswith(SPEC_PREFIX) else previous.text
        return f"{prev} {text}"
    return text


_METRIC_RE = re.compile("|".join(sorted((re.escape(w) for ws in METRIC_WORDS.values() for w in ws if len(w) > 2), key=len, reverse=True)), re.I)


def drop_untrusted_metrics(text: str, hits: Sequence[Hit], question: str) -> tuple[str, list[str]]:
    """Drop each sentence that states a metric ("conversion", "views", "转化率" …) with a number
    only untrusted text (a review, a doc) holds: a planted review's "conversion was 42%" is
    never a metric of ours."""
    from .grounding import supports

    trusted = [n.value for h in hits if h.kind not in UNTRUSTED_KINDS for n in extract_numbers(f"{h.title}\n{h.text}")]
    for h in hits:
        if h.kind not in UNTRUSTED_KINDS and isinstance(h.metadata.get("numbers"), dict):
            trusted += [float(v) for v in h.metadata["numbers"].values() if isinstance(v, (int, float)) and not isinstance(v, bool)]
    trusted += [n.value for n in extract_numbers(question)]
    kept, dropped = [], []
    for s in split_sentences(text):
        plain = strip_markers(s)
        if _METRIC_RE.search(plain) and any(not supports(n, trusted) for n in extract_numbers(plain)):
            dropped.append(s.strip())
            continue
        kept.append(s)
    return "".join(kept).strip(), dropped


def nothing_relevant(question: str, lang: str) -> str:
    """Say so, and point at the data or command that would answer it."""
    low = question.lower()
    hints: list[str] = []
    if re.search(r"review|complain|praise|sentiment|评价|评论|差评|好评|口碑", low):
        hints.append(pick(lang, "ingest reviews: `growthpilot ingest reviews FILE`, or run `/report sentiment`", "导入评论：`growthpilot ingest reviews 文件`，或运行 `/report sentiment`"))
    if re.search(r"funnel|conversion|convert|cart|buy|purchase|view|漏斗|转化|加购|购买|浏览|销量", low):
        hints.append(pick(lang, "see `/report funnel` or `/report top` (computed from the behaviour log)", "查看 `/report funnel` 或 `/report top`（由行为日志计算）"))
    if re.search(r"trend|week|month|growth|趋势|上周|本周|环比|增长", low):
        hints.append(pick(lang, "see `/report trends`", "查看 `/report trends`"))
    if re.search(r"segment|user group|cohort|分群|人群|用户群", low):
        hints.append(pick(lang, "see `/report segments`", "查看 `/report segments`"))
    if not hints:
        hints.append(pick(lang, "add the data that covers it with `growthpilot ingest behavior|reviews|catalog|docs PATH`, or try `/report` for computed figures", "用 `growthpilot ingest behavior|reviews|catalog|docs 路径` 导入相关数据，或用 `/report` 查看计算出的指标"))
    head = pick(lang, "I found nothing relevant enough in the knowledge base to answer that, so I won't guess.", "知识库里没有足够相关的内容来回答这个问题，我不做猜测。")
    return head + "\n" + pick(lang, "Try: ", "可以试试：") + pick(lang, "; ", "；").join(hints)
