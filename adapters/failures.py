"""What a person sees when answering failed: the user-facing message, or an apology with an id."""

from __future__ import annotations

import logging

from bot.errors import apology, log_internal

log = logging.getLogger("growthpilot.adapters")


def failure_text(exc: BaseException, lang: str = "en") -> str:
    """User-facing errors (anything with `user_facing = True`) keep their message; others are
    logged with an id and become a short apology. Tracebacks never reach a chat."""
    if getattr(exc, "user_facing", False):
        text = getattr(exc, "text", None)
        return text(lang) if callable(text) else str(exc)
    return apology(log_internal(exc, log), lang)
