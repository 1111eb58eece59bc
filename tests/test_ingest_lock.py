"""Issue 10 item 2: one writer at a time. A lock on the data dir; a second writer waits with a
message or exits 2 naming the holder (pid, command, since); two ingests at once store no
duplicates; the same file twice at once → one stores it, the other says already ingested;
the duplicate-hash file is not rebuilt on every open afterwards."""

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from growthpilot.cli import main
from knowledge.ingest import ingest_behavior
from knowledge.privacy import Privacy
from knowledge.settings import IngestSettings
from knowledge.store import DataDirBusy, Store

ROOT = Path(__file__).resolve().parents[1]
KEY = "lock-test-key-0123456789abcdef01"


@pytest.fixture
def cfg(tmp_path, monkeypatch):
    monkeypatch.setenv("GROWTHPILOT_PSEUDONYM_KEY", KEY)
    p = tmp_path / "config.toml"
    p.write_text('[data]\ndir = "state"\n[ingest]\nlock_wait_s = 0.5\n', encoding="utf-8")
    return p


def _log(path: Path, n: int, *, header: bool = False, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    u, i = rng.integers(1, 5000, n), rng.integers(1, 2000, n)
    ts = 1700000000 + np.arange(n)
    beh = np.array(["pv", "cart", "fav", "buy"])[rng.integers(0, 4, n)]
    body = "\n".join(f"{a},{b},7,{c},{t}" for a, b, c, t in zip(u, i, beh, ts))
    path.write_text(("user_id,item_id,category_id,behavior,timestamp\n" if header else "") + body + "\n", encoding="utf-8")
    return path


def _cli(*args, env_extra=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GROWTHPILOT_PSEUDONYM_KEY": KEY}
    env.update(env_extra or {})
    return subprocess.Popen([sys.executable, "-m", "growthpilot.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def test_second_writer_exits_2_naming_the_holder(tmp_path, cfg, capsys):
    holder = Store.open(tmp_path / "state")
    f = _log(tmp_path / "log.csv", 3)
    try:
        with holder.writing():
            code = main(["ingest", "behavior", str(f), "--config", str(cfg), "--no-index"])
            err = capsys.readouterr().err
    finally:
        holder.close()
    assert code == 2
    assert f"pid {os.getpid()}" in err and "since 20" in err and "being written by" in err
    assert "waiting up to 0.5 s" in err  # the message while it waited
    assert "lock_wait_s" in err  # how to wait longer
    with Store.open(tmp_path / "state") as s:
        assert s.counts()["behavior"] == 0


def test_second_writer_waits_then_proceeds(tmp_path, cfg, capsys):
    cfg.write_text('[data]\ndir = "state"\n[ingest]\nlock_wait_s = 20\n', encoding="utf-8")
    holder = Store.open(tmp_path / "state")
    f = _log(tmp_path / "log.csv", 3)
    result = {}
    with holder.writing():
        t = threading.Thread(target=lambda: result.setdefault(
            "code", main(["ingest", "behavior", str(f), "--config", str(cfg), "--no-index"])))
        t.start()
        time.sleep(1.0)
        assert t.is_alive()  # it waits for us
    holder.close()
    t.join(30)
    out = capsys.readouterr()
    assert result["code"] == 0 and "accepted    3" in out.out
    assert "waiting up to 20 s" in out.err


def test_lock_is_released_when_the_holder_dies(tmp_path):
    data = tmp_path / "state"
    Store.open(data).close()
    code = ("import sys, time; sys.path.insert(0, %r); from knowledge.store import Store; s = Store.open(%r); "
            "ctx = s.writing(); ctx.__enter__(); print('held', flush=True); time.sleep(60)") % (str(ROOT), str(data))
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "held"
        s = Store.open(data)
        with pytest.raises(DataDirBusy, match=rf"pid {p.pid} .*since"):
            with s.writing(wait_s=0.2):
                pass
        p.kill()
        p.wait(10)
        with s.writing(wait_s=5):  # kill -9 leaves no stale lock
            assert s.holds_writer_lock
        s.close()
    finally:
        p.kill()


def test_two_ingests_at_once_store_no_duplicates(tmp_path, cfg):
    cfg.write_text('[data]\ndir = "state"\n[ingest]\nlock_wait_s = 120\n', encoding="utf-8")
    a = _log(tmp_path / "a.csv", 200_000)
    b = _log(tmp_path / "b.csv", 200_000, header=True)  # same rows, another file (another hash)
    procs = [_cli("ingest", "behavior", str(f), "--config", str(cfg), "--no-index", "--json") for f in (a, b)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    reports = [json.loads(o[0])["report"] for o in outs]
    assert sorted(r["accepted"] for r in reports) == [0, 200_000]  # the later one finds them all stored
    assert sorted(r["duplicates"] for r in reports) == [0, 200_000]
    with Store.open(tmp_path / "state") as s:
        assert s.counts()["behavior"] == 200_000


def test_same_file_twice_at_once(tmp_path, cfg):
    cfg.write_text('[data]\ndir = "state"\n[ingest]\nlock_wait_s = 120\n', encoding="utf-8")
    a = _log(tmp_path / "a.csv", 100_000)
    procs = [_cli("ingest", "behavior", str(a), "--config", str(cfg), "--no-index", "--json") for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    reports = [json.loads(o[0])["report"] for o in outs]
    assert sorted(r["already_ingested"] for r in reports) == [False, True]
    with Store.open(tmp_path / "state") as s:
        assert s.counts()["behavior"] == 100_000 and s.counts()["sources"] == 1


def test_duplicate_hashes_are_not_rebuilt_on_every_open(tmp_path, monkeypatch):
    data = tmp_path / "state"
    f = _log(tmp_path / "a.csv", 50)
    privacy = Privacy.from_key(KEY.encode())
    with Store.open(data) as s:
        ingest_behavior(f, s, privacy, IngestSettings(), progress=False)
        # a store written before the lock existed: the same rows stored twice (two parts)
        part = s._part_files()[0]
        shutil.copy(part, part.with_name("part-legacycopy-00000.parquet"))
        with s._tx() as c:
            c.execute("INSERT INTO behavior_parts VALUES ('part-legacycopy-00000.parquet', 'x', 50, 99)")
    import knowledge.store as store_mod

    reads = []
    real = store_mod.pq.read_table
    monkeypatch.setattr(store_mod.pq, "read_table", lambda *a, **k: reads.append(a) or real(*a, **k))
    for attempt in range(3):
        with Store.open(data) as s:
            with s.writing():
                pass
        if attempt == 0:
            assert len(reads) == 2  # repaired once (both parts read)
    assert len(reads) == 2  # …and never again
    g = tmp_path / "b.csv"  # 50 known rows + 10 new
    g.write_text(f.read_text(encoding="utf-8") + "".join(f"9{k},1,7,pv,{1710000000 + k}\n" for k in range(10)),
                 encoding="utf-8")
    with Store.open(data) as s:
        r = ingest_behavior(g, s, privacy, IngestSettings(), progress=False)
    assert (r.accepted, r.duplicates) == (10, 50)


def test_readers_never_see_a_half_finished_write(tmp_path):
    data = tmp_path / "state"
    writer_store, reader = Store.open(data), Store.open(data)
    try:
        with writer_store.writing():
            w = writer_store.behavior_writer("f" * 64)
            import pyarrow as pa

            n = 1000
            w.add(pa.array([f"u_{i:016x}" for i in range(n)]), np.arange(n, dtype=np.uint64),
                  np.arange(n, dtype=np.int64), np.zeros(n, np.int64), np.zeros(n, np.int8),
                  np.full(n, 1700000000, np.int64))
            assert reader.counts()["behavior"] == 0 and len(reader.behavior_frame()) == 0  # staged, not visible
            assert reader.pending_refresh() == []
            w.commit("behavior", tmp_path / "x.csv", read=n, accepted=n, rejected=0, duplicates=0, rejects_path=None)
        assert reader.counts()["behavior"] == n and len(reader.behavior_frame()) == n
        assert [p["rows"] for p in reader.pending_refresh()] == [n]  # journalled in the same transaction
    finally:
        writer_store.close()
        reader.close()
