"""The store: one SQLite file (<data_dir>/store.sqlite, WAL) for reviews, catalogue, docs,
insights and the record of ingested files, plus Parquet parts for behaviour rows under
<data_dir>/behavior/.

Why Parquet for behaviour: 10^6–10^7 rows go in and come back out as typed columns far
faster than through SQLite rows (see docs/BENCHMARKS.md, "Ingest"). Each ingested file
becomes one or more immutable parts; the parts a file produced are listed in SQLite in
the same transaction that records the file, so a half-finished ingest is never visible.

Duplicates: every behaviour row has a 64-bit content hash (pseudonym, item, category,
behaviour, time); the sorted hashes of all stored rows live in `behavior/_row_hashes.npy`
and a row already there (or earlier in the same file) is counted as a duplicate, not
stored. Reviews are keyed by a content id, catalogue rows by item id, doc chunks by path.

Everything stored is already pseudonymised/redacted by ingest: the store never sees a
raw user id.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Literal, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .readers import BEHAVIORS
from . import atrest
from .types import Document, KnowledgeError

SCHEMA_VERSION = 1
# one record per ingested (kind, file content): the same file may be ingested as reviews and as a catalogue
_SOURCES = """CREATE TABLE IF NOT EXISTS sources (
    sha256 TEXT NOT NULL, kind TEXT NOT NULL, path TEXT NOT NULL, name TEXT NOT NULL, size INTEGER NOT NULL,
    ingested_at TEXT NOT NULL, read INTEGER NOT NULL, accepted INTEGER NOT NULL, rejected INTEGER NOT NULL,
    duplicates INTEGER NOT NULL, rejects_path TEXT NOT NULL DEFAULT '', PRIMARY KEY (kind, sha256));"""
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
""" + _SOURCES + """
CREATE TABLE IF NOT EXISTS behavior_parts (
    file TEXT PRIMARY KEY, source_sha TEXT NOT NULL, rows INTEGER NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS reviews (
    id TEXT PRIMARY KEY, text TEXT NOT NULL, rating REAL, label INTEGER, product TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT '', date TEXT NOT NULL DEFAULT '', user TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL, source_sha TEXT NOT NULL DEFAULT '', seq INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS catalog (
    item_id INTEGER PRIMARY KEY, name TEXT NOT NULL, category_id INTEGER NOT NULL DEFAULT 0,
    category TEXT NOT NULL DEFAULT '', price REAL, description TEXT NOT NULL DEFAULT '', lang TEXT NOT NULL,
    name_zh TEXT NOT NULL DEFAULT '', category_zh TEXT NOT NULL DEFAULT '', description_zh TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS docs (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, text TEXT NOT NULL, path TEXT NOT NULL, lang TEXT NOT NULL,
    source_sha TEXT NOT NULL DEFAULT '', seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS docs_path ON docs(path);
CREATE TABLE IF NOT EXISTS doc_files (
    path TEXT PRIMARY KEY, file TEXT NOT NULL, root TEXT NOT NULL, source_sha TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS refresh_journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, detail TEXT NOT NULL, rows INTEGER NOT NULL,
    at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS insights (
    id TEXT PRIMARY KEY, topic TEXT NOT NULL, title TEXT NOT NULL, text TEXT NOT NULL, numbers TEXT NOT NULL,
    product TEXT NOT NULL DEFAULT '', category TEXT NOT NULL DEFAULT '', date TEXT NOT NULL DEFAULT '',
    seq INTEGER NOT NULL, text_zh TEXT NOT NULL DEFAULT '', title_zh TEXT NOT NULL DEFAULT '',
    specs TEXT NOT NULL DEFAULT '[]');
"""

REVIEW_COLUMNS = ["id", "text", "rating", "label", "product", "category", "date", "user", "lang"]
CATALOG_COLUMNS = ["item_id", "name", "category_id", "category", "price", "description", "lang",
                   "name_zh", "category_zh", "description_zh"]
DOC_COLUMNS = ["id", "title", "text", "path", "lang"]
BEHAVIOR_COLUMNS = ["user", "item_id", "category_id", "behavior", "ts"]
_HASHES = "_row_hashes.npy"
_HASHES_META = "row_hashes_cover"  # meta key: "<parts>:<rows>:<hashes>" the hash file was built for
LOCK_FILE = "writer.lock"


class DataDirBusy(KnowledgeError):
    """Another process holds the data-dir writer lock (exit code 2)."""


