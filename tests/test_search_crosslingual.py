"""Search across languages (a Chinese query finds the English review that answers it, and the
reverse) and queries that only ask for a polarity ("牛奶的差评", "complaints")."""

from __future__ import annotations

import pytest

from knowledge.bilingual import translate
from knowledge.embeddings import USEEmbedder
from knowledge.indexing import update_collection
from knowledge.query_intent import topic_text
from knowledge.search import KnowledgeBase, collection_path
from knowledge.settings import IndexSettings, SearchSettings
from knowledge.types import Document

INDEX = IndexSettings(use_gpu="never")

REVIEWS = [
    # English: smart speakers and a restaurant
    ("en-speaker-good", "This smart speaker has amazing sound quality, the bass is rich", "en", "pos"),
    ("en-speaker-wifi", "The speaker keeps dropping the wifi connection, very annoying", "en", "neg"),
    ("en-alexa-kids", "My kids love asking Alexa to play their favourite songs", "en", "pos"),
    ("en-waiter", "Our waiter was rude and we waited an hour for cold food", "en", "neg"),
    ("en-food", "Delicious food and friendly staff, we will come back", "en", "pos"),
    ("en-dirty", "The restaurant was dirty and the tables were sticky", "en", "neg"),
    # Chinese: phones, clothes, milk, fruit, a hotel
    ("zh-phone-sound", "手机音质很好，屏幕也很清晰", "zh", "pos"),
    ("zh-phone-battery", "手机电池不耐用，半天就没电了", "zh", "neg"),
    ("zh-clothes-bad", "差评！衣服洗了一次就掉色", "zh", "neg"),
    ("zh-clothes-good", "衣服很合身，料子舒服", "zh", "pos"),
    ("zh-milk-good", "牛奶很好喝，孩子每天都喝", "zh", "pos"),
    ("zh-milk-bad", "牛奶有股怪味，喝完肚子不舒服", "zh", "neg"),
    ("zh-fruit-bad", "差评，水果到的时候烂了好几个", "zh", "neg"),
    ("zh-just-bad", "差评差评，完全不值这个价", "zh", "neg"),
    ("zh-hotel-dirty", "酒店房间很脏，床单上有头发", "zh", "neg"),
    ("zh-hotel-good", "酒店早餐丰富，前台服务热情", "zh", "pos"),
]


