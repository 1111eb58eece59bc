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


# ---- growthpilot train sentiment ----------------------------------------------------------------
ZH_POS = ["物流很快，质量很好，非常满意", "东西不错，下次还来买", "很好用，推荐购买", "包装完好，味道很好",
          "房间干净，服务热情", "屏幕清晰，运行流畅，很满意"]
ZH_NEG = ["质量太差，用了两天就坏了", "很失望，再也不买了", "物流太慢，包装破损", "味道不好，不新鲜",
          "房间很脏，服务态度差", "卡顿严重，电池不耐用，失望"]
EN_POS = ["Works great, love it", "Great sound, easy to set up", "Love my echo, very happy", "Excellent product"]
EN_NEG = ["Stopped working after a week", "Terrible sound, waste of money", "Very disappointed, returned it",
          "Does not work, awful"]


@pytest.fixture
def review_dir(tmp_path):
    d = tmp_path / "reviews"
    d.mkdir()
    rows = [("书籍", 1, t) for t in ZH_POS] + [("书籍", 0, t) for t in ZH_NEG]
    (d / "reviews_zh_online_shopping.csv").write_text(
        "cat,label,review\n" + "".join(f"{c},{lab},{t}\n" for c, lab, t in rows * 2), "utf-8")  # each text twice
    (d / "reviews_en_alexa.tsv").write_text(
        "rating\tdate\tvariation\tverified_reviews\tfeedback\n"
        + "".join(f"5\t31-Jul-18\tBlack\t{t}\t1\n" for t in EN_POS) + "".join(f"1\t31-Jul-18\tBlack\t{t}\t0\n" for t in EN_NEG),
        "utf-8")
    (d / "reviews_en_yelp_labelled.txt").write_text(
        "The food was delicious.\t1\nService was slow and rude.\t0\nGreat place, friendly staff!\t1\n"
        "Cold food, never again.\t0\nWorks great, love it\t0\n",  # the last text is also in Alexa with label 1
        "utf-8")
    return d


def _train_sentiment(review_dir, out, cache, capsys):
    assert main(["train", "sentiment", "--reviews", str(review_dir), "--out", str(out), "--cache", str(cache),
                 "--json", "--no-progress"]) == 0
    return json.loads(capsys.readouterr().out)


def test_train_sentiment_writes_weights_the_analyzer_uses_and_reruns_reproduce_them(review_dir, tmp_path, capsys):
    from knowledge.sentiment import SentimentAnalyzer
    from knowledge.sentiment_linear import LinearSentimentModel

    out = _train_sentiment(review_dir, tmp_path / "w1.npz", tmp_path / "cache", capsys)
    assert out["ok"] and out["command"] == "growthpilot train sentiment"
    assert out["trained_on"]["conflicting_texts_dropped"] == 1  # "Works great, love it" has both labels
    assert out["trained_on"]["duplicates_dropped"] == 12
    model = LinearSentimentModel.load(tmp_path / "w1.npz")
    assert model.meta["weights_sha256"] == model.weights_sha256() == out["weights_sha256"]
    assert set(model.models) == {"zh", "en"}
    an = SentimentAnalyzer(weights=tmp_path / "w1.npz")
    assert an.mode == "linear" and an._linear is not None and an._linear.meta["weights_sha256"] == out["weights_sha256"]
    assert [an.analyze_one(t).label for t in ("质量太差，用了两天就坏了", "物流很快，质量很好，非常满意")] == ["neg", "pos"]
    again = _train_sentiment(review_dir, tmp_path / "w2.npz", tmp_path / "cache", capsys)
    assert again["weights_sha256"] == out["weights_sha256"]  # same files → same weights


def test_train_sentiment_without_the_review_files_says_where_to_point_it(tmp_path, capsys):
    assert main(["train", "sentiment", "--reviews", str(tmp_path), "--out", str(tmp_path / "w.npz")]) == 2
    err = capsys.readouterr().err
    assert "reviews_en_yelp_labelled.txt" in err and "--reviews DIR" in err
    assert not (tmp_path / "w.npz").exists()


def test_train_sentiment_refuses_lora_options(review_dir, tmp_path, capsys):
    assert main(["train", "sentiment", "--reviews", str(review_dir), "--epochs", "2", "--out", str(tmp_path / "w.npz")]) == 2
    assert "--epochs" in capsys.readouterr().err and not (tmp_path / "w.npz").exists()


def test_train_help_shows_both_forms(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = capsys.readouterr().out
    assert "growthpilot train sentiment" in text and "DATA.jsonl" in text and "--reviews DIR" in text