class DataDirLock:
    """An exclusive fcntl lock on <data_dir>/writer.lock; the file tells who holds it."""

    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / LOCK_FILE
        self._fd: int | None = None

    def holder(self) -> dict:
        """{"pid", "command", "since"} of the current holder as it wrote them ({} if unknown)."""
        try:
            return json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}

    def describe(self) -> str:
        h = self.holder()
        if not h:
            return "another process (it did not say which)"
        return f"pid {h.get('pid', '?')} (`{h.get('command', '?')}`, since {h.get('since', '?')})"

    def try_acquire(self) -> bool:
        import fcntl

        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        import sys

        info = {"pid": os.getpid(), "command": " ".join(["growthpilot" if i == 0 else a for i, a in enumerate(sys.argv)])[:300],
                "since": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode("utf-8"), 0)
        self._fd = fd
        return True

    def acquire(self, *, wait_s: float = 30.0, on_wait: Callable[[str], None] | None = None) -> None:
        if self.try_acquire():
            return
        who = self.describe()
        if on_wait is not None and wait_s > 0:
            on_wait(f"the data folder {self.path.parent} is being written by {who}; waiting up to {wait_s:g} s…")
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
            if self.try_acquire():
                return
        raise DataDirBusy(f"the data folder {self.path.parent} is being written by {self.describe()}; "
                          f"gave up after {wait_s:g} s. Run again when it has finished "
                          "(or raise [ingest] lock_wait_s to wait longer)")

    def release(self) -> None:
        if self._fd is not None:
            import fcntl

            try:
                os.ftruncate(self._fd, 0)
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            finally:
                os.close(self._fd)
                self._fd = None


@dataclass(frozen=True)
class SourceRecord:
    """A file that was ingested (by content hash)."""

    sha256: str
    kind: str
    path: str
    ingested_at: str
    read: int
    accepted: int
    rejected: int
    duplicates: int
    rejects_path: str


@dataclass(frozen=True)
class ReviewRow:
    """One review ready for storage (text redacted, user pseudonymised)."""

    id: str
    text: str
    rating: float | None
    label: int | None
    product: str
    category: str
    date: str
    user: str
    lang: str


@dataclass(frozen=True)
class CatalogRow:
    item_id: int
    name: str
    category_id: int
    category: str
    price: float | None
    description: str
    lang: str
    name_zh: str = ""
    category_zh: str = ""
    description_zh: str = ""


@dataclass(frozen=True)
class DocChunk:
    id: str
    title: str
    text: str
    path: str
    lang: str


