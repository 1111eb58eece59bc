"""Chinese tokenisation speed: jieba vs rjieba (jieba-rs, same dictionary), MB/s of UTF-8 text.

    .venv/bin/python bench/bench_tokenize.py [--quick]

Text: ../shared/data/reviews_zh_online_shopping.csv when present, generated otherwise.
Measures the raw segmenters and growthpilot's `knowledge.text.tokenize` (normalised tokens, as
BM25 uses them) with each, and how often the two agree token for token.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DATA = ROOT.parent / "shared" / "data" / "reviews_zh_online_shopping.csv"


def chinese_texts(limit: int) -> tuple[list[str], str]:
    if DATA.exists():
        with open(DATA, encoding="utf-8") as f:
            texts = [r["review"] for r in csv.DictReader(f) if r.get("review")]
        return texts[:limit], DATA.name
    rnd = random.Random(0)
    words = ["电池", "续航", "屏幕", "物流", "很快", "包装", "完好", "客服", "态度", "质量", "不错", "价格", "便宜",
             "尺码", "偏小", "颜色", "好看", "味道", "一般", "发热", "严重", "推荐", "购买", "失望", "满意"]
    return ["".join(rnd.choice(words) for _ in range(rnd.randint(8, 30))) + "。" for _ in range(limit)], "generated"


def main() -> int:
    from bench_search import machine

    from knowledge.text import _rjieba_cut, jieba_tokenizer, tokenize

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    texts, source = chinese_texts(3000 if args.quick else 44_100)
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print("machine:", json.dumps(machine()))
    print(f"text: {len(texts)} reviews, {mb:.2f} MB UTF-8 from {source}\n")
    jb = jieba_tokenizer()
    rj = _rjieba_cut()
    jb.lcut("预热")
    rj("预热")
    runs = {
        "jieba (raw lcut, HMM)": lambda t: jb.lcut(t, HMM=True),
        "rjieba (raw cut, HMM)": rj,
        "tokenize(tokenizer='jieba')": lambda t: tokenize(t, "jieba"),
        "tokenize(tokenizer='rjieba')": lambda t: tokenize(t, "rjieba"),
    }
    results = {}
    outputs = {}
    for label, fn in runs.items():
        t = time.perf_counter()
        out = [fn(x) for x in texts]
        dt = time.perf_counter() - t
        outputs[label] = out
        results[label] = mb / dt
        print(json.dumps({"tokenizer": label, "MB_per_s": round(mb / dt, 2), "seconds": round(dt, 2)}, ensure_ascii=False))
    same = sum(a == b for a, b in zip(outputs["tokenize(tokenizer='jieba')"], outputs["tokenize(tokenizer='rjieba')"]))
    raw = results["rjieba (raw cut, HMM)"] / results["jieba (raw lcut, HMM)"]
    norm = results["tokenize(tokenizer='rjieba')"] / results["tokenize(tokenizer='jieba')"]
    print(f"\nrjieba / jieba speed (raw): {raw:.2f}x; (tokenize): {norm:.2f}x")
    print(f"identical token lists: {same}/{len(texts)} ({same / len(texts):.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
