"""Telling the team that a customer conversation needs a person: a Slack channel, or the log."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.protocols import Handover

from ..handover import LoggingHandoverNotifier  # noqa: F401 - re-exported
from ..render_common import truncate
from ..render_slack import escape_mrkdwn, section


def handover_text(h: Handover, *, max_turns: int = 20) -> str:
    lines = [f"*Hand-over needed* — {h.platform} chat `{escape_mrkdwn(h.channel)}`, user `{escape_mrkdwn(h.user)}`",
             f"*Why:* {escape_mrkdwn(h.reason)}" + (" — *urgent*" if getattr(h, "urgency", "normal") == "high" else "")]
    if h.transcript:
        lines.append("*Conversation:*")
        for role, text in h.transcript[-max_turns:]:
            lines.append(f"> *{escape_mrkdwn(role)}:* {escape_mrkdwn(truncate(' '.join(text.split()), 400))}")
    return "\n".join(lines)


class SlackHandoverNotifier:
    """A HandoverNotifier posting to the team's hand-over channel."""

    def __init__(self, client: AsyncWebClient, channel: str):
        self.client = client
        self.channel = channel

    async def __call__(self, handover: Handover) -> None:
        text = truncate(handover_text(handover), 2990)
        await self.client.chat_postMessage(channel=self.channel, text=text, blocks=[section(text)])
