"""Where the training loop runs: plain torch on one device, or accelerate when launched by
`accelerate launch` / torchrun (several GPUs). The loop only talks to this small interface."""

from __future__ import annotations

import contextlib
import os
from typing import Any

import torch


def launched_distributed() -> bool:
    """True under `accelerate launch` or torchrun (they set these variables)."""
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        return True
    return any(k.startswith("ACCELERATE_") and k != "ACCELERATE_LOG_LEVEL" for k in os.environ) and (
        "LOCAL_RANK" in os.environ or "ACCELERATE_MIXED_PRECISION" in os.environ
    )


class PlainRuntime:
    """One process, one device. bf16 autocast on CUDA, float32 on CPU."""

    num_processes = 1
    process_index = 0
    is_main_process = True

    def __init__(self, device: torch.device):
        self.device = device

    def prepare(self, model, optimizer):
        return model, optimizer

    def autocast(self):
        if self.device.type == "cuda" and torch.cuda.is_bf16_supported():
            return torch.autocast("cuda", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def backward(self, loss: torch.Tensor) -> None:
        loss.backward()

    def clip_grad_norm(self, params, max_norm: float) -> None:
        torch.nn.utils.clip_grad_norm_(params, max_norm)

    def unwrap(self, model):
        return model

    def reduce_sum(self, value: torch.Tensor) -> torch.Tensor:
        return value

    def wait(self) -> None:
        pass


class AccelerateRuntime:
    """Several processes via accelerate: DDP-wrapped model, gradients averaged across processes."""

    def __init__(self, accelerator: Any | None = None):
        if accelerator is None:
            from accelerate import Accelerator

            mixed = "bf16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else "no"
            accelerator = Accelerator(mixed_precision=os.environ.get("ACCELERATE_MIXED_PRECISION", mixed))
        self.accelerator = accelerator
        self.device = accelerator.device
        self.num_processes = accelerator.num_processes
        self.process_index = accelerator.process_index
        self.is_main_process = accelerator.is_main_process

    def prepare(self, model, optimizer):
        return self.accelerator.prepare(model, optimizer)

    def autocast(self):
        return self.accelerator.autocast()

    def backward(self, loss: torch.Tensor) -> None:
        self.accelerator.backward(loss)

    def clip_grad_norm(self, params, max_norm: float) -> None:
        self.accelerator.clip_grad_norm_(params, max_norm)

    def unwrap(self, model):
        return self.accelerator.unwrap_model(model)

    def reduce_sum(self, value: torch.Tensor) -> torch.Tensor:
        return self.accelerator.reduce(value.to(self.device), reduction="sum")

    def wait(self) -> None:
        self.accelerator.wait_for_everyone()


def make_runtime(model_device: torch.device, *, use_accelerate: bool | None = None):
    """Accelerate when launched by it (or asked), plain torch on the model's device otherwise."""
    if use_accelerate is None:
        use_accelerate = launched_distributed()
    return AccelerateRuntime() if use_accelerate else PlainRuntime(model_device)
