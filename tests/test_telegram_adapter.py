"""Telegram adapter through python-telegram-bot against a fake Bot API on loopback (long polling, webhook)."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from bot.protocols import Handover
from bot.types import Attachment
from fakes.assistant import ScriptedAssistant
from fakes.telegram_api import FakeTelegramAPI, message
from fakes.telegram_harness import start_harness


@pytest.fixture
async def fake():
    f = await FakeTelegramAPI().start()
    yield f
    await f.stop()


def keyboard(call) -> list[list[tuple[str, str]]]:
    markup = call.params.get("reply_markup") or {"inline_keyboard": []}
    return [[(b["text"], b["callback_data"]) for b in row] for row in markup["inline_keyboard"]]


async def test_customer_question_typing_then_escaped_html_answer_with_keyboard(fake, tmp_path):
    bot = ScriptedAssistant("Returns take **7 days** <if> you & we agree *ok*")
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake)
    try:
        fake.text_update("How long do returns take?", chat_id=555, user_id=777)
        (sent,) = await fake.wait_calls("sendMessage")
    finally:
        await h.close()
    (msg,) = bot.messages
    assert (msg.platform, msg.channel, msg.user, msg.audience, msg.is_direct) == ("telegram", "555", "777", "customer", True)
    assert msg.text == "How long do returns take?" and msg.event_id.startswith("tg:")
    actions = fake.calls_to("sendChatAction")
    assert actions and actions[0].params["action"] == "typing" and actions[0].t < sent.t
    assert sent.params["chat_id"] == "555" and sent.params["parse_mode"] == "HTML"
    assert sent.params["text"] == "Returns take <b>7 days</b> &lt;if&gt; you &amp; we agree *ok*"
    assert keyboard(sent) == [[("👍", "up:reply-1"), ("👎", "down:reply-1")], [("🙋 Talk to a human", "human:")]]


async def test_team_chat_uses_the_team_assistant_and_replies_to_the_message(fake, tmp_path):
    customer, team = ScriptedAssistant("customer"), ScriptedAssistant("team answer")
    h = await start_harness(customer, tmp_path / "s.sqlite", fake=fake, team=team, team_chats=(-1001,))
    try:
        fake.text_update("funnel last week?", chat_id=-1001, chat_type="supergroup", message_id=55)
        fake.text_update("where is my order?", chat_id=-2002, chat_type="group", message_id=56)
        await fake.wait_calls("sendMessage", 2)
    finally:
        await h.close()
    assert [m.audience for m in team.messages] == ["team"] and team.messages[0].channel == "-1001"
    assert [m.audience for m in customer.messages] == ["customer"]  # a group not listed stays customer
    by_chat = {c.params["chat_id"]: c for c in fake.calls_to("sendMessage")}
    assert by_chat["-1001"].params["text"] == "team answer"
    assert by_chat["-1001"].params["reply_parameters"]["message_id"] == 55
    assert keyboard(by_chat["-1001"]) == [[("👍", "up:reply-1"), ("👎", "down:reply-1")]]  # no "talk to a human" for the team


async def test_10000_char_reply_is_split_at_boundaries_and_paced(fake, tmp_path):
    sentences = [f"Sentence number {i} explains a policy detail clearly." for i in range(190)]
    paragraphs = [" ".join(sentences[i : i + 10]) for i in range(0, 190, 10)]
    text = "\n\n".join(paragraphs)
    assert 9_500 <= len(text) <= 11_000
    bot = ScriptedAssistant(text)
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake, per_chat_interval_s=0.2)
    try:
        fake.text_update("tell me everything")
        sent = await fake.wait_calls("sendMessage", 3)
        await h.adapter.inflight.join()
    finally:
        await h.close()
    sent = fake.calls_to("sendMessage")
    assert len(sent) == 3
    assert all(len(c.params["text"]) <= 4096 for c in sent)
    assert all(c.params["text"].endswith("clearly.") for c in sent)  # cut between paragraphs, not mid-sentence
    assert " ".join(" ".join(c.params["text"] for c in sent).split()) == " ".join(text.split())
    assert [bool(c.params.get("reply_markup")) for c in sent] == [False, False, True]
    gaps = [b.t - a.t for a, b in zip(sent, sent[1:])]
    assert min(gaps) >= 0.2 * 0.9, gaps


async def test_per_chat_pacing_does_not_serialize_different_chats(fake, tmp_path):
    bot = ScriptedAssistant("x " * 3000)  # 2 messages each
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake, per_chat_interval_s=0.3)
    try:
        t0 = time.monotonic()
        for chat in (1, 2, 3):
            fake.text_update("q", chat_id=chat, user_id=chat)
        await fake.wait_calls("sendMessage", 6)
        elapsed = time.monotonic() - t0
        await h.adapter.inflight.join()
    finally:
        await h.close()
    for chat in ("1", "2", "3"):
        times = [c.t for c in fake.calls_to("sendMessage") if c.params["chat_id"] == chat]
        assert len(times) == 2 and times[1] - times[0] >= 0.3 * 0.9
    assert elapsed < 6 * 0.3  # the three chats proceed side by side


async def test_429_retry_after_is_honoured_and_the_message_still_arrives(fake, tmp_path):
    bot = ScriptedAssistant("delivered despite flood control")
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake)
    try:
        fake.fail_next_with_429("sendMessage", retry_after=1)
        fake.text_update("hello")
        (sent,) = await fake.wait_calls("sendMessage", 1, timeout=5)
        await h.adapter.inflight.join()
    finally:
        await h.close()
    attempts = fake.calls_to("sendMessage", ok_only=False)
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[1].t - attempts[0].t >= 1.0  # waited retry_after before trying again
    assert sent.params["text"] == "delivered despite flood control"
    assert h.adapter.retries == 1


async def test_duplicate_update_ids_are_answered_once_even_after_restart(fake, tmp_path):
    from telegram import Update

    state = tmp_path / "channels.sqlite"
    bot = ScriptedAssistant("once")
    raw = {"update_id": 9001, "message": message("dup?", chat_id=321)}
    h = await start_harness(bot, state, fake=fake)
    try:
        app = h.adapter.application
        await app.process_update(Update.de_json(raw, app.bot))
        await app.process_update(Update.de_json(raw, app.bot))
        await h.adapter.inflight.join()
    finally:
        await h.close()
    h2 = await start_harness(bot, state, fake=fake)
    try:
        app = h2.adapter.application
        await app.process_update(Update.de_json(raw, app.bot))
        await h2.adapter.inflight.join()
    finally:
        await h2.close()
    assert [m.text for m in bot.messages] == ["dup?"]
    assert len([c for c in fake.calls_to("sendMessage") if c.params["chat_id"] == "321"]) == 1


async def test_start_and_help_commands(fake, tmp_path):
    bot = ScriptedAssistant()
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake)
    try:
        fake.text_update("/start", chat_id=1)
        fake.text_update("/help", chat_id=2, language_code="zh-hans")
        await fake.wait_calls("sendMessage", 2)
    finally:
        await h.close()
    texts = {c.params["chat_id"]: c.params["text"] for c in fake.calls_to("sendMessage")}
    assert "support assistant" in texts["1"] and "/human" in texts["1"]
    assert "转人工" in texts["2"]
    assert bot.messages == []  # commands answered by the adapter


async def test_feedback_button_records_and_answers_the_callback(fake, tmp_path):
    bot = ScriptedAssistant()
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake)
    try:
        fake.callback_update("up:reply-3", user_id=777)
        fake.callback_update("down:reply-4", user_id=778)
        await fake.wait_calls("answerCallbackQuery", 2)
    finally:
        await h.close()
    assert bot.feedback == [("reply-3", "777", 1, ""), ("reply-4", "778", -1, "")]
    assert fake.calls_to("answerCallbackQuery")[0].params["text"] == "Thanks for your feedback!"


async def test_human_request_notifies_the_team_with_redacted_conversation(fake, tmp_path):
    handovers: list[Handover] = []

    async def notify(h: Handover) -> None:
        handovers.append(h)

    bot = ScriptedAssistant("Let me check that for you.")  # an assistant that does not hand over itself
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake, notifier=notify)
    try:
        fake.text_update("my email is ann@example.com, order missing", chat_id=555)
        await fake.wait_calls("sendMessage", 1)
        fake.text_update("/human", chat_id=555)
        await fake.wait_calls("sendMessage", 2)
        fake.callback_update("human:", chat_id=555)
        await fake.wait_calls("sendMessage", 3)
        await h.adapter.inflight.join()
    finally:
        await h.close()
    assert [m.text for m in bot.messages][1] == "I want to talk to a human"
    assert len(handovers) == 2
    first = handovers[0]
    assert (first.platform, first.channel, first.reason) == ("telegram", "555", "asked for a person")
    transcript = " ".join(t for _, t in first.transcript)
    assert "order missing" in transcript and "ann@example.com" not in transcript
    assert "notified" in fake.calls_to("sendMessage")[1].params["text"]
    assert fake.calls_to("answerCallbackQuery")


async def test_assistant_hand_over_is_not_duplicated(fake, tmp_path):
    handovers = []

    async def notify(h):
        handovers.append(h)

    bot = ScriptedAssistant("A colleague will take over.", handover=True)
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake, notifier=notify)
    try:
        fake.text_update("/human")
        (sent,) = await fake.wait_calls("sendMessage", 1)
        await h.adapter.inflight.join()
    finally:
        await h.close()
    assert handovers == []  # the assistant notified the team itself
    assert sent.params["text"] == "A colleague will take over."


async def test_chart_is_sent_as_a_photo(fake, tmp_path):
    png = tmp_path / "chart.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"1" * 64)
    bot = ScriptedAssistant("Report", attachments=[Attachment(png, title="Top <products>")])
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake)
    try:
        fake.text_update("/report top".replace("/", ""), chat_id=9)
        (photo,) = await fake.wait_calls("sendPhoto", 1)
    finally:
        await h.close()
    assert photo.files["photo"] == png.read_bytes()
    assert photo.params["caption"] == "Top &lt;products&gt;" and photo.params["chat_id"] == "9"
    assert fake.calls_to("sendMessage")[0].t < photo.t


async def test_typing_is_repeated_while_the_assistant_works(fake, tmp_path):
    bot = ScriptedAssistant("slow answer", delay_s=0.5)
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake, typing_interval_s=0.15)
    try:
        fake.text_update("q")
        (sent,) = await fake.wait_calls("sendMessage", 1)
        await asyncio.sleep(0.3)
    finally:
        await h.close()
    typing = fake.calls_to("sendChatAction")
    assert len(typing) >= 3 and all(t.t < sent.t for t in typing)  # and it stops once the answer is sent


async def test_webhook_checks_the_secret_token(fake, tmp_path):
    bot = ScriptedAssistant("via webhook")
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake, mode="webhook", webhook_secret="s3cret-token",
                            webhook_host="127.0.0.1", webhook_port=0, webhook_url="https://bot.example.com/telegram/webhook")
    try:
        url = f"http://127.0.0.1:{h.runner.webhook.port}/telegram/webhook"
        update = {"update_id": 5, "message": message("via hook", chat_id=77)}
        async with aiohttp.ClientSession() as s:
            bad = await s.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
            missing = await s.post(url, json=update)
            good = await s.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"})
            assert (bad.status, missing.status, good.status) == (403, 403, 200)
        (sent,) = await fake.wait_calls("sendMessage", 1)
    finally:
        await h.close()
    (hook,) = fake.calls_to("setWebhook")
    assert hook.params["url"] == "https://bot.example.com/telegram/webhook" and hook.params["secret_token"] == "s3cret-token"
    assert [m.text for m in bot.messages] == ["via hook"] and sent.params["chat_id"] == "77"
    assert fake.calls_to("getUpdates") == []


async def test_the_bot_token_never_reaches_the_log(fake, tmp_path, caplog):
    import logging

    caplog.set_level(logging.INFO)
    bot = ScriptedAssistant("hi")
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake)
    try:
        fake.text_update("hello")
        await fake.wait_calls("sendMessage", 1)
    finally:
        await h.close()
    from fakes.telegram_api import TOKEN

    assert caplog.records and not any(TOKEN in r.getMessage() for r in caplog.records)
