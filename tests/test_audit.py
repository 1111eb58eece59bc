"""The audit log: one append-only, redacted, hash-chained line per reply, read by `growthpilot audit`."""

from __future__ import annotations

import json
import os
import stat

import pytest

from bot.audit import AuditLog, read_entries, verify
from bot.types import Message
from knowledge.privacy import Pseudonymizer, Redactor

pytest.importorskip("bot.assistant")


def _assistant(tmp_path, audit, replies=("Returns are accepted within 7 days [1].",) * 4):
    from bot.assistant import Assistant
    from bot.settings import AssistantSettings
    from fakes.real_assistant import OneDocRetriever
    from llm.fake import FakeGenerator

    return Assistant(AssistantSettings(default_locale="en"), generator=FakeGenerator(list(replies)),
                     team_retriever=OneDocRetriever(), public_retriever=OneDocRetriever(),
                     store_path=tmp_path / "bot.sqlite", reports=None, audit=audit)


async def test_every_reply_is_audited_pseudonymous_and_redacted(tmp_path):
    pseudo = Pseudonymizer(b"k" * 32)
    log = AuditLog(tmp_path / "audit" / "audit.jsonl", pseudo.one, Redactor())
    a = _assistant(tmp_path, log)
    try:
        r1 = await a.handle(Message("slack", "C1", "U_ALICE", "return policy? customer phone 13812345678", thread="t"))
        r2 = await a.handle(Message("telegram", "99001", "99001", "how do returns work? mail me li@example.com",
                                    audience="customer"))
        await a.handle(Message("slack", "C1", "U_ALICE", "/help", thread="t"))
    finally:
        a.close()
    raw = log.path.read_text(encoding="utf-8")
    for secret in ("13812345678", "li@example.com", "U_ALICE", "99001"):
        assert secret not in raw
    e = list(read_entries(log.path))
    assert [x["reply_id"] for x in e[:2]] == [r1.reply_id, r2.reply_id] and len(e) == 3
    assert e[0]["user"] == pseudo.one("U_ALICE") and e[0]["audience"] == "team" and e[0]["channel"] == "C1"
    assert e[1]["audience"] == "customer" and e[1]["channel"].startswith("u_")
    assert "[PHONE]" in e[0]["question"] and "[EMAIL]" in e[1]["question"]
    assert e[0]["sources"] == ["doc:faq.md#1"] and e[0]["collection"] in ("internal", "public") and "[PHONE]" in e[0]["query"]
    assert e[0]["model_id"] and e[1]["intent"] == "support" and e[2]["intent"] == "help"
    assert e[0]["ts"].endswith("+00:00")
    assert stat.S_IMODE(os.stat(log.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(log.path.parent).st_mode) == 0o700
    assert verify(log.path) == (3, None)


def test_an_edited_or_removed_line_breaks_the_chain(tmp_path):
    from bot.types import Reply

    log = AuditLog(tmp_path / "a.jsonl", lambda s: "u_" + "0" * 16, lambda s: s)
    for i in range(4):
        log.record(Message("cli", "c", "me", f"q{i}"), Reply(text="x", reply_id=f"r{i}", data={"intent": "question"}))
    assert verify(log.path) == (4, None)
    lines = log.path.read_text().splitlines()
    edited = lines[:1] + [lines[1].replace('"q1"', '"q one"')] + lines[2:]
    log.path.write_text("\n".join(edited) + "\n")
    assert verify(log.path)[1] == 3  # line 3's prev no longer matches line 2
    log.path.write_text("\n".join(lines[:1] + lines[2:]) + "\n")
    assert verify(log.path)[1] == 2


def test_audit_command_filters_by_user_and_time_and_verifies(tmp_path, capsys):
    from bot.types import Reply
    from growthpilot.cli import main
    from growthpilot.config import load_config
    from growthpilot.wiring import build_audit_log

    cfg_path = tmp_path / "config.toml"
    cfg_path.write_text(f'[data]\ndir = "{tmp_path / "data"}"\n[privacy]\nkey_file = "{tmp_path / "key"}"\n',
                        encoding="utf-8")
    log = build_audit_log(load_config(cfg_path))
    log.record(Message("slack", "C1", "U_ALICE", "top products? call 13812345678"), Reply(text="x", reply_id="r1", data={"intent": "question", "model_id": "qwen+brand"}))
    log.record(Message("slack", "C1", "U_BOB", "funnel"), Reply(text="y", reply_id="r2", data={
        "intent": "report", "report": {"kind": "funnel"}, "spec": {"metric": "conversion", "note": "ring 13812345678"},
        "sql": "SELECT count(*) FROM behavior"}))
    with pytest.raises(SystemExit):
        main(["audit", "--help"])
    assert "--since" in capsys.readouterr().out
    assert main(["audit", "--config", str(cfg_path), "--user", "U_ALICE", "--since", "1h", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [e["reply_id"] for e in out["entries"]] == ["r1"] and "[PHONE]" in out["entries"][0]["question"]
    assert main(["audit", "--config", str(cfg_path), "--user", "U_BOB", "--json"]) == 0
    (bob,) = json.loads(capsys.readouterr().out)["entries"]
    assert bob["sql"] == "SELECT count(*) FROM behavior" and "conversion" in bob["spec"] and "[PHONE]" in bob["spec"]
    assert main(["audit", "--config", str(cfg_path), "--since", "2999-01-01", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["entries"] == []
    assert main(["audit", "--config", str(cfg_path)]) == 0
    table = capsys.readouterr().out
    assert "funnel" in table and "U_BOB" not in table
    assert main(["audit", "--config", str(cfg_path), "--verify"]) == 0
    assert main(["audit", "--config", str(cfg_path), "--since", "last tuesday"]) == 2
