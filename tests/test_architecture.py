"""The walls of ARCHITECTURE.md, checked on the source: arrows point one way."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"growthpilot", "knowledge", "llm", "training", "bot", "adapters"}


def imported_top_levels(package: str) -> dict[str, set[str]]:
    """{module path: top-level names it imports} for every .py file in `package`."""
    out = {}
    for path in (ROOT / package).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        out[str(path.relative_to(ROOT))] = names
    return out


@pytest.mark.parametrize(
    "package, forbidden",
    [
        ("knowledge", OURS - {"knowledge"}),
        ("bot", {"slack_bolt", "slack_sdk", "telegram", "adapters", "growthpilot", "training"}),
        ("training", {"adapters", "bot", "growthpilot"}),
        ("llm", {"adapters", "bot", "growthpilot", "training", "knowledge"}),
        ("adapters", {"growthpilot", "training"}),
    ],
)
def test_package_does_not_import(package, forbidden):
    offenders = {m: sorted(names & forbidden) for m, names in imported_top_levels(package).items() if names & forbidden}
    assert offenders == {}, f"{package}/ must not import {sorted(forbidden)}"


def test_the_check_sees_imports():
    # the walker itself must find a known import, or the tests above could never fail
    assert "pandas" in imported_top_levels("knowledge")[str(Path("knowledge/store.py"))]
