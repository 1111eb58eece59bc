"""An adapter wired to the fake Slack Web API and served over real HTTP on loopback (for tests and bench)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.dedupe import EventLedger
from adapters.settings import SlackSettings
from adapters.slack import SlackAdapter, SlackHttpServer

from .slack_api import FakeSlackAPI, sign

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@dataclass
class SlackHarness:
    fake: FakeSlackAPI
    adapter: SlackAdapter
    server: SlackHttpServer
    ledger: EventLedger
    url: str
    session: aiohttp.ClientSession

    async def post_signed(self, body: str, *, content_type: str = "application/json", retry_num: int | None = None,
                          secret: str = SECRET, timestamp: int | None = None, headers: dict | None = None) -> aiohttp.ClientResponse:
        h = {"Content-Type": content_type, **sign(secret, body, timestamp)}
        if retry_num is not None:
            h["X-Slack-Retry-Num"] = str(retry_num)
            h["X-Slack-Retry-Reason"] = "http_timeout"
        h.update(headers or {})
        resp = await self.session.post(self.url, data=body.encode(), headers=h)
        await resp.read()
        return resp

    async def close(self) -> None:
        await self.adapter.inflight.join()
        await self.server.stop()
        await self.session.close()
        self.ledger.close()


async def start_harness(assistant, state: Path, *, fake: FakeSlackAPI | None = None, start: bool = True, **settings) -> SlackHarness:
    """A SlackAdapter + HTTP endpoint on a random loopback port, talking to `fake` (started if None)."""
    fake = fake or await FakeSlackAPI().start()
    s = dataclasses.replace(SlackSettings(enabled=True, api_base_url=fake.base_url), **settings)
    client = AsyncWebClient(token="xoxb-test-token", base_url=s.api_base_url)
    app = AsyncApp(client=client, signing_secret=SECRET, name="growthpilot-test")
    ledger = EventLedger(state)
    adapter = SlackAdapter(app, assistant, s, ledger)
    server = SlackHttpServer(app, SECRET, path=s.http_path)
    url = f"http://127.0.0.1:{await server.start('127.0.0.1', 0)}{s.http_path}" if start else ""
    return SlackHarness(fake, adapter, server, ledger, url, aiohttp.ClientSession())
