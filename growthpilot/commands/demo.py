"""`growthpilot demo` (not built yet)."""

from __future__ import annotations

from ..errors import UserFacingError


def register(sub, parent) -> None:
    p = sub.add_parser("demo", parents=[parent], help="(demo: not built yet)", description="(not built yet)")
    p.set_defaults(handler=run)


def run(args, cfg) -> int:
    raise UserFacingError("`growthpilot demo` is not built yet")
