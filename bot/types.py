"""The types that cross the walls between adapters and the assistant."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Audience = Literal["team", "customer"]


@dataclass(frozen=True)
class Message:
    """One incoming message, whatever the platform."""

    platform: str  # "slack" | "telegram" | "cli" | ...
    channel: str  # platform channel/chat id
    user: str  # pseudonymous where it came from data; the platform user id otherwise
    text: str
    thread: str = ""  # thread / conversation key inside the channel ("" = the channel itself)
    is_direct: bool = False
    audience: Audience = "team"
    locale: str = ""  # "zh" | "en" | "" (guess from text)
    event_id: str = ""  # platform event/update id, for de-duplication

    @property
    def conversation_key(self) -> tuple[str, str, str]:
        return (self.platform, self.channel, self.thread)


@dataclass(frozen=True)
class Source:
    """A citation: what an answer was grounded in."""

    id: str
    kind: str  # "insight" | "review" | "doc"
    title: str
    snippet: str
    score: float


@dataclass(frozen=True)
class Attachment:
    """A file sent with a reply (e.g. a report chart PNG)."""

    path: Path
    mime: str = "image/png"
    title: str = ""


@dataclass(frozen=True)
class Action:
    """A button under a reply: feedback thumbs, talk to a human, share to channel."""

    id: str  # "feedback_up" | "feedback_down" | "handover" | "share"
    label: str
    value: str = ""  # e.g. the reply id the feedback refers to


@dataclass(frozen=True)
class Reply:
    """One outgoing reply. Adapters render it (Block Kit, Telegram HTML, plain text)."""

    text: str
    citations: tuple[Source, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    actions: tuple[Action, ...] = ()
    ephemeral: bool = False
    reply_id: str = ""  # stable id used by feedback
    data: dict = field(default_factory=dict)  # machine-readable extras (report numbers, intent...)
    handover: bool = False  # the conversation was handed to a human
