"""Issue 10 probes on the Telegram side: malformed webhook bodies, customer-safe errors, the
per-user rate limit, edited messages, per-user memory in groups, every documented command answered."""

from __future__ import annotations

import asyncio
import re

import aiohttp
import pytest

from fakes.assistant import ScriptedAssistant
from fakes.real_assistant import NeutralSentiment, real_assistant
from fakes.telegram_api import FakeTelegramAPI, message
from fakes.telegram_harness import start_harness


@pytest.fixture
async def fake():
    f = await FakeTelegramAPI().start()
    yield f
    await f.stop()


@pytest.mark.parametrize("body", ["[1, 2]", '"an update"', "null", "42", "{broken", '{"message": {"text": "no update id"}}'])
async def test_webhook_body_that_is_not_an_update_object_is_a_400(fake, tmp_path, body):
    bot = ScriptedAssistant()
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake, mode="webhook", webhook_secret="s3cret",
                            webhook_host="127.0.0.1", webhook_port=0, webhook_url="https://bot.example.com/telegram/webhook")
    try:
        url = f"http://127.0.0.1:{h.runner.webhook.port}/telegram/webhook"
        async with aiohttp.ClientSession() as s:
            resp = await s.post(url, data=body, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret", "Content-Type": "application/json"})
            status = resp.status
    finally:
        await h.close()
    assert status == 400
    assert bot.messages == []


class OperatorError(Exception):
    """Like knowledge/ and llm/ errors: meant for the operator, with paths and URLs in it."""

    user_facing = True


LEAKY = OperatorError("index not found at /srv/growthpilot/.growthpilot/index/public.faiss; "
                      "model server http://10.0.0.7:8000/v1 refused; set [generation] base_url")


class FailingGenerator:
    model_id = "failing"

    async def generate(self, messages, **kw):
        raise LEAKY


def _leaks(text: str) -> list[str]:
    return re.findall(r"/srv\S*|https?://\S+|\[generation\]|base_url|\.faiss", text)


async def test_customers_see_an_apology_with_an_id_never_paths_urls_or_config_names(fake, tmp_path, caplog):
    (tmp_path / "team").mkdir()
    customer, _ = real_assistant(tmp_path, sentiment=NeutralSentiment(), generator=FailingGenerator(), rephrase=True)
    team, _ = real_assistant(tmp_path / "team", sentiment=NeutralSentiment(), generator=FailingGenerator(), rephrase=True)
    h = await start_harness(customer, tmp_path / "s.sqlite", fake=fake, team=team, team_chats=(-100,))
    try:
        fake.text_update("How do returns work?", chat_id=555)
        fake.text_update("/ask How do returns work?", chat_id=-100, chat_type="supergroup")
        await fake.wait_calls("sendMessage", 2)
    finally:
        await h.close()
        customer.close()
        team.close()
    by_chat = {c.params["chat_id"]: c.params["text"] for c in fake.calls_to("sendMessage")}
    to_customer, to_team = by_chat["555"], by_chat["-100"]
    assert _leaks(to_customer) == [], to_customer
    error_id = re.search(r"error id ([0-9a-f]{8})", to_customer)
    assert error_id, to_customer
    assert "/srv/growthpilot" in to_team  # the team may see the operator text
    assert any(error_id.group(1) in r.getMessage() and "/srv/growthpilot" in r.getMessage() for r in caplog.records)


async def test_an_adapter_side_failure_is_customer_safe_too(fake, tmp_path):
    bot = ScriptedAssistant(fail_with=LEAKY)
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake)
    try:
        fake.text_update("hello?")
        (sent,) = await fake.wait_calls("sendMessage", 1)
    finally:
        await h.close()
    assert _leaks(sent.params["text"]) == [] and "error id" in sent.params["text"]


async def test_a_customer_flooding_gets_one_polite_slow_down_and_no_extra_model_calls(fake, tmp_path):
    bot = ScriptedAssistant("answer")
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake, customer_rate_limit=5, customer_rate_window_s=10.0)
    try:
        for i in range(9):
            fake.text_update(f"question {i}", user_id=777, chat_id=555)
        fake.text_update("other customer", user_id=888, chat_id=556)
        await fake.wait_for(lambda f: len(f.calls_to("sendMessage")) >= 7)
        await h.adapter.inflight.join()
        await asyncio.sleep(0.2)
        await h.adapter.inflight.join()
    finally:
        await h.close()
    assert [m.text for m in bot.messages if m.user == "777"] == [f"question {i}" for i in range(5)]
    assert [m.text for m in bot.messages if m.user == "888"] == ["other customer"]
    to_777 = [c.params["text"] for c in fake.calls_to("sendMessage") if c.params["chat_id"] == "555"]
    slow = [t for t in to_777 if "slow down" in t.lower()]
    assert len(slow) == 1 and len(to_777) == 6, to_777


async def test_edited_messages_are_not_answered_again(fake, tmp_path):
    bot = ScriptedAssistant("answer")
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake)
    try:
        fake.text_update("where is my order?", message_id=41)
        await fake.wait_calls("sendMessage", 1)
        edited = fake.push_update({"edited_message": {**message("where is my order #123?", message_id=41), "edit_date": 1}})
        fake.push_update({"edited_message": {**message("/reset", message_id=42), "edit_date": 1}})
        fake.text_update("thanks", message_id=43)
        await fake.wait_calls("sendMessage", 2)
        await h.adapter.inflight.join()
        recorded = h.ledger.status(f"tg:{edited['update_id']}")
    finally:
        await h.close()
    assert [m.text for m in bot.messages] == ["where is my order?", "thanks"]
    assert recorded == "done"


