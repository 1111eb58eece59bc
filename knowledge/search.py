"""Hybrid search over the two collections: dense (FAISS) + BM25, fused by reciprocal rank.

On disk, under ``<data_dir>/indexes/``::

    internal/   insights + reviews   (team only)
    public/     docs (FAQ, policies, product pages)   (customer-facing)

Each folder is one `Collection`: a FAISS index, the items (id, kind, title, text,
metadata), a BM25 term-frequency matrix, and a manifest naming the embedder that
built it, its dimension, counts and the sha256 of every file.

`KnowledgeBase.retriever("public")` returns a `Retriever` that holds only the path of
the public folder: it has no handle on internal files, so whatever a customer types,
the internal collection is out of reach.
"""

from __future__ import annotations

import io
import json
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from . import atrest
from .bilingual import translate
from .bm25 import BM25Index, bm25_tokens
from .embeddings import Embedder
from .settings import IndexSettings, SearchSettings
from .query_intent import topic_text
from .text import detect_lang
from .types import Collection as CollectionName
from .types import Hit, KnowledgeError
from .vector_index import IndexDirectory, VectorIndex

COLLECTIONS: tuple[str, ...] = ("internal", "public")
FORMAT_VERSION = 1
REBUILD_COMMAND = "growthpilot search --rebuild"
FILTER_KEYS = ("product", "category", "date_from", "date_to", "sentiment", "topic", "lang")
KINDS = ("insight", "review", "doc")


def collection_path(data_dir: Path, name: str) -> Path:
    if name not in COLLECTIONS:
        raise KnowledgeError(f"unknown collection {name!r}: use one of {', '.join(COLLECTIONS)}")
    return Path(data_dir) / "indexes" / name


def embedding_cache_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "cache" / "embeddings"


@dataclass(frozen=True)
class StoredItem:
    """One indexed document as kept beside the vectors."""

    id: str
    n: int  # int64 FAISS id
    kind: str
    title: str
    text: str
    metadata: dict
    hash: str  # content hash: a changed document is re-indexed

    def to_json(self) -> str:
        return json.dumps(
            {"id": self.id, "n": self.n, "kind": self.kind, "title": self.title, "text": self.text,
             "metadata": self.metadata, "hash": self.hash},
            ensure_ascii=False, default=str,
        )


def embed_text(title: str, text: str) -> str:
    """What gets embedded and BM25-tokenised for a document: its title (when it adds anything) and text."""
    return f"{title}\n{text}" if title and title not in text else text


