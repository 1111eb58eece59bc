"""The assistant's commands through the real CLI: ask --json, report --json, feedback export/list,
and the terminal REPL. A real store (ingested through `growthpilot ingest`), a real index; the
model is a FakeGenerator handed in through growthpilot.wiring."""

import io
import json

import pandas as pd
import pytest

from growthpilot.cli import main
from knowledge.types import Document
from llm.fake import FakeGenerator

DAY = 86_400


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    data = root / "data"
    cfg = root / "config.toml"
    cfg.write_text(f'[data]\ndir = "{data}"\n[privacy]\nkey_file = "{root / "key"}"\n[assistant]\ndefault_locale = "en"\n', encoding="utf-8")
    rows = []
    for u in range(40):
        for d in range(10):
            rows.append((f"user{u}", 1000 + (u + d) % 5, 7, "pv", 1_760_000_000 + d * DAY + u))
            if (u + d) % 3 == 0:
                rows.append((f"user{u}", 1000 + (u + d) % 5, 7, "cart", 1_760_000_000 + d * DAY + u + 10))
            if (u + d) % 7 == 0:
                rows.append((f"user{u}", 1000 + (u + d) % 5, 7, "buy", 1_760_000_000 + d * DAY + u + 20))
    log = pd.DataFrame(rows, columns=["user_id", "item_id", "category_id", "behavior", "timestamp"])
    log.to_csv(root / "behavior.csv", index=False, header=False)
    assert main(["ingest", "--config", str(cfg), "--no-index", "behavior", str(root / "behavior.csv")]) == 0
    # a small index built with the real embedder
    from knowledge.embeddings import USEEmbedder
    from knowledge.indexing import update_collection
    from knowledge.search import collection_path
    from knowledge.settings import IndexSettings

    emb = USEEmbedder()
    internal = [Document("insight:funnel:item:1000", "insight", "Item 1000: 80 viewers, 12 buyers, conversion 15.0%.", "Funnel: item 1000", {"numbers": {"viewers": 80, "buyers": 12}})]
    public = [Document("doc:faq.md#1", "doc", "Returns: you can return any item within 30 days of delivery for a full refund.", "Returns policy")]
    for name, docs in (("internal", internal), ("public", public)):
        update_collection(collection_path(data, name), name, docs, emb, IndexSettings(), progress=False)
    return cfg, log


@pytest.fixture
def fake_model(monkeypatch):
    gen = FakeGenerator()
    monkeypatch.setattr("growthpilot.wiring.build_generator", lambda cfg, progress=True: gen)
    return gen


