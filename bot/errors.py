"""The two tiers of errors inside the assistant.

`BotUserError` carries a message written for the person (bad command, no data yet, model
not installed) with the fix. It has `user_facing = True` so the CLI maps it to exit 2
without bot/ importing the CLI package. Anything else is internal: `log_internal` logs it
with an id and `apology` gives the short text the person sees. Tracebacks never reach a chat.

`render_error` decides by audience: the team may read a user-facing error's operator text (the
fix names commands, config keys, paths); a customer sees only errors marked `customer_safe`, and
for everything else a short apology with an error id — the operator text goes to the log.
"""

from __future__ import annotations

import logging
import uuid

logger = logging.getLogger("growthpilot.bot")


class BotUserError(Exception):
    """An error whose message is meant for the person, with the command that fixes it."""

    user_facing = True

    def __init__(self, message: str, *, fix: str = "", message_zh: str = "", fix_zh: str = "", customer_safe: bool = False):
        super().__init__(message)
        # True: written for customers too (no commands, paths, URLs or config names in it)
        self.customer_safe = customer_safe
        self.message = message
        self.fix = fix
        self.message_zh = message_zh or message
        self.fix_zh = fix_zh or fix

    def __str__(self) -> str:
        return self.message if not self.fix else f"{self.message}\n  fix: {self.fix}"

    def text(self, lang: str) -> str:
        """The message in the person's language, with its fix."""
        if lang == "zh":
            return self.message_zh + (f"\n解决办法：{self.fix_zh}" if self.fix_zh else "")
        return self.message + (f"\nFix: {self.fix}" if self.fix else "")


def no_data_error() -> BotUserError:
    return BotUserError(
        "No data yet.",
        fix="run `growthpilot demo` or `growthpilot ingest behavior|reviews|catalog|docs PATH`",
        message_zh="还没有数据。",
        fix_zh="运行 `growthpilot demo` 或 `growthpilot ingest behavior|reviews|catalog|docs 路径`",
    )


def log_internal(exc: BaseException, log: logging.Logger | None = None) -> str:
    """Log an unexpected exception with a fresh id; return the id (shown to the person)."""
    error_id = uuid.uuid4().hex[:8]
    (log or logger).error("internal error %s", error_id, exc_info=exc)
    return error_id


def apology(error_id: str, lang: str = "en") -> str:
    """The short text a person sees for an internal error: never the traceback."""
    if lang == "zh":
        return f"抱歉，我们这边出了点问题（错误编号 {error_id}），团队可以在日志里查到。"
    return f"Sorry, something went wrong on our side (error id {error_id}). The team can look it up in the logs."


def render_error(exc: BaseException, lang: str = "en", *, audience: str = "customer",
                 log: logging.Logger | None = None) -> tuple[str, str]:
    """(text for the person, error id or "") for `exc`, shown to `audience` ("team" | "customer").

    Team: a user-facing error's own text (with its fix); internal errors → apology + id.
    Customer: only `customer_safe` errors keep their text; anything else → apology + id, and the
    operator text is logged under that id so the team can still find it."""
    if getattr(exc, "user_facing", False):
        safe = audience == "team" or getattr(exc, "customer_safe", False)
        if safe:
            text = getattr(exc, "text", None)
            return (text(lang) if callable(text) else str(exc)), ""
        error_id = uuid.uuid4().hex[:8]
        (log or logger).warning("error %s shown to a customer as an apology: %s: %s", error_id, type(exc).__name__, exc)
        return apology(error_id, lang), error_id
    error_id = log_internal(exc, log)
    return apology(error_id, lang), error_id
