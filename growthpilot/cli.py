"""The `growthpilot` command: one sub-command per module in growthpilot/commands/.

Every sub-command takes --config PATH and --json, before or after the command's name
(`growthpilot --config PATH ask …` and `growthpilot ask … --config PATH` are the same). Exit codes: 0 success,
1 internal error (logged with an id), 2 user error (bad input, config, missing
data or model: the message says how to fix it), 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from typing import Sequence

from . import __version__
from .errors import UserFacingError, apology, log_internal

# Sub-command modules, in the order `growthpilot --help` lists them.
COMMAND_MODULES = (
    "demo",
    "ingest",
    "docs",
    "insights",
    "search",
    "model",
    "ask",
    "chat",
    "report",
    "feedback",
    "audit",
    "train",
    "eval",
    "serve",
    "data",
    "config_cmd",
)


def common_options() -> argparse.ArgumentParser:
    """Options every sub-command takes."""
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("common options")
    g.add_argument("--config", metavar="PATH", default=None, help="config file (default: ./config.toml)")
    g.add_argument("--json", action="store_true", help="machine-readable JSON on stdout")
    g.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="growthpilot",
        description="growthpilot — an open-source marketing copilot over your customer data.",
        epilog="Run `growthpilot COMMAND --help` for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"growthpilot {__version__}")
    # the common options may come before the command too: `growthpilot --config PATH ask …`
    parser.add_argument("--config", metavar="PATH", dest="global_config", default=None, help="config file (default: ./config.toml)")
    parser.add_argument("--json", action="store_true", dest="global_json", help="machine-readable JSON on stdout")
    parser.add_argument("-v", "--verbose", action="count", dest="global_verbose", default=0, help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    parent = common_options()
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"growthpilot.commands.{name}")
        module.register(sub, parent)
    return parser


def merge_global_options(args: argparse.Namespace) -> argparse.Namespace:
    """Options given before the command count as if given after it (after wins for --config)."""
    if getattr(args, "config", None) is None:
        args.config = getattr(args, "global_config", None)
    args.json = bool(getattr(args, "json", False) or getattr(args, "global_json", False))
    args.verbose = int(getattr(args, "verbose", 0) or 0) + int(getattr(args, "global_verbose", 0) or 0)
    return args


def user_error_exit_code(exc: BaseException) -> int | None:
    """Exit code for errors meant for the person, None for internal ones. Layers that cannot
    import growthpilot.errors (knowledge/) mark theirs with `user_facing = True`."""
    if isinstance(exc, UserFacingError):
        return exc.exit_code
    if getattr(exc, "user_facing", False):
        return 2
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    merge_global_options(args)
    from .config import load_config
    from knowledge import atrest
    from knowledge.privacy import LEGACY_KEY

    from .logsafe import setup_logging

    setup_logging(args.verbose)  # secrets masked and PII redacted in every record, -vv included
    umask = os.umask(0o077)  # everything we write (store, parts, indexes, caches, exports) is 0600 / 0700
    try:
        cfg = load_config(args.config)
        setup_logging(args.verbose, key_files=[cfg.privacy.key_file, cfg.data.dir / LEGACY_KEY, cfg.privacy.data_key_file])
        atrest.configure(atrest.load_data_key(os.environ.get(cfg.privacy.data_key_env), cfg.privacy.data_key_file))
        return int(args.handler(args, cfg) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `growthpilot ... | head`
        return 0
    except Exception as exc:  # noqa: BLE001 - the one place that turns errors into exit codes
        code = user_error_exit_code(exc)
        if code is None:
            error_id = log_internal(exc)
            message, code = apology(error_id), 1
        else:
            message = str(exc)
        if getattr(args, "json", False):
            print(json.dumps({"ok": False, "error": message}, ensure_ascii=False))
        print(f"error: {message}", file=sys.stderr)
        return code
    finally:
        os.umask(umask)
        atrest.configure(None)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
