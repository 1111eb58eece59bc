"""The feedback loop: every reply is stored with the exact prompt, sources and model id; 👍/👎 and
corrections are attached to it; `export` turns them into training data for `growthpilot train`.

Export formats (what training/'s dataset reader accepts):
  sft.jsonl         {"messages": [system, user, {"role": "assistant", "content": OUTPUT}], "source": "accepted"|"corrected", "reply_id": ...}
                    accepted = a 👍 reply without a correction (OUTPUT = the reply);
                    corrected = a reply with a correction (OUTPUT = the correction)
  preference.jsonl  {"prompt": [system, user] messages, "chosen": CORRECTION, "rejected": REPLY, "reply_id": ...}

Every correction is redacted here, whoever records it (the assistant, the CLI's `feedback correct`,
an adapter): the store is handed the PII redactor (`redact`; default: knowledge.privacy's, the
one the assistant uses). Customers' feedback is stored with audience
"customer" and is never exported until a team member approves it (`approve`, or
`growthpilot feedback approve ID`): a customer must not be able to write the model's training
targets. A vote counts only from the audience that received the reply (and, for customers, only
in the conversation it was sent to).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Sequence

from .db import BotDB
from .errors import BotUserError
from .types import Source


@dataclass(frozen=True)
class FeedbackRow:
    reply_id: str
    intent: str
    reply: str
    model_id: str
    rating: int  # net rating: sum of +1/-1
    correction: str  # the latest correction ("" if none)
    votes: int
    created: float


class FeedbackStore:
    """Replies and the feedback on them, in the assistant's SQLite file."""

    def __init__(self, db: BotDB, *, redact: Callable[[str], str] | None = None):
        self.db = db
        self._redact = redact or _default_redactor()

    def record_reply(
        self,
        reply_id: str,
        *,
        conversation: tuple[str, str, str],
        user: str,
        intent: str,
        prompt: Sequence[dict],
        reply: str,
        sources: Sequence[Source],
        model_id: str,
        audience: str = "",
    ) -> None:
        """Store one reply. `audience` team | customer ("" = customer for support replies, else team)."""
        audience = audience or ("customer" if intent == "support" else "team")
        self.db.execute(
            "INSERT OR REPLACE INTO replies (reply_id, platform, channel, thread, user, intent, prompt, reply, sources, model_id, created, audience) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                reply_id,
                *conversation,
                user,
                intent,
                json.dumps(list(prompt), ensure_ascii=False),
                reply,
                json.dumps([asdict(s) for s in sources], ensure_ascii=False),
                model_id,
                time.time(),
                audience,
            ),
        )

    def record_feedback(self, reply_id: str, user: str, *, rating: int = 0, correction: str = "",
                        audience: str | None = None, conversation: tuple[str, str, str] | None = None) -> None:
        """rating +1 (👍), -1 (👎) or 0 with a correction. With `audience`, only a reply sent to that
        audience (and, with `conversation`, in that conversation) can be rated; any other id reads as
        unknown, so its existence is not revealed. The feedback is stored under the reply's audience."""
        if rating not in (-1, 0, 1):
            raise BotUserError("rating must be +1 (up), -1 (down) or 0", message_zh="评分只能是 +1（赞）、-1（踩）或 0")
        if rating == 0 and not correction.strip():
            raise BotUserError("feedback needs a rating or a correction", message_zh="反馈需要评分或修改意见")
        rows = self.db.execute("SELECT audience, intent, platform, channel, thread FROM replies WHERE reply_id=?", (reply_id,))
        got = (rows[0]["audience"] or ("customer" if rows[0]["intent"] == "support" else "team")) if rows else ""
        if rows and audience is not None and got != audience:
            rows = []
        if rows and conversation is not None and tuple(conversation) != (rows[0]["platform"], rows[0]["channel"], rows[0]["thread"]):
            rows = []
        if not rows:
            raise BotUserError(
                f"no reply with id {reply_id!r}",
                fix="use the id shown under the reply (`growthpilot feedback list` shows recent ones)",
                message_zh=f"找不到编号为 {reply_id!r} 的回复",
                fix_zh="使用回复下方显示的编号（`growthpilot feedback list` 可查看最近的回复）",
            )
        self.db.execute(
            "INSERT INTO feedback (reply_id, user, rating, correction, created, audience) VALUES (?,?,?,?,?,?)",
            (reply_id, user, rating, self._redact(correction.strip()).strip() if correction.strip() else "", time.time(), got),
        )

    def pending(self, limit: int = 100) -> list[dict]:
        """Customer feedback not yet approved for training, newest first."""
        rows = self.db.execute(
            "SELECT f.id, f.reply_id, f.rating, f.correction, f.created, r.reply FROM feedback f JOIN replies r ON r.reply_id = f.reply_id "
            "WHERE f.audience = 'customer' AND f.approved_by = '' ORDER BY f.id DESC LIMIT ?",
            (limit,),
        )
        return [dict(r) for r in rows]

    def approve(self, feedback_id: int, *, by: str) -> dict:
        """A team member approves one piece of customer feedback as training data."""
        rows = self.db.execute("SELECT id, audience, approved_by FROM feedback WHERE id=?", (int(feedback_id),))
        if not rows or rows[0]["audience"] != "customer":
            raise BotUserError(
                f"no customer feedback with id {feedback_id}",
                fix="see `growthpilot feedback pending` for the ids awaiting approval (team feedback needs none)",
                message_zh=f"没有编号为 {feedback_id} 的客户反馈",
            )
        if rows[0]["approved_by"]:
            return {"id": int(feedback_id), "approved_by": rows[0]["approved_by"], "already": True}
        if not by.strip():
            raise BotUserError("approving needs the name of the team member", message_zh="批准需要填写团队成员的名字")
        self.db.execute("UPDATE feedback SET approved_by=?, approved_at=? WHERE id=?", (by.strip(), time.time(), int(feedback_id)))
        return {"id": int(feedback_id), "approved_by": by.strip(), "already": False}

    def last_reply_id(self, conversation: tuple[str, str, str]) -> str | None:
        rows = self.db.execute(
            "SELECT reply_id FROM replies WHERE platform=? AND channel=? AND thread=? ORDER BY created DESC, rowid DESC LIMIT 1",
            conversation,
        )
        return rows[0]["reply_id"] if rows else None

    def rated_down(self, reply_id: str) -> bool:
        """True when someone gave this reply a 👎."""
        return bool(self.db.execute("SELECT 1 FROM feedback WHERE reply_id=? AND rating<0 LIMIT 1", (reply_id,)))

    def reply(self, reply_id: str) -> dict | None:
        rows = self.db.execute("SELECT * FROM replies WHERE reply_id=?", (reply_id,))
        if not rows:
            return None
        r = dict(rows[0])
        r["prompt"] = json.loads(r["prompt"])
        r["sources"] = json.loads(r["sources"])
        return r

    def list(self, limit: int = 50, *, only_rated: bool = True) -> list[FeedbackRow]:
        """Replies with their feedback, newest first."""
        having = "HAVING COUNT(f.id) > 0" if only_rated else ""
        rows = self.db.execute(
            "SELECT r.reply_id, r.intent, r.reply, r.model_id, r.created, COALESCE(SUM(f.rating), 0) AS rating, COUNT(f.id) AS votes, "
            "(SELECT correction FROM feedback f2 WHERE f2.reply_id = r.reply_id AND f2.correction != '' ORDER BY f2.id DESC LIMIT 1) AS correction "
            f"FROM replies r LEFT JOIN feedback f ON f.reply_id = r.reply_id GROUP BY r.reply_id {having} ORDER BY r.created DESC LIMIT ?",
            (limit,),
        )
        return [
            FeedbackRow(r["reply_id"], r["intent"], r["reply"], r["model_id"], int(r["rating"]), r["correction"] or "", int(r["votes"]), float(r["created"]))
            for r in rows
        ]

    def export(self, out_dir: Path) -> dict[str, int | str]:
        """Write sft.jsonl and preference.jsonl under `out_dir`; return the counts and paths."""
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        sft_path, pref_path = out_dir / "sft.jsonl", out_dir / "preference.jsonl"
        accepted = corrected = preference = skipped = 0
        with open(sft_path, "w", encoding="utf-8") as sft, open(pref_path, "w", encoding="utf-8") as pref:
            for row in self._trainable():
                full = self.reply(row.reply_id)
                messages = [m for m in full["prompt"] if m.get("role") in ("system", "user", "assistant")]
                if not messages or messages[-1].get("role") != "user":
                    skipped += 1  # nothing the model wrote (reports, help): nothing to learn
                    continue
                if row.correction:
                    sft.write(_line({"messages": messages + [{"role": "assistant", "content": row.correction}], "source": "corrected", "reply_id": row.reply_id}))
                    corrected += 1
                    if row.correction.strip() != row.reply.strip():
                        pref.write(_line({"prompt": messages, "chosen": row.correction, "rejected": row.reply, "reply_id": row.reply_id}))
                        preference += 1
                elif row.rating > 0:
                    sft.write(_line({"messages": messages + [{"role": "assistant", "content": row.reply}], "source": "accepted", "reply_id": row.reply_id}))
                    accepted += 1
                else:
                    skipped += 1  # 👎 without a correction: no target to learn from
        pending = self.db.execute("SELECT COUNT(*) AS n FROM feedback WHERE audience='customer' AND approved_by=''")[0]["n"]
        return {"sft": str(sft_path), "preference": str(pref_path), "accepted": accepted, "corrected": corrected,
                "preference_pairs": preference, "skipped": skipped, "pending_approval": int(pending)}

    def _trainable(self) -> list[FeedbackRow]:
        """Like `list`, counting only team feedback and approved customer feedback."""
        ok = "(f.audience != 'customer' OR f.approved_by != '')"
        rows = self.db.execute(
            "SELECT r.reply_id, r.intent, r.reply, r.model_id, r.created, SUM(f.rating) AS rating, COUNT(f.id) AS votes, "
            f"(SELECT correction FROM feedback f WHERE f.reply_id = r.reply_id AND f.correction != '' AND {ok} ORDER BY f.id DESC LIMIT 1) AS correction "
            f"FROM replies r JOIN feedback f ON f.reply_id = r.reply_id WHERE {ok} GROUP BY r.reply_id ORDER BY r.created DESC"
        )
        return [
            FeedbackRow(r["reply_id"], r["intent"], r["reply"], r["model_id"], int(r["rating"]), r["correction"] or "", int(r["votes"]), float(r["created"]))
            for r in rows
        ]


def _default_redactor() -> Callable[[str], str]:
    from knowledge.privacy import Redactor

    redactor = Redactor(addresses=True)
    return lambda text: redactor.redact(text).text


def _line(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False) + "\n"