class Collection:
    """An in-memory collection: items + FAISS index + BM25, aligned by row."""

    def __init__(self, name: str, embedder_name: str, dim: int, normalized: bool, index_settings: IndexSettings,
                 items: list[StoredItem], vindex: VectorIndex, bm25: BM25Index, next_id: int, *,
                 tokenizer: str = "jieba", created: str | None = None, generation: str | None = None):
        if len(items) != len(bm25):
            raise KnowledgeError(f"the {name} index is inconsistent ({len(items)} items, {len(bm25)} BM25 rows): "
                                 f"rebuild it with `{REBUILD_COMMAND}`")
        self.name = name
        self.embedder_name = embedder_name
        self.dim = dim
        self.normalized = normalized
        self.index_settings = index_settings
        self.items = items
        self.vindex = vindex
        self.bm25 = bm25
        self.next_id = next_id
        self.tokenizer = tokenizer
        self.created = created or _now()
        self.generation = generation
        self.row_of_id = {it.id: i for i, it in enumerate(items)}
        self.row_of_n = {it.n: i for i, it in enumerate(items)}
        self.ns = np.fromiter((it.n for it in items), dtype=np.int64, count=len(items))
        self._columns: dict[str, np.ndarray] = {}

    @classmethod
    def empty(cls, name: str, embedder: Embedder, index_settings: IndexSettings, tokenizer: str = "jieba") -> "Collection":
        return cls(name, embedder.name, embedder.dim, embedder.normalized, index_settings, [],
                   VectorIndex(embedder.dim, index_settings), BM25Index.build([]), 1, tokenizer=tokenizer)

    def __len__(self) -> int:
        return len(self.items)

    # ---- filters ------------------------------------------------------
    def _column(self, key: str) -> np.ndarray:
        col = self._columns.get(key)
        if col is None:
            if key == "kind":
                values = [it.kind for it in self.items]
            elif key == "sentiment":
                values = [_sentiment_of(it.metadata) for it in self.items]
            else:
                values = [str(it.metadata.get(key) or "") for it in self.items]
            col = self._columns[key] = np.array(values, dtype=object)
        return col

    def equals(self, key: str, value: str) -> np.ndarray:
        """Boolean column: rows whose `key` (as in `_column`) is `value` (cached; read-only)."""
        ck = f"={key}={value}"
        m = self._columns.get(ck)
        if m is None:
            m = self._columns[ck] = np.asarray(self._column(key) == value, dtype=bool)
            m.setflags(write=False)
        return m

    def mask(self, kinds: Iterable[str] | str | None, filters: dict | None) -> np.ndarray | None:
        """Boolean mask of rows passing `kinds` and `filters`, or None when nothing is filtered."""
        mask: np.ndarray | None = None

        def narrow(m: np.ndarray) -> None:
            nonlocal mask
            mask = m if mask is None else (mask & m)

        if kinds:
            kinds = [kinds] if isinstance(kinds, str) else list(kinds)
            bad = [k for k in kinds if k not in KINDS]
            if bad:
                raise KnowledgeError(f"unknown kind {bad[0]!r}: use one of {', '.join(KINDS)}")
            narrow(np.isin(self._column("kind"), kinds))
        for key, value in (filters or {}).items():
            if key not in FILTER_KEYS:
                raise KnowledgeError(f"unknown search filter {key!r}: use one of {', '.join(FILTER_KEYS)}")
            if value is None or value == "":
                continue
            if key == "date_from":
                col = self._column("date")
                narrow(np.array([bool(d) and d >= str(value) for d in col], dtype=bool))
            elif key == "date_to":
                col = self._column("date")
                # "2024-05" as an upper bound includes all of May
                hi = str(value) + ("\uffff" if len(str(value)) < 10 else "")
                narrow(np.array([bool(d) and d <= hi for d in col], dtype=bool))
            else:
                wanted = [str(v) for v in value] if isinstance(value, (list, tuple, set, frozenset)) else [str(value)]
                col = self._column(key)
                if key in ("product", "category", "topic", "lang"):
                    wanted_l = {w.casefold() for w in wanted}
                    m = np.array([c.casefold() in wanted_l for c in col], dtype=bool)
                    if key == "product":  # an item id or its catalogue name
                        m |= np.array([c.casefold() in wanted_l for c in self._column("product_name")], dtype=bool)
                    narrow(m)
                else:
                    narrow(np.isin(col, wanted))
        return mask

    # ---- persistence --------------------------------------------------
    def manifest(self) -> dict:
        kinds: dict[str, int] = {}
        for it in self.items:
            kinds[it.kind] = kinds.get(it.kind, 0) + 1
        desc = self.vindex.describe()
        return {
            "format": FORMAT_VERSION,
            "collection": self.name,
            "embedder": self.embedder_name,
            "dimension": self.dim,
            "normalized": self.normalized,
            "metric": "inner_product",
            "faiss_index_type": desc["faiss_type"],
            "index_kind": self.vindex.kind,
            "counts": {"items": len(self.items), "vectors": desc["live"], "stored_vectors": desc["stored"],
                       "tombstones": desc["tombstones"], "bm25_terms": len(self.bm25.vocab), "by_kind": kinds},
            "tombstones": sorted(self.vindex.tombstones),
            "ivf_trained_on": self.vindex.trained_on,
            "next_id": self.next_id,
            "tokenizer": self.tokenizer,
            "created": self.created,
            "updated": _now(),
        }

    def save(self, path: Path) -> dict:
        """Write this collection as a new generation in `path` (atomic; see `IndexDirectory`)."""

        def write_items(p: Path) -> None:
            with open(p, "w", encoding="utf-8") as f:
                for it in self.items:
                    f.write(it.to_json())
                    f.write("\n")

        writers = {
            "vectors": (".faiss", _sealed(self.vindex.write, "index:vectors")),
            "items": (".jsonl", _sealed(write_items, "index:items")),
            "bm25": (".npz", _sealed(self.bm25.save, "index:bm25")),
        }
        manifest = IndexDirectory(path).commit(writers, self.manifest())
        self.generation = manifest["generation"]
        return manifest

    @classmethod
    def load(cls, path: Path, name: str, embedder: Embedder, index_settings: IndexSettings) -> "Collection":
        """Load and verify a saved collection. Raises KnowledgeError when it is missing, was built by
        another embedder, or a file does not match its checksum."""
        directory = IndexDirectory(path)
        for attempt in range(3):  # a writer may swap generations while we read
            if not directory.exists():
                raise KnowledgeError(
                    f"no {name} search index yet (looked in {path}). Build it: `growthpilot ingest reviews|docs|... PATH` "
                    "(indexes after ingesting) or `growthpilot demo` for the bundled demo data"
                )
            manifest = directory.read_manifest()
            check_manifest(manifest, name, embedder, path)
            try:
                files = directory.verified_files(manifest)
                ar = atrest.current()  # with a data key the three files are AES-GCM sealed
                opened = {r: ar.read_bytes(f, role=f"index:{r}") if ar.enabled else ar.check_plain(f) for r, f in files.items()}
                items_text = opened["items"].decode("utf-8") if ar.enabled else files["items"].read_text(encoding="utf-8")
                items = [_item_from_json(line) for line in items_text.splitlines() if line]
                bm25 = BM25Index.load(io.BytesIO(opened["bm25"]) if ar.enabled else files["bm25"])
                vindex = VectorIndex.read(
                    files["vectors"], int(manifest["dimension"]), index_settings, kind=manifest["index_kind"],
                    tombstones=set(manifest.get("tombstones", [])), trained_on=int(manifest.get("ivf_trained_on", 0)),
                    data=opened["vectors"] if ar.enabled else None,
                )
            except FileNotFoundError:
                if attempt == 2:
                    raise KnowledgeError(f"the {name} index in {path} is incomplete: rebuild it with `{REBUILD_COMMAND}`")
                continue
            except atrest.DataKeyError:
                raise  # the key is the fix, not a rebuild
            except KnowledgeError as exc:
                raise KnowledgeError(f"{exc}. Rebuild the {name} index with `{REBUILD_COMMAND}`") from exc
            except (ValueError, KeyError, OSError) as exc:
                raise KnowledgeError(
                    f"the {name} index in {path} cannot be read ({exc}): rebuild it with `{REBUILD_COMMAND}`"
                ) from exc
            if len(vindex) != len(items):
                raise KnowledgeError(f"the {name} index in {path} is inconsistent ({len(vindex)} vectors for "
                                     f"{len(items)} items): rebuild it with `{REBUILD_COMMAND}`")
            return cls(name, manifest["embedder"], int(manifest["dimension"]), bool(manifest["normalized"]),
                       index_settings, items, vindex, bm25, int(manifest["next_id"]),
                       tokenizer=manifest.get("tokenizer", "jieba"), created=manifest.get("created"),
                       generation=manifest.get("generation"))
        raise AssertionError("unreachable")


