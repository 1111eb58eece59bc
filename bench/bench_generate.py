"""CPU generation speed of the embedded default: decode tokens/s and time to first token (TTFT)
for a 512-token prompt, float32 vs bfloat16 (the ratio is the comparison), batch 1 and n=3 variants.

    .venv/bin/python bench/bench_generate.py            # 48 new tokens, batch 1 and n=3, both dtypes
    .venv/bin/python bench/bench_generate.py --quick    # 16 new tokens, batch 1 only
    .venv/bin/python bench/bench_generate.py --model embedded-small

Target: >= 8 tokens/s decode at batch 1 on 2 cores. Every reply is forced to the same length
(min_new_tokens) so the dtypes decode the same number of tokens.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import time
from pathlib import Path
from _machine import cpu_model  # noqa: E402  (bench/ is on sys.path when run as a script)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_TOKENS_PER_S = 8.0
FILLER = (
    "Our smartwatch campaign reached 12,400 customers last week; reviews praise the battery life "
    "and the bright screen, while some mention the strap. 智能手表的续航和屏幕获得好评，部分用户反映表带偏硬。 "
)


class _Clock:
    """A transformers streamer that timestamps the first generated token."""

    def __init__(self) -> None:
        self.calls = 0
        self.first: float | None = None

    def put(self, value) -> None:
        self.calls += 1
        if self.calls == 2 and self.first is None:  # call 1 is the prompt
            self.first = time.perf_counter()

    def end(self) -> None:
        pass


def prompt_ids(tokenizer, length: int):
    import torch

    messages = [
        {"role": "system", "content": "You are growthpilot, a concise marketing assistant."},
        {"role": "user", "content": FILLER * 60},
    ]
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    tail = tokenizer("\nWrite one slogan.<|im_end|>\n<|im_start|>assistant\n", add_special_tokens=False)["input_ids"]
    ids = ids[: length - len(tail)] + tail
    return torch.tensor([ids])


def measure(loaded, ids, *, n: int, new_tokens: int, repeats: int) -> dict:
    import torch

    model, tok = loaded.model, loaded.tokenizer
    best = None
    for _ in range(repeats):
        clock = _Clock()
        torch.manual_seed(0)
        t0 = time.perf_counter()
        with torch.inference_mode():
            out = model.generate(
                input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                do_sample=n > 1, temperature=0.7 if n > 1 else None, top_p=0.9 if n > 1 else None,
                num_return_sequences=n, streamer=clock, pad_token_id=tok.pad_token_id,
            )
        t_end = time.perf_counter()
        generated = (out.shape[1] - ids.shape[1]) * n
        ttft = (clock.first or t_end) - t0
        decode_s = t_end - (clock.first or t0)
        run = {
            "ttft_s": round(ttft, 3),
            "decode_tokens_per_s": round((generated - n) / decode_s, 2) if decode_s > 0 else 0.0,
            "per_variant_tokens_per_s": round((generated - n) / n / decode_s, 2) if decode_s > 0 else 0.0,
            "total_s": round(t_end - t0, 2),
            "generated_tokens": generated,
        }
        if best is None or run["decode_tokens_per_s"] > best["decode_tokens_per_s"]:
            best = run
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="16 new tokens, batch 1 only, one repeat")
    ap.add_argument("--model", default="embedded", help="[model] name to benchmark (default: embedded)")
    ap.add_argument("--cache-dir", default=".growthpilot/cache/models", help="model cache folder")
    ap.add_argument("--prompt-tokens", type=int, default=512)
    ap.add_argument("--new-tokens", type=int, default=None)
    ap.add_argument("--dtypes", default="float32,bfloat16")
    ap.add_argument("--variants", default="1,3", help="comma-separated n values (default 1,3; --quick: 1)")
    ap.add_argument("--threads", default="0", help="comma-separated torch CPU thread counts to compare (0 = growthpilot's auto: cores - 1)")
    ap.add_argument("--repeats", type=int, default=1, help="runs per figure; the fastest is kept")
    ap.add_argument("--out", default=None, help="also write the figures as JSON here")
    args = ap.parse_args()

    import torch
    import transformers

    from llm.loader import cpu_threads, load_model
    from llm.settings import ModelSettings

    new_tokens = args.new_tokens or (16 if args.quick else 48)
    batches = [1] if args.quick else [int(v) for v in args.variants.split(",")]
    repeats = max(1, args.repeats)
    machine = {
        "cpu": cpu_model(), "cores": os.cpu_count(), "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__, "transformers": transformers.__version__, "python": platform.python_version(),
        "load_average": os.getloadavg(),
    }
    print(f"# machine: {json.dumps(machine)}")
    rows = []
    for dtype in args.dtypes.split(","):
        t0 = time.perf_counter()
        loaded = load_model(ModelSettings(name=args.model, cache_dir=Path(args.cache_dir), dtype=dtype, device="cpu"), progress=True)
        load_s = time.perf_counter() - t0
        ids = prompt_ids(loaded.tokenizer, args.prompt_tokens)
        for threads in [int(t) for t in args.threads.split(",")]:
            torch.set_num_threads(threads or cpu_threads(0, "cpu"))
            measure(loaded, ids[:, :64], n=1, new_tokens=4, repeats=1)  # warm-up
            for n in batches:
                r = measure(loaded, ids, n=n, new_tokens=new_tokens, repeats=repeats)
                row = {"model": loaded.identity.name, "dtype": dtype, "threads": torch.get_num_threads(), "n": n,
                       "prompt_tokens": int(ids.shape[1]), "new_tokens_per_variant": new_tokens, "load_s": round(load_s, 1),
                       "load_average_1m": round(os.getloadavg()[0], 2), **r}
                rows.append(row)
                print(json.dumps(row), flush=True)
        del loaded
        gc.collect()

    print("\n| dtype | threads | variants | prompt tokens | TTFT (s) | decode tokens/s (all variants) | per variant | load avg |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['dtype']} | {r['threads']} | {r['n']} | {r['prompt_tokens']} | {r['ttft_s']} | {r['decode_tokens_per_s']} | "
              f"{r['per_variant_tokens_per_s']} | {r['load_average_1m']} |")
    first_threads = rows[0]["threads"] if rows else 0
    by = {(r["dtype"], r["n"]): r for r in rows if r["threads"] == first_threads}
    for n in batches:
        if ("float32", n) in by and ("bfloat16", n) in by:
            f32, b16 = by[("float32", n)], by[("bfloat16", n)]
            ratio = b16["decode_tokens_per_s"] / f32["decode_tokens_per_s"] if f32["decode_tokens_per_s"] else float("nan")
            ttft_ratio = f32["ttft_s"] / b16["ttft_s"] if b16["ttft_s"] else float("nan")
            print(f"n={n}: bf16/fp32 decode speed ratio {ratio:.2f}x; TTFT fp32/bf16 {ttft_ratio:.2f}x")
    for dtype in args.dtypes.split(","):
        for n in batches:
            alt = [r for r in rows if r["dtype"] == dtype and r["n"] == n]
            if len(alt) > 1:
                base = alt[0]
                for r in alt[1:]:
                    ratio = r["decode_tokens_per_s"] / base["decode_tokens_per_s"] if base["decode_tokens_per_s"] else float("nan")
                    print(f"{dtype} n={n}: {r['threads']} thread(s) vs {base['threads']}: decode speed ratio {ratio:.2f}x")
    single = [r for r in rows if r["n"] == 1]
    if single:
        best = max(single, key=lambda r: r["decode_tokens_per_s"])
        verdict = "met" if best["decode_tokens_per_s"] >= TARGET_TOKENS_PER_S else "MISSED"
        print(f"target >= {TARGET_TOKENS_PER_S} tokens/s at batch 1: best {best['decode_tokens_per_s']} ({best['dtype']}, {best['threads']} thread(s)) -> {verdict}")
    if args.out:
        Path(args.out).write_text(json.dumps({"machine": machine, "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