def test_ask_json_has_text_citations_and_checked_numbers(workspace, fake_model, capsys):
    # not a data question the parser turns into a query: answered from the index, numbers checked
    cfg, _ = workspace
    fake_model.queue("Item 1000 had 12 buyers [1]. It earned 777 dollars [1].")
    assert main(["ask", "--config", str(cfg), "--json", "--thread", "t-json", "/ask Summarise what the insights say about item 1000"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] and out["intent"] == "question" and out["lang"] == "en"
    assert out["text"].startswith("Item 1000 had 12 buyers[1].") and "777" not in out["text"]
    assert out["citations"][0]["id"] == "insight:funnel:item:1000" and out["citations"][0]["n"] == 1
    assert out["numbers"]["unsupported_numbers"] == ["777"]
    assert out["reply_id"].startswith("r")


def test_data_question_is_answered_by_a_query_with_the_pandas_number(workspace, fake_model, capsys):
    cfg, log = workspace
    assert main(["--config", str(cfg), "ask", "--json", "--thread", "t-q", "How many buyers did item 1000 have?"]) == 0
    out = json.loads(capsys.readouterr().out)
    buyers = log[(log["behavior"] == "buy") & (log["item_id"] == 1000)]["user_id"].nunique()
    assert out["data"]["kind"] == "query" and out["data"]["spec"]["metric"] == "buyers", out["data"]
    assert (f": {buyers}." in out["text"] or f"1000 — {buyers}\n" in out["text"]) and "How this was computed" in out["text"]
    assert out["data"]["sql"].strip().upper().startswith(("SELECT", "WITH"))
    assert fake_model.prompts == []  # the number needs no model


def test_config_before_or_after_the_command(workspace, fake_model, capsys):
    cfg, _ = workspace
    assert main(["--config", str(cfg), "--json", "ask", "/help"]) == 0
    before = json.loads(capsys.readouterr().out)
    assert main(["ask", "/help", "--config", str(cfg), "--json"]) == 0
    after = json.loads(capsys.readouterr().out)
    assert before["text"] == after["text"] and "/report" in before["text"]


def test_ask_report_json_carries_numbers_and_chart(workspace, fake_model, capsys):
    cfg, log = workspace
    assert main(["ask", "--config", str(cfg), "--json", "/report funnel"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["numbers"]["viewers"] == log[log["behavior"] == "pv"]["user_id"].nunique()
    assert out["chart"].endswith(".png")
    assert fake_model.prompts == []  # reports never go through the model


def test_report_command_numbers_equal_pandas(workspace, capsys):
    cfg, log = workspace
    assert main(["report", "funnel", "--config", str(cfg), "--json", "--lang", "zh"]) == 0
    out = json.loads(capsys.readouterr().out)
    users = log.groupby("behavior")["user_id"].nunique()
    assert out["numbers"]["buyers"] == users["buy"] and out["numbers"]["carters"] == users["cart"]
    assert out["lang"] == "zh" and "转化率" in out["narrative"]
    assert main(["report", "top", "--config", str(cfg), "--n", "3"]) == 0
    text = capsys.readouterr().out
    buys = log[log["behavior"] == "buy"].groupby("item_id").size().sort_values(ascending=False)
    assert f"{buys.iloc[0]:,}" in text and "Chart:" in text


def test_report_scope_error_is_user_facing(workspace, capsys):
    cfg, _ = workspace
    assert main(["report", "funnel", "--config", str(cfg), "--product", "999999"]) == 2
    assert "no behaviour events match" in capsys.readouterr().err


def test_feedback_up_list_and_export(workspace, fake_model, capsys, tmp_path):
    cfg, _ = workspace
    fake_model.queue("Item 1000 had 12 buyers [1].")
    main(["ask", "--config", str(cfg), "--json", "--thread", "t-fb", "/ask Summarise what the insights say about item 1000"])
    reply_id = json.loads(capsys.readouterr().out)["reply_id"]
    assert main(["feedback", "correct", reply_id, "Item 1000 had 12 buyers out of 80 viewers [1].", "--config", str(cfg)]) == 0
    assert main(["feedback", "list", "--config", str(cfg), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out.split("\n", 1)[1])["replies"]
    assert listed[0]["reply_id"] == reply_id and listed[0]["correction"].startswith("Item 1000 had 12 buyers out of 80")
    assert main(["feedback", "export", "--config", str(cfg), "--out", str(tmp_path / "fb"), "--json"]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert counts["corrected"] >= 1 and counts["preference_pairs"] >= 1
    pref = [json.loads(l) for l in (tmp_path / "fb" / "preference.jsonl").read_text().splitlines()]
    assert any(p["rejected"].startswith("Item 1000 had 12 buyers[1]") for p in pref)
    assert main(["feedback", "up", "rdoesnotexist", "--config", str(cfg)]) == 2


def test_chat_repl_streams_and_handles_commands(workspace, fake_model):
    from adapters.cli import repl
    from growthpilot.config import load_config
    from growthpilot.wiring import build_assistant

    cfg_path, _ = workspace
    assistant = build_assistant(load_config(cfg_path), "team")
    fake_model.queue("Item 1000 had 12 buyers [1]. Great.")
    lines = iter(["/ask Summarise what the insights say about item 1000", "/feedback up", "/reset", "/quit"])
    out = io.StringIO()
    import asyncio

    n = asyncio.run(repl(assistant, read_line=lambda prompt: next(lines), out=out, thread="repl"))
    assistant.close()
    text = out.getvalue()
    assert n == 3
    assert "bot> Item 1000 had 12 buyers[1]. Great." in text
    assert "[1] Funnel: item 1000 (insight, insight:funnel:item:1000)" in text
    assert "Thanks — noted 👍" in text and "Conversation cleared" in text


def test_ask_without_data_is_a_user_error_with_the_fix(tmp_path, fake_model, capsys):
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[data]\ndir = "{tmp_path / "empty"}"\n', encoding="utf-8")
    assert main(["ask", "--config", str(cfg), "--json", "anything?"]) == 2
    captured = capsys.readouterr()
    assert json.loads(captured.out)["ok"] is False
    assert "no data yet" in captured.err and "growthpilot demo" in captured.err
    assert fake_model.prompts == []


@pytest.fixture
def counted_loader(monkeypatch):
    """The real growthpilot.wiring.build_generator (lazy), with the model loader counted: a
    FakeGenerator stands in for the loaded model."""
    gen = FakeGenerator()
    calls = []

    def make_generator(model, generation, progress=True, **kw):
        calls.append(model.name)
        return gen

    monkeypatch.setattr("llm.factory.make_generator", make_generator)
    return gen, calls


def test_data_question_in_a_new_ask_process_never_loads_the_model(workspace, counted_loader, capsys):
    cfg, log = workspace
    gen, calls = counted_loader
    assert main(["ask", "--config", str(cfg), "--json", "--thread", "t-lazy", "How many buyers did item 1000 have?"]) == 0
    out = json.loads(capsys.readouterr().out)
    buyers = log[(log["behavior"] == "buy") & (log["item_id"] == 1000)]["user_id"].nunique()
    assert (f": {buyers}." in out["text"] or f"1000 — {buyers}\n" in out["text"]) and "How this was computed" in out["text"]
    assert calls == [] and gen.prompts == []  # the loader never ran: no start-up cost for a data question


def test_a_question_that_needs_the_model_loads_it_once_on_first_need(workspace, counted_loader, capsys):
    cfg, _ = workspace
    gen, calls = counted_loader
    gen.queue("Item 1000 had 12 buyers [1].")
    assert main(["ask", "--config", str(cfg), "--json", "--thread", "t-lazy2", "/ask Summarise what the insights say about item 1000"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["text"].startswith("Item 1000 had 12 buyers[1].")
    assert len(calls) == 1 and len(gen.prompts) == 1
