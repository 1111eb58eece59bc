"""The terminal channel: a REPL over `Assistant.handle` that streams replies as they grow.

Plain text rendering of a `Reply`: the text, the numbered sources, the chart path, and the
reply id to give feedback on. `/feedback up|down|"correction"` rates the last reply.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Callable, TextIO

from bot.protocols import AssistantProtocol
from bot.types import Message, Reply


def render_reply(reply: Reply, *, show_text: bool = True) -> str:
    """A reply as plain text for a terminal."""
    parts = [reply.text] if show_text else []
    if reply.citations:
        parts.append("Sources:")
        parts += [f"  [{i}] {c.title} ({c.kind}, {c.id})" for i, c in enumerate(reply.citations, 1)]
    for att in reply.attachments:
        parts.append(f"Chart: {att.path}")
    if reply.handover:
        parts.append("(handed over to a person)")
    if reply.reply_id:
        parts.append(f"(reply {reply.reply_id} · /feedback up | down | \"correction\")")
    return "\n".join(p for p in parts if p)


class StreamPrinter:
    """Prints a growing reply: appends what is new; when earlier text changed (a sentence was
    dropped by the number check), the final reply is printed again in full."""

    def __init__(self, out: TextIO):
        self.out = out
        self.shown = ""

    async def __call__(self, text: str) -> None:
        if text.startswith(self.shown):
            self.out.write(text[len(self.shown) :])
            self.out.flush()
            self.shown = text

    def finish(self, reply: Reply) -> None:
        if self.shown and reply.text.startswith(self.shown):
            self.out.write(reply.text[len(self.shown) :] + "\n")
            rest = render_reply(reply, show_text=False)
        else:
            if self.shown:
                self.out.write("\n")
            rest = render_reply(reply)
        if rest:
            self.out.write(rest + "\n")
        self.out.flush()
        self.shown = ""


async def repl(
    assistant: AssistantProtocol,
    *,
    user: str = "cli-user",
    channel: str = "terminal",
    thread: str = "",
    audience: str = "team",
    read_line: Callable[[str], str] = input,
    out: TextIO = sys.stdout,
    prompt: str = "you> ",
) -> int:
    """Read lines until EOF, /quit or /exit; returns the number of messages handled."""
    handled = 0
    out.write("growthpilot chat — /help for commands, /quit to leave.\n")
    while True:
        try:
            line = await asyncio.to_thread(read_line, prompt)
        except EOFError:
            out.write("\n")
            break
        text = line.strip()
        if not text:
            continue
        if text in ("/quit", "/exit", ":q"):
            break
        printer = StreamPrinter(out)
        out.write("bot> ")
        message = Message("cli", channel, user, text, thread=thread, is_direct=True, audience=audience)  # type: ignore[arg-type]
        reply = await assistant.handle(message, on_partial=printer)
        printer.finish(reply)
        handled += 1
    return handled
