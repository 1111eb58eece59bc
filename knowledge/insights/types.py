"""The Insight type: one fact with its numbers and a stable id."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Topic = Literal["funnel", "trend", "top", "segment", "recommendation", "propensity", "sentiment", "aspect"]
TOPICS: tuple[str, ...] = ("funnel", "trend", "top", "segment", "recommendation", "propensity", "sentiment", "aspect")


@dataclass(frozen=True)
class Insight:
    """One insight. `id` is stable: the same data gives the same ids (e.g. "insight:funnel:item:2268318").

    `text` is one or two English sentences carrying the numbers (Chinese product and aspect
    words kept as they are); `numbers` holds the same figures unrounded, exactly as the
    pandas computation gives them (NaN figures are left out).
    """

    id: str
    topic: Topic
    title: str
    text: str
    numbers: dict[str, float | int | str] = field(default_factory=dict)
    product: str = ""
    category: str = ""
    date: str = ""
