"""The model path: the language model writes the spec under grammar-constrained decoding.

The grammar is a stricter form of `SemanticLayer.json_schema()` (`spec_schema`): one branch per
source (behaviour / reviews) and operation, so a metric only meets the dimensions of its source,
`total` has no `by`, `top`/`breakdown` must have one, `last_days` must have `n`; filter values are
the names and ids the entities know (when there are not too many), dates are real calendar dates.
What the model writes therefore parses as a spec the layer accepts. The rules then check it:
every value it names must resolve to an entity (names → ids), else the spec is refused with a note.
"""

from __future__ import annotations

import copy
import inspect
import json
import logging
import time

from knowledge.query import Entities, Filter, QuerySpec, SemanticLayer, SpecError
from llm.constrained import spec_messages

from .resolve import Resolver
from .settings import QuestionSettings

log = logging.getLogger(__name__)

_DATE = r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
_GROUP_OF_DIM = {"item": ("items",), "category": ("categories",), "review_category": ("review_categories",),
                 "review_product": ("review_products", "items"), "segment": ("segments",)}
_WORD_VALUES = {"review_lang": ["zh", "en"], "sentiment": ["positive", "negative", "neutral"],
                "hour": [str(h) for h in range(24)], "weekday": [str(d) for d in range(7)]}


def _period_schema() -> dict:
    return {"anyOf": [
        {"type": "object", "properties": {"kind": {"enum": ["all", "last_week", "this_week"]}}, "required": ["kind"], "additionalProperties": False},
        {"type": "object", "properties": {"kind": {"enum": ["last_days", "last_weeks"]}, "n": {"type": "integer", "minimum": 1, "maximum": 366}},
         "required": ["kind", "n"], "additionalProperties": False},
        {"type": "object", "properties": {"kind": {"const": "between"}, "start": {"type": "string", "pattern": _DATE},
                                          "end": {"type": "string", "pattern": _DATE}},
         "required": ["kind", "start", "end"], "additionalProperties": False},
    ]}


def _values_schema(dim: str, entities: Entities, max_enum: int) -> dict:
    if dim in _WORD_VALUES:
        items: dict = {"enum": _WORD_VALUES[dim]}
    elif dim in ("day", "week"):
        items = {"type": "string", "pattern": _DATE}
    elif dim in _GROUP_OF_DIM:
        names: list[str] = []
        for group in _GROUP_OF_DIM[dim]:
            for e in getattr(entities, group):
                names += [n for n in e.names() if n and n not in names]
        items = {"enum": names} if 0 < len(names) <= max_enum else {"type": "string", "minLength": 1, "maxLength": 40}
    else:
        items = {"type": "string", "minLength": 1, "maxLength": 40}
    return {"type": "array", "items": items, "minItems": 1, "maxItems": 3}


def spec_schema(layer: SemanticLayer, entities: Entities, *, max_enum: int = 400) -> dict:
    """The JSON schema the model writes under: `layer.json_schema()` made strict enough that every
    document it accepts is a spec `layer.validate` accepts."""
    base = layer.json_schema()
    branches = []
    for source in ("behavior", "reviews"):
        metrics = sorted(n for n, m in layer.metrics.items() if m.source == source)
        dims = sorted(n for n, d in layer.dimensions.items() if d.source == source)
        if not metrics:
            continue
        filt = {"anyOf": [{"type": "object", "properties": {"dim": {"const": d}, "values": _values_schema(d, entities, max_enum)},
                           "required": ["dim", "values"], "additionalProperties": False} for d in dims]}
        filters = {"type": "array", "items": filt, "maxItems": 3}
        limit = {"type": "integer", "minimum": 1, "maximum": 100}
        common = {"metric": {"enum": metrics}}
        branches += [
            {"type": "object", "properties": {**common, "op": {"const": "total"}, "filters": filters, "period": _period_schema()},
             "required": ["metric", "op", "period"], "additionalProperties": False},
            {"type": "object", "properties": {**common, "op": {"enum": ["breakdown", "top", "bottom"]}, "by": {"enum": dims}, "filters": filters,
                                              "period": _period_schema(), "limit": limit},
             "required": ["metric", "op", "by", "period"], "additionalProperties": False},
            {"type": "object", "properties": {**common, "op": {"const": "change"}, "by": {"enum": dims}, "filters": filters,
                                              "period": _period_schema(), "limit": limit},
             "required": ["metric", "op", "period"], "additionalProperties": False},
        ]
    return {"$schema": base.get("$schema", "https://json-schema.org/draft/2020-12/schema"), "title": base.get("title", "query spec"),
            "anyOf": branches}


