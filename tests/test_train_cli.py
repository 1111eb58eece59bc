"""`growthpilot train` and `growthpilot eval` end to end on a tiny model (the loader is replaced)."""

from __future__ import annotations

import json

import pytest
from test_train_tiny import tiny_model, tiny_tokenizer

from growthpilot.cli import main
from llm.identity import ModelIdentity
from llm.loader import LoadedModel

ROWS = [{"instruction": f"Write a slogan for {p}.", "output": f"{p}: time, well spent."}
        for p in ["watch", "shoes", "coffee", "lamp", "bag", "phone", "desk", "tea", "pen", "cup"]]


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    import growthpilot.commands.train as train_cmd

    tok = tiny_tokenizer()
    loads = []

    def fake_load(model_settings, *, for_training, progress=True):
        assert model_settings.adapter == ""  # train/eval always start from the bare base
        loads.append(for_training)
        return LoadedModel(tiny_model(tok), tok, ModelIdentity("tiny-qwen2", "a" * 64), "cpu", "float32")

    monkeypatch.setattr(train_cmd, "load_base_model", fake_load)
    (tmp_path / "config.toml").write_text(
        "[training]\noutput_dir = \"adapters\"\nmax_steps = 6\nbatch_size = 4\ngrad_accum = 1\n"
        "learning_rate = 0.05\neval_every = 3\nlora_dropout = 0.0\nval_fraction = 0.2\nmax_length = 96\n"
        "[generation]\nmax_new_tokens = 8\n",
        "utf-8",
    )
    data = tmp_path / "slogans.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in ROWS) + "\n", "utf-8")
    return tmp_path, data, loads


def test_train_then_eval_side_by_side(workspace, capsys):
    root, data, loads = workspace
    cfg = str(root / "config.toml")
    assert main(["train", str(data), "--config", cfg, "--json", "--no-progress"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] and out["name"] == "slogans" and out["steps"] == 6
    assert out["train_examples"] == 8 and out["val_examples"] == 2 and out["base_model"]["name"] == "tiny-qwen2"
    assert (root / "adapters" / "slogans" / "adapter_model.safetensors").is_file()
    assert loads == [True]

    assert main(["eval", str(data), "--adapter", "slogans", "--limit", "3", "--config", cfg, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [r["model"] for r in report["results"]] == ["base", "slogans"]
    base, tuned = report["results"]
    assert tuned["val_loss"] < base["val_loss"]
    assert set(base) >= {"bleu-4", "rouge-1", "rouge-2", "rouge-l", "perplexity"}
    md = (root / "adapters" / "slogans" / "eval" / "eval.md").read_text("utf-8")
    assert "| base |" in md and "| slogans |" in md
    saved = json.loads((root / "adapters" / "slogans" / "eval" / "eval.json").read_text("utf-8"))
    assert len(saved["predictions"]) == 3 and saved["predictions"][0]["reference"] == ROWS[0]["output"]


def test_train_refuses_an_existing_adapter_without_resume_or_overwrite(workspace, capsys):
    root, data, _ = workspace
    cfg = str(root / "config.toml")
    assert main(["train", str(data), "--config", cfg, "--max-steps", "1", "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["train", str(data), "--config", cfg, "--max-steps", "1", "--no-progress"]) == 2
    assert "--resume" in capsys.readouterr().err
    assert main(["train", str(data), "--config", cfg, "--max-steps", "1", "--no-progress", "--overwrite"]) == 0


def test_bad_line_and_missing_file_are_user_errors(workspace, capsys):
    root, data, _ = workspace
    cfg = str(root / "config.toml")
    bad = root / "bad.jsonl"
    bad.write_text(json.dumps(ROWS[0]) + "\n{\"instruction\": \"x\"\n", "utf-8")
    assert main(["train", str(bad), "--config", cfg]) == 2
    assert f"{bad}:2: not valid JSON" in capsys.readouterr().err
    assert main(["train", str(root / "missing.jsonl"), "--config", cfg, "--json"]) == 2
    assert "dataset not found" in json.loads(capsys.readouterr().out)["error"]


def test_eval_refuses_an_adapter_of_another_base(workspace, capsys):
    root, data, _ = workspace
    cfg = str(root / "config.toml")
    assert main(["train", str(data), "--config", cfg, "--max-steps", "1", "--no-progress", "--name", "other"]) == 0
    meta_path = root / "adapters" / "other" / "growthpilot_adapter.json"
    meta = json.loads(meta_path.read_text("utf-8"))
    meta["base_model"] = {"name": "some/other-model", "sha256": "b" * 64}
    meta_path.write_text(json.dumps(meta), "utf-8")
    capsys.readouterr()
    assert main(["eval", str(data), "--adapter", "other", "--config", cfg, "--loss-only"]) == 2
    assert "trained on some/other-model" in capsys.readouterr().err
