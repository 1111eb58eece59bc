"""Issue 10 item 3: a refresh journal. Ingest records what is stored but not yet indexed; any
later run (ingest, `search`, `serve` start-up) finishes it — after `--no-index` and after a
kill -9 during the index refresh the stored reviews reach the index instead of "nothing new"."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from growthpilot.cli import main
from knowledge.store import Store
from knowledge.vector_index import IndexDirectory

ROOT = Path(__file__).resolve().parents[1]
KEY = "journal-test-key-0123456789abcde"
REVIEWS = "review,rating\nbattery life is great and lasts a week,5\nthe screen cracked after two days,1\n" \
          "delivery was fast and the box was intact,4\n"


@pytest.fixture
def cfg(tmp_path, monkeypatch):
    monkeypatch.setenv("GROWTHPILOT_PSEUDONYM_KEY", KEY)
    p = tmp_path / "config.toml"
    p.write_text('[data]\ndir = "state"\n', encoding="utf-8")
    return p


@pytest.fixture
def reviews(tmp_path):
    f = tmp_path / "reviews.csv"
    f.write_text(REVIEWS, encoding="utf-8")
    return f


def indexed_ids(data_dir: Path, name: str = "internal") -> set[str]:
    d = IndexDirectory(data_dir / "indexes" / name)
    if not d.exists():
        return set()
    items = d.verified_files(d.read_manifest())["items"]
    return {json.loads(l)["id"] for l in items.read_text(encoding="utf-8").splitlines() if l.strip()}


def review_ids(data_dir: Path) -> set[str]:
    with Store.open(data_dir) as s:
        return set(s.reviews_frame()["id"])


def pending(data_dir: Path) -> list:
    with Store.open(data_dir) as s:
        return s.pending_refresh()


def test_no_index_then_the_next_ingest_indexes_the_stored_reviews(tmp_path, cfg, reviews, capsys):
    assert main(["ingest", "reviews", str(reviews), "--config", str(cfg), "--no-index"]) == 0
    out = capsys.readouterr().out
    assert "not indexed yet" in out and "next" in out
    data = tmp_path / "state"
    assert len(review_ids(data)) == 3 and not indexed_ids(data)
    assert [p["rows"] for p in pending(data)] == [3]
    assert main(["ingest", "reviews", str(reviews), "--config", str(cfg), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["report"]["already_ingested"]
    assert "nothing new" not in again["refresh_note"] and "stored earlier" in again["refresh_note"]
    assert again["refresh"] is not None
    assert review_ids(data) <= indexed_ids(data)
    assert pending(data) == []
    # and now it really is nothing new
    assert main(["ingest", "reviews", str(reviews), "--config", str(cfg), "--json"]) == 0
    assert "nothing new" in json.loads(capsys.readouterr().out)["refresh_note"]


def test_search_finishes_the_journal(tmp_path, cfg, reviews, capsys):
    assert main(["ingest", "reviews", str(reviews), "--config", str(cfg), "--no-index"]) == 0
    capsys.readouterr()
    assert main(["search", "screen cracked", "--config", str(cfg), "--json"]) == 0
    res = capsys.readouterr()
    hits = json.loads(res.out)["hits"]
    assert any("cracked" in h["text"] for h in hits)
    assert "not yet in the search index" in res.err
    assert pending(tmp_path / "state") == []


def test_serve_start_up_finishes_the_journal(tmp_path, cfg, reviews, capsys, monkeypatch):
    import growthpilot.commands.serve as serve

    assert main(["ingest", "reviews", str(reviews), "--config", str(cfg), "--no-index"]) == 0
    seen = {}

    async def fake_serve(cfg_, credentials):
        seen["indexed_at_start"] = indexed_ids(tmp_path / "state")
        return {}

    monkeypatch.setattr(serve, "check_credentials", lambda *a, **k: {})
    monkeypatch.setattr(serve, "_serve", fake_serve)
    assert main(["serve", "--telegram", "--config", str(cfg)]) == 0
    assert review_ids(tmp_path / "state") <= seen["indexed_at_start"]


def test_a_crash_during_the_refresh_is_finished_by_the_next_run(tmp_path, cfg, reviews, capsys, monkeypatch):
    import growthpilot.pipeline as pipeline

    real = pipeline.update_indexes

    def crash(*a, **k):
        raise RuntimeError("simulated crash in the index refresh")

    monkeypatch.setattr(pipeline, "update_indexes", crash)
    assert main(["ingest", "reviews", str(reviews), "--config", str(cfg)]) == 1
    data = tmp_path / "state"
    assert len(review_ids(data)) == 3 and not indexed_ids(data) and pending(data)
    monkeypatch.setattr(pipeline, "update_indexes", real)
    capsys.readouterr()
    assert main(["ingest", "reviews", str(reviews), "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "nothing new" not in out and "refreshed" in out
    assert review_ids(data) <= indexed_ids(data)


def test_kill_9_during_the_refresh(tmp_path, cfg, reviews):
    code = (
        "import sys, time; sys.path.insert(0, %r)\n"
        "import growthpilot.pipeline as p\n"
        "def slow(*a, **k):\n    print('refreshing', file=sys.stderr, flush=True); time.sleep(120)\n"
        "p.update_indexes = slow\n"
        "from growthpilot.cli import main\n"
        "main(['ingest', 'reviews', %r, '--config', %r])\n"
    ) % (str(ROOT), str(reviews), str(cfg))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GROWTHPILOT_PSEUDONYM_KEY": KEY}
    proc = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            text=True, env=env)
    try:
        for line in proc.stderr:
            if "refreshing" in line:
                break
        proc.kill()  # SIGKILL
        proc.wait(10)
    finally:
        proc.kill()
    data = tmp_path / "state"
    assert len(review_ids(data)) == 3 and not indexed_ids(data)
    assert main(["ingest", "reviews", str(reviews), "--config", str(cfg), "--json"]) == 0
    assert review_ids(data) <= indexed_ids(data)


def test_no_index_help_text_says_what_finishes_it(capsys):
    with pytest.raises(SystemExit):
        main(["ingest", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "next `growthpilot ingest`, `search` or `serve`" in out


def insight_count(data_dir: Path) -> int:
    with Store.open(data_dir) as s:
        return s.counts()["insights"]


def test_search_rebuild_clears_the_journal_and_recomputes_what_it_covers(tmp_path, cfg, reviews, capsys):
    """`search --rebuild` after `--no-index`: the reviews are indexed, their insights computed, and the
    journal is empty, so the next run does not index them all over again."""
    data = tmp_path / "state"
    assert main(["ingest", "reviews", str(reviews), "--config", str(cfg), "--no-index"]) == 0
    assert pending(data) and insight_count(data) == 0
    capsys.readouterr()
    assert main(["search", "--rebuild", "--config", str(cfg), "--json"]) == 0
    capsys.readouterr()
    assert review_ids(data) <= indexed_ids(data)
    assert pending(data) == []
    assert insight_count(data) > 0  # the stored reviews' insights too, not only the index
    assert main(["search", "screen cracked", "--config", str(cfg), "--json"]) == 0
    assert "not yet in the search index" not in capsys.readouterr().err


def test_search_rebuild_takes_the_writer_lock(tmp_path, cfg, reviews, capsys):
    cfg.write_text('[data]\ndir = "state"\n[ingest]\nlock_wait_s = 0.3\n', encoding="utf-8")
    data = tmp_path / "state"
    assert main(["ingest", "reviews", str(reviews), "--config", str(cfg)]) == 0
    before = (data / "indexes" / "internal" / "manifest.json").read_bytes()
    capsys.readouterr()
    holder = Store.open(data)
    try:
        with holder.writing():
            code = main(["search", "--rebuild", "--config", str(cfg)])
            err = capsys.readouterr().err
    finally:
        holder.close()
    assert code == 2
    assert "being written by" in err and f"pid {os.getpid()}" in err and "waiting up to 0.3 s" in err
    assert (data / "indexes" / "internal" / "manifest.json").read_bytes() == before  # nothing rebuilt
