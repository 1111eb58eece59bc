"""ReportEngine: runs the registered reports over one QueryEngine, caching results.

The query engine is built once from the store (DuckDB over its Parquet parts) or from a
frames provider (tests, callers holding DataFrames); `invalidate()` after an ingest."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path
from typing import Callable, Protocol

import pandas as pd

from knowledge.query import QueryEngine

from ..errors import BotUserError
from .common import Ctx
from .registry import REPORT_KINDS, report_module
from .types import ReportRequest, ReportResult

logger = logging.getLogger("growthpilot.bot.reports")


class FramesProvider(Protocol):
    """What the report engine reads: knowledge.store.Store has these."""

    def behavior_frame(self, columns: list[str] | None = None) -> pd.DataFrame: ...

    def reviews_frame(self) -> pd.DataFrame: ...

    def catalog_frame(self) -> pd.DataFrame: ...


class ReportEngine:
    def __init__(self, frames: FramesProvider | Callable[[], FramesProvider], charts_dir: Path, *, cache_size: int = 64,
                 charts: bool = True, query_engine: QueryEngine | None = None,
                 query_factory: Callable[[], QueryEngine] | None = None):
        self._frames_source = frames
        self.charts_dir = Path(charts_dir)
        self.make_charts = charts
        self._lock = threading.RLock()
        self._frames: dict = {}
        self._q = query_engine
        self._given_q = query_engine is not None
        self._query_factory = query_factory
        self._cache: OrderedDict[tuple, ReportResult] = OrderedDict()
        self._cache_size = cache_size

    # -- data -----------------------------------------------------------------------------
    def _provider(self) -> FramesProvider:
        src = self._frames_source
        return src if hasattr(src, "behavior_frame") else src()

    def frame(self, name: str) -> pd.DataFrame:
        with self._lock:
            if name not in self._frames:
                self._frames[name] = getattr(self._provider(), f"{name}_frame")()
            return self._frames[name]

    def query_engine(self) -> QueryEngine:
        """The one query engine every report runs on (built on first use)."""
        with self._lock:
            if self._q is None and self._query_factory is not None:
                self._q = self._query_factory()
            if self._q is None:
                provider = self._provider()
                if hasattr(provider, "_part_files"):  # a knowledge.store.Store: DuckDB over its Parquet parts
                    self._q = QueryEngine.from_store(provider)
                else:
                    self._q = QueryEngine.from_frames(self.frame("behavior"), self.frame("reviews"), self.frame("catalog"))
            return self._q

    def invalidate(self) -> None:
        """Forget cached frames, the query engine and results (after an ingest)."""
        with self._lock:
            self._frames.clear()
            if not self._given_q:
                if self._q is not None:
                    self._q.close()
                self._q = None
            self._cache.clear()

    def warm(self) -> None:
        self.query_engine().bounds()

    def prefetch(self, kinds: tuple[str, ...] = REPORT_KINDS, lang: str = "zh") -> threading.Thread:
        """Compute the default report of each kind in a background thread. Errors (e.g. no
        reviews) are only logged."""

        def work() -> None:
            for kind in kinds:
                try:
                    self.run(ReportRequest(kind), lang)
                except Exception as exc:  # noqa: BLE001 - a missing kind of data is fine here
                    logger.debug("prefetch of %s report skipped: %s", kind, exc)

        thread = threading.Thread(target=work, name="report-prefetch", daemon=True)
        thread.start()
        return thread

    # -- running ----------------------------------------------------------------------------
    def run(self, req: ReportRequest, lang: str = "en") -> ReportResult:
        if req.kind not in REPORT_KINDS:
            raise BotUserError(
                f"unknown report {req.kind!r}",
                fix="use one of: " + ", ".join(REPORT_KINDS),
                message_zh=f"没有 {req.kind!r} 这种报告",
                fix_zh="可用的报告：" + "、".join(REPORT_KINDS),
            )
        key = (req, lang, self.make_charts)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        ctx = Ctx(req, lang, self.query_engine(), self.charts_dir if self.make_charts else None, engine=self)
        result = report_module(req.kind).build(ctx)
        if not result.results:
            result = replace(result, results=tuple(ctx.results))
        if not result.warnings and ctx.warnings():
            result = replace(result, warnings=ctx.warnings())
        with self._lock:
            self._cache[key] = result
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return result