def check_manifest(manifest: dict, name: str, embedder: Embedder, path: Path) -> None:
    """Refuse an index built by another embedder (or an unknown format), naming the fix."""
    if manifest.get("format") != FORMAT_VERSION:
        raise KnowledgeError(
            f"the {name} index in {path} has format {manifest.get('format')!r}, this version reads "
            f"{FORMAT_VERSION}: rebuild it with `{REBUILD_COMMAND}`"
        )
    built_by, dim = manifest.get("embedder"), manifest.get("dimension")
    if built_by != embedder.name or dim != embedder.dim:
        raise KnowledgeError(
            f"the {name} index in {path} was built by embedder {built_by!r} ({dim}-d) but the configured embedder "
            f"is {embedder.name!r} ({embedder.dim}-d); vectors from different embedders cannot be compared. "
            f"Rebuild it with `{REBUILD_COMMAND}` (re-embeds everything with the configured embedder) or set "
            "[embeddings] back to the one that built it"
        )


def _item_from_json(line: str) -> StoredItem:
    d = json.loads(line)
    return StoredItem(d["id"], int(d["n"]), d["kind"], d.get("title", ""), d["text"], d.get("metadata") or {}, d["hash"])


def _sentiment_of(metadata: dict) -> str:
    s = metadata.get("sentiment")
    if s:
        return str(s)
    label = metadata.get("label")
    if label in (1, "1", True):
        return "pos"
    if label in (0, "0", False):
        return "neg"
    return ""


