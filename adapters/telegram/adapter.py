"""Telegram ⇄ assistant: customer chats (public knowledge) and allow-listed team group chats.

Handlers return at once and hand the work to tracked background tasks; every send goes
through one per-chat pacer (≈1 message/s/chat) and retries after a 429's retry_after instead
of dropping the message.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import warnings
from collections import OrderedDict, deque
from datetime import timedelta
from pathlib import Path
from typing import Any, Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters, Update
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import RetryAfter
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.lang import detect_language
from bot.protocols import AssistantProtocol, Handover, HandoverNotifier
from bot.types import Audience, Message, Reply
from bot.waiting_line import listening

from ..dedupe import EventLedger
from ..failures import failure_text
from ..inflight import InFlight
from ..ratelimit import PerChatPacer, PerUserRateLimit
from ..render_common import interrupted_text, queue_text, truncate
from ..render_telegram import CAPTION_LIMIT, callback_data, parse_callback_data, render_messages, to_html
from ..settings import TelegramSettings
from ..handover import LoggingHandoverNotifier

log = logging.getLogger("growthpilot.telegram")

TEXTS = {
    "en": {
        "start": "Hi! I'm the support assistant. Ask me anything about our products, orders, shipping or returns.\n"
                 "/help shows what I can do, /human brings in a person.",
        "help": "Just write your question in plain words (English or 中文).\n"
                "👍 / 👎 under an answer tell us if it helped.\n/human — talk to a person from our team.",
        "human_ok": "Thanks — a person from our team has been notified and will reply here soon.",
        "feedback": "Thanks for your feedback!",
        "human_button": "🙋 Talk to a human",
        "slow_down": "You're sending messages faster than I can answer — please slow down a little and try again in {s} seconds.",
        "team_only": "That command is for our team. Just write your question and I'll help.",
        "team_chat_human": "This is a team chat: /human hands a customer conversation to a person; here, just ask.",
    },
    "zh": {
        "start": "您好！我是客服助手，可以回答关于商品、订单、配送和退换货的问题。\n/help 查看帮助，/human 转人工客服。",
        "help": "直接输入您的问题即可（中文或英文）。\n回答下方的 👍 / 👎 可以告诉我们是否有帮助。\n/human — 转人工客服。",
        "human_ok": "好的，已通知人工客服，稍后会在这里回复您。",
        "feedback": "感谢您的反馈！",
        "human_button": "🙋 转人工",
        "slow_down": "您发消息的速度有点快，请稍慢一些，{s} 秒后再试。",
        "team_only": "这个命令仅供内部团队使用。直接输入您的问题即可。",
        "team_chat_human": "这是团队群：/human 用于把客户对话转给人工；在这里直接提问即可。",
    },
}
_HUMAN_REQUEST = {"en": "I want to talk to a human", "zh": "转人工"}
_TOKENS_KEEP = 2000
_TEAM_ONLY = {"copy", "report"}  # commands customers are told are the team's
_CUSTOMER_COMMANDS = {"reset", "feedback"}  # passed to the customer assistant (start/help/human: here; ask: the question)


def _redact(text: str) -> str:
    try:
        from knowledge.privacy import redact
    except ImportError:  # pragma: no cover - knowledge always ships with growthpilot
        return "[message withheld]"
    return redact(text).text


def user_lang(update: Update) -> str:
    code = (update.effective_user.language_code if update.effective_user else "") or ""
    return "zh" if code.lower().startswith("zh") else "en"


def _seconds(retry_after: int | float | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)


class TelegramAdapter:
    """Wires a PTB Application to the assistant(s). Pass an Application built by
    `build_telegram_application` (or one whose base_url points at a fake Bot API)."""

    def __init__(
        self,
        application: Application,
        customer_assistant: AssistantProtocol,
        settings: TelegramSettings,
        ledger: EventLedger,
        *,
        team_assistant: AssistantProtocol | None = None,
        notifier: HandoverNotifier | None = None,
        inflight: InFlight | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.application = application
        self.bot = application.bot
        self.customer = customer_assistant
        self.team = team_assistant or customer_assistant
        self.settings = settings
        self.ledger = ledger
        self.notifier = notifier or LoggingHandoverNotifier()
        self.inflight = inflight or InFlight()
        self.pacer = PerChatPacer(settings.per_chat_interval_s, clock=clock)
        self.retries = 0  # 429s met (and waited out)
        self._clock = clock
        self.rate_limit = PerUserRateLimit(settings.customer_rate_limit, window_s=settings.customer_rate_window_s, clock=clock)
        self._slowed: dict[str, float] = {}  # customer → when they were last asked to slow down
        self._tokens: OrderedDict[str, str] = OrderedDict()  # short callback token → long reply id
        self._recent: dict[tuple[int, str], deque[tuple[str, str]]] = {}  # (chat, user) → last turns, for adapter-side hand-overs
        self._register()

    # ------------------------------------------------------------------ registration
    def _register(self) -> None:
        app = self.application
        new_only = filters.UpdateType.MESSAGE  # an edited message is not a new request: never answered again
        app.add_handler(TypeHandler(Update, self._dedupe), group=-1)
        app.add_handler(MessageHandler(filters.UpdateType.EDITED, self._on_ignored))
        app.add_handler(CommandHandler("start", self._on_start, filters=new_only))
        app.add_handler(CommandHandler("help", self._on_help, filters=new_only))
        app.add_handler(CommandHandler("human", self._on_human, filters=new_only))
        # every other command (/reset, /report, /ask, /copy, /feedback, unknown ones) goes to the assistant
        app.add_handler(MessageHandler(filters.COMMAND & new_only, self._on_command))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & new_only, self._on_text))
        app.add_handler(CallbackQueryHandler(self._on_callback))

    async def _dedupe(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not self.ledger.claim(f"tg:{update.update_id}"):
            log.info("duplicate update %s ignored", update.update_id)
            raise ApplicationHandlerStop

    def audience(self, chat_id: int) -> Audience:
        return "team" if chat_id in self.settings.team_chats else "customer"

    async def _on_ignored(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Edited messages: recorded as handled, nothing sent (the original was answered)."""
        self.ledger.done(f"tg:{update.update_id}")

    # ------------------------------------------------------------------ commands
    async def _on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if self.audience(update.effective_chat.id) == "team":
            await self._on_command(update, context, text="/help")
            return
        self._spawn_text(update, TEXTS[user_lang(update)]["start"])

    async def _on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if self.audience(update.effective_chat.id) == "team":  # the team's help lists the team's commands
            await self._on_command(update, context, text="/help")
            return
        self._spawn_text(update, TEXTS[user_lang(update)]["help"])

    async def _on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE, *, text: str | None = None) -> None:
        """A command the adapter does not answer itself: to the assistant, as "/name args"
        ("/report@our_bot funnel" in a group becomes "/report funnel"). Customers asking for a
        team-only command get a short explanation instead."""
        msg, chat = update.effective_message, update.effective_chat
        if msg is None or chat is None:
            self.ledger.done(f"tg:{update.update_id}")
            return
        raw = text if text is not None else (msg.text or "")
        head, _, rest = raw.partition(" ")
        name = head[1:].split("@", 1)[0].lower()
        if self.audience(chat.id) == "customer":
            if name in _TEAM_ONLY:
                self._spawn_text(update, TEXTS[user_lang(update)]["team_only"])
                return
            if name == "ask":  # "/ask QUESTION" is just the question
                raw, name = rest, ""
            elif name not in _CUSTOMER_COMMANDS:
                self._spawn_text(update, TEXTS[user_lang(update)]["help"])
                return
        command_text = f"/{name} {rest}".strip() if name else raw.strip()
        if not command_text:
            self._spawn_text(update, TEXTS[user_lang(update)]["help"])
            return
        await self._on_text(update, context, text=command_text)

    def _spawn_text(self, update: Update, text: str) -> None:
        chat_id = update.effective_chat.id
        uid = f"tg:{update.update_id}"
        self.inflight.spawn(self._once(lambda: self.send_message(chat_id, to_html(text)), chat_id, uid, user_lang(update)),
                            name=f"tg:{uid}")

    async def _once(self, reply: Callable[[], Awaitable[Any]], chat_id: int, uid: str, lang: str) -> None:
        """Send one reply and record the update as answered; a shutdown that cuts it off says so and
        releases the update instead (as `_answer` does), so asking again is answered."""
        try:
            await reply()
        except asyncio.CancelledError:
            self.ledger.release(uid)
            await self._say_interrupted(chat_id, lang)
            raise
        except BaseException:
            self.ledger.done(uid)
            raise
        else:
            self.ledger.done(uid)

    async def _on_human(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat, user = update.effective_chat, update.effective_user
        uid, lang = f"tg:{update.update_id}", user_lang(update)
        self.inflight.spawn(self._once(lambda: self._hand_over(chat.id, str(user.id if user else chat.id), lang, chat.type == ChatType.PRIVATE, uid),
                                       chat.id, uid, lang), name="tg:human")

    # ------------------------------------------------------------------ questions
    async def _on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE, *, text: str | None = None) -> None:
        msg, chat, user = update.effective_message, update.effective_chat, update.effective_user
        if msg is None or chat is None or (user is not None and user.is_bot):
            self.ledger.done(f"tg:{update.update_id}")
            return
        user_id = str(user.id if user else chat.id)
        is_direct = chat.type == ChatType.PRIVATE
        audience = self.audience(chat.id)
        if audience == "customer" and self._over_limit(update, user_id):
            return
        # In a group every member has their own conversation (memory, hand-over transcript):
        # the key is chat + topic + user, never the chat alone.
        topic = str(msg.message_thread_id or "")
        thread = topic if is_direct else f"{topic}:{user_id}"
        message = Message(
            platform="telegram",
            channel=str(chat.id),
            user=user_id,
            text=(msg.text or "") if text is None else text,
            thread=thread,
            is_direct=is_direct,
            audience=audience,
            locale=user_lang(update) if (user and user.language_code) else "",
            event_id=f"tg:{update.update_id}",
        )
        log.info("telegram message in chat %s (%s, audience %s)", chat.id, chat.type, message.audience)
        reply_to = None if message.is_direct else msg.message_id
        self.inflight.spawn(self._answer(message, chat.id, reply_to), name=f"tg:{update.update_id}")

    def _over_limit(self, update: Update, user_id: str) -> bool:
        """The customers' per-user budget ([telegram] customer_rate_limit per customer_rate_window_s).
        Over it: no model call; one polite "slow down" per window, then silence until it frees up."""
        if not self.rate_limit.check(user_id):
            return False
        now = self._clock()
        last = self._slowed.get(user_id)
        uid = f"tg:{update.update_id}"
        if last is not None and now - last < self.settings.customer_rate_window_s:
            self.ledger.done(uid)
            return True
        self._slowed[user_id] = now
        while len(self._slowed) > _TOKENS_KEEP:
            self._slowed.pop(next(iter(self._slowed)))
        log.info("customer %s over the rate limit: asked to slow down", user_id)
        self._spawn_text(update, TEXTS[user_lang(update)]["slow_down"].format(s=int(self.settings.customer_rate_window_s)))
        return True

    async def _answer(self, message: Message, chat_id: int, reply_to: int | None) -> None:
        assistant = self.team if message.audience == "team" else self.customer
        self._remember((chat_id, message.user), "user", message.text)
        typing: asyncio.Task | None = None
        try:
            await self._typing(chat_id)  # at once, however fast the answer turns out to be
            typing = asyncio.create_task(self._keep_typing(chat_id))
            told = False

            async def tell_position(pos: int) -> None:
                nonlocal told
                if not told:  # once per request: more would be noise (and count against Telegram's limits)
                    told = True
                    await self.send_message(chat_id, to_html(queue_text(pos, message.locale or detect_language(message.text, "en"))))

            try:
                with listening(tell_position):
                    reply = await assistant.handle(message)
            except Exception as exc:  # noqa: BLE001 - the person gets a message, the log gets the trace
                reply = Reply(text=failure_text(exc, message.locale or "en", audience=message.audience))
            finally:
                typing.cancel()
                await asyncio.gather(typing, return_exceptions=True)
            self._remember((chat_id, message.user), "assistant", reply.text)
            await self.deliver(chat_id, reply, audience=message.audience, reply_to=reply_to, lang=message.locale or "en")
        except asyncio.CancelledError:
            # a shutdown cut the answer off: say so, and leave the update unrecorded so asking again is answered
            if typing is not None:
                typing.cancel()
            self.ledger.release(message.event_id)
            await self._say_interrupted(chat_id, message.locale or detect_language(message.text, "en"))
            raise
        except BaseException:
            self.ledger.done(message.event_id)
            raise
        else:
            self.ledger.done(message.event_id)

    async def _say_interrupted(self, chat_id: int, lang: str) -> None:
        try:
            await asyncio.wait_for(self.send_message(chat_id, to_html(interrupted_text(lang))), 5.0)
        except Exception as exc:  # noqa: BLE001 - shutting down: the log is all that is left
            log.warning("could not tell chat %s its answer was interrupted: %s", chat_id, exc)

    async def _typing(self, chat_id: int) -> None:
        try:
            await self.bot.send_chat_action(chat_id=chat_id, action=ChatAction.TYPING)
        except Exception as exc:  # noqa: BLE001 - cosmetic
            log.debug("sendChatAction failed: %s", exc)

    async def _keep_typing(self, chat_id: int) -> None:
        """"typing…" lasts ~5 s on the client: repeat it while the assistant works."""
        while True:
            await asyncio.sleep(self.settings.typing_interval_s)
            await self._typing(chat_id)

    def keyboard(self, reply: Reply, *, audience: Audience, lang: str) -> InlineKeyboardMarkup | None:
        rows = []
        if reply.reply_id:
            token = self._token(reply.reply_id)
            rows.append([InlineKeyboardButton("👍", callback_data=callback_data("up", token)),
                         InlineKeyboardButton("👎", callback_data=callback_data("down", token))])
        if audience == "customer" and not reply.handover:
            rows.append([InlineKeyboardButton(TEXTS[lang if lang in TEXTS else "en"]["human_button"], callback_data="human:")])
        return InlineKeyboardMarkup(rows) if rows else None

    async def deliver(self, chat_id: int, reply: Reply, *, audience: Audience, reply_to: int | None = None, lang: str = "en") -> None:
        """Send the reply: HTML chunks ≤ 4096 chars (keyboard under the last), then charts as photos."""
        chunks = render_messages(reply)
        markup = self.keyboard(reply, audience=audience, lang=lang)
        for i, chunk in enumerate(chunks):
            last = i == len(chunks) - 1
            await self.send_message(
                chat_id, chunk,
                reply_markup=markup if last else None,
                reply_parameters=ReplyParameters(message_id=reply_to, allow_sending_without_reply=True) if (reply_to and i == 0) else None,
            )
        for att in reply.attachments:
            await self.send_photo(chat_id, att.path, caption=to_html(truncate(att.title, CAPTION_LIMIT - 50)) if att.title else None)

    # ------------------------------------------------------------------ sending, paced and retried
    async def send_message(self, chat_id: int, html_text: str, **kwargs: Any) -> Any:
        return await self._paced(chat_id, lambda: self.bot.send_message(chat_id=chat_id, text=html_text, parse_mode=ParseMode.HTML, **kwargs))

    async def send_photo(self, chat_id: int, path: Path, caption: str | None = None) -> Any:
        async def send() -> Any:
            with open(path, "rb") as fh:  # re-opened per attempt: a retry re-uploads from the start
                return await self.bot.send_photo(chat_id=chat_id, photo=fh, caption=caption, parse_mode=ParseMode.HTML if caption else None)

        return await self._paced(chat_id, send)

    async def _paced(self, chat_id: int, send: Callable[[], Awaitable[Any]]) -> Any:
        attempts = max(1, self.settings.max_send_attempts)
        for attempt in range(1, attempts + 1):
            try:
                async with self.pacer.slot(chat_id):
                    try:
                        return await send()
                    except RetryAfter as exc:
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore")
                            wait = _seconds(exc.retry_after)
                        self.retries += 1
                        log.warning("Telegram 429 for chat %s: retrying after %.1f s (attempt %d/%d)", chat_id, wait, attempt, attempts)
                        self.pacer.penalize(chat_id, wait)
                        raise
            except RetryAfter:
                if attempt == attempts:
                    raise

    # ------------------------------------------------------------------ buttons
    async def _on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        kind, value = parse_callback_data(query.data or "")
        lang = user_lang(update)
        user = str(query.from_user.id) if query.from_user else ""
        chat = update.effective_chat
        uid = f"tg:{update.update_id}"
        if kind in ("up", "down"):
            try:
                self.current_assistant(chat.id if chat else 0).record_feedback(self._tokens.get(value, value), user, rating=1 if kind == "up" else -1,
                                                                              audience=self.audience(chat.id if chat else 0))
                text = TEXTS[lang]["feedback"]
            except Exception as exc:  # noqa: BLE001
                text = truncate(failure_text(exc, lang, audience=self.audience(chat.id if chat else 0)), 190)
            self.inflight.spawn(self._answer_query(query, text, uid), name="tg:feedback")
        elif kind == "human" and chat is not None:
            self.inflight.spawn(self._answer_query(query, None, uid), name="tg:cbq")
            self.inflight.spawn(self._hand_over(chat.id, user, lang, chat.type == ChatType.PRIVATE, ""), name="tg:human")
        else:
            self.inflight.spawn(self._answer_query(query, None, uid), name="tg:cbq")

    def current_assistant(self, chat_id: int) -> AssistantProtocol:
        return self.team if self.audience(chat_id) == "team" else self.customer

    async def _answer_query(self, query: Any, text: str | None, uid: str) -> None:
        try:
            await query.answer(text=text)  # answerCallbackQuery: stops the button's spinner
        finally:
            self.ledger.done(uid)

    async def _hand_over(self, chat_id: int, user: str, lang: str, is_direct: bool, uid: str) -> None:
        """Ask the assistant (it records the reason and notifies the team with the redacted conversation);
        if it does not hand over, notify the team from here with the turns this adapter saw. The update
        is recorded as answered (or, when a shutdown cuts this off, released) by `_once`."""
        if self.audience(chat_id) == "team":
            await self.send_message(chat_id, to_html(TEXTS[lang]["team_chat_human"]))
            return
        message = Message(platform="telegram", channel=str(chat_id), user=user, text=_HUMAN_REQUEST[lang], is_direct=is_direct,
                          thread="" if is_direct else f":{user}", audience="customer", locale=lang, event_id=uid)
        try:
            reply = await self.current_assistant(chat_id).handle(message)
        except Exception as exc:  # noqa: BLE001
            log.warning("assistant failed on a hand-over request: %s", failure_text(exc, audience="team"))
            reply = Reply(text="")
        if not reply.handover:
            turns = tuple(self._recent.get((chat_id, user), ())) + (("user", "/human"),)
            await self.notifier(Handover(platform="telegram", channel=str(chat_id), user=user, reason="asked for a person", transcript=turns))
        await self.send_message(chat_id, to_html(reply.text if reply.handover and reply.text else TEXTS[lang]["human_ok"]))

    def _remember(self, key: tuple[int, str], role: str, text: str) -> None:
        """Last turns per (chat, user) for an adapter-side hand-over, PII redacted before it is kept."""
        turns = self._recent.pop(key, None) or deque(maxlen=10)
        turns.append((role, truncate(_redact(text), 500)))
        self._recent[key] = turns  # most recent conversation last
        while len(self._recent) > _TOKENS_KEEP:
            self._recent.pop(next(iter(self._recent)))

    def _token(self, reply_id: str) -> str:
        if len(f"down:{reply_id}".encode()) <= 64:
            return reply_id
        token = "h" + hashlib.sha1(reply_id.encode()).hexdigest()[:20]
        self._tokens[token] = reply_id
        while len(self._tokens) > _TOKENS_KEEP:
            self._tokens.popitem(last=False)
        return token

    # ------------------------------------------------------------------ lifecycle
    async def drain(self, timeout_s: float) -> int:
        return await self.inflight.drain(timeout_s)
