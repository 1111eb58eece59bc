"""The registry of reports: kind → module with `build(ctx) -> ReportResult`.

Adding a report: write bot/reports/<kind>.py with TITLE_EN/TITLE_ZH and build(ctx), and add
its name here. Every number a report shows comes from the query layer (ctx.q.run(spec))."""

from __future__ import annotations

import importlib

REPORT_KINDS: tuple[str, ...] = ("funnel", "top", "trends", "segments", "sentiment", "recs", "forecast", "categories", "hours")


def report_module(kind: str):
    if kind not in REPORT_KINDS:
        raise KeyError(kind)
    return importlib.import_module(f"bot.reports.{kind}")
