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
        ("adapters", {"growthpilot", "training", "knowledge", "llm"}),
    ],
)
def test_package_does_not_import(package, forbidden):
    allowed = ALLOWED_CROSSINGS.get(package, {})
    offenders = {}
    for m, names in imported_top_levels(package).items():
        bad = names & forbidden
        if bad and m in allowed:
            bad = {n for n in bad if n not in allowed[m]} | _crossings_beyond(m, allowed[m])
        if bad:
            offenders[m] = sorted(bad)
    assert offenders == {}, f"{package}/ must not import {sorted(forbidden)}"


# The one import across the adapters → knowledge wall: the Telegram adapter keeps its own
# redacted transcript of the turns it saw (for an adapter-side hand-over) with knowledge.privacy.
ALLOWED_CROSSINGS = {"adapters": {str(Path("adapters/telegram/adapter.py")): {"knowledge": {"knowledge.privacy"}}}}


def _imported_modules(module: str) -> set[str]:
    """Full dotted names `module` imports, relative imports resolved (`from .slack import X` in adapters/ → adapters.slack)."""
    package = list(Path(module).with_suffix("").parts[:-1])
    out = set()
    for node in ast.walk(ast.parse((ROOT / module).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            name = ".".join(base + ([node.module] if node.module else []))
            out.add(name)
            if not node.module:
                out |= {f"{name}.{a.name}" for a in node.names}
    return out


def _crossings_beyond(module: str, allowed: dict[str, set[str]]) -> set[str]:
    """Top-level packages `module` imports beyond its allowed exact modules (e.g. knowledge.search)."""
    extra = set()
    for full in _imported_modules(module):
        top = full.split(".")[0]
        if top in allowed and full not in allowed[top]:
            extra.add(full)
    return extra


def test_exactly_one_crossing_of_the_adapters_knowledge_wall():
    crossing = {m: sorted(n for n in _imported_modules(m) if n.split(".")[0] in {"knowledge", "llm"})
                for m in imported_top_levels("adapters")}
    assert {m: v for m, v in crossing.items() if v} == {str(Path("adapters/telegram/adapter.py")): ["knowledge.privacy"]}


def test_serve_and_the_service_name_no_channel():
    # a new channel is a package plus one line in adapters/registry.py
    for module in ("adapters/service.py", "growthpilot/commands/serve.py"):
        names = _imported_modules(str(Path(module)))
        assert not any(n.startswith(("adapters.slack", "adapters.telegram", "slack_", "telegram")) for n in names), (module, names)


def test_the_check_sees_imports():
    # the walker itself must find a known import, or the tests above could never fail
    assert "pandas" in imported_top_levels("knowledge")[str(Path("knowledge/store.py"))]
