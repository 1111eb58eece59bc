"""End to end: Telegram customer → real Assistant (FakeGenerator) → answer; /human → hand-over posted to Slack."""

from __future__ import annotations

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import SlackHandoverNotifier
from fakes.real_assistant import real_assistant
from fakes.slack_api import FakeSlackAPI
from fakes.telegram_api import FakeTelegramAPI
from fakes.telegram_harness import start_harness

pytest.importorskip("bot.assistant")


async def test_customer_answer_and_human_handover_reach_the_team_in_slack(tmp_path):
    slack, tg = await FakeSlackAPI().start(), await FakeTelegramAPI().start()
    notifier = SlackHandoverNotifier(AsyncWebClient(token="xoxb-t", base_url=slack.base_url), "C_HANDOVER")
    assistant, generator = real_assistant(tmp_path, ["Returns are accepted within 7 days of delivery [1]."], notify_handover=notifier)
    h = await start_harness(assistant, tmp_path / "channels.sqlite", fake=tg, notifier=notifier)
    try:
        tg.text_update("How long do I have to return my order? my phone is 13812345678", chat_id=555)
        (answer,) = await tg.wait_calls("sendMessage", 1, timeout=20)
        tg.text_update("/human", chat_id=555)
        await tg.wait_calls("sendMessage", 2, timeout=20)
        await h.adapter.inflight.join()
    finally:
        await h.close()
        assistant.close()
    try:
        assert "7 days" in answer.params["text"] and "Returns FAQ" in answer.params["text"]
        buttons = [b["callback_data"] for row in answer.params["reply_markup"]["inline_keyboard"] for b in row]
        assert buttons[0].startswith("up:r") and "human:" in buttons
        assert "13812345678" not in generator.last_prompt_text  # the assistant redacts before the model
        (post,) = slack.calls_to("chat.postMessage")  # exactly one hand-over notice
        assert post.params["channel"] == "C_HANDOVER"
        assert "Hand-over needed" in post.params["text"] and "555" in post.params["text"]
        assert "13812345678" not in post.params["text"]
    finally:
        await slack.stop()
        await tg.stop()
