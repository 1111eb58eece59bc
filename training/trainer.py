"""LoRA fine-tuning: a plain torch loop (AdamW, linear warm-up/decay, gradient accumulation,
validation + early stopping, checkpoints with resume), accelerate-compatible.

    result = train_lora(model, tokenizer, identity, train, val, settings, name="brand-zh")

`model`/`tokenizer` come from llm.loader.load_model(..., for_training=True); `identity` is anything
with `.name` and `.sha256` (the base model's identity, recorded in growthpilot_adapter.json).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import random
import shutil
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence

import torch
from torch import nn

from llm.identity import ModelIdentity
from llm.lora import ADAPTER_METADATA_FILE, write_adapter_metadata

from .collate import Encoded, EncodeStats, chat_template_sha256, collate, encode_all, pack
from .datasets import Example
from .errors import TrainingError
from .runtime import PlainRuntime, make_runtime
from .settings import TrainingSettings

log = logging.getLogger(__name__)

CHECKPOINTS = "checkpoints"
STATE_FILE = "trainer_state.pt"
# Attention projections per architecture family, first match wins (inspected on the model's modules).
TARGET_MODULE_CANDIDATES: tuple[tuple[str, ...], ...] = (
    ("q_proj", "k_proj", "v_proj", "o_proj"),  # llama, qwen2, mistral, smollm, ...
    ("c_attn", "c_proj"),  # gpt2
    ("query_key_value", "dense"),  # bloom, falcon, gpt-neox, chatglm
    ("qkv_proj", "o_proj"),  # phi-3
    ("Wqkv", "out_proj"),  # mpt, phi-1
)
# Hyper-parameters that must not change when resuming (they change what a step means).
RESUME_KEYS = ("lora_r", "lora_alpha", "target_modules", "batch_size", "grad_accum", "max_length", "packing", "seed")


class BaseIdentity(Protocol):
    name: str
    sha256: str


@dataclass(frozen=True)
class DatasetInfo:
    """Where the training data came from (recorded with the adapter)."""

    path: str = ""
    sha256: str = ""
    val_path: str = ""
    shapes: dict[str, int] = field(default_factory=dict)


@dataclass
class TrainResult:
    name: str
    adapter_dir: Path
    steps: int
    total_steps: int
    train_loss: float | None
    val_loss: float | None
    val_perplexity: float | None
    best_step: int
    stopped_early: bool
    resumed_from: int
    tokens: int
    seconds: float
    tokens_per_s: float
    train_examples: int
    val_examples: int
    history: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["adapter_dir"] = str(self.adapter_dir)
        return d


@dataclass
class _State:
    """Everything a checkpoint restores besides the weights and the optimizer."""

    step: int = 0
    epoch: int = 0
    window_in_epoch: int = 0  # accumulation windows already done in `epoch`
    tokens: int = 0
    train_seconds: float = 0.0
    best_val: float = math.inf
    best_step: int = 0
    bad_evals: int = 0
    last_train_loss: float | None = None
    history: list[dict[str, Any]] = field(default_factory=list)


# ---------------------------------------------------------------------------------
def find_target_modules(model: nn.Module) -> list[str]:
    """The attention projection names of this architecture (e.g. q/k/v/o_proj for Qwen2/LLaMA)."""
    leaf_names = {name.rsplit(".", 1)[-1] for name, module in model.named_modules() if _is_linear(module)}
    for candidates in TARGET_MODULE_CANDIDATES:
        found = [c for c in candidates if c in leaf_names]
        if found and found[0] == candidates[0]:
            return found
    raise TrainingError(
        "could not find the attention projections of this model for LoRA "
        f"(linear layers: {', '.join(sorted(leaf_names)[:12])}); set [training] target_modules"
    )


def attach_lora(model: nn.Module, settings: TrainingSettings):
    """Wrap `model` in a peft LoRA model (r, alpha, dropout, target modules from settings)."""
    from peft import LoraConfig, get_peft_model

    targets = list(settings.target_modules) or find_target_modules(model)
    config = LoraConfig(
        r=settings.lora_r,
        lora_alpha=settings.lora_alpha,
        lora_dropout=settings.lora_dropout,
        target_modules=targets,
        bias="none",
        task_type="CAUSAL_LM",
        fan_in_fan_out=_is_conv1d(model, targets),
    )
    torch.manual_seed(settings.seed)  # deterministic LoRA initialisation
    return get_peft_model(model, config)


def train_lora(
    model: nn.Module,
    tokenizer,
    identity: BaseIdentity,
    train_examples: Sequence[Example],
    val_examples: Sequence[Example],
    settings: TrainingSettings,
    *,
    name: str,
    dataset: DatasetInfo = DatasetInfo(),
    system_prompt: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool = True,
    use_accelerate: bool | None = None,
    on_step: Callable[[int, float], None] | None = None,
) -> TrainResult:
    """Fine-tune a LoRA adapter on `model` and save it to settings.output_dir/name. See module doc."""
    _check_settings(settings)
    adapter_dir = Path(settings.output_dir) / name
    _prepare_folder(adapter_dir, resume=resume, overwrite=overwrite)
    _seed_everything(settings.seed)

    train_rows, train_stats = encode_all(tokenizer, train_examples, settings.max_length, system_prompt=system_prompt)
    val_rows, val_stats = encode_all(tokenizer, val_examples, settings.max_length, system_prompt=system_prompt)
    if not train_rows:
        raise TrainingError("no training example has a response left to learn after truncation")
    if settings.packing:
        train_rows = pack(train_rows, settings.max_length)
        val_rows = pack(val_rows, settings.max_length)
    pad_id = _pad_id(tokenizer)

    model_device = next(model.parameters()).device
    runtime = make_runtime(model_device, use_accelerate=use_accelerate)
    peft_model = attach_lora(model, settings)
    trainable = [p for p in peft_model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=settings.learning_rate, weight_decay=settings.weight_decay)

    windows_per_epoch = len(_epoch_windows(len(train_rows), settings, 0, runtime))
    total_steps = settings.max_steps if settings.max_steps > 0 else max(1, math.ceil(settings.epochs * windows_per_epoch))
    warmup = int(total_steps * settings.warmup_ratio)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, _linear_schedule(warmup, total_steps))

    state = _State()
    resumed_from = 0
    if resume:
        ckpt = latest_checkpoint(adapter_dir)
        if ckpt is None:
            raise TrainingError(f"nothing to resume: no checkpoint under {adapter_dir / CHECKPOINTS}")
        state = _load_checkpoint(ckpt, peft_model, optimizer, scheduler, settings)
        resumed_from = state.step
    peft_model, optimizer = runtime.prepare(peft_model, optimizer)
    if isinstance(runtime, PlainRuntime):
        peft_model.to(runtime.device)

    bar = _progress_bar(total_steps, state.step, enabled=progress and runtime.is_main_process)
    stopped_early = False
    best_weights: dict[str, torch.Tensor] | None = None
    if resume and (adapter_dir / CHECKPOINTS / "best").is_dir():
        best_weights = _read_adapter_weights(adapter_dir / CHECKPOINTS / "best")
    ema_loss: float | None = state.last_train_loss
    peft_model.train()
    try:
        while state.step < total_steps and not stopped_early:
            windows = _epoch_windows(len(train_rows), settings, state.epoch, runtime)
            for w_idx in range(state.window_in_epoch, len(windows)):
                if state.step >= total_steps:
                    break
                t0 = time.perf_counter()
                loss, n_tokens = _train_window(peft_model, optimizer, scheduler, runtime, [
                    [train_rows[i] for i in batch] for batch in windows[w_idx]
                ], pad_id, settings)
                state.train_seconds += time.perf_counter() - t0
                state.step += 1
                state.window_in_epoch = w_idx + 1
                state.tokens += n_tokens
                state.last_train_loss = loss
                ema_loss = loss if ema_loss is None else 0.9 * ema_loss + 0.1 * loss
                if on_step is not None:
                    on_step(state.step, loss)
                record: dict[str, Any] = {"step": state.step, "loss": round(loss, 5), "lr": scheduler.get_last_lr()[0]}
                if val_rows and (state.step % max(1, settings.eval_every) == 0 or state.step == total_steps):
                    val_loss = evaluate_loss(peft_model, val_rows, settings.batch_size, pad_id, runtime)
                    record["val_loss"] = round(val_loss, 5)
                    if val_loss < state.best_val - 1e-4:
                        state.best_val, state.best_step, state.bad_evals = val_loss, state.step, 0
                        best_weights = _adapter_weights(runtime.unwrap(peft_model))
                        if runtime.is_main_process:
                            _save_weights_folder(runtime.unwrap(peft_model), adapter_dir / CHECKPOINTS / "best")
                    else:
                        state.bad_evals += 1
                        if settings.early_stopping_patience > 0 and state.bad_evals >= settings.early_stopping_patience:
                            stopped_early = True
                    peft_model.train()
                state.history.append(record)
                bar.set_postfix(_postfix(ema_loss, state, record), refresh=False)
                bar.update(1)
                if settings.save_every > 0 and state.step % settings.save_every == 0 and state.step < total_steps:
                    _save_checkpoint(adapter_dir, runtime, peft_model, optimizer, scheduler, state, settings)
                if stopped_early:
                    break
            else:
                state.epoch += 1
                state.window_in_epoch = 0
    finally:
        bar.close()

    final_model = runtime.unwrap(peft_model)
    if best_weights is not None and state.best_step != state.step:
        _restore_adapter_weights(final_model, best_weights)  # keep the best validation weights
    val_loss = state.best_val if math.isfinite(state.best_val) else None
    result = TrainResult(
        name=name,
        adapter_dir=adapter_dir,
        steps=state.step,
        total_steps=total_steps,
        train_loss=state.last_train_loss,
        val_loss=val_loss,
        val_perplexity=_perplexity(val_loss),
        best_step=state.best_step,
        stopped_early=stopped_early,
        resumed_from=resumed_from,
        tokens=state.tokens,
        seconds=round(state.train_seconds, 3),
        tokens_per_s=round(state.tokens / state.train_seconds, 1) if state.train_seconds else 0.0,
        train_examples=len(train_examples),
        val_examples=len(val_examples),
        history=state.history,
    )
    if runtime.is_main_process:
        meta = _adapter_meta(tokenizer, settings, dataset, result, train_stats, val_stats, system_prompt)
        final_model.save_pretrained(str(adapter_dir))
        write_adapter_metadata(
            adapter_dir, base=ModelIdentity(str(identity.name), str(identity.sha256)), adapter_name=name, **meta
        )
    runtime.wait()
    return result


def evaluate_loss(model, rows: Sequence[Encoded], batch_size: int, pad_id: int, runtime=None) -> float:
    """Mean loss per response token over `rows` (token-weighted, not batch-averaged)."""
    runtime = runtime or PlainRuntime(next(model.parameters()).device)
    model.eval()
    total = torch.zeros(2, dtype=torch.float64, device=runtime.device)
    shard = list(rows)[runtime.process_index :: runtime.num_processes]
    with torch.no_grad():
        for start in range(0, len(shard), batch_size):
            batch = _to_device(collate(shard[start : start + batch_size], pad_id), runtime.device)
            n = int((batch["labels"][:, 1:] != -100).sum())
            if n == 0:
                continue
            with runtime.autocast():
                out = model(**batch, use_cache=False, num_items_in_batch=n)
            total[0] += float(out.loss) * n
            total[1] += n
    total = runtime.reduce_sum(total)
    return float(total[0] / total[1]) if total[1] > 0 else float("nan")


def latest_checkpoint(adapter_dir: Path) -> Path | None:
    """The newest checkpoints/step-N folder with a complete trainer state, or None."""
    folder = Path(adapter_dir) / CHECKPOINTS
    steps = []
    for d in folder.glob("step-*"):
        if (d / STATE_FILE).is_file() and d.name[5:].isdigit():
            steps.append((int(d.name[5:]), d))
    return max(steps)[1] if steps else None


# ---------------------------------------------------------------------------------
def _train_window(model, optimizer, scheduler, runtime, batches: list[list[Encoded]], pad_id: int, settings) -> tuple[float, int]:
    """One optimizer step over up to grad_accum micro-batches; the loss is normalised by the number
    of response tokens in the whole window (so accumulation equals one big batch)."""
    collated = [collate(rows, pad_id) for rows in batches]
    n_items = sum(int((b["labels"][:, 1:] != -100).sum()) for b in collated)
    n_tokens = sum(int(b["attention_mask"].sum()) if "attention_mask" in b else sum(len(r) for r in rows)
                   for b, rows in zip(collated, batches))
    total_loss = 0.0
    for batch in collated:
        batch = _to_device(batch, runtime.device)
        with runtime.autocast():
            out = model(**batch, use_cache=False, num_items_in_batch=max(1, n_items))
        runtime.backward(out.loss)
        total_loss += float(out.loss.detach())
    if settings.max_grad_norm > 0:
        runtime.clip_grad_norm([p for p in model.parameters() if p.requires_grad], settings.max_grad_norm)
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad(set_to_none=True)
    return total_loss, n_tokens


def _epoch_windows(n_rows: int, settings: TrainingSettings, epoch: int, runtime) -> list[list[list[int]]]:
    """This process's micro-batches of `epoch` grouped into accumulation windows. The order depends
    only on (seed, epoch), so a resumed run sees exactly the batches it would have seen."""
    g = torch.Generator().manual_seed(settings.seed * 1000 + epoch)
    order = torch.randperm(n_rows, generator=g).tolist()
    bs = settings.batch_size
    batches = [order[i : i + bs] for i in range(0, n_rows, bs)]
    if len(batches) > 1 and len(batches[-1]) < bs:
        batches.pop()  # equal batch sizes; the remainder is seen in other epochs
    world, rank = runtime.num_processes, runtime.process_index
    batches = batches[: max(world, len(batches) // world * world)][rank::world] if world > 1 else batches
    accum = settings.grad_accum
    return [batches[i : i + accum] for i in range(0, len(batches), accum)]


def _linear_schedule(warmup: int, total: int) -> Callable[[int], float]:
    def factor(step: int) -> float:
        if warmup > 0 and step < warmup:
            return (step + 1) / (warmup + 1)
        return max(0.0, (total - step) / max(1, total - warmup))

    return factor


def _save_checkpoint(adapter_dir: Path, runtime, model, optimizer, scheduler, state: _State, settings) -> None:
    runtime.wait()
    if runtime.is_main_process:
        folder = adapter_dir / CHECKPOINTS / f"step-{state.step}"
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        _save_weights_folder(runtime.unwrap(model), tmp)
        torch.save(
            {
                "state": dataclasses.asdict(state),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "rng": _rng_state(),
                "settings": {k: _jsonable(getattr(settings, k)) for k in RESUME_KEYS},
            },
            tmp / STATE_FILE,
        )
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)
        old = sorted((int(d.name[5:]), d) for d in folder.parent.glob("step-*") if d.name[5:].isdigit())
        for _, d in old[: max(0, len(old) - max(1, settings.keep_checkpoints))]:
            shutil.rmtree(d, ignore_errors=True)
    runtime.wait()


def _load_checkpoint(folder: Path, model, optimizer, scheduler, settings: TrainingSettings) -> _State:
    blob = torch.load(folder / STATE_FILE, map_location="cpu", weights_only=False)
    saved = blob.get("settings", {})
    changed = [k for k in RESUME_KEYS if k in saved and saved[k] != _jsonable(getattr(settings, k))]
    if changed:
        raise TrainingError(
            f"cannot resume from {folder}: {', '.join(changed)} changed since the checkpoint "
            f"(was {', '.join(f'{k}={saved[k]}' for k in changed)})"
        )
    _restore_adapter_weights(model, _read_adapter_weights(folder))
    optimizer.load_state_dict(blob["optimizer"])
    scheduler.load_state_dict(blob["scheduler"])
    _set_rng_state(blob["rng"])
    return _State(**blob["state"])


def _save_weights_folder(model, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(folder))


def _adapter_weights(model) -> dict[str, torch.Tensor]:
    from peft import get_peft_model_state_dict

    return {k: v.detach().to("cpu", copy=True) for k, v in get_peft_model_state_dict(model).items()}


def _read_adapter_weights(folder: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    path = folder / "adapter_model.safetensors"
    if not path.is_file():
        raise TrainingError(f"checkpoint {folder} has no adapter_model.safetensors")
    return load_file(str(path))


def _restore_adapter_weights(model, weights: dict[str, torch.Tensor]) -> None:
    from peft import set_peft_model_state_dict

    result = set_peft_model_state_dict(model, weights)
    unexpected = getattr(result, "unexpected_keys", None)
    if unexpected:
        raise TrainingError(f"checkpoint weights do not fit this LoRA configuration ({unexpected[0]} ...)")


def _rng_state() -> dict[str, Any]:
    state = {"python": random.getstate(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    try:
        import numpy as np

        state["numpy"] = np.random.get_state()
    except ImportError:  # pragma: no cover
        pass
    return state


def _set_rng_state(state: dict[str, Any]) -> None:
    random.setstate(state["python"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    if "numpy" in state:
        import numpy as np

        np.random.set_state(state["numpy"])


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)
    try:
        import numpy as np

        np.random.seed(seed)
    except ImportError:  # pragma: no cover
        pass


def _adapter_meta(tokenizer, settings, dataset: DatasetInfo, result: TrainResult,
                  train_stats: EncodeStats, val_stats: EncodeStats, system_prompt) -> dict[str, Any]:
    """What growthpilot_adapter.json records beside format, adapter_name and base_model (llm/lora.py)."""
    hyper = {f.name: _jsonable(getattr(settings, f.name)) for f in dataclasses.fields(settings) if f.name != "output_dir"}
    return dict(
        prompt_format={
            "template": "chat",
            "chat_template_sha256": chat_template_sha256(tokenizer),
            "system_prompt": system_prompt,
        },
        hyperparameters=hyper,
        dataset={
            "path": dataset.path,
            "sha256": dataset.sha256,
            "val_path": dataset.val_path,
            "shapes": dataset.shapes,
            "train_examples": result.train_examples,
            "val_examples": result.val_examples,
            "train_tokens": train_stats.tokens,
            "truncated_examples": train_stats.truncated + val_stats.truncated,
            "dropped_examples": train_stats.dropped + val_stats.dropped,
        },
        metrics={
            "train_loss": result.train_loss,
            "val_loss": result.val_loss,
            "val_perplexity": result.val_perplexity,
            "best_step": result.best_step,
            "steps": result.steps,
            "tokens": result.tokens,
            "tokens_per_s": result.tokens_per_s,
            "seconds": result.seconds,
            "stopped_early": result.stopped_early,
        },
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        growthpilot_version=_version(),
    )


def _prepare_folder(adapter_dir: Path, *, resume: bool, overwrite: bool) -> None:
    if overwrite and not resume and adapter_dir.exists():
        shutil.rmtree(adapter_dir)
    if not resume and adapter_dir.exists() and any(adapter_dir.iterdir()):
        what = "an adapter" if (adapter_dir / ADAPTER_METADATA_FILE).exists() else "an unfinished training run"
        raise TrainingError(
            f"{adapter_dir} already holds {what}; continue it with --resume, start again with "
            "--overwrite, or choose another --name"
        )
    adapter_dir.mkdir(parents=True, exist_ok=True)


def _check_settings(s: TrainingSettings) -> None:
    problems = []
    if s.lora_r <= 0:
        problems.append("lora_r must be > 0")
    if s.batch_size <= 0 or s.grad_accum <= 0:
        problems.append("batch_size and grad_accum must be > 0")
    if s.max_length < 16:
        problems.append("max_length must be ≥ 16")
    if s.learning_rate <= 0:
        problems.append("learning_rate must be > 0")
    if s.max_steps <= 0 and s.epochs <= 0:
        problems.append("set epochs > 0 or max_steps > 0")
    if not 0 <= s.val_fraction < 1:
        problems.append("val_fraction must be in [0, 1)")
    if problems:
        raise TrainingError("bad [training] settings: " + "; ".join(problems))


def _progress_bar(total: int, initial: int, *, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, desc="train", unit="step", file=sys.stderr, disable=not enabled, dynamic_ncols=True)


def _postfix(ema_loss, state: _State, record) -> dict[str, str]:
    out = {"loss": f"{ema_loss:.4f}" if ema_loss is not None else "-"}
    if state.train_seconds:
        out["tok/s"] = f"{state.tokens / state.train_seconds:,.0f}"
    if math.isfinite(state.best_val):
        out["val"] = f"{state.best_val:.4f}"
    return out


def _pad_id(tokenizer) -> int:
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    if pad is None:
        raise TrainingError("the tokenizer has neither a pad nor an eos token")
    return int(pad)


def _to_device(batch: dict[str, torch.Tensor], device) -> dict[str, torch.Tensor]:
    return {k: v.to(device) for k, v in batch.items()}


def _perplexity(loss: float | None) -> float | None:
    if loss is None or not math.isfinite(loss):
        return None
    return round(math.exp(min(loss, 50.0)), 4)


def _is_linear(module: nn.Module) -> bool:
    return isinstance(module, nn.Linear) or type(module).__name__ == "Conv1D"


def _is_conv1d(model: nn.Module, targets: Sequence[str]) -> bool:
    for name, module in model.named_modules():
        if name.rsplit(".", 1)[-1] in targets:
            return type(module).__name__ == "Conv1D"
    return False


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    return value


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("growthpilot")
    except Exception:  # noqa: BLE001 - not installed as a package
        return "unknown"
