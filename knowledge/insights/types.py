"""The Insight type: one fact with its numbers, the query specs behind them and a stable id."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Topic = Literal["funnel", "trend", "top", "segment", "recommendation", "propensity", "sentiment", "aspect", "category", "hour"]
TOPICS: tuple[str, ...] = ("funnel", "trend", "top", "segment", "recommendation", "propensity", "sentiment", "aspect", "category", "hour")


@dataclass(frozen=True)
class Insight:
    """One insight. `id` is stable: the same data gives the same ids (e.g. "insight:funnel:item:2268318").

    `text` is one or two English sentences carrying the numbers, `text_zh` the same in Chinese;
    `numbers` holds the same figures unrounded, exactly as the query layer gives them (missing
    figures are left out); `specs` the query specs (JSON dicts) they came from.
    """

    id: str
    topic: Topic
    title: str
    text: str
    numbers: dict[str, float | int | str] = field(default_factory=dict)
    product: str = ""
    category: str = ""
    date: str = ""
    text_zh: str = ""
    title_zh: str = ""
    specs: tuple = ()
