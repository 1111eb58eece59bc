"""Answer accuracy of the team assistant against gold answers computed independently with pandas.

    .venv/bin/python bench/eval_answers.py [--model embedded|fake] [--only number,top,...] [--limit N]

Questions: bench/data/answer_questions.jsonl by default, or --questions (answer_questions_holdout.jsonl and
answer_questions_final.jsonl: written without reading the question code; zh + en; "demo" = the bundled demo data,
"taobao" = ../shared/data/taobao_behavior_sample.csv + a per-category sample of the shared Chinese
shopping reviews); answer_questions_s3.jsonl (session 3, written before reading the question code) has a
"split" field — dev by default, `--split final` once at the end — and two-turn threads: a turn with
"followup_of" is asked in the thread of the turn it follows, after it. Each has a gold recipe; the gold value is computed here with pandas straight
from the raw files — never through the query layer. The assistant runs in-process (one model, one
embedder shared by all questions), as `growthpilot ask` would with the same data dir.

Scored per reply (what the person sees):
  number     the gold value, formatted as a reader sees it (1,234 · 6.6% · 2.35), is in the facts
  top        "k. <gold subject at rank k> — <gold value>" for k = 1..n (n = 1 unless the gold has "n"; any tied subject)
  direction  the direction word of the gold sign (went up/down, 上升/下降) and the gold current value
  opinion    facts are review aspects of the implied polarity; every cited review has that polarity
  why        the change of the gold item with its direction, and cited reviews of the implied polarity
  not_in_data  a plain "not in the data" (Not in the data / 数据里没有) and no metric number
  copy       the right catalogue product; no variant states a number, promise or brand the catalogue lacks
Also counted: wrong directions, wrong quantities (a number for another metric than the one asked),
invented entities (a name in model-written text that is in no catalogue/result), latency p50/p90.
Skips the taobao questions (with a note) when ../shared/data is absent.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
DEMO = ROOT / "growthpilot" / "demo" / "data"
QUESTIONS = ROOT / "bench" / "data" / "answer_questions.jsonl"
OUT = ROOT / "bench" / "out" / "answers"
REVIEWS_PER_CATEGORY = 300


def shared_data() -> Path | None:
    for p in (os.environ.get("GROWTHPILOT_SHARED_DATA"), ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data"):
        if p and Path(p, "taobao_behavior_sample.csv").is_file():
            return Path(p)
    return None


# ---------------------------------------------------------------------- the raw data, in pandas
def load_behavior(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, header=None, names=["user", "item", "category", "behavior", "ts"])
    df = df.dropna()
    df["day"] = df["ts"].astype("int64") // 86400
    df["hour"] = (df["ts"].astype("int64") % 86400) // 3600
    df["weekday"] = (df["day"] + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    return df


def demo_reviews() -> pd.DataFrame:
    zh = pd.read_csv(DEMO / "reviews_zh.csv", encoding="gb18030")
    zh = zh.rename(columns={"商品ID": "product", "评分": "rating", "评论": "text"})[["product", "rating", "text"]]
    en = pd.read_json(DEMO / "reviews_en.jsonl", lines=True).rename(columns={"review": "text"})[["product", "rating", "text"]]
    df = pd.concat([zh, en], ignore_index=True)
    df["sentiment"] = ["pos" if r >= 4 else "neg" if r <= 2 else "neutral" for r in df["rating"]]
    df["category"] = ""
    return df


def taobao_reviews(shared: Path, out: Path) -> tuple[pd.DataFrame, Path]:
    """A deterministic per-category sample of the Chinese shopping reviews (written to bench/out)."""
    df = pd.read_csv(shared / "reviews_zh_online_shopping.csv").dropna(subset=["review"])
    df = df[df["review"].astype(str).str.strip() != ""]
    df = df.drop_duplicates(subset=["cat", "review"])
    sample = pd.concat([g.iloc[:: max(1, len(g) // REVIEWS_PER_CATEGORY)].head(REVIEWS_PER_CATEGORY) for _, g in df.groupby("cat", sort=True)])
    path = out / "taobao_reviews_sample.csv"
    sample[["cat", "label", "review"]].rename(columns={"cat": "category"}).to_csv(path, index=False)
    s = sample.rename(columns={"cat": "category", "review": "text"})
    s["sentiment"] = ["pos" if int(v) == 1 else "neg" for v in s["label"]]
    s["rating"] = float("nan")
    s["product"] = ""
    return s[["product", "rating", "text", "sentiment", "category"]], path


CATALOG = pd.read_csv(DEMO / "catalog.csv")
NAMES = {int(r.item_id): (r.name, r.name_zh) for r in CATALOG.itertuples()}
CATS = {int(r.category_id): (r.category, r.category_zh) for r in CATALOG.itertuples()}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
UNITS = {"conversion_users": "ratio", "conversion_events": "ratio", "cart_to_buy": "ratio", "repeat_buyer_share": "ratio",
         "fav_to_buy": "ratio", "positive_share": "ratio", "negative_share": "ratio", "purchases_per_buyer": "number",
         "avg_rating": "number"}
CODE = {"views": "pv", "carts": "cart", "favs": "fav", "buys": "buy"}


def window(df: pd.DataFrame, period, offset: int = 0) -> pd.DataFrame:
    """The last N days of the log (the log's last day = the end), `offset` (or the period's own "offset")
    periods of N days further back."""
    if period == "all":
        return df
    n = period["last_days"]
    offset += int(period.get("offset", 0))
    end = int(df["day"].max()) - offset * n
    return df[(df["day"] > end - n) & (df["day"] <= end)]


def users(df, code=None) -> set:
    return set(df["user"] if code is None else df.loc[df["behavior"] == code, "user"])


def metric_value(metric: str, df: pd.DataFrame | None, reviews: pd.DataFrame | None):
    if metric in ("reviews", "avg_rating", "negative_share", "positive_share"):
        r = reviews
        if metric == "reviews":
            return len(r)
        if metric == "avg_rating":
            return float(r["rating"].dropna().mean())
        return float((r["sentiment"] == ("neg" if metric == "negative_share" else "pos")).mean()) if len(r) else None
    if metric in CODE:
        return int((df["behavior"] == CODE[metric]).sum())
    if metric == "users":
        return len(users(df))
    if metric in ("viewers", "carters", "favers", "buyers"):
        return len(users(df, {"viewers": "pv", "carters": "cart", "favers": "fav", "buyers": "buy"}[metric]))
    if metric == "cart_no_buy_users":
        return len(users(df, "cart") - users(df, "buy"))
    if metric == "conversion_users":
        return len(users(df, "buy")) / max(1, len(users(df, "pv")))
    if metric == "conversion_events":
        return int((df["behavior"] == "buy").sum()) / max(1, int((df["behavior"] == "pv").sum()))
    if metric == "cart_to_buy":
        c = users(df, "cart")
        return len(c & users(df, "buy")) / max(1, len(c))
    if metric == "repeat_buyer_share":
        b = df[df["behavior"] == "buy"].groupby("user").size()
        return float((b >= 2).sum() / max(1, len(b)))
    if metric == "purchases_per_buyer":
        return int((df["behavior"] == "buy").sum()) / max(1, len(users(df, "buy")))
    raise KeyError(metric)


def scoped(gold: dict, data: dict):
    df = data["behavior"]
    if gold.get("item") is not None:
        df = df[df["item"] == gold["item"]]
    if gold.get("category") is not None:
        df = df[df["category"] == gold["category"]]
    rv = data["reviews"]
    if gold.get("review_category"):
        rv = rv[rv["category"] == gold["review_category"]]
    if gold.get("item") is not None:
        rv = rv[rv["product"].astype(str) == str(gold["item"])]
    if gold.get("sentiment"):
        rv = rv[rv["sentiment"] == gold["sentiment"]]
    return df, rv


def ranking(metric: str, df: pd.DataFrame, by: str) -> pd.Series:
    """The metric per subject. Counts of an event: subjects with at least one such event; user counts: subjects
    with at least one such user; rates: every subject with the rate's denominator."""
    code = CODE.get(metric)
    if code:
        return df[df["behavior"] == code].groupby(by).size()
    values = {}
    for key, g in df.groupby(by):
        if metric.startswith("conversion") and not (g["behavior"] == "pv").any():
            continue
        if metric == "cart_to_buy" and not (g["behavior"] == "cart").any():
            continue
        v = metric_value(metric, g, None)
        if metric in ("viewers", "carters", "favers", "buyers", "cart_no_buy_users") and not v:
            continue
        values[key] = v
    return pd.Series(values, dtype=float)


