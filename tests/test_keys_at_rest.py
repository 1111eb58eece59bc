"""Item 13: the pseudonym key lives outside the data dir by default (an old key inside it keeps
working, with a warning), data files are 0600 and folders 0700."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from growthpilot.cli import main
from knowledge.privacy import Pseudonymizer
from knowledge.settings import DataSettings, PrivacySettings


def test_default_key_file_is_outside_the_data_dir_and_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    s = PrivacySettings()
    assert s.key_file == tmp_path / "xdg" / "growthpilot" / "pseudonym.key"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    s = PrivacySettings()
    assert s.key_file == Path.home() / ".config" / "growthpilot" / "pseudonym.key"
    assert DataSettings().dir.name not in s.key_file.parts


def test_an_old_key_inside_the_data_dir_keeps_working_with_a_warning(tmp_path, caplog):
    data = tmp_path / "data"
    (data / "keys").mkdir(parents=True)
    (data / "keys" / "pseudonym.key").write_text("cd" * 32 + "\n")
    s = PrivacySettings(key_file=tmp_path / "xdg" / "growthpilot" / "pseudonym.key")
    with caplog.at_level(logging.WARNING):
        p = Pseudonymizer.from_settings(s, env={}, data_dir=data)
    assert p.one("42") == Pseudonymizer(bytes.fromhex("cd" * 32)).one("42")  # stored pseudonyms stay stable
    assert not s.key_file.exists()  # no second key was made
    assert "inside the data folder" in caplog.text and "mv " in caplog.text
    # a fresh data dir gets the key outside it
    p2 = Pseudonymizer.from_settings(s, env={}, data_dir=tmp_path / "fresh")
    assert s.key_file.exists() and p2.one("42") != p.one("42")


def _modes(root: Path):
    for p in [root, *root.rglob("*")]:
        if p.is_symlink():
            continue
        yield p, stat.S_IMODE(os.stat(p).st_mode)


def test_cli_ingest_writes_private_files_and_keeps_the_key_out(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("GROWTHPILOT_PSEUDONYM_KEY", raising=False)
    cfg = tmp_path / "config.toml"
    cfg.write_text('[data]\ndir = "state"\n', encoding="utf-8")
    f = tmp_path / "reviews.csv"
    f.write_text("user,review\nu1,great bottle\nu2,leaks a bit\n", encoding="utf-8")
    f.chmod(0o644)
    assert main(["ingest", "--config", str(cfg), "--no-index", "reviews", str(f)]) == 0
    data = tmp_path / "state"
    assert (tmp_path / "xdg" / "growthpilot" / "pseudonym.key").exists()
    assert not list(data.rglob("*.key"))
    bad = [(str(p), oct(m)) for p, m in _modes(data) if m & 0o077]
    assert bad == []
    assert stat.S_IMODE(os.stat(data).st_mode) == 0o700


# ------------------------------------------------------------------ encryption at rest
import pytest  # noqa: E402

from knowledge import atrest  # noqa: E402
from knowledge.types import KnowledgeError  # noqa: E402

KEY_HEX = "5a" * 32
WRONG_HEX = "a5" * 32


@pytest.fixture
def plain_after():
    yield
    atrest.configure(None)


def test_aes_gcm_roundtrip_wrong_key_tamper_and_role(plain_after):
    ar = atrest.configure(bytes.fromhex(KEY_HEX))
    blob = ar.encrypt(b"customer text", role="index:items")
    assert blob.startswith(atrest.MAGIC) and b"customer text" not in blob
    assert ar.decrypt(blob, role="index:items") == b"customer text"
    with pytest.raises(KnowledgeError, match="wrong data key"):
        atrest.AtRest(bytes.fromhex(WRONG_HEX)).decrypt(blob, role="index:items")
    with pytest.raises(KnowledgeError, match="wrong data key"):
        ar.decrypt(blob[:-1] + bytes([blob[-1] ^ 1]), role="index:items")
    with pytest.raises(KnowledgeError):
        ar.decrypt(blob, role="index:bm25")  # a file cannot be swapped for another role
    with pytest.raises(KnowledgeError, match="is encrypted"):
        atrest.AtRest(None).decrypt(blob, role="index:items")
    assert atrest.load_data_key(KEY_HEX) == bytes.fromhex(KEY_HEX)
    assert len(atrest.load_data_key("a long passphrase of words")) == 32
    with pytest.raises(KnowledgeError, match="too short"):
        atrest.load_data_key("short")


def _ingest(cfg, f):
    return main(["ingest", "--config", str(cfg), "--no-index", "reviews", str(f)])


def test_store_and_assistant_db_are_sqlcipher_with_a_key_and_a_wrong_key_exits_2(tmp_path, monkeypatch, capsys, plain_after):
    pytest.importorskip("sqlcipher3")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("GROWTHPILOT_DATA_KEY", KEY_HEX)
    cfg = tmp_path / "config.toml"
    cfg.write_text('[data]\ndir = "state"\n', encoding="utf-8")
    f = tmp_path / "reviews.csv"
    f.write_text("user,review\nu1,the turquoise lid squeaks\n", encoding="utf-8")
    assert _ingest(cfg, f) == 0
    store = tmp_path / "state" / "store.sqlite"
    raw = store.read_bytes() + (store.with_name("store.sqlite-wal").read_bytes() if store.with_name("store.sqlite-wal").exists() else b"")
    assert not raw.startswith(b"SQLite format 3") and b"turquoise" not in raw
    assert _ingest(cfg, f) == 0  # the right key reads it back (already ingested)
    assert "already ingested" in capsys.readouterr().out
    monkeypatch.setenv("GROWTHPILOT_DATA_KEY", WRONG_HEX)
    assert _ingest(cfg, f) == 2
    assert "wrong key" in capsys.readouterr().err
    monkeypatch.delenv("GROWTHPILOT_DATA_KEY")
    assert _ingest(cfg, f) == 2
    assert "is encrypted" in capsys.readouterr().err
    # the assistant's own SQLite file goes the same way
    from bot.db import BotDB
    atrest.configure(bytes.fromhex(KEY_HEX))
    db = BotDB(tmp_path / "a.sqlite")
    db.execute("INSERT INTO turns (platform, channel, thread, role, text, created) VALUES ('x','c','t','user','the turquoise lid',0)")
    assert db.execute("SELECT text FROM turns")[0]["text"] == "the turquoise lid"
    db.close()
    assert b"turquoise" not in (tmp_path / "a.sqlite").read_bytes()


def test_index_files_are_sealed_and_reload(tmp_path, plain_after):
    import sys
    sys.path.insert(0, str(Path(__file__).parent))
    from test_index import SMALL, _FakeEmbedder, _small_collection

    from knowledge.search import Collection

    atrest.configure(bytes.fromhex(KEY_HEX))
    emb = _FakeEmbedder("fake-a")
    coll = _small_collection(emb)
    manifest = coll.save(tmp_path / "internal")
    for info in manifest["files"].values():
        blob = (tmp_path / "internal" / info["name"]).read_bytes()
        assert blob.startswith(atrest.MAGIC) and b"text 3" not in blob
    back = Collection.load(tmp_path / "internal", "internal", emb, SMALL)
    assert [it.text for it in back.items] == [it.text for it in coll.items]
    atrest.configure(bytes.fromhex(WRONG_HEX))
    with pytest.raises(KnowledgeError, match="wrong data key"):
        Collection.load(tmp_path / "internal", "internal", emb, SMALL)
    atrest.configure(None)
    with pytest.raises(KnowledgeError, match="is encrypted: set .GROWTHPILOT_DATA_KEY"):
        Collection.load(tmp_path / "internal", "internal", emb, SMALL)


def test_data_encrypt_turns_encryption_on_for_an_existing_dir(tmp_path, monkeypatch, capsys, plain_after):
    pytest.importorskip("sqlcipher3")
    import sys
    sys.path.insert(0, str(Path(__file__).parent))
    from test_index import SMALL, _FakeEmbedder, _small_collection

    from knowledge.search import Collection
    from knowledge.store import Store

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("GROWTHPILOT_DATA_KEY", raising=False)
    cfg = tmp_path / "config.toml"
    cfg.write_text('[data]\ndir = "state"\n', encoding="utf-8")
    f = tmp_path / "reviews.csv"
    f.write_text("user,review\nu1,the turquoise lid squeaks\nu2,fine\n", encoding="utf-8")
    assert _ingest(cfg, f) == 0
    data = tmp_path / "state"
    emb = _FakeEmbedder("fake-a")
    _small_collection(emb).save(data / "indexes" / "internal")
    assert main(["data", "encrypt", "--config", str(cfg)]) == 2  # no key yet: says how to set one
    assert "GROWTHPILOT_DATA_KEY" in capsys.readouterr().err
    monkeypatch.setenv("GROWTHPILOT_DATA_KEY", KEY_HEX)
    assert main(["data", "encrypt", "--config", str(cfg), "--json"]) == 0
    import json
    out = json.loads(capsys.readouterr().out)
    assert out["sqlite_encrypted"] == ["store.sqlite"] and out["index_files_sealed"] == 3
    assert b"turquoise" not in b"".join(p.read_bytes() for p in data.rglob("*") if p.is_file())
    assert main(["data", "encrypt", "--config", str(cfg), "--json"]) == 0  # twice is harmless
    assert json.loads(capsys.readouterr().out)["sqlite_already"] == ["store.sqlite"]
    atrest.configure(bytes.fromhex(KEY_HEX))
    with Store.open(data) as s:
        assert sorted(s.reviews_frame()["text"]) == ["fine", "the turquoise lid squeaks"]
    assert len(Collection.load(data / "indexes" / "internal", "internal", emb, SMALL).items) == 5


def _behaviour_store(data: Path):
    from knowledge.ingest import ingest_behavior
    from knowledge.privacy import Privacy
    from knowledge.settings import IngestSettings
    from knowledge.store import Store

    data.parent.mkdir(parents=True, exist_ok=True)
    log = data.parent / "log.csv"
    rows = [f"{u},{100 + u % 3},7,{b},{1700000000 + 3600 * u + i}"
            for u in range(1, 30) for i, b in enumerate(("pv", "cart", "buy")[: 1 + u % 3])]
    log.write_text("\n".join(rows) + "\n", encoding="utf-8")
    store = Store.open(data)
    ingest_behavior(log, store, Privacy.from_key(b"parts-test-key-0123456789abcdef!"), IngestSettings(), progress=False)
    return store


def _facts(store):
    from knowledge.query import QueryEngine, QuerySpec

    e = QueryEngine.from_store(store, threads=1)
    return [e.run(QuerySpec(m)).value for m in ("views", "buyers", "conversion_users", "cart_to_buy")]


def test_behaviour_parts_are_sealed_with_a_key_and_read_back_the_same(tmp_path, plain_after):
    """With a data key the Parquet parts are AES-GCM sealed: no Parquet magic, no pseudonym in
    their bytes, owner-only; the query layer and the store read them back with the same results
    as a store written without a key; without the key (or with another) a clear error."""
    pytest.importorskip("sqlcipher3")
    from knowledge.store import Store

    plain = _behaviour_store(tmp_path / "plain" / "data")
    want, frame = _facts(plain), plain.behavior_frame()
    users = set(frame["user"])
    plain.close()
    atrest.configure(bytes.fromhex(KEY_HEX))
    sealed = _behaviour_store(tmp_path / "sealed" / "data")
    parts = sorted((tmp_path / "sealed" / "data" / "behavior").glob("*.parquet"))
    assert parts
    for p in parts:
        blob = p.read_bytes()
        assert not blob.startswith(b"PAR1") and blob.startswith(atrest.MAGIC)
        assert not any(u.encode() in blob for u in users)
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
    assert _facts(sealed) == want
    assert sorted(sealed.behavior_frame()["user"]) == sorted(frame["user"])
    sealed.close()
    atrest.configure(bytes.fromhex(WRONG_HEX))
    from knowledge.query import QueryEngine

    with pytest.raises(atrest.DataKeyError, match="wrong data key"):
        QueryEngine.from_parquet(parts, threads=1)
    atrest.configure(None)
    with pytest.raises(atrest.DataKeyError, match="encrypted"):
        QueryEngine.from_parquet(parts, threads=1)


def test_data_encrypt_seals_existing_behaviour_parts(tmp_path, plain_after):
    pytest.importorskip("sqlcipher3")
    store = _behaviour_store(tmp_path / "data")
    want = _facts(store)
    store.close()
    ar = atrest.configure(bytes.fromhex(KEY_HEX))
    done = atrest.encrypt_data_dir(tmp_path / "data", ar)
    assert done["behavior_parts_sealed"] >= 1
    assert all(p.read_bytes().startswith(atrest.MAGIC) for p in (tmp_path / "data" / "behavior").glob("*.parquet"))
    from knowledge.store import Store

    with Store.open(tmp_path / "data") as s:
        assert _facts(s) == want
    assert atrest.encrypt_data_dir(tmp_path / "data", ar)["behavior_parts_already"] >= 1