@pytest.fixture(scope="module")
def retriever(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("xling")
    emb = USEEmbedder()
    docs = [Document(i, "review", t, metadata={"lang": lang, "sentiment": s}) for i, t, lang, s in REVIEWS]
    update_collection(collection_path(tmp, "internal"), "internal", docs, emb, INDEX, progress=False)
    return KnowledgeBase.open(tmp, emb, INDEX, SearchSettings()).retriever("internal")


def test_a_chinese_query_finds_the_english_review(retriever):
    hits = retriever.search("智能音箱音质很好", k=3)
    assert hits[0].id == "en-speaker-good"
    hits = retriever.search("音箱老是断网", k=3)
    assert hits[0].id == "en-speaker-wifi"


def test_an_english_query_finds_the_chinese_review(retriever):
    assert retriever.search("hotel room was dirty", k=3)[0].id == "zh-hotel-dirty"
    assert retriever.search("the milk tastes strange", k=3)[0].id == "zh-milk-bad"


def test_same_language_queries_still_find_their_own_language_first(retriever):
    assert retriever.search("酒店房间很脏", k=3)[0].id == "zh-hotel-dirty"
    assert retriever.search("the waiter was rude", k=3)[0].id == "en-waiter"


def test_a_polarity_request_searches_the_topic_not_the_word_差评(retriever):
    # two other reviews say "差评" word for word; the milk complaint is the answer
    hits = retriever.search("牛奶的差评", k=2)
    assert hits[0].id == "zh-milk-bad"
    assert hits[0].metadata["query_polarity"] == "neg"
    assert [h.metadata["sentiment"] for h in hits[:1]] == ["neg"]


def test_complaints_alone_returns_only_complaints(retriever):
    hits = retriever.search("complaints", k=4)
    assert hits and all(h.metadata["sentiment"] == "neg" for h in hits)
    hits = retriever.search("差评", k=4)
    assert hits and all(h.metadata["sentiment"] == "neg" for h in hits)


def test_battery_life_short_returns_only_that_polarity(retriever):
    hits = retriever.search("battery life short", k=2)
    assert hits[0].id == "zh-phone-battery"
    assert all(h.metadata["sentiment"] == "neg" for h in hits)


def test_praise_across_languages_keeps_the_polarity(retriever):
    hits = retriever.search("what people love about the hotel", k=1)
    assert hits[0].id == "zh-hotel-good"


def test_cross_language_off_is_the_old_single_pool(tmp_path):
    emb = USEEmbedder()
    docs = [Document(i, "review", t, metadata={"lang": lang, "sentiment": s}) for i, t, lang, s in REVIEWS]
    update_collection(collection_path(tmp_path, "internal"), "internal", docs, emb, INDEX, progress=False)
    on = KnowledgeBase.open(tmp_path, emb, INDEX, SearchSettings()).retriever("internal")
    off = KnowledgeBase.open(tmp_path, emb, INDEX, SearchSettings(cross_language=False)).retriever("internal")
    assert on.search("hotel room was dirty", k=1)[0].metadata["pool_lang"] == "zh"
    assert all(h.metadata["pool_lang"] is None for h in off.search("hotel room was dirty", k=3))


# ---- the parts ---------------------------------------------------------------

def test_translate_reads_chinese_compounds_and_english_phrases():
    t = translate("智能音箱音质很好")
    assert t.target_lang == "en" and "speaker" in t.terms and "sound" in t.terms and t.coverage == 1.0
    t = translate("short battery life")
    assert t.target_lang == "zh" and "续航" in t.terms and "短" in t.terms
    assert "烂" in translate("the apples were rotten").terms  # plural and endings taken off
    assert translate("xyzzy plugh").terms == () and translate("xyzzy plugh").coverage == 0.0


def test_topic_text_drops_only_the_request_words():
    assert topic_text("牛奶的差评") == "牛奶"
    assert topic_text("complaints about Alexa") == "Alexa"
    assert topic_text("what people love about the Echo Dot") == "Echo Dot"
    assert topic_text("fruit arrived rotten") == "fruit arrived rotten"
    assert topic_text("差评") == "差评"  # nothing else: the query stays


def test_bm25_coverage_is_the_idf_share_of_query_words_present():
    from knowledge.bm25 import BM25Index

    idx = BM25Index.build([["酒店", "房间", "脏"], ["房间", "大"], ["手机", "好"], ["手机", "大"]])
    cov = idx.coverage([["酒店", "宾馆"], ["房间"]], [0, 1, 2])
    assert cov[0] == pytest.approx(1.0) and cov[2] == 0.0
    assert 0.0 < cov[1] < 0.5  # 房间 is in two documents: worth less than the rare 酒店
    assert idx.coverage([], [0]).tolist() == [0.0]
    assert idx.coverage([["nowhere"]], [0]).tolist() == [0.0]


def test_languages_weighed_by_all_candidates_keeps_polarity_and_language(tmp_path):
    emb = USEEmbedder()
    docs = [Document(i, "review", t, metadata={"lang": lang, "sentiment": s}) for i, t, lang, s in REVIEWS]
    update_collection(collection_path(tmp_path, "internal"), "internal", docs, emb, INDEX, progress=False)
    r = KnowledgeBase.open(tmp_path, emb, INDEX, SearchSettings(language_by="all")).retriever("internal")
    hits = r.search("what people love about the hotel", k=1)
    assert hits[0].id == "zh-hotel-good" and hits[0].metadata["pool_lang"] == "zh"
    assert r.search("智能音箱音质很好", k=1)[0].id == "en-speaker-good"