def fmt(v, unit: str) -> str:
    if unit == "ratio":
        pct = v * 100
        return f"{pct:.2f}%" if abs(pct) < 1 and pct != 0 else f"{pct:.1f}%"
    if unit == "number":
        return f"{v:.2f}"
    return f"{int(round(v)):,}"


def subject_names(by: str, key, dataset: str) -> list[str]:
    if by == "item":
        return [*NAMES.get(int(key), ()), str(key)] if dataset == "demo" else [str(key)]
    if by == "category":
        return [*CATS.get(int(key), ()), str(key)] if dataset == "demo" else [str(key)]
    if by == "weekday":
        return [WEEKDAYS[int(key)], WEEKDAYS_ZH[int(key)], str(key)]
    if by == "hour":
        return [f"{int(key):02d}:00", str(key)]
    return [str(key)]


# ---------------------------------------------------------------------- scoring
UP = ("went up", "上升")
DOWN = ("went down", "下降")
NOT_IN = ("Not in the data", "数据里没有")
PROMISE = re.compile(r"免费|赠送|赠品|包邮|折扣|打折|优惠|立减|特价|认证|专利|保修|质保|第一|free|gift|discount|% off|\bsale\b|certif|guarantee|warranty|best.selling|no\.?\s?1", re.I)


