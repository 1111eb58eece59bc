"""LoRA training throughput (tokens/s) on the embedded default model, and BLEU/ROUGE before/after.

    .venv/bin/python bench/bench_train.py --quick                # CPU smoke scale: a few steps, seq 256
    .venv/bin/python bench/bench_train.py --device cuda          # GPU: bf16, AdvertiseGen sample, BLEU/ROUGE

Compares LoRA with packing (rows filled to the sequence length) against LoRA on padded batches
(the `[training] packing = false` default) in the same run: ratio of useful tokens per second.
Reads ../shared/data/adgen_sample.jsonl when present, else built-in toy examples.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from _machine import cpu_model  # noqa: E402  (bench/ is on sys.path when run as a script)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ADGEN = ROOT.parent / "shared" / "data" / "adgen_sample.jsonl"


def machine() -> str:
    import torch

    cpu = cpu_model()
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    import peft
    import transformers

    return (f"{cpu}, {os.cpu_count()} cores, {gpu}; python {platform.python_version()}, torch {torch.__version__}, "
            f"transformers {transformers.__version__}, peft {peft.__version__}")


def examples():
    from training.datasets import Example, read_jsonl

    if ADGEN.is_file():
        return read_jsonl(ADGEN), str(ADGEN)
    toy = [Example(({"role": "user", "content": f"Write a slogan for product number {i}, a smart watch for runners."},),
                   "Time, well spent: track every run, every beat, every goal.") for i in range(64)]
    return toy, "built-in toy examples (../shared/data absent)"


def run_training(loaded, train, settings, name, device_label):
    from training.trainer import train_lora

    t0 = time.perf_counter()
    result = train_lora(loaded.model, loaded.tokenizer, loaded.identity, train, [], settings, name=name, progress=True)
    wall = time.perf_counter() - t0
    # Measured steady state: the first step (allocations, kernel selection) is excluded when possible.
    return result, wall


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="CPU smoke scale (3 steps per variant)")
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--steps", type=int, default=None, help="optimizer steps per variant")
    ap.add_argument("--seq", type=int, default=256, help="sequence length (max_length)")
    ap.add_argument("--batch", type=int, default=None, help="micro-batch size")
    ap.add_argument("--eval-limit", type=int, default=None, help="held-out examples for BLEU/ROUGE (GPU mode default 100)")
    args = ap.parse_args()

    import torch

    from llm.loader import load_model
    from llm.settings import ModelSettings
    from training.datasets import split_train_val
    from training.settings import TrainingSettings

    gpu = args.device == "cuda"
    if gpu and not torch.cuda.is_available():
        print("--device cuda: no CUDA GPU here", file=sys.stderr)
        return 2
    steps = args.steps or (3 if args.quick else (200 if gpu else 6))
    batch = args.batch or (16 if gpu else 2)
    eval_limit = args.eval_limit if args.eval_limit is not None else (100 if gpu else 0)
    torch.set_num_threads(os.cpu_count() or 1)
    print(f"machine: {machine()}")
    data, source = examples()
    train, held_out = split_train_val(data, 0.2, seed=0)
    print(f"data: {source}: {len(train)} train, {len(held_out)} held out; seq {args.seq}, batch {batch}, {steps} steps")

    settings_model = ModelSettings(name="embedded", device=args.device, dtype="bfloat16" if gpu else "float32",
                                   cache_dir=ROOT / ".growthpilot" / "cache" / "models")
    t0 = time.perf_counter()
    loaded = load_model(settings_model, for_training=True)
    print(f"model: {loaded.identity.name} on {loaded.device} ({loaded.dtype}), loaded in {time.perf_counter() - t0:.1f} s")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        base = TrainingSettings(output_dir=Path(tmp), max_steps=steps, batch_size=batch, grad_accum=1, max_length=args.seq,
                                eval_every=10**9, save_every=0, warmup_ratio=0.0, lora_dropout=0.0, val_fraction=0.0)
        scores_before = None
        if eval_limit:
            scores_before = _eval(loaded, held_out[:eval_limit], "base")
        for packing in (True, False):
            name = "packed" if packing else "padded"
            fresh = load_model(settings_model, for_training=True) if results else loaded
            result, wall = run_training(fresh, train, dataclasses.replace(base, packing=packing), name, args.device)
            results[name] = result
            print(f"LoRA {name:6s}: {result.tokens_per_s:,.0f} tokens/s ({result.tokens:,} tokens in {result.seconds:.1f} s "
                  f"training, {wall:.1f} s wall incl. setup), final train loss {result.train_loss:.3f}")
            if eval_limit and packing:
                scores_after = _eval(fresh, held_out[:eval_limit], "adapter")
            del fresh
    ratio = results["packed"].tokens_per_s / max(1e-9, results["padded"].tokens_per_s)
    print(f"packed / padded useful tokens/s: {ratio:.2f}x")
    summary = {"machine": machine(), "steps": steps, "seq": args.seq, "batch": batch,
               **{f"{k}_tokens_per_s": v.tokens_per_s for k, v in results.items()}, "packed_over_padded": round(ratio, 3)}
    if eval_limit:
        print(f"BLEU/ROUGE on {eval_limit} held-out examples, before: {scores_before}")
        print(f"                                          after:  {scores_after}")
        summary.update(before=scores_before, after=scores_after)
    if gpu:
        target = 30_000
        best = max(r.tokens_per_s for r in results.values())
        print(f"target >= {target:,} tokens/s on an H100: {'met' if best >= target else 'MISSED'} ({best:,.0f})")
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def _eval(loaded, examples, label):
    from training.evaluate import score_model

    s = score_model(loaded.model, loaded.tokenizer, examples, label=label, max_new_tokens=128, batch_size=32, progress=True)
    return {"val_loss": s.val_loss, **s.metrics}


if __name__ == "__main__":
    sys.exit(main())
