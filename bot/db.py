"""The assistant's own SQLite file (conversation memory + feedback): one real file, WAL mode."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from knowledge import atrest

SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    platform TEXT NOT NULL, channel TEXT NOT NULL, thread TEXT NOT NULL,
    role TEXT NOT NULL,               -- user | assistant
    text TEXT NOT NULL,               -- PII already redacted for customers
    intent TEXT NOT NULL DEFAULT '',
    query TEXT NOT NULL DEFAULT '',   -- the retrieval query used for this turn (follow-ups reuse it)
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_conv ON turns (platform, channel, thread, id);
CREATE TABLE IF NOT EXISTS replies (
    reply_id TEXT PRIMARY KEY,
    platform TEXT NOT NULL, channel TEXT NOT NULL, thread TEXT NOT NULL, user TEXT NOT NULL,
    intent TEXT NOT NULL,
    prompt TEXT NOT NULL,             -- JSON: the exact chat messages sent to the model ([] if none)
    reply TEXT NOT NULL,              -- what the person saw
    sources TEXT NOT NULL,            -- JSON: [{id, kind, title, snippet, score}]
    model_id TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reply_id TEXT NOT NULL REFERENCES replies(reply_id),
    user TEXT NOT NULL,
    rating INTEGER NOT NULL,          -- +1 / -1 / 0 (correction only)
    correction TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_reply ON feedback (reply_id);
CREATE TABLE IF NOT EXISTS failures (
    platform TEXT NOT NULL, channel TEXT NOT NULL, thread TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (platform, channel, thread)
);
"""


class BotDB:
    """A thread-safe handle on the assistant's SQLite file."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = atrest.current().connect(self.path, check_same_thread=False, timeout=30)  # SQLCipher with a data key
        self._conn.row_factory = atrest.row_type(self._conn)
        self._lock = threading.Lock()
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(SCHEMA)
            _migrate(self._conn)
            self._conn.commit()

    def execute(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            cur = self._conn.execute(sql, params)
            rows = cur.fetchall()
            self._conn.commit()
            return rows

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        with self._lock:
            self._conn.executemany(sql, rows)
            self._conn.commit()

    def close(self) -> None:
        with self._lock:
            self._conn.close()


# Columns added after the first release: (table, column, declaration). Older files get them on open.
ADDED_COLUMNS = (
    ("replies", "audience", "TEXT NOT NULL DEFAULT ''"),  # team | customer: who received the reply
    ("feedback", "audience", "TEXT NOT NULL DEFAULT 'team'"),  # who gave it: customers' is kept apart
    ("feedback", "approved_by", "TEXT NOT NULL DEFAULT ''"),  # a team member who approved customer feedback for training
    ("feedback", "approved_at", "REAL NOT NULL DEFAULT 0"),
)


def _migrate(conn: sqlite3.Connection) -> None:
    for table, column, decl in ADDED_COLUMNS:
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        if column not in have:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")
