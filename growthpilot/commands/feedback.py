"""`growthpilot feedback` (not built yet)."""

from __future__ import annotations

from ..errors import UserFacingError


def register(sub, parent) -> None:
    p = sub.add_parser("feedback", parents=[parent], help="(feedback: not built yet)", description="(not built yet)")
    p.set_defaults(handler=run)


def run(args, cfg) -> int:
    raise UserFacingError("`growthpilot feedback` is not built yet")
