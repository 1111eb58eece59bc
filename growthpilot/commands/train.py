"""`growthpilot train DATA.jsonl`: fine-tune a LoRA adapter on the configured base model.
`growthpilot train sentiment`: retrain the shipped sentiment classifier from labelled reviews."""

from __future__ import annotations

import argparse
import dataclasses
import os
from pathlib import Path

from ..errors import UserFacingError
from ..output import emit_json


SENTIMENT = "sentiment"  # `growthpilot train sentiment`: the shipped sentiment classifier, not a LoRA adapter
# The LoRA options: given with `train sentiment` they are refused rather than silently ignored.
_LORA_ONLY = ("val", "name", "max_steps", "epochs", "lr", "batch_size", "grad_accum", "max_length", "packing")


def register(sub, parent) -> None:
    p = sub.add_parser(
        "train",
        parents=[parent],
        help="fine-tune a LoRA adapter on your examples, or retrain the sentiment classifier",
        usage="growthpilot train DATA.jsonl [LoRA options]\n       growthpilot train sentiment [--reviews DIR] [--out FILE] [--cache DIR]",
        description=(
            "Fine-tune a LoRA adapter on the configured base model ([model] name) from a JSONL file of "
            "examples (instruction/output, chat messages, AdvertiseGen content/summary, or feedback "
            "exports). The adapter is saved under [training] output_dir/NAME; select it with [model] adapter. "
            "Defaults come from the [training] section. Several GPUs: `accelerate launch -m growthpilot.cli train ...`. "
            "`growthpilot train sentiment` instead retrains the sentiment classifier that ships with growthpilot "
            "(knowledge/models/sentiment_linear.npz: n-grams + USE v3 sentence vector + lexicon score, one logistic "
            "regression per language) from the labelled review files in --reviews; the same files give the same weights."
        ),
        epilog=(
            "Examples: growthpilot train examples.jsonl --name brand-zh --epochs 2\n"
            "          growthpilot train sentiment --reviews ../shared/data --cache .cache/embeddings\n"
            "A data file literally named 'sentiment' is passed as ./sentiment."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("data", metavar="DATA.jsonl|sentiment",
                   help="training examples, one JSON object per line; or the word 'sentiment'")
    g = p.add_argument_group("LoRA adapter (growthpilot train DATA.jsonl)")
    g.add_argument("--val", type=Path, metavar="FILE", default=None,
                   help="validation examples (default: a seeded split of DATA by [training] val_fraction)")
    g.add_argument("--name", default=None, help="adapter name, also its folder name (default: the data file's name)")
    g.add_argument("--max-steps", type=int, default=None, metavar="N", help="stop after N optimizer steps (overrides --epochs)")
    g.add_argument("--epochs", type=float, default=None, metavar="E", help="passes over the training data (may be fractional)")
    g.add_argument("--lr", type=float, default=None, metavar="LR", help="peak learning rate of AdamW")
    g.add_argument("--batch-size", type=int, default=None, metavar="B", help="examples (or packed rows) per micro-batch")
    g.add_argument("--grad-accum", type=int, default=None, metavar="K", help="micro-batches per optimizer step")
    g.add_argument("--max-length", type=int, default=None, metavar="T", help="tokens per sequence (longer prompts are cut)")
    g.add_argument("--packing", action=argparse.BooleanOptionalAction, default=None,
                   help="pack several examples into each sequence (default: [training] packing)")
    g.add_argument("--resume", action="store_true", help="continue the interrupted run of NAME from its newest checkpoint")
    g.add_argument("--overwrite", action="store_true", help="delete an existing adapter NAME and train it again")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    s = p.add_argument_group("sentiment classifier (growthpilot train sentiment)")
    s.add_argument("--reviews", type=Path, metavar="DIR", default=None,
                   help="folder with reviews_zh_online_shopping.csv, reviews_en_alexa.tsv and "
                        "reviews_en_yelp_labelled.txt (default: $GROWTHPILOT_SHARED_DATA, else ../shared/data)")
    s.add_argument("--out", type=Path, metavar="FILE", default=None,
                   help="weights file to write (default: the shipped knowledge/models/sentiment_linear.npz)")
    s.add_argument("--cache", type=Path, metavar="DIR", default=None,
                   help="embedding cache folder: a rerun embeds nothing (default: none, embed in memory)")
    p.set_defaults(handler=run)


def run(args, cfg) -> int:
    if args.data == SENTIMENT:
        return run_sentiment(args)
    args.data = Path(args.data)
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


def run_sentiment(args) -> int:
    """`growthpilot train sentiment`: the recipe of training/sentiment_train.py, on the review files in --reviews."""
    import sys

    from training import sentiment_train as st

    given = [f"--{k.replace('_', '-')}" for k in _LORA_ONLY if getattr(args, k) is not None]
    given += [f"--{k}" for k in ("resume", "overwrite") if getattr(args, k)]
    if given:
        raise UserFacingError(f"{', '.join(given)}: LoRA options, not used by `growthpilot train sentiment`",
                              fix="drop them; `growthpilot train sentiment` takes --reviews, --out and --cache")
    reviews = args.reviews or Path(os.environ.get("GROWTHPILOT_SHARED_DATA") or st.DEFAULT_DATA)
    missing = st.missing_files(reviews)
    if missing:
        raise UserFacingError(f"{', '.join(missing)} not found in {reviews}",
                              fix="pass --reviews DIR, the folder holding the three labelled review files")
    out = args.out or st.MODEL_FILE
    log = (lambda msg: print(msg, file=sys.stderr)) if args.json else print
    meta = st.train(reviews, out, args.cache, log=log, progress=not args.no_progress)
    if args.json:
        emit_json({"ok": True, "out": str(out), **meta})
        return 0
    print(f"sentiment weights written to {out}")
    print(f"  trained on     {meta['trained_on']['texts']} texts ({meta['trained_on']['conflicting_texts_dropped']} "
          f"texts with both labels dropped)")
    print(f"  weights sha256 {meta['weights_sha256']}")
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
