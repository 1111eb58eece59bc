"""Issue 10 item 7: a 50 MB single-line file and a permission-denied file exit 2 with a clear
message (file, what, how to fix), never 1 (internal error). A docs folder with one unreadable
file exits 2 WITHOUT storing the files before it (no half set); counts reconcile."""

import builtins
import json
import os
from pathlib import Path

import pytest

from growthpilot.cli import main
from knowledge.store import Store

KEY = "limits-test-key-0123456789abcdef"


@pytest.fixture
def cfg(tmp_path, monkeypatch):
    monkeypatch.setenv("GROWTHPILOT_PSEUDONYM_KEY", KEY)
    p = tmp_path / "config.toml"
    p.write_text('[data]\ndir = "state"\n', encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def huge(tmp_path_factory):
    d = tmp_path_factory.mktemp("huge")
    line = d / "one_line.csv"
    line.write_text("x" * 50_000_000 + "\n", encoding="utf-8")
    row = d / "one_row.csv"
    row.write_text("review,rating\n" + "y" * 50_000_000 + ",5\n", encoding="utf-8")
    js = d / "one_review.jsonl"
    js.write_text(json.dumps({"review": "z" * 50_000_000, "rating": 5}) + "\n", encoding="utf-8")
    return {"line": line, "row": row, "jsonl": js}


@pytest.mark.parametrize("kind,which", [("behavior", "line"), ("behavior", "row"), ("reviews", "line"),
                                        ("reviews", "row"), ("reviews", "jsonl"), ("catalog", "line")])
def test_50mb_single_line_exits_2_with_a_clear_message(kind, which, huge, cfg, capsys):
    f = huge[which]
    code = main(["ingest", kind, str(f), "--config", str(cfg), "--no-index"])
    cap = capsys.readouterr()
    assert code == 2, cap.err
    said = cap.err + cap.out
    assert f.name in said
    assert "something went wrong on our side" not in said
    if which != "jsonl":
        assert "fix" in said.lower() or "split" in said or "must have" in said
    else:  # the one review is rejected with a reason: nothing usable
        assert "nothing usable" in said and "rejected    1" in said
        rej = next((cfg.parent / "state" / "rejects").glob("one_review.jsonl.*"))
        assert "max_text_chars" in rej.read_text(encoding="utf-8")


def _deny(monkeypatch, target: Path):
    """Root reads everything, so a permission-denied file is simulated at the open() calls."""
    real_open, real_os_open = builtins.open, os.open
    target = str(target)

    def fake_open(file, *a, **k):
        if str(file) == target:
            raise PermissionError(13, "Permission denied", target)
        return real_open(file, *a, **k)

    def fake_os_open(file, *a, **k):
        if str(file) == target:
            raise PermissionError(13, "Permission denied", target)
        return real_os_open(file, *a, **k)

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(os, "open", fake_os_open)


@pytest.mark.parametrize("kind", ["behavior", "reviews", "catalog", "docs"])
def test_permission_denied_exits_2(kind, tmp_path, cfg, capsys, monkeypatch):
    f = tmp_path / ("faq.md" if kind == "docs" else "data.csv")
    f.write_text("1,100,7,pv,1700000000\n", encoding="utf-8")
    _deny(monkeypatch, f)
    code = main(["ingest", kind, str(f), "--config", str(cfg), "--no-index"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "faq.md" in err or "data.csv" in err
    assert "permission denied" in err and "chmod" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_permission_denied_for_real(tmp_path, cfg, capsys):
    f = tmp_path / "data.csv"
    f.write_text("1,100,7,pv,1700000000\n", encoding="utf-8")
    f.chmod(0)
    assert main(["ingest", "behavior", str(f), "--config", str(cfg)]) == 2
    assert "permission denied" in capsys.readouterr().err


def test_docs_folder_with_one_unreadable_file_stores_nothing(tmp_path, cfg, capsys, monkeypatch):
    d = tmp_path / "docs"
    d.mkdir()
    for name in ("a.md", "b.md", "c.md"):
        (d / name).write_text(f"# {name}\n\ntext of {name}\n", encoding="utf-8")
    _deny(monkeypatch, d.resolve() / "b.md")
    code = main(["ingest", "docs", str(d), "--config", str(cfg)])
    err = capsys.readouterr().err
    assert code == 2
    assert "b.md (permission denied)" in err and "Nothing was stored" in err and "chmod" in err
    with Store.open(tmp_path / "state") as s:
        assert s.counts()["docs"] == 0  # a.md, before it, is not committed either
    monkeypatch.undo()
    monkeypatch.setenv("GROWTHPILOT_PSEUDONYM_KEY", KEY)
    assert main(["ingest", "docs", str(d), "--config", str(cfg), "--no-index"]) == 0
    with Store.open(tmp_path / "state") as s:
        assert s.counts()["docs"] == 3


def test_an_oversized_doc_is_a_rejected_file_with_reason(tmp_path, cfg, capsys):
    d = tmp_path / "docs"
    d.mkdir()
    (d / "ok.md").write_text("# OK\n\nfine\n", encoding="utf-8")
    (d / "huge.md").write_text("w" * 6_000_000, encoding="utf-8")
    assert main(["ingest", "docs", str(d), "--config", str(cfg), "--no-index", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)["report"]
    assert (r["read"], r["accepted"], r["rejected"]) == (2, 1, 1)
    rej = Path(r["rejects_path"]).read_text(encoding="utf-8")
    assert "huge.md" in rej and "max_doc_bytes" in rej
