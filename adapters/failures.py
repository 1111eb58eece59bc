"""What a person sees when answering failed, by audience (see bot.errors.render_error)."""

from __future__ import annotations

import logging

from bot.errors import render_error

log = logging.getLogger("growthpilot.adapters")


def failure_text(exc: BaseException, lang: str = "en", *, audience: str = "customer") -> str:
    """The team may see a user-facing error's operator text (what to fix); customers — and anyone
    when the error is internal — get a short apology with an error id (the details go to the log).
    Tracebacks, paths, URLs and config names never reach a customer. Defaults to the safe audience."""
    return render_error(exc, lang, audience=audience, log=log)[0]
