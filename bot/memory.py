"""Conversation memory per (platform, channel, thread): bounded, in the assistant's SQLite file."""

from __future__ import annotations

import time
from dataclasses import dataclass

from .db import BotDB

ConversationKey = tuple[str, str, str]


@dataclass(frozen=True)
class Turn:
    role: str  # "user" | "assistant"
    text: str
    intent: str = ""
    query: str = ""


class ConversationMemory:
    """The last `max_turns` exchanges of each conversation (a turn = one user message + its reply).
    Older rows are deleted as new ones arrive, so the file stays bounded."""

    def __init__(self, db: BotDB, max_turns: int = 10):
        self.db = db
        self.max_turns = max(0, max_turns)

    def add(self, key: ConversationKey, role: str, text: str, *, intent: str = "", query: str = "") -> None:
        if self.max_turns == 0:
            return
        self.db.execute(
            "INSERT INTO turns (platform, channel, thread, role, text, intent, query, created) VALUES (?,?,?,?,?,?,?,?)",
            (*key, role, text, intent, query, time.time()),
        )
        # keep 2 rows (user + assistant) per turn
        self.db.execute(
            "DELETE FROM turns WHERE platform=? AND channel=? AND thread=? AND id NOT IN "
            "(SELECT id FROM turns WHERE platform=? AND channel=? AND thread=? ORDER BY id DESC LIMIT ?)",
            (*key, *key, 2 * self.max_turns),
        )

    def recent(self, key: ConversationKey, turns: int | None = None) -> list[Turn]:
        """Oldest first."""
        limit = 2 * (self.max_turns if turns is None else min(turns, self.max_turns))
        rows = self.db.execute(
            "SELECT role, text, intent, query FROM turns WHERE platform=? AND channel=? AND thread=? ORDER BY id DESC LIMIT ?",
            (*key, limit),
        )
        return [Turn(r["role"], r["text"], r["intent"], r["query"]) for r in reversed(rows)]

    def last_user_turn(self, key: ConversationKey, intent: str | None = None) -> Turn | None:
        for turn in reversed(self.recent(key)):
            if turn.role == "user" and (intent is None or turn.intent == intent):
                return turn
        return None

    def clear(self, key: ConversationKey) -> int:
        rows = self.db.execute("SELECT COUNT(*) AS n FROM turns WHERE platform=? AND channel=? AND thread=?", key)
        self.db.execute("DELETE FROM turns WHERE platform=? AND channel=? AND thread=?", key)
        self.db.execute("DELETE FROM failures WHERE platform=? AND channel=? AND thread=?", key)
        return int(rows[0]["n"])

    # -- failed support answers in a row (for the hand-over rule) ----------------------------
    def failures(self, key: ConversationKey) -> int:
        rows = self.db.execute("SELECT count FROM failures WHERE platform=? AND channel=? AND thread=?", key)
        return int(rows[0]["count"]) if rows else 0

    def record_failure(self, key: ConversationKey, failed: bool) -> int:
        """Count a failed answer (or reset the count on a good one); returns the count."""
        if not failed:
            self.db.execute("DELETE FROM failures WHERE platform=? AND channel=? AND thread=?", key)
            return 0
        self.db.execute(
            "INSERT INTO failures (platform, channel, thread, count) VALUES (?,?,?,1) "
            "ON CONFLICT(platform, channel, thread) DO UPDATE SET count = count + 1",
            key,
        )
        return self.failures(key)
