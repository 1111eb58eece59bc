"""`growthpilot serve` (not built yet)."""

from __future__ import annotations

from ..errors import UserFacingError


def register(sub, parent) -> None:
    p = sub.add_parser("serve", parents=[parent], help="(serve: not built yet)", description="(not built yet)")
    p.set_defaults(handler=run)


def run(args, cfg) -> int:
    raise UserFacingError("`growthpilot serve` is not built yet")
