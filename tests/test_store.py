"""The store: real SQLite (WAL) + Parquet behaviour parts; frames with the contract's dtypes;
insights replaced atomically; collections that keep internal data out of the public one."""

import sqlite3

import numpy as np
import pandas as pd
import pytest

from knowledge.ingest import ingest_behavior, ingest_catalog, ingest_docs, ingest_reviews
from knowledge.settings import IngestSettings
from knowledge.store import ReviewRow, Store

KEY = b"store-test-key-0123456789abcdef!"


def test_open_creates_folders_schema_and_wal(tmp_path):
    s = Store.open(tmp_path / "d")
    assert (tmp_path / "d" / "store.sqlite").is_file()
    assert (tmp_path / "d" / "behavior").is_dir() and (tmp_path / "d" / "rejects").is_dir()
    mode = sqlite3.connect(tmp_path / "d" / "store.sqlite").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    assert s.counts() == {"behavior": 0, "reviews": 0, "catalog": 0, "docs": 0, "insights": 0, "sources": 0}
    s.close()


def test_empty_frames_have_contract_dtypes(store):
    b = store.behavior_frame()
    assert list(b.columns) == ["user", "item_id", "category_id", "behavior", "ts"] and len(b) == 0
    assert list(b["behavior"].cat.categories) == ["pv", "cart", "fav", "buy"]
    assert b["item_id"].dtype == np.int64 and b["ts"].dtype == np.int64
    r = store.reviews_frame()
    assert list(r.columns) == ["id", "text", "rating", "label", "product", "category", "date", "user", "lang"]
    assert str(r["label"].dtype) == "Int64" and r["rating"].dtype == np.float64


def test_behavior_frame_types_values_and_column_subset(store, privacy, tmp_path):
    f = tmp_path / "b.csv"
    f.write_text("1,100,7,pv,1700000000\n1,100,7,buy,1700000100\n2,200,8,cart,1700000200\n", encoding="utf-8")
    ingest_behavior(f, store, privacy, IngestSettings(), progress=False)
    b = store.behavior_frame()
    assert b["behavior"].dtype == "category" and list(b["behavior"].cat.categories) == ["pv", "cart", "fav", "buy"]
    assert list(b["behavior"].astype(str)) == ["pv", "buy", "cart"]
    assert b["item_id"].tolist() == [100, 100, 200] and b["category_id"].tolist() == [7, 7, 8]
    assert b["ts"].tolist() == [1700000000, 1700000100, 1700000200]
    assert b["user"].tolist() == [privacy.pseudonymizer.one("1")] * 2 + [privacy.pseudonymizer.one("2")]
    assert pd.api.types.is_string_dtype(b["user"])
    sub = store.behavior_frame(["item_id", "behavior"])
    assert list(sub.columns) == ["item_id", "behavior"] and len(sub) == 3


def test_reviews_frame_and_duplicate_ids(store):
    rows = [
        ReviewRow("review:a", "续航很好", 5.0, 1, "101", "bottle", "2024-03-01", "u_1", "zh"),
        ReviewRow("review:b", "Too pricey", None, None, "", "", "", "", "en"),
    ]
    assert store.add_reviews(rows) == (2, 0)
    assert store.add_reviews(rows[:1]) == (0, 1)
    df = store.reviews_frame()
    assert df["id"].tolist() == ["review:a", "review:b"]
    assert df["rating"].iloc[0] == 5.0 and np.isnan(df["rating"].iloc[1])
    assert df["label"].iloc[0] == 1 and df["label"].isna().iloc[1]
    assert df["product"].tolist() == ["101", ""]


def test_replace_insights_is_a_replacement(store):
    types = pytest.importorskip("knowledge.insights.types", reason="the INSIGHTS package provides Insight")
    ins = [types.Insight(id=f"insight:top:item:{i}", topic="top", title=f"t{i}", text=f"item {i} sold {i * 10}",
                         numbers={"buys": i * 10, "rate": 0.5}, product=str(i)) for i in range(3)]
    assert store.replace_insights(ins) == 3
    assert [i.id for i in store.insights()] == [x.id for x in ins]
    assert store.insights()[1].numbers == {"buys": 10, "rate": 0.5}
    assert store.replace_insights(ins[2:]) == 1
    assert [i.id for i in store.insights()] == ["insight:top:item:2"]
    docs = list(store.documents("internal"))
    assert [d.id for d in docs] == ["insight:top:item:2"] and docs[0].kind == "insight"


