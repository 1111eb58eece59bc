"""Customer support replies. This path is built with the PUBLIC retriever only: it holds no
reference to the internal collection, the report engine or the team retriever, so no message,
however it is phrased, can make it read team data.

Every customer message is PII-redacted before the model sees it and before it is stored.
Sentiment and urgency are measured per message; the conversation is handed to a human on
anger, repeated failure, low retrieval confidence, or a request for a person.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from typing import Callable

from llm.types import Generator

from ..feedback import FeedbackStore
from ..lang import detect_language, pick
from ..memory import ConversationMemory
from ..protocols import Handover, HandoverNotifier, OnPartial, Retriever
from ..settings import AssistantSettings
from ..types import Action, Message, Reply, Source
from . import extract, faithfulness
from .followup import follow_up_query, is_follow_up
from .parts import split_parts
from .lexicon import PRODUCT_CONCEPTS, concepts, entities, fix_typos
from .passages import Candidate, Section, SectionFinder, Weights
from .signals import _INJECTION, _SMALL_TALK, MessageSignals, SentimentLike, read_signals, repeats

logger = logging.getLogger("growthpilot.bot.support")

# put before a quoted passage that does not name what the question asked about (en, zh)
LEADS = ("Here is what our help pages say: ", "帮助中心的说明是：")

class SupportResponder:
    """Answers customers from the public collection and their own conversation only.

    The answer is the passage's own sentences (bot/support/extract.py) from the section that answers
    the question (bot/support/passages.py), in the customer's language; with `support_rephrase` the
    model may reword them, and every sentence of its draft must pass the faithfulness check
    (bot/support/faithfulness.py), else the quoted passage is sent."""

    def __init__(
        self,
        settings: AssistantSettings,
        *,
        generator: Generator,
        public_retriever: Retriever | None,
        memory: ConversationMemory,
        feedback: FeedbackStore,
        redact: Callable[[str], str],
        sentiment: SentimentLike | None,
        notify_handover: HandoverNotifier | None,
        min_similarity: float = 0.25,
        k: int = 4,
        weights: Weights | None = None,
    ):
        self.settings = settings
        self._generator = generator
        self._public = public_retriever
        self._finder = SectionFinder(public_retriever, weights)
        self._memory = memory
        self._feedback = feedback
        self._redact = redact
        self._sentiment = sentiment
        self._notify = notify_handover
        self.min_similarity = min_similarity  # kept for callers; the support threshold is Weights.threshold
        self.k = k

    async def handle(self, message: Message, lang: str, *, on_partial: OnPartial | None = None, text: str | None = None) -> Reply:
        key = message.conversation_key
        raw = text if text is not None else message.text
        clean = self._redact(raw)
        if clean.strip():
            lang = detect_language(clean, lang, message.locale)
        signals = read_signals(clean, self._sentiment)
        history = self._memory.recent(key, 3)
        asked = fix_typos(_strip_placeholders(clean))  # "retrun policy" is a returns question
        previous = _last_user_query(history)
        follow = bool(previous) and (is_follow_up(asked) or signals.says_failed)
        query = (f"{previous} {asked}".strip() if signals.says_failed else follow_up_query(previous, asked)) if follow else asked
        focus = asked if follow and not signals.says_failed else ""
        self._memory.add(key, "user", clean, intent="support", query=query)
        data = {
            "intent": "support",
            "lang": lang,
            "sentiment": signals.sentiment,
            "sentiment_score": signals.score,
            "urgency": signals.urgency,
            "redacted": clean != raw,
            "query": query,
            "follow_up": follow,
        }
        brand = self.settings.brand_name

        # saying it did not help, or asking the same thing again after an answer, is a failed answer
        again = (bool(previous) and _answered_last(history) and repeats(clean, _last_user_text(history))
                 and not self._rated_down_last(key))  # a 👎 on that answer already counted this failure
        data["repeated"] = again
        failed = signals.says_failed or again
        failures = self._memory.record_failure(key, True) if failed else self._memory.failures(key)
        reason = ""
        if signals.asked_for_human:
            reason = "asked for a person"
        elif failures >= self.settings.support_handover_after_failures:
            reason = "repeated failure"
        elif signals.angry:
            reason = "angry"
        if reason:
            return await self._handover(message, lang, reason, signals, data)

        if _SMALL_TALK.match(clean):
            reply_text = pick(lang, f"Hi! I'm {brand}'s support assistant. How can I help with your order or our products?", f"您好！我是 {brand} 的客服助手，请问订单或产品有什么可以帮您？")
            return self._finish(message, lang, reply_text, data, prompt=[], citations=(), model_id="")
        if _INJECTION.search(clean):
            reply_text = pick(
                lang,
                "I can't share internal information or other customers' data. I'm happy to help with your own order, shipping, returns or product questions.",
                "抱歉，我不能提供内部信息或其他顾客的数据。关于您自己的订单、物流、退换货或产品问题，我很乐意帮忙。",
            )
            data["refused"] = "injection"
            return self._finish(message, lang, reply_text, data, prompt=[], citations=(), model_id="")

        # the search embeds the query and scores every section: off the event loop
        prefer = ""
        if focus and concepts(focus) and concepts(focus) <= PRODUCT_CONCEPTS:
            last = _last_group(history)
            prefer = "" if last.startswith(("catalog/", "products/")) or "/products/" in last else last
        candidates = await asyncio.to_thread(self._finder.find, query, focus=focus, prefer=prefer)
        if follow and not self._finder.answerable(candidates, query) and focus:
            # not a follow-up after all: the message alone may be answerable
            alone = await asyncio.to_thread(self._finder.find, asked)
            if self._finder.answerable(alone, asked):
                candidates, focus, query = alone, "", asked
                data.update(follow_up=False, query=asked)
        data["passage_score"] = round(candidates[0].score, 4) if candidates else 0.0
        if candidates:
            data["passage_parts"] = {k: round(v, 4) for k, v in candidates[0].parts.items()}
        answerable = self._finder.answerable(candidates, query)
        parts = split_parts(asked) if not focus else [asked]
        if not answerable and len(parts) > 1:
            # a message asking two things is answerable when one of its parts is (the coverage of
            # the whole is split between two sections)
            for part in parts:
                found = await self._find_part(query, part)
                if found:
                    candidates, answerable = found, True
                    break
        if not answerable:
            data["handover_detail"] = "no passage answers"
            return await self._handover(message, lang, "low confidence", signals, data)
        cand = candidates[0]
        section = cand.version(lang)
        if section is None:
            # the docs hold this section only in the other language: a person answers rather than a guess
            data["handover_detail"] = f"the passage exists only in {'/'.join(cand.versions)}"
            return await self._handover(message, lang, "low confidence", signals, data)
        chosen = extract.select(section, asked if not focus else query, focus=focus)
        reply_text = extract.render(section, chosen, lang)
        # two questions in one message, or a product page whose overview and specification sections
        # score alike ("what colour temperatures does the lamp have?"): the runner-up's best sentences too
        product_page = "products/" in cand.group
        also = await self._other_parts(asked, query, cand, lang, reply_text)
        if also:
            reply_text = "\n".join([reply_text, *(text for _s, text in also)])
            data["passage_also"] = also[0][0].id
        second = _close_second(candidates, lang) if (_asks_two_things(asked) and not also) or product_page else None
        if second is not None:
            # two neighbouring sections of one page answer it about as well ("can I return it, and
            # who pays the postage?"): the best sentences of both
            more = extract.render(second, extract.select(second, asked if not focus else query, focus=focus, max_units=2), lang)
            if more and more not in reply_text:
                reply_text = f"{reply_text}\n{more}"
                data["passage_also"] = second.id
        data.update(passage=section.id, passage_group=cand.group, answer="extractive")
        missing = _missing_entities(query, section, cand)
        if missing:
            # the question names something the passage does not (PayPal, a place, a carrier):
            # say what the passage does say, never a yes
            data["not_in_passage"] = missing
            reply_text = pick(lang, *LEADS) + reply_text
        # recorded with the reply even when the model is not called: a 👍 or a correction on an
        # extractive answer becomes a training example for the rephrasing prompt (bot/feedback.py)
        prompt: list = _rephrase_messages(asked, reply_text, lang, brand)
        model_id = ""
        if self.settings.support_rephrase and self._generator is not None:
            result = await self._generator.generate(prompt, n=1, max_new_tokens=160, temperature=0.0)
            draft = result.texts[0] if result.texts else ""
            twin = next((v.body for lg, v in cand.versions.items() if lg != lang), "")
            checked = faithfulness.check(draft, section.body, twin=twin, question=asked)
            data["draft"] = draft
            data["removed_sentences"] = [f"{r.sentence} ({r.reason})" for r in checked.removed]
            model_id = result.model_id
            if checked.text and detect_language(checked.text, lang) == lang and not checked.removed:
                reply_text = checked.text
                data["answer"] = "rephrased"
        reply_text = _no_labels(reply_text)
        source = Source(id=section.id, kind="doc", title=section.title or section.id, snippet=_snippet(section.body), score=round(cand.score, 6))
        return self._finish(message, lang, reply_text, data, prompt=prompt, citations=(source,), model_id=model_id)

    def _rated_down_last(self, key) -> bool:
        """The conversation's last reply got a 👎 (bot/assistant.py counts that as a failure)."""
        reply_id = self._feedback.last_reply_id(key)
        return bool(reply_id) and self._feedback.rated_down(reply_id)

    async def _find_part(self, query: str, part: str) -> list[Candidate]:
        """The sections for one part of a message (scored as the focus of the whole message), when that
        part is answerable, judged by the part with or without the rest; else []."""
        found = await asyncio.to_thread(self._finder.find, query, focus=part, part=True)
        if self._finder.answerable(found, part):
            return found
        alone = await asyncio.to_thread(self._finder.find, part)
        return alone if self._finder.answerable(alone, part) else []

    async def _other_parts(self, asked: str, query: str, cand: Candidate, lang: str, reply_text: str) -> list[tuple[Section, str]]:
        """A message asking two things: each further part's best sentences from its own best section
        (the part is scored as the focus of the whole message, so "要自己付运费吗" keeps "退货")."""
        parts = split_parts(asked)
        if len(parts) < 2:
            return []
        out: list[tuple[Section, str]] = []
        seen = {cand.group}
        for part in parts:
            found = await self._find_part(query, part)
            if found and found[0].group in seen:
                # scored with the whole message the part lands on the section already quoted ("can I
                # return opened earbuds, and how fast is the refund?"): the part on its own may not
                alone = await asyncio.to_thread(self._finder.find, part)
                found = alone if self._finder.answerable(alone, part) else found
            if not found or found[0].group in seen:
                continue
            seen.add(found[0].group)
            section = found[0].version(lang)
            if section is None:
                continue
            text = extract.render(section, extract.select(section, part, focus=part, max_units=2), lang)
            if text and text not in reply_text and all(text not in t for _s, t in out):
                out.append((section, text))
        return out

    async def _handover(self, message: Message, lang: str, reason: str, signals: MessageSignals, data: dict) -> Reply:
        key = message.conversation_key
        reply_text = {
            "asked for a person": pick(lang, "Sure — I've asked a colleague to join; they'll reply here shortly.", "好的，已为您转接人工客服，同事会尽快在这里回复您。"),
            "angry": pick(lang, "I'm sorry about this. I've passed your conversation to a colleague, who will reply here shortly.", "非常抱歉给您带来不好的体验，已将对话转给同事，他们会尽快在这里回复您。"),
            "repeated failure": pick(lang, "Sorry I couldn't solve this. A colleague will take over and reply here shortly.", "抱歉没能帮您解决，已转给同事处理，他们会尽快在这里回复您。"),
            "low confidence": pick(
                lang,
                "I couldn't find the answer to that in our help pages, and I won't guess. I've passed your question to a colleague, who will reply here shortly.",
                "帮助中心里没有这个问题的答案，我不做猜测。已把您的问题转给同事，他们会尽快在这里回复您。",
            ),
        }[reason]
        data.update(handover=True, handover_reason=reason)
        reply = self._finish(message, lang, reply_text, data, prompt=[], citations=(), model_id="", handover=True)
        transcript = tuple((t.role, t.text) for t in self._memory.recent(key, self.settings.memory_turns))
        if self._notify is not None:
            handover = Handover(
                platform=message.platform,
                channel=message.channel,
                user=message.user,
                reason=reason,
                transcript=transcript,
                urgency=signals.urgency,
                sentiment=signals.score,
                thread=message.thread,
                lang=lang,
            )
            try:
                await self._notify(handover)
            except Exception as exc:  # noqa: BLE001 - the customer still gets the reply
                logger.error("hand-over notification failed (%s): %s", reason, type(exc).__name__)
                data["handover_notified"] = False
            else:
                data["handover_notified"] = True
        self._memory.record_failure(key, False)
        return reply

    def _finish(self, message: Message, lang: str, text: str, data: dict, *, prompt: list, citations: tuple, model_id: str, handover: bool = False) -> Reply:
        reply_id = "r" + uuid.uuid4().hex[:10]
        key = message.conversation_key
        # the passage group answered is kept with the reply: a follow-up about another product stays on its topic
        self._memory.add(key, "assistant", text, intent="support", query=str(data.get("passage_group", "")))
        self._feedback.record_reply(reply_id, conversation=key, user=message.user, intent="support", prompt=prompt, reply=text, sources=citations, model_id=model_id)
        actions = [Action("feedback_up", "👍", reply_id), Action("feedback_down", "👎", reply_id)]
        if not handover:
            actions.append(Action("handover", pick(lang, "Talk to a human", "转人工"), reply_id))
        return Reply(text=text, citations=citations, actions=tuple(actions), reply_id=reply_id, data=data, handover=handover)