def facts_part(text: str) -> str:
    return text.split("How this was computed")[0].split("计算方式")[0]


def score(q: dict, reply, data: dict, store_reviews: dict) -> dict:
    gold, kind, text = q["gold"], q["kind"], reply.text
    d = reply.data
    res = {"ok": False, "wrong_direction": False, "wrong_quantity": False, "invented_entity": False, "why": ""}
    if kind == "not_in_data":
        first = text.splitlines()[0] if text else ""
        res["ok"] = text.startswith(NOT_IN) and d.get("kind") == "not_in_data"
        res["why"] = "" if res["ok"] else f"said: {first[:80]}"
        return res
    if kind == "copy":
        variants = d.get("variants") or []
        row = CATALOG[CATALOG["item_id"] == gold["item"]].iloc[0]
        allowed = " ".join(str(x) for x in row.values) + " " + q["question"]
        allowed_nums = set(re.findall(r"\d+(?:\.\d+)?", allowed))
        names = {w.lower() for n in CATALOG["name"] for w in str(n).split()} | {"lumi"}
        bad = []
        for v in variants:
            nums = [n for n in re.findall(r"\d+(?:\.\d+)?", v) if n not in allowed_nums]
            promise = PROMISE.search(v) if not PROMISE.search(allowed) else None
            brands = [w for w in re.findall(r"\b[A-Z][a-zA-Z]{2,}\b", v) if w.lower() not in names and w.lower() not in allowed.lower()
                      and re.search(r"[\u4e00-\u9fff]", v)]
            if nums or promise or brands:
                bad.append({"variant": v[:60], "numbers": nums, "promise": promise.group(0) if promise else "", "brands": brands})
        res["invented_entity"] = any(b["brands"] for b in bad)
        res["ok"] = str(d.get("product_id")) == str(gold["item"]) and bool(variants) and not bad
        res["why"] = "" if res["ok"] else f"product={d.get('product_id')} variants={len(variants)} invented={bad[:2]}"
        return res
    model_text = d.get("interpretation", "") if d.get("kind") == "query" else text
    res["invented_entity"] = bool(model_text) and invented(model_text, data)
    if kind in ("opinion", "why"):
        pol = gold["polarity"]
        cited = [c.id for c in reply.citations if c.kind == "review"]
        pols = [store_reviews.get(c) for c in cited]
        good_pol = bool(cited) and all(p == pol for p in pols)
        if kind == "opinion":
            spec = d.get("spec") or {}
            sent = [f["values"] for f in spec.get("filters", []) if f["dim"] == "sentiment"]
            res["ok"] = good_pol and spec.get("metric") == "aspect_mentions" and sent == [[pol]]
            res["why"] = "" if res["ok"] else f"spec={spec} cited polarities={pols}"
            return res
        df = data["behavior"]
        cur = metric_value(gold["metric"], window(df[df["item"] == gold["item"]], {"last_days": gold["days"]}), None)
        prev = metric_value(gold["metric"], window(df[df["item"] == gold["item"]], {"last_days": gold["days"]}, offset=1), None)
        names = subject_names("item", gold["item"], q["dataset"])
        first = next((l for l in facts_part(text).splitlines() if any(n in l for n in names)), "")
        words = DOWN if cur < prev else UP
        res["wrong_direction"] = bool(first) and any(w in first for w in (UP if cur < prev else DOWN))
        res["ok"] = bool(first) and any(w in first for w in words) and fmt(cur, "ratio") in first and good_pol
        res["why"] = "" if res["ok"] else f"line={first[:100]!r} cited={pols}"
        return res
    if d.get("kind") != "query":
        res["why"] = f"no query (kind={d.get('kind')}, intent={d.get('intent')}): {text[:80]!r}"
        return res
    spec = d.get("spec") or {}
    asked = gold["metric"]
    if spec.get("metric") != asked:
        res["wrong_quantity"] = True
        res["why"] = f"answered {spec.get('metric')} for {asked}"
        return res
    body = facts_part(text)
    unit = UNITS.get(asked, "count")
    if kind == "number":
        df, rv = scoped(gold, data)
        v = metric_value(asked, window(df, gold["period"]), rv)
        res["ok"] = fmt(v, unit) in body
        res["why"] = "" if res["ok"] else f"gold {fmt(v, unit)}; got {body.splitlines()[0][:100]!r}"
    elif kind == "top":
        df, _ = scoped(gold, data)
        counts = ranking(asked, window(df, gold["period"]), gold["by"])
        ordered = counts.sort_values(ascending=gold["order"] != "top")
        misses = []
        for rank in range(1, int(gold.get("n", 1)) + 1):  # rank k: any subject tied with the k-th value
            if rank > len(ordered):
                break
            val = ordered.iloc[rank - 1]
            keys = counts[counts == val].index
            want = [f"{rank}. {n} — {fmt(val, unit)}" for k in keys for n in subject_names(gold["by"], k, q["dataset"])]
            if not any(w in body for w in want):
                misses.append(want[:2])
        res["ok"] = not misses
        res["why"] = "" if res["ok"] else f"gold {misses[0]}; got {body.splitlines()[1:1 + int(gold.get('n', 1))]}"
    elif kind == "direction":
        df, rv = scoped(gold, data)
        p = {"last_days": gold["days"]}
        cur, prev = metric_value(asked, window(df, p), rv), metric_value(asked, window(df, p, 1), rv)
        first = body.splitlines()[0] if body else ""
        right = UP if cur > prev else DOWN if cur < prev else ("unchanged", "持平")
        wrong = DOWN if cur > prev else UP if cur < prev else ()
        res["wrong_direction"] = any(w in first for w in wrong)
        res["ok"] = any(w in first for w in right) and fmt(cur, unit) in first and fmt(prev, unit) in first
        res["why"] = "" if res["ok"] else f"gold {fmt(prev, unit)}→{fmt(cur, unit)}; got {first[:120]!r}"
    return res


