"""Reports computed by code, never by the model: a compact table, a PNG chart and a short
narrative, in Chinese or English. Each report is a small module of named queries on the query
layer (knowledge.query), registered in registry.py; its ReportResult carries the QueryResults
(spec + SQL) every number came from, and a "how this was computed" line.
"""

from .engine import FramesProvider, ReportEngine
from .parse import parse_report_request
from .registry import REPORT_KINDS
from .types import ReportRequest, ReportResult

__all__ = ["FramesProvider", "REPORT_KINDS", "ReportEngine", "ReportRequest", "ReportResult", "parse_report_request"]
