"""The typed query spec: what a report, an insight or a team question asks of the query layer.

A spec names one metric of the semantic layer (knowledge.query.semantic), an operation, an
optional dimension to break it down by, filters and a period. It is frozen, JSON-serialisable
(`to_dict`/`from_dict`, `to_json`/`from_json`) and has a JSON schema built from the layer
(`json_schema`), which is what a language model writes under grammar-constrained decoding.
Whether the names exist is checked by `SemanticLayer.validate(spec)`, not here: this module
only knows the shape.

Operations
  total      one number for the whole scope (metric over filters and period)
  breakdown  the metric per value of `by` (e.g. conversion per category)
  top/bottom the `limit` best/worst values of `by`, among those with at least `min_support`
             units of the metric's denominator (the layer's default when None)
  change     the period against the one just before it, of the same length (e.g. last week vs the
             week before); with `by`, the change per value of `by`. The result says the direction
             and warns when either window holds fewer days of data than its length.

Periods (all dates are UTC days of the log; "now" is the end of the log, not the wall clock)
  all                 the whole log
  last_days  n        the last n days of the log
  last_weeks n        the last n whole weeks (Monday–Sunday) ending with the log's last week
  last_week           the last whole week before the log's last (partial or not) week ends
  this_week           the log's last week (Monday up to the log's end; may be incomplete)
  between start end   YYYY-MM-DD to YYYY-MM-DD, both inclusive
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields
from typing import Any, Iterable

OPS: tuple[str, ...] = ("total", "breakdown", "top", "bottom", "change")
PERIOD_KINDS: tuple[str, ...] = ("all", "last_days", "last_weeks", "last_week", "this_week", "between")
MAX_LIMIT = 100
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class SpecError(ValueError):
    """A spec that is malformed or names something the layer does not have. `path` says where
    (e.g. "filters[0].dim"); the message says what is known instead."""

    def __init__(self, message: str, path: str = ""):
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.reason = message


@dataclass(frozen=True)
class Period:
    kind: str = "all"
    n: int | None = None
    start: str | None = None
    end: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in PERIOD_KINDS:
            raise SpecError(f"unknown period kind {self.kind!r}; known: {', '.join(PERIOD_KINDS)}", "period.kind")
        if self.kind in ("last_days", "last_weeks"):
            if not isinstance(self.n, int) or isinstance(self.n, bool) or not 1 <= self.n <= 3660:
                raise SpecError(f"{self.kind} needs n, a whole number from 1 to 3660 (got {self.n!r})", "period.n")
        elif self.n is not None:
            raise SpecError(f"n is only for last_days/last_weeks, not {self.kind}", "period.n")
        if self.kind == "between":
            for key in ("start", "end"):
                v = getattr(self, key)
                if not isinstance(v, str) or not _DATE.match(v):
                    raise SpecError(f"between needs {key} as YYYY-MM-DD (got {v!r})", f"period.{key}")
            if self.start > self.end:  # type: ignore[operator]
                raise SpecError(f"start {self.start} is after end {self.end}", "period")
        elif self.start is not None or self.end is not None:
            raise SpecError(f"start/end are only for between, not {self.kind}", "period")

    def to_dict(self) -> dict:
        return {k: v for k, v in (("kind", self.kind), ("n", self.n), ("start", self.start), ("end", self.end)) if v is not None}


@dataclass(frozen=True)
class Filter:
    """Keep only rows whose `dim` is one of `values` (item ids or catalogue names, category ids or
    names, review categories, languages, sentiment labels, segment names, weekday/hour numbers)."""

    dim: str
    values: tuple[str, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.dim, str) or not self.dim:
            raise SpecError("a filter needs a dimension name", "dim")
        vals = tuple(str(v) for v in (self.values if isinstance(self.values, (list, tuple)) else (self.values,)))
        if not vals:
            raise SpecError(f"filter on {self.dim} has no values", "values")
        object.__setattr__(self, "values", vals)

    def to_dict(self) -> dict:
        return {"dim": self.dim, "values": list(self.values)}


@dataclass(frozen=True)
class QuerySpec:
    metric: str
    op: str = "total"
    by: str | None = None
    filters: tuple[Filter, ...] = ()
    period: Period = field(default_factory=Period)
    limit: int = 10
    min_support: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.metric, str) or not self.metric:
            raise SpecError("a spec needs a metric name", "metric")
        if self.op not in OPS:
            raise SpecError(f"unknown operation {self.op!r}; known: {', '.join(OPS)}", "op")
        if self.op in ("breakdown", "top", "bottom") and not self.by:
            raise SpecError(f"{self.op} needs a dimension in `by`", "by")
        if self.op == "total" and self.by:
            raise SpecError("total takes no `by` (use breakdown)", "by")
        if not isinstance(self.limit, int) or isinstance(self.limit, bool) or not 1 <= self.limit <= MAX_LIMIT:
            raise SpecError(f"limit must be a whole number from 1 to {MAX_LIMIT} (got {self.limit!r})", "limit")
        if self.min_support is not None and (not isinstance(self.min_support, int) or self.min_support < 0):
            raise SpecError(f"min_support must be a whole number ≥ 0 (got {self.min_support!r})", "min_support")
        object.__setattr__(self, "filters", tuple(self.filters))

    # ------------------------------------------------------------------ serialisation
    def to_dict(self) -> dict:
        d: dict[str, Any] = {"metric": self.metric, "op": self.op}
        if self.by:
            d["by"] = self.by
        if self.filters:
            d["filters"] = [f.to_dict() for f in self.filters]
        d["period"] = self.period.to_dict()
        if self.op in ("top", "bottom", "breakdown", "change") and self.by:
            d["limit"] = self.limit
        if self.min_support is not None:
            d["min_support"] = self.min_support
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, d: Any) -> "QuerySpec":
        """Strict: unknown keys and wrong types raise SpecError naming the key."""
        if not isinstance(d, dict):
            raise SpecError(f"a spec is a JSON object, not {type(d).__name__}")
        _no_unknown(d, {f.name for f in fields(cls)}, "")
        period = d.get("period") or {}
        if not isinstance(period, dict):
            raise SpecError("period must be an object", "period")
        _no_unknown(period, {"kind", "n", "start", "end"}, "period.")
        filters = d.get("filters") or []
        if not isinstance(filters, list):
            raise SpecError("filters must be a list", "filters")
        fl = []
        for i, f in enumerate(filters):
            if not isinstance(f, dict):
                raise SpecError("a filter is an object {dim, values}", f"filters[{i}]")
            _no_unknown(f, {"dim", "values"}, f"filters[{i}].")
            try:
                fl.append(Filter(dim=f.get("dim", ""), values=tuple(f.get("values") or ())))
            except SpecError as e:
                raise SpecError(e.reason, f"filters[{i}].{e.path}") from None
        return cls(
            metric=d.get("metric", ""),
            op=d.get("op", "total"),
            by=d.get("by") or None,
            filters=tuple(fl),
            period=Period(**period),
            limit=d.get("limit", 10),
            min_support=d.get("min_support"),
        )

    @classmethod
    def from_json(cls, text: str) -> "QuerySpec":
        try:
            return cls.from_dict(json.loads(text))
        except json.JSONDecodeError as e:
            raise SpecError(f"not JSON: {e.msg} at character {e.pos}") from None

    # ------------------------------------------------------------------ editing (follow-ups)
    def with_changes(self, **changes: Any) -> "QuerySpec":
        """A copy with some fields replaced ("and last week?" → period; "那品类呢？" → by)."""
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d.update(changes)
        return QuerySpec(**d)

    def filter_values(self, dim: str) -> tuple[str, ...]:
        for f in self.filters:
            if f.dim == dim:
                return f.values
        return ()


def _no_unknown(d: dict, known: set[str], prefix: str) -> None:
    extra = sorted(set(d) - known)
    if extra:
        raise SpecError(f"unknown key(s) {', '.join(extra)}; known: {', '.join(sorted(known))}", prefix + extra[0])


def json_schema(metrics: Iterable[str], dimensions: Iterable[str]) -> dict:
    """The JSON schema of a spec over the given metric and dimension names (the layer supplies
    them: `SemanticLayer.json_schema()`). Strict enough for grammar-constrained decoding: every
    object closed, every enum listed."""
    metrics, dimensions = sorted(metrics), sorted(dimensions)
    period = {
        "type": "object",
        "properties": {
            "kind": {"enum": list(PERIOD_KINDS)},
            "n": {"type": "integer", "minimum": 1, "maximum": 3660},
            "start": {"type": "string", "pattern": _DATE.pattern},
            "end": {"type": "string", "pattern": _DATE.pattern},
        },
        "required": ["kind"],
        "additionalProperties": False,
    }
    filt = {
        "type": "object",
        "properties": {"dim": {"enum": dimensions}, "values": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 10}},
        "required": ["dim", "values"],
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "growthpilot query spec",
        "type": "object",
        "properties": {
            "metric": {"enum": metrics},
            "op": {"enum": list(OPS)},
            "by": {"enum": dimensions},
            "filters": {"type": "array", "items": filt, "maxItems": 4},
            "period": period,
            "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
            "min_support": {"type": "integer", "minimum": 0},
        },
        "required": ["metric", "op", "period"],
        "additionalProperties": False,
    }
