"""`growthpilot audit`: read the append-only audit log (who asked what, what answered)."""

from __future__ import annotations

import datetime as dt
import re

from ..errors import UserFacingError
from ..output import emit_json, table


def register(sub, parent) -> None:
    p = sub.add_parser(
        "audit",
        parents=[parent],
        help="read the audit log of the assistant's replies",
        description=(
            "One line per reply, written by the assistant (chat, ask, serve) to <data dir>/audit/audit.jsonl: "
            "when, who asked (a keyed pseudonym, never the platform id), the question with personal data "
            "redacted, the retrieval query, collection, computed report and cited sources the reply used, "
            "and the model/adapter that answered. The file is append-only and each line carries the hash of "
            "the one before, so `--verify` shows an edited or deleted line."
        ),
    )
    p.add_argument("--since", default="", metavar="WHEN",
                   help="only entries since WHEN: a date/time (2026-12-01, 2026-12-01T09:00) or an age (30m, 24h, 7d)")
    p.add_argument("--user", default="", metavar="ID",
                   help="only this asker: the platform user id (pseudonymised with the same key) or a u_ pseudonym")
    p.add_argument("--limit", type=int, default=50, help="at most this many entries, newest last (default 50; 0 = all)")
    p.add_argument("--verify", action="store_true", help="check the hash chain of the whole file; exit 2 if broken")
    p.set_defaults(handler=run)


def parse_since(text: str, now: dt.datetime | None = None) -> float | None:
    """Epoch seconds for --since ("" → None)."""
    text = text.strip()
    if not text:
        return None
    now = now or dt.datetime.now(dt.timezone.utc)
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([smhdw])", text, re.I)
    if m:
        secs = float(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[m.group(2).lower()]
        return (now - dt.timedelta(seconds=secs)).timestamp()
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UserFacingError(f"--since {text!r} is neither a date nor an age",
                              fix="use e.g. --since 2026-12-01, --since 2026-12-01T09:00 or --since 24h") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.timestamp()


def run(args, cfg) -> int:
    from bot.audit import read_entries, verify

    from ..wiring import audit_log_path

    path = audit_log_path(cfg)
    if args.verify:
        n, broken = verify(path)
        if args.json:
            emit_json({"ok": broken is None, "entries": n, "broken_line": broken, "path": str(path)})
        elif broken is None:
            print(f"{path}: {n} entries, hash chain intact")
        else:
            print(f"{path}: the hash chain breaks at line {broken}: a line was edited, removed or inserted there")
        return 0 if broken is None else 2
    since = parse_since(args.since)
    user = args.user.strip()
    if user and not re.fullmatch(r"u_[0-9a-f]{16}", user):
        from knowledge.privacy import Pseudonymizer

        user = Pseudonymizer.from_settings(cfg.privacy, data_dir=cfg.data.dir).one(user)
    rows = [e for e in read_entries(path)
            if (since is None or e.get("epoch", 0) >= since) and (not user or e.get("user") == user)]
    if args.limit > 0:
        rows = rows[-args.limit:]
    if args.json:
        emit_json({"ok": True, "path": str(path), "entries": rows})
        return 0
    if not rows:
        print(f"no audit entries{' matching' if since or user else ''} in {path}")
        return 0
    print(table([[e["ts"][:19].replace("T", " "), e["user"], e["audience"], e["intent"], _short(e["question"]),
                  ", ".join(e["sources"][:3]) or e.get("report", ""), e["model_id"]] for e in rows],
                ["time (UTC)", "user", "audience", "intent", "question (redacted)", "used", "model"]))
    return 0


def _short(text: str, n: int = 48) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"
