"""FAISS vector index with int64 ids, incremental add/remove, and atomic on-disk generations.

Index types (chosen by the number of live vectors and [index]):

* ``flat`` — exact inner-product search (``IndexIDMap2(IndexFlatIP)``) below
  ``exact_below`` vectors. Removal is native.
* ``hnsw`` — ``IndexIDMap2(IndexHNSWFlat)``. HNSW graphs cannot delete nodes, so a
  removed id becomes a *tombstone*: it is excluded from every search with an
  ID selector, and once tombstones exceed ``TOMBSTONE_REBUILD_FRACTION`` of the
  stored vectors the graph is rebuilt from the live vectors.
* ``ivf`` — ``IndexIVFFlat`` with its own ids and a hash-table direct map, so removal is
  native; retrained when the collection has grown ``IVF_RETRAIN_GROWTH`` times past the
  size it was trained on.

Vectors are expected L2-normalised (inner product = cosine). A GPU copy is used for
flat/IVF search when faiss-gpu and a CUDA device are present and ``use_gpu`` allows it.

`IndexDirectory` writes a set of files as one generation: each file goes to a temp
name, is fsynced and renamed; the manifest (with sha256 of every file) is replaced
last, so a reader sees either the old generation or the new one, never a mix.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Callable, Literal

import faiss
import numpy as np

from .settings import IndexSettings
from .types import KnowledgeError

IndexKind = Literal["flat", "hnsw", "ivf"]
TOMBSTONE_REBUILD_FRACTION = 0.2
IVF_RETRAIN_GROWTH = 4.0
MANIFEST = "manifest.json"


def desired_kind(n_live: int, settings: IndexSettings) -> IndexKind:
    """Exact search below `exact_below` live vectors, the configured approximate index above."""
    return "flat" if n_live < settings.exact_below else settings.approximate


def gpu_available() -> bool:
    return hasattr(faiss, "StandardGpuResources") and faiss.get_num_gpus() > 0


class VectorIndex:
    """A FAISS index over int64 ids. Not thread-safe for writes; searches may run concurrently."""

    def __init__(
        self,
        dim: int,
        settings: IndexSettings,
        *,
        index: faiss.Index | None = None,
        kind: IndexKind = "flat",
        tombstones: set[int] | None = None,
        trained_on: int = 0,
    ):
        self.dim = dim
        self.settings = settings
        self.kind: IndexKind = kind
        self.index = index if index is not None else self._new_index(kind, None)
        self.tombstones: set[int] = set(tombstones or ())
        self.trained_on = trained_on
        self._exclude_sel = None  # cached selector over tombstones
        self._gpu_index = None
        if settings.use_gpu == "always" and not gpu_available():
            raise KnowledgeError(
                "[index] use_gpu = \"always\" but faiss has no GPU here: install faiss-gpu on a CUDA machine "
                "or set use_gpu = \"auto\""
            )

    # ---- construction -------------------------------------------------
    def _new_index(self, kind: IndexKind, train: np.ndarray | None) -> faiss.Index:
        d, s = self.dim, self.settings
        if kind == "flat":
            return faiss.IndexIDMap2(faiss.IndexFlatIP(d))
        if kind == "hnsw":
            h = faiss.IndexHNSWFlat(d, s.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            h.hnsw.efConstruction = s.hnsw_ef_construction
            h.hnsw.efSearch = s.hnsw_ef_search
            return faiss.IndexIDMap2(h)
        if kind == "ivf":
            n = 0 if train is None else len(train)
            nlist = max(1, min(s.ivf_nlist, n // 39 if n else 1))
            ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(d), d, nlist, faiss.METRIC_INNER_PRODUCT)
            if train is not None and len(train):
                rng = np.random.default_rng(0)
                sample = train if len(train) <= nlist * 256 else train[rng.choice(len(train), nlist * 256, replace=False)]
                ivf.train(np.ascontiguousarray(sample, dtype=np.float32))
            ivf.nprobe = min(s.ivf_nprobe, nlist)
            ivf.set_direct_map_type(faiss.DirectMap.Hashtable)
            self.trained_on = n
            return ivf
        raise ValueError(f"unknown index kind {kind!r}")

    @classmethod
    def build(cls, dim: int, settings: IndexSettings, ids: np.ndarray, vectors: np.ndarray,
              kind: IndexKind | None = None) -> "VectorIndex":
        """A fresh index of `kind` (default: by size) holding `vectors` under `ids`."""
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        kind = kind or desired_kind(len(ids), settings)
        vi = cls(dim, settings, kind=kind, index=faiss.IndexIDMap2(faiss.IndexFlatIP(dim)))
        vi.index = vi._new_index(kind, vectors if kind == "ivf" else None)
        if len(ids):
            vi.index.add_with_ids(vectors, ids)
        return vi

    # ---- size ---------------------------------------------------------
    @property
    def stored(self) -> int:
        """Vectors physically in the index (live + tombstoned)."""
        return int(self.index.ntotal)

    def __len__(self) -> int:
        return self.stored - len(self.tombstones)

    def ids(self) -> np.ndarray:
        """Live ids (unordered)."""
        if self.kind == "ivf":
            ids = self._ivf_ids()
        else:
            ids = faiss.vector_to_array(self.index.id_map).astype(np.int64)
        if self.tombstones:
            ids = ids[~np.isin(ids, np.fromiter(self.tombstones, dtype=np.int64))]
        return ids

    def _ivf_ids(self) -> np.ndarray:
        invlists = self.index.invlists
        parts = []
        for lst in range(self.index.nlist):
            size = invlists.list_size(lst)
            if size:
                parts.append(faiss.rev_swig_ptr(invlists.get_ids(lst), size).copy())
        return np.concatenate(parts).astype(np.int64) if parts else np.empty(0, dtype=np.int64)

    # ---- mutation -----------------------------------------------------
    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors under new ids (ids must not be present already)."""
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if not len(ids):
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (len(ids), self.dim):
            raise ValueError(f"expected vectors of shape ({len(ids)}, {self.dim}), got {vectors.shape}")
        if self.kind == "ivf" and not self.index.is_trained:
            self.index = self._new_index("ivf", vectors)
        self.index.add_with_ids(vectors, ids)
        self._invalidate()

    def remove(self, ids: np.ndarray) -> None:
        """Remove ids (unknown ids are ignored). HNSW: tombstones, compacted past a threshold."""
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if not len(ids):
            return
        if self.kind == "hnsw":
            self.tombstones.update(int(i) for i in ids)
        elif self.kind == "ivf":
            self.index.remove_ids(faiss.IDSelectorArray(ids))  # hashtable direct map wants an array selector
        else:
            self.index.remove_ids(faiss.IDSelectorBatch(ids))
        self._invalidate()

    def reconstruct(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of `ids` (each must be present)."""
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if not len(ids):
            return np.empty((0, self.dim), dtype=np.float32)
        return np.vstack([self.index.reconstruct(int(i)) for i in ids]).astype(np.float32)

    def live_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) of every live vector."""
        if self.kind == "ivf":
            ids = self._ivf_ids()
            return ids, self.reconstruct(ids)
        ids = faiss.vector_to_array(self.index.id_map).astype(np.int64)
        vecs = self.index.index.reconstruct_n(0, self.stored) if self.stored else np.empty((0, self.dim), np.float32)
        if self.tombstones:
            keep = ~np.isin(ids, np.fromiter(self.tombstones, dtype=np.int64))
            ids, vecs = ids[keep], vecs[keep]
        return ids, np.ascontiguousarray(vecs, dtype=np.float32)

    def maintain(self) -> bool:
        """Rebuild when the right index type changed with the size, tombstones piled up, or IVF
        outgrew its training. Returns True when it rebuilt."""
        n = len(self)
        want = desired_kind(n, self.settings)
        reason = want != self.kind
        reason |= self.kind == "hnsw" and len(self.tombstones) > TOMBSTONE_REBUILD_FRACTION * max(1, self.stored)
        reason |= self.kind == "ivf" and n > IVF_RETRAIN_GROWTH * max(1, self.trained_on)
        if not reason:
            return False
        ids, vecs = self.live_vectors()
        fresh = VectorIndex.build(self.dim, self.settings, ids, vecs, kind=want)
        self.index, self.kind, self.tombstones, self.trained_on = fresh.index, want, set(), fresh.trained_on
        self._invalidate()
        return True

    def _invalidate(self) -> None:
        self._exclude_sel = None
        self._gpu_index = None

    # ---- search -------------------------------------------------------
    def _search_target(self) -> faiss.Index:
        """The GPU copy for flat/IVF when allowed and present, else the CPU index."""
        if self.settings.use_gpu == "never" or self.kind == "hnsw" or not gpu_available():
            return self.index
        if self._gpu_index is None:  # pragma: no cover - needs faiss-gpu + CUDA
            self._gpu_res = faiss.StandardGpuResources()
            self._gpu_index = faiss.index_cpu_to_gpu(self._gpu_res, 0, self.index)
        return self._gpu_index

    def search(self, queries: np.ndarray, k: int, *, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-`k` (scores, ids) per query row; missing slots have id -1.
        `allowed` restricts the search to those ids (filters)."""
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        nq = len(queries)
        if self.stored == 0 or k <= 0:
            return np.full((nq, max(k, 0)), -np.inf, np.float32), np.full((nq, max(k, 0)), -1, np.int64)
        sel = None
        if allowed is not None:
            allowed = np.ascontiguousarray(allowed, dtype=np.int64)
            if self.tombstones:
                allowed = allowed[~np.isin(allowed, np.fromiter(self.tombstones, dtype=np.int64))]
            if not len(allowed):
                return np.full((nq, k), -np.inf, np.float32), np.full((nq, k), -1, np.int64)
            sel = faiss.IDSelectorBatch(allowed)
            sel._keep = allowed  # the selector keeps a pointer: hold the array alive
        elif self.tombstones:
            if self._exclude_sel is None:
                dead = np.fromiter(self.tombstones, dtype=np.int64)
                inner = faiss.IDSelectorBatch(dead)
                inner._keep = dead
                self._exclude_sel = faiss.IDSelectorNot(inner)
                self._exclude_sel._keep = inner
            sel = self._exclude_sel
        k_eff = min(k, self.stored)
        # A few queries run fastest on one thread (OpenMP start-up and, on a busy machine,
        # oversubscription cost more than they save). omp_set_num_threads only affects parallel
        # regions started by the calling thread, so concurrent callers do not interfere.
        threads = self.settings.query_threads if nq <= 4 and self.settings.query_threads > 0 else 0
        before = faiss.omp_get_max_threads()
        if threads:
            faiss.omp_set_num_threads(threads)
        try:
            scores, ids = self._search(queries, k_eff, sel)
        finally:
            if threads:
                faiss.omp_set_num_threads(before)
        if k_eff < k:
            pad = k - k_eff
            scores = np.hstack([scores, np.full((nq, pad), -np.inf, np.float32)])
            ids = np.hstack([ids, np.full((nq, pad), -1, np.int64)])
        scores = np.where(ids < 0, -np.inf, scores).astype(np.float32)
        return scores, ids

    def _search(self, queries: np.ndarray, k: int, sel) -> tuple[np.ndarray, np.ndarray]:
        if self.kind == "hnsw":
            params = faiss.SearchParametersHNSW(sel=sel, efSearch=max(self.settings.hnsw_ef_search, k))
            return self.index.search(queries, k, params=params)
        if self.kind == "ivf":
            params = faiss.SearchParametersIVF(sel=sel, nprobe=min(self.settings.ivf_nprobe, self.index.nlist))
            target = self._search_target() if sel is None else self.index  # GPU indexes take no ID selectors
            return target.search(queries, k, params=params)
        if sel is None:
            return self._search_target().search(queries, k)
        return self.index.search(queries, k, params=faiss.SearchParameters(sel=sel))

    # ---- persistence --------------------------------------------------
    def write(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    @classmethod
    def read(cls, path: Path, dim: int, settings: IndexSettings, *, kind: IndexKind,
             tombstones: set[int], trained_on: int, data: bytes | None = None) -> "VectorIndex":
        try:  # `data`: the file's bytes already decrypted (encryption at rest)
            index = faiss.read_index(str(path)) if data is None else faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))
        except RuntimeError as exc:
            raise KnowledgeError(f"the FAISS index {path} cannot be read ({exc})") from exc
        if index.d != dim:
            raise KnowledgeError(f"the FAISS index {path} has dimension {index.d}, its manifest says {dim}")
        return cls(dim, settings, index=index, kind=kind, tombstones=tombstones, trained_on=trained_on)

    def describe(self) -> dict:
        return {"kind": self.kind, "faiss_type": type(self.index).__name__ if self.kind == "ivf"
                else f"IndexIDMap2({type(faiss.downcast_index(self.index.index)).__name__})",
                "stored": self.stored, "live": len(self), "tombstones": len(self.tombstones)}


# ---- atomic file generations -------------------------------------------------

def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class IndexDirectory:
    """One folder holding one generation of files described by `manifest.json`."""

    def __init__(self, path: Path):
        self.path = Path(path)

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST

    def exists(self) -> bool:
        return self.manifest_path.exists()

    def read_manifest(self) -> dict:
        try:
            return json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise
        except (OSError, ValueError) as exc:
            raise KnowledgeError(f"the index manifest {self.manifest_path} is unreadable ({exc})") from exc

    def verified_files(self, manifest: dict) -> dict[str, Path]:
        """role → path of every file in `manifest`, after checking each sha256."""
        out: dict[str, Path] = {}
        for role, info in manifest.get("files", {}).items():
            path = self.path / info["name"]
            if not path.exists():
                raise FileNotFoundError(path)
            digest = sha256_file(path)
            if digest != info["sha256"]:
                raise KnowledgeError(
                    f"the index file {path} is corrupted (sha256 {digest[:12]}… but the manifest says "
                    f"{info['sha256'][:12]}…)"
                )
            out[role] = path
        return out

    def commit(self, writers: dict[str, tuple[str, Callable[[Path], None]]], manifest: dict) -> dict:
        """Write each role's file with its writer (role → (extension, writer(path))), then the
        manifest, atomically. Files of older generations are deleted afterwards."""
        self.path.mkdir(parents=True, exist_ok=True)
        gen = f"{time.time_ns():x}"
        files: dict[str, dict] = {}
        for role, (ext, writer) in writers.items():
            final = self.path / f"{role}.{gen}{ext}"
            tmp = final.with_name(final.name + ".tmp")
            writer(tmp)
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
            files[role] = {"name": final.name, "sha256": sha256_file(tmp), "bytes": tmp.stat().st_size}
            os.replace(tmp, final)
        manifest = {**manifest, "generation": gen, "files": files}
        tmp = self.manifest_path.with_name(MANIFEST + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(manifest, f, ensure_ascii=False, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.manifest_path)
        _fsync_dir(self.path)
        keep = {info["name"] for info in files.values()} | {MANIFEST}
        for p in self.path.iterdir():
            if p.name not in keep and p.is_file():
                try:
                    p.unlink()
                except OSError:  # pragma: no cover - a reader on Windows may hold it
                    pass
        return manifest
