"""Customer support replies. This path is built with the PUBLIC retriever only: it holds no
reference to the internal collection, the report engine or the team retriever, so no message,
however it is phrased, can make it read team data.

Every customer message is PII-redacted before the model sees it and before it is stored.
Sentiment and urgency are measured per message; the conversation is handed to a human on
anger, repeated failure, low retrieval confidence, or a request for a person.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from typing import Callable, Protocol, Sequence

from llm.types import Generator

from .answering import best_similarity, generate_checked, relevant_hits
from .feedback import FeedbackStore
from .lang import pick
from .memory import ConversationMemory
from .prompts import support_messages
from .protocols import Handover, HandoverNotifier, OnPartial, Retriever
from .settings import AssistantSettings
from .types import Action, Message, Reply

logger = logging.getLogger("growthpilot.bot.support")

_ASK_HUMAN = re.compile(
    r"转人工|人工客服|人工服务|找人工|真人|客服人员|\b(talk|speak|chat)\s+(to|with)\s+(a|an|some)?\s*(human|person|agent|representative|someone)|\b(real|live)\s+(person|agent|human)|\bhuman\s+agent|\bagent\s+please",
    re.I,
)
_ANGER = re.compile(
    r"太过分|气死|垃圾|骗子|投诉|差劲|无语|什么破|退钱|坑人|忍无可忍|unacceptable|ridiculous|furious|angry|scam|terrible service|worst|disgusting|fed up|sue you|lawyer|wtf|\bf+u+c+k",
    re.I,
)
_URGENT = re.compile(r"紧急|急用|马上|立刻|立即|尽快|赶紧|十万火急|urgent|asap|immediately|right now|emergency|today!", re.I)
_FAILED = re.compile(
    r"没用|没有用|没解决|还是不行|还是没|答非所问|不是我问的|看不懂|didn'?t help|not helpful|doesn'?t help|still (not|doesn'?t|can'?t|won'?t)|that'?s not what i asked|useless|you'?re not helping",
    re.I,
)
_SMALL_TALK = re.compile(r"^\s*(hi|hello|hey|thanks?|thank you|ok(ay)?|bye|good (morning|evening)|你好|您好|谢谢|好的|嗯|再见|哈喽|在吗)[\s!！.。?？~]*$", re.I)
# Asking for other people's data or the bot's instructions: refused before any retrieval.
_INJECTION = re.compile(
    r"ignore (all |your |the |previous |prior )*(instructions|rules|prompt)|system prompt|developer mode|jailbreak|"
    r"(customer|user|other (customers|users)'?s?)\s+(data|list|records|emails?|phones?|orders|information|info)|database|admin|internal (data|insights|reports)|"
    r"忽略(你的|之前的|以上|所有)?(指令|规则|设定)|系统提示|后台|数据库|用户数据|客户数据|其他(顾客|用户|客户)的|内部数据|管理员",
    re.I,
)


class SentimentLike(Protocol):
    def analyze(self, texts: Sequence[str]) -> list: ...


@dataclass(frozen=True)
class MessageSignals:
    sentiment: str  # pos | neg | neutral
    score: float
    urgency: str  # high | normal
    angry: bool
    asked_for_human: bool
    says_failed: bool


def read_signals(text: str, sentiment: SentimentLike | None) -> MessageSignals:
    label, score = "neutral", 0.0
    if sentiment is not None and text.strip():
        s = sentiment.analyze([text])[0]
        label, score = str(getattr(s, "label", "neutral")), float(getattr(s, "score", 0.0))
    bangs = text.count("!") + text.count("！")
    # anger needs an anger word, or strong negativity said loudly: plain complaints are not anger
    angry = bool(_ANGER.search(text)) or (label == "neg" and (bangs >= 2 or (score <= -0.8 and bangs >= 1)))
    urgent = bool(_URGENT.search(text)) or (angry and bangs >= 3)
    return MessageSignals(label, score, "high" if urgent else "normal", angry, bool(_ASK_HUMAN.search(text)), bool(_FAILED.search(text)))


class SupportResponder:
    """Answers customers from the public collection and their own conversation only."""

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
        min_similarity: float,
        k: int = 4,
    ):
        self.settings = settings
        self._generator = generator
        self._public = public_retriever
        self._memory = memory
        self._feedback = feedback
        self._redact = redact
        self._sentiment = sentiment
        self._notify = notify_handover
        self.min_similarity = min_similarity
        self.k = k

    async def handle(self, message: Message, lang: str, *, on_partial: OnPartial | None = None, text: str | None = None) -> Reply:
        key = message.conversation_key
        clean = self._redact(text if text is not None else message.text)
        signals = read_signals(clean, self._sentiment)
        history = self._memory.recent(key, 3)
        self._memory.add(key, "user", clean, intent="support")
        data = {
            "intent": "support",
            "lang": lang,
            "sentiment": signals.sentiment,
            "sentiment_score": signals.score,
            "urgency": signals.urgency,
            "redacted": clean != (text if text is not None else message.text),
        }
        brand = self.settings.brand_name

        failures = self._memory.record_failure(key, True) if signals.says_failed else self._memory.failures(key)
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

        query = _retrieval_query(clean, history, signals.says_failed)
        hits = self._public.search(query, k=self.k) if self._public is not None else []
        data["similarity"] = best_similarity(hits)
        hits = relevant_hits(hits, self.min_similarity)
        if not hits:
            return await self._handover(message, lang, "low confidence", signals, data)

        messages = support_messages(clean, hits, history, lang=lang, brand=brand)
        answer = await generate_checked(self._generator, messages, hits, extra_texts=[clean] + [t.text for t in history], lang=lang, on_partial=on_partial)
        if not answer.text.strip():
            failures = self._memory.record_failure(key, True)
            if failures >= self.settings.support_handover_after_failures:
                return await self._handover(message, lang, "repeated failure", signals, data)
            reply_text = pick(lang, "Sorry, I couldn't find a reliable answer to that. Could you rephrase it?", "抱歉，我没找到可靠的答案，能换个说法吗？")
            return self._finish(message, lang, reply_text, data, prompt=messages, citations=(), model_id=answer.model_id)
        data["removed_sentences"] = list(answer.checked.removed)
        return self._finish(message, lang, answer.text, data, prompt=messages, citations=answer.citations, model_id=answer.model_id)

    async def _handover(self, message: Message, lang: str, reason: str, signals: MessageSignals, data: dict) -> Reply:
        key = message.conversation_key
        reply_text = {
            "asked for a person": pick(lang, "Sure — I've asked a colleague to join; they'll reply here shortly.", "好的，已为您转接人工客服，同事会尽快在这里回复您。"),
            "angry": pick(lang, "I'm sorry about this. I've passed your conversation to a colleague, who will reply here shortly.", "非常抱歉给您带来不好的体验，已将对话转给同事，他们会尽快在这里回复您。"),
            "repeated failure": pick(lang, "Sorry I couldn't solve this. A colleague will take over and reply here shortly.", "抱歉没能帮您解决，已转给同事处理，他们会尽快在这里回复您。"),
            "low confidence": pick(lang, "I'm not sure about that one, so I've passed it to a colleague, who will reply here shortly.", "这个问题我不太确定，已转给同事，他们会尽快在这里回复您。"),
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
        self._memory.add(key, "assistant", text, intent="support")
        self._feedback.record_reply(reply_id, conversation=key, user=message.user, intent="support", prompt=prompt, reply=text, sources=citations, model_id=model_id)
        actions = [Action("feedback_up", "👍", reply_id), Action("feedback_down", "👎", reply_id)]
        if not handover:
            actions.append(Action("handover", pick(lang, "Talk to a human", "转人工"), reply_id))
        return Reply(text=text, citations=citations, actions=tuple(actions), reply_id=reply_id, data=data, handover=handover)


def _retrieval_query(text: str, history, says_failed: bool) -> str:
    """PII placeholders out; a short follow-up or a "that didn't help" borrows the previous question."""
    query = re.sub(r"\[(EMAIL|PHONE|ID|CARD|ADDRESS)\]", " ", text)
    query = re.sub(r"\s+", " ", query).strip()
    previous = _last_user(history)
    if previous and (says_failed or len(query) < 25):
        query = f"{previous} {query}"
    return query


def _last_user(history) -> str:
    for t in reversed(history):
        if t.role == "user":
            return t.text
    return ""