_CONTACT_ME = re.compile(r"[,，]?\s*(?:\b(?:or|and)\s+)?(?:\b(?:e-?mail|call|text|message|reach|contact|ring)(?:\s+me)?\s*(?:at|on|via)?\s*)?\[(?:EMAIL|PHONE)\]|(?:联系|打|发邮件到|邮箱|电话|手机)[:：]?\s*\[(?:EMAIL|PHONE)\]", re.I)
# "I said …", "again:", "我问的是…": the customer saying it again; what follows is the question
_SAID_AGAIN = re.compile(r"^\s*(?:(?:i|i've|i have)\s+(?:said|asked|already asked|told you)|again|once more)\b[\s,:：-]*|^\s*(?:我说了|我问的是|我是问|我再问一次|再问一次)[\s,，:：]*", re.I)
_FAILED_WORDS = re.compile(r"\b(that|it|this)\s+(didn'?t|did not|doesn'?t|does not)\s+help\b|\bnot helpful\b|\bstill not (helpful|working)\b|没用|没有用|还是不行|没解决", re.I)


def _strip_placeholders(text: str) -> str:
    """The question without the contact details a customer adds ("email me at [EMAIL]") and without
    "that didn't help": neither is what the passage must answer."""
    query = _CONTACT_ME.sub(" ", text)
    query = _FAILED_WORDS.sub(" ", query)
    query = re.sub(r"\[(EMAIL|PHONE|ID|CARD|ADDRESS)\]", " ", query)
    query = re.sub(r"^[\s,，.。!！]+", "", query)
    query = _SAID_AGAIN.sub("", query)
    return re.sub(r"\s+", " ", query).strip()


