"""The assistant: one `Message` in, one `Reply` out. Knows nothing of Slack or Telegram.

Team messages: slash commands or free text routed by the intent classifier to a grounded
answer, copywriting, a report, or (for help-centre questions) an answer from the public docs.
Customer messages go to `SupportResponder`, which is built with the public retriever only.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Callable, Sequence

from knowledge.types import Hit
from llm.types import Generator

from .answering import best_similarity, generate_checked, relevant_hits, to_source
from .copywriting import finish_variants, parse_brief, within_limit
from .db import BotDB
from .errors import BotUserError, render_error
from .feedback import FeedbackStore
from .grounding import SourceNumbers, check_draft
from .intents import IntentClassifier, Request
from .lang import detect_language, pick
from .memory import ConversationMemory, Turn
from .prompts import copy_messages, answer_messages
from .protocols import HandoverNotifier, OnPartial, Retriever
from .reports import REPORT_KINDS, ReportEngine, parse_report_request
from .settings import AssistantSettings
from .support import SentimentLike, SupportResponder
from .types import Action, Attachment, Message, Reply, Source

logger = logging.getLogger("growthpilot.bot")

_FOLLOW_UP = re.compile(r"^\s*(and|what about|how about|also|same for|then|那|那么|还有|以及|和|再|换成|如果是)\b|^\s*(那|还有|和)", re.I)


class Assistant:
    """The assistant core (see module doc). All state lives in `store_path` (SQLite)."""

    def __init__(
        self,
        settings: AssistantSettings,
        *,
        generator: Generator,
        team_retriever: Retriever | None,
        public_retriever: Retriever | None,
        store_path: Path,
        reports: ReportEngine | None,
        notify_handover: HandoverNotifier | None = None,
        intents: IntentClassifier | None = None,
        sentiment: SentimentLike | None = None,
        redact: Callable[[str], str] | None = None,
        min_similarity: float = 0.25,
        k: int = 5,
        product_names: Callable[[], Sequence[str]] | None = None,
        audit: Callable[[Message, Reply], None] | None = None,
    ):
        self.settings = settings
        self.generator = generator
        self._team = team_retriever
        self._public_for_team = public_retriever
        self.reports = reports
        self.db = BotDB(store_path)
        self.memory = ConversationMemory(self.db, settings.memory_turns)
        self.feedback = FeedbackStore(self.db)
        self.intents = intents or IntentClassifier()
        self.min_similarity = min_similarity
        self.k = k
        self._product_names = product_names
        self._redact = redact or _default_redactor()  # one redactor for every audience's intake
        self._audit = audit or (lambda message, reply: None)  # bot/audit.py: one redacted line per reply
        # The customer path gets the public retriever and nothing else of the team's.
        self._support = SupportResponder(
            settings,
            generator=generator,
            public_retriever=public_retriever,
            memory=self.memory,
            feedback=self.feedback,
            redact=self._redact,
            sentiment=sentiment if sentiment is not None else _default_sentiment(),
            notify_handover=notify_handover,
            min_similarity=min_similarity,
        )

    # -- the one entry point -------------------------------------------------------------------
    async def handle(self, message: Message, *, on_partial: OnPartial | None = None) -> Reply:
        reply = await self._handle(message, on_partial)
        self._audit(message, reply)
        return reply

    async def _handle(self, message: Message, on_partial: OnPartial | None) -> Reply:
        if message.audience != "customer":  # customers' text is redacted by SupportResponder / _handle_customer
            message = self._intake(message)
        lang = detect_language(message.text, self.settings.default_locale, message.locale)
        try:
            if message.audience == "customer":
                return await self._handle_customer(message, lang, on_partial)
            return await self._handle_team(message, lang, on_partial)
        except Exception as exc:  # noqa: BLE001 - tracebacks never reach a chat; customers never see operator text
            text, error_id = render_error(exc, lang, audience=message.audience, log=logger)
            kind = "user" if getattr(exc, "user_facing", False) else "internal"
            return self._plain(message, text, {"intent": "error", "error": kind, "error_id": error_id, "lang": lang})

    def record_feedback(self, reply_id: str, user: str, *, rating: int = 0, correction: str = "",
                        audience: str | None = None, conversation: tuple[str, str, str] | None = None) -> None:
        """👍 (+1) / 👎 (-1) / a correction on a reply. With `audience` (and `conversation`), only a reply
        sent there can be rated. On a support reply a 👎 counts as a failed answer (towards the
        hand-over) and a 👍 clears the count."""
        self.feedback.record_feedback(reply_id, user, rating=rating, correction=self._redact(correction) if correction else "",
                                      audience=audience, conversation=conversation)
        row = self.feedback.reply(reply_id)
        if row and row["intent"] == "support" and rating != 0:
            self.memory.record_failure((row["platform"], row["channel"], row["thread"]), rating < 0)

    def close(self) -> None:
        self.db.close()

    # -- customers ---------------------------------------------------------------------------------
    async def _handle_customer(self, message: Message, lang: str, on_partial: OnPartial | None) -> Reply:
        req = _customer_command(message.text)
        if req is not None and req.kind in ("help", "reset", "feedback"):
            message = self._intake(message)  # a customer's correction is redacted before it is stored
            return self._command(message, _customer_command(message.text) or req, lang)
        body = req.text if req is not None else message.text
        return await self._support.handle(message, lang, on_partial=on_partial, text=body)

    # -- team ----------------------------------------------------------------------------------------
    async def _handle_team(self, message: Message, lang: str, on_partial: OnPartial | None) -> Reply:
        req = self.intents.parse(message.text)
        if req.kind in ("help", "reset", "feedback", "unknown_command"):
            return self._command(message, req, lang)
        if req.explicit and not req.text and req.kind in ("question", "copy", "support"):
            raise BotUserError(
                f"/{req.command} needs some text after it",
                fix=f"e.g. /{req.command} " + {"question": "which product converts best?", "copy": "a launch tweet for the smart watch", "support": "how do returns work?"}[req.kind],
                message_zh=f"/{req.command} 后面需要写上内容",
            )
        if req.text:
            lang = detect_language(req.text, self.settings.default_locale, message.locale)
        if req.kind == "report":
            return await self._report(message, req, lang)
        if req.kind == "copy":
            return await self._copy(message, req, lang)
        if req.kind == "support":
            return await self._answer(message, req, lang, on_partial, retriever=self._public_for_team, collection="public")
        return await self._answer(message, req, lang, on_partial, retriever=self._team, collection="internal")

    # -- grounded answers ---------------------------------------------------------------------------
    async def _answer(self, message: Message, req: Request, lang: str, on_partial: OnPartial | None, *, retriever: Retriever | None, collection: str) -> Reply:
        key = message.conversation_key
        history = self.memory.recent(key, 3)
        query = self._retrieval_query(req.text, history)
        data = {"intent": req.kind, "lang": lang, "query": query, "collection": collection, "confidence": round(req.confidence, 3)}
        if retriever is None:
            raise BotUserError(
                "no knowledge base is configured for this conversation",
                fix="run `growthpilot demo` or `growthpilot ingest ...`, then ask again",
                message_zh="这个对话没有可用的知识库",
                fix_zh="先运行 `growthpilot demo` 或 `growthpilot ingest ...`，再提问",
            )
        hits = await asyncio.to_thread(retriever.search, query, self.k)
        data["similarity"] = round(best_similarity(hits), 4)
        hits = relevant_hits(hits, self.min_similarity)
        if collection == "internal":
            computed = await self._report_source(req.text, lang)
            if computed is not None:
                hits = [computed] + hits[: max(1, self.k - 1)]
                data["report_source"] = computed.id
        self.memory.add(key, "user", req.text, intent=req.kind, query=query)
        if not hits:
            text = self._nothing_relevant(req.text, lang)
            data["grounded"] = False
            return self._finish(message, req.kind, text, data, prompt=[], citations=(), model_id="")
        messages = answer_messages(req.text, hits, history, lang=lang, brand=self.settings.brand_name)
        answer = await generate_checked(
            self.generator, messages, hits, extra_texts=[req.text] + [t.text for t in history if t.role == "user"], lang=lang, on_partial=on_partial
        )
        data.update(
            grounded=True,
            removed_sentences=list(answer.checked.removed),
            unsupported_numbers=list(answer.checked.unsupported),
            numbers_total=answer.checked.numbers_total,
            numbers_backed=answer.checked.numbers_backed,
            first_token_s=answer.first_token_s,
            generate_s=answer.seconds,
        )
        text = answer.text
        citations = answer.citations
        data["draft"] = answer.draft
        if not text.strip() and "report_source" in data:
            # the model gave nothing usable, but a report computed by code answers the question
            text = hits[0].text
            citations = (to_source(hits[0]),)
            data["fallback"] = "report"
        elif not text.strip():
            if answer.checked.removed:
                text = pick(lang, "I couldn't write an answer whose numbers the sources back. The most relevant sources are listed below.", "我没能写出数字都有出处的回答。下面列出了最相关的资料。")
            else:
                text = pick(lang, "The model gave no usable answer. The most relevant sources are listed below.", "模型没有给出可用的回答。下面列出了最相关的资料。")
            citations = tuple(to_source(h) for h in hits[:3])
        return self._finish(message, req.kind, text, data, prompt=messages, citations=citations, model_id=answer.model_id)

    async def _report_source(self, question: str, lang: str) -> Hit | None:
        """A question a report answers (rankings, trends, segments, the funnel, review sentiment,
        items bought together, campaign targets) also gets that report — numbers computed by
        code — as a source, e.g. "which product converts best?" → report:top by conversion."""
        if self.reports is None:
            return None
        rr = parse_report_request(question)
        if rr is None:
            return None
        if rr.kind == "top" and rr.by == "buys" and re.search(r"conver|转化", question, re.I):
            rr = replace(rr, by="conversion")
        try:
            result = await asyncio.to_thread(self.reports.run, rr, lang)
        except BotUserError:
            return None  # no behaviour data, or nothing in that scope: the index may still answer
        rows = result.table_text.splitlines()[:8]  # header, rule and the first rows
        text = result.narrative + "\n" + "\n".join(rows)
        return Hit(
            id=f"report:{rr.kind}",
            kind="insight",
            text=text,
            score=1.0,
            title=result.title,
            metadata={"similarity": 1.0, "best_similarity": 1.0, "preformatted": True, "topic": "report"},
        )

    def _retrieval_query(self, text: str, history: Sequence[Turn]) -> str:
        """A follow-up ("and last week?", "那上周呢？") borrows the previous question's query."""
        previous = next((t for t in reversed(history) if t.role == "user" and t.intent in ("question", "support")), None)
        if previous is None:
            return text
        short = len(text.split()) <= 5 if re.search(r"[A-Za-z]", text) and not re.search(r"[\u4e00-\u9fff]", text) else len(text) <= 8
        if _FOLLOW_UP.search(text) or short:
            return f"{previous.query or previous.text} {text}"
        return text

    def _nothing_relevant(self, question: str, lang: str) -> str:
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

    # -- copywriting ---------------------------------------------------------------------------------
    async def _copy(self, message: Message, req: Request, lang: str) -> Reply:
        names = list(self._product_names()) if self._product_names else []
        brief = parse_brief(req.text, lang=lang, n=self.settings.copy_variants, product_names=names)
        lang = brief.language
        subject = brief.product or self.settings.brand_name
        praise: list[Hit] = []
        segment: list[Hit] = []
        if self._team is not None:
            praise_q = f"{subject} 顾客好评 优点" if brief.language == "zh" else f"what customers praise about {subject}"
            praise = relevant_hits(await asyncio.to_thread(self._team.search, praise_q, 4), self.min_similarity)
            if brief.audience:
                segment = relevant_hits(await asyncio.to_thread(self._team.search, f"segment {brief.audience} behaviour", 2, kinds=["insight"]), self.min_similarity)
        messages = copy_messages(brief, praise, segment, brand=self.settings.brand_name)
        max_tokens = max(48, min(512, int(brief.max_chars * (1.2 if brief.language == "zh" else 0.45)) + 16))
        result = await self.generator.generate(messages, n=brief.n, max_new_tokens=max_tokens, temperature=0.9)
        facts = praise + [h for h in segment if h.id not in {p.id for p in praise}]
        numbers = SourceNumbers.build([f"{h.title}\n{h.text}" for h in facts], extra_texts=[req.text])
        variants: list[str] = []
        removed: list[str] = []
        for v in finish_variants(result.texts, brief):
            checked = check_draft(v, numbers, n_sources=len(facts))
            removed += checked.removed
            # copy carries no citation markers: they belong in the notes below, not in the ad
            body = re.sub(r"\[\d+\]", "", checked.text).strip()
            if body and within_limit(body, brief) and body not in variants:
                variants.append(body)
        key = message.conversation_key
        self.memory.add(key, "user", req.text, intent="copy")
        if not variants:
            text = pick(lang, "The model gave no usable variant (empty, or every sentence had an invented number). Try again or rephrase the brief.", "模型没有给出可用的文案（为空，或每句都含有编造的数字）。请重试或换个说法。")
        else:
            limit = f"{brief.max_words} words" if brief.max_words else pick(lang, f"{brief.max_chars} characters", f"{brief.max_chars} 字")
            head = pick(lang, f"{len(variants)} variant(s) · {brief.channel} · ≤ {limit}", f"{len(variants)} 条文案 · {brief.channel} · 不超过 {limit}")
            text = head + "\n\n" + "\n\n".join(f"{i}. {v}" for i, v in enumerate(variants, 1))
            if facts:
                titles = list(dict.fromkeys((h.title or h.id) for h in facts))[:3]
                text += "\n\n" + pick(lang, "Grounded in: ", "依据：") + pick(lang, "; ", "；").join(titles)
        data = {
            "intent": "copy",
            "lang": lang,
            "brief": {k: getattr(brief, k) for k in ("product", "audience", "channel", "language", "tone", "max_chars", "max_words", "n")},
            "variants": variants,
            "removed_sentences": removed,
            "model_id": result.model_id,
        }
        return self._finish(message, "copy", text, data, prompt=messages, citations=tuple(to_source(h) for h in facts), model_id=result.model_id)

    # -- reports -------------------------------------------------------------------------------------
    async def _report(self, message: Message, req: Request, lang: str) -> Reply:
        if self.reports is None:
            raise BotUserError("reports need the behaviour data", fix="run `growthpilot demo` or `growthpilot ingest behavior PATH`", message_zh="报告需要行为数据", fix_zh="运行 `growthpilot demo` 或 `growthpilot ingest behavior 路径`")
        rr = parse_report_request(req.text)
        if rr is None:
            text = pick(lang, "Which report? ", "要哪种报告？") + ", ".join(f"/report {k}" for k in REPORT_KINDS)
            return self._plain(message, text, {"intent": "report", "lang": lang})
        result = await asyncio.to_thread(self.reports.run, rr, lang)
        self.memory.add(message.conversation_key, "user", req.text or f"/report {rr.kind}", intent="report")
        attachments = (Attachment(result.chart, title=result.title),) if result.chart else ()
        data = {"intent": "report", "lang": lang, "report": result.as_dict()}
        return self._finish(message, "report", result.text, data, prompt=[], citations=(), model_id="", attachments=attachments)

    # -- commands ------------------------------------------------------------------------------------
    def _command(self, message: Message, req: Request, lang: str) -> Reply:
        key = message.conversation_key
        if req.kind == "help":
            return self._plain(message, help_text(lang, customer=message.audience == "customer"), {"intent": "help", "lang": lang})
        if req.kind == "reset":
            n = self.memory.clear(key)
            return self._plain(message, pick(lang, f"Conversation cleared ({n} messages forgotten).", f"对话已清空（忘记了 {n} 条消息）。"), {"intent": "reset", "lang": lang})
        if req.kind == "unknown_command":
            raise BotUserError(f"unknown command /{req.command}", fix="see /help", message_zh=f"没有 /{req.command} 这个命令", fix_zh="发送 /help 查看可用命令")
        # feedback: "/feedback up|down [reply_id]" or "/feedback <correction> [reply_id=...]"
        body = req.text.strip()
        m = re.search(r"(?:^|\s)(?:id=)?(r[0-9a-f]{10})\s*$", body)
        reply_id = m.group(1) if m else self.feedback.last_reply_id(key)
        if m:
            body = body[: m.start()].strip()
        if not reply_id:
            raise BotUserError("there is no reply to give feedback on yet", message_zh="还没有可以反馈的回复", customer_safe=True)
        if not body:
            raise BotUserError("feedback needs up, down or a correction", fix='/feedback up · /feedback down · /feedback "the corrected answer"', message_zh="反馈需要 up、down 或修改后的内容", customer_safe=True)
        low = body.lower().strip("\"'“” ")
        # votes only on replies this audience received (customers: only in this conversation)
        scope = {"audience": message.audience, "conversation": key if message.audience == "customer" else None}
        if low in ("up", "+1", "👍", "good", "yes", "赞", "好"):
            self.record_feedback(reply_id, message.user, rating=1, **scope)
            text = pick(lang, "Thanks — noted 👍", "谢谢，已记录 👍")
        elif low in ("down", "-1", "👎", "bad", "no", "踩", "差"):
            self.record_feedback(reply_id, message.user, rating=-1, **scope)
            text = pick(lang, "Thanks — noted 👎. A correction helps even more: /feedback \"the right answer\"", "谢谢，已记录 👎。给出正确答案会更有帮助：/feedback \"正确的回答\"")
        else:
            self.record_feedback(reply_id, message.user, rating=0, correction=body.strip("\"'“”"), **scope)
            if message.audience == "customer":
                text = pick(lang, "Thanks — your feedback was saved; our team will review it.", "谢谢，您的反馈已保存，我们的团队会查看。")
            else:
                text = pick(lang, "Thanks — your correction was saved and will be used for training.", "谢谢，您的修改已保存，将用于训练。")
        return Reply(text=text, ephemeral=True, data={"intent": "feedback", "lang": lang, "reply_id": reply_id})

    # -- replies -------------------------------------------------------------------------------------
    def _finish(
        self,
        message: Message,
        intent: str,
        text: str,
        data: dict,
        *,
        prompt: list,
        citations: tuple[Source, ...],
        model_id: str,
        attachments: tuple[Attachment, ...] = (),
    ) -> Reply:
        reply_id = "r" + uuid.uuid4().hex[:10]
        key = message.conversation_key
        self.memory.add(key, "assistant", text, intent=intent)
        self.feedback.record_reply(reply_id, conversation=key, user=message.user, intent=intent, prompt=prompt, reply=text, sources=citations, model_id=model_id, audience=message.audience)
        data = {**data, "model_id": model_id}
        actions = (Action("feedback_up", "👍", reply_id), Action("feedback_down", "👎", reply_id))
        return Reply(text=text, citations=citations, attachments=attachments, actions=actions, reply_id=reply_id, data=data)

    def _intake(self, message: Message) -> Message:
        """The message with PII redacted: what memory, prompts, feedback and logs get from here on."""
        clean = self._redact(message.text)
        return message if clean == message.text else replace(message, text=clean)

    def _plain(self, message: Message, text: str, data: dict) -> Reply:
        return Reply(text=text, data=data)


