"""The config sections that llm/ reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .embedded import default_cache_dir


@dataclass(frozen=True)
class ModelSettings:
    """[model] which causal LM. `name` is a hub id or a local folder (transformers or GGUF);
    "embedded" means the offline default assembled from its pinned PyPI parts."""

    name: str = "embedded"  # "embedded" | "embedded-small" | hub id | local path
    gguf_file: str = ""  # file name inside `name` when it is a GGUF folder
    adapter: str = ""  # name of an adapter under adapters_dir, or a path; "" = base model
    adapters_dir: Path = Path(".growthpilot/adapters")
    cache_dir: Path = field(default_factory=default_cache_dir)  # GGUF → safetensors conversions, once per user
    device: str = "auto"  # auto | cpu | cuda
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"
    # CPU threads for torch when generating on a CPU. 0 = auto: one core left free (cores - 1, at
    # least 1) — torch's spinning threads slow down badly when another busy process shares the
    # cores (see docs/BENCHMARKS.md). Process-wide; training uses torch's default unless set.
    threads: int = 0
    # CPU inference only: "int8" = torch dynamic int8 quantisation of every Linear layer
    # (torch.ao.quantization.quantize_dynamic) after loading in float32; "none" = run in `dtype`.
    # Measured against bf16 with bench/bench_decode.py and bench/eval_copy.py (docs/BENCHMARKS.md).
    quantize: Literal["none", "int8"] = "none"


@dataclass(frozen=True)
class GenerationSettings:
    """[generation] how replies are generated."""

    backend: Literal["local", "openai"] = "local"
    openai_base_url: str = "http://127.0.0.1:8000/v1"  # vLLM or any OpenAI-compatible server
    openai_model: str = ""  # served model (or LoRA) name; the key comes from OPENAI_API_KEY
    system_prompt: str = "You are growthpilot, a concise marketing assistant for a startup team."
    max_new_tokens: int = 256
    temperature: float = 0.7
    top_p: float = 0.9
    repetition_penalty: float = 1.1
    timeout_s: float = 120.0  # a bound on one reply
    queue_size: int = 16  # requests waiting for the model; beyond that: "busy"
    seed: int = 0
