"""Customer support: passage retrieval in both languages, extractive answers, the faithfulness check,
follow-ups, hand-over. `SupportResponder` is the entry point (built with the public retriever only)."""

from .responder import SupportResponder
from .signals import MessageSignals, SentimentLike, read_signals

__all__ = ["MessageSignals", "SentimentLike", "SupportResponder", "read_signals"]
