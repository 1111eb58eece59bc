"""Slack ⇄ assistant: mentions, DMs, the slash command, buttons.

Every listener returns within milliseconds: it acknowledges Slack (Bolt acks events itself;
commands and actions call `ack()` first) and hands the real work to a tracked background
task. That keeps the 3-second deadline whatever the model is doing, and lets `serve` drain
the work on shutdown.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from collections import OrderedDict
from html import unescape
from typing import Any, Callable

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.lang import detect_language
from bot.protocols import AssistantProtocol
from bot.types import Message, Reply
from bot.waiting_line import listening

from ..dedupe import EventLedger
from ..failures import failure_text
from ..inflight import InFlight
from ..ratelimit import PerUserRateLimit
from ..render_common import interrupted_text, queue_text
from ..render_slack import (
    FEEDBACK_DOWN,
    FEEDBACK_UP,
    SHARE,
    SlackMessage,
    escape_mrkdwn,
    placeholder,
    render_reply,
    section,
)
from ..settings import SlackSettings
from .stream import ThrottledUpdater

log = logging.getLogger("growthpilot.slack")

SUBCOMMANDS = {"ask": "/ask", "copy": "/copy", "report": "/report", "help": "/help", "reset": "/reset"}
_DM_HELP = {"help", "?", "帮助", "/help", "help me"}
_SHARE_KEEP = 500  # shareable ephemeral answers kept in memory


async def _bounded(call, what: str, timeout_s: float = 5.0) -> None:
    """Await a last platform call during shutdown, bounded; a failure is logged, not raised."""
    try:
        await asyncio.wait_for(call, timeout_s)
    except Exception as exc:  # noqa: BLE001 - shutting down: nothing more to do than say so in the log
        log.warning("%s failed while shutting down: %s", what, exc)


def is_from_bot(event: dict) -> bool:
    """Own and other bots' messages, and message edits/joins/etc. (any subtype) are not requests."""
    return bool(event.get("bot_id") or event.get("bot_profile") or event.get("subtype"))


