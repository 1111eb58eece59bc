"""ReportRequest (what was asked) and ReportResult (table, narrative, chart, and the query
results every number came from)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class ReportRequest:
    kind: str
    product: str = ""  # item id or a catalogue name
    category: str = ""  # category id or name
    days: int | None = None  # the last N days of the log (None: all of it); trends: the window length
    n: int = 10  # rows to show
    by: str = "buys"  # top: buys | views | conversion
    users: int | None = None  # forecast: the number of users a campaign reaches (None: 10% of them, at most 1,000)


@dataclass(frozen=True)
class ReportResult:
    kind: str
    lang: str
    title: str
    table: pd.DataFrame
    table_text: str
    narrative: str
    chart: Path | None = None
    numbers: dict = field(default_factory=dict)  # the headline figures, unrounded (for --json)
    results: tuple = ()  # the QueryResults (spec + SQL + facts) the numbers came from
    how: str = ""  # one line: how the headline number was computed
    warnings: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        out = f"{self.title}\n{self.narrative}\n\n{self.table_text}"
        if self.how:
            out += "\n\n" + self.how
        return out

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "lang": self.lang,
            "title": self.title,
            "narrative": self.narrative,
            "table": self.table_text,
            "rows": jsonable_rows(self.table),
            "chart": str(self.chart) if self.chart else None,
            "numbers": self.numbers,
            "how": self.how,
            "warnings": list(self.warnings),
            "queries": [r.to_dict() for r in self.results],
        }


def plain(v: Any):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        f = float(v)
        return None if np.isnan(f) else f
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if isinstance(v, float) and np.isnan(v):
        return None
    return v


def jsonable_rows(df: pd.DataFrame) -> list[dict]:
    return [{k: plain(v) for k, v in row.items()} for row in df.to_dict(orient="records")]
