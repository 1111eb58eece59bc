"""The model path: grammar-constrained decoding always yields a valid spec; the rules check it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.questions import QuestionParser, QuestionSettings
from bot.questions.model import ModelSpecWriter, spec_schema, spec_target
from bot.questions.resolve import Resolver
from knowledge.query import QuerySpec, SemanticLayer
from llm.constrained import compile_schema, spec_messages
from llm.fake import FakeGenerator
from llm.identity import ModelIdentity
from llm.loader import LoadedModel
from llm.settings import GenerationSettings
from llm.worker import LocalGenerator
from llm_tiny import build_model, build_tokenizer
from training.spec_data import catalogue_entities

pytest.importorskip("llguidance")

CATALOG = Path(__file__).resolve().parents[1] / "growthpilot" / "demo" / "data" / "catalog.csv"
LAYER = SemanticLayer()
ENTITIES = catalogue_entities(CATALOG, extra={"last_day": "2026-10-21"})


WRITER = ModelSpecWriter(LAYER, ENTITIES, FakeGenerator(), QuestionSettings(), Resolver(ENTITIES))


def _valid(text: str) -> QuerySpec:
    """What the parser does with the model's text: parse, validate, resolve names (start ≤ end)."""
    json.loads(text)  # the grammar made it JSON
    spec, notes = WRITER.check_text(text)
    assert spec is not None, (text, notes)
    LAYER.validate(spec)
    return spec


def test_the_strict_schema_compiles_and_lists_the_layer_names():
    schema = spec_schema(LAYER, ENTITIES)
    assert compile_schema(schema)
    text = json.dumps(schema, ensure_ascii=False)
    for name in LAYER.metrics:
        assert f'"{name}"' in text
    assert "Lumi 智能保温水杯" in text and "洗发水" in text  # entity names offered as enums


@pytest.fixture(scope="module")
def tiny_generators():
    made = []
    tokenizer = build_tokenizer()
    for seed in (0, 1):
        loaded = LoadedModel(model=build_model(tokenizer, seed=seed), tokenizer=tokenizer, identity=ModelIdentity("tiny", "ab" * 32),
                             device="cpu", dtype="float32")
        made.append(LocalGenerator(loaded, GenerationSettings(temperature=1.0, max_new_tokens=400, timeout_s=120, repetition_penalty=1.0)))
    yield made
    for g in made:
        g.close()


async def test_constrained_decoding_always_yields_a_valid_spec(tiny_generators):
    """A random model (it writes noise unconstrained) writes only specs the layer accepts."""
    schema = spec_schema(LAYER, ENTITIES)
    msgs = spec_messages("which category sells most?")
    texts = []
    for gen in tiny_generators:
        greedy = await gen.generate(msgs, schema=schema)
        sampled = await gen.generate(msgs, schema=schema, n=3, temperature=1.0)
        texts += [*greedy.texts, *sampled.texts]
    assert len(texts) == 8
    specs = [_valid(t) for t in texts]
    assert len({s.to_json() for s in specs}) > 1  # not one canned answer: the grammar, not luck, makes them valid
    unconstrained = await tiny_generators[0].generate(msgs, max_new_tokens=40)
    with pytest.raises(ValueError):
        json.loads(unconstrained.texts[0])


async def test_the_model_path_parses_through_the_local_worker(tiny_generators):
    parser = QuestionParser(LAYER, ENTITIES, model=tiny_generators[0])
    got = await parser.aparse("how is the thing doing in total?", lang="en")
    assert got.source == "model" or "unknown" in " ".join(got.notes) or "refused" in " ".join(got.notes)
    if got.kind == "query":
        LAYER.validate(got.spec)


def test_spec_target_is_what_the_grammar_writes():
    spec = QuerySpec.from_dict({"metric": "buys", "op": "top", "by": "category", "period": {"kind": "last_days", "n": 7}, "limit": 3})
    assert spec_target(spec) == '{"metric":"buys","op":"top","by":"category","period":{"kind":"last_days","n":7},"limit":3}'


# ------------------------------------------------------------------ the parser's model path, with the fake
def _parser(*replies, **settings):
    fake = FakeGenerator(list(replies))
    return fake, QuestionParser(LAYER, ENTITIES, model=fake, settings=QuestionSettings(**settings))


def test_rules_first_the_model_is_not_asked_when_they_are_confident():
    fake, parser = _parser()
    got = parser.parse("which category sells most?", lang="en")
    assert got.source == "rules" and fake.prompts == []


