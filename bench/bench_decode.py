"""The cost of per-line encoding detection (issue 10 item 6) on a file that is not UTF-8.

A pure GB18030 behaviour log now gets one extra pass (each line classified as ASCII / UTF-8 /
GB18030 / undecodable) after the strict whole-file decode; a mixed file is transcoded to UTF-8
line by line. UTF-8 files (the common case) pay nothing: they return after the first pass.

    PYTHONPATH=. python bench/bench_decode.py [ROWS]

Language-model decode (issue 9, "Latency"): bf16 (the CPU default) vs torch dynamic int8 on the
Linear layers ([model] quantize = "int8"), the same copy-sized prompt, forced to the same length:
decode tokens/s at batch 1 and at n=3 variants (one batch, as /copy samples them), time to first
token, load time and resident memory. Copy quality on the same briefs: bench/eval_copy.py --quantize both.

    PYTHONPATH=. python bench/bench_decode.py lm [--new-tokens 48] [--prompt-tokens 400] [--modes none,int8]
"""

from __future__ import annotations

import codecs
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import cpu_model  # noqa: E402

from knowledge.readers import detect_encoding, transcode_mixed  # noqa: E402


def strict_whole_file(path: Path, enc: str) -> None:
    """The old detection's work for a GB18030 file: a strict incremental decode."""
    dec = codecs.getincrementaldecoder(enc)(errors="strict")
    with open(path, "rb") as fh:
        while chunk := fh.read(8 << 20):
            dec.decode(chunk, final=False)
    dec.decode(b"", final=True)


def best(fn, n=3) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    beh = ["浏览", "加购", "收藏", "购买"]
    with tempfile.TemporaryDirectory() as tmp:
        gb = Path(tmp) / "gb.csv"
        gb.write_bytes("".join(f"{i % 9973},{i % 4001},7,{beh[i % 4]},{1700000000 + i}\n" for i in range(rows))
                       .encode("gb18030"))
        mixed = Path(tmp) / "mixed.csv"
        mixed.write_bytes(gb.read_bytes() + "1,2,7,购买,1700000000\n".encode("utf-8"))
        assert detect_encoding(gb) == "gb18030" and detect_encoding(mixed) == "mixed"
        old = best(lambda: strict_whole_file(gb, "gb18030"))
        new = best(lambda: detect_encoding(gb))
        tr = best(lambda: transcode_mixed(mixed, Path(tmp) / "out.csv"), n=1)
        mb = gb.stat().st_size / 1e6
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"GB18030 behaviour log: {rows:,} rows, {mb:.1f} MB")
    print(f"  strict whole-file decode (before): {old:.2f} s")
    print(f"  detect_encoding with the per-line pass (now): {new:.2f} s  ({new / old:.1f}x)")
    print(f"  transcode a mixed file to UTF-8 line by line: {tr:.2f} s ({rows / tr:,.0f} lines/s)")


def lm_main(argv: list[str]) -> None:
    import argparse
    import json
    import resource

    import torch

    from bench_generate import measure, prompt_ids
    from llm.loader import load_model
    from llm.settings import ModelSettings

    ap = argparse.ArgumentParser(prog="bench_decode.py lm")
    ap.add_argument("--new-tokens", type=int, default=48)
    ap.add_argument("--prompt-tokens", type=int, default=400)
    ap.add_argument("--modes", default="none,int8")
    ap.add_argument("--variants", default="1,3")
    ap.add_argument("--out", default="")
    args = ap.parse_args(argv)
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    rows = []
    for mode in args.modes.split(","):
        t0 = time.perf_counter()
        loaded = load_model(ModelSettings(device="cpu", quantize=mode), progress=False)
        load_s = time.perf_counter() - t0
        ids = prompt_ids(loaded.tokenizer, args.prompt_tokens)
        measure(loaded, ids[:, :64], n=1, new_tokens=4, repeats=1)  # warm-up
        for n in [int(v) for v in args.variants.split(",")]:
            load0 = os.getloadavg()[0]
            r = measure(loaded, ids, n=n, new_tokens=args.new_tokens, repeats=1)
            row = {"quantize": mode, "dtype": loaded.dtype, "threads": torch.get_num_threads(), "n": n, "prompt_tokens": int(ids.shape[1]),
                   "new_tokens_per_variant": args.new_tokens, "load_s": round(load_s, 1),
                   "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), "load_1m": round((load0 + os.getloadavg()[0]) / 2, 2), **r}
            rows.append(row)
            print(json.dumps(row), flush=True)
        del loaded
    if args.out:
        Path(args.out).write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "lm":
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        lm_main(sys.argv[2:])
    else:
        main()
