"""Exactly-once delivery: a ledger of handled platform events in a real SQLite file.

Slack re-delivers an event (same `event_id`, header X-Slack-Retry-Num) when it did not see a
fast 200, and Telegram webhooks can repeat an update. `claim()` is the single gate: the first
caller for an id wins, every later delivery — in this process or after a restart, because the
ledger is a file — is refused. An id claimed by a process that died before finishing (status
'claimed', another owner) may be claimed again, so a crash does not swallow the answer.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS handled_events (
    event_id   TEXT PRIMARY KEY,
    status     TEXT NOT NULL,      -- 'claimed' | 'done'
    owner      TEXT NOT NULL,      -- instance id of the process that claimed it
    claimed_at REAL NOT NULL
)
"""


class EventLedger:
    """SQLite-backed record of handled event ids (thread-safe, one connection)."""

    def __init__(self, path: Path, *, retention_s: float = 7 * 24 * 3600):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.owner = uuid.uuid4().hex
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)
        self._prune(retention_s)

    def claim(self, event_id: str) -> bool:
        """True when this caller should handle `event_id`; False for a duplicate delivery."""
        if not event_id:
            return True  # nothing to de-duplicate on (e.g. slash commands are never retried)
        with self._lock:
            cur = self._db.execute(
                "INSERT OR IGNORE INTO handled_events(event_id, status, owner, claimed_at) VALUES (?, 'claimed', ?, ?)",
                (event_id, self.owner, time.time()),
            )
            if cur.rowcount == 1:
                return True
            # Taken over only when a previous process claimed it and died before finishing.
            cur = self._db.execute(
                "UPDATE handled_events SET owner = ?, claimed_at = ? WHERE event_id = ? AND status = 'claimed' AND owner != ?",
                (self.owner, time.time(), event_id, self.owner),
            )
            return cur.rowcount == 1

    def done(self, event_id: str) -> None:
        """Mark `event_id` answered: it will never be handled again."""
        if not event_id:
            return
        with self._lock:
            self._db.execute("UPDATE handled_events SET status = 'done' WHERE event_id = ?", (event_id,))

    def release(self, event_id: str) -> None:
        """Forget an unfinished claim (the answer was interrupted by a shutdown): a redelivery or a
        retry of `event_id` is answered, by this process or the next. An answered id stays answered."""
        if not event_id:
            return
        with self._lock:
            self._db.execute("DELETE FROM handled_events WHERE event_id = ? AND status = 'claimed'", (event_id,))

    def status(self, event_id: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT status FROM handled_events WHERE event_id = ?", (event_id,)).fetchone()
        return row[0] if row else None

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM handled_events").fetchone()[0])

    def _prune(self, retention_s: float) -> None:
        with self._lock:
            self._db.execute("DELETE FROM handled_events WHERE claimed_at < ?", (time.time() - retention_s,))

    def close(self) -> None:
        with self._lock:
            self._db.close()
