"""What the query layer gives back: rows, plus everything needed to say how they were computed.

A `QueryResult` carries its spec, the SQL DuckDB ran (with its parameters), the metric's
definition, the resolved period(s) with their data coverage, warnings, and `facts`: every number
of the result bound to the quantity it measures (metric, subject, period, role). Replies are
written from facts, and the claim checker accepts a number in a sentence only when it matches a
fact about the same quantity — never merely because the number appears somewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .spec import QuerySpec

# Roles a number can play in a result.
ROLES: tuple[str, ...] = (
    "value",      # the metric's value for the subject in the period
    "previous",   # the metric's value in the comparison period (op=change)
    "change",     # value − previous (percentage points for ratios, units for counts)
    "change_pct", # relative change in % ((value − previous) / previous × 100)
    "numerator",  # the ratio's numerator (e.g. buyers for conversion by users)
    "denominator",# the ratio's denominator (the support a min-support rule counts)
    "rank",       # 1-based position in a top/bottom list
)


@dataclass(frozen=True)
class MetricInfo:
    """A metric as the user reads it: name, bilingual label and one-line definition, unit.

    unit: "count" (whole numbers), "ratio" (0..1, shown as %), "number" (e.g. purchases per
    buyer, average rating). source: "behavior" or "reviews"."""

    name: str
    label_en: str
    label_zh: str
    definition_en: str
    definition_zh: str
    unit: str
    source: str

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en

    def definition(self, lang: str) -> str:
        return self.definition_zh if lang == "zh" else self.definition_en


@dataclass(frozen=True)
class ResolvedPeriod:
    """A period pinned to days: start/end YYYY-MM-DD inclusive; `days` its length; `covered_days`
    the days in it that hold data; `complete` whether the data covers the whole window."""

    start: str
    end: str
    days: int
    covered_days: int
    complete: bool

    def label(self, lang: str = "en") -> str:
        return f"{self.start} – {self.end}" if self.start != self.end else self.start

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "days": self.days, "covered_days": self.covered_days, "complete": self.complete}


@dataclass(frozen=True)
class Fact:
    """One number bound to what it measures. `subject` is the dimension value it belongs to
    ("" for a total), shown as the user reads it (a catalogue name, a category name, a date);
    `subject_id` the raw key (item id, category id) where there is one."""

    metric: str
    value: float | int
    role: str = "value"
    dim: str = ""
    subject: str = ""
    subject_id: str = ""
    period: str = ""

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in ("", None)}


@dataclass(frozen=True)
class QueryResult:
    spec: QuerySpec
    metric: MetricInfo
    sql: str
    params: tuple = ()
    columns: tuple[str, ...] = ()
    rows: tuple[tuple, ...] = ()
    period: ResolvedPeriod | None = None
    previous: ResolvedPeriod | None = None
    facts: tuple[Fact, ...] = ()
    warnings: tuple[str, ...] = ()
    elapsed_ms: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.rows

    def fact(self, role: str = "value", subject: str = "") -> Fact | None:
        for f in self.facts:
            if f.role == role and f.subject == subject:
                return f
        return None

    @property
    def value(self) -> float | int | None:
        """The total's value (op=total, or the current value of op=change without `by`)."""
        f = self.fact("value")
        return None if f is None else f.value

    @property
    def direction(self) -> str | None:
        """"up", "down" or "flat" for op=change without `by`; None otherwise."""
        f = self.fact("change")
        if f is None:
            return None
        return "up" if f.value > 0 else "down" if f.value < 0 else "flat"

    def records(self) -> list[dict]:
        return [dict(zip(self.columns, r)) for r in self.rows]

    def to_dict(self) -> dict:
        """For --json: the spec, the SQL, the rows, the facts and the warnings."""
        return {
            "spec": self.spec.to_dict(),
            "metric": {"name": self.metric.name, "label": self.metric.label_en, "label_zh": self.metric.label_zh,
                       "definition": self.metric.definition_en, "definition_zh": self.metric.definition_zh, "unit": self.metric.unit},
            "sql": self.sql,
            "params": list(self.params),
            "columns": list(self.columns),
            "rows": [list(r) for r in self.rows],
            "period": self.period.to_dict() if self.period else None,
            "previous": self.previous.to_dict() if self.previous else None,
            "facts": [f.to_dict() for f in self.facts],
            "warnings": list(self.warnings),
        }
