"""Types that knowledge/ hands out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["insight", "review", "doc"]
Collection = Literal["internal", "public"]


@dataclass(frozen=True)
class Hit:
    """One search result."""

    id: str  # stable item id (e.g. "insight:funnel:item:123", "review:ab12…", "doc:faq.md#3")
    kind: Kind
    text: str
    score: float  # fused score (higher is better)
    title: str = ""
    metadata: dict = field(default_factory=dict)  # product, category, date, sentiment, dense/bm25 scores…


class KnowledgeError(Exception):
    """An error meant for the person (bad file, no data yet, index from another embedder).
    The CLI maps it to the user-facing tier (exit code 2)."""

    user_facing = True


DocumentKind = Literal["insight", "review", "doc"]


@dataclass(frozen=True)
class Document:
    """One unit of text for the indexes (what `Store.documents(collection)` yields).

    `metadata` carries what search filters and citations need: product, category,
    date ("YYYY-MM-DD" or ""), sentiment ("pos"|"neg"|"neutral"|""), topic, lang, path...
    """

    id: str  # "insight:…", "review:<hex>", "doc:<relpath>#<n>"
    kind: DocumentKind
    text: str
    title: str = ""
    metadata: dict = field(default_factory=dict)
