"""Polarity-aware search, BM25 kept within the query's language, and model sentiment at index time."""

from __future__ import annotations

import pytest

from knowledge.embeddings import USEEmbedder
from knowledge.indexing import update_collection
from knowledge.search import KnowledgeBase, collection_path
from knowledge.settings import IndexSettings, SearchSettings
from knowledge.types import Document, KnowledgeError

REVIEWS = [
    ("r1", "Battery life is amazing, lasts two days", "en"),
    ("r2", "Great battery life and a bright screen", "en"),
    ("r3", "Love the long battery life", "en"),
    ("r4", "The battery dies after three hours, so disappointed", "en"),
    ("r5", "Battery life is far too short, it barely lasts a morning", "en"),
    ("r6", "电池续航太短了，半天就没电", "zh"),
    ("r7", "电池很耐用，续航很长，很满意", "zh"),
    ("r8", "Have Alexa throughout the house, the future has arrived!", "en"),
    ("r9", "水果到的时候烂了一半，很失望", "zh"),
    ("r10", "水果很新鲜，很甜", "zh"),
]


@pytest.fixture(scope="module")
def retriever(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pol")
    emb = USEEmbedder()
    # no label or rating: the sentiment comes from the model at index time
    docs = [Document(i, "review", t, metadata={"lang": lang}) for i, t, lang in REVIEWS]
    counts = update_collection(collection_path(tmp, "internal"), "internal", docs, emb, IndexSettings(use_gpu="never"),
                               progress=False)
    assert counts["sentiment_scored"] == len(REVIEWS)
    return KnowledgeBase.open(tmp, emb, IndexSettings(use_gpu="never"), SearchSettings()).retriever("internal")


def test_index_time_sentiment_of_unlabelled_reviews(retriever):
    hits = {h.id: h for h in retriever.search("battery", k=10, polarity=None)}
    assert hits["r4"].metadata["sentiment"] == "neg" and hits["r4"].metadata["sentiment_source"] == "model"
    assert hits["r1"].metadata["sentiment"] == "pos"
    assert hits["r6"].metadata["sentiment"] == "neg" and hits["r7"].metadata["sentiment"] == "pos"


def test_short_battery_life_returns_complaints_first(retriever):
    hits = retriever.search("short battery life", k=3)
    assert hits[0].metadata["query_polarity"] == "neg"
    assert [h.metadata["sentiment"] for h in hits] == ["neg", "neg", "neg"]
    off = retriever.search("short battery life", k=3, polarity=None)
    assert off[0].metadata["query_polarity"] is None


def test_explicit_polarity_and_bad_value(retriever):
    assert all(h.metadata["sentiment"] == "pos" for h in retriever.search("电池", k=3, polarity="pos"))
    with pytest.raises(KnowledgeError, match="unknown polarity"):
        retriever.search("电池", polarity="angry")


def test_bm25_does_not_pull_other_language_reviews_on_a_stray_word(retriever):
    hits = retriever.search("fruit arrived rotten", k=3)
    r8 = [h for h in hits if h.id == "r8"]
    # "arrived" is the only shared word: r8 may come by dense similarity, never by BM25
    assert not r8 or r8[0].metadata["bm25_rank"] is None
    zh_hits = retriever.search("水果烂了", k=3)
    assert zh_hits[0].id == "r9"
    assert all(h.metadata["bm25_rank"] is None for h in zh_hits if h.metadata["lang"] == "en")
