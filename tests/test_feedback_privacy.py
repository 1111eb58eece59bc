"""Team messages redacted at the assistant's intake; customer feedback redacted, kept apart and
exported only after a team member approves it; votes only from the audience that got the reply;
leading Unicode whitespace cannot change how a command parses (issue 10 items 10 and 11)."""

from __future__ import annotations

import json

import pytest

from bot.types import Message
from fakes.real_assistant import real_assistant

pytest.importorskip("bot.assistant")

PHONE = "13812345678"


def team(text, thread="t1"):
    return Message(platform="slack", channel="C1", user="U1", text=text, thread=thread, audience="team")


def customer(text, chat="555"):
    return Message(platform="telegram", channel=chat, user="tg42", text=text, thread="", audience="customer")


def _rows(assistant, sql):
    return [dict(r) for r in assistant.db.execute(sql)]


async def test_team_message_is_redacted_before_memory_prompt_and_feedback_store(tmp_path):
    a, gen = real_assistant(tmp_path, ["Returns take 7 days [1]."])
    try:
        r = await a.handle(team(f"what is our return policy? the customer's phone is {PHONE}, mail li@example.com"))
        assert r.reply_id
        assert PHONE not in gen.last_prompt_text and "li@example.com" not in gen.last_prompt_text
        turns = " ".join(t["text"] for t in _rows(a, "SELECT text FROM turns"))
        assert PHONE not in turns and "[PHONE]" in turns
        prompts = " ".join(t["prompt"] for t in _rows(a, "SELECT prompt FROM replies"))
        assert PHONE not in prompts and "li@example.com" not in prompts
    finally:
        a.close()


async def _support_reply(a):
    r = await a.handle(customer("how long do returns take?"))
    assert r.reply_id
    return r


@pytest.mark.parametrize("prefix", ["", "\u3000", "\u00a0 ", "\u200b", "\ufeff"], ids=["plain", "u3000", "nbsp", "zwsp", "bom"])
async def test_customer_correction_is_redacted_kept_apart_and_not_exported(tmp_path, prefix):
    a, _ = real_assistant(tmp_path, ["Returns are accepted within 7 days [1]."])
    try:
        r = await _support_reply(a)
        fb = await a.handle(customer(f"{prefix}/feedback conversion is 97%, call me {PHONE}"))
        assert fb.data.get("intent") == "feedback"  # parsed as the command, whatever the leading space
        rows = _rows(a, "SELECT * FROM feedback")
        assert len(rows) == 1
        assert rows[0]["audience"] == "customer" and rows[0]["approved_by"] == ""
        assert PHONE not in rows[0]["correction"] and "[PHONE]" in rows[0]["correction"]
        counts = a.feedback.export(tmp_path / "fb")
        sft = (tmp_path / "fb" / "sft.jsonl").read_text(encoding="utf-8")
        pref = (tmp_path / "fb" / "preference.jsonl").read_text(encoding="utf-8")
        assert "97%" not in sft and "97%" not in pref
        assert counts["corrected"] == 0 and counts["pending_approval"] == 1
        # a team member approves it: now it is a training target (still redacted)
        a.feedback.approve(rows[0]["id"], by="alice")
        counts = a.feedback.export(tmp_path / "fb2")
        sft = (tmp_path / "fb2" / "sft.jsonl").read_text(encoding="utf-8")
        assert counts["corrected"] == 1 and "97%" in sft and PHONE not in sft
        assert json.loads(sft.splitlines()[0])["reply_id"] == r.reply_id
    finally:
        a.close()


async def test_customer_thumbs_up_is_not_a_training_target_until_approved(tmp_path):
    a, _ = real_assistant(tmp_path, ["Returns are accepted within 7 days [1]."])
    try:
        r = await _support_reply(a)
        a.record_feedback(r.reply_id, "tg42", rating=1, audience="customer")
        assert a.feedback.export(tmp_path / "fb")["accepted"] == 0
    finally:
        a.close()


