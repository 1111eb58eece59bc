"""Settings of the question parser (defaults here; the caller may pass its own)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QuestionSettings:
    use_model: bool = True  # ask the model (grammar-constrained) when the rules are not confident
    max_new_tokens: int = 96  # a spec is tens of tokens
    max_enum_values: int = 400  # filter values offered to the model as an enum (more: free strings)
    default_change_period: str = "last_week"  # "did conversion go up or down?" compares last week with the one before