def spec_target(spec: QuerySpec) -> str:
    """A spec as the model writes it: compact JSON in the schema's property order (training targets)."""
    return json.dumps(spec.to_dict(), ensure_ascii=False, separators=(",", ":"))


def _accepts_schema(model) -> bool:
    try:
        return "schema" in inspect.signature(model.generate).parameters
    except (TypeError, ValueError):
        return False


class ModelSpecWriter:
    def __init__(self, layer: SemanticLayer, entities: Entities, model, settings: QuestionSettings, resolver: Resolver):
        self.layer, self.entities, self.model, self.settings, self.resolver = layer, entities, model, settings, resolver
        self.schema = spec_schema(layer, entities, max_enum=settings.max_enum_values)
        self.constrained = _accepts_schema(model)
        self.last_seconds = 0.0
        self.last_text = ""

    async def write(self, text: str, *, lang: str, previous: QuerySpec | None = None) -> tuple[QuerySpec | None, list[str]]:
        msgs = spec_messages(text, spec_target(previous) if previous else "")
        kwargs: dict = {"max_new_tokens": self.settings.max_new_tokens, "temperature": 0.0}
        if self.constrained:
            kwargs["schema"] = copy.deepcopy(self.schema)
        t0 = time.perf_counter()
        try:
            result = await self.model.generate(msgs, **kwargs)
        except Exception as exc:  # noqa: BLE001 - the rules' answer stands; say why the model did not help
            log.warning("the model could not write a spec: %s", exc)
            return None, [f"the model could not write a spec ({type(exc).__name__})"]
        self.last_seconds = time.perf_counter() - t0
        self.last_text = result.texts[0] if result.texts else ""
        return self.check_text(self.last_text, lang=lang)

    def check_text(self, text: str, *, lang: str = "en") -> tuple[QuerySpec | None, list[str]]:
        """The model's JSON → a checked spec, or None with the reason."""
        try:
            d = json.loads(text)
        except ValueError as exc:
            return None, [f"the model's spec was refused: not JSON ({exc})"]
        try:
            p = d.get("period") if isinstance(d, dict) else None
            if isinstance(p, dict) and p.get("kind") == "between" and str(p.get("start")) > str(p.get("end")):
                p["start"], p["end"] = p["end"], p["start"]  # the one rule a JSON schema cannot state: start ≤ end
            spec = QuerySpec.from_dict(d)
            self.layer.validate(spec)
        except (ValueError, SpecError) as exc:
            return None, [f"the model's spec was refused: {exc}"]
        return self.check(spec, lang=lang)

    def check(self, spec: QuerySpec, *, lang: str = "en") -> tuple[QuerySpec | None, list[str]]:
        """Every filter value must name something that exists; names become ids."""
        notes: list[str] = []
        filters = []
        for f in spec.filters:
            values: list[str] = []
            for v in f.values:
                got = self._resolve(f.dim, v)
                if got is None:
                    what = {"item": "product", "review_product": "product", "category": "category",
                            "review_category": "review category", "segment": "segment"}.get(f.dim, f.dim)
                    return None, [f"unknown {what} '{v}'"]
                values += [g for g in got if g not in values]
            filters.append(Filter(f.dim, tuple(values)))
        try:
            checked = spec.with_changes(filters=tuple(filters))
            self.layer.validate(checked)
        except SpecError as exc:
            return None, [f"the model's spec was refused: {exc}"]
        return checked, notes

    def _resolve(self, dim: str, value: str) -> list[str] | None:
        v = str(value).strip()
        if dim in _WORD_VALUES:
            return [v] if v in _WORD_VALUES[dim] else None
        if dim in ("day", "week"):
            return [v]
        groups = _GROUP_OF_DIM.get(dim)
        if not groups:
            return [v]
        for group in groups:
            for e in getattr(self.entities, group):
                if v == e.id or v.lower() in {n.lower() for n in e.names()}:
                    return [e.id]
        ids = [m.entity.id for m in self.resolver.find(v.lower()) if m.group in groups]
        return ids or None
