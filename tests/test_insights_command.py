"""`growthpilot insights` over a real store built in the test."""

import json

import pytest

from growthpilot.cli import main
from knowledge.insights import compute_all
from knowledge.insights.synthetic import make_behavior, make_reviews
from knowledge.store import Store


@pytest.fixture()
def config(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[data]\ndir = "state"\n', encoding="utf-8")
    return cfg


@pytest.fixture()
def filled(config):
    store = Store.open(config.parent / "state")
    insights = compute_all(make_behavior(6000, n_users=200, n_items=80, seed=5, drop_item=1000), make_reviews(90))
    store.replace_insights(insights)
    store.close()
    return config, insights


def test_no_data_is_a_user_error_with_the_fix(config, capsys):
    assert main(["insights", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "no data yet" in err and "growthpilot ingest behavior PATH" in err and "growthpilot demo" in err


def test_lists_insights_as_json(filled, capsys):
    config, insights = filled
    assert main(["insights", "--config", str(config), "--json", "--limit", "0"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["total"] == len(insights) == doc["shown"]
    assert [i["id"] for i in doc["insights"]] == [i.id for i in insights]
    first = doc["insights"][0]
    assert first["numbers"] == insights[0].numbers and first["text"] == insights[0].text


def test_filters_by_topic_and_product(filled, capsys):
    config, insights = filled
    assert main(["insights", "--config", str(config), "--json", "--topic", "segment"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["shown"] == sum(i.topic == "segment" for i in insights) > 0
    assert {i["topic"] for i in doc["insights"]} == {"segment"}
    assert main(["insights", "--config", str(config), "--product", "1000", "--topic", "funnel"]) == 0
    out = capsys.readouterr().out
    assert "[funnel] insight:funnel:item:1000" in out and "users viewed" in out
    assert "insight:funnel:item:1001" not in out


def test_limit_and_human_output(filled, capsys):
    config, insights = filled
    assert main(["insights", "--config", str(config), "--limit", "3"]) == 0
    out = capsys.readouterr().out
    assert out.count("[") == 3 and f"3 of {len(insights)} insights shown" in out