def _last_user_query(history) -> str:
    """The previous customer question's retrieval query (a follow-up borrows its topic)."""
    for t in reversed(history):
        if t.role == "user":
            return t.query or _strip_placeholders(t.text)
    return ""


def _asks_two_things(text: str) -> bool:
    """ "Can I return it? Do I pay the postage?" / "可以退吗，运费谁出？": two questions in one message."""
    marks = len(re.findall(r"[?？]", text.strip().rstrip("?？"))) >= 1
    joined = re.search(r"[,，;；]\s*(and\s+)?(do|does|can|is|are|who|how|what|when|要|谁|怎么|多久|能|可以|是否)", text, re.I)
    return bool(marks or joined)


def _close_second(candidates: list[Candidate], lang: str, ratio: float = 0.9) -> Section | None:
    """The runner-up section when it is from the same page and scores within `ratio` of the best."""
    if len(candidates) < 2:
        return None
    a, b = candidates[0], candidates[1]
    if b.score < ratio * a.score or a.group.split("#")[0] != b.group.split("#")[0] or a.group.startswith("catalog/"):
        return None
    return b.version(lang)


def _last_user_text(history) -> str:
    for t in reversed(history):
        if t.role == "user":
            return _strip_placeholders(t.text)
    return ""


def _answered_last(history) -> bool:
    """The last assistant turn was an answer from a passage (not a greeting, a refusal or a hand-over)."""
    for t in reversed(history):
        if t.role == "assistant":
            return bool(t.query)
    return False