def _polarity(query: str, polarity: str | None, settings: SearchSettings) -> str | None:
    if polarity is None:
        return None
    if polarity == "auto":
        if not getattr(settings, "polarity", False):
            return None
        from .sentiment_query import query_polarity

        return query_polarity(query)
    if polarity not in ("pos", "neg"):
        raise KnowledgeError(f"unknown polarity {polarity!r}: use 'auto', 'pos', 'neg' or None")
    return polarity


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# ---- fusion ------------------------------------------------------------------

def rrf_fuse(rankings: Sequence[Sequence[int]], rrf_k: int) -> list[tuple[int, float]]:
    """Reciprocal-rank fusion: score(d) = Σ_lists 1 / (rrf_k + rank_d), ranks from 1.
    Returns (key, score) best first; ties keep the order of first appearance (dense list first)."""
    scores: dict[int, float] = {}
    first_seen: dict[int, int] = {}
    pos = 0
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + 1.0 / (rrf_k + rank)
            if key not in first_seen:
                first_seen[key] = pos
                pos += 1
    return sorted(scores.items(), key=lambda kv: (-kv[1], first_seen[kv[0]]))


# ---- retrieval ---------------------------------------------------------------

class _CollectionHandle:
    """Lazily loads one collection folder and reloads it when a new generation is written
    (e.g. by `growthpilot ingest` in another process while `serve` runs)."""

    def __init__(self, path: Path, name: str, embedder: Embedder, index_settings: IndexSettings):
        self.path = path
        self.name = name
        self._embedder = embedder
        self._index_settings = index_settings
        self._lock = threading.Lock()
        self._loaded: Collection | None = None
        self._stamp: tuple[int, int] | None = None

    def _manifest_stamp(self) -> tuple[int, int] | None:
        try:
            st = (self.path / "manifest.json").stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_ino)

    def get(self) -> Collection:
        stamp = self._manifest_stamp()
        loaded = self._loaded
        if loaded is not None and stamp == self._stamp:
            return loaded
        with self._lock:
            if self._loaded is None or stamp != self._stamp:
                self._loaded = Collection.load(self.path, self.name, self._embedder, self._index_settings)
                self._stamp = stamp
            return self._loaded

    def exists(self) -> bool:
        return self._manifest_stamp() is not None