async def test_customer_cannot_vote_on_a_team_reply_by_id(tmp_path):
    a, _ = real_assistant(tmp_path, ["Conversion was 3.1% [1].", "Returns are accepted within 7 days [1]."])
    try:
        team_reply = await a.handle(team("what is the return policy?"))
        await _support_reply(a)
        for text in (f"/feedback up {team_reply.reply_id}", f"/feedback conversion is 97% {team_reply.reply_id}"):
            out = await a.handle(customer(text))
            assert team_reply.reply_id not in out.text or "no reply" in out.text.lower()
        votes = _rows(a, f"SELECT * FROM feedback WHERE reply_id='{team_reply.reply_id}'")
        assert votes == []
        # nor on another customer's reply
        other = await a.handle(customer("how long do returns take?", chat="777"))
        await a.handle(customer(f"/feedback down {other.reply_id}", chat="555"))
        assert _rows(a, f"SELECT * FROM feedback WHERE reply_id='{other.reply_id}'") == []
        # the team still votes on its own replies
        await a.handle(team(f"/feedback up {team_reply.reply_id}"))
        assert len(_rows(a, f"SELECT * FROM feedback WHERE reply_id='{team_reply.reply_id}'")) == 1
    finally:
        a.close()


def test_feedback_approve_command_has_help_and_works(tmp_path, capsys):
    import asyncio

    from growthpilot.cli import main

    data = tmp_path / "data"
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[data]\ndir = "{data}"\n[privacy]\nkey_file = "{tmp_path / "key"}"\n', encoding="utf-8")
    from bot.assistant import Assistant  # noqa: F401
    from growthpilot.config import load_config
    from growthpilot.wiring import assistant_db_path

    path = assistant_db_path(load_config(cfg))
    from bot.settings import AssistantSettings
    from fakes.real_assistant import OneDocRetriever
    from llm.fake import FakeGenerator
    a = Assistant(AssistantSettings(default_locale="en"), generator=FakeGenerator(["Returns: 7 days [1]."]),
                  team_retriever=OneDocRetriever(), public_retriever=OneDocRetriever(), store_path=path, reports=None)
    try:
        asyncio.run(a.handle(customer("how long do returns take?")))
        asyncio.run(a.handle(customer("/feedback it is 30 days now")))
    finally:
        a.close()
    with pytest.raises(SystemExit):
        main(["feedback", "--help"])
    help_text = capsys.readouterr().out
    assert "approve" in help_text and "pending" in help_text
    assert main(["feedback", "pending", "--config", str(cfg), "--json"]) == 0
    pending = json.loads(capsys.readouterr().out)["pending"]
    assert len(pending) == 1 and pending[0]["correction"] == "it is 30 days now"
    assert main(["feedback", "approve", str(pending[0]["id"]), "--config", str(cfg), "--user", "alice"]) == 0
    assert "approved" in capsys.readouterr().out
    assert main(["feedback", "approve", "99999", "--config", str(cfg)]) == 2
    assert main(["feedback", "export", "--config", str(cfg), "--out", str(tmp_path / "fb"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["corrected"] == 1 and out["pending_approval"] == 0


async def test_a_crafted_telegram_button_cannot_vote_on_a_team_reply(tmp_path):
    """Callback data comes from the client: a customer chat sending `up:<team reply id>` is refused."""
    from fakes.telegram_api import FakeTelegramAPI
    from fakes.telegram_harness import start_harness

    a, _ = real_assistant(tmp_path, ["Conversion was 3.1% [1].", "Returns are accepted within 7 days [1]."])
    tg = await FakeTelegramAPI().start()
    h = await start_harness(a, tmp_path / "channels.sqlite", fake=tg)
    try:
        team_reply = await a.handle(team("what is the return policy?"))
        tg.callback_update(f"up:{team_reply.reply_id}", chat_id=555)
        await tg.wait_calls("answerCallbackQuery", 1, timeout=20)
        await h.adapter.inflight.join()
        assert _rows(a, "SELECT * FROM feedback") == []
    finally:
        await h.close()
        a.close()
        await tg.stop()


# -- team corrections are redacted like customer ones (issue 10 follow-up) ------------------------

def _cli_config(tmp_path):
    data = tmp_path / "data"
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[data]\ndir = "{data}"\n[privacy]\nkey_file = "{tmp_path / "key"}"\n', encoding="utf-8")
    return cfg


def test_cli_feedback_correct_is_redacted_before_it_is_stored_and_exported(tmp_path, capsys):
    from bot.db import BotDB
    from bot.feedback import FeedbackStore
    from growthpilot.cli import main
    from growthpilot.config import load_config
    from growthpilot.wiring import assistant_db_path

    cfg = _cli_config(tmp_path)
    db = BotDB(assistant_db_path(load_config(cfg)))
    try:
        FeedbackStore(db).record_reply("r0123456789", conversation=("slack", "C1", "t1"), user="U1", intent="question",
                                       prompt=[{"role": "user", "content": "return policy?"}], reply="7 days.", sources=(), model_id="fake")
    finally:
        db.close()
    assert main(["feedback", "correct", "r0123456789", f"30 days; the customer is li@example.com, {PHONE}",
                 "--config", str(cfg)]) == 0
    capsys.readouterr()
    assert main(["feedback", "list", "--config", str(cfg), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["replies"][0]["correction"]
    assert PHONE not in listed and "li@example.com" not in listed
    assert "[PHONE]" in listed and "[EMAIL]" in listed and "30 days" in listed
    assert main(["feedback", "export", "--config", str(cfg), "--out", str(tmp_path / "fb"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["corrected"] == 1
    sft = (tmp_path / "fb" / "sft.jsonl").read_text(encoding="utf-8")
    pref = (tmp_path / "fb" / "preference.jsonl").read_text(encoding="utf-8")
    for text in (sft, pref):
        assert PHONE not in text and "li@example.com" not in text and "30 days" in text


def test_feedback_store_redacts_every_correction_with_its_injected_redactor(tmp_path):
    """Whoever calls the store (the CLI, an adapter, the assistant), a correction is redacted there."""
    from bot.db import BotDB
    from bot.feedback import FeedbackStore

    seen = []

    def redact(text):
        seen.append(text)
        return text.replace(PHONE, "[PHONE]")

    db = BotDB(tmp_path / "bot.sqlite")
    try:
        store = FeedbackStore(db, redact=redact)
        for rid, audience in (("r0000000001", "team"), ("r0000000002", "customer")):
            store.record_reply(rid, conversation=("slack", "C1", rid), user="U1", intent="question", prompt=[],
                               reply="x", sources=(), model_id="fake", audience=audience)
            store.record_feedback(rid, "U1", correction=f"call {PHONE}")
        stored = [r["correction"] for r in _rows_db(db, "SELECT correction FROM feedback ORDER BY id")]
        assert stored == ["call [PHONE]", "call [PHONE]"] and len(seen) == 2
        # the default (no redactor injected) is the same PII redactor the assistant uses
        plain = FeedbackStore(db)
        plain.record_feedback("r0000000001", "U2", correction=f"mail li@example.com or {PHONE}")
        last = _rows_db(db, "SELECT correction FROM feedback ORDER BY id DESC LIMIT 1")[0]["correction"]
        assert PHONE not in last and "li@example.com" not in last
    finally:
        db.close()


def _rows_db(db, sql):
    return [dict(r) for r in db.execute(sql)]


@pytest.mark.parametrize("platform", ["slack", "telegram"])
async def test_team_feedback_correction_in_chat_is_redacted(tmp_path, platform):
    a, _ = real_assistant(tmp_path, ["Returns take 7 days [1]."])
    try:
        msg = Message(platform=platform, channel="C1", user="U1", text="what is the return policy?", thread="t1", audience="team")
        r = await a.handle(msg)
        fb = await a.handle(Message(platform=platform, channel="C1", user="U1", thread="t1", audience="team",
                                    text=f"/feedback 30 days; tell li@example.com at {PHONE} {r.reply_id}"))
        assert fb.data.get("intent") == "feedback"
        rows = _rows(a, "SELECT correction, audience FROM feedback")
        assert rows and rows[0]["audience"] == "team"
        assert PHONE not in rows[0]["correction"] and "li@example.com" not in rows[0]["correction"]
        counts = a.feedback.export(tmp_path / "fb")
        assert counts["corrected"] == 1
        assert PHONE not in (tmp_path / "fb" / "sft.jsonl").read_text(encoding="utf-8")
    finally:
        a.close()
