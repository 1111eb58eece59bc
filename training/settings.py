"""The config section that training/ reads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TrainingSettings:
    """[training] LoRA fine-tuning defaults (each can be overridden on the command line)."""

    output_dir: Path = Path(".growthpilot/adapters")
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    target_modules: tuple[str, ...] = ()  # () = found per architecture (q/k/v/o projections)
    learning_rate: float = 2e-4
    epochs: float = 1.0
    max_steps: int = -1  # > 0 overrides epochs
    batch_size: int = 4
    grad_accum: int = 4
    max_length: int = 512
    packing: bool = False
    val_fraction: float = 0.1
    eval_every: int = 50
    save_every: int = 100
    early_stopping_patience: int = 3  # validations without improvement before stopping; 0 = never
    warmup_ratio: float = 0.03  # share of the steps with a linear learning-rate warm-up
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0  # gradient clipping; 0 = off
    keep_checkpoints: int = 2  # newest checkpoints kept under <adapter>/checkpoints/
    seed: int = 42