def invented(text: str, data: dict) -> bool:
    from bot.claims import ClaimChecker

    checker = ClaimChecker([], data["entities"], "", (), " ".join(data.get("context_words", [])))
    return any(r.startswith("names ") for s in re.split(r"(?<=[.!?。！？])\s*", text) if s.strip() for r in checker._check_entities(s))


# ---------------------------------------------------------------------- data dirs
def prepare(name: str, base: Path, ingest: list[tuple[str, Path]] | None) -> Path:
    """A data dir with the data ingested (once; reused by later runs)."""
    d = base / name
    cfg = d / "config.toml"
    if (d / "ready").exists():
        return cfg
    d.mkdir(parents=True, exist_ok=True)
    cfg.write_text(f'[data]\ndir = "{d / "data"}"\n[privacy]\nkey_file = "{d / "key"}"\n', encoding="utf-8")
    py = [sys.executable, "-m", "growthpilot.cli", "--config", str(cfg)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if ingest is None:
        subprocess.run(py + ["demo", "--no-model"], check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    else:
        for i, (kind, path) in enumerate(ingest):
            last = i == len(ingest) - 1
            subprocess.run(py + ["ingest", kind, str(path)] + ([] if last else ["--no-index"]), check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    (d / "ready").write_text("ok")
    return cfg


def review_polarity(cfg_path: Path) -> dict:
    from growthpilot.config import load_config
    from growthpilot.wiring import open_store

    store = open_store(load_config(cfg_path))
    try:
        r = store.reviews_frame()
    finally:
        store.close()
    out = {}
    for row in r.itertuples():
        lab = getattr(row, "label", None)
        rating = getattr(row, "rating", None)
        if lab is not None and not pd.isna(lab):
            out[row.id] = "pos" if int(lab) == 1 else "neg"
        elif rating is not None and not pd.isna(rating):
            out[row.id] = "pos" if rating >= 4 else "neg" if rating <= 2 else "neutral"
    return out


async def run_all(args) -> dict:
    from bot.types import Message
    from growthpilot.config import load_config
    from growthpilot.wiring import build_assistant, build_embedder, build_generator

    OUT.mkdir(parents=True, exist_ok=True)
    questions = [json.loads(l) for l in Path(args.questions).read_text(encoding="utf-8").splitlines() if l.strip()]
    by_id = {q["id"]: q for q in questions}
    if args.split != "all" and any("split" in q for q in questions):
        want = args.split or "dev"
        questions = [q for q in questions if q.get("split", "dev") == want]
        print(f"split {want}: {len(questions)} turns (the 'final' split is run once, at the end: --split final)")
    if args.only:
        questions = [q for q in questions if q["kind"] in args.only.split(",")]
    if args.ids:
        questions = [q for q in questions if q["id"] in set(args.ids.split(","))]
    shared = shared_data()
    datasets = {"demo": {"behavior": load_behavior(DEMO / "behavior.csv"), "reviews": demo_reviews(), "cfg": prepare("demo", OUT, None)}}
    if shared is not None:
        rv, path = taobao_reviews(shared, OUT)
        datasets["taobao"] = {"behavior": load_behavior(shared / "taobao_behavior_sample.csv"), "reviews": rv,
                              "cfg": prepare("taobao", OUT, [("behavior", shared / "taobao_behavior_sample.csv"), ("reviews", path)])}
    else:
        print("note: ../shared/data absent: the taobao questions are skipped")
    questions = [q for q in questions if q["dataset"] in datasets][: args.limit or None]
    cfg0 = load_config(datasets["demo"]["cfg"])
    embedder = build_embedder(cfg0)
    if args.model == "fake":
        from llm.fake import FakeGenerator

        generator = FakeGenerator(default="")
    else:
        generator = build_generator(cfg0, progress=False)
    rows = []
    stamp = f"{time.time():.0f}"
    started = time.perf_counter()
    try:
        # the model-heavy copy briefs last, so that a --deadline-s leaves out copy rather than data questions
        for name, ds in sorted(datasets.items(), key=lambda kv: kv[0] == "demo"):
            qs = sorted((q for q in questions if q["dataset"] == name), key=lambda q: q["kind"] == "copy")
            if not qs:
                continue
            cfg = load_config(ds["cfg"])
            from dataclasses import replace

            cfg = replace(cfg, assistant=replace(cfg.assistant, copy_variants=args.copy_variants))
            assistant = build_assistant(cfg, "team", generator=generator, embedder=embedder, progress=False)
            ds["entities"] = assistant.answers.entities()
            ds["context_words"] = [w for n in CATALOG["name"] for w in str(n).split()]
            pols = review_polarity(ds["cfg"])
            asked: set[str] = set()
            try:
                for q in qs:
                    if args.deadline_s and time.perf_counter() - started > args.deadline_s:
                        print(f"deadline: {len(rows)} questions answered, the rest left out", flush=True)
                        break
                    # a follow-up is asked in the thread of its first turn, after it (asked unscored if this run left it out)
                    chain = [q]
                    while "followup_of" in chain[0]:
                        chain.insert(0, by_id[chain[0]["followup_of"]])
                    thread = f"{chain[0]['id']}-{stamp}"
                    for before in chain[:-1]:
                        if before["id"] not in asked:
                            await assistant.handle(Message("bench", "eval", "bench", before["question"], thread=thread, is_direct=True))
                            asked.add(before["id"])
                    msg = Message("bench", "eval", "bench", q["question"], thread=thread, is_direct=True)  # no other history
                    t0 = time.perf_counter()
                    reply = await assistant.handle(msg)
                    asked.add(q["id"])
                    secs = time.perf_counter() - t0
                    s = score(q, reply, ds, pols)
                    rows.append({**q, **s, "seconds": round(secs, 3), "text": reply.text[:400], "data_kind": reply.data.get("kind"),
                                 "spec": reply.data.get("spec"), "interpretation": reply.data.get("interpretation", ""),
                                 "interpretation_dropped": reply.data.get("interpretation_dropped", []),
                                 "citations": [[c.id, c.title] for c in reply.citations]})
                    flag = "ok " if s["ok"] else "BAD"
                    print(f"{flag} {secs:5.2f}s [{q['lang']} {q['dataset']} {q['kind']}{' follow-up' if 'followup_of' in q else ''}] {q['question']}" + ("" if s["ok"] else f"  — {s['why']}"), flush=True)
            finally:
                assistant.close()
    finally:
        close = getattr(generator, "close", None)
        if callable(close):
            close()
    return summarise(rows, args)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else 0.0


def summarise(rows: list[dict], args) -> dict:
    from _machine import cpu_model

    def block(rs):
        return {"n": len(rs), "correct": sum(r["ok"] for r in rs), "accuracy": round(sum(r["ok"] for r in rs) / max(1, len(rs)), 3),
                "wrong_directions": sum(r["wrong_direction"] for r in rs), "wrong_quantities": sum(r["wrong_quantity"] for r in rs),
                "invented_entities": sum(r["invented_entity"] for r in rs),
                "p50_s": round(pct([r["seconds"] for r in rs], 50), 3), "p90_s": round(pct([r["seconds"] for r in rs], 90), 3)}

    out = {"all": block(rows), "by_lang": {l: block([r for r in rows if r["lang"] == l]) for l in ("zh", "en")},
           "by_kind": {k: block([r for r in rows if r["kind"] == k]) for k in sorted({r["kind"] for r in rows})},
           "by_dataset": {k: block([r for r in rows if r["dataset"] == k]) for k in sorted({r["dataset"] for r in rows})},
           "follow_ups": block([r for r in rows if "followup_of" in r]),
           "model": args.model, "copy_variants": args.copy_variants, "machine": f"{cpu_model()}, {os.cpu_count()} cores", "load": os.getloadavg()}
    (OUT / f"eval_answers{'' if Path(args.questions) == QUESTIONS else '_' + Path(args.questions).stem}{'_' + args.split if args.split else ''}{'_ids' if args.ids else ''}{'_' + args.model}.json").write_text(json.dumps({"summary": out, "rows": rows}, ensure_ascii=False, indent=1), encoding="utf-8")
    return out


ASK_QUESTIONS = (
    "整体转化率是多少？", "Which category sells most?", "Did conversion go up or down in the last 7 days?",
    "What was our ad spend in October?", "Which product's conversion dropped in the last 7 days, and why?",
)


def ask_processes(repeat: int) -> dict:
    """A new `growthpilot ask` process per question, as a person at a terminal runs it: wall time of the
    process (interpreter, imports, start-up, answer), and the command's own start-up / first text / total."""
    cfg = prepare("demo", OUT, None)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rows = []
    for _ in range(repeat):
        for q in ASK_QUESTIONS:
            t0 = time.perf_counter()
            p = subprocess.run([sys.executable, "-m", "growthpilot.cli", "--config", str(cfg), "ask", q, "--timing", "--thread", f"p{time.time()}"],
                               cwd=ROOT, env=env, capture_output=True, text=True)
            wall = time.perf_counter() - t0
            m = re.search(r"timing: build ([\d.]+) s, first text ([\d.]+) s, answer ([\d.]+) s", p.stderr)
            row = {"question": q, "rc": p.returncode, "wall_s": round(wall, 2)}
            if m:
                b, f, a = map(float, m.groups())
                row.update(build_s=b, first_text_s=f, answer_s=a, before_command_s=round(wall - a, 2))
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
    keys = ("wall_s", "before_command_s", "build_s", "first_text_s", "answer_s")
    return {k: {"p50": round(pct([r[k] for r in rows if k in r], 50), 2), "p90": round(pct([r[k] for r in rows if k in r], 90), 2)} for k in keys}


FLOOR_RELEVANT = (
    "What do customers complain about?", "客户最常抱怨什么？", "What do customers praise?", "顾客最喜欢我们产品的什么？",
    "Why did Lumi Buds Pro conversion drop?", "为什么降噪耳机的转化率下降了？", "what do people say about the battery of the Buds Pro",
    "智能保温水杯的评价怎么样", "complaints about the Halo Desk Lamp", "香薰加湿器有什么问题", "is the smart scale accurate",
    "客服回复慢吗", "shipping was slow", "包装怎么样",
)


def floors() -> dict:
    """The relevance floor, measured: best dense cosine of on-topic review questions vs the questions
    with no answer in the data, over the demo index (the retriever the answers use)."""
    from growthpilot.config import load_config
    from growthpilot.wiring import build_embedder
    from knowledge.search import KnowledgeBase

    cfg = load_config(prepare("demo", OUT, None))
    kb = KnowledgeBase.open(Path(cfg.data.dir), build_embedder(cfg), cfg.index, cfg.search)
    team = kb.retriever("internal")
    questions = [json.loads(l) for l in QUESTIONS.read_text(encoding="utf-8").splitlines() if l.strip()]
    off = [q["question"] for q in questions if q["kind"] == "not_in_data"]

    def best(q, **kw):
        hits = team.search(q, 5, **kw)
        return max([float(h.metadata.get("best_similarity", h.metadata.get("similarity", 0)) or 0) for h in hits] or [0.0])

    on_s = [best(q) for q in FLOOR_RELEVANT]
    off_s = [best(q) for q in off]
    out = {"relevant": sorted(round(x, 3) for x in on_s), "not_in_data": sorted(round(x, 3) for x in off_s)}
    for floor in (0.15, 0.2, 0.25, 0.3, 0.35, 0.4):
        out[f"floor {floor}"] = {"relevant kept": sum(x >= floor for x in on_s), "of": len(on_s),
                                 "not-in-data let through": sum(x >= floor for x in off_s), "of_off": len(off_s)}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", choices=["embedded", "fake"], default="embedded",
                    help="embedded: the configured offline model; fake: no model (checks the code path only)")
    ap.add_argument("--only", default="", help="comma-separated kinds: number,top,direction,opinion,why,not_in_data,copy")
    ap.add_argument("--questions", default=str(QUESTIONS),
                    help="question set (default bench/data/answer_questions.jsonl; held out: answer_questions_holdout.jsonl, "
                         "answer_questions_final.jsonl — the final one is run once, untuned)")
    ap.add_argument("--split", default="", choices=["", "dev", "final", "all"],
                    help="for a set with a split field (answer_questions_s3.jsonl): dev (default) or final (run once, at the end)")
    ap.add_argument("--limit", type=int, default=0, help="at most this many questions")
    ap.add_argument("--ids", default="", help="comma-separated question ids (a sample, e.g. for the model path)")
    ap.add_argument("--copy-variants", type=int, default=1, help="variants per copy brief (default 1: CPU time)")
    ap.add_argument("--deadline-s", type=float, default=0, help="stop asking after this many seconds and summarise what was asked")
    ap.add_argument("--ask-process", type=int, default=0, metavar="N",
                    help="instead: time N rounds of a new `growthpilot ask` process per question (start-up, first text, total)")
    ap.add_argument("--floors", action="store_true", help="instead: measure the retrieval relevance floor (on-topic vs not-in-the-data questions)")
    args = ap.parse_args()
    if args.floors:
        print(json.dumps(floors(), indent=1))
        return 0
    if args.ask_process:
        print(f"load before: {os.getloadavg()}")
        print(json.dumps(ask_processes(args.ask_process), indent=1))
        print(f"load after: {os.getloadavg()}")
        return 0
    if not Path(args.questions).exists():
        print(f"missing {args.questions}")
        return 1
    print(f"load before: {os.getloadavg()}")
    summary = asyncio.run(run_all(args))
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
