"""Small LoRA adapters shipped with growthpilot (package data).

spec_lora/  the query-spec adapter for the embedded Qwen2.5-Coder-0.5B: question → spec JSON under
            grammar-constrained decoding (bot/questions), written by `bash scripts/train_spec_adapter.sh`
            with its metadata (growthpilot_adapter.json), training result and eval figures (eval.json).
            Not shipped today: the CPU-sized adapter did not beat the base model (docs/BENCHMARKS.md).
"""

from __future__ import annotations

from pathlib import Path

SPEC_ADAPTER = Path(__file__).resolve().parent / "spec_lora"


def spec_adapter_path() -> Path | None:
    """The shipped spec adapter's folder, or None when this installation has none
    (use it as `[model] adapter` / ModelSettings(adapter=str(path)) for the parser's generator)."""
    return SPEC_ADAPTER if (SPEC_ADAPTER / "adapter_config.json").is_file() else None
