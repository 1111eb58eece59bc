"""Issue 10 probes on the Slack side: malformed signed bodies, replays, the allow-list on buttons,
"help" in a DM, customer-safe errors, the queue position under a burst, and shutdown mid-answer."""

from __future__ import annotations

import asyncio
import json

import pytest

from fakes.assistant import ScriptedAssistant
from fakes.slack_api import FakeSlackAPI, action_form, event_body, mention, slash_form
from fakes.slack_harness import start_harness

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
async def fake():
    f = await FakeSlackAPI().start()
    yield f
    await f.stop()


@pytest.mark.parametrize("body", ["{not json", "[1, 2, 3]", '"just a string"', "null", "42"])
async def test_malformed_signed_json_is_a_400_not_a_500(fake, tmp_path, body):
    bot = ScriptedAssistant()
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake)
    try:
        resp = await h.post_signed(body)
    finally:
        await h.close()
    assert resp.status == 400
    assert bot.messages == []


async def test_malformed_signed_form_payload_is_a_400(fake, tmp_path):
    h = await start_harness(ScriptedAssistant(), tmp_path / "s.sqlite", fake=fake)
    try:
        resp = await h.post_signed("payload=%7Bbroken", content_type=FORM)
    finally:
        await h.close()
    assert resp.status == 400


async def test_a_replayed_slash_command_is_not_run_again(fake, tmp_path):
    bot = ScriptedAssistant("report done")
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake)
    try:
        body = slash_form("report funnel", response_url=fake.response_url("c1"))
        first = await h.post_signed(body, content_type=FORM)
        await fake.wait_calls("response_url", 1)
        replay = await h.post_signed(body, content_type=FORM)  # same trigger_id, same signature
        await h.adapter.inflight.join()
    finally:
        await h.close()
    assert (first.status, replay.status) == (200, 200)
    assert [m.text for m in bot.messages] == ["/report funnel"]
    assert fake.count("response_url") == 1


async def test_feedback_buttons_go_through_the_allow_list(fake, tmp_path):
    bot = ScriptedAssistant()
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake, allowed_users=("U123",))
    try:
        resp = await h.post_signed(action_form("feedback_up", "reply-7", response_url=fake.response_url("f1"), user="U666"), content_type=FORM)
        await fake.wait_calls("chat.postEphemeral", 1)
        await h.adapter.inflight.join()
    finally:
        await h.close()
    assert resp.status == 200
    assert bot.feedback == []
    assert "not on growthpilot's list" in fake.calls_to("chat.postEphemeral")[0].params["text"]


def _dm(text: str) -> dict:
    return {"type": "message", "channel_type": "im", "user": "U123", "text": text, "ts": "1700000000.000300", "channel": "D100"}


@pytest.mark.parametrize("word", ["help", "Help", " help ", "帮助", "?"])
async def test_help_in_a_dm_is_the_help_command_not_a_question(fake, tmp_path, word):
    bot = ScriptedAssistant()
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake)
    try:
        await h.post_signed(event_body(_dm(word), event_id=f"EvHelp{abs(hash(word))}"))
        await fake.wait_calls("chat.update", 1)
        await h.adapter.inflight.join()
    finally:
        await h.close()
    assert [m.text for m in bot.messages] == ["/help"]