def clean_text(text: str, bot_user_id: str | None) -> str:
    """Drop the bot's @mention, turn Slack's escaped &lt; &gt; &amp; back into characters."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(\|[^>]*)?>", " ", text)
    return unescape(" ".join(text.split()))


class SlackAdapter:
    """Wires an AsyncApp to an assistant. Pass an app built by `build_slack_app` (or one wired to a fake API)."""

    def __init__(
        self,
        app: AsyncApp,
        assistant: AssistantProtocol,
        settings: SlackSettings,
        ledger: EventLedger,
        *,
        inflight: InFlight | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.app = app
        self.client = app.client
        self.assistant = assistant
        self.settings = settings
        self.ledger = ledger
        self.inflight = inflight or InFlight()
        self._clock = clock
        self.rate_limit = PerUserRateLimit(settings.rate_limit_per_minute, clock=clock)
        self._shareable: OrderedDict[str, tuple[Reply, str]] = OrderedDict()
        self._register()

    # ------------------------------------------------------------------ registration
    def _register(self) -> None:
        app = self.app
        app.middleware(self._dedupe)
        app.event("app_mention")(self._on_mention)
        app.event("message")(self._on_message)
        app.command(self.settings.slash_command)(self._on_command)
        app.action(FEEDBACK_UP)(self._on_feedback)
        app.action(FEEDBACK_DOWN)(self._on_feedback)
        app.action(SHARE)(self._on_share)
        app.action("handover")(self._on_noop_action)

    async def _dedupe(self, body: dict, next: Callable) -> Any:  # noqa: A002 - Bolt injects `next` by name
        """Global middleware: a second delivery of an event id (retry, duplicate, after restart) stops here."""
        event_id = body.get("event_id", "") if body.get("type") == "event_callback" else ""
        if event_id and not self.ledger.claim(event_id):
            log.info("duplicate delivery of %s ignored", event_id)
            return BoltResponse(status=200, body="")
        # Slash commands and button clicks are never retried by Slack: the same trigger_id twice is
        # a replay (a captured request sent again within the signature's 5 minutes) and is not re-run.
        trigger = body.get("trigger_id", "") if (body.get("command") or body.get("type") == "block_actions") else ""
        if trigger:
            key = f"trigger:{trigger}"
            if not self.ledger.claim(key):
                log.warning("replayed Slack request (trigger %s) ignored", trigger)
                return BoltResponse(status=200, body="")
            self.ledger.done(key)
        return await next()

    # ------------------------------------------------------------------ events
    async def _on_mention(self, body: dict, event: dict, context: dict) -> None:
        if str(event.get("channel", "")).startswith("D"):
            self.ledger.done(body.get("event_id", ""))  # DMs are answered from the message.im event
            return
        self._accept(body, event, context, is_direct=False)

    async def _on_message(self, body: dict, event: dict, context: dict) -> None:
        if event.get("channel_type") != "im":
            self.ledger.done(body.get("event_id", ""))  # channel chatter: only @mentions are requests
            return
        self._accept(body, event, context, is_direct=True)

    def _accept(self, body: dict, event: dict, context: dict, *, is_direct: bool) -> None:
        event_id = body.get("event_id", "")
        if is_from_bot(event) or not event.get("user"):
            self.ledger.done(event_id)
            return
        started = self.inflight.spawn(self._answer_event(event_id, event, context.get("bot_user_id"), is_direct), name=f"slack:{event_id}")
        if started is None:  # shutting down: leave it claimable so a retry after restart answers it
            log.info("shutting down; event %s not taken", event_id)

    async def _answer_event(self, event_id: str, event: dict, bot_user_id: str | None, is_direct: bool) -> None:
        channel, user = event["channel"], event["user"]
        # In a channel the answer goes in the thread (a new one under the mention); a DM is one conversation.
        thread_ts = event.get("thread_ts") or (None if is_direct else event.get("ts"))
        try:
            refusal = self.refusal(user, channel, is_direct=is_direct)
            if refusal:
                await self.client.chat_postEphemeral(channel=channel, user=user, text=refusal, thread_ts=event.get("thread_ts"))
                return
            text = clean_text(event.get("text", ""), bot_user_id)
            if is_direct and text.strip().lower() in _DM_HELP:
                text = "/help"  # "help" in a DM is the help command, not a question for the model
            message = Message(
                platform="slack",
                channel=channel,
                user=user,
                text=text,
                thread=thread_ts or "",
                is_direct=is_direct,
                audience="team",
                event_id=event_id,
            )
            await self._answer_in_thread(message, channel, thread_ts)
        except asyncio.CancelledError:
            # a shutdown cut the answer off: the placeholder says so (in _answer_in_thread) and the
            # event stays unrecorded, so Slack's redelivery or the next process answers it
            self.ledger.release(event_id)
            raise
        except BaseException:
            self.ledger.done(event_id)
            raise
        else:
            self.ledger.done(event_id)

    async def _answer_in_thread(self, message: Message, channel: str, thread_ts: str | None) -> None:
        ph = placeholder(self.settings.thinking_text)
        posted = await self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, **ph.as_kwargs())
        updater = ThrottledUpdater(self.client, channel, posted["ts"], self.settings.update_interval_s, clock=self._clock)
        try:
            lang = detect_language(message.text, "en")
            try:
                with listening(lambda pos: updater.partial(queue_text(pos, lang))):  # "you are #5 in line" in the placeholder
                    reply = await self.assistant.handle(message, on_partial=updater.partial)
            except Exception as exc:  # noqa: BLE001 - the person gets a message, the log gets the trace
                text = failure_text(exc, audience="team")
                await updater.final(SlackMessage(text=text, blocks=[section(escape_mrkdwn(text))]))
                return
            messages = render_reply(reply)
            await updater.final(messages[0])
            for more in messages[1:]:
                await self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, **more.as_kwargs())
            for att in reply.attachments:
                await self.client.files_upload_v2(
                    channel=channel, thread_ts=thread_ts, file=str(att.path), filename=att.path.name, title=att.title or att.path.stem
                )
        except asyncio.CancelledError:
            await updater.abort()
            text = interrupted_text(detect_language(message.text, "en"))
            await _bounded(self.client.chat_update(channel=channel, ts=posted["ts"], text=text, blocks=[section(escape_mrkdwn(text))]),
                           "chat.update (interrupted)")
            raise

    # ------------------------------------------------------------------ allow-lists and limits
    def not_allowed(self, user: str, channel: str, *, is_direct: bool) -> str:
        """Why `user` may not use the bot here ("" = allowed): the allow-lists, nothing counted."""
        s = self.settings
        if s.allowed_users and user not in s.allowed_users:
            return (f"Sorry <@{user}>, you are not on growthpilot's list of allowed users. "
                    f"Ask an admin to add your Slack id `{user}` to `[slack] allowed_users`.")
        if s.allowed_channels and not is_direct and channel not in s.allowed_channels:
            return (f"growthpilot is not enabled in this channel. Ask an admin to add `{channel}` to "
                    "`[slack] allowed_channels`, or message me directly.")
        return ""

    def refusal(self, user: str, channel: str, *, is_direct: bool) -> str:
        """The explanation a refused person gets ("" = allowed). Records a rate-limit hit when allowed."""
        s = self.settings
        denied = self.not_allowed(user, channel, is_direct=is_direct)
        if denied:
            return denied
        wait = self.rate_limit.check(user)
        if wait:
            return (f"You have sent {s.rate_limit_per_minute} requests in the last minute — "
                    f"please try again in {int(wait) + 1} s.")
        return ""

    # ------------------------------------------------------------------ slash command
    async def _on_command(self, ack: Callable, body: dict) -> None:
        user, channel = body.get("user_id", ""), body.get("channel_id", "")
        text = (body.get("text") or "").strip()
        sub, _, rest = text.partition(" ")
        if sub.lower() not in SUBCOMMANDS:
            sub, rest = "ask", text
        if not rest.strip() and sub.lower() in ("ask", "copy"):
            sub = "help"
        is_direct = channel.startswith("D")
        refusal = self.refusal(user, channel, is_direct=is_direct)
        if refusal:
            await ack(response_type="ephemeral", text=refusal)
            return
        await ack(response_type="ephemeral", text=self.settings.thinking_text)
        message = Message(
            platform="slack",
            channel=channel,
            user=user,
            text=f"{SUBCOMMANDS[sub.lower()]} {rest}".strip(),
            thread=f"slash:{user}",  # a person's slash-command answers form one private conversation
            is_direct=is_direct,
            audience="team",
            event_id=body.get("trigger_id", ""),
        )
        self.inflight.spawn(self._answer_command(message, body.get("response_url", "")), name=f"slack:cmd:{user}")

    async def _answer_command(self, message: Message, response_url: str) -> None:
        webhook = AsyncWebhookClient(response_url)
        told = False

        async def tell_position(pos: int) -> None:
            nonlocal told
            if not told:  # once: a response_url takes at most 5 messages
                told = True
                await webhook.send(text=queue_text(pos, detect_language(message.text, "en")), response_type="ephemeral", replace_original=True)

        try:
            try:
                with listening(tell_position):
                    reply = await self.assistant.handle(message)
            except Exception as exc:  # noqa: BLE001
                await webhook.send(text=failure_text(exc, audience="team"), response_type="ephemeral", replace_original=True)
                return
            token = self._remember_shareable(reply, message.channel)
            images = await self._upload_private_images(reply)
            messages = render_reply(reply, share_value=token, extra_blocks=images)
            for i, m in enumerate(messages[: 4 if told else 5]):  # a response_url takes at most 5 answers (one told the place)
                await webhook.send(text=m.text, blocks=m.blocks, response_type="ephemeral", replace_original=(i == 0))
        except asyncio.CancelledError:
            text = interrupted_text(detect_language(message.text, "en"))
            await _bounded(webhook.send(text=text, response_type="ephemeral", replace_original=True), "response_url (interrupted)")
            raise

    async def _upload_private_images(self, reply: Reply) -> list[dict]:
        """Charts for an ephemeral answer: uploaded (v2 flow) without a channel, shown as image blocks."""
        blocks = []
        for att in reply.attachments:
            try:
                done = await self.client.files_upload_v2(file=str(att.path), filename=att.path.name, title=att.title or att.path.stem)
                blocks.append({"type": "image", "slack_file": {"id": done["file"]["id"]}, "alt_text": att.title or att.path.stem})
            except Exception as exc:  # noqa: BLE001 - the text answer still goes out
                log.warning("chart upload failed: %s", exc)
        return blocks

    def _remember_shareable(self, reply: Reply, channel: str) -> str:
        token = uuid.uuid4().hex[:16]
        self._shareable[token] = (reply, channel)
        while len(self._shareable) > _SHARE_KEEP:
            self._shareable.popitem(last=False)
        return token

    # ------------------------------------------------------------------ buttons
    async def _on_feedback(self, ack: Callable, body: dict, action: dict) -> None:
        await ack()
        rating = 1 if action.get("action_id") == FEEDBACK_UP else -1
        user = body.get("user", {}).get("id", "")
        reply_id = action.get("value", "")
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id", "")
        text = self.not_allowed(user, channel, is_direct=channel.startswith("D"))  # buttons obey the allow-lists too
        if not text:
            try:
                self.assistant.record_feedback(reply_id, user, rating=rating)
                text = "Thanks — feedback recorded 👍" if rating > 0 else "Thanks — noted 👎. Reply in the thread with a correction to teach me."
            except Exception as exc:  # noqa: BLE001
                text = failure_text(exc, audience="team")
        thread_ts = (body.get("message") or {}).get("thread_ts")
        if channel and user:
            self.inflight.spawn(self._ephemeral(channel, user, text, thread_ts), name="slack:feedback")

    async def _ephemeral(self, channel: str, user: str, text: str, thread_ts: str | None = None) -> None:
        await self.client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread_ts)

    async def _on_share(self, ack: Callable, body: dict, action: dict) -> None:
        await ack()
        user = body.get("user", {}).get("id", "")
        response_url = body.get("response_url", "")
        channel = (body.get("channel") or {}).get("id", "")
        denied = self.not_allowed(user, channel, is_direct=channel.startswith("D"))
        if denied:
            if channel and user:
                self.inflight.spawn(self._ephemeral(channel, user, denied), name="slack:share-refused")
            return
        found = self._shareable.pop(action.get("value", ""), None)
        self.inflight.spawn(self._share(found, user, response_url, body), name="slack:share")

    async def _share(self, found: tuple[Reply, str] | None, user: str, response_url: str, body: dict) -> None:
        webhook = AsyncWebhookClient(response_url) if response_url else None
        if found is None:
            if webhook:
                await webhook.send(text="This answer is no longer available to share — ask again.", response_type="ephemeral", replace_original=False)
            return
        reply, channel = found
        channel = (body.get("channel") or {}).get("id") or channel
        messages = render_reply(reply)
        messages[0].blocks.insert(0, {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Shared by <@{user}>"}]})
        for m in messages:
            await self.client.chat_postMessage(channel=channel, **m.as_kwargs())
        for att in reply.attachments:
            await self.client.files_upload_v2(channel=channel, file=str(att.path), filename=att.path.name, title=att.title or att.path.stem)
        if webhook:
            await webhook.send(delete_original=True)

    async def _on_noop_action(self, ack: Callable) -> None:
        await ack()

    # ------------------------------------------------------------------ lifecycle
    async def drain(self, timeout_s: float) -> int:
        """Stop taking new work; finish what is in flight (cancel what is left after `timeout_s`)."""
        return await self.inflight.drain(timeout_s)
