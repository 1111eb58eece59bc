"""The platform-neutral hand-over notifier: the log (Slack's lives in adapters/slack/handover.py)."""

from __future__ import annotations

import logging

from bot.protocols import Handover

log = logging.getLogger("growthpilot.handover")


class LoggingHandoverNotifier:
    """Fallback when Slack is not configured: the hand-over goes to the log (warning level, no message text)."""

    def __init__(self) -> None:
        self.count = 0

    async def __call__(self, handover: Handover) -> None:
        self.count += 1
        log.warning("hand-over needed: %s chat %s (%s), %d turns — answer the customer in that chat",
                    handover.platform, handover.channel, handover.reason, len(handover.transcript))
