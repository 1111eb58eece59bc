"""Reply → Telegram messages: safe HTML (parse_mode HTML), ≤ 4096 characters each, inline keyboard data.

Everything the assistant wrote is escaped with html.escape, so `<`, `>` and `&` arrive as text and
nothing a user typed can open a tag; only the tags added here (<b>, <i>, <code>, <a>) are markup.
Telegram counts the limit on the text after entity parsing, so measuring the escaped HTML is a
safe upper bound.
"""

from __future__ import annotations

import html
import re

from bot.types import Reply

from .render_common import split_text, truncate

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes

_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
_CODE = re.compile(r"`([^`\n]+)`")
_HEADING = re.compile(r"^#{1,6}\s+(.+)$", re.M)


def to_html(text: str) -> str:
    """The assistant's light Markdown → Telegram HTML, escaped first."""
    out = html.escape(text, quote=False)
    out = _HEADING.sub(r"<b>\1</b>", out)
    out = _BOLD.sub(r"<b>\1</b>", out)
    out = _CODE.sub(r"<code>\1</code>", out)
    return out


def sources_text(reply: Reply) -> str:
    """Plain-text "Sources" list appended to the answer (escaped with the rest)."""
    if not reply.citations:
        return ""
    lines = ["Sources:"]
    for i, src in enumerate(reply.citations, 1):
        snippet = truncate(" ".join(src.snippet.split()), 160)
        lines.append(f"[{i}] {src.title or src.id}" + (f" — {snippet}" if snippet else ""))
    return "\n".join(lines)


def render_messages(reply: Reply) -> list[str]:
    """The reply as HTML message texts, each ≤ 4096 characters, cut at paragraph/sentence boundaries."""
    body = reply.text.strip() or "…"
    sources = sources_text(reply)
    full = body + ("\n\n" + sources if sources else "")
    return [to_html(p) for p in split_text(full, MESSAGE_LIMIT, measure=lambda s: len(to_html(s)))]


def callback_data(kind: str, value: str) -> str:
    """`kind:value`, kept within Telegram's 64-byte callback_data limit (long values are cut)."""
    data = f"{kind}:{value}"
    while len(data.encode("utf-8")) > CALLBACK_DATA_LIMIT:
        data = data[:-1]
    return data


def parse_callback_data(data: str) -> tuple[str, str]:
    kind, _, value = (data or "").partition(":")
    return kind, value