def _customer_command(text: str) -> Request | None:
    from .intents import parse_command

    return parse_command(text)


def help_text(lang: str, *, customer: bool = False) -> str:
    if customer:
        return pick(
            lang,
            "Ask me about orders, shipping, returns or our products. Type \"talk to a human\" any time to reach a person.\n/reset starts over.",
            "可以问我订单、物流、退换货或产品相关的问题。随时输入“转人工”即可联系真人客服。\n/reset 重新开始。",
        )
    return pick(
        lang,
        "Ask a question about your data, or use a command:\n"
        "  /ask QUESTION        grounded answer with sources [1], [2]\n"
        "  /copy BRIEF          marketing copy variants (tweet, Weibo, 小红书, 朋友圈, e-mail subject, tagline…)\n"
        "  /report KIND         " + " | ".join(REPORT_KINDS) + "  [--product ID] [--days N]\n"
        "  /feedback up|down|\"correction\"   on the last reply\n"
        "  /reset               forget this conversation\n"
        "  /help                this text",
        "直接提问，或使用命令：\n"
        "  /ask 问题            有出处 [1]、[2] 的回答\n"
        "  /copy 需求           多条营销文案（推文、微博、小红书、朋友圈、邮件标题、广告语…）\n"
        "  /report 类型         " + " | ".join(REPORT_KINDS) + "  [--product 编号] [--days 天数]\n"
        "  /feedback up|down|\"修改后的内容\"   对上一条回复反馈\n"
        "  /reset               清空本对话\n"
        "  /help                显示本说明",
    )


def _default_redactor() -> Callable[[str], str]:
    from knowledge.privacy import Redactor

    redactor = Redactor(addresses=True)
    return lambda text: redactor.redact(text).text


def _default_sentiment() -> SentimentLike | None:
    try:
        from knowledge.sentiment import SentimentAnalyzer
    except ImportError:  # pragma: no cover - knowledge/sentiment.py ships with the package
        return None
    return SentimentAnalyzer()
