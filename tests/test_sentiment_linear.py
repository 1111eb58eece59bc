"""The shipped sentiment weights (knowledge/models/sentiment_linear.npz): they load, classify obvious
cases, share vectors with the search embedder, and the trainer's save/load round trip is exact."""

import numpy as np
import pytest

from knowledge.embeddings import USE_NAME, USEEmbedder
from knowledge.sentiment import SentimentAnalyzer
from knowledge.sentiment_linear import MODEL_FILE, LinearSentimentModel
from knowledge.sentiment_query import query_polarity


def test_shipped_weights_are_small_and_say_what_they_were_trained_on():
    assert MODEL_FILE.exists(), "run `growthpilot train sentiment` to write the weights"
    assert MODEL_FILE.stat().st_size < 3_000_000
    m = LinearSentimentModel.load(MODEL_FILE)
    assert set(m.models) == {"zh", "en"} and m.embedder_name == USE_NAME
    trained = m.meta["trained_on"]
    assert "reviews_en_yelp_labelled.txt" in trained["files"] and trained["texts"]["zh"] > 40_000
    assert m.meta["command"] == "growthpilot train sentiment" and m.meta["weights_sha256"] == m.weights_sha256()


@pytest.mark.parametrize("text, label", [
    ("东西很好，物流也快，非常满意", "pos"),
    ("质量太差，用了两天就坏了，要求退货", "neg"),
    ("房间干净，前台服务热情", "pos"),
    ("水果烂了一半，再也不买了", "neg"),
    ("Works great, the sound is amazing", "pos"),
    ("Stopped working after a month, waste of money", "neg"),
    ("The food was cold and the waiter was rude", "neg"),
    ("Lovely place, friendly staff", "pos"),
])
def test_shipped_model_classifies_obvious_reviews(text, label):
    assert SentimentAnalyzer().analyze_one(text).label == label


class CountingUSE:
    """The real USE embedder, counting what it is asked to embed."""

    name, dim, normalized = USE_NAME, 512, True

    def __init__(self):
        self.inner = USEEmbedder()
        self.calls = 0

    def encode(self, texts, progress=False):
        self.calls += len(texts)
        return self.inner.encode(texts)


def test_vectors_are_shared_not_recomputed():
    emb = CountingUSE()
    texts = ["电池续航太短，很失望", "", "Great speaker, easy setup"]
    vec = emb.encode(texts)
    an = SentimentAnalyzer(embedder=emb)
    with_vectors = an.analyze(texts, vectors=vec)
    assert emb.calls == 3  # only the encode above
    fresh = an.analyze(texts)
    assert emb.calls == 5  # the analyzer used the given embedder for the two non-empty texts
    assert [r.label for r in with_vectors] == [r.label for r in fresh] == ["neg", "neutral", "pos"]
    assert np.allclose([r.score for r in with_vectors], [r.score for r in fresh], atol=1e-5)
    with pytest.raises(ValueError, match="shape"):
        an.analyze(texts, vectors=vec[:2])


def test_an_embedder_of_another_model_is_not_used():
    class Other:
        name, dim, normalized = "fake:other", 8, True

        def encode(self, texts, progress=False):
            raise AssertionError("vectors of another model must not reach the USE-trained classifier")

    assert SentimentAnalyzer(embedder=Other()).analyze_one("非常失望，质量很差").label == "neg"


def test_trainer_round_trip_is_exact(tmp_path):
    from training.sentiment_train import fit_language_model, seed_frame

    seeds = seed_frame()
    models = {}
    rng = np.random.default_rng(0)
    for lang in ("zh", "en"):
        part = seeds[seeds["lang"] == lang]
        texts, y = part["text"].tolist(), part["label"].to_numpy()
        vec = rng.normal(size=(len(texts), 512)).astype(np.float32)
        lex = rng.normal(size=len(texts)).astype(np.float32)
        models[lang] = (texts, vec, lex, fit_language_model(texts, y, vec, lex, lang, max_features=300))
    m = LinearSentimentModel({k: v[3] for k, v in models.items()}, np.zeros((3, 512), np.float32),
                             np.zeros(3, np.float32), {"embedder": USE_NAME})
    m.save(tmp_path / "w.npz")
    back = LinearSentimentModel.load(tmp_path / "w.npz")
    for lang, (texts, vec, lex, _) in models.items():
        a = m.logits(texts, [lang] * len(texts), vec, lex)
        b = back.logits(texts, [lang] * len(texts), vec, lex)
        assert np.allclose(a, b, atol=2e-2)  # float16 storage
        assert ((a >= 0) == (b >= 0)).mean() > 0.97
        assert back.models[lang].ngrams.dim <= 300 * len(back.models[lang].ngrams.blocks)


@pytest.mark.parametrize("query, polarity", [
    ("complaints about the Echo Dot", "neg"), ("差评", "neg"), ("short battery life", "neg"),
    ("电池续航太短", "neg"), ("fruit arrived rotten", "neg"), ("what people love about the speaker", "pos"),
    ("酒店的好评", "pos"), ("no complaints", "pos"), ("battery life", None), ("手机 屏幕", None),
    ("how do I reset my device", None),
])
def test_query_polarity(query, polarity):
    assert query_polarity(query) == polarity
