"""Benchmark of the assistant (bot/): latency of `ask`, report speed at 10^6 behaviour rows,
answer quality and report exactness on the demo data (and ../shared/data when present).

    .venv/bin/python bench/bench_assistant.py [--quick] [--data-dir DIR] [--model-questions N] [--rows N]

--data-dir reuses an already ingested data folder (its config: [data] dir = DIR); without it the
demo data is ingested into a temporary folder first (about a minute). Figures are printed as
Markdown; copy them into docs/BENCHMARKS.md (## Assistant).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from _machine import cpu_model  # noqa: E402  (bench/ is on sys.path when run as a script)

DEMO = ROOT / "growthpilot" / "demo" / "data"
SHARED = ROOT.parent / "shared" / "data"
QUESTIONS = [
    "Which product has the best conversion rate?",
    "What do customers complain about for the Lumi Buds Pro?",
    "Which segment should we target for the next campaign?",
    "How did purchases change last week?",
    "哪个商品的转化率最高？",
    "顾客最喜欢 Lumi 智能保温水杯 的哪一点？",
    "加购未购买的用户有多少？",
    "哪些商品经常被一起购买？",
]


def machine() -> str:
    import faiss
    import torch

    cpu = cpu_model()
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, torch {torch.__version__}, faiss {faiss.__version__}, pandas {pd.__version__}"


def pctl(xs, q):
    return float(np.percentile(np.asarray(xs, dtype=float), q)) if xs else float("nan")


# ------------------------------------------------------------------------------ data
def ensure_demo_data(data_dir: Path | None) -> Path:
    """A config file whose data dir holds the ingested + indexed demo data."""
    from growthpilot.cli import main

    if data_dir is not None:
        cfg = data_dir.parent / "bench-config.toml"
        cfg.write_text(f'[data]\ndir = "{data_dir}"\n', encoding="utf-8")
        return cfg
    root = Path(tempfile.mkdtemp(prefix="bench-assistant-"))
    cfg = root / "config.toml"
    cfg.write_text(f'[data]\ndir = "{root / "data"}"\n[privacy]\nkey_file = "{root / "key"}"\n[model]\ncache_dir = "{ROOT / ".growthpilot" / "cache" / "models"}"\n', encoding="utf-8")
    steps = [("catalog", DEMO / "catalog.csv"), ("behavior", DEMO / "behavior.csv"), ("reviews", DEMO / "reviews_en.jsonl"), ("reviews", DEMO / "reviews_zh.csv")]
    for kind, path in steps:
        assert main(["ingest", "--config", str(cfg), "--no-index", "--json", kind, str(path)]) == 0
    assert main(["ingest", "--config", str(cfg), "--json", "docs", str(DEMO / "docs")]) == 0
    return cfg


# ------------------------------------------------------------------------------ retrieval + prompt
def bench_retrieval(cfg, assistant, n_rounds: int) -> dict:
    from bot.answering import relevant_hits
    from bot.prompts import answer_messages

    team = assistant._team
    times, hits_found = [], 0
    # warm the embedder and the index
    team.search("warm up", 5)
    team.search("预热一下", 5)  # loads the jieba dictionary
    for _ in range(n_rounds):
        for q in QUESTIONS:
            t = time.perf_counter()
            hits = relevant_hits(team.search(q, assistant.k), assistant.min_similarity)
            answer_messages(q, hits, [], lang="en", brand="Lumi")
            times.append(time.perf_counter() - t)
            hits_found += bool(hits)
    return {"p50_ms": 1000 * pctl(times, 50), "p95_ms": 1000 * pctl(times, 95), "n": len(times), "with_sources": hits_found / len(times)}


def bench_intents(assistant) -> dict:
    from bot.intents import held_out_accuracy

    t = time.perf_counter()
    acc, n, _ = held_out_accuracy(assistant.intents.encoder, every=4)
    acc_tfidf, _, _ = held_out_accuracy(None, every=4)
    times = []
    for q in QUESTIONS:
        t = time.perf_counter()
        assistant.intents.classify(q)
        times.append(time.perf_counter() - t)
    return {"accuracy": acc, "n": n, "accuracy_tfidf": acc_tfidf, "p50_ms": 1000 * pctl(times, 50)}


# ------------------------------------------------------------------------------ the model
async def bench_answers(assistant, n: int) -> dict:
    from bot.types import Message

    rows = []
    for i, q in enumerate(QUESTIONS[:n]):
        t0 = time.perf_counter()
        first = []

        async def on_partial(text, first=first, t0=t0):
            if not first:
                first.append(time.perf_counter() - t0)

        r = await assistant.handle(Message("bench", "b", "bench", q, thread=f"q{i}"), on_partial=on_partial)
        total = time.perf_counter() - t0
        d = r.data
        rows.append(
            {
                "q": q,
                "total_s": total,
                "first_token_s": d.get("first_token_s") or float("nan"),
                "first_shown_s": first[0] if first else float("nan"),
                "grounded": d.get("grounded", False),
                "citations": len(r.citations),
                "markers": r.text.count("[1]") + r.text.count("[2]") + r.text.count("[3]"),
                "numbers_total": d.get("numbers_total", 0),
                "numbers_backed": d.get("numbers_backed", 0),
                "removed": len(d.get("removed_sentences", [])),
                "text": r.text.replace("\n", " ")[:140],
            }
        )
    return {"rows": rows}


async def bench_ungrounded(generator, questions) -> list[float]:
    """The alternative: the same model asked without retrieval (no sources in the prompt)."""
    out = []
    for q in questions:
        t0 = time.perf_counter()
        res = await generator.generate([{"role": "user", "content": q}])
        out.append((res.first_token_s, time.perf_counter() - t0, res.texts[0]))
    return out


# ------------------------------------------------------------------------------ reports
class Frames:
    def __init__(self, behavior, reviews=None, catalog=None):
        self.b, self.r, self.c = behavior, reviews, catalog

    def behavior_frame(self, columns=None):
        return self.b

    def reviews_frame(self):
        return self.r if self.r is not None else pd.DataFrame()

    def catalog_frame(self):
        return self.c if self.c is not None else pd.DataFrame(columns=["item_id", "name", "category_id", "category"])


def bench_reports(rows: int, kinds) -> dict:
    from bot.reports import ReportEngine, ReportRequest
    from knowledge.insights.synthetic import make_behavior, make_reviews

    t = time.perf_counter()
    beh = make_behavior(rows, n_days=28)
    gen_s = time.perf_counter() - t
    rev = make_reviews(2000)
    eng = ReportEngine(Frames(beh, rev), Path(tempfile.mkdtemp(prefix="bench-charts-")))
    t = time.perf_counter()
    eng.warm()
    warm_s = time.perf_counter() - t
    eng.run(ReportRequest("funnel", days=1), "en")  # imports (matplotlib) out of the way
    out = {"rows": len(beh), "make_s": gen_s, "warm_s": warm_s, "reports": {}}
    from bot.errors import BotUserError

    for kind in kinds:
        t = time.perf_counter()
        eng.run(ReportRequest(kind), "en")
        cold = time.perf_counter() - t
        t = time.perf_counter()
        try:
            eng.run(ReportRequest(kind, days=7), "zh")
            scoped = time.perf_counter() - t
        except BotUserError:
            scoped = float("nan")
        t = time.perf_counter()
        eng.run(ReportRequest(kind), "en")
        cached = time.perf_counter() - t
        out["reports"][kind] = (cold, scoped, cached)
    # the alternative a user would write: pandas groupby/nunique on the raw frame, string users
    raw = beh.assign(behavior=beh["behavior"].astype(str))
    t = time.perf_counter()
    raw.groupby("behavior")["user"].nunique()
    raw.groupby(["item_id", "behavior"]).size().unstack(fill_value=0)
    out["naive_funnel_s"] = time.perf_counter() - t
    t = time.perf_counter()
    eng.invalidate()
    eng.make_charts = False
    eng.run(ReportRequest("funnel"), "en")
    out["engine_funnel_nochart_incl_prepare_s"] = time.perf_counter() - t
    return out


def report_exactness(behavior: pd.DataFrame, label: str) -> tuple[int, int, str]:
    """Report numbers vs a direct pandas computation: (checked, equal, label)."""
    from bot.reports import ReportEngine, ReportRequest

    eng = ReportEngine(Frames(behavior), Path(tempfile.mkdtemp()), charts=False)
    checks = []
    f = eng.run(ReportRequest("funnel"), "en").numbers
    users = behavior.groupby(behavior["behavior"].astype(str))["user"].nunique()
    events = behavior["behavior"].astype(str).value_counts()
    checks += [f["viewers"] == users.get("pv", 0), f["carters"] == users.get("cart", 0), f["favers"] == users.get("fav", 0), f["buyers"] == users.get("buy", 0)]
    checks += [f["views"] == events.get("pv", 0), f["buys"] == events.get("buy", 0)]
    checks.append(abs(f["view_to_buy"] - users.get("buy", 0) / users["pv"]) < 1e-12)
    top = eng.run(ReportRequest("top", n=10), "en").table
    buys = behavior[behavior["behavior"].astype(str) == "buy"].groupby("item_id").size().reset_index(name="n")
    expect = buys.sort_values(["n", "item_id"], ascending=[False, True]).head(10)
    checks += list(top["item_id"].to_numpy() == expect["item_id"].to_numpy()) + list(top["buys"].to_numpy() == expect["n"].to_numpy())
    day = behavior["ts"] // 86400
    tr = eng.run(ReportRequest("trends", days=7), "en").numbers
    end = day.max()
    this = behavior[(day > end - 7)]
    last = behavior[(day > end - 14) & (day <= end - 7)]
    checks += [tr["views_this"] == int((this["behavior"].astype(str) == "pv").sum()), tr["buys_last"] == int((last["behavior"].astype(str) == "buy").sum())]
    return len(checks), int(sum(bool(c) for c in checks)), label


def shared_behavior() -> pd.DataFrame | None:
    path = SHARED / "taobao_behavior_sample.csv"
    if not path.exists():
        return None
    df = pd.read_csv(path, header=None, names=["user", "item_id", "category_id", "behavior", "ts"])
    df["user"] = df["user"].astype(str)
    df["behavior"] = pd.Categorical(df["behavior"], categories=["pv", "cart", "fav", "buy"])
    return df


# ------------------------------------------------------------------------------ main
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer rounds, 1 model question, 2*10^5 report rows")
    ap.add_argument("--data-dir", type=Path, default=None, help="an already ingested data folder to reuse")
    ap.add_argument("--model-questions", type=int, default=None, help="questions answered by the real model (default 4, quick 1)")
    ap.add_argument("--rows", type=int, default=None, help="behaviour rows for the report benchmark (default 10^6)")
    ap.add_argument("--no-model", action="store_true", help="skip everything that needs the language model")
    args = ap.parse_args()
    n_model = args.model_questions if args.model_questions is not None else (1 if args.quick else 4)
    rows = args.rows or (200_000 if args.quick else 1_000_000)

    from growthpilot.config import load_config
    from growthpilot.wiring import build_assistant

    print(f"# bench_assistant — {time.strftime('%Y-%m-%d')}\n\nmachine: {machine()}\n")
    t = time.perf_counter()
    cfg_path = ensure_demo_data(args.data_dir)
    print(f"demo data ready in {time.perf_counter() - t:.1f} s ({cfg_path})\n")
    cfg = load_config(cfg_path)

    from llm.fake import FakeGenerator

    no_model = FakeGenerator()
    assistant = build_assistant(cfg, "team", generator=no_model, progress=False)
    r = bench_retrieval(cfg, assistant, 2 if args.quick else 5)
    print(f"## retrieval + prompt build (team index, {r['n']} queries)\np50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms (target ≤ 100 ms); queries with relevant sources: {r['with_sources']:.0%}\n")
    it = bench_intents(assistant)
    print(f"## intent classifier\nheld-out accuracy {it['accuracy']:.3f} on {it['n']} seed examples (USE + logistic regression + rules) vs {it['accuracy_tfidf']:.3f} for char-n-gram TF-IDF; classify p50 {it['p50_ms']:.1f} ms\n")

    rep = bench_reports(rows, ["funnel", "top", "trends", "segments", "sentiment", "recs", "forecast"])
    print(f"## reports at {rep['rows']:,} behaviour rows\nframe encode (once, cached): {rep['warm_s']:.2f} s\n")
    print("| report | first run (s) | --days 7, zh (s) | cached (s) |\n|---|---|---|---|")
    for k, (cold, scoped, cached) in rep["reports"].items():
        print(f"| {k} | {cold:.3f} | {scoped:.3f} | {cached:.4f} |")
    print(f"\nnaive pandas funnel (groupby/nunique on string users, no chart): {rep['naive_funnel_s']:.3f} s; engine funnel incl. encoding, no chart: {rep['engine_funnel_nochart_incl_prepare_s']:.3f} s\n")

    store = assistant.reports._provider()
    n, ok, label = report_exactness(store.behavior_frame(), "demo")
    print(f"## report exactness\n{label}: {ok}/{n} report numbers equal the direct pandas computation")
    shared = shared_behavior()
    if shared is not None:
        n2, ok2, label2 = report_exactness(shared, "taobao_behavior_sample (../shared/data)")
        print(f"{label2}: {ok2}/{n2}")
    else:
        print("../shared/data absent: skipped the Taobao sample")
    print()
    assistant.close()

    if args.no_model or n_model <= 0:
        return 0
    from growthpilot.wiring import build_generator

    t = time.perf_counter()
    gen = build_generator(cfg, progress=False)
    load_s = time.perf_counter() - t
    assistant = build_assistant(cfg, "team", generator=gen, progress=False)
    res = asyncio.run(bench_answers(assistant, n_model))
    print(f"## ask with the embedded model ({gen.model_id}; load {load_s:.1f} s)\n")
    print("| question | first token (s) | first text shown (s) | full reply (s) | citations | numbers backed | sentences removed |\n|---|---|---|---|---|---|---|")
    for row in res["rows"]:
        print(f"| {row['q']} | {row['first_token_s']:.1f} | {row['first_shown_s']:.1f} | {row['total_s']:.1f} | {row['citations']} | {row['numbers_backed']}/{row['numbers_total']} | {row['removed']} |")
    rows_ = res["rows"]
    grounded = [r for r in rows_ if r["grounded"]]
    cited = sum(1 for r in rows_ if r["citations"] >= 1)
    nt = sum(r["numbers_total"] for r in rows_)
    nb = sum(r["numbers_backed"] for r in rows_)
    removed = sum(r["removed"] for r in rows_)
    print(f"\nanswers with ≥ 1 citation: {cited}/{len(rows_)}; grounded (relevant sources found): {len(grounded)}/{len(rows_)}; "
          f"numbers shown backed by a source: {nb}/{nt}; sentences removed for an unsupported number: {removed}")
    for row in rows_:
        print(f"  - {row['q']} → {row['text']}")
    alt = asyncio.run(bench_ungrounded(gen, QUESTIONS[:n_model]))
    ft = [a[0] for a in alt]
    tot = [a[1] for a in alt]
    g_ft = [r["first_token_s"] for r in rows_]
    g_tot = [r["total_s"] for r in rows_]
    print(f"\nalternative (same model, no retrieval, no sources): first token median {statistics.median(ft):.1f} s, full reply {statistics.median(tot):.1f} s; "
          f"grounded/ungrounded ratio: first token {statistics.median(g_ft) / max(statistics.median(ft), 1e-9):.2f}x, full reply {statistics.median(g_tot) / max(statistics.median(tot), 1e-9):.2f}x")
    close = getattr(gen, "close", None)
    if callable(close):
        close()
    assistant.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
