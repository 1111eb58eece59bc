"""The query layer: one engine (DuckDB) for every behaviour and review figure.

spec.py      the typed query spec (frozen, JSON, JSON schema)
semantic.py  the semantic layer: metrics and dimensions, each defined once, bilingual
result.py    QueryResult: rows + spec + SQL + facts (numbers bound to quantities) + warnings
entities.py  the names of items, categories, products a question or a sentence may use
"""

from .entities import Entities, Entity
from .result import Fact, MetricInfo, QueryResult, ResolvedPeriod
from .semantic import DIMENSIONS, METRICS, DimensionInfo, SemanticLayer
from .spec import OPS, PERIOD_KINDS, Filter, Period, QuerySpec, SpecError, json_schema

__all__ = [
    "DIMENSIONS", "Entities", "Entity", "METRICS", "OPS", "PERIOD_KINDS", "DimensionInfo", "Fact", "Filter", "MetricInfo", "Period",
    "QueryResult", "QuerySpec", "ResolvedPeriod", "SemanticLayer", "SpecError", "json_schema",
]