def test_public_collection_never_yields_internal_data(store, privacy, tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "faq.md").write_text("# FAQ\n\n## Shipping\n\nWe ship in 48 hours.\n", encoding="utf-8")
    (tmp_path / "r.jsonl").write_text('{"review": "secret internal complaint about battery", "rating": 1}\n',
                                      encoding="utf-8")
    (tmp_path / "c.csv").write_text("item_id,name,name_zh,category,price\n101,Lumi Bottle,智能水杯,bottle,199\n",
                                    encoding="utf-8")
    ingest_docs(tmp_path / "docs", store, privacy, IngestSettings(), progress=False)
    ingest_reviews(tmp_path / "r.jsonl", store, privacy, IngestSettings(), progress=False)
    ingest_catalog(tmp_path / "c.csv", store, privacy, IngestSettings(), progress=False)
    public = list(store.documents("public"))
    assert {d.kind for d in public} == {"doc"}
    assert [d.id for d in public] == ["doc:faq.md#0", "doc:catalog/101"]
    assert "secret internal" not in " ".join(d.text for d in public)
    assert "智能水杯" in public[1].text and "199" in public[1].text
    internal = list(store.documents("internal"))
    assert [d.kind for d in internal] == ["review"]
    assert internal[0].metadata["sentiment"] == "neg" and internal[0].metadata["lang"] == "en"
    assert store.counts()["docs"] == 1 and store.counts()["catalog"] == 1


def test_row_hashes_are_rebuilt_when_lost(store, privacy, tmp_path):
    a = tmp_path / "a.csv"
    a.write_text("1,100,7,pv,1700000000\n2,100,7,pv,1700000001\n", encoding="utf-8")
    ingest_behavior(a, store, privacy, IngestSettings(), progress=False)
    (store.behavior_dir / "_row_hashes.npy").unlink()
    data_dir = store.data_dir
    store.close()
    s2 = Store.open(data_dir)  # repairs the duplicate-detection hashes from the Parquet parts
    b = tmp_path / "b.csv"
    b.write_text("2,100,7,pv,1700000001\n3,100,7,pv,1700000002\n", encoding="utf-8")
    r = ingest_behavior(b, s2, privacy, IngestSettings(), progress=False)
    assert (r.read, r.accepted, r.duplicates) == (2, 1, 1)
    assert s2.counts()["behavior"] == 3
    s2.close()


# -- the ingested-sources record is per kind (issue 10 follow-up) ---------------------------------

BOTH = "item_id,name,text\n1,Smart Watch,battery lasts a week and the strap is soft\n2,Desk Lamp,bright and the arm is sturdy\n"


def test_the_same_file_as_reviews_then_as_catalog_is_ingested_as_both(store, privacy, tmp_path):
    f = tmp_path / "both.csv"
    f.write_text(BOTH, encoding="utf-8")
    as_reviews = ingest_reviews(f, store, privacy, IngestSettings(), progress=False)
    assert as_reviews.accepted == 2 and not as_reviews.already_ingested
    as_catalog = ingest_catalog(f, store, privacy, IngestSettings(), progress=False)
    assert not as_catalog.already_ingested and as_catalog.accepted == 2
    assert sorted(store.catalog_frame()["name"]) == ["Desk Lamp", "Smart Watch"]
    # each kind still knows it has this file
    assert ingest_reviews(f, store, privacy, IngestSettings(), progress=False).already_ingested
    assert ingest_catalog(f, store, privacy, IngestSettings(), progress=False).already_ingested
    assert sorted(s.kind for s in store.sources()) == ["catalog", "reviews"]


_V1_SOURCES = ("CREATE TABLE sources (sha256 TEXT PRIMARY KEY, kind TEXT NOT NULL, path TEXT NOT NULL, name TEXT NOT NULL, "
               "size INTEGER NOT NULL, ingested_at TEXT NOT NULL, read INTEGER NOT NULL, accepted INTEGER NOT NULL, "
               "rejected INTEGER NOT NULL, duplicates INTEGER NOT NULL, rejects_path TEXT NOT NULL DEFAULT '')")


