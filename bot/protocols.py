"""What the assistant needs from its collaborators and what it offers to adapters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable, Protocol, Sequence

from knowledge.types import Hit

from .types import Message, Reply

# Adapters pass this to see a reply grow: called with the text so far.
OnPartial = Callable[[str], Awaitable[None]]


class Retriever(Protocol):
    """Hybrid search over ONE collection ("internal" or "public")."""

    def search(self, query: str, k: int = 8, *, kinds: Sequence[str] | None = None, filters: dict | None = None) -> list[Hit]: ...


@dataclass(frozen=True)
class Handover:
    """A customer conversation handed to a human: sent to the team channel."""

    platform: str
    channel: str
    user: str
    reason: str  # "asked for a person" | "angry" | "repeated failure" | "low confidence"
    transcript: tuple[tuple[str, str], ...]  # (role, text) with PII redacted
    # added by the assistant (defaults keep older callers working):
    urgency: str = "normal"  # "high" | "normal"
    sentiment: float = 0.0  # the last customer message's score in [-1, 1]
    thread: str = ""  # the conversation's thread inside the channel
    lang: str = ""  # "zh" | "en": the customer's language


HandoverNotifier = Callable[[Handover], Awaitable[None]]


class AssistantProtocol(Protocol):
    async def handle(self, message: Message, *, on_partial: OnPartial | None = None) -> Reply: ...

    def record_feedback(self, reply_id: str, user: str, *, rating: int = 0, correction: str = "",
                        audience: str | None = None) -> None:
        """rating: +1 (👍) / -1 (👎) / 0 (a correction only). With `audience`, only a reply sent to
        that audience can be rated (a button's data comes from the client: never trust its id)."""
        ...