def test_model_writes_the_spec_when_the_rules_cannot_and_gets_the_schema():
    fake, parser = _parser('{"metric":"views","op":"total","filters":[{"dim":"item","values":["Lumi Buds Lite"]}],"period":{"kind":"all"}}')
    got = parser.parse("how much buzz did the thing get?", lang="en")
    assert got.kind == "query" and got.source == "model"
    assert got.spec.filter_values("item") == ("1004",)  # the name the model wrote, resolved to the catalogue id
    assert fake.calls[0]["schema"] == spec_schema(LAYER, ENTITIES)
    assert "Question: how much buzz did the thing get?" in fake.last_prompt_text


def test_a_model_spec_naming_an_unknown_product_is_refused():
    fake, parser = _parser('{"metric":"views","op":"total","filters":[{"dim":"item","values":["Lumi Rocket"]}],"period":{"kind":"all"}}')
    got = parser.parse("how much buzz did the thing get?", lang="en")
    assert got.kind == "none" and got.spec is None
    assert "unknown product 'Lumi Rocket'" in got.notes


@pytest.mark.parametrize("reply, reason", [
    ('{"metric":"revenue","op":"total","period":{"kind":"all"}}', "unknown metric"),
    ('{"metric":"views","op":"top","by":"review_lang","period":{"kind":"all"}}', "belongs to reviews"),
    ('{"metric":"views","op":"total","period":{"kind":"all"}', "not JSON"),
])
def test_the_validator_refuses_what_the_layer_does_not_accept(reply, reason):
    fake, parser = _parser(reply)
    got = parser.parse("how much buzz did the thing get?", lang="en")
    assert got.kind == "none"
    assert any(reason in n for n in got.notes), got.notes


def test_follow_up_prompt_carries_the_previous_spec():
    previous = QuerySpec.from_dict({"metric": "buys", "op": "top", "by": "item", "period": {"kind": "all"}})
    fake, parser = _parser('{"metric":"buys","op":"top","by":"category","period":{"kind":"all"},"limit":10}')
    got = parser.parse("how many for the other thing?", lang="en", previous=previous)
    assert "Previous: " + spec_target(previous) in fake.last_prompt_text
    assert got.spec.by == "category"


def test_model_off_in_settings_means_rules_only():
    fake, parser = _parser(use_model=False)
    got = parser.parse("how much buzz did the thing get?", lang="en")
    assert got.kind == "none" and fake.prompts == []


def test_check_maps_zh_names_and_keeps_words():
    w = ModelSpecWriter(LAYER, ENTITIES, FakeGenerator(), QuestionSettings(), Resolver(ENTITIES))
    spec, _ = w.check_text('{"metric":"reviews","op":"total","filters":[{"dim":"review_product","values":["Lumi 护眼台灯"]},'
                           '{"dim":"sentiment","values":["negative"]}],"period":{"kind":"all"}}')
    assert spec.filter_values("review_product") == ("1005",) and spec.filter_values("sentiment") == ("negative",)


async def test_sync_parse_inside_a_running_loop_still_uses_the_model():
    fake, parser = _parser('{"metric":"buyers","op":"total","period":{"kind":"all"}}')
    got = parser.parse("how much buzz did the thing get?", lang="en")  # a loop runs in this thread
    assert got.kind == "query" and got.spec.metric == "buyers" and len(fake.prompts) == 1
    again = await parser.aparse("how much buzz did the thing get?", lang="en")
    assert again.kind == "none" and any("not JSON" in n for n in again.notes)  # the fake's default "OK" is refused
    assert len(fake.prompts) == 2


def test_a_generator_without_schema_support_is_asked_plainly_and_still_checked():
    """E.g. the OpenAI-compatible backend: no `schema` argument; its text is parsed and validated all the same."""

    class Plain:
        model_id = "plain"

        def __init__(self, reply):
            self.reply, self.kwargs = reply, None

        async def generate(self, messages, *, n=1, max_new_tokens=None, temperature=None, stop=(), on_text=None):
            from llm.types import GenerationResult

            self.kwargs = {"max_new_tokens": max_new_tokens, "temperature": temperature}
            return GenerationResult(texts=(self.reply,), model_id="plain")

    good = Plain('{"metric":"favs","op":"total","period":{"kind":"last_week"}}')
    got = QuestionParser(LAYER, ENTITIES, model=good).parse("how much buzz did the thing get?", lang="en")
    assert got.source == "model" and got.spec.metric == "favs" and good.kwargs["temperature"] == 0.0
    bad = Plain("Sure! The spec is: views")
    got = QuestionParser(LAYER, ENTITIES, model=bad).parse("how much buzz did the thing get?", lang="en")
    assert got.kind == "none" and any("not JSON" in n for n in got.notes)