def test_a_store_with_the_old_sources_table_keeps_working_and_is_migrated(tmp_path, privacy):
    """A store.sqlite written before the change (sources keyed by sha256 alone) opens, keeps its
    records and reviews, and then takes the same file as another kind."""
    data = tmp_path / "data"
    f = tmp_path / "both.csv"
    f.write_text(BOTH, encoding="utf-8")
    with Store.open(data) as s:
        ingest_reviews(f, s, privacy, IngestSettings(), progress=False)
        sha = s.sources()[0].sha256
    conn = sqlite3.connect(data / "store.sqlite")  # rewrite the table as the old schema had it
    conn.executescript("BEGIN; ALTER TABLE sources RENAME TO s_new; " + _V1_SOURCES + "; "
                       "INSERT INTO sources SELECT * FROM s_new; DROP TABLE s_new; COMMIT;")
    assert [r[5] for r in conn.execute("PRAGMA table_info(sources)")] == [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    conn.close()
    with Store.open(data) as s:
        assert [(r.sha256, r.kind, r.accepted) for r in s.sources()] == [(sha, "reviews", 2)]
        assert len(s.reviews_frame()) == 2
        assert ingest_reviews(f, s, privacy, IngestSettings(), progress=False).already_ingested
        assert not ingest_catalog(f, s, privacy, IngestSettings(), progress=False).already_ingested
        assert len(s.catalog_frame()) == 2
    with Store.open(data) as s:  # opening again is a no-op
        assert sorted(r.kind for r in s.sources()) == ["catalog", "reviews"]
    conn = sqlite3.connect(data / "store.sqlite")
    pk = sorted((r[5], r[1]) for r in conn.execute("PRAGMA table_info(sources)") if r[5])
    conn.close()
    assert [name for _, name in pk] == ["kind", "sha256"]


def test_insights_keep_their_chinese_text_and_specs_and_index_in_both_languages(store):
    """A Chinese question must find the computed insight in Chinese: the zh text is stored, comes
    back from insights(), and is a document of its own (lang zh) beside the English one."""
    types = pytest.importorskip("knowledge.insights.types", reason="the INSIGHTS package provides Insight")
    spec = {"metric": "buys", "op": "total"}
    ins = [types.Insight(id="insight:funnel:all", topic="funnel", title="Overall funnel", text="42 buys.",
                         numbers={"buys": 42}, text_zh="共 42 次购买。", title_zh="整体转化漏斗", specs=(spec,)),
           types.Insight(id="insight:hour:peaks", topic="hour", title="Peaks", text="Peak at 20:00.", numbers={})]
    store.replace_insights(ins)
    back = store.insights()
    assert back[0].text_zh == "共 42 次购买。" and back[0].title_zh == "整体转化漏斗"
    assert back[0].specs == (spec,)
    assert back[1].text_zh == "" and back[1].specs == ()
    docs = {d.id: d for d in store.documents("internal")}
    assert set(docs) == {"insight:funnel:all", "insight:funnel:all@zh", "insight:hour:peaks"}
    zh = docs["insight:funnel:all@zh"]
    assert (zh.kind, zh.text, zh.title) == ("insight", "共 42 次购买。", "整体转化漏斗")
    assert zh.metadata["lang"] == "zh" and zh.metadata["insight_id"] == "insight:funnel:all"
    assert zh.metadata["numbers"] == {"buys": 42}
    assert docs["insight:funnel:all"].metadata["lang"] == "en"


def test_a_store_written_before_the_zh_columns_opens_and_keeps_its_insights(tmp_path):
    data = tmp_path / "data"
    s = Store.open(data)
    s.close()
    conn = sqlite3.connect(data / "store.sqlite")
    conn.execute("DROP TABLE insights")
    conn.execute("CREATE TABLE insights (id TEXT PRIMARY KEY, topic TEXT NOT NULL, title TEXT NOT NULL, "
                 "text TEXT NOT NULL, numbers TEXT NOT NULL, product TEXT NOT NULL DEFAULT '', category TEXT NOT "
                 "NULL DEFAULT '', date TEXT NOT NULL DEFAULT '', seq INTEGER NOT NULL)")
    conn.execute("INSERT INTO insights VALUES ('insight:x', 'top', 'T', 'old text', '{}', '', '', '', 0)")
    conn.commit()
    conn.close()
    s = Store.open(data)
    try:
        [old] = s.insights()
        assert (old.id, old.text, old.text_zh) == ("insight:x", "old text", "")
    finally:
        s.close()
