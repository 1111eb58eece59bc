"""Support answers over the bundled demo shop's docs, scored against bench/data/support_questions.jsonl.

    .venv/bin/python bench/eval_support.py [--split dev|test|all] [--show-misses] [--rephrase N]
    .venv/bin/python bench/eval_support.py --questions bench/data/support_holdout2.jsonl --split holdout2
    .venv/bin/python bench/eval_support.py --questions bench/data/support_holdout3.jsonl --split holdout3

Builds the public collection of the demo data (catalogue + docs, en and zh) in a temp folder with the
default embedder (USE v3) + BM25, then sends every question as a customer message to the real
`Assistant` (redaction, sentiment, hand-over rules, section retrieval, extractive answers). A question
with `history` is asked after its earlier turns, in the same conversation. Reports:

  R@1              the answering passage group is one of the gold ones (answerable questions)
  right            an answerable question gets a reply holding every gold fact, none of the forbidden
                   patterns, in the question's language, not handed over; a hand-over question is
                   handed over
  invented claims  reply sentences the faithfulness check finds unsupported by the passage used
  language match   reply language == question language (all questions)
  hand-over        precision / recall against `expect == "handover"`
  latency          p50 / p90 of Assistant.handle for the question itself (history turns untimed)

`--rephrase N` also runs the first N answerable dev questions with [assistant] support_rephrase = true
through the embedded model (Qwen2.5 0.5B on CPU: minutes to load) and reports its latency and how many
drafts the faithfulness check kept.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
QUESTIONS = ROOT / "bench" / "data" / "support_questions.jsonl"


def build_public_kb(root: Path, embedder):
    """The demo shop's public collection (catalogue pages + docs) in `root`, as `growthpilot demo` builds it."""
    from growthpilot.demo import DATA_DIR
    from knowledge.indexing import update_collection
    from knowledge.ingest import ingest_catalog, ingest_docs
    from knowledge.privacy import Privacy
    from knowledge.search import collection_path, open_public_retriever
    from knowledge.settings import IndexSettings, IngestSettings, SearchSettings
    from knowledge.store import Store

    store = Store.open(root)
    privacy = Privacy.from_key(b"eval-support-key-0123456789abcdef")
    ingest_catalog(DATA_DIR / "catalog.csv", store, privacy, IngestSettings(), progress=False)
    ingest_docs(DATA_DIR / "docs", store, privacy, IngestSettings(), progress=False)
    update_collection(collection_path(root, "public"), "public", store.documents("public"), embedder, IndexSettings(), progress=False)
    return open_public_retriever(root, embedder, IndexSettings(), SearchSettings())


def norm(text: str) -> str:
    t = text.lower().replace("–", "-").replace("—", "-").replace("～", "-").replace("~", "-")
    return re.sub(r"\s+", "", t)


def has_fact(reply: str, fact: str) -> bool:
    return any(norm(alt) in norm(reply) for alt in fact.split("|"))


def load(split: str, path: Path = QUESTIONS) -> list[dict]:
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows if split == "all" else [r for r in rows if r["split"] == split]


class Notifier:
    def __init__(self):
        self.sent = []

    async def __call__(self, handover):
        self.sent.append(handover)


def make_assistant(tmp: Path, retriever, *, generator=None, rephrase: bool = False):
    from bot.assistant import Assistant
    from bot.settings import AssistantSettings
    from llm.fake import FakeGenerator

    settings = AssistantSettings(default_locale="zh", support_rephrase=rephrase)
    notifier = Notifier()
    a = Assistant(settings, generator=generator or FakeGenerator(default="(the model was called)"), team_retriever=None,
                  public_retriever=retriever, store_path=tmp / "assistant.sqlite", reports=None, notify_handover=notifier)
    return a, notifier


def passages_of(a, reply) -> list[str]:
    """The texts of the passage group the reply was built from (both languages)."""
    ids = {reply.data.get("passage"), reply.data.get("passage_also")} - {None}
    if not ids:
        return []
    out = []
    for c in a._support._finder.find(reply.data.get("query", "")):
        if any(v.id in ids for v in c.versions.values()):
            out += [v.title + "\n" + v.body for v in c.versions.values()]
    return out


def strip_template(text: str) -> str:
    from bot.support.responder import LEADS

    for lead in LEADS:
        text = text.replace(lead, "")
    return text


async def run_questions(a, rows: list[dict]) -> list[dict]:
    from bot.lang import detect_language
    from bot.support.faithfulness import invented_claims
    from bot.types import Message

    out = []
    for i, row in enumerate(rows):
        thread = f"t{i}"

        def msg(text: str) -> Message:
            return Message("telegram", "eval", "cust", text, thread=thread, audience="customer", is_direct=True)

        for h in row["history"]:
            await a.handle(msg(h))
        t0 = time.perf_counter()
        reply = await a.handle(msg(row["question"]))
        dt = time.perf_counter() - t0
        group = reply.data.get("passage_group", "")
        used = passages_of(a, reply) if not reply.handover else []
        invented = [r for r in invented_claims(strip_template(reply.text), used, row["question"])] if used else []
        lang_ok = detect_language(reply.text, "zh") == row["lang"]
        if row["expect"] == "handover":
            right = reply.handover
        else:
            right = (not reply.handover and lang_ok and all(has_fact(reply.text, f) for f in row["facts"])
                     and not any(re.search(p, reply.text, re.I) for p in row["forbidden"]))
        out.append({**row, "reply": reply.text, "handover": reply.handover, "group": group, "seconds": dt,
                    "r1": bool(group) and group in row["gold"], "right": right, "lang_ok": lang_ok,
                    "invented": [f"{r.sentence} ({r.reason})" for r in invented], "score": reply.data.get("passage_score"),
                    "answer": reply.data.get("answer", "")})
    return out


