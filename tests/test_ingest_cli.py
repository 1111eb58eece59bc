"""`growthpilot ingest`: what the person sees, exit codes, --json."""

import json

import pytest

from growthpilot.cli import main


@pytest.fixture
def cfg(tmp_path, monkeypatch):
    monkeypatch.delenv("GROWTHPILOT_PSEUDONYM_KEY", raising=False)
    p = tmp_path / "config.toml"
    p.write_text('[data]\ndir = "state"\n[privacy]\nkey_file = "state/keys/pseudonym.key"\n', encoding="utf-8")
    return p


def test_ingest_prints_counts_and_rejects_file(tmp_path, cfg, capsys):
    f = tmp_path / "log.csv"
    f.write_text("1,100,7,pv,1700000000\n1,100,7,clik,1700000001\n2,100,7,buy,1700000002\n", encoding="utf-8")
    code = main(["ingest", "behavior", str(f), "--config", str(cfg), "--no-index"])
    out = capsys.readouterr().out
    assert code == 0
    assert "read        3" in out and "accepted    2" in out and "rejected    1" in out and "duplicates  0" in out
    rejects = next((tmp_path / "state" / "rejects").glob("log.csv.*.jsonl"))
    assert str(rejects) in out
    assert "line 2: behavior 'clik'" in rejects.read_text(encoding="utf-8")
    assert "--no-index" in out
    assert (tmp_path / "state" / "keys" / "pseudonym.key").exists()


def test_ingest_json_and_reingest(tmp_path, cfg, capsys):
    f = tmp_path / "log.csv"
    f.write_text("1,100,7,pv,1700000000\n", encoding="utf-8")
    assert main(["ingest", "behavior", str(f), "--config", str(cfg), "--no-index", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["ok"] and first["report"]["accepted"] == 1 and first["store"]["behavior"] == 1
    assert main(["ingest", "behavior", str(f), "--config", str(cfg), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["report"]["already_ingested"] and again["report"]["accepted"] == 0
    assert again["report"]["duplicates"] == 1 and again["store"]["behavior"] == 1
    # the first run stored without indexing (refresh journal): this run indexes it (issue 10 item 3)
    assert again["refresh"] is not None and "stored earlier" in again["refresh_note"]
    assert main(["ingest", "behavior", str(f), "--config", str(cfg), "--json"]) == 0
    third = json.loads(capsys.readouterr().out)
    assert third["refresh"] is None and "nothing new" in third["refresh_note"]


def test_unreadable_or_all_rejected_exits_2(tmp_path, cfg, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xff\xfe\xff\n")
    assert main(["ingest", "behavior", str(bad), "--config", str(cfg)]) == 2
    assert "bad.csv" in capsys.readouterr().err
    junk = tmp_path / "junk.csv"
    junk.write_text("1,2,3,clik,4\n", encoding="utf-8")
    assert main(["ingest", "behavior", str(junk), "--config", str(cfg)]) == 2
    out = capsys.readouterr().out
    assert "rejected    1" in out and "nothing usable" in out
    assert main(["ingest", "reviews", str(tmp_path / "missing.csv"), "--config", str(cfg)]) == 2
    assert "no such file" in capsys.readouterr().err


def test_successful_ingest_refreshes_insights_and_indexes(tmp_path, cfg, capsys):
    # the real refresh: insights computed, the internal index built, then searchable
    f = tmp_path / "log.csv"
    rows = [f"{u},{100 + u % 3},7,{b},{1700000000 + 3600 * u + i}"
            for u in range(1, 13) for i, b in enumerate(("pv", "cart", "buy")[: 1 + u % 3])]
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["ingest", "behavior", str(f), "--config", str(cfg), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["refresh"]["insights"] > 0
    # every computed insight is indexed twice: its English and its Chinese text
    assert result["refresh"]["indexes"]["internal"]["total"] == 2 * result["refresh"]["insights"]
    assert main(["insights", "--topic", "funnel", "--config", str(cfg), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert any("100" in json.dumps(i) for i in (listed["insights"] if isinstance(listed, dict) else listed))
    assert main(["search", "conversion funnel", "--config", str(cfg), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["hits"]
    # the same file again: nothing new, so no refresh
    assert main(["ingest", "behavior", str(f), "--config", str(cfg), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["refresh"] is None and "nothing new" in again["refresh_note"]


def test_folder_where_a_file_is_expected_exits_2(tmp_path, cfg, capsys):
    (tmp_path / "folder").mkdir()
    assert main(["ingest", "reviews", str(tmp_path / "folder"), "--config", str(cfg)]) == 2
    assert "is a folder" in capsys.readouterr().err
