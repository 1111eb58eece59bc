"""A scripted assistant implementing bot.protocols.AssistantProtocol, for adapter tests."""

from __future__ import annotations

import asyncio
import itertools
from typing import Callable, Sequence

from bot.types import Action, Attachment, Message, Reply, Source


class ScriptedAssistant:
    """Deterministic replies; records the Messages it got and the feedback; can stream and be slow."""

    def __init__(
        self,
        text: str = "Conversion rose 12% [1].",
        *,
        delay_s: float = 0.0,
        partials: Sequence[str] = (),
        partial_every_s: float = 0.0,
        citations: Sequence[Source] = (),
        attachments: Sequence[Attachment] = (),
        actions: Sequence[Action] = (),
        handover: bool = False,
        reply_for: Callable[[Message], str] | None = None,
        fail_with: BaseException | None = None,
    ):
        self.text = text
        self.delay_s = delay_s
        self.partials = list(partials)
        self.partial_every_s = partial_every_s
        self.citations = tuple(citations)
        self.attachments = tuple(attachments)
        self.actions = tuple(actions)
        self.handover = handover
        self.reply_for = reply_for
        self.fail_with = fail_with
        self.messages: list[Message] = []
        self.feedback: list[tuple[str, str, int, str]] = []
        self.started = 0
        self.finished = 0
        self._ids = itertools.count(1)

    async def handle(self, message: Message, *, on_partial=None) -> Reply:
        self.messages.append(message)
        self.started += 1
        for p in self.partials:
            if on_partial is not None:
                await on_partial(p)
            await asyncio.sleep(self.partial_every_s)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.fail_with is not None:
            raise self.fail_with
        self.finished += 1
        text = self.reply_for(message) if self.reply_for else self.text
        return Reply(text=text, citations=self.citations, attachments=self.attachments, actions=self.actions,
                     reply_id=f"reply-{next(self._ids)}", handover=self.handover)

    def record_feedback(self, reply_id: str, user: str, *, rating: int = 0, correction: str = "", audience: str | None = None) -> None:
        self.feedback.append((reply_id, user, rating, correction))