async def test_customers_in_one_group_chat_have_their_own_conversations(fake, tmp_path):
    bot = ScriptedAssistant("answer")
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake)
    try:
        fake.text_update("my order is late", chat_id=-300, chat_type="group", user_id=1)
        fake.text_update("and mine?", chat_id=-300, chat_type="group", user_id=2)
        await fake.wait_calls("sendMessage", 2)
    finally:
        await h.close()
    keys = {m.user: m.conversation_key for m in bot.messages}
    assert keys["1"] != keys["2"] and keys["1"][1] == keys["2"][1] == "-300"


DOCUMENTED = ["/start", "/help", "/human", "/reset", "/ask how do returns work?", "/copy a launch tweet",
              "/report funnel", "/feedback up", "/nonsense"]


@pytest.mark.parametrize("chat_id, chat_type", [(555, "private"), (-100, "supergroup")], ids=["customer", "team"])
async def test_every_documented_command_gets_a_reply_in_both_audiences(fake, tmp_path, chat_id, chat_type):
    customer, team = ScriptedAssistant("customer answer"), ScriptedAssistant("team answer")
    h = await start_harness(customer, tmp_path / "s.sqlite", fake=fake, team=team, team_chats=(-100,))
    try:
        for i, cmd in enumerate(DOCUMENTED):
            fake.text_update(cmd, chat_id=chat_id, chat_type=chat_type, message_id=200 + i)
            await fake.wait_for(lambda f, n=i + 1: len([c for c in f.calls_to("sendMessage") if c.params["chat_id"] == str(chat_id)]) >= n)
        await h.adapter.inflight.join()
    finally:
        await h.close()
    sent = [c.params["text"] for c in fake.calls_to("sendMessage") if c.params["chat_id"] == str(chat_id)]
    assert len(sent) == len(DOCUMENTED), sent
    if chat_type == "supergroup":
        assert "/report funnel" in [m.text for m in team.messages] and "/reset" in [m.text for m in team.messages]
        assert customer.messages == []  # a team chat never reaches the customer assistant
    else:
        assert all(m.audience == "customer" for m in customer.messages) and team.messages == []
        assert "/reset" in [m.text for m in customer.messages]


async def test_a_command_addressed_to_the_bot_in_a_group_is_understood(fake, tmp_path):
    team = ScriptedAssistant("team answer")
    h = await start_harness(ScriptedAssistant(), tmp_path / "s.sqlite", fake=fake, team=team, team_chats=(-100,))
    try:
        fake.text_update("/report@growthpilot_bot funnel", chat_id=-100, chat_type="supergroup")
        await fake.wait_calls("sendMessage", 1)
    finally:
        await h.close()
    assert [m.text for m in team.messages] == ["/report funnel"]


async def test_customers_in_a_burst_are_told_their_place_in_line_then_answered(fake, tmp_path):
    from bot.waiting_line import WaitingLine
    from fakes.slow_generator import SlowSerialGenerator

    line = WaitingLine(SlowSerialGenerator("Returns are accepted within 7 days of delivery [1].", seconds=0.2, queue_size=1), slots=1, notice_after_s=0)
    bot, _ = real_assistant(tmp_path, sentiment=NeutralSentiment(), generator=line, rephrase=True)
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake)
    try:
        for user in range(4):
            fake.text_update("How long do returns take?", chat_id=600 + user, user_id=900 + user)
        await fake.wait_for(lambda f: sum("7 days" in c.params["text"] for c in f.calls_to("sendMessage")) == 4, timeout=10)
    finally:
        await h.close()
        bot.close()
    texts = [c.params["text"] for c in fake.calls_to("sendMessage")]
    assert sum("in line" in t for t in texts) >= 2 and not any("busy:" in t and "waiting" in t for t in texts)


async def test_a_customer_mistake_is_explained_not_apologised_for(fake, tmp_path):
    bot, _ = real_assistant(tmp_path, sentiment=NeutralSentiment())
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake)
    try:
        fake.text_update("/feedback up")  # nothing to give feedback on yet
        (sent,) = await fake.wait_calls("sendMessage", 1)
    finally:
        await h.close()
        bot.close()
    assert "no reply to give feedback on yet" in sent.params["text"] and "error id" not in sent.params["text"]


@pytest.mark.parametrize("cmd", ["/start", "/help", "/human"])
async def test_start_help_and_human_cut_off_by_a_shutdown_say_so_and_stay_unrecorded(fake, tmp_path, cmd):
    """Like every other reply: a shutdown that cuts the reply off says "interrupted" and releases the
    update from the exactly-once ledger, so sending it again is answered (issue 10 follow-up)."""
    slow = ScriptedAssistant("never", delay_s=30)
    h = await start_harness(slow, tmp_path / "s.sqlite", fake=fake)
    real_send = h.adapter.send_message

    async def hanging(chat_id, html_text, **kwargs):
        if "Interrupted" not in html_text:
            await asyncio.sleep(30)  # the network stalls: the reply cannot finish within the grace period
        return await real_send(chat_id, html_text, **kwargs)

    h.adapter.send_message = hanging
    try:
        update = fake.text_update(cmd, chat_id=555)
        for _ in range(250):
            if len(h.adapter.inflight):
                break
            await asyncio.sleep(0.02)
        assert len(h.adapter.inflight) == 1
        cancelled = await h.adapter.drain(0.2)
        status = h.ledger.status(f"tg:{update['update_id']}")
    finally:
        await h.close()
    assert cancelled == 1
    (sent,) = fake.calls_to("sendMessage")
    assert sent.params["chat_id"] == "555" and "Interrupted" in sent.params["text"]
    assert status is None  # released: a redelivery (or the person asking again) is answered