def _last_group(history) -> str:
    for t in reversed(history):
        if t.role == "assistant":
            return t.query or ""
    return ""


def _missing_entities(question: str, section: Section, cand: Candidate) -> list[str]:
    have = set()
    for v in cand.versions.values():
        have |= entities(v.title + "\n" + v.body)
    return sorted({name for kind, name in entities(question) if (kind, name) not in have})


_LABEL = re.compile(r"[（(]\s*(doc|source|来源|资料)\s*[·:：][^)）]*[)）]|\[\d+\]", re.I)


def _no_labels(text: str) -> str:
    """Source labels and citation markers never reach the customer (they see the source below)."""
    return re.sub(r"[ \t]{2,}", " ", _LABEL.sub("", text)).strip()


def _snippet(text: str, n: int = 240) -> str:
    t = " ".join(text.split())
    return t if len(t) <= n else t[: n - 1] + "…"


def _rephrase_messages(question: str, passage_answer: str, lang: str, brand: str) -> list[dict]:
    if lang == "zh":
        system = (f"你是 {brand} 的客服。只用“资料”里的事实，用中文简短回答顾客。不要添加资料里没有的数字、付款方式、"
                  "快递公司、地点、条件，也不要回答“是/可以”除非资料明确写了。")
        user = f"资料：\n{passage_answer}\n\n顾客问题：{question}"
    else:
        system = (f"You are {brand}'s support agent. Answer the customer briefly in English using only the facts in PASSAGE. "
                  "Add no number, payment method, carrier, place or condition that PASSAGE does not state, and never say "
                  "yes/no unless PASSAGE says it.")
        user = f"PASSAGE:\n{passage_answer}\n\nCUSTOMER: {question}"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]
