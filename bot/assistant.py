"""The assistant: one `Message` in, one `Reply` out. Knows nothing of Slack or Telegram.

A router: customer messages go to support (bot.support); team messages are slash commands, a
report, copywriting (bot.copywriting.Copywriter) or a question (bot.answering_team.TeamAnswerer:
a data question becomes a query whose facts code writes). Each pipeline owns its module; this file
only routes and turns what a pipeline returns into a Reply.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Callable, Sequence

from llm.types import Generator

from .answering import Outcome
from .answering_team import TeamAnswerer
from .copywriting import Copywriter
from .db import BotDB
from .errors import BotUserError, render_error
from .feedback import FeedbackStore
from .intents import IntentClassifier, Request
from .lang import detect_language, pick
from .memory import ConversationMemory
from .protocols import HandoverNotifier, OnPartial, Retriever
from .reports import REPORT_KINDS, ReportEngine, parse_report_request
from .settings import AssistantSettings
from .support import SentimentLike, SupportResponder
from .types import Action, Attachment, Message, Reply, Source

logger = logging.getLogger("growthpilot.bot")

_EXAMPLES = {"question": "which product converts best?", "copy": "a launch tweet for the smart watch", "support": "how do returns work?"}


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
        catalog: Callable[[], Sequence[dict]] | None = None,
        question_parser=None,
        query_engine=None,
    ):
        self.settings = settings
        self.generator = generator
        self._team = team_retriever
        self.reports = reports
        self.db = BotDB(store_path)
        self.memory = ConversationMemory(self.db, settings.memory_turns)
        self.feedback = FeedbackStore(self.db)
        self.intents = intents or IntentClassifier()
        self._redact = redact or _default_redactor()  # one redactor for every audience's intake
        self._audit = audit or (lambda message, reply: None)  # bot/audit.py: one redacted line per reply
        self.answers = TeamAnswerer(generator=generator, memory=self.memory, retriever=team_retriever, public_retriever=public_retriever,
                                    parser=question_parser, engine=query_engine, brand=settings.brand_name,
                                    min_similarity=min_similarity, k=k, reports=reports)
        self.copywriter = Copywriter(settings, generator=generator, retriever=team_retriever, catalog=catalog,
                                     product_names=product_names, min_similarity=min_similarity, docs_retriever=public_retriever)
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
        if req.explicit and not req.text and req.kind in _EXAMPLES:
            raise BotUserError(f"/{req.command} needs some text after it", fix=f"e.g. /{req.command} {_EXAMPLES[req.kind]}",
                               message_zh=f"/{req.command} 后面需要写上内容")
        if req.text:
            lang = detect_language(req.text, self.settings.default_locale, message.locale)
        if req.kind == "report" and not req.explicit and self.answers.is_data_question(req.text, lang):
            from dataclasses import replace

            req = replace(req, kind="question")  # a question the query layer answers, not a fixed report
        if req.kind == "report":
            return await self._report(message, req, lang)
        if req.kind == "copy":
            self.memory.add(message.conversation_key, "user", req.text, intent="copy")
            return self._outcome(message, "copy", await self.copywriter.write(req.text, lang))
        collection = "public" if req.kind == "support" else "internal"
        out = await self.answers.answer(message.conversation_key, req.text, lang, on_partial=on_partial, collection=collection, intent=req.kind)
        out.data.setdefault("confidence", round(req.confidence, 3))
        return self._outcome(message, req.kind, out)

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
        data = {**data, "model_id": model_id or data.get("model_id", "")}
        actions = (Action("feedback_up", "👍", reply_id), Action("feedback_down", "👎", reply_id))
        return Reply(text=text, citations=citations, attachments=attachments, actions=actions, reply_id=reply_id, data=data)

    def _outcome(self, message: Message, intent: str, out: Outcome) -> Reply:
        return self._finish(message, intent, out.text, out.data, prompt=out.prompt, citations=out.citations, model_id=out.model_id)

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