def report(results: list[dict], label: str) -> dict:
    ans = [r for r in results if r["expect"] == "answer"]
    ho_exp = [r for r in results if r["expect"] == "handover"]
    ho_got = [r for r in results if r["handover"]]
    tp = sum(1 for r in ho_got if r["expect"] == "handover")
    secs = sorted(r["seconds"] for r in results)
    q = statistics.quantiles(secs, n=10) if len(secs) >= 2 else secs * 9
    fig = {
        "split": label,
        "questions": len(results),
        "answerable": len(ans),
        "handover_expected": len(ho_exp),
        "r_at_1": round(sum(r["r1"] for r in ans) / max(1, len(ans)), 3),
        "right": round(sum(r["right"] for r in results) / max(1, len(results)), 3),
        "right_answerable": round(sum(r["right"] for r in ans) / max(1, len(ans)), 3),
        "invented_claims": sum(len(r["invented"]) for r in results),
        "language_match": round(sum(r["lang_ok"] for r in results) / max(1, len(results)), 3),
        "handover_precision": round(tp / max(1, len(ho_got)), 3),
        "handover_recall": round(tp / max(1, len(ho_exp)), 3),
        "latency_p50_s": round(statistics.median(secs), 3),
        "latency_p90_s": round(q[8], 3),
    }
    print(json.dumps(fig, ensure_ascii=False))
    return fig


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=("dev", "test", "holdout", "holdout2", "final", "holdout3", "holdout4", "all"), default="all", help="which questions to run (default: all, reported per split)")
    ap.add_argument("--questions", type=Path, default=QUESTIONS, help="a question set in the same JSONL format (default: %(default)s)")
    ap.add_argument("--show-misses", action="store_true", help="print every question not answered right")
    ap.add_argument("--rephrase", type=int, default=0, metavar="N", help="also run N dev questions through the embedded model (slow)")
    args = ap.parse_args()

    from bench_search import machine
    from knowledge.embeddings import USEEmbedder

    print("machine:", json.dumps(machine()), "load:", os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        t0 = time.perf_counter()
        retriever = build_public_kb(tmp_path / "data", USEEmbedder())
        print(f"public collection: {retriever.count()} items, built in {time.perf_counter() - t0:.1f} s")
        a, _ = make_assistant(tmp_path, retriever)
        rows = load(args.split, args.questions)
        asyncio.run(a.handle(__import__("bot.types", fromlist=["Message"]).Message("telegram", "eval", "warm", "hello", audience="customer")))
        results = asyncio.run(run_questions(a, rows))
        for split in dict.fromkeys(r["split"] for r in results):
            part = [r for r in results if r["split"] == split]
            if part:
                report(part, split)
        report(results, "all")
        if args.show_misses:
            for r in results:
                if not r["right"] or r["invented"] or not r["lang_ok"]:
                    print(f"MISS {r['id']} [{r['split']}/{r['kind']}] {r['question']!r} gold={r['gold']} got={r['group']!r} "
                          f"score={r['score']} handover={r['handover']}\n     reply={r['reply']!r}\n     invented={r['invented']}")
        if args.rephrase:
            from growthpilot.config import load_config
            from growthpilot.wiring import build_generator

            cfg = load_config(ROOT / "config.toml")
            t1 = time.perf_counter()
            gen = build_generator(cfg, progress=False)
            print(f"model loaded in {time.perf_counter() - t1:.1f} s: {gen.model_id}")
            (tmp_path / "r").mkdir()
            b, _ = make_assistant(tmp_path / "r", retriever, generator=gen, rephrase=True)
            picked = [r for r in load("dev") if r["expect"] == "answer" and not r["history"]][: args.rephrase]
            res = asyncio.run(run_questions(b, picked))
            getattr(gen, "close", lambda: None)()
            for r in res:
                print(f"  {r['seconds']:.1f} s {r['answer']:<11} {r['question']!r} -> {r['reply'][:100]!r}")
            secs = sorted(r["seconds"] for r in res)
            kept = sum(1 for r in res if r["answer"] == "rephrased")
            print(json.dumps({"rephrase_questions": len(res), "drafts_kept": kept, "right": sum(r["right"] for r in res),
                              "invented_claims": sum(len(r["invented"]) for r in res), "latency_p50_s": round(statistics.median(secs), 2),
                              "latency_max_s": round(secs[-1], 2)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
