"""End to end: signed Slack event → SlackAdapter → the real Assistant (FakeGenerator) → fake Slack Web API → 👍 stored."""

from __future__ import annotations

import pytest

from fakes.real_assistant import real_assistant
from fakes.slack_api import FakeSlackAPI, action_form, event_body, mention
from fakes.slack_harness import start_harness

pytest.importorskip("bot.assistant")


async def test_mention_answered_by_the_real_assistant_and_thumbs_up_recorded(tmp_path):
    fake = await FakeSlackAPI().start()
    assistant, generator = real_assistant(tmp_path, ["Returns are accepted within 7 days of delivery [1]."])
    h = await start_harness(assistant, tmp_path / "channels.sqlite", fake=fake, update_interval_s=0.05)
    try:
        resp = await h.post_signed(event_body(mention("What is the return policy?", ts="1700000100.000100"), event_id="EvE2E"))
        assert resp.status == 200
        await h.adapter.inflight.join()
        final = fake.calls_to("chat.update")[-1].params
        blocks = final["blocks"]
        assert "7 days" in blocks[0]["text"]["text"]
        assert any(b["type"] == "context" and "Returns FAQ" in b["elements"][0]["text"] for b in blocks)
        thumbs = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
        up = next(e for e in thumbs if e["action_id"] == "feedback_up")
        assert "What is the return policy?" in generator.last_prompt_text
        click = await h.post_signed(action_form("feedback_up", up["value"], response_url=fake.response_url("fb"), user="U123"),
                                    content_type="application/x-www-form-urlencoded")
        assert click.status == 200
        await fake.wait_calls("chat.postEphemeral")
        rows = assistant.feedback.list(only_rated=True)
    finally:
        await h.close()
        assistant.close()
        await fake.stop()
    assert [(r.reply_id, r.rating, r.votes) for r in rows] == [(up["value"], 1, 1)]
