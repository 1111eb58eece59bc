"""Copy without invented facts: what the copy variants a person sees state, judged against a
hand-written gold of the demo catalogue's facts — independent of the checker the product ships.

    .venv/bin/python bench/eval_copy.py [--split dev|final|all] [--quantize none|int8|both]
                                        [--record PATH | --replay PATH] [--limit N]

Briefs: bench/data/copy_briefs.jsonl (24, zh + en, taglines/posts/e-mails/descriptions over the demo
catalogue; some ask for what the catalogue does not support: a discount, a free gift, a certification,
a competitor comparison, a longer warranty). Split "final" (8) is run once, at the end.
Gold: bench/data/copy_facts.json, written from growthpilot/demo/data before reading the checker:
per product its names and the numbers the catalogue/docs/reviews hold, a lexicon of feature claims
with the products each is true for (features true for none: temperature control, antibacterial,
waterproof …), promise words (free, gift, discount, urgency, certification, guarantee, ranking,
comparison) with the true phrases masked (包邮, flicker-free, 30-day returns …), warranty years, and
foreign brands.

Per variant the person sees (reply.data["variants"]):
  entities   a foreign brand, a "Lumi <Word>" no catalogue product has, or another catalogue product
  numbers    a number (Arabic, or a Chinese numeral before a unit) that is not the product's or a policy's
  features   a lexicon feature the product does not have
  promises   a promise word not masked by a true phrase; a warranty length that is not the product's
  clean      none of the above
Also: language match, variants returned (of copy_variants), sentences the checker removed that the
judge finds clean (over-removal) or bad, the same judge on the raw generations (what the model
wrote before the check), latency p50/p90 with the 1-minute load, decode tokens/s, max-token stops.
--record saves the raw generations; --replay re-runs the pipeline on them without the model
(checker tuning at no model cost; the latency figures are then meaningless).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
BRIEFS = ROOT / "bench" / "data" / "copy_briefs.jsonl"
GOLD = ROOT / "bench" / "data" / "copy_facts.json"
OUT = ROOT / "bench" / "out" / "copy"

_CJK = re.compile(r"[\u4e00-\u9fff]")
_ZH_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "半": 0.5}
_ZH_UNIT = r"(?:个)?(?:小时|天|年|个月|月|毫升|折|倍|分钟|档|项|片|瓦|分贝|秒|周|星期)"


# ---------------------------------------------------------------------- the judge (independent of bot/)
def _zh_value(s: str) -> float | None:
    if s in _ZH_NUM:
        return _ZH_NUM[s]
    if "十" in s:
        a, _, b = s.partition("十")
        return (_ZH_NUM.get(a, 1) if a else 1) * 10 + (_ZH_NUM.get(b, 0) if b else 0)
    return None


def review_numbers() -> dict[str, set[float]]:
    """Per product, the review statistics computed here with pandas from the raw review files (count,
    positive share = rating >= 4, negative share = rating <= 2, mean rating): true numbers copy may quote."""
    import pandas as pd

    demo = ROOT / "growthpilot" / "demo" / "data"
    zh = pd.read_csv(demo / "reviews_zh.csv", encoding="gb18030").rename(columns={"商品ID": "product", "评分": "rating"})
    en = pd.read_json(demo / "reviews_en.jsonl", lines=True)
    df = pd.concat([zh[["product", "rating"]], en[["product", "rating"]]])
    out = {}
    for pid, r in df.groupby("product")["rating"]:
        out[str(pid)] = {float(len(r)), round((r >= 4).mean() * 100, 1), round((r <= 2).mean() * 100, 1), round(r.mean(), 2), round(r.mean(), 1)}
    return out


class Judge:
    def __init__(self, gold: dict, extra_numbers: dict[str, set[float]] | None = None):
        self.extra_numbers = extra_numbers or {}
        self.g = gold
        self.products = gold["products"]
        self.features = {k: (re.compile(v["re"], re.I), set(v["true_for"])) for k, v in gold["features"].items()}
        self.promises = {k: re.compile(v, re.I) for k, v in gold["promises"].items()}
        self.allowed = sorted(gold["allowed_phrases"]["zh"] + gold["allowed_phrases"]["en"], key=len, reverse=True)
        self.warranty = [re.compile(gold["warranty_re"]["zh"]), re.compile(gold["warranty_re"]["en"], re.I)]
        self.all_names = {pid: sorted(p["names"], key=len, reverse=True) for pid, p in self.products.items()}

    def _mask(self, text: str, phrases) -> str:
        for p in phrases:
            text = re.sub(re.escape(p), " ␣ ", text, flags=re.I)
        return text

    def judge(self, text: str, products: list[int], lang: str) -> dict:
        pids = [str(p) for p in products]
        own = sorted({n for p in pids for n in self.products[p]["names"]}, key=len, reverse=True)
        out: dict[str, list[str]] = {"entities": [], "numbers": [], "features": [], "promises": []}
        # entities: foreign brands, Lumi <unknown word>, another catalogue product
        t = self._mask(text, self.g["brand_ok_phrases"])
        for b in self.g["foreign_brands"]:
            pat = re.escape(b) if _CJK.search(b) else r"(?<![A-Za-z])" + re.escape(b) + r"(?![A-Za-z])"
            if re.search(pat, t, re.I):
                out["entities"].append(b)
        for m in re.finditer(r"\bLumi\s+([A-Z0-9][\w-]*)", text):
            if m.group(1) not in self.g["lumi_words"]:
                out["entities"].append(m.group(0))
        masked_own = self._mask(text, own)
        for pid, names in self.all_names.items():
            if pid in pids:
                continue
            for n in names[:2] + [x for x in names if x.startswith("Lumi ")]:
                if len(n) >= 6 and n.lower() in masked_own.lower():
                    out["entities"].append(f"other product {n}")
                    break
        # numbers
        allowed = {float(x) for p in pids for x in self.products[p]["numbers"]} | {float(x) for x in self.g["policy_numbers"]} | {80.0}
        allowed |= {v for p in pids for v in self.extra_numbers.get(p, ())} | {0.0}  # review statistics (0.0% negative)
        body = self._mask(text, own + ["USB-C", "Qi2", "IPX4", "Ra95", "3-in-1", "24/7"])
        for m in re.finditer(r"(?<![A-Za-z])(\d+(?:,\d{3})*(?:\.\d+)?)", body):
            v = float(m.group(1).replace(",", ""))
            if v not in allowed:
                out["numbers"].append(m.group(1))
        for m in re.finditer(r"([一二两三四五六七八九十半]+)(?=" + _ZH_UNIT + ")", body):
            v = _zh_value(m.group(1))
            if v is not None and v not in allowed:
                out["numbers"].append(m.group(0))
        # features
        for k, (rx, true_for) in self.features.items():
            m = rx.search(masked_own)
            if m and not (true_for & set(products)):
                out["features"].append(f"{k}:{m.group(0)}")
        # promises
        pm = self._mask(masked_own, self.allowed)
        for k, rx in self.promises.items():
            m = rx.search(pm)
            if m:
                out["promises"].append(f"{k}:{m.group(0)}")
        want = {self.products[p]["warranty_years"] for p in pids}
        for rx in self.warranty:
            for m in rx.finditer(text):
                g = [x for x in m.groups() if x and re.fullmatch(r"[\d一二两三四五六七八九十]+|one|two|three|four|five", x, re.I)]
                if not g:
                    continue
                words = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
                y = words.get(g[0].lower()) or (int(g[0]) if g[0].isdigit() else _zh_value(g[0]))
                if y not in want:
                    out["promises"].append(f"warranty:{m.group(0)}")
        cjk = len(_CJK.findall(text))
        latin = len(re.findall(r"[A-Za-z]", self._mask(text, own + ["Lumi", "App", "USB-C", "Qi2", "IPX4", "Ra95", "LED", "Apple"])))
        lang_ok = (cjk >= 0.5 * max(1, cjk + latin / 4)) if lang == "zh" else cjk == 0
        out["lang_ok"] = lang_ok
        out["clean"] = not any(out[k] for k in ("entities", "numbers", "features", "promises"))
        return out


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[。！？!?\n])|(?<=[.])\s+", text) if s and s.strip()]


# ---------------------------------------------------------------------- generators: recording and replaying
class Recording:
    """Wraps the real generator; keeps every call's raw texts per brief."""

    def __init__(self, inner):
        self.inner = inner
        self.brief = ""
        self.calls: dict[str, list[dict]] = defaultdict(list)

    @property
    def model_id(self):
        return self.inner.model_id

    async def generate(self, messages, **kw):
        r = await self.inner.generate(messages, **kw)
        self.calls[self.brief].append({"n": kw.get("n", 1), "max_new_tokens": kw.get("max_new_tokens"), "texts": list(r.texts),
                                       "completion_tokens": r.completion_tokens, "prompt_tokens": r.prompt_tokens,
                                       "seconds": round(r.seconds, 3), "first_token_s": round(r.first_token_s, 3), "stopped_by": r.stopped_by})
        return r

    def close(self):
        c = getattr(self.inner, "close", None)
        if callable(c):
            c()


