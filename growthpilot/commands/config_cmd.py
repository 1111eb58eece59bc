"""`growthpilot config show|check`: print or validate the effective configuration."""

from __future__ import annotations

from ..config import describe
from ..output import emit_json


def register(sub, parent) -> None:
    p = sub.add_parser(
        "config",
        parents=[parent],
        help="show or check the configuration",
        description="Show the effective configuration (defaults + config.toml, paths resolved) or just check it.",
    )
    p.add_argument("action", choices=["show", "check"], nargs="?", default="show", help="show (default) or check")
    p.set_defaults(handler=run)


def run(args, cfg) -> int:
    data = describe(cfg)
    if args.action == "check":
        msg = f"config OK: {cfg.source or 'built-in defaults (no config.toml)'}"
        emit_json({"ok": True, "source": str(cfg.source) if cfg.source else None}) if args.json else print(msg)
        return 0
    if args.json:
        emit_json(data)
        return 0
    for section, values in data.items():
        if not isinstance(values, dict):
            continue
        print(f"[{section}]")
        for k, v in values.items():
            print(f"  {k} = {v!r}")
    print(f"# source: {data.get('source') or 'built-in defaults'}")
    return 0
