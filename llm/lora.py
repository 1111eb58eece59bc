"""LoRA adapters on disk: where they live, and the growthpilot metadata saved beside each one.

An adapter folder holds peft's `adapter_config.json` + weights and our `growthpilot_adapter.json`:

    {"format": 1, "adapter_name": "...",
     "base_model": {"name": "...", "sha256": "..."},   # ModelIdentity of the base it was trained on
     ... anything else the trainer records (hyper-parameters, prompt format, metrics) ...}

Loading an adapter on a base whose identity differs is refused with AdapterMismatch.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .identity import ModelIdentity
from .types import AdapterMismatch, ModelUnavailable

ADAPTER_METADATA_FILE = "growthpilot_adapter.json"
PEFT_CONFIG_FILE = "adapter_config.json"


def is_adapter_dir(path: Path) -> bool:
    return (Path(path) / PEFT_CONFIG_FILE).is_file()


def list_adapters(adapters_dir: Path) -> list[str]:
    """Names of the adapters side by side under `adapters_dir` (sorted)."""
    root = Path(adapters_dir)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and is_adapter_dir(p))


def resolve_adapter(adapter: str, adapters_dir: Path) -> Path:
    """The folder of `adapter`: a name under `adapters_dir`, or a path to an adapter folder."""
    candidates = [Path(adapters_dir) / adapter, Path(adapter).expanduser()]
    for c in candidates:
        if is_adapter_dir(c):
            return c
    known = list_adapters(adapters_dir)
    raise ModelUnavailable(
        f"adapter {adapter!r} not found: no {PEFT_CONFIG_FILE} in {candidates[0]} or {candidates[1]}. "
        f"Adapters under {adapters_dir}: {', '.join(known) if known else 'none'}. "
        "Fix: set [model] adapter to one of those (or \"\" for the base model), or train one with `growthpilot train`."
    )


def write_adapter_metadata(folder: Path, *, base: ModelIdentity, adapter_name: str, **extra: Any) -> Path:
    """Write `growthpilot_adapter.json` into `folder` (atomically). `extra` must be JSON-serialisable."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    data = {"format": 1, "adapter_name": adapter_name, "base_model": base.as_dict(), **extra}
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".meta-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=2, default=str)
    os.replace(tmp, folder / ADAPTER_METADATA_FILE)
    return folder / ADAPTER_METADATA_FILE


def read_adapter_metadata(folder: Path) -> dict | None:
    """The growthpilot metadata of an adapter folder, or None when there is none."""
    path = Path(folder) / ADAPTER_METADATA_FILE
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def check_adapter_base(folder: Path, base: ModelIdentity) -> dict | None:
    """Raise AdapterMismatch when the adapter in `folder` was trained on another base model.

    Returns the metadata (None for a foreign adapter without growthpilot metadata, which is
    accepted: peft itself still checks the tensor shapes)."""
    meta = read_adapter_metadata(folder)
    if meta is None:
        return None
    recorded = meta.get("base_model") or {}
    rec_sha, rec_name = str(recorded.get("sha256", "")), str(recorded.get("name", ""))
    if rec_sha and base.sha256 and rec_sha != base.sha256:
        raise AdapterMismatch(
            f"adapter {Path(folder).name!r} was trained on {rec_name or '?'} (sha256 {rec_sha[:12]}…) but the "
            f"configured base model is {base.name} (sha256 {base.sha256[:12]}…). "
            "Fix: set [model] name back to the adapter's base model, choose another adapter, "
            "or retrain it on this base with `growthpilot train`."
        )
    return meta