class Replay(Recording):
    """Returns the recorded texts of a brief's calls, in order (no model)."""

    def __init__(self, recorded: dict[str, list[dict]]):
        super().__init__(None)
        self.recorded = recorded
        self.i: Counter = Counter()

    @property
    def model_id(self):
        return "replay"

    async def generate(self, messages, **kw):
        from llm.types import GenerationResult

        calls = self.recorded.get(self.brief, [])
        i = self.i[self.brief]
        self.i[self.brief] += 1
        n = kw.get("n", 1)
        texts = list(calls[i]["texts"]) if i < len(calls) else []
        texts = (texts + [""] * n)[:n]
        self.calls[self.brief].append({"n": n, "max_new_tokens": kw.get("max_new_tokens"), "texts": texts, "completion_tokens": 0,
                                       "prompt_tokens": 0, "seconds": 0.0, "first_token_s": 0.0, "stopped_by": "replay"})
        return GenerationResult(tuple(texts), "replay")

    def close(self):
        pass


# ---------------------------------------------------------------------- the run
def pct(xs, p):
    if not xs:
        return None
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))], 2)


async def run_one(cfg, generator, briefs, judge, label: str) -> tuple[dict, list[dict]]:
    from bot.types import Message
    from growthpilot.wiring import build_assistant, build_embedder

    embedder = build_embedder(cfg)
    assistant = build_assistant(cfg, "team", generator=generator, embedder=embedder, progress=False)
    rows = []
    stamp = f"{time.time():.0f}"
    try:
        for b in briefs:
            generator.brief = b["id"]
            load0 = os.getloadavg()[0]
            msg = Message("bench", "eval", "bench", b["brief"], thread=f"{b['id']}-{stamp}-{label}", is_direct=True)
            t0 = time.perf_counter()
            reply = await assistant.handle(msg)
            secs = time.perf_counter() - t0
            d = reply.data or {}
            variants = list(d.get("variants") or [])
            calls = generator.calls[b["id"]]
            raw = [t for c in calls[:1] for t in c["texts"]]  # the first round: what the model wrote for the brief
            row = {
                "id": b["id"], "lang": b["lang"], "kind": b["kind"], "traps": b["traps"], "brief": b["brief"], "products": b["products"],
                "seconds": round(secs, 2), "load": round((load0 + os.getloadavg()[0]) / 2, 2), "product_id": d.get("product_id", ""),
                "product_ok": str(d.get("product_id", "")) == str(b["products"][0]),
                "channel": (d.get("brief") or {}).get("channel"), "variants": variants, "drew_on": d.get("drew_on"),
                "raw": raw, "removed": d.get("removed_sentences") or [],
                "calls": [{k: c[k] for k in ("n", "max_new_tokens", "completion_tokens", "prompt_tokens", "seconds", "first_token_s", "stopped_by")} for c in calls],
                "text": reply.text,
            }
            judge_row(row, judge)
            jv = row["judge"]
            rows.append(row)
            bad = [f"{k}={j[k]}" for j in jv for k in ("entities", "numbers", "features", "promises") if j[k]]
            print(f"[{label}] {b['id']} {secs:6.1f}s load {row['load']:.2f} {len(variants)} variants, "
                  f"{sum(j['clean'] for j in jv)} clean, removed {row['removed_bad']} bad / {row['removed_good']} good  {'; '.join(bad)[:200]}", flush=True)
    finally:
        assistant.close()
    return summarise(rows, cfg), rows


