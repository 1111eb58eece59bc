"""Logs that never carry personal data or secrets, at any level (-vv included).

`setup_logging` (called by the CLI) installs one stderr handler with a `SafeLogFilter`: every
record's final message — arguments merged, exception and stack text included — has secrets masked
(`[SECRET]`) and PII redacted (`[PHONE]`, `[EMAIL]`, ...) before any formatter or handler sees it.
Masked: the values of the secret environment variables (Slack and Telegram tokens and secrets,
the pseudonym and data keys), the pseudonym key file's contents, and anything shaped like a
Slack token (xoxb-/xoxp-/xoxa-/xapp-) or a Telegram bot token (digits:35 characters), so a
token that came from somewhere else is caught too. Library loggers (httpx, telegram, slack_bolt)
log request URLs and raw updates at debug; they go through the same handler.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from pathlib import Path
from typing import Callable, Iterable, Mapping, TextIO

SECRET_ENV = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "TELEGRAM_BOT_TOKEN",
              "TELEGRAM_WEBHOOK_SECRET", "GROWTHPILOT_PSEUDONYM_KEY", "GROWTHPILOT_DATA_KEY", "OPENAI_API_KEY")
MASK = "[SECRET]"
_TOKEN_SHAPES = re.compile(
    r"xox[abprse]-[A-Za-z0-9-]{8,}"  # Slack bot/user/app-level/refresh tokens
    r"|xapp-\d-[A-Za-z0-9-]{8,}"
    r"|(?<![\d])\d{5,12}:[A-Za-z0-9_-]{30,}"  # Telegram bot token (also inside .../bot<token>/sendMessage)
    r"|(?i:bearer)\s+[A-Za-z0-9._~+/=-]{16,}"
    r"|sk-[A-Za-z0-9_-]{20,}")


class SafeLogFilter(logging.Filter):
    """Masks secrets and redacts PII in a record's message, in place; never drops a record."""

    def __init__(self, secrets: Iterable[str] = (), redact: Callable[[str], str] | None = None):
        super().__init__()
        # longest first, so a secret that contains another is masked whole
        self._secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)
        self._redact = redact if redact is not None else _default_redact()
        self._formatter = logging.Formatter()

    def clean(self, text: str) -> str:
        for s in self._secrets:
            if s in text:
                text = text.replace(s, MASK)
        text = _TOKEN_SHAPES.sub(MASK, text)
        return self._redact(text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not leak its arguments either
            message = f"{record.msg!s} {record.args!r}"
        record.msg, record.args = self.clean(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self.clean(record.stack_info)
        return True


def _default_redact() -> Callable[[str], str]:
    from knowledge.privacy import Redactor

    return Redactor(addresses=True)


def secret_values(env: Mapping[str, str] | None = None, key_files: Iterable[Path] = ()) -> list[str]:
    """The secret values to mask: the secret env vars' values and the key files' contents."""
    env = os.environ if env is None else env
    values = [env.get(name, "").strip() for name in SECRET_ENV]
    for f in key_files:
        try:
            if Path(f).is_file():
                values.append(Path(f).read_text(encoding="utf-8", errors="replace").strip())
        except OSError:
            pass
    return [v for v in values if v]


_HANDLER_NAME = "growthpilot-safe-stderr"


def setup_logging(verbosity: int, *, stream: TextIO | None = None, key_files: Iterable[Path] = (),
                  env: Mapping[str, str] | None = None) -> logging.Handler:
    """Root logging for the CLI: WARNING, INFO (-v) or DEBUG (-vv), through the safe filter.
    Calling it again replaces the handler it installed before."""
    root = logging.getLogger()
    for h in list(root.handlers):
        if h.get_name() == _HANDLER_NAME:
            root.removeHandler(h)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(SafeLogFilter(secret_values(env, key_files)))
    root.addHandler(handler)
    root.setLevel(logging.WARNING - 10 * max(0, min(verbosity, 2)))
    return handler
