from pathlib import Path

import pytest

from growthpilot.cli import main
from growthpilot.config import AppConfig, load_config, parse_config_text
from growthpilot.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_repo_config_equals_defaults_and_resolves_paths():
    cfg = load_config(ROOT / "config.toml")
    default = AppConfig()
    assert cfg.search == default.search
    assert cfg.training.target_modules == ()
    assert cfg.data.dir == ROOT / ".growthpilot"
    assert cfg.privacy.key_file.is_absolute()


def test_unknown_key_names_file_line_and_key(tmp_path):
    p = tmp_path / "config.toml"
    p.write_text("[search]\nk = 5\nkk = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(p)
    msg = str(e.value)
    assert f"{p}:3" in msg and "search.kk" in msg


def test_wrong_type_names_key(tmp_path):
    with pytest.raises(ConfigError, match=r"<config>:2: 'search.k' must be an integer, got 'five'"):
        parse_config_text('[search]\nk = "five"\n', base_dir=tmp_path)


def test_literal_choices_are_checked(tmp_path):
    with pytest.raises(ConfigError, match="'index.approximate' must be one of 'hnsw', 'ivf'"):
        parse_config_text('[index]\napproximate = "lsh"\n', base_dir=tmp_path)


def test_unknown_section(tmp_path):
    with pytest.raises(ConfigError, match="unknown key 'slak'"):
        parse_config_text("[slak]\nenabled = true\n", base_dir=tmp_path)


def test_sections_are_frozen(tmp_path):
    cfg = parse_config_text("[search]\nk = 3\n", base_dir=tmp_path)
    assert cfg.search.k == 3
    with pytest.raises(Exception):
        cfg.search.k = 4  # type: ignore[misc]


def test_explicit_missing_config_is_a_user_error(tmp_path, capsys):
    code = main(["config", "check", "--config", str(tmp_path / "nope.toml")])
    assert code == 2
    assert "config file not found" in capsys.readouterr().err


def test_config_check_json(tmp_path, capsys):
    p = tmp_path / "c.toml"
    p.write_text("[slack]\nenabled = true\n")
    assert main(["config", "check", "--json", "--config", str(p)]) == 0
    assert '"ok": true' in capsys.readouterr().out
