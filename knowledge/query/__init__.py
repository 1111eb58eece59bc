"""The query layer: one engine (DuckDB) for every behaviour and review figure.

spec.py      the typed query spec (frozen, JSON, JSON schema)
semantic.py  the semantic layer: metrics and dimensions, each defined once, bilingual
result.py    QueryResult: rows + spec + SQL + facts (numbers bound to quantities) + warnings
compiler.py  a validated spec → SQL + parameters for DuckDB
engine.py    QueryEngine: DuckDB over the stored Parquet parts, reviews and catalogue; run(spec) → QueryResult
entities.py  the names of items, categories, products a question or a sentence may use
"""

from .engine import QueryEngine, explain
from .entities import Entities, Entity
from .result import Fact, MetricInfo, QueryResult, ResolvedPeriod
from .semantic import DIMENSIONS, METRICS, DimensionInfo, SemanticLayer
from .spec import OPS, PERIOD_KINDS, Filter, Period, QuerySpec, SpecError, json_schema

__all__ = [
    "DIMENSIONS", "Entities", "Entity", "METRICS", "OPS", "PERIOD_KINDS", "DimensionInfo", "Fact", "Filter", "MetricInfo", "Period",
    "QueryEngine", "QueryResult", "QuerySpec", "ResolvedPeriod", "SemanticLayer", "SpecError", "explain", "json_schema",
]
