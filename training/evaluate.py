"""Evaluation of a base model and a LoRA adapter side by side: validation loss / perplexity on the
response tokens, and BLEU-4 / ROUGE-1/2/L of greedy generations (training/metrics.py), written as
JSON and Markdown."""

from __future__ import annotations

import contextlib
import json
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import torch

from .collate import encode_all, prompt_messages
from .datasets import Example
from .metrics import METRIC_NAMES, corpus_scores
from .trainer import _pad_id, evaluate_loss


@dataclass
class ModelScores:
    label: str  # "base" | adapter name
    val_loss: float | None
    perplexity: float | None
    metrics: dict[str, float]
    seconds: float
    predictions: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {"model": self.label, "val_loss": self.val_loss, "perplexity": self.perplexity, **self.metrics,
                "seconds": self.seconds}


def generate_responses(
    model,
    tokenizer,
    examples: Sequence[Example],
    *,
    system_prompt: str | None = None,
    max_new_tokens: int = 128,
    batch_size: int = 8,
    progress: bool = False,
) -> list[str]:
    """Greedy responses to each example's prompt (left-padded batches)."""
    device = next(model.parameters()).device
    old_side = tokenizer.padding_side
    tokenizer.padding_side = "left"
    out: list[str] = []
    bar = _bar(len(examples), "generate", progress)
    try:
        for start in range(0, len(examples), batch_size):
            chunk = examples[start : start + batch_size]
            texts = [
                tokenizer.apply_chat_template(prompt_messages(e, system_prompt), tokenize=False, add_generation_prompt=True)
                for e in chunk
            ]
            enc = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False).to(device)
            with torch.no_grad(), _autocast(device):
                ids = model.generate(
                    **enc, max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=_pad_id(tokenizer),
                )
            new = ids[:, enc["input_ids"].shape[1] :]
            out += [t.strip() for t in tokenizer.batch_decode(new, skip_special_tokens=True)]
            bar.update(len(chunk))
    finally:
        tokenizer.padding_side = old_side
        bar.close()
    return out


def score_model(
    model,
    tokenizer,
    examples: Sequence[Example],
    *,
    label: str,
    system_prompt: str | None = None,
    max_length: int = 512,
    max_new_tokens: int = 128,
    batch_size: int = 8,
    generate: bool = True,
    progress: bool = False,
) -> ModelScores:
    """Validation loss/perplexity and (when `generate`) BLEU/ROUGE of one model on `examples`."""
    t0 = time.perf_counter()
    model.eval()
    rows, _ = encode_all(tokenizer, examples, max_length, system_prompt=system_prompt)
    loss = evaluate_loss(model, rows, batch_size, _pad_id(tokenizer)) if rows else float("nan")
    predictions: list[str] = []
    metrics: dict[str, float] = {}
    if generate:
        predictions = generate_responses(model, tokenizer, examples, system_prompt=system_prompt,
                                         max_new_tokens=max_new_tokens, batch_size=batch_size, progress=progress)
        metrics = corpus_scores(predictions, [e.response for e in examples])
    finite = math.isfinite(loss)
    return ModelScores(
        label=label,
        val_loss=round(loss, 5) if finite else None,
        perplexity=round(math.exp(min(loss, 50.0)), 4) if finite else None,
        metrics=metrics,
        seconds=round(time.perf_counter() - t0, 2),
        predictions=predictions,
    )


def compare_base_and_adapter(model, tokenizer, examples: Sequence[Example], *, adapter_name: str | None, **kw) -> list[ModelScores]:
    """Score the base (adapter disabled) and, when `model` is a peft model, the adapter — same examples."""
    if adapter_name and hasattr(model, "disable_adapter"):
        with model.disable_adapter():
            base = score_model(model, tokenizer, examples, label="base", **kw)
        return [base, score_model(model, tokenizer, examples, label=adapter_name, **kw)]
    return [score_model(model, tokenizer, examples, label="base", **kw)]


def write_report(out_dir: Path, scores: Sequence[ModelScores], examples: Sequence[Example], info: dict[str, Any]) -> dict[str, Path]:
    """eval.json (summary + every prediction) and eval.md (a side-by-side table + a few samples)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    doc = {
        **info,
        "metric_convention": "BLEU-4 over characters (nltk method3), ROUGE-1/2/L F over jieba words (rouge-chinese), x100",
        "results": [s.summary() for s in scores],
        "predictions": [
            {"prompt": e.prompt[-1]["content"], "reference": e.response, **{s.label: (s.predictions[i] if s.predictions else None) for s in scores}}
            for i, e in enumerate(examples)
        ],
    }
    json_path = out_dir / "eval.json"
    json_path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    md_path = out_dir / "eval.md"
    md_path.write_text(markdown_report(scores, examples, info), encoding="utf-8")
    return {"json": json_path, "markdown": md_path}


def markdown_report(scores: Sequence[ModelScores], examples: Sequence[Example], info: dict[str, Any], samples: int = 3) -> str:
    cols = ["model", "val loss", "perplexity", *METRIC_NAMES]
    lines = [f"# Evaluation: {info.get('dataset', '')}", ""]
    lines += [f"- {k}: {v}" for k, v in info.items() if k != "dataset"]
    lines += ["", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for s in scores:
        vals = [s.label, _fmt(s.val_loss), _fmt(s.perplexity), *(_fmt(s.metrics.get(m)) for m in METRIC_NAMES)]
        lines.append("| " + " | ".join(vals) + " |")
    lines += ["", "BLEU-4 over characters, ROUGE F-scores over jieba words, both ×100 (ChatGLM / LLaMA-Factory convention).", ""]
    if any(s.predictions for s in scores):
        lines += ["## Samples", ""]
        for i, e in enumerate(examples[:samples]):
            lines += [f"**Prompt:** {e.prompt[-1]['content']}", "", f"- reference: {e.response}"]
            lines += [f"- {s.label}: {s.predictions[i]}" for s in scores if s.predictions]
            lines.append("")
    return "\n".join(lines) + "\n"


def _fmt(v: Any) -> str:
    return "-" if v is None else (f"{v:.4f}" if isinstance(v, float) else str(v))


def _autocast(device: torch.device):
    if device.type == "cuda" and torch.cuda.is_bf16_supported():
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def _bar(total: int, desc: str, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="ex", file=sys.stderr, disable=not enabled, dynamic_ncols=True)
