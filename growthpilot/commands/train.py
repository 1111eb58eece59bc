"""`growthpilot train DATA.jsonl`: fine-tune a LoRA adapter on the configured base model."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from ..errors import UserFacingError
from ..output import emit_json


def register(sub, parent) -> None:
    p = sub.add_parser(
        "train",
        parents=[parent],
        help="fine-tune a LoRA adapter on your examples",
        description=(
            "Fine-tune a LoRA adapter on the configured base model ([model] name) from a JSONL file of "
            "examples (instruction/output, chat messages, AdvertiseGen content/summary, or feedback "
            "exports). The adapter is saved under [training] output_dir/NAME; select it with [model] adapter. "
            "Defaults come from the [training] section. Several GPUs: `accelerate launch -m growthpilot.cli train ...`."
        ),
        epilog="Example: growthpilot train examples.jsonl --name brand-zh --epochs 2",
    )
    p.add_argument("data", type=Path, metavar="DATA.jsonl", help="training examples, one JSON object per line")
    p.add_argument("--val", type=Path, metavar="FILE", default=None,
                   help="validation examples (default: a seeded split of DATA by [training] val_fraction)")
    p.add_argument("--name", default=None, help="adapter name, also its folder name (default: the data file's name)")
    p.add_argument("--max-steps", type=int, default=None, metavar="N", help="stop after N optimizer steps (overrides --epochs)")
    p.add_argument("--epochs", type=float, default=None, metavar="E", help="passes over the training data (may be fractional)")
    p.add_argument("--lr", type=float, default=None, metavar="LR", help="peak learning rate of AdamW")
    p.add_argument("--batch-size", type=int, default=None, metavar="B", help="examples (or packed rows) per micro-batch")
    p.add_argument("--grad-accum", type=int, default=None, metavar="K", help="micro-batches per optimizer step")
    p.add_argument("--max-length", type=int, default=None, metavar="T", help="tokens per sequence (longer prompts are cut)")
    p.add_argument("--packing", action=argparse.BooleanOptionalAction, default=None,
                   help="pack several examples into each sequence (default: [training] packing)")
    p.add_argument("--resume", action="store_true", help="continue the interrupted run of NAME from its newest checkpoint")
    p.add_argument("--overwrite", action="store_true", help="delete an existing adapter NAME and train it again")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(handler=run)


def run(args, cfg) -> int:
    from training.datasets import file_sha256, read_jsonl, shape_counts, split_train_val
    from training.trainer import DatasetInfo, train_lora

    settings = _settings(args, cfg.training)
    name = _adapter_name(args.name or args.data.stem)
    examples = read_jsonl(args.data)
    if args.val is not None:
        train, val = examples, read_jsonl(args.val)
    else:
        train, val = split_train_val(examples, settings.val_fraction, settings.seed)
    loaded = load_base_model(cfg.model, for_training=True, progress=not args.json)
    info = DatasetInfo(
        path=str(args.data.resolve()),
        sha256=file_sha256(args.data),
        val_path=str(args.val.resolve()) if args.val else "",
        shapes=shape_counts(examples),
    )
    result = train_lora(
        loaded.model,
        loaded.tokenizer,
        loaded.identity,
        train,
        val,
        settings,
        name=name,
        dataset=info,
        system_prompt=cfg.generation.system_prompt or None,
        resume=args.resume,
        overwrite=args.overwrite,
        progress=not args.no_progress,
    )
    summary = result.to_dict()
    summary.pop("history")
    summary["base_model"] = {"name": loaded.identity.name, "sha256": loaded.identity.sha256}
    if args.json:
        emit_json({"ok": True, **summary})
        return 0
    print(f"adapter '{name}' saved to {result.adapter_dir}")
    print(f"  base model     {loaded.identity.name}")
    print(f"  examples       {result.train_examples} train, {result.val_examples} validation")
    print(f"  steps          {result.steps}/{result.total_steps}" + (f" (resumed at {result.resumed_from})" if result.resumed_from else "")
          + (" — stopped early" if result.stopped_early else ""))
    print(f"  train loss     {_f(result.train_loss)}")
    print(f"  val loss       {_f(result.val_loss)} (perplexity {_f(result.val_perplexity)}, best step {result.best_step})")
    print(f"  speed          {result.tokens_per_s:,.0f} tokens/s over {result.seconds:.0f} s")
    print(f"use it: set [model] adapter = \"{name}\" in config.toml, or evaluate: growthpilot eval {args.data} --adapter {name}")
    return 0


def load_base_model(model_settings, *, for_training: bool, progress: bool = True):
    """The configured base model without any adapter (llm/loader.py)."""
    try:
        from llm.loader import load_model
    except ImportError as exc:  # pragma: no cover - the loader ships with the package
        raise UserFacingError("the model loader is not available in this installation") from exc
    return load_model(dataclasses.replace(model_settings, adapter=""), for_training=for_training, progress=progress)


def _settings(args, training):
    changes = {
        "max_steps": args.max_steps,
        "epochs": args.epochs,
        "learning_rate": args.lr,
        "batch_size": args.batch_size,
        "grad_accum": args.grad_accum,
        "max_length": args.max_length,
        "packing": args.packing,
    }
    changes = {k: v for k, v in changes.items() if v is not None}
    if args.epochs is not None and args.max_steps is None:
        changes["max_steps"] = -1  # --epochs given alone wins over a configured max_steps
    return dataclasses.replace(training, **changes)


def _adapter_name(name: str) -> str:
    clean = "".join(c if c.isalnum() or c in "-_." else "-" for c in name).strip(".-")
    if not clean:
        raise UserFacingError(f"invalid adapter name {name!r}", fix="use letters, digits, '-', '_' or '.'")
    return clean


def _f(v) -> str:
    return "-" if v is None else f"{v:.4f}"