def row_hashes(user64: np.ndarray, item: np.ndarray, cat: np.ndarray, behavior: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """64-bit content hash per behaviour row (splitmix64 mixing, vectorised)."""
    h = _mix(ts.astype(np.uint64, copy=False) ^ np.uint64(0x9E3779B97F4A7C15))
    h = _mix(h ^ behavior.astype(np.uint64))
    h = _mix(h ^ cat.astype(np.uint64, copy=False))
    h = _mix(h ^ item.astype(np.uint64, copy=False))
    return _mix(h ^ user64.astype(np.uint64, copy=False))


def _mix(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _sources_by_kind(conn: sqlite3.Connection) -> None:
    """Stores written before the sources record was keyed by (kind, sha256) had sha256 alone as
    its key: rebuild that table in place (one transaction; rows kept; a no-op once done, and
    re-checked under the write lock so two processes opening the store at once migrate once)."""

    def keyed_by_sha_alone() -> bool:
        return [r[1] for r in conn.execute("PRAGMA table_info(sources)") if r[5]] == ["sha256"]

    if not keyed_by_sha_alone():
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        if keyed_by_sha_alone():
            conn.execute("ALTER TABLE sources RENAME TO sources_by_sha")
            conn.execute(_SOURCES.replace("CREATE TABLE IF NOT EXISTS", "CREATE TABLE").rstrip(";"))
            conn.execute("INSERT INTO sources SELECT sha256, kind, path, name, size, ingested_at, read, accepted, "
                         "rejected, duplicates, rejects_path FROM sources_by_sha")
            conn.execute("DROP TABLE sources_by_sha")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def write_part(table: pa.Table, path: Path) -> None:
    """One behaviour part: Parquet (zstd, dictionary-coded pseudonyms), AES-GCM sealed as a whole
    file when a data key is set (knowledge.atrest), owner-only either way."""
    ar = atrest.current()
    kw = dict(compression="zstd", compression_level=1, use_dictionary=["user"], write_statistics=["ts", "item_id"])
    if not ar.enabled:
        pq.write_table(table, path, **kw)
        os.chmod(path, 0o600)
        return
    buf = pa.BufferOutputStream()
    pq.write_table(table, buf, **kw)
    ar.write_bytes(Path(path), buf.getvalue().to_pybytes(), role=atrest.PART_ROLE)


def read_part(path: Path | str, columns: Sequence[str] | None = None) -> pa.Table:
    """A behaviour part written by `write_part`, sealed or not (a sealed part without the key, or
    with another key, raises atrest.DataKeyError saying which file)."""
    ar = atrest.current()
    cols = list(columns) if columns is not None else None
    if not ar.enabled:
        return pq.read_table(ar.check_plain(Path(path)), columns=cols)
    return pq.read_table(pa.BufferReader(ar.read_bytes(Path(path), role=atrest.PART_ROLE)), columns=cols)


def _insights_bilingual(conn) -> None:
    """Stores written before insights kept their Chinese text and query specs lack those three
    columns: add them (empty; the next refresh fills them). A no-op once done."""
    have = {r[1] for r in conn.execute("PRAGMA table_info(insights)")}
    for col, decl in (("text_zh", "TEXT NOT NULL DEFAULT ''"), ("title_zh", "TEXT NOT NULL DEFAULT ''"),
                      ("specs", "TEXT NOT NULL DEFAULT '[]'")):
        if col not in have:
            try:
                conn.execute(f"ALTER TABLE insights ADD COLUMN {col} {decl}")
            except sqlite3.OperationalError as exc:  # another process added it first
                if "duplicate column" not in str(exc):
                    raise


class Store:
    """The knowledge store. Open with `Store.open(data_dir)`; close with `.close()` (or `with`)."""

    def __init__(self, data_dir: Path, conn: sqlite3.Connection):
        self.data_dir = data_dir
        self.behavior_dir = data_dir / "behavior"
        self.rejects_dir = data_dir / "rejects"
        self._conn = conn
        self._lock = threading.RLock()
        self._writer: DataDirLock | None = None
        self._writer_depth = 0

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def open(cls, data_dir: Path) -> "Store":
        """Open (creating folders and schema as needed) the store in `data_dir`."""
        data_dir = Path(data_dir)
        try:
            (data_dir / "behavior").mkdir(parents=True, exist_ok=True)
            (data_dir / "rejects").mkdir(parents=True, exist_ok=True)
            atrest.private_dir(data_dir)  # 0700: nobody else reads what is inside, whatever its mode
        except OSError as exc:
            raise KnowledgeError(f"cannot create the data folder {data_dir}: {exc.strerror}") from exc
        path = data_dir / "store.sqlite"
        try:
            conn = atrest.current().connect(path, timeout=30, check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.executescript(_SCHEMA)
            _sources_by_kind(conn)
            _insights_bilingual(conn)
            version = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if version is None:
                conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            elif int(version[0]) > SCHEMA_VERSION:
                raise KnowledgeError(f"{path} was written by a newer growthpilot (schema {version[0]}); upgrade growthpilot")
        except sqlite3.DatabaseError as exc:
            raise KnowledgeError(f"{path} is not a usable SQLite store ({exc}); move it away to start afresh") from exc
        return cls(data_dir, conn)

    def close(self) -> None:
        with self._lock:
            if self._writer is not None:
                self._writer.release()
                self._writer, self._writer_depth = None, 0
            self._conn.close()

    # ------------------------------------------------------------------ one writer at a time
    @contextmanager
    def writing(self, *, wait_s: float = 30.0, on_wait: Callable[[str], None] | None = None):
        """Hold the data-dir writer lock (<data_dir>/writer.lock, fcntl) for the block.

        Re-entrant within this Store. Another process holding it: `on_wait` gets one message
        naming the holder, then we wait up to `wait_s` seconds and raise `DataDirBusy` (exit 2)
        saying who holds it (pid, command, since). The kernel drops the lock when its process
        dies, so a killed writer never leaves a stale lock."""
        if self._writer is None:
            lock = DataDirLock(self.data_dir)
            lock.acquire(wait_s=wait_s, on_wait=on_wait)
            self._writer = lock
            try:
                self._repair_row_hashes()
            except BaseException:
                self._writer, _ = None, lock.release()
                raise
        self._writer_depth += 1
        try:
            yield self
        finally:
            self._writer_depth -= 1
            if self._writer_depth == 0 and self._writer is not None:
                self._writer.release()
                self._writer = None

    @property
    def holds_writer_lock(self) -> bool:
        return self._writer is not None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def path(self) -> Path:
        return self.data_dir / "store.sqlite"

    @contextmanager
    def _tx(self):
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        """All rows of a query, under the lock (the connection is shared between threads)."""
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def _frame(self, sql: str) -> pd.DataFrame:
        with self._lock:
            return pd.read_sql_query(sql, self._conn)

    # ------------------------------------------------------------------ sources
    def source(self, sha256: str, kind: str | None = None) -> SourceRecord | None:
        """The record of an already-ingested file with this content hash, if any: ingested as `kind`
        (the same file ingested as reviews is not thereby ingested as a catalogue), or as any kind
        when `kind` is None."""
        where, params = ("sha256=? AND kind=?", (sha256, kind)) if kind is not None else ("sha256=?", (sha256,))
        rows = self._rows(
            "SELECT sha256, kind, path, ingested_at, read, accepted, rejected, duplicates, rejects_path "
            f"FROM sources WHERE {where} ORDER BY ingested_at LIMIT 1", params)
        return SourceRecord(*rows[0]) if rows else None

    def sources(self) -> list[SourceRecord]:
        rows = self._rows(
            "SELECT sha256, kind, path, ingested_at, read, accepted, rejected, duplicates, rejects_path "
            "FROM sources ORDER BY ingested_at")
        return [SourceRecord(*r) for r in rows]

    @staticmethod
    def _source_row(sha256: str, kind: str, path: Path, read: int, accepted: int, rejected: int, duplicates: int,
                    rejects_path: Path | None) -> tuple:
        size = path.stat().st_size if path.is_file() else 0
        return (sha256, kind, str(path), path.name, size, time.strftime("%Y-%m-%dT%H:%M:%S"), read, accepted, rejected,
                duplicates, str(rejects_path or ""))

    def record_source(self, sha256: str, kind: str, path: Path, *, read: int, accepted: int, rejected: int,
                      duplicates: int, rejects_path: Path | None = None) -> None:
        """Remember that a file was ingested (for sources whose rows went in through other calls)."""
        with self._tx() as c:
            c.execute("INSERT OR REPLACE INTO sources VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                      self._source_row(sha256, kind, Path(path), read, accepted, rejected, duplicates, rejects_path))

    # ------------------------------------------------------------------ refresh journal
    @staticmethod
    def _journal(c: sqlite3.Connection, kind: str, detail: str, rows: int) -> None:
        """Inside a data transaction: these rows are stored but not yet in insights/indexes."""
        if rows:
            c.execute("INSERT INTO refresh_journal (kind, detail, rows, at) VALUES (?,?,?,?)",
                      (kind, detail, int(rows), time.strftime("%Y-%m-%dT%H:%M:%S")))

    def pending_refresh(self) -> list[dict]:
        """Changes stored but not yet reflected in insights and search indexes (oldest first):
        [{"id", "kind", "detail", "rows", "at"}]. Empty when everything is indexed."""
        rows = self._rows("SELECT id, kind, detail, rows, at FROM refresh_journal ORDER BY id")
        return [dict(zip(("id", "kind", "detail", "rows", "at"), r)) for r in rows]

    def journal_mark(self) -> int:
        """The newest journal entry's id (0 when empty): a refresh started now covers up to it."""
        return int(self._rows("SELECT COALESCE(MAX(id), 0) FROM refresh_journal")[0][0])

    def clear_refresh_journal(self, up_to: int) -> int:
        """After a successful refresh: drop the entries it covered. Returns how many."""
        with self._tx() as c:
            return c.execute("DELETE FROM refresh_journal WHERE id <= ?", (int(up_to),)).rowcount

    # ------------------------------------------------------------------ behaviour
    def behavior_writer(self, sha256: str) -> "BehaviorWriter":
        """A writer that stages Parquet parts for one source file; `commit(...)` publishes them."""
        return BehaviorWriter(self, sha256)

    def _part_files(self) -> list[Path]:
        rows = self._rows("SELECT file FROM behavior_parts ORDER BY seq")
        return [self.behavior_dir / r[0] for r in rows]

    def _load_row_hashes(self) -> np.ndarray:
        p = self.behavior_dir / _HASHES
        if not p.exists():
            return np.empty(0, dtype=np.uint64)
        return np.load(p, allow_pickle=False)

    def _save_row_hashes(self, hashes: np.ndarray) -> None:
        p = self.behavior_dir / _HASHES
        tmp = p.with_suffix(".tmp.npy")
        np.save(tmp, hashes, allow_pickle=False)
        os.replace(tmp, p)

    def _meta(self, key: str) -> str | None:
        rows = self._rows("SELECT value FROM meta WHERE key=?", (key,))
        return rows[0][0] if rows else None

    def _set_meta(self, key: str, value: str) -> None:
        with self._tx() as c:
            c.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def _hashes_cover(self) -> str:
        """What the hash file covers: "<parts>:<rows>" of behavior_parts."""
        n, rows = self._rows("SELECT COUNT(*), COALESCE(SUM(rows), 0) FROM behavior_parts")[0]
        return f"{n}:{rows}"

    def _repair_row_hashes(self) -> None:
        """Rebuild the duplicate-detection hashes if they do not cover the stored parts
        (e.g. a crash between publishing parts and saving the hashes). Which parts the file
        covers is recorded in meta, so a store that holds duplicate rows (written before the
        writer lock existed) is repaired once, not on every open. Only a lock holder repairs."""
        stored = self._rows("SELECT COALESCE(SUM(rows), 0) FROM behavior_parts")[0][0]
        p = self.behavior_dir / _HASHES
        try:
            have = len(np.load(p, mmap_mode="r", allow_pickle=False)) if p.exists() else 0
        except (ValueError, OSError):  # a torn or foreign file: rebuild it
            have = -1
        covered = self._meta(_HASHES_META)
        if have >= 0 and (covered == f"{self._hashes_cover()}:{have}" or (covered is None and have == stored)):
            return
        parts = []
        for f in self._part_files():
            t = read_part(f)
            user64 = np.array([int(u[2:], 16) for u in t.column("user").to_pylist()], dtype=np.uint64)
            parts.append(row_hashes(user64, t.column("item_id").to_numpy(), t.column("category_id").to_numpy(),
                                    t.column("behavior").to_numpy(), t.column("ts").to_numpy()))
        hashes = np.unique(np.concatenate(parts)) if parts else np.empty(0, np.uint64)
        self._save_row_hashes(hashes)
        self._set_meta(_HASHES_META, f"{self._hashes_cover()}:{len(hashes)}")

    def behavior_frame(self, columns: list[str] | None = None) -> pd.DataFrame:
        """All behaviour rows: user (str pseudonym), item_id, category_id (int64),
        behavior (category pv/cart/fav/buy), ts (int64 unix seconds)."""
        cols = list(columns or BEHAVIOR_COLUMNS)
        unknown = [c for c in cols if c not in BEHAVIOR_COLUMNS]
        if unknown:
            raise KnowledgeError(f"unknown behaviour column(s) {', '.join(unknown)}; known: {', '.join(BEHAVIOR_COLUMNS)}")
        files = self._part_files()
        if not files:
            return _empty_behavior(cols)
        tables = [read_part(f, columns=cols) for f in files]
        table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
        out = {}
        for c in cols:
            arr = table.column(c)
            if c == "behavior":
                codes = arr.to_numpy()
                out[c] = pd.Categorical.from_codes(codes, categories=list(BEHAVIORS))
            elif c == "user":
                out[c] = pd.array(arr.to_pandas(), dtype="str") if len(arr) else pd.array([], dtype="str")
            else:
                out[c] = arr.to_numpy().astype(np.int64, copy=False)
        return pd.DataFrame(out, columns=cols)

    # ------------------------------------------------------------------ reviews
    def add_reviews(self, rows: Sequence[ReviewRow], *, source_sha: str = "") -> tuple[int, int]:
        """Insert reviews; returns (added, duplicates) — a review whose id exists is a duplicate."""
        with self._tx() as c:
            before = c.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
            seq0 = c.execute("SELECT COALESCE(MAX(seq), 0) FROM reviews").fetchone()[0]
            c.executemany(
                "INSERT OR IGNORE INTO reviews VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [(r.id, r.text, r.rating, r.label, r.product, r.category, r.date, r.user, r.lang, source_sha, seq0 + i + 1)
                 for i, r in enumerate(rows)])
            after = c.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
            self._journal(c, "reviews", source_sha, after - before)
        added = after - before
        return added, len(rows) - added

    def review_labels(self, ids: Sequence[str]) -> dict[str, int | None]:
        """id → stored label (None when it has none) for the ids that are stored."""
        out: dict[str, int | None] = {}
        ids = list(dict.fromkeys(ids))
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            out.update(self._rows(f"SELECT id, label FROM reviews WHERE id IN ({','.join('?' * len(chunk))})",
                                  tuple(chunk)))
        return out

    def reviews_frame(self) -> pd.DataFrame:
        """id, text, rating (float, NaN if none), label (Int64, <NA> if none), product, category,
        date ("YYYY-MM-DD" or ""), user (pseudonym or ""), lang."""
        df = self._frame(f"SELECT {', '.join(REVIEW_COLUMNS)} FROM reviews ORDER BY seq")
        df["rating"] = pd.to_numeric(df["rating"], errors="coerce").astype("float64")
        df["label"] = df["label"].astype("Int64")
        for c in ("id", "text", "product", "category", "date", "user", "lang"):
            df[c] = df[c].astype("str")
        return df

    # ------------------------------------------------------------------ catalogue
    def upsert_catalog(self, rows: Sequence[CatalogRow]) -> tuple[int, int]:
        """Insert or update catalogue rows by item_id; returns (added_or_changed, unchanged)."""
        changed = 0
        with self._tx() as c:
            for r in rows:
                values = (r.item_id, r.name, r.category_id, r.category, r.price, r.description, r.lang,
                          r.name_zh, r.category_zh, r.description_zh)
                old = c.execute(f"SELECT {', '.join(CATALOG_COLUMNS)} FROM catalog WHERE item_id=?", (r.item_id,)).fetchone()
                if old == values:
                    continue
                c.execute("INSERT OR REPLACE INTO catalog VALUES (?,?,?,?,?,?,?,?,?,?)", values)
                changed += 1
            self._journal(c, "catalog", "", changed)
        return changed, len(rows) - changed

    def catalog_frame(self) -> pd.DataFrame:
        """item_id (int64), name, category_id (int64), category, price (float), description, lang,
        plus name_zh, category_zh, description_zh ("" when the catalogue has no Chinese names)."""
        df = self._frame(f"SELECT {', '.join(CATALOG_COLUMNS)} FROM catalog ORDER BY item_id")
        df["item_id"] = df["item_id"].astype("int64")
        df["category_id"] = df["category_id"].astype("int64")
        df["price"] = pd.to_numeric(df["price"], errors="coerce").astype("float64")
        return df

    # ------------------------------------------------------------------ docs
    def replace_doc_chunks(self, path: str, chunks: Sequence[DocChunk], *, source_sha: str = "") -> tuple[int, int]:
        """Make `chunks` the content of doc `path` (relative path). Returns (added, unchanged):
        chunks whose id and text are already stored count as unchanged."""
        with self._tx() as c:
            return self._replace_doc_chunks(c, path, chunks, source_sha)

    def _replace_doc_chunks(self, c: sqlite3.Connection, path: str, chunks: Sequence[DocChunk],
                            source_sha: str) -> tuple[int, int]:
        old = dict(c.execute("SELECT id, text FROM docs WHERE path=?", (path,)).fetchall())
        unchanged = sum(1 for ch in chunks if old.get(ch.id) == ch.text)
        c.execute("DELETE FROM docs WHERE path=?", (path,))
        seq0 = c.execute("SELECT COALESCE(MAX(seq), 0) FROM docs").fetchone()[0]
        c.executemany("INSERT OR REPLACE INTO docs VALUES (?,?,?,?,?,?,?)",
                      [(ch.id, ch.title, ch.text, ch.path, ch.lang, source_sha, seq0 + i + 1)
                       for i, ch in enumerate(chunks)])
        gone = len(set(old) - {ch.id for ch in chunks})
        self._journal(c, "docs", path, len(chunks) - unchanged + gone)
        return len(chunks) - unchanged, unchanged

    def doc_location(self, file: Path) -> tuple[Path, str]:
        """(docs root, path relative to it) for a doc file: the id it had before when it was
        ingested already, else relative to the deepest remembered docs root that holds it, else
        to its own folder. That keeps ids stable whether a folder or one file is ingested."""
        file = Path(file)
        known = self._rows("SELECT path, root FROM doc_files WHERE file=?", (str(file),))
        if known:
            return Path(known[0][1]), known[0][0]
        roots = sorted({Path(r[0]) for r in self._rows("SELECT DISTINCT root FROM doc_files")},
                       key=lambda p: len(p.parts), reverse=True)
        for root in roots:
            if file.is_relative_to(root):
                return root, file.relative_to(root).as_posix()
        return file.parent, file.name

    def replace_docs(self, docs: Sequence[tuple[str, Sequence[DocChunk], str, str]], *, root: str) -> tuple[int, int]:
        """In ONE transaction, make each (relative path, chunks, sha256, file) the content of that
        doc, replacing any copy of the same file stored under another id. Returns (added, unchanged)."""
        added = unchanged = 0
        with self._tx() as c:
            for rel, chunks, sha, file in docs:
                for (other,) in c.execute("SELECT path FROM doc_files WHERE file=? AND path<>?", (file, rel)).fetchall():
                    gone = c.execute("DELETE FROM docs WHERE path=?", (other,)).rowcount
                    c.execute("DELETE FROM doc_files WHERE path=?", (other,))
                    self._journal(c, "docs", f"removed {other}", gone)
                a, u = self._replace_doc_chunks(c, rel, chunks, sha)
                c.execute("INSERT OR REPLACE INTO doc_files VALUES (?,?,?,?)", (rel, file, root, sha))
                added, unchanged = added + a, unchanged + u
        return added, unchanged

    def remove_docs(self, ref: str) -> list[str]:
        """Delete a doc and all its chunks by chunk id ("doc:faq.md#2"), doc id ("doc:faq.md"),
        relative path ("faq.md") or file path. Returns the relative paths removed."""
        ref = str(ref).strip()
        rel = ref[4:] if ref.startswith("doc:") else ref
        rel = rel.split("#", 1)[0] if ref.startswith("doc:") else rel
        with self._tx() as c:
            paths = {r[0] for r in c.execute("SELECT DISTINCT path FROM docs WHERE path=?", (rel,)).fetchall()}
            resolved = str(Path(ref).expanduser().resolve()) if not ref.startswith("doc:") else None
            if resolved:
                paths |= {r[0] for r in c.execute("SELECT path FROM doc_files WHERE file=?", (resolved,)).fetchall()}
            for p in sorted(paths):
                n = c.execute("DELETE FROM docs WHERE path=?", (p,)).rowcount
                c.execute("DELETE FROM doc_files WHERE path=?", (p,))
                self._journal(c, "docs", f"removed {p}", max(n, 1))
        return sorted(paths)

    def doc_list(self) -> list[dict]:
        """One entry per stored doc: path (relative to its docs root), id, chunks, file, root."""
        rows = self._rows("SELECT d.path, COUNT(*), COALESCE(f.file, ''), COALESCE(f.root, '') FROM docs d "
                          "LEFT JOIN doc_files f ON f.path = d.path GROUP BY d.path ORDER BY d.path")
        return [{"path": p, "id": f"doc:{p}", "chunks": n, "file": f, "root": r} for p, n, f, r in rows]

    def docs_frame(self) -> pd.DataFrame:
        """id ("doc:<relpath>#<n>"), title, text, path, lang."""
        df = self._frame(f"SELECT {', '.join(DOC_COLUMNS)} FROM docs ORDER BY path, seq")
        return df.astype({c: "str" for c in DOC_COLUMNS})

    # ------------------------------------------------------------------ insights
    def replace_insights(self, insights: Iterable) -> int:
        """Atomically replace all insights with `insights` (knowledge.insights.types.Insight),
        keeping their Chinese text and title and the query specs behind them."""
        rows = []
        for i, ins in enumerate(insights):
            rows.append((ins.id, ins.topic, ins.title, ins.text, json.dumps(dict(ins.numbers), ensure_ascii=False, default=_json_num),
                         getattr(ins, "product", "") or "", getattr(ins, "category", "") or "", getattr(ins, "date", "") or "", i,
                         getattr(ins, "text_zh", "") or "", getattr(ins, "title_zh", "") or "",
                         json.dumps(list(getattr(ins, "specs", ()) or ()), ensure_ascii=False, default=_json_num)))
        with self._tx() as c:
            c.execute("DELETE FROM insights")
            c.executemany("INSERT OR REPLACE INTO insights (id, topic, title, text, numbers, product, category, date, seq, "
                          "text_zh, title_zh, specs) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        return len(rows)

    _INSIGHT_SELECT = ("SELECT id, topic, title, text, numbers, product, category, date, text_zh, title_zh, specs "
                       "FROM insights ORDER BY seq")

    def insights(self) -> list:
        """All insights, in the order they were stored."""
        from .insights.types import Insight  # the INSIGHTS package owns the type

        return [Insight(id=r[0], topic=r[1], title=r[2], text=r[3], numbers=json.loads(r[4]), product=r[5],
                        category=r[6], date=r[7], text_zh=r[8], title_zh=r[9], specs=tuple(json.loads(r[10] or "[]")))
                for r in self._rows(self._INSIGHT_SELECT)]

    # ------------------------------------------------------------------ documents for the indexes
    def documents(self, collection: Literal["internal", "public"]) -> Iterator[Document]:
        """Texts for the search indexes. internal = insights + reviews; public = docs + one
        product page per catalogue item. The public collection never yields internal data."""
        if collection == "internal":
            yield from self._insight_documents()
            yield from self._review_documents()
        elif collection == "public":
            yield from self._doc_documents()
            yield from self._catalog_documents()
        else:
            raise KnowledgeError(f"unknown collection {collection!r}: 'internal' or 'public'")

    def _insight_documents(self) -> Iterator[Document]:
        # Each insight is indexed in English and, where it has one, in Chinese ("<id>@zh"), so a
        # Chinese question finds the computed insight in its own language rather than raw reviews.
        for id_, topic, title, text, numbers, product, category, date, text_zh, title_zh, _specs in self._rows(self._INSIGHT_SELECT):
            meta = {"topic": topic, "product": product, "category": category, "date": date,
                    "numbers": json.loads(numbers), "insight_id": id_}
            yield Document(id=id_, kind="insight", text=text, title=title, metadata={**meta, "lang": "en"})
            if text_zh:
                yield Document(id=f"{id_}@zh", kind="insight", text=text_zh, title=title_zh or title,
                               metadata={**meta, "numbers": json.loads(numbers), "lang": "zh"})

    def _review_documents(self) -> Iterator[Document]:
        names = dict(self._rows("SELECT CAST(item_id AS TEXT), name FROM catalog"))
        cur = self._rows("SELECT id, text, rating, label, product, category, date, lang FROM reviews ORDER BY seq")
        for id_, text, rating, label, product, category, date, lang in cur:
            name = names.get(product, product)
            yield Document(id=id_, kind="review", text=text, title=f"Review: {name}" if name else "Review",
                           metadata={"product": product, "product_name": name, "category": category, "date": date,
                                     "rating": rating, "label": label, "sentiment": _sentiment(label, rating),
                                     "lang": lang, "topic": "review"})

    def _doc_documents(self) -> Iterator[Document]:
        cur = self._rows("SELECT id, title, text, path, lang FROM docs ORDER BY path, seq")
        for id_, title, text, path, lang in cur:
            yield Document(id=id_, kind="doc", text=text, title=title,
                           metadata={"path": path, "lang": lang, "product": "", "category": "", "date": "",
                                     "topic": "doc"})

    def _catalog_documents(self) -> Iterator[Document]:
        cur = self._rows(f"SELECT {', '.join(CATALOG_COLUMNS)} FROM catalog ORDER BY item_id")
        for item_id, name, _cat_id, category, price, desc, lang, name_zh, category_zh, desc_zh in cur:
            title = f"{name} / {name_zh}" if name_zh and name_zh != name else name
            parts = [title]
            if category or category_zh:
                parts.append(" / ".join(x for x in (category, category_zh) if x))
            if price is not None:
                parts.append(f"price ¥{price:g} / 价格 ¥{price:g}")
            parts += [d for d in (desc, desc_zh) if d]
            yield Document(id=f"doc:catalog/{item_id}", kind="doc", text="\n".join(parts), title=title,
                           metadata={"path": f"catalog/{item_id}", "product": str(item_id), "product_name": name,
                                     "category": category, "date": "", "lang": lang, "topic": "product"})

    # ------------------------------------------------------------------ counts
    def counts(self) -> dict[str, int]:
        """Rows per kind: behavior, reviews, catalog, docs, insights, sources."""
        q = lambda sql: int(self._rows(sql)[0][0])
        return {
            "behavior": q("SELECT COALESCE(SUM(rows), 0) FROM behavior_parts"),
            "reviews": q("SELECT COUNT(*) FROM reviews"),
            "catalog": q("SELECT COUNT(*) FROM catalog"),
            "docs": q("SELECT COUNT(*) FROM docs"),
            "insights": q("SELECT COUNT(*) FROM insights"),
            "sources": q("SELECT COUNT(*) FROM sources"),
        }


class BehaviorWriter:
    """Stages the Parquet parts of one source file; nothing is visible until `commit`."""

    def __init__(self, store: Store, sha256: str):
        self.store = store
        self.sha = sha256
        self.staging = store.behavior_dir / f".staging-{sha256[:16]}"
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging.mkdir(parents=True)
        store._repair_row_hashes()  # cheap when they cover the stored parts (the usual case)
        self._seen = store._load_row_hashes()  # sorted, all stored rows
        self._new: list[np.ndarray] = []  # sorted hashes added by this file, merged lazily
        self._parts: list[tuple[str, int]] = []

    def add(self, users: pa.Array, user64: np.ndarray, item_id: np.ndarray, category_id: np.ndarray,
            behavior: np.ndarray, ts: np.ndarray) -> tuple[int, np.ndarray]:
        """Stage rows (users = pseudonym strings, one per row). Returns (stored, duplicate mask)."""
        h = row_hashes(user64, item_id, category_id, behavior, ts)
        # Sorted queries make the look-ups cache-friendly; a stable sort keeps the first of
        # equal rows in file order, so "later copy = duplicate" holds within the batch too.
        order = np.argsort(h, kind="stable")
        hs = h[order]
        dup_sorted = np.zeros(len(hs), dtype=bool)
        dup_sorted[1:] = hs[1:] == hs[:-1]
        for known in (self._seen, *self._new):
            if len(known):
                pos = np.searchsorted(known, hs)
                pos[pos == len(known)] = 0
                dup_sorted |= known[pos] == hs
        dup = np.empty(len(h), dtype=bool)
        dup[order] = dup_sorted
        keep = ~dup
        n = int(keep.sum())
        if n:
            fresh = hs[~dup_sorted]  # already sorted
            self._new.append(fresh)
            if len(self._new) > 8:  # keep the number of sorted runs small: merge them
                self._new = [np.sort(np.concatenate(self._new), kind="stable")]
            idx = np.flatnonzero(keep) if not keep.all() else None
            take = (lambda a: a[idx]) if idx is not None else (lambda a: a)
            table = pa.table({
                "user": users.take(pa.array(idx)) if idx is not None else users,
                "item_id": pa.array(take(item_id), pa.int64()),
                "category_id": pa.array(take(category_id), pa.int64()),
                "behavior": pa.array(take(behavior).astype(np.int8), pa.int8()),
                "ts": pa.array(take(ts), pa.int64()),
            })
            name = f"part-{self.sha[:16]}-{len(self._parts):05d}.parquet"
            write_part(table, self.staging / name)
            self._parts.append((name, n))
        return n, dup

    def commit(self, kind: str, path: Path, *, read: int, accepted: int, rejected: int, duplicates: int,
               rejects_path: Path | None) -> None:
        """Publish the staged parts and record the source, in that order (see module doc)."""
        store = self.store
        for name, _ in self._parts:
            os.replace(self.staging / name, store.behavior_dir / name)
        with store._tx() as c:
            seq0 = c.execute("SELECT COALESCE(MAX(seq), 0) FROM behavior_parts").fetchone()[0]
            c.executemany("INSERT OR REPLACE INTO behavior_parts VALUES (?,?,?,?)",
                          [(name, self.sha, n, seq0 + i + 1) for i, (name, n) in enumerate(self._parts)])
            c.execute("INSERT OR REPLACE INTO sources VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                      store._source_row(self.sha, kind, Path(path), read, accepted, rejected, duplicates, rejects_path))
            store._journal(c, "behavior", self.sha, sum(n for _, n in self._parts))
        n_hashes = len(self._seen)
        if self._new:
            merged = np.sort(np.concatenate([self._seen, *self._new]), kind="stable")
            store._save_row_hashes(merged)
            n_hashes = len(merged)
        store._set_meta(_HASHES_META, f"{store._hashes_cover()}:{n_hashes}")
        self.abort()

    def abort(self) -> None:
        """Throw away whatever was staged and not committed."""
        shutil.rmtree(self.staging, ignore_errors=True)


def _empty_behavior(cols: list[str]) -> pd.DataFrame:
    data = {
        "user": pd.array([], dtype="str"),
        "item_id": np.empty(0, np.int64),
        "category_id": np.empty(0, np.int64),
        "behavior": pd.Categorical([], categories=list(BEHAVIORS)),
        "ts": np.empty(0, np.int64),
    }
    return pd.DataFrame({c: data[c] for c in cols}, columns=cols)


def _sentiment(label, rating) -> str:
    if label is not None:
        return "pos" if int(label) == 1 else "neg"
    if rating is not None:
        return "pos" if rating >= 4 else "neg" if rating <= 2 else "neutral"
    return ""


def _json_num(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    return str(v)
