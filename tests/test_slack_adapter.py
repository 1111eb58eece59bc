"""Slack adapter over real HTTP: signed Events API requests in, calls to a fake Slack Web API out."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.types import Attachment, Source
from fakes.assistant import ScriptedAssistant
from fakes.slack_api import BOT_ID, BOT_USER_ID, FakeSlackAPI, action_form, event_body, mention, slash_form
from fakes.slack_harness import start_harness


@pytest.fixture
async def fake():
    f = await FakeSlackAPI().start()
    yield f
    await f.stop()


async def test_mention_gets_placeholder_then_final_answer_in_thread(fake, tmp_path):
    bot = ScriptedAssistant("Conversion rose **12%** last week [1].",
                            citations=[Source("insight:funnel:1", "insight", "Funnel", "pv→buy 12%", 0.9)])
    h = await start_harness(bot, tmp_path / "state.sqlite", fake=fake)
    try:
        resp = await h.post_signed(event_body(mention("how did conversion do?", ts="1700000001.000100"), event_id="Ev1"))
        assert resp.status == 200
        await fake.wait_calls("chat.update")
        await h.adapter.inflight.join()
    finally:
        await h.close()
    posts = fake.calls_to("chat.postMessage")
    assert len(posts) == 1
    assert posts[0].params["channel"] == "C100"
    assert posts[0].params["thread_ts"] == "1700000001.000100"  # a thread under the mention
    assert posts[0].params["text"] == "…thinking"
    (final,) = fake.calls_to("chat.update")
    assert final.params["ts"] == "1700000001.000001"  # the placeholder's ts from the fake
    blocks = final.params["blocks"]
    assert blocks[0] == {"type": "section", "text": {"type": "mrkdwn", "text": "Conversion rose *12%* last week [1]."}}
    context = [b for b in blocks if b["type"] == "context"]
    assert "Funnel" in context[0]["elements"][0]["text"]
    buttons = [b for b in blocks if b["type"] == "actions"][0]["elements"]
    assert [(b["action_id"], b["text"]["text"], b["value"]) for b in buttons] == [
        ("feedback_up", "👍", "reply-1"), ("feedback_down", "👎", "reply-1")]
    (msg,) = bot.messages
    assert (msg.platform, msg.channel, msg.user, msg.thread, msg.audience) == ("slack", "C100", "U123", "1700000001.000100", "team")
    assert msg.text == "how did conversion do?"  # the bot's own @mention removed
    assert msg.event_id == "Ev1" and not msg.is_direct
    assert fake.calls_to("chat.postMessage")[0].headers["Authorization"] == "Bearer xoxb-test-token"


async def test_reply_in_existing_thread_keeps_thread_ts_as_memory_key(fake, tmp_path):
    bot = ScriptedAssistant("ok")
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake)
    try:
        await h.post_signed(event_body(mention("and last week?", ts="1700000009.000200", thread_ts="1700000001.000100"), event_id="Ev2"))
        await fake.wait_calls("chat.update")
    finally:
        await h.close()
    assert fake.calls_to("chat.postMessage")[0].params["thread_ts"] == "1700000001.000100"
    assert bot.messages[0].thread == "1700000001.000100"


async def test_retries_and_duplicates_never_answer_twice_even_after_restart(fake, tmp_path):
    state = tmp_path / "channels.sqlite"
    bot = ScriptedAssistant("once", delay_s=0.2)
    body = event_body(mention("hello"), event_id="EvDup")
    h = await start_harness(bot, state, fake=fake)
    try:
        first = await h.post_signed(body)
        retry = await h.post_signed(body, retry_num=1)  # Slack's retry while the first is still being answered
        dup = await h.post_signed(body)  # a plain duplicate delivery
        assert (first.status, retry.status, dup.status) == (200, 200, 200)
        await fake.wait_calls("chat.update")
        await h.adapter.inflight.join()
        assert h.ledger.status("EvDup") == "done"
    finally:
        await h.close()
    # a restarted adapter on the same SQLite file still knows the event
    bot2 = ScriptedAssistant("twice?")
    h2 = await start_harness(bot2, state, fake=fake)
    try:
        again = await h2.post_signed(body, retry_num=2)
        assert again.status == 200
        await asyncio.sleep(0.3)
        await h2.adapter.inflight.join()
        assert h2.ledger.status("EvDup") == "done"
    finally:
        await h2.close()
    assert len(bot.messages) == 1 and bot2.messages == []
    assert fake.count("chat.postMessage") == 1
    assert fake.count("chat.update") == 1


async def test_bad_or_stale_signature_is_rejected_with_401(fake, tmp_path):
    bot = ScriptedAssistant()
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake)
    try:
        body = event_body(mention("hi"), event_id="EvSig")
        wrong = await h.post_signed(body, secret="not-the-secret")
        stale = await h.post_signed(body, timestamp=int(time.time()) - 6 * 60)
        garbage = await h.post_signed(body, headers={"X-Slack-Request-Timestamp": "soon"})
        unsigned = await h.session.post(h.url, data=body, headers={"Content-Type": "application/json"})
        ok_after = await h.post_signed(body)
        await fake.wait_calls("chat.update")
    finally:
        await h.close()
    assert (wrong.status, stale.status, garbage.status, unsigned.status) == (401, 401, 401, 401)
    assert ok_after.status == 200
    assert len(bot.messages) == 1  # the rejected ones never reached the assistant nor claimed the id


async def test_bot_messages_are_ignored(fake, tmp_path):
    bot = ScriptedAssistant()
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake)
    try:
        other_bot = {"type": "message", "channel": "D200", "channel_type": "im", "user": "U999", "bot_id": "BOTHER",
                     "text": "beep", "ts": "1700000002.000100"}
        subtype = {"type": "message", "channel": "D200", "channel_type": "im", "subtype": "bot_message",
                   "bot_id": "BOTHER", "text": "beep", "ts": "1700000002.000200"}
        own = {"type": "message", "channel": "D200", "channel_type": "im", "user": BOT_USER_ID, "bot_id": BOT_ID,
               "text": "my own reply", "ts": "1700000002.000300"}
        for i, ev in enumerate((other_bot, subtype, own)):
            assert (await h.post_signed(event_body(ev, event_id=f"EvBot{i}"))).status == 200
        human = {"type": "message", "channel": "D200", "channel_type": "im", "user": "U123", "text": "real question",
                 "ts": "1700000002.000400"}
        await h.post_signed(event_body(human, event_id="EvHuman"))
        await fake.wait_calls("chat.update")
        await h.adapter.inflight.join()
    finally:
        await h.close()
    assert [m.text for m in bot.messages] == ["real question"]
    (post,) = fake.calls_to("chat.postMessage")
    assert post.params["channel"] == "D200" and "thread_ts" not in post.params  # a DM answer stays in the DM
    assert bot.messages[0].is_direct and bot.messages[0].thread == ""


async def test_growing_reply_updates_at_most_once_per_interval(fake, tmp_path):
    partials = [" ".join(["word"] * i) for i in range(1, 41)]  # 40 partials over ~1.2 s
    bot = ScriptedAssistant("final " * 10, partials=partials, partial_every_s=0.03)
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake, update_interval_s=0.25)
    try:
        await h.post_signed(event_body(mention("write a lot"), event_id="EvStream"))
        await h.adapter.inflight.join()
    finally:
        await h.close()
    updates = fake.calls_to("chat.update")
    assert 3 <= len(updates) <= 1 + 1.3 / 0.25 + 1  # progress shown, but throttled
    times = [u.t for u in updates]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert min(gaps) >= 0.25 * 0.9, gaps
    assert updates[0].params["blocks"][0]["text"]["text"].endswith(" …")  # progress marker
    assert updates[-1].params["blocks"][0]["text"]["text"] == ("final " * 10).strip()


async def test_slash_command_acks_fast_with_a_slow_assistant_then_answers_ephemerally(fake, tmp_path):
    bot = ScriptedAssistant("Top product: 2268318", delay_s=3.3)
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake)
    try:
        t0 = time.monotonic()
        resp = await h.post_signed(slash_form("report top", response_url=fake.response_url("c1")),
                                   content_type="application/x-www-form-urlencoded")
        ack_s = time.monotonic() - t0
        ack_body = await resp.json()
        assert resp.status == 200 and ack_s < 1.0, ack_s  # well inside Slack's 3 s
        assert ack_body["text"] == "…thinking" and ack_body["response_type"] == "ephemeral"
        (answer,) = await fake.wait_calls("response_url", 1, timeout=6)
    finally:
        await h.close()
    assert answer.t - t0 >= 3.3
    assert bot.messages[0].text == "/report top" and bot.messages[0].audience == "team"
    assert answer.params["response_type"] == "ephemeral" and answer.params["replace_original"] is True
    assert answer.params["blocks"][0]["text"]["text"] == "Top product: 2268318"
    buttons = [b for b in answer.params["blocks"] if b["type"] == "actions"][0]["elements"]
    assert [b["action_id"] for b in buttons] == ["feedback_up", "feedback_down", "share"]
    assert buttons[2]["text"]["text"] == "Share to channel"


async def test_share_button_posts_the_answer_to_the_channel(fake, tmp_path):
    bot = ScriptedAssistant("Weekly trend is up 8%")
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake)
    try:
        await h.post_signed(slash_form("ask trend?", response_url=fake.response_url("c2"), channel="C777"),
                            content_type="application/x-www-form-urlencoded")
        (answer,) = await fake.wait_calls("response_url", 1)
        share = [e for b in answer.params["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == "share"][0]
        resp = await h.post_signed(action_form("share", share["value"], response_url=fake.response_url("a1"), channel="C777", user="U555"),
                                   content_type="application/x-www-form-urlencoded")
        assert resp.status == 200
        await fake.wait_calls("response_url", 2)
    finally:
        await h.close()
    (post,) = fake.calls_to("chat.postMessage")
    assert post.params["channel"] == "C777"
    assert post.params["blocks"][0]["elements"][0]["text"] == "Shared by <@U555>"
    assert post.params["blocks"][1]["text"]["text"] == "Weekly trend is up 8%"
    assert fake.calls_to("response_url")[1].params == {"delete_original": True}


async def test_feedback_buttons_reach_the_assistant(fake, tmp_path):
    bot = ScriptedAssistant()
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake)
    try:
        up = await h.post_signed(action_form("feedback_up", "reply-7", response_url=fake.response_url("f1")),
                                 content_type="application/x-www-form-urlencoded")
        down = await h.post_signed(action_form("feedback_down", "reply-8", response_url=fake.response_url("f2"), user="U9"),
                                   content_type="application/x-www-form-urlencoded")
        assert (up.status, down.status) == (200, 200)
        await fake.wait_calls("chat.postEphemeral", 2)
    finally:
        await h.close()
    assert bot.feedback == [("reply-7", "U123", 1, ""), ("reply-8", "U9", -1, "")]
    assert "Thanks" in fake.calls_to("chat.postEphemeral")[0].params["text"]


async def test_refused_user_and_channel_get_an_ephemeral_explanation(fake, tmp_path):
    bot = ScriptedAssistant()
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake, allowed_users=("U123",), allowed_channels=("C100",))
    try:
        await h.post_signed(event_body(mention("hi", user="U666"), event_id="EvNoUser"))
        await h.post_signed(event_body(mention("hi", channel="C999"), event_id="EvNoChan"))
        slash = await h.post_signed(slash_form("ask x", response_url=fake.response_url("r"), user="U666"),
                                    content_type="application/x-www-form-urlencoded")
        await fake.wait_calls("chat.postEphemeral", 2)
        await h.adapter.inflight.join()
    finally:
        await h.close()
    assert bot.messages == []
    eph = {c.params["user"] + "@" + c.params["channel"]: c.params["text"] for c in fake.calls_to("chat.postEphemeral")}
    assert "not on growthpilot's list" in eph["U666@C100"] and "U666" in eph["U666@C100"]
    assert "not enabled in this channel" in eph["U123@C999"]
    assert "not on growthpilot's list" in (await slash.json())["text"]
    assert fake.count("chat.postMessage") == 0


async def test_per_user_rate_limit(fake, tmp_path):
    bot = ScriptedAssistant("ok")
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake, rate_limit_per_minute=2)
    try:
        for i in range(3):
            await h.post_signed(event_body(mention(f"q{i}", ts=f"17000000{i}.0001"), event_id=f"EvRate{i}"))
            await h.adapter.inflight.join()
        await h.post_signed(event_body(mention("other user", user="U222"), event_id="EvRateOther"))
        await h.adapter.inflight.join()
    finally:
        await h.close()
    assert [m.text for m in bot.messages] == ["q0", "q1", "other user"]
    (eph,) = fake.calls_to("chat.postEphemeral")
    assert eph.params["user"] == "U123" and "try again in" in eph.params["text"]


async def test_long_reply_is_split_across_sections_and_messages(fake, tmp_path):
    paragraphs = [f"Paragraph {i}: " + ("insight " * 40).strip() + "." for i in range(500)]  # ~165k chars: > 50 sections
    long_text = "\n\n".join(paragraphs)
    bot = ScriptedAssistant(long_text)
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake)
    try:
        await h.post_signed(event_body(mention("everything"), event_id="EvLong"))
        await h.adapter.inflight.join()
    finally:
        await h.close()
    final = fake.calls_to("chat.update")[-1]
    extra = fake.calls_to("chat.postMessage")[1:]  # [0] is the placeholder
    assert extra and all(c.params["thread_ts"] == "1700000000.000100" for c in extra)
    payloads = [final.params] + [c.params for c in extra]
    sections = []
    for p in payloads:
        assert len(p["blocks"]) <= 50 and len(p["text"]) <= 4000
        sections += [b["text"]["text"] for b in p["blocks"] if b["type"] == "section"]
    assert all(len(s) <= 3000 for s in sections)
    assert " ".join(" ".join(sections).split()) == " ".join(long_text.split())  # nothing lost, order kept
    assert payloads[-1]["blocks"][-1]["type"] == "actions"  # buttons once, at the end


async def test_chart_is_uploaded_with_the_v2_flow_into_the_thread(fake, tmp_path):
    png = tmp_path / "funnel.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    bot = ScriptedAssistant("Funnel report", attachments=[Attachment(png, title="Funnel")])
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake)
    try:
        await h.post_signed(event_body(mention("report funnel", ts="1700000005.000100"), event_id="EvChart"))
        await h.adapter.inflight.join()
    finally:
        await h.close()
    methods = [c.method for c in fake.calls if c.method != "auth.test"]
    assert methods == ["chat.postMessage", "chat.update", "files.getUploadURLExternal", "upload", "files.completeUploadExternal"]
    (get_url,) = fake.calls_to("files.getUploadURLExternal")
    assert get_url.params["filename"] == "funnel.png" and int(get_url.params["length"]) == 108
    assert fake.uploads[get_url_file_id(fake)] == png.read_bytes()
    (complete,) = fake.calls_to("files.completeUploadExternal")
    assert complete.params["channel_id"] == "C100" and complete.params["thread_ts"] == "1700000005.000100"
    assert complete.params["files"][0]["title"] == "Funnel"


def get_url_file_id(fake) -> str:
    return fake.calls_to("upload")[0].params["file_id"]


async def test_failures_become_a_message_not_silence(fake, tmp_path):
    class NoData(Exception):
        user_facing = True

    bot = ScriptedAssistant(fail_with=NoData("No data yet. Fix: run `growthpilot demo`"))
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake)
    try:
        await h.post_signed(event_body(mention("q"), event_id="EvFail1"))
        await h.adapter.inflight.join()
        bot.fail_with = RuntimeError("boom at line 3")
        await h.post_signed(event_body(mention("q2", ts="1700000003.1"), event_id="EvFail2"))
        await h.adapter.inflight.join()
    finally:
        await h.close()
    texts = [c.params["text"] for c in fake.calls_to("chat.update")]
    assert texts[0] == "No data yet. Fix: run `growthpilot demo`"
    assert "error id" in texts[1] and "boom" not in texts[1]


async def test_escaping_of_slack_control_characters(fake, tmp_path):
    bot = ScriptedAssistant("Use <b> & 5 > 3 — not a <@U123> ping")
    h = await start_harness(bot, tmp_path / "s.sqlite", fake=fake)
    try:
        await h.post_signed(event_body(mention("x &lt;y&gt; &amp; z"), event_id="EvEsc"))
        await h.adapter.inflight.join()
    finally:
        await h.close()
    assert bot.messages[0].text == "x <y> & z"  # Slack's escapes undone on the way in
    section = fake.calls_to("chat.update")[-1].params["blocks"][0]["text"]["text"]
    assert section == "Use &lt;b&gt; &amp; 5 &gt; 3 — not a &lt;@U123&gt; ping"
