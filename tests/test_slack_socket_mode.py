"""Socket Mode: the same adapter behind slack-sdk's websocket client, against the fake's /socket endpoint."""

from __future__ import annotations

import json

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.dedupe import EventLedger
from adapters.settings import SlackSettings
from adapters.slack import SlackAdapter, SlackCredentials
from adapters.slack.server import SlackSocketMode
from fakes.assistant import ScriptedAssistant
from fakes.slack_api import FakeSlackAPI, event_body, mention


def test_app_token_selects_socket_mode_and_needs_no_signing_secret():
    creds = SlackCredentials.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    assert creds.socket_mode and creds.signing_secret == ""
    assert not SlackCredentials.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}).socket_mode


async def test_events_over_socket_mode_are_acked_answered_and_deduplicated(tmp_path):
    fake = await FakeSlackAPI().start()
    client = AsyncWebClient(token="xoxb-test", base_url=fake.base_url)
    app = AsyncApp(client=client, signing_secret="unused-in-socket-mode", name="sm-test")
    bot = ScriptedAssistant("over the socket")
    ledger = EventLedger(tmp_path / "channels.sqlite")
    adapter = SlackAdapter(app, bot, SlackSettings(enabled=True, api_base_url=fake.base_url), ledger)
    sm = SlackSocketMode(app, "xapp-test")
    try:
        await sm.start()
        await fake.wait_for(lambda f: f.sockets)
        payload = json.loads(event_body(mention("via socket"), event_id="EvSock"))
        first = await fake.send_envelope("events_api", payload)
        await fake.wait_calls("chat.update", 1)
        retry = await fake.send_envelope("events_api", payload, retry_attempt=1)
        await fake.wait_for(lambda f: len(f.socket_acks) >= 2)
        await adapter.inflight.join()
    finally:
        await sm.stop()
        ledger.close()
        await fake.stop()
    opened = fake.calls_to("apps.connections.open")
    assert opened and opened[0].headers["Authorization"] == "Bearer xapp-test"  # the app-level token opens the socket
    assert {a["envelope_id"] for a in fake.socket_acks} == {first, retry}  # both acknowledged…
    assert [m.text for m in bot.messages] == ["via socket"]  # …answered once
    assert fake.count("chat.postMessage") == 1
    assert fake.calls_to("chat.update")[0].params["text"] == "over the socket"
