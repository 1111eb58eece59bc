"""What the question parser gives back (others code against this: keep it stable)."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.query import QuerySpec

KINDS = ("query", "not_in_data", "none")
SOURCES = ("rules", "model", "followup")


@dataclass(frozen=True)
class ParsedQuestion:
    """kind: "query" (spec holds the query), "not_in_data" (the layer holds nothing for it;
    `missing` says what was asked, in the question's language), or "none" (not a data question:
    a copy brief, chit-chat, a "why" that needs only evidence).
    source: "rules" | "model" | "followup" (an edit of the previous spec).
    notes: what the parser assumed or could not resolve ("unknown product 'X'",
    "conversion: by users (buyers ÷ viewers)") — the answer may state them."""

    kind: str
    spec: QuerySpec | None = None
    missing: str = ""
    source: str = ""
    notes: tuple[str, ...] = ()
