"""Spec accuracy: question → query spec, on held-out questions written unlike the training templates.

    .venv/bin/python bench/eval_spec.py                       # rules, base model, model + adapter
    .venv/bin/python bench/eval_spec.py --modes rules         # the rules alone (a second)
    .venv/bin/python bench/eval_spec.py --adapter growthpilot/models/spec_lora --limit 20

Questions: bench/eval_spec_questions.jsonl (zh and en, over the demo catalogue; a few with no
answer in the data). For every question with a gold spec it scores the exact spec (to_dict equal,
filter values as catalogue ids) and each field: metric, op, by, period, filters. Modes:
  rules          the rules alone (QuestionParser.parse_rules_only)
  model          the embedded 0.5B model under grammar-constrained decoding, no rules (ModelSpecWriter)
  adapter        the same with the spec LoRA adapter merged
  rules+X        the parser as shipped: the rules, and the model where the rules are not sure
                 (computed from the two runs above, no extra generation)
Also "not in the data" correctness for the rules, and the model's latency per spec (the load is
printed beside it: the CPU is shared).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _machine import cpu_model  # noqa: E402

FIELDS = ("metric", "op", "by", "period", "filters")


def load_questions(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for r in rows:
        r.setdefault("lang", "zh" if any("\u4e00" <= c <= "\u9fff" for c in r["q"]) else "en")
        r.setdefault("kind", "query")
    return rows


def normal(spec_dict: dict | None) -> dict | None:
    if spec_dict is None:
        return None
    from knowledge.query import QuerySpec

    d = QuerySpec.from_dict(spec_dict).to_dict()
    d["filters"] = sorted((f["dim"], tuple(sorted(f["values"]))) for f in d.get("filters", []))
    d.setdefault("by", None)
    return d


def score(rows: list[dict], got: list[dict | None]) -> dict:
    n = len(rows)
    exact = sum(normal(r["spec"]) == g for r, g in zip(rows, got))
    out = {"n": n, "exact": exact / n if n else 0.0}
    for f in FIELDS:
        out[f] = sum(1 for r, g in zip(rows, got) if g is not None and normal(r["spec"]).get(f) == g.get(f)) / n if n else 0.0
    for lang in ("en", "zh"):
        idx = [i for i, r in enumerate(rows) if r["lang"] == lang]
        out[f"exact_{lang}"] = sum(normal(rows[i]["spec"]) == got[i] for i in idx) / len(idx) if idx else 0.0
    return out


def run_rules(parser, rows: list[dict]) -> tuple[list, dict]:
    got, kinds, t0 = [], [], time.perf_counter()
    for r in rows:
        p = parser.parse_rules_only(r["q"], lang=r["lang"])
        got.append(normal(p.spec.to_dict()) if p.spec else None)
        kinds.append(p.kind)
    ms = (time.perf_counter() - t0) * 1000 / max(1, len(rows))
    return list(zip(got, kinds)), {"ms_per_question": round(ms, 3)}


def run_model(layer, entities, rows: list[dict], adapter: str, threads: int) -> tuple[list, dict]:
    from bot.questions import QuestionSettings
    from bot.questions.model import ModelSpecWriter
    from bot.questions.resolve import Resolver
    from llm.loader import load_model
    from llm.settings import GenerationSettings, ModelSettings
    from llm.worker import LocalGenerator

    t0 = time.perf_counter()
    loaded = load_model(ModelSettings(adapter=adapter, adapters_dir=ROOT / "growthpilot" / "models", threads=threads,
                                      cache_dir=ROOT / ".growthpilot" / "cache" / "models"), progress=False)
    load_s = time.perf_counter() - t0
    gen = LocalGenerator(loaded, GenerationSettings(max_new_tokens=96, timeout_s=120))
    writer = ModelSpecWriter(layer, entities, gen, QuestionSettings(), Resolver(entities))
    got, secs, tokens = [], [], []

    async def go():
        for r in rows:
            spec, notes = await writer.write(r["q"], lang=r["lang"])
            got.append(normal(spec.to_dict()) if spec else None)
            secs.append(writer.last_seconds)
            print(f"  {writer.last_seconds:5.1f}s {'OK ' if got[-1] == normal(r['spec']) else '-- '} {r['q']}  =>  {writer.last_text}  {notes}",
                  file=sys.stderr, flush=True)

    try:
        asyncio.run(go())
    finally:
        gen.close()
    return [(g, "query" if g else "none") for g in got], {
        "model": loaded.model_id, "dtype": loaded.dtype, "load_s": round(load_s, 1),
        "s_per_spec_median": round(statistics.median(secs), 2) if secs else None,
        "s_per_spec_p90": round(sorted(secs)[int(0.9 * (len(secs) - 1))], 2) if secs else None,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--questions", type=Path, default=ROOT / "bench" / "eval_spec_questions.jsonl")
    ap.add_argument("--modes", default="rules,model,adapter", help="comma-separated: rules, model, adapter")
    ap.add_argument("--adapter", default=str(ROOT / "growthpilot" / "models" / "spec_lora"), help="the spec adapter folder")
    ap.add_argument("--limit", type=int, default=0, help="model modes: score only N questions with a spec, alternating en and zh (default: all)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads for the model (default 1: the CPU is shared)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

    from bot.questions import QuestionParser
    from knowledge.query import SemanticLayer
    from training.spec_data import catalogue_entities

    layer = SemanticLayer()
    entities = catalogue_entities(ROOT / "growthpilot" / "demo" / "data" / "catalog.csv", extra={"last_day": "2026-10-21"})
    rows = load_questions(args.questions)
    queries = [r for r in rows if r["kind"] == "query"]
    model_rows = queries
    if args.limit:  # a balanced subset: alternate English and Chinese questions
        en = [r for r in queries if r["lang"] == "en"]
        zh = [r for r in queries if r["lang"] == "zh"]
        mixed = [r for pair in zip(en, zh) for r in pair] + en[len(zh):] + zh[len(en):]
        model_rows = mixed[: args.limit]
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    report: dict = {"date": time.strftime("%Y-%m-%d"), "cpu": cpu_model(), "cores": os.cpu_count(), "load_before": os.getloadavg()[0],
                    "questions": len(rows), "with_spec": len(queries), "model_questions": len(model_rows), "modes": {}}
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")

    parser = QuestionParser(layer, entities)
    ruled, meta = run_rules(parser, rows)
    by_q = {r["q"]: g for r, g in zip(rows, ruled)}
    if "rules" in modes:
        s = score(queries, [by_q[r["q"]][0] for r in queries])
        nid = [r for r in rows if r["kind"] == "not_in_data"]
        s["not_in_data_right"] = sum(by_q[r["q"]][1] == "not_in_data" for r in nid) / len(nid) if nid else None
        s["false_not_in_data"] = sum(by_q[r["q"]][1] == "not_in_data" for r in queries) / len(queries)
        s["answered"] = sum(by_q[r["q"]][1] == "query" for r in queries) / len(queries)
        report["modes"]["rules"] = {**s, **meta}
        s_sub = score(model_rows, [by_q[r["q"]][0] for r in model_rows])
        report["modes"]["rules (model questions)"] = s_sub

    for mode in ("model", "adapter"):
        if mode not in modes:
            continue
        adapter = args.adapter if mode == "adapter" else ""
        if mode == "adapter" and not Path(adapter).is_dir():
            print(f"no adapter at {adapter}; skipping", file=sys.stderr)
            continue
        print(f"{mode}: {len(model_rows)} questions ...", file=sys.stderr, flush=True)
        load_start = os.getloadavg()[0]
        got, meta = run_model(layer, entities, model_rows, adapter, args.threads)
        s = score(model_rows, [g for g, _ in got])
        report["modes"][mode] = {**s, **meta, "load": round((load_start + os.getloadavg()[0]) / 2, 2)}
        combined = [by_q[r["q"]][0] if by_q[r["q"]][1] == "query" else g for r, (g, _) in zip(model_rows, got)]
        report["modes"][f"rules+{mode}"] = score(model_rows, combined)

    for name, s in report["modes"].items():
        fields = "  ".join(f"{f} {s[f]:.0%}" for f in FIELDS)
        extra = "".join(f"  {k} {s[k]}" for k in ("s_per_spec_median", "s_per_spec_p90", "load", "ms_per_question", "not_in_data_right",
                                                  "false_not_in_data", "answered") if s.get(k) is not None)
        print(f"{name:24s} n={s['n']:3d}  exact {s['exact']:.0%} (en {s['exact_en']:.0%}, zh {s['exact_zh']:.0%})  {fields}{extra}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
