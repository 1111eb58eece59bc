"""The spec adapter's training pairs: every answer is a valid spec in the grammar's form, the prompt is
the model path's prompt, both languages, follow-ups included; the shipped adapter carries its figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.questions.model import spec_schema, spec_target
from knowledge.query import QuerySpec, SemanticLayer
from llm.constrained import spec_messages
from training.datasets import example_from_record
from training.spec_data import catalogue_entities, generate, main

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "growthpilot" / "demo" / "data" / "catalog.csv"


@pytest.fixture(scope="module")
def rows():
    return generate(300, seed=3, catalog=CATALOG)


def test_every_answer_is_a_valid_spec_written_as_the_grammar_writes_it(rows):
    layer = SemanticLayer()
    for r in rows:
        answer = r["messages"][-1]["content"]
        spec = QuerySpec.from_json(answer)
        layer.validate(spec)
        assert answer == spec_target(spec)  # compact, schema order: what constrained decoding produces


def test_the_prompt_is_the_model_paths_prompt(rows):
    for r in rows[:50]:
        user = r["messages"][1]["content"]
        previous, _, question = user.rpartition("Question: ")
        previous = previous.removeprefix("Previous: ").strip()
        assert r["messages"][:2] == spec_messages(question, previous)


def test_both_languages_follow_ups_and_catalogue_names(rows):
    users = [r["messages"][1]["content"] for r in rows]
    zh = sum(any("\u4e00" <= c <= "\u9fff" for c in u.split("Question: ")[-1]) for u in users)
    assert 0.4 < zh / len(rows) < 0.7
    assert sum(u.startswith("Previous: ") for u in users) >= 20
    assert any("Lumi" in r["messages"][-1]["content"] for r in rows)  # demo names
    assert any("Nova" in r["messages"][-1]["content"] or "麻薯" in r["messages"][-1]["content"] for r in rows)  # generic shops
    assert len(set(users)) == len(users)


def test_the_examples_read_as_the_trainer_reads_them(rows, tmp_path):
    out = tmp_path / "spec.jsonl"
    assert main([str(out), "--n", "40", "--catalog", str(CATALOG)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 40
    ex = example_from_record(json.loads(lines[0]))
    assert ex.shape == "chat" and ex.prompt[0]["role"] == "system"


def test_the_training_entities_fit_the_model_schema(rows):
    """Names in the answers over the demo catalogue are names the model's grammar offers."""
    schema = json.dumps(spec_schema(SemanticLayer(), catalogue_entities(CATALOG)), ensure_ascii=False)
    for r in rows:
        spec = QuerySpec.from_json(r["messages"][-1]["content"])
        for v in spec.filter_values("item"):
            if v.startswith("Lumi"):
                assert json.dumps(v, ensure_ascii=False) in schema


ADAPTER = ROOT / "growthpilot" / "models" / "spec_lora"


@pytest.mark.skipif(not (ADAPTER / "adapter_config.json").is_file(), reason="no spec adapter in this checkout (none is shipped: it did not beat the base model)")
def test_the_shipped_adapter_has_metadata_and_eval_figures():
    meta = json.loads((ADAPTER / "growthpilot_adapter.json").read_text(encoding="utf-8"))
    assert meta["base_model"]["sha256"].startswith("1d9614638d18")
    figures = json.loads((ADAPTER / "eval.json").read_text(encoding="utf-8"))
    assert {"rules", "model", "adapter"} <= set(figures["modes"])
    config = json.loads((ADAPTER / "adapter_config.json").read_text(encoding="utf-8"))
    assert config["r"] == 8
