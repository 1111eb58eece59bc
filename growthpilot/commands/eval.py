"""`growthpilot eval` (not built yet)."""

from __future__ import annotations

from ..errors import UserFacingError


def register(sub, parent) -> None:
    p = sub.add_parser("eval", parents=[parent], help="(eval: not built yet)", description="(not built yet)")
    p.set_defaults(handler=run)


def run(args, cfg) -> int:
    raise UserFacingError("`growthpilot eval` is not built yet")
