"""FAISS vector index, atomic generations + manifest, BM25 and fusion (no model needed)."""

from __future__ import annotations

import json

import faiss
import numpy as np
import pytest

from knowledge.bm25 import BM25Index, bm25_tokens
from knowledge.search import REBUILD_COMMAND, Collection, rrf_fuse
from knowledge.settings import IndexSettings
from knowledge.types import KnowledgeError
from knowledge.vector_index import (
    TOMBSTONE_REBUILD_FRACTION,
    IndexDirectory,
    VectorIndex,
    desired_kind,
    gpu_available,
)

DIM = 32


def unit(n: int, seed: int = 0, dim: int = DIM) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def exact_top(vectors: np.ndarray, ids: np.ndarray, q: np.ndarray, k: int) -> np.ndarray:
    return ids[np.argsort(-(vectors @ q))[:k]]


SMALL = IndexSettings(exact_below=100, hnsw_m=16, hnsw_ef_construction=80, hnsw_ef_search=64, ivf_nlist=8, ivf_nprobe=8,
                      use_gpu="never")


# ---- index type by size -------------------------------------------------------

def test_kind_switches_at_the_exact_below_threshold():
    assert desired_kind(99, SMALL) == "flat"
    assert desired_kind(100, SMALL) == "hnsw"
    assert desired_kind(100, IndexSettings(exact_below=100, approximate="ivf")) == "ivf"


@pytest.mark.parametrize("approximate", ["hnsw", "ivf"])
def test_index_grows_from_exact_to_approximate_and_back(approximate):
    settings = IndexSettings(**{**SMALL.__dict__, "approximate": approximate})
    vecs, ids = unit(400, 1), np.arange(10, 410, dtype=np.int64)
    vi = VectorIndex(DIM, settings)
    vi.add(ids[:50], vecs[:50])
    assert not vi.maintain() and vi.kind == "flat"
    assert "IndexFlatIP" in vi.describe()["faiss_type"]
    vi.add(ids[50:], vecs[50:])
    assert vi.maintain() and vi.kind == approximate and len(vi) == 400
    assert ("HNSW" in vi.describe()["faiss_type"]) == (approximate == "hnsw")
    # results still right after the switch
    hits = 0
    for j in range(0, 400, 40):
        _, got = vi.search(vecs[j], 10)
        hits += len(set(got[0]) & set(exact_top(vecs, ids, vecs[j], 10)))
    assert hits / (10 * 10) >= 0.9
    vi.remove(ids[:350])
    assert vi.maintain() and vi.kind == "flat" and len(vi) == 50
    assert set(vi.ids()) == set(ids[350:])


def test_exact_index_returns_the_true_neighbours_in_order():
    vecs, ids = unit(60, 2), np.arange(1000, 1060, dtype=np.int64)
    vi = VectorIndex.build(DIM, SMALL, ids, vecs)
    assert vi.kind == "flat"
    scores, got = vi.search(vecs[7], 5)
    assert got[0][0] == 1007 and scores[0][0] == pytest.approx(1.0, abs=1e-5)
    assert list(got[0]) == list(exact_top(vecs, ids, vecs[7], 5))
    # k larger than the index: padded with -1
    _, got = vi.search(vecs[0], 80)
    assert (got[0][:60] >= 0).all() and (got[0][60:] == -1).all()


# ---- incremental add / remove -------------------------------------------------

@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
def test_removed_ids_never_come_back(kind):
    vecs, ids = unit(300, 3), np.arange(300, dtype=np.int64)
    vi = VectorIndex.build(DIM, SMALL, ids, vecs, kind=kind)
    gone = np.array([5, 6, 7], dtype=np.int64)
    vi.remove(gone)
    assert len(vi) == 297
    for j in gone:
        _, got = vi.search(vecs[j], 20)
        assert not set(got[0]) & set(gone.tolist())
    # re-added under a new id, found under the new id
    vi.add(np.array([9999], dtype=np.int64), vecs[5:6])
    _, got = vi.search(vecs[5], 1)
    assert got[0][0] == 9999


def test_hnsw_removal_uses_tombstones_then_compacts():
    vecs, ids = unit(200, 4), np.arange(200, dtype=np.int64)
    vi = VectorIndex.build(DIM, SMALL, ids, vecs, kind="hnsw")
    few = ids[:10]
    vi.remove(few)
    assert vi.stored == 200 and len(vi) == 190 and vi.tombstones == set(few.tolist())
    assert not vi.maintain()  # 10 / 200 is under the threshold
    many = ids[10 : 10 + int(TOMBSTONE_REBUILD_FRACTION * 200) + 5]
    vi.remove(many)
    assert vi.maintain() and vi.kind == "hnsw"
    assert vi.tombstones == set() and vi.stored == len(vi) == 200 - 10 - len(many)


def test_search_restricted_to_allowed_ids():
    vecs, ids = unit(150, 5), np.arange(150, dtype=np.int64)
    for kind in ("flat", "hnsw", "ivf"):
        vi = VectorIndex.build(DIM, SMALL, ids, vecs, kind=kind)
        allowed = np.array([3, 77, 120], dtype=np.int64)
        _, got = vi.search(vecs[0], 10, allowed=allowed)
        assert set(got[0][got[0] >= 0]) == {3, 77, 120}, kind