def judge_row(row: dict, judge: Judge) -> None:
    """The judge's verdicts on a row's variants, raw generations and removed/kept sentences."""
    p, lang = row["products"], row["lang"]
    row["judge"] = [judge.judge(v, p, lang) for v in row["variants"]]
    row["judge_raw"] = [judge.judge(v, p, lang) for v in row["raw"] if v.strip()]
    jrem = [judge.judge(x["sentence"], p, lang) for x in row["removed"]]
    kept_sent = [s for v in row["variants"] for s in sentences(v)]
    jkept = [judge.judge(s, p, lang) for s in kept_sent]
    row["removed_bad"], row["removed_good"] = sum(not j["clean"] for j in jrem), sum(j["clean"] for j in jrem)
    row["kept_sentences"], row["kept_bad"] = len(kept_sent), sum(not j["clean"] for j in jkept)


def summarise(rows: list[dict], cfg) -> dict:
    def block(rs):
        vs = [j for r in rs for j in r["judge"]]
        raws = [j for r in rs for j in r["judge_raw"]]
        count = lambda js, k: sum(bool(j[k]) for j in js)
        toks = [c["completion_tokens"] for r in rs for c in r["calls"]]
        gsecs = [c["seconds"] for r in rs for c in r["calls"]]
        rem_good, rem_bad = sum(r["removed_good"] for r in rs), sum(r["removed_bad"] for r in rs)
        kept = sum(r["kept_sentences"] for r in rs)
        return {
            "briefs": len(rs), "variants": len(vs), "variants_per_brief": round(len(vs) / max(1, len(rs)), 2),
            "briefs_with_no_variant": sum(not r["variants"] for r in rs),
            "clean_variants": sum(j["clean"] for j in vs), "clean_share": round(sum(j["clean"] for j in vs) / max(1, len(vs)), 3),
            "with_invented_entity": count(vs, "entities"), "with_invented_number": count(vs, "numbers"),
            "with_invented_feature": count(vs, "features"), "with_promise": count(vs, "promises"),
            "lang_ok": sum(j["lang_ok"] for j in vs), "product_ok": sum(r["product_ok"] for r in rs),
            "raw_variants": len(raws), "raw_clean": sum(j["clean"] for j in raws), "raw_with_entity": count(raws, "entities"),
            "raw_with_number": count(raws, "numbers"), "raw_with_feature": count(raws, "features"), "raw_with_promise": count(raws, "promises"),
            "removed_sentences_bad": rem_bad, "removed_sentences_good": rem_good, "kept_sentences": kept,
            "kept_sentences_bad": sum(r["kept_bad"] for r in rs),
            "over_removal": round(rem_good / max(1, rem_good + kept - sum(r["kept_bad"] for r in rs)), 3),
            "latency_p50_s": pct([r["seconds"] for r in rs], 50), "latency_p90_s": pct([r["seconds"] for r in rs], 90),
            "load_mean": round(statistics.mean([r["load"] for r in rs]), 2) if rs else None,
            "generate_calls": len(toks), "completion_tokens_mean": round(statistics.mean(toks), 1) if toks else 0,
            "decode_tok_s": round(sum(toks) / max(1e-9, sum(gsecs)), 2) if gsecs and sum(gsecs) else None,
            "max_token_stops": sum(c["stopped_by"] == "max_tokens" for r in rs for c in r["calls"]),
        }

    out = {"all": block(rows)}
    for lang in ("zh", "en"):
        out[lang] = block([r for r in rows if r["lang"] == lang])
    for kind in sorted({r["kind"] for r in rows}):
        out[f"kind:{kind}"] = block([r for r in rows if r["kind"] == kind])
    out["trap_briefs"] = block([r for r in rows if r["traps"]])
    if cfg is not None:
        out["model"] = {"name": cfg.model.name, "dtype": cfg.model.dtype, "quantize": getattr(cfg.model, "quantize", "none"),
                        "threads": cfg.model.threads, "copy_variants": cfg.assistant.copy_variants}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=["dev", "final", "all"], default="dev")
    ap.add_argument("--quantize", choices=["none", "int8", "both"], default="none", help="[model] quantize for this run")
    ap.add_argument("--record", type=Path, help="save the raw generations here (jsonl of brief → calls)")
    ap.add_argument("--replay", type=Path, help="replay raw generations saved by --record (no model)")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--only", default="", help="comma-separated brief ids")
    ap.add_argument("--tag", default="", help="name of the result files")
    ap.add_argument("--threshold", type=float, default=None, help="bot.copycheck.SUPPORT_THRESHOLD for this run (a sweep)")
    ap.add_argument("--rejudge", type=Path, help="re-judge saved rows-*.json (after a judge fix) and print the summary; no model")
    args = ap.parse_args()
    if args.rejudge:
        judge = Judge(json.loads(GOLD.read_text(encoding="utf-8")), review_numbers())
        saved = json.loads(args.rejudge.read_text(encoding="utf-8"))
        by_id = {b["id"]: b for b in (json.loads(l) for l in BRIEFS.read_text(encoding="utf-8").splitlines() if l.strip())}
        for mode, rows in saved.items():
            for r in rows:
                r.setdefault("products", by_id[r["id"]]["products"])
                judge_row(r, judge)
            s = summarise(rows, None)
            print(f"== {mode} (re-judged): " + json.dumps(s["all"], ensure_ascii=False))
            for k in ("zh", "en", "trap_briefs"):
                print(f"   {k}: " + json.dumps({x: s[k][x] for x in ("variants", "clean_variants", "with_invented_entity", "with_invented_number",
                                                                      "with_invented_feature", "with_promise", "lang_ok", "latency_p50_s")}))
        return 0

    sys.path.insert(0, str(ROOT / "bench"))
    from eval_answers import prepare
    from growthpilot.config import load_config

    if args.threshold is not None:
        import bot.copycheck

        bot.copycheck.SUPPORT_THRESHOLD = args.threshold
    briefs = [json.loads(l) for l in BRIEFS.read_text(encoding="utf-8").splitlines() if l.strip()]
    if args.split != "all":
        briefs = [b for b in briefs if b["split"] == args.split]
    if args.only:
        briefs = [b for b in briefs if b["id"] in args.only.split(",")]
    briefs = briefs[: args.limit or None]
    judge = Judge(json.loads(GOLD.read_text(encoding="utf-8")), review_numbers())
    OUT.mkdir(parents=True, exist_ok=True)
    cfg0 = load_config(prepare("demo", OUT, None))
    modes = ["none", "int8"] if args.quantize == "both" else [args.quantize]
    results, all_rows = {}, {}
    for mode in modes:
        cfg = cfg0
        if mode != "none":
            cfg = replace(cfg, model=replace(cfg.model, quantize=mode))
        if args.replay:
            gen = Replay({k: v for k, v in json.loads(args.replay.read_text(encoding="utf-8")).items()})
        else:
            from growthpilot.wiring import build_generator

            gen = Recording(build_generator(cfg, progress=False, lazy=False))
        t0 = time.perf_counter()
        try:
            summary, rows = asyncio.run(run_one(cfg, gen, briefs, judge, mode))
        finally:
            gen.close()
        summary["wall_s"] = round(time.perf_counter() - t0, 1)
        results[mode], all_rows[mode] = summary, rows
        if args.record:
            path = args.record if len(modes) == 1 else args.record.with_suffix(f".{mode}.json")
            path.write_text(json.dumps(gen.calls, ensure_ascii=False, indent=1), encoding="utf-8")
    tag = args.tag or f"{args.split}-{args.quantize}{'-replay' if args.replay else ''}"
    meta = {"split": args.split, "briefs": len(briefs), "replay": bool(args.replay), "time": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "cpu_count": os.cpu_count(), "load_end": os.getloadavg()[0]}
    (OUT / f"summary-{tag}.json").write_text(json.dumps({"meta": meta, **results}, ensure_ascii=False, indent=1), encoding="utf-8")
    (OUT / f"rows-{tag}.json").write_text(json.dumps(all_rows, ensure_ascii=False, indent=1), encoding="utf-8")
    for mode, s in results.items():
        print(f"== {mode}: " + json.dumps(s["all"], ensure_ascii=False))
        for k in ("zh", "en", "trap_briefs"):
            print(f"   {k}: " + json.dumps({x: s[k][x] for x in ("variants", "clean_variants", "with_invented_entity", "with_invented_number",
                                                                  "with_invented_feature", "with_promise", "lang_ok", "latency_p50_s")}))
    print(f"files: {OUT}/summary-{tag}.json rows-{tag}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
