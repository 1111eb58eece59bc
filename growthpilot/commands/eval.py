"""`growthpilot eval DATA.jsonl`: the base model and an adapter side by side (loss, BLEU, ROUGE)."""

from __future__ import annotations

from pathlib import Path

from ..errors import UserFacingError
from ..output import emit_json, table


def register(sub, parent) -> None:
    p = sub.add_parser(
        "eval",
        parents=[parent],
        help="evaluate the base model and a LoRA adapter side by side",
        description=(
            "Score the base model and an adapter on a JSONL file of examples (the shapes `growthpilot train` "
            "reads): validation loss and perplexity on the responses, and BLEU-4 / ROUGE-1/2/L of greedy "
            "generations against the references (jieba words; the ChatGLM / LLaMA-Factory convention for "
            "AdvertiseGen). Writes eval.json and eval.md."
        ),
        epilog="Example: growthpilot eval adgen_dev.jsonl --adapter adgen --limit 100 --out reports/adgen",
    )
    p.add_argument("data", type=Path, metavar="DATA.jsonl", help="examples with reference responses")
    p.add_argument("--adapter", default=None, metavar="NAME",
                   help="adapter name under [training] output_dir, or a folder (default: [model] adapter; none = base only)")
    p.add_argument("--limit", type=int, default=None, metavar="N", help="only the first N examples")
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="where eval.json and eval.md go (default: the adapter's folder/eval, or .growthpilot/eval)")
    p.add_argument("--max-new-tokens", type=int, default=None, metavar="N",
                   help="generation budget per example (default: [generation] max_new_tokens)")
    p.add_argument("--batch-size", type=int, default=8, metavar="B", help="examples generated together")
    p.add_argument("--loss-only", action="store_true", help="skip generation: validation loss and perplexity only")
    p.set_defaults(handler=run)


def run(args, cfg) -> int:
    from training.datasets import read_jsonl
    from training.evaluate import compare_base_and_adapter, write_report

    from .train import load_base_model

    if args.limit is not None and args.limit <= 0:
        raise UserFacingError("--limit must be a positive number")
    examples = read_jsonl(args.data)[: args.limit]
    adapter = args.adapter if args.adapter is not None else cfg.model.adapter
    loaded = load_base_model(cfg.model, for_training=False, progress=not args.json)
    model, adapter_name, adapter_dir, system_prompt = loaded.model, None, None, cfg.generation.system_prompt or None
    if adapter:
        from peft import PeftModel

        from llm.lora import check_adapter_base, resolve_adapter

        adapter_dir = resolve_adapter(adapter, cfg.training.output_dir)
        meta = check_adapter_base(adapter_dir, loaded.identity) or {}
        system_prompt = (meta.get("prompt_format") or {}).get("system_prompt", system_prompt)
        adapter_name = meta.get("adapter_name") or adapter_dir.name
        model = PeftModel.from_pretrained(model, str(adapter_dir))
    scores = compare_base_and_adapter(
        model,
        loaded.tokenizer,
        examples,
        adapter_name=adapter_name,
        system_prompt=system_prompt,
        max_length=cfg.training.max_length,
        max_new_tokens=args.max_new_tokens or cfg.generation.max_new_tokens,
        batch_size=args.batch_size,
        generate=not args.loss_only,
        progress=not args.json,
    )
    out = args.out or ((adapter_dir / "eval") if adapter_dir else Path(cfg.training.output_dir).parent / "eval")
    info = {"dataset": str(args.data), "examples": len(examples), "base_model": loaded.identity.name,
            "adapter": adapter_name or "", "device": loaded.device}
    paths = write_report(out, scores, examples, info)
    if args.json:
        emit_json({"ok": True, **info, "results": [s.summary() for s in scores], "files": {k: str(v) for k, v in paths.items()}})
        return 0
    cols = ["model", "val_loss", "perplexity", "bleu-4", "rouge-1", "rouge-2", "rouge-l"]
    print(table([[s.summary().get(c, "-") if s.summary().get(c) is not None else "-" for c in cols] for s in scores], cols))
    print(f"\nwritten: {paths['json']} and {paths['markdown']}")
    return 0
