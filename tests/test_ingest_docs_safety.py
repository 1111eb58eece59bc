"""Issue 10 items 4 and 5: `ingest docs` never follows symbolic links out of the folder (the
pseudonym key file and /etc/passwd can never enter the public collection); stable ids from the
path relative to the docs root; re-ingesting one file replaces its chunks; `growthpilot docs
remove` deletes a doc from the store and the index."""

import json
import os
from pathlib import Path

import pytest

from growthpilot.cli import main
from knowledge.store import Store
from knowledge.vector_index import IndexDirectory

KEY = "docs-safety-key-0123456789abcdef"
RETURNS_30 = "# Returns\n\nYou can return any product within 30 days.\n"
RETURNS_7 = "# Returns\n\nYou can return any product within 7 days.\n"


@pytest.fixture
def cfg(tmp_path, monkeypatch):
    monkeypatch.setenv("GROWTHPILOT_PSEUDONYM_KEY", KEY)
    p = tmp_path / "config.toml"
    p.write_text('[data]\ndir = "state"\n', encoding="utf-8")
    return p


def public_texts(data: Path) -> list[str]:
    d = IndexDirectory(data / "indexes" / "public")
    if not d.exists():
        return []
    items = d.verified_files(d.read_manifest())["items"]
    return [json.loads(l)["text"] for l in items.read_text(encoding="utf-8").splitlines() if l.strip()]


def stored_docs(data: Path):
    with Store.open(data) as s:
        return s.docs_frame()


def test_symlinks_are_never_followed(tmp_path, cfg, capsys):
    secret = tmp_path / "private"
    secret.mkdir()
    (secret / "pseudonym.key").write_text("SECRET-KEY-abcdef0123456789\n", encoding="utf-8")
    (secret / "notes.md").write_text("# Internal\n\nmargin is 63% on the bottle\n", encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "faq.md").write_text("# FAQ\n\nWe ship in 48 hours.\n", encoding="utf-8")
    os.symlink("/etc/passwd", docs / "passwd.txt")
    os.symlink(secret / "pseudonym.key", docs / "key.md")
    os.symlink(secret, docs / "more")  # a linked folder
    assert main(["ingest", "docs", str(docs), "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "skipped 3 symbolic link(s)" in out and "passwd.txt" in out and "key.md" in out and "more/" in out
    data = tmp_path / "state"
    texts = " ".join(stored_docs(data)["text"]) + " ".join(public_texts(data))
    assert "48 hours" in texts
    for leaked in ("root:", "SECRET-KEY", "63%"):
        assert leaked not in texts
    assert set(stored_docs(data)["path"]) == {"faq.md"}


def test_a_symlinked_file_given_directly_is_refused(tmp_path, cfg, capsys):
    os.symlink("/etc/passwd", tmp_path / "passwd.md")
    assert main(["ingest", "docs", str(tmp_path / "passwd.md"), "--config", str(cfg)]) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert not (tmp_path / "state" / "store.sqlite").exists() or stored_docs(tmp_path / "state").empty


def test_reingesting_one_file_replaces_it_under_the_same_id(tmp_path, cfg, capsys, monkeypatch):
    docs = tmp_path / "docs"
    (docs / "policies").mkdir(parents=True)
    (docs / "faq.md").write_text("# FAQ\n\nWe ship in 48 hours.\n", encoding="utf-8")
    (docs / "policies" / "returns.md").write_text(RETURNS_30, encoding="utf-8")
    assert main(["ingest", "docs", str(docs), "--config", str(cfg)]) == 0
    (docs / "policies" / "returns.md").write_text(RETURNS_7, encoding="utf-8")
    assert main(["ingest", "docs", str(docs / "policies" / "returns.md"), "--config", str(cfg)]) == 0
    data = tmp_path / "state"
    df = stored_docs(data)
    assert sorted(df["id"]) == ["doc:faq.md#0", "doc:policies/returns.md#0"]
    joined = " ".join(public_texts(data))
    assert "7 days" in joined and "30 days" not in joined  # customers get one policy, the current one
    # from another working directory, by a relative path: still the same id
    monkeypatch.chdir(docs / "policies")
    (docs / "policies" / "returns.md").write_text(RETURNS_30, encoding="utf-8")
    assert main(["ingest", "docs", "returns.md", "--config", str(cfg)]) == 0
    assert sorted(stored_docs(data)["id"]) == ["doc:faq.md#0", "doc:policies/returns.md#0"]


def test_a_file_ingested_alone_first_is_not_duplicated_by_its_folder_later(tmp_path, cfg):
    docs = tmp_path / "docs"
    (docs / "policies").mkdir(parents=True)
    (docs / "policies" / "returns.md").write_text(RETURNS_30, encoding="utf-8")
    assert main(["ingest", "docs", str(docs / "policies" / "returns.md"), "--config", str(cfg)]) == 0
    assert main(["ingest", "docs", str(docs), "--config", str(cfg)]) == 0
    data = tmp_path / "state"
    assert list(stored_docs(data)["id"]) == ["doc:policies/returns.md#0"]
    assert sum("30 days" in t for t in public_texts(data)) == 1


def test_docs_remove_deletes_from_store_and_index(tmp_path, cfg, capsys):
    docs = tmp_path / "docs"
    (docs / "policies").mkdir(parents=True)
    (docs / "faq.md").write_text("# FAQ\n\nWe ship in 48 hours.\n", encoding="utf-8")
    (docs / "policies" / "returns.md").write_text(RETURNS_30, encoding="utf-8")
    assert main(["ingest", "docs", str(docs), "--config", str(cfg)]) == 0
    capsys.readouterr()
    assert main(["docs", "list", "--config", str(cfg)]) == 0
    assert "doc:policies/returns.md" in capsys.readouterr().out
    assert main(["docs", "remove", "doc:policies/returns.md", "--config", str(cfg)]) == 0
    assert "removed doc:policies/returns.md" in capsys.readouterr().out
    data = tmp_path / "state"
    assert list(stored_docs(data)["path"]) == ["faq.md"]
    assert not any("30 days" in t for t in public_texts(data))
    assert main(["docs", "remove", str(docs / "faq.md"), "--config", str(cfg)]) == 0  # by file path
    assert stored_docs(data).empty and not any("48 hours" in t for t in public_texts(data))
    assert main(["docs", "remove", "nope.md", "--config", str(cfg)]) == 2
    assert "no stored doc matches nope.md" in capsys.readouterr().err


def test_docs_command_has_help(capsys):
    with pytest.raises(SystemExit):
        main(["docs", "remove", "--help"])
    out = capsys.readouterr().out
    assert "search index" in out and "REF" in out
