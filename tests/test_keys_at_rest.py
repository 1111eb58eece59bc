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