def test_reconstruct_gives_back_the_stored_vectors():
    vecs, ids = unit(120, 6), np.arange(500, 620, dtype=np.int64)
    for kind in ("flat", "hnsw", "ivf"):
        vi = VectorIndex.build(DIM, SMALL, ids, vecs, kind=kind)
        np.testing.assert_allclose(vi.reconstruct(np.array([505, 600])), vecs[[5, 100]], atol=1e-6)


@pytest.mark.gpu
def test_gpu_copy_answers_like_the_cpu_index():
    if not gpu_available():
        pytest.skip("needs faiss-gpu and a CUDA device")
    vecs, ids = unit(500, 7), np.arange(500, dtype=np.int64)
    cpu = VectorIndex.build(DIM, SMALL, ids, vecs, kind="flat")
    gpu = VectorIndex.build(DIM, IndexSettings(**{**SMALL.__dict__, "use_gpu": "always"}), ids, vecs, kind="flat")
    assert list(cpu.search(vecs[3], 10)[1][0]) == list(gpu.search(vecs[3], 10)[1][0])


def test_use_gpu_always_without_a_gpu_is_a_clear_error():
    if gpu_available():
        pytest.skip("a GPU is present")
    with pytest.raises(KnowledgeError, match="faiss-gpu"):
        VectorIndex(DIM, IndexSettings(use_gpu="always"))


# ---- atomic generations and manifests ------------------------------------------

def test_commit_writes_checksummed_generation_and_drops_the_old_one(tmp_path):
    d = IndexDirectory(tmp_path / "idx")
    vi = VectorIndex.build(DIM, SMALL, np.arange(20, dtype=np.int64), unit(20, 8))
    m1 = d.commit({"vectors": (".faiss", vi.write), "extra": (".txt", lambda p: p.write_text("one"))}, {"x": 1})
    m2 = d.commit({"vectors": (".faiss", vi.write), "extra": (".txt", lambda p: p.write_text("two"))}, {"x": 2})
    names = sorted(p.name for p in d.path.iterdir())
    assert names == sorted([m2["files"]["vectors"]["name"], m2["files"]["extra"]["name"], "manifest.json"])
    assert m1["files"]["extra"]["name"] not in names and not any(n.endswith(".tmp") for n in names)
    on_disk = json.loads((d.path / "manifest.json").read_text())
    assert on_disk["x"] == 2 and on_disk["generation"] == m2["generation"]
    files = d.verified_files(on_disk)
    assert files["extra"].read_text() == "two"
    assert faiss.read_index(str(files["vectors"])).ntotal == 20


def test_corrupted_file_is_detected_by_checksum(tmp_path):
    d = IndexDirectory(tmp_path / "idx")
    m = d.commit({"extra": (".txt", lambda p: p.write_text("hello"))}, {})
    (d.path / m["files"]["extra"]["name"]).write_text("hellO")
    with pytest.raises(KnowledgeError, match="corrupted"):
        d.verified_files(json.loads((d.path / "manifest.json").read_text()))


class _FakeEmbedder:
    def __init__(self, name: str, dim: int = DIM):
        self.name, self.dim, self.normalized = name, dim, True

    def encode(self, texts, *, progress=False):
        return unit(len(texts), abs(hash(tuple(texts))) % 1000, self.dim)


def _small_collection(emb) -> Collection:
    from knowledge.search import StoredItem

    coll = Collection.empty("internal", emb, SMALL)
    items = [StoredItem(f"review:{i}", i + 1, "review", "", f"text {i}", {}, f"h{i}") for i in range(5)]
    vi = VectorIndex.build(DIM, SMALL, np.arange(1, 6, dtype=np.int64), unit(5, 9))
    return Collection("internal", emb.name, DIM, True, SMALL, items, vi,
                      BM25Index.build([bm25_tokens(it.text) for it in items]), 6, created=coll.created)


def test_saved_collection_reloads_identically(tmp_path):
    emb = _FakeEmbedder("fake-a")
    coll = _small_collection(emb)
    manifest = coll.save(tmp_path / "internal")
    assert manifest["embedder"] == "fake-a" and manifest["dimension"] == DIM and manifest["normalized"] is True
    assert manifest["counts"]["items"] == 5 and manifest["counts"]["vectors"] == 5
    assert manifest["faiss_index_type"] == "IndexIDMap2(IndexFlatIP)"
    assert set(manifest["files"]) == {"vectors", "items", "bm25"}
    assert all(len(f["sha256"]) == 64 for f in manifest["files"].values())
    back = Collection.load(tmp_path / "internal", "internal", emb, SMALL)
    assert [it.id for it in back.items] == [it.id for it in coll.items]
    np.testing.assert_allclose(back.vindex.reconstruct(np.array([3])), coll.vindex.reconstruct(np.array([3])))