class Retriever:
    """Hybrid search over ONE collection. Holds only that collection's folder."""

    def __init__(self, handle: _CollectionHandle, embedder: Embedder, settings: SearchSettings):
        self._handle = handle
        # queries are not worth caching: use the cache's inner embedder when there is one
        self._embedder: Embedder = getattr(embedder, "uncached", embedder)
        self.settings = settings
        self.collection: str = handle.name

    @property
    def available(self) -> bool:
        """True when the collection's index exists on disk."""
        return self._handle.exists()

    @property
    def min_similarity(self) -> float:
        """Best dense cosine below which the hits should be treated as "nothing relevant"."""
        return self.settings.min_similarity

    def count(self) -> int:
        return len(self._handle.get())

    def search(self, query: str, k: int = 8, *, kinds: Iterable[str] | str | None = None,
               filters: dict | None = None, polarity: str | None = "auto") -> list[Hit]:
        """The `k` best items for `query`, fused from dense and BM25 candidates.

        `kinds` limits item kinds ("insight", "review", "doc"); `filters` keys: product, category,
        date_from, date_to (ISO dates, inclusive), sentiment ("pos"/"neg"/"neutral"), topic, lang.
        Dense candidates below [search] dense_floor are not fused; with [search] bm25_same_language,
        BM25 candidates exclude reviews in another language than the query's (dense ones cross).
        `polarity`: "auto" (default) guesses from the query ("complaints", "差评", "short battery
        life" → "neg"; knowledge.sentiment_query), "pos"/"neg" force one, None turns it off; with a
        polarity, items of the opposite sentiment rank after all others ([search] polarity = false
        turns "auto" off); with [search] polarity_filter the candidates are drawn from the wanted
        polarity's items (and those without one) first. [search] topic_only: request words
        ("差评", "complaints about") are not searched (knowledge.query_intent). [search]
        cross_language: when the allowed items hold reviews in the other language, each language is
        its own candidate pool searched in that language (the query translated by
        knowledge.bilingual for the other one), the pools weighed by `_weigh_pools`.
        Every hit's metadata has: query_polarity, similarity (its dense cosine, against the query
        in its pool's language), best_similarity (the best dense cosine of this query),
        relevant (best_similarity ≥ [search] min_similarity), dense_rank, dense_score, bm25_rank,
        bm25_score, collection, pool_lang (None with one pool), translated_query (hits of the
        other language). Raises KnowledgeError when there is no index.
        """
        coll = self._handle.get()
        if not query.strip() or k <= 0 or len(coll) == 0:
            return []
        mask = coll.mask(kinds, filters)
        if mask is not None and not mask.any():
            return []
        settings = self.settings
        want = _polarity(query, polarity, settings)
        n_cand = max(settings.candidates, k)
        topic = topic_text(query) if getattr(settings, "topic_only", True) else query
        qlang = detect_lang(topic)
        other_lang = "en" if qlang == "zh" else "zh"
        foreign = coll.equals("kind", "review") & coll.equals("lang", other_lang)
        cross = getattr(settings, "cross_language", True) and bool((foreign if mask is None else mask & foreign).any())
        tr = translate(topic, other_lang) if cross else None
        q_tokens = bm25_tokens(topic, settings.tokenizer)
        vecs = self._embedder.encode([topic, tr.text or topic] if tr is not None else [topic])
        groups = [[[t] for t in dict.fromkeys(q_tokens)], [list(g) for g in tr.groups]] if tr is not None else []

        def candidates(rows: np.ndarray | None, weights: list[float | None] | None = None) -> list[_Pool]:
            if tr is None:
                # one pool: dense over everything allowed, BM25 within the query's language
                bmask = rows
                if getattr(settings, "bm25_same_language", False):
                    other = (coll._column("kind") == "review") & (coll._column("lang") != qlang)
                    if other.any():
                        bmask = ~other if bmask is None else (bmask & ~other)
                return [_pool(coll, vecs[0], q_tokens, rows, bmask, n_cand, settings, None)]
            # one pool per language, each searched in its own language: the query as typed for its
            # language's reviews (and every non-review item), its translation for the other's reviews
            allowed = np.ones(len(coll), dtype=bool) if rows is None else rows
            same, other = allowed & ~foreign, allowed & foreign
            pools = [_pool(coll, vecs[0], q_tokens, same, same, n_cand, settings, qlang, groups[0]),
                     _pool(coll, vecs[1], list(tr.terms), other, other, n_cand, settings, other_lang, groups[1])]
            _weigh_pools(coll, pools, groups, settings, weights=weights)
            return pools

        def ranked(pools: list[_Pool]) -> list[tuple[int, float]]:
            return sorted(((row, score) for p in pools for row, score in p.fused), key=lambda rs: -rs[1])

        if want is None:
            pools = candidates(mask)
            fused = ranked(pools)
        else:
            opposite = "neg" if want == "pos" else "pos"
            wrong = coll.equals("sentiment", opposite)
            if getattr(settings, "polarity_filter", True):
                # the candidates come from the wanted polarity's items (and the unlabelled), so a
                # rare polarity ("complaints about Alexa") is searched among its own reviews; the
                # opposite ones only fill what is left
                weights = None
                if tr is not None and getattr(settings, "language_by", "all") == "all":
                    # which language answers is a matter of topic: weigh the languages by all the
                    # candidates, as without a polarity, then draw from the wanted polarity's
                    weights = [p.weight for p in candidates(mask)]
                keep = ~wrong if mask is None else (mask & ~wrong)
                pools = candidates(keep, weights) if keep.any() else []
                fused = ranked(pools)
                if len(fused) < k:
                    rest = wrong if mask is None else (mask & wrong)
                    if rest.any():
                        more = candidates(rest, weights)
                        pools += more
                        fused += ranked(more)
            else:
                pools = candidates(mask)
                fused = ranked(pools)
                fused = [f for f in fused if not wrong[f[0]]] + [f for f in fused if wrong[f[0]]]
        fused = fused[:k]
        pool_of: dict[int, _Pool] = {}
        for p in pools:
            for row, _ in p.fused:
                pool_of.setdefault(row, p)
        best = max((p.best for p in pools), default=0.0)
        hits = []
        for row, score in fused:
            it = coll.items[row]
            p = pool_of[row]
            meta = {
                **it.metadata,
                "collection": coll.name,
                "query_polarity": want,
                "similarity": float(p.similarity(row, it.n)),
                "best_similarity": float(best),
                "relevant": bool(best >= self.settings.min_similarity),
                "dense_rank": p.dense_rank.get(row),
                "dense_score": p.dense_score.get(row),
                "bm25_rank": p.bm25_rank.get(row),
                "bm25_score": p.bm25_score.get(row),
                "pool_lang": p.lang,
            }
            if p.lang is not None and tr is not None and p.lang == tr.target_lang:
                meta["translated_query"] = tr.text
            hits.append(Hit(id=it.id, kind=it.kind, text=it.text, score=float(score), title=it.title, metadata=meta))  # type: ignore[arg-type]
        return hits


