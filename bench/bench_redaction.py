"""Benchmark: PII redaction quality and speed on the labelled corpus.

    /work/main/.venv/bin/python bench/bench_redaction.py [--repeat N] [--old COMMIT]

Prints, for tests/data/pii_corpus.jsonl (written from the categories of issue 10 item 9) and
tests/data/pii_holdout.jsonl (variants written after the fix), the recall over expected spans,
the false-positive rate over look-alikes, the spurious redactions in PII strings, and the
throughput (strings/s and MB/s of UTF-8) of Redactor.redact on the corpus repeated N times and
on plain review-like text without PII. With --old COMMIT (e.g. f849c73, before issue 10), the
redactor of that commit is scored in the same run by the value test (a PII value "survives" when
its letters and digits still appear in the output) and timed, so the two compare as a ratio.
With --shared DIR (e.g. ../shared/data) and --old, every line of the review/support files there
is redacted by both, and the lines where they differ are printed (redacted) for inspection.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import types
from pathlib import Path

from _machine import cpu_model  # noqa: E402  (bench/ is on sys.path when run as a script)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.privacy import Redactor  # noqa: E402
from knowledge.redaction_eval import load_corpus, score  # noqa: E402

PLAIN = ("质量很好，物流很快，包装也不错，给五星。用了两周，续航大概12小时，比上一代强。"
         "Great bottle, keeps water cold for 24 hours; the lid leaks a little after 3 weeks. ") * 3


def value_recall(cases, redact) -> tuple[int, int, int, int]:
    """(caught, spans, false positives, look-alikes) by the value test: works for any redact()."""
    caught = spans = fp = looks = 0
    for c in cases:
        out = redact(c.text)
        if not c.spans:
            looks += 1
            fp += out != c.text
            continue
        for s, e, _ in c.spans:
            spans += 1
            value = c.text[s:e]
            caught += value not in out and not any(len(p) >= 4 and p in out for p in value.split())
    return caught, spans, fp, looks


def throughput(redact, texts, repeat) -> tuple[float, float]:
    data = texts * repeat
    mb = sum(len(t.encode("utf-8")) for t in data) / 1e6
    t0 = time.perf_counter()
    for t in data:
        redact(t)
    dt = time.perf_counter() - t0
    return len(data) / dt, mb / dt


def old_redactor(commit: str):
    src = subprocess.run(["git", "show", f"{commit}:knowledge/privacy.py"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    mod = types.ModuleType("knowledge._old_privacy")
    sys.modules[mod.__name__] = mod
    mod.__package__ = "knowledge"
    exec(compile(src, f"{commit}:knowledge/privacy.py", "exec"), mod.__dict__)
    r = mod.Redactor()
    return lambda t: r.redact(t).text


SHARED_FILES = ("reviews_zh_online_shopping.csv", "reviews_en_alexa.tsv", "ecd_support_zh_sample.tsv",
                "reviews_en_yelp_labelled.txt")


def compare_on_files(folder: Path, old, red: Redactor, commit: str) -> None:
    lines = []
    for name in SHARED_FILES:
        if (folder / name).exists():
            lines += (folder / name).read_text(encoding="utf-8", errors="replace").splitlines()
    if not lines:
        print(f"--shared {folder}: none of {', '.join(SHARED_FILES)} found")
        return
    now_changed = old_changed = 0
    differ = []
    for t in lines:
        a, o = red.redact(t).text, old(t)
        now_changed += a != t
        old_changed += o != t
        if a != o:
            differ.append(a)
    print(f"{folder}: {len(lines):,} lines; changed by now {now_changed}, by {commit} {old_changed}; "
          f"{len(differ)} lines differ (now's output):")
    for a in differ:
        print("    " + (a if len(a) <= 160 else a[:157] + "…"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20, help="corpus repetitions for the timing (default 20)")
    ap.add_argument("--old", default="", help="also score and time the redactor of this git commit")
    ap.add_argument("--shared", type=Path, default=None, help="with --old: compare both on the text files in this folder")
    args = ap.parse_args()
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    red = Redactor()
    new = red.redact
    for name in ("pii_corpus.jsonl", "pii_holdout.jsonl"):
        cases = load_corpus(ROOT / "tests" / "data" / name)
        sc = score(cases, red.spans)
        print(f"{name}: {sc.pii_strings} PII strings / {sc.spans} spans, {sc.lookalikes} look-alikes")
        print(f"  recall {sc.caught}/{sc.spans} = {sc.recall:.3f} (right tag {sc.tag_right}), "
              f"false positives {sc.false_positive}/{sc.lookalikes} = {sc.fp_rate:.3f}, "
              f"spurious {sc.spurious}/{sc.pii_strings}")
        for case, (s, e, tag) in sc.missed:
            print(f"    missed {tag}: {case.text[s:e]!r} in {case.text!r}")
        for case, found in sc.false:
            print(f"    false positive: {red.redact(case.text).text!r}")
        if args.old:
            old = old_redactor(args.old)
            c_new = value_recall(cases, lambda t: new(t).text)
            c_old = value_recall(cases, old)
            print(f"  value test: now {c_new[0]}/{c_new[1]} caught, {c_new[2]}/{c_new[3]} FP; "
                  f"{args.old}: {c_old[0]}/{c_old[1]} caught, {c_old[2]}/{c_old[3]} FP")
    texts = [c.text for c in load_corpus(ROOT / "tests" / "data" / "pii_corpus.jsonl")]
    sps, mbs = throughput(new, texts, args.repeat)
    psps, pmbs = throughput(new, [PLAIN], args.repeat * 50)
    print(f"throughput now: corpus {sps:,.0f} strings/s ({mbs:.2f} MB/s); plain reviews "
          f"{psps:,.0f} texts/s ({pmbs:.2f} MB/s, {len(PLAIN)} chars each)")
    if args.old:
        old = old_redactor(args.old)
        osps, _ = throughput(old, texts, args.repeat)
        opsps, _ = throughput(old, [PLAIN], args.repeat * 50)
        print(f"throughput {args.old}: corpus {osps:,.0f} strings/s; plain {opsps:,.0f} texts/s; "
              f"now/old = {sps / osps:.2f}× (corpus), {psps / opsps:.2f}× (plain)")
    if args.shared and args.old:
        compare_on_files(args.shared, old_redactor(args.old), red, args.old)
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