def test_loading_with_another_embedder_names_the_builder_and_the_fix(tmp_path):
    _small_collection(_FakeEmbedder("fake-a")).save(tmp_path / "internal")
    with pytest.raises(KnowledgeError) as err:
        Collection.load(tmp_path / "internal", "internal", _FakeEmbedder("fake-b"), SMALL)
    msg = str(err.value)
    assert "'fake-a'" in msg and "'fake-b'" in msg and REBUILD_COMMAND in msg
    with pytest.raises(KnowledgeError, match="fake-a"):  # same name, other dimension
        Collection.load(tmp_path / "internal", "internal", _FakeEmbedder("fake-a", dim=16), SMALL)


def test_corrupted_index_file_is_a_clear_error_naming_the_fix(tmp_path):
    coll = _small_collection(_FakeEmbedder("fake-a"))
    m = coll.save(tmp_path / "internal")
    path = tmp_path / "internal" / m["files"]["vectors"]["name"]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(KnowledgeError) as err:
        Collection.load(tmp_path / "internal", "internal", _FakeEmbedder("fake-a"), SMALL)
    assert "corrupted" in str(err.value) and REBUILD_COMMAND in str(err.value)


def test_missing_index_says_how_to_build_one(tmp_path):
    with pytest.raises(KnowledgeError) as err:
        Collection.load(tmp_path / "public", "public", _FakeEmbedder("fake-a"), SMALL)
    assert "growthpilot ingest" in str(err.value) and "growthpilot demo" in str(err.value)


# ---- BM25 --------------------------------------------------------------------

ZH = ["这款电池续航太短，一天要充三次电", "屏幕很清晰，色彩漂亮", "物流很快，包装完好", "电池不耐用，发热严重", "客服态度很好"]
EN = ["Battery life is too short", "The screen is bright and sharp", "Fast delivery and good packaging",
      "Battery drains overnight and the phone gets hot", "Customer service was friendly"]


def test_bm25_ranks_chinese_by_jieba_terms():
    bm = BM25Index.build([bm25_tokens(t) for t in ZH])
    rows, scores = bm.top_k(bm25_tokens("电池续航"), 5)
    assert list(rows[:2]) == [0, 3]  # both mention 电池; only row 0 also has 续航
    assert scores[0] > scores[1] > 0 and len(rows) == 2  # documents without the terms are not returned


def test_bm25_ranks_english_words_case_insensitively():
    bm = BM25Index.build([bm25_tokens(t) for t in EN])
    rows, _ = bm.top_k(bm25_tokens("BATTERY hot"), 5)
    assert list(rows) == [3, 0]
    assert bm.top_k(bm25_tokens("the and"), 5)[0].size == 0  # stop words alone match nothing


def test_bm25_scores_match_the_okapi_formula():
    docs = [["a1", "b1"], ["a1", "a1", "c1"], ["c1"]]
    bm = BM25Index.build(docs, k1=1.2, b=0.75)
    n, avgdl = 3, 2.0
    idf_a = np.log1p((n - 2 + 0.5) / (2 + 0.5))
    expected = idf_a * 2 * 2.2 / (2 + 1.2 * (1 - 0.75 + 0.75 * 3 / avgdl))
    assert bm.scores(["a1"])[1] == pytest.approx(expected, rel=1e-5)


def test_bm25_incremental_equals_a_fresh_build_and_survives_save(tmp_path):
    toks = [bm25_tokens(t) for t in ZH + EN]
    full = BM25Index.build([toks[i] for i in (0, 2, 4, 5, 6, 7)])
    inc = BM25Index.build(toks[:5]).take(np.array([0, 2, 4])).extend(toks[5:8])
    for q in ("电池", "battery screen", "包装 delivery"):
        np.testing.assert_allclose(inc.scores(bm25_tokens(q)), full.scores(bm25_tokens(q)), rtol=1e-6)
    inc.save(tmp_path / "bm.npz")
    back = BM25Index.load(tmp_path / "bm.npz")
    np.testing.assert_allclose(back.scores(bm25_tokens("电池 battery")), inc.scores(bm25_tokens("电池 battery")))


def test_bm25_mask_excludes_rows():
    bm = BM25Index.build([bm25_tokens(t) for t in ZH])
    rows, _ = bm.top_k(["电池"], 5, mask=np.array([False, True, True, True, True]))
    assert list(rows) == [3]


# ---- fusion --------------------------------------------------------------------

def test_rrf_fusion_order():
    dense = [10, 11, 12, 13]
    bm25 = [13, 12, 99]
    fused = rrf_fuse([dense, bm25], rrf_k=60)
    keys = [k for k, _ in fused]
    # 12 and 13 are in both lists: 13 (4th + 1st) edges out 12 (3rd + 2nd); single-list items follow
    assert keys == [13, 12, 10, 11, 99]
    assert fused[0][1] == pytest.approx(1 / 64 + 1 / 61)
    assert fused[1][1] == pytest.approx(1 / 63 + 1 / 62)
    assert fused[2][1] == pytest.approx(1 / 61)
    # exact ties keep the dense order
    assert [k for k, _ in rrf_fuse([[1, 2], [2, 1]], rrf_k=60)] == [1, 2]
