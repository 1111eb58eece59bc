"""A TelegramAdapter wired to the fake Bot API, polling on loopback (for tests and bench)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from adapters.dedupe import EventLedger
from adapters.settings import TelegramSettings
from adapters.telegram import TelegramAdapter, TelegramRunner, build_telegram_application

from .telegram_api import TOKEN, FakeTelegramAPI


@dataclass
class TelegramHarness:
    fake: FakeTelegramAPI
    adapter: TelegramAdapter
    runner: TelegramRunner
    ledger: EventLedger

    async def close(self) -> None:
        await self.runner.stop_intake()
        await self.adapter.inflight.join()
        await self.runner.stop()
        self.ledger.close()


async def start_harness(customer, state: Path, *, fake: FakeTelegramAPI | None = None, team=None, notifier=None,
                        webhook_secret: str = "", start: bool = True, **settings) -> TelegramHarness:
    fake = fake or await FakeTelegramAPI().start()
    defaults = dict(enabled=True, api_base_url=fake.base_url, per_chat_interval_s=0.05, poll_timeout_s=1.0, typing_interval_s=4.0)
    s = dataclasses.replace(TelegramSettings(), **{**defaults, **settings})
    application = build_telegram_application(s, TOKEN)
    ledger = EventLedger(state)
    adapter = TelegramAdapter(application, customer, s, ledger, team_assistant=team, notifier=notifier)
    runner = TelegramRunner(application, s, webhook_secret=webhook_secret)
    if start:
        await runner.start()
    return TelegramHarness(fake, adapter, runner, ledger)
