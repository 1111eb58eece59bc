"""`growthpilot feedback list|export|up|down|correct|pending|approve`: the feedback loop on the assistant's replies."""

from __future__ import annotations

from pathlib import Path

from ..errors import UserFacingError
from ..output import emit_json, table


def register(sub, parent) -> None:
    p = sub.add_parser(
        "feedback",
        parents=[parent],
        help="list, give or export feedback on the assistant's replies",
        description=(
            "Every reply is stored with its exact prompt, sources and model/adapter id. `list` shows rated replies; "
            "`up`/`down`/`correct` rate one by its id; `export --out DIR` writes sft.jsonl (👍 replies and corrections) "
            "and preference.jsonl (correction = chosen, the reply = rejected) for `growthpilot train`. "
            "Customers' feedback (redacted, kept apart) is never exported until a team member approves it: "
            "`pending` lists it with its ids, `approve ID --user NAME` approves one."
        ),
    )
    p.add_argument("action", choices=["list", "export", "up", "down", "correct", "pending", "approve"], help="what to do")
    p.add_argument("reply_id", nargs="?", default="",
                   help="up/down/correct: the reply id shown under the reply; approve: the feedback id from `pending`")
    p.add_argument("correction", nargs="?", default="", help="correct: the corrected reply text (PII is redacted before it is stored)")
    p.add_argument("--out", type=Path, default=None, help="export: output folder (default: <data dir>/feedback)")
    p.add_argument("--limit", type=int, default=50, help="list: how many replies (newest first)")
    p.add_argument("--all", action="store_true", help="list: include replies without feedback")
    p.add_argument("--user", default="cli-user", help="up/down/correct: who gives the feedback; approve: who approves it")
    p.set_defaults(handler=run)


def run(args, cfg) -> int:
    from bot.db import BotDB
    from bot.errors import BotUserError
    from bot.feedback import FeedbackStore
    from knowledge.privacy import Redactor

    from ..wiring import assistant_db_path

    db = BotDB(assistant_db_path(cfg))
    try:
        redactor = Redactor(addresses=cfg.privacy.redact_addresses)  # a team member's correction too
        store = FeedbackStore(db, redact=lambda text: redactor.redact(text).text)
        if args.action == "list":
            rows = store.list(limit=args.limit, only_rated=not args.all)
            if args.json:
                emit_json({"ok": True, "replies": [r.__dict__ for r in rows]})
            elif not rows:
                print("no feedback yet: rate a reply with /feedback up|down in `growthpilot chat`, or `growthpilot feedback up REPLY_ID`")
            else:
                print(table([[r.reply_id, r.intent, r.rating, r.votes, _short(r.correction), _short(r.reply), r.model_id] for r in rows],
                            ["reply", "intent", "rating", "votes", "correction", "reply text", "model"]))
            return 0
        if args.action == "export":
            out = args.out or Path(cfg.data.dir) / "feedback"
            counts = store.export(out)
            if args.json:
                emit_json({"ok": True, **counts})
            else:
                print(f"wrote {counts['sft']} ({counts['accepted']} accepted, {counts['corrected']} corrected) and "
                      f"{counts['preference']} ({counts['preference_pairs']} pairs); skipped {counts['skipped']}")
                if counts["pending_approval"]:
                    print(f"{counts['pending_approval']} customer feedback not exported: awaiting approval "
                          "(growthpilot feedback pending)")
                print(f"train on it: growthpilot train {counts['sft']}")
            return 0
        if args.action == "pending":
            rows = store.pending(limit=args.limit)
            if args.json:
                emit_json({"ok": True, "pending": rows})
            elif not rows:
                print("no customer feedback awaiting approval")
            else:
                print(table([[r["id"], r["reply_id"], r["rating"], _short(r["correction"]), _short(r["reply"])] for r in rows],
                            ["id", "reply", "rating", "correction (redacted)", "reply text"]))
                print("approve one for training: growthpilot feedback approve ID --user YOUR_NAME")
            return 0
        if args.action == "approve":
            if not args.reply_id.strip().isdigit():
                raise UserFacingError("`feedback approve` needs the feedback id (a number)", fix="see `growthpilot feedback pending`")
            try:
                done = store.approve(int(args.reply_id), by=args.user)
            except BotUserError as exc:
                raise UserFacingError(exc.message, fix=exc.fix or None) from exc
            if args.json:
                emit_json({"ok": True, **done})
            else:
                print(f"feedback {done['id']} " + ("was already approved" if done["already"] else "approved") + f" by {done['approved_by']}")
            return 0
        if not args.reply_id:
            raise UserFacingError(f"`feedback {args.action}` needs a reply id", fix="see `growthpilot feedback list --all`")
        rating = {"up": 1, "down": -1, "correct": 0}[args.action]
        if args.action == "correct" and not args.correction.strip():
            raise UserFacingError("`feedback correct` needs the corrected text", fix='growthpilot feedback correct REPLY_ID "the right answer"')
        try:
            store.record_feedback(args.reply_id, args.user, rating=rating, correction=args.correction)
        except BotUserError as exc:
            raise UserFacingError(exc.message, fix=exc.fix or None) from exc
        if args.json:
            emit_json({"ok": True, "reply_id": args.reply_id, "rating": rating})
        else:
            print(f"feedback saved on {args.reply_id}")
        return 0
    finally:
        db.close()


def _short(text: str, n: int = 40) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"
