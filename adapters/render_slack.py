"""Reply → Slack Block Kit messages, within Slack's limits.

Limits (docs.slack.dev/reference/block-kit): a section's text ≤ 3000 characters, ≤ 50 blocks per
message, ≤ 10 elements per context block, a button's value ≤ 2000 characters; the top-level
`text` (the notification / fallback) is kept ≤ ~4000 characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.types import Action, Reply

from .render_common import split_text, truncate

SECTION_LIMIT = 3000
BLOCKS_PER_MESSAGE = 50
TEXT_LIMIT = 4000
CONTEXT_ELEMENTS = 10

FEEDBACK_UP = "feedback_up"
FEEDBACK_DOWN = "feedback_down"
SHARE = "share"


@dataclass
class SlackMessage:
    """One chat.postMessage / chat.update / response_url payload."""

    text: str
    blocks: list[dict] = field(default_factory=list)

    def as_kwargs(self) -> dict:
        return {"text": self.text, "blocks": self.blocks}


def escape_mrkdwn(text: str) -> str:
    """Slack's three control characters; everything else is literal in mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
_HEADING = re.compile(r"^#{1,6}\s+(.+)$", re.M)
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")


def to_mrkdwn(text: str) -> str:
    """The assistant's light Markdown → Slack mrkdwn (escaped, **bold** → *bold*, # heading → *heading*, links)."""
    out = escape_mrkdwn(text)
    out = _HEADING.sub(r"*\1*", out)
    out = _BOLD.sub(r"*\1*", out)
    out = _LINK.sub(lambda m: f"<{m.group(2)}|{m.group(1)}>", out)
    return out


def section(mrkdwn: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}


def button(action_id: str, label: str, value: str, *, style: str | None = None) -> dict:
    b = {"type": "button", "action_id": action_id, "text": {"type": "plain_text", "text": label, "emoji": True}, "value": value[:2000]}
    if style:
        b["style"] = style
    return b


def placeholder(text: str) -> SlackMessage:
    return SlackMessage(text=text, blocks=[section(escape_mrkdwn(text))])


def render_partial(text: str, *, suffix: str = " …") -> SlackMessage:
    """A growing reply, shown in the placeholder: one section, its head if it is already long."""
    body = to_mrkdwn(text)
    if len(body) + len(suffix) > SECTION_LIMIT:
        body = truncate(body, SECTION_LIMIT - len(suffix))
    return SlackMessage(text=truncate(text, TEXT_LIMIT), blocks=[section(body + suffix)])


def citation_blocks(reply: Reply) -> list[dict]:
    """Sources as context blocks: "[1] *title* — snippet", ten per block."""
    elements = []
    for i, src in enumerate(reply.citations, 1):
        title = escape_mrkdwn(truncate(src.title or src.id, 150))
        snippet = escape_mrkdwn(truncate(" ".join(src.snippet.split()), 200))
        line = f"[{i}] *{title}*" + (f" — {snippet}" if snippet else "") + f"  `{escape_mrkdwn(src.id)}`"
        elements.append({"type": "mrkdwn", "text": truncate(line, SECTION_LIMIT)})
    return [{"type": "context", "elements": elements[i : i + CONTEXT_ELEMENTS]} for i in range(0, len(elements), CONTEXT_ELEMENTS)]


def action_buttons(reply: Reply, *, share_value: str = "") -> list[dict]:
    """The reply's own actions, or 👍/👎 when it has an id to give feedback on; plus "share"."""
    actions: list[Action] = list(reply.actions)
    if not actions and reply.reply_id:
        actions = [Action(FEEDBACK_UP, "👍", reply.reply_id), Action(FEEDBACK_DOWN, "👎", reply.reply_id)]
    buttons, seen = [], set()
    for a in actions:
        if a.id in seen or a.id == SHARE:
            continue
        seen.add(a.id)
        buttons.append(button(a.id, a.label, a.value or reply.reply_id))
    if share_value:
        buttons.append(button(SHARE, "Share to channel", share_value, style="primary"))
    return buttons


def render_reply(reply: Reply, *, share_value: str = "", extra_blocks: list[dict] | None = None) -> list[SlackMessage]:
    """The whole reply as one or more messages: sections, citations, extra blocks (images), buttons last."""
    pieces = split_text(reply.text or " ", SECTION_LIMIT, measure=lambda s: len(to_mrkdwn(s))) or [" "]
    sections = [section(to_mrkdwn(p)) for p in pieces]
    tail = citation_blocks(reply) + list(extra_blocks or [])
    buttons = action_buttons(reply, share_value=share_value)
    if buttons:
        tail.append({"type": "actions", "elements": buttons[:25]})
    blocks = sections + tail
    messages: list[SlackMessage] = []
    for i in range(0, len(blocks), BLOCKS_PER_MESSAGE):
        chunk = blocks[i : i + BLOCKS_PER_MESSAGE]
        text = "\n\n".join(b["text"]["text"] for b in chunk if b["type"] == "section")
        messages.append(SlackMessage(text=truncate(text or reply.text or "(reply)", TEXT_LIMIT), blocks=chunk))
    return messages