@dataclass
class _Pool:
    """The candidates of one query form (one language): dense and BM25, fused by RRF."""

    lang: str | None
    dense_rows: list[int]
    dense_score: dict[int, float]
    bm25_rows: list[int]
    bm25_score: dict[int, float]
    exact: dict[int, float]  # cosine of BM25-only candidates, by FAISS id
    best: float  # the best dense cosine
    fused: list[tuple[int, float]]
    weight: float | None = None  # the language weight its fused scores were scaled by

    @property
    def dense_rank(self) -> dict[int, int]:
        return {r: i for i, r in enumerate(self.dense_rows, start=1)}

    @property
    def bm25_rank(self) -> dict[int, int]:
        return {r: i for i, r in enumerate(self.bm25_rows, start=1)}

    def similarity(self, row: int, n: int) -> float:
        return self.dense_score.get(row, self.exact.get(n, 0.0))


def _pool(coll: Collection, qvec: np.ndarray, tokens: list[str], dmask: np.ndarray | None, bmask: np.ndarray | None,
          n_cand: int, settings: SearchSettings, lang: str | None, groups: list[list[str]] | None = None) -> _Pool:
    """Dense candidates of `qvec` among `dmask`, BM25 candidates of `tokens` among `bmask`, fused.
    `groups`: the query's words (each with its synonyms), when a BM25 match of all of them is kept
    whatever its cosine."""
    allowed = coll.ns[dmask] if dmask is not None else None
    dense_rows: list[int] = []
    dense_score: dict[int, float] = {}
    if allowed is None or len(allowed):
        d_scores, d_ids = coll.vindex.search(qvec[None, :], n_cand, allowed=allowed)
        for sc, n in zip(d_scores[0], d_ids[0]):
            row = coll.row_of_n.get(int(n)) if n >= 0 else None
            if row is not None and row not in dense_score:
                dense_rows.append(row)
                dense_score[row] = float(sc)
    best = max(dense_score.values()) if dense_score else 0.0
    floor = getattr(settings, "dense_floor", 0.0)
    if best >= floor:
        # weak dense neighbours add noise to the fusion, not recall (when nothing reaches the
        # floor, all are kept: the hits are then flagged not relevant by min_similarity)
        dense_rows = [r for r in dense_rows if dense_score[r] >= floor]
    b_rows, b_scores = coll.bm25.top_k(tokens, n_cand, mask=bmask) if tokens else ([], [])
    bm25_rows = [int(r) for r in b_rows]
    bm25_score = {int(r): float(sc) for r, sc in zip(b_rows, b_scores)}
    # BM25 candidates get their exact cosine too, so `similarity` is always comparable and the
    # floor also keeps out a BM25 match on one stray word ("arrived") that means nothing densely
    missing = [coll.items[r].n for r in bm25_rows if r not in dense_score]
    exact = dict(zip(missing, (coll.vindex.reconstruct(np.array(missing)) @ qvec).tolist())) if missing else {}
    if best >= floor > 0:
        # BM25 candidates far below the best dense match are keyword coincidences for this query
        margin = getattr(settings, "bm25_margin", 0.0)
        b_floor = max(floor, best - margin) if margin > 0 else floor
        # ... unless they hold every word of the query (a one-word query's cosines are all low)
        whole = set(np.asarray(bm25_rows)[coll.bm25.coverage(groups, bm25_rows) >= 0.999].tolist()) if groups else set()
        bm25_rows = [r for r in bm25_rows
                     if r in whole or dense_score.get(r, exact.get(coll.items[r].n, 0.0)) >= b_floor]
    fused = rrf_fuse([dense_rows, bm25_rows], settings.rrf_k)
    return _Pool(lang, dense_rows, dense_score, bm25_rows, bm25_score, exact, best, fused)


