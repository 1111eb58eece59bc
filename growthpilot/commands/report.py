"""`growthpilot report` (not built yet)."""

from __future__ import annotations

from ..errors import UserFacingError


def register(sub, parent) -> None:
    p = sub.add_parser("report", parents=[parent], help="(report: not built yet)", description="(not built yet)")
    p.set_defaults(handler=run)


def run(args, cfg) -> int:
    raise UserFacingError("`growthpilot report` is not built yet")
