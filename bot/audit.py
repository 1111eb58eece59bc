"""The audit log: one append-only, redacted JSON line per reply — who asked what, what answered.

Each line: time (UTC), the asker as a keyed pseudonym (never the platform id), platform,
audience, channel (pseudonymised for customers: a private chat id is a person), intent, the
question with PII redacted, the reply id, what the reply used (retrieval query, collection,
computed report, cited source ids, the query spec and SQL of a data question) and which model/adapter answered (`model_id`), plus
hand-over and error ids. Lines are chained: `prev` is the SHA-256 of the previous line, so an
edited or deleted line shows (`growthpilot audit --verify`). Appends take an exclusive lock, so
several processes (serve, chat) can share one file. The file is created 0600 in a 0700 folder.

The assistant calls `AuditLog.record(message, reply)` once per reply; bot/ stays free of
knowledge/ imports: the pseudonymizer and redactor are handed in.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from .types import Message, Reply

logger = logging.getLogger("growthpilot.audit")

GENESIS = "0" * 64
_QUESTION_CHARS = 500


@dataclass
class AuditLog:
    """Appends one line per reply to `path` (see module doc)."""

    path: Path
    pseudonymize: Callable[[str], str]
    redact: Callable[[str], str]

    def record(self, message: Message, reply: Reply) -> dict:
        """Append the entry for one reply; returns it (with `prev`)."""
        data = reply.data or {}
        report = data.get("report") if isinstance(data.get("report"), dict) else {}
        customer = message.audience == "customer"
        entry = {
            "ts": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
            "epoch": round(time.time(), 3),
            "user": self.pseudonymize(message.user) if message.user else "",
            "platform": message.platform,
            "audience": message.audience,
            "channel": self.pseudonymize(f"{message.platform}:{message.channel}") if customer else message.channel,
            "intent": str(data.get("intent", "")),
            "question": self.redact(message.text or "")[:_QUESTION_CHARS],
            "reply_id": reply.reply_id,
            "query": self.redact(str(data.get("query", "") or "")),
            "collection": str(data.get("collection", "") or ("public" if customer else "")),
            "report": str(data.get("report_source", "") or report.get("kind", "") or ""),
            "sources": [c.id for c in reply.citations],
            "model_id": str(data.get("model_id", "") or ""),
            "handover": bool(reply.handover),
            "error_id": str(data.get("error_id", "") or ""),
        }
        for key in ("spec", "sql"):  # a data question answered by the query layer: what it ran
            if data.get(key):
                value = data[key] if isinstance(data[key], str) else json.dumps(data[key], ensure_ascii=False, sort_keys=True, default=str)
                entry[key] = self.redact(value)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _chmod(self.path.parent, 0o700)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            entry["prev"] = _last_hash(self.path)
            os.write(fd, (json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
        finally:
            os.close(fd)  # closing releases the lock
        return entry

    def __call__(self, message: Message, reply: Reply) -> None:
        try:
            self.record(message, reply)
        except OSError as exc:  # the person still gets the reply; the operator sees why the line is missing
            logger.error("audit log %s not written: %s", self.path, exc)


def _chmod(path: Path, mode: int) -> None:
    try:
        os.chmod(path, mode)
    except OSError:  # a folder we do not own: the file mode still protects the entries
        pass


def _last_hash(path: Path) -> str:
    """SHA-256 of the file's last line (GENESIS for an empty file)."""
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        if size == 0:
            return GENESIS
        block = min(size, 65536)
        fh.seek(size - block)
        tail = fh.read(block)
    lines = tail.rstrip(b"\n").split(b"\n")
    return hashlib.sha256(lines[-1]).hexdigest()


def read_entries(path: Path) -> Iterator[dict]:
    """Every entry, oldest first (nothing when there is no log yet)."""
    path = Path(path)
    if not path.exists():
        return
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def verify(path: Path) -> tuple[int, int | None]:
    """(entries checked, 1-based line number of the first broken link or None)."""
    prev, n = GENESIS, 0
    path = Path(path)
    if not path.exists():
        return 0, None
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            line = raw.rstrip(b"\n")
            try:
                got = json.loads(line).get("prev")
            except ValueError:
                return n, n
            if got != prev:
                return n, n
            prev = hashlib.sha256(line).hexdigest()
    return n, None