def _weigh_pools(coll: Collection, pools: list[_Pool], groups: list[list[list[str]]], settings: SearchSettings,
                 top: int = 5, weights: list[float | None] | None = None) -> None:
    """Scale each pool's fused scores by how well its language answers the query, so that the pools'
    scores compare: strength = the mean cosine of its best `top` (each against the query in that
    pool's language) + coverage_weight × the mean IDF share of the query's words (or their
    translations) found in them; a pool `language_tau` weaker than the strongest one weighs 1/e as
    much. A zh query naming a thing only the English reviews talk about ("智能音箱") finds
    its words there, not in the zh reviews on a related topic. `weights`: use these instead (one
    per pool, None for a pool that had no candidates: it then weighs 1)."""
    if weights is not None:
        for p, w in zip(pools, weights):
            p.weight = 1.0 if w is None else w
            p.fused = [(row, score * p.weight) for row, score in p.fused]
        return
    strengths = []
    for p, g in zip(pools, groups):
        head = [row for row, _ in p.fused[:top]]
        if not head:
            strengths.append(None)
            continue
        sims = [p.similarity(r, coll.items[r].n) for r in head]
        c = coll.bm25.coverage(g, head).mean()
        strengths.append(float(np.mean(sims)) + settings.coverage_weight * float(c))
    known = [s for s in strengths if s is not None]
    if not known:
        return
    best = max(known)
    tau = max(settings.language_tau, 1e-6)
    for p, st in zip(pools, strengths):
        if st is not None:
            p.weight = w = float(np.exp((st - best) / tau))
            p.fused = [(row, score * w) for row, score in p.fused]


class KnowledgeBase:
    """Entry point for searching: hands out one `Retriever` per collection."""

    def __init__(self, data_dir: Path, embedder: Embedder, index: IndexSettings, search: SearchSettings):
        self._data_dir = Path(data_dir)
        self._embedder = embedder
        self._index = index
        self._search = search
        self._retrievers: dict[str, Retriever] = {}

    @classmethod
    def open(cls, data_dir: Path, embedder: Embedder, index: IndexSettings, search: SearchSettings) -> "KnowledgeBase":
        """Nothing is read until the first search (indexes may be built later by another process)."""
        return cls(data_dir, embedder, index, search)

    def retriever(self, collection: CollectionName) -> Retriever:
        """The retriever of one collection. The "public" one holds the public folder only."""
        if collection not in self._retrievers:
            path = collection_path(self._data_dir, collection)
            handle = _CollectionHandle(path, collection, self._embedder, self._index)
            self._retrievers[collection] = Retriever(handle, self._embedder, self._search)
        return self._retrievers[collection]

    def status(self) -> dict[str, dict | None]:
        """Each collection's manifest (None where it has no index yet)."""
        out: dict[str, dict | None] = {}
        for name in COLLECTIONS:
            d = IndexDirectory(collection_path(self._data_dir, name))
            out[name] = d.read_manifest() if d.exists() else None
        return out


def open_public_retriever(data_dir: Path, embedder: Embedder, index: IndexSettings, search: SearchSettings) -> Retriever:
    """A public-collection retriever built without a KnowledgeBase (for customer-facing wiring)."""
    path = collection_path(data_dir, "public")
    return Retriever(_CollectionHandle(path, "public", embedder, index), embedder, search)


def _sealed(write, role: str):
    """`write(path)`, then the file sealed in place when a data key is configured (knowledge/atrest.py)."""
    def writer(path: Path) -> None:
        write(path)
        ar = atrest.current()
        if ar.enabled:
            ar.write_bytes(path, Path(path).read_bytes(), role=role)
    return writer
