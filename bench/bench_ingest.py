"""Benchmark: behaviour-log ingest (+ all insights) at 10^6 rows (10^7 with --rows 10000000).

    .venv/bin/python bench/bench_ingest.py [--quick] [--rows N] [--no-naive] [--no-insights]

Generates N synthetic rows in the Taobao UserBehavior shape (no header; ~100 rows per user,
a long tail of items, 89/5/3/2 % pv/cart/fav/buy, 9 days) into a temporary CSV, then, each
phase in its own process so peak RSS is its own:

1. growthpilot ingest (knowledge.ingest.ingest_behavior into a fresh store): rows/s, peak RSS;
2. insights on the stored rows (knowledge.insights.compute_all, when importable), including
   loading the frame back from the store — together with 1. this is the "ingest + all insights
   ≤ 20 s at 10^6" target;
3. the naive alternative a user would write: pandas.read_csv of the whole file, an HMAC per
   row in a Python loop, DataFrame.to_parquet — no validation, no duplicate detection;
4. storage choice: the same typed rows written to / read back from SQLite (executemany,
   read_sql) versus Parquet.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from _machine import cpu_model  # noqa: E402  (bench/ is on sys.path when run as a script)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def machine() -> dict:
    cpu = cpu_model()
    info = {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version()}
    # Versions from the package metadata: importing torch here would inflate the children's
    # peak RSS (Linux keeps ru_maxrss across fork+exec).
    from importlib.metadata import PackageNotFoundError, version

    for dist in ("numpy", "pandas", "pyarrow", "torch", "faiss-cpu"):
        try:
            info[dist] = version(dist)
        except PackageNotFoundError:
            info[dist] = "not installed"
    return info


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Synthetic Taobao-shape CSV, written in 10^6-row blocks (flat memory)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    users = max(1, rows // 100)
    behaviors = np.array(["pv", "cart", "fav", "buy"])
    opts = pacsv.WriteOptions(include_header=False, quoting_style="none")
    with pacsv.CSVWriter(path, pa.schema([("u", pa.int64()), ("i", pa.int64()), ("c", pa.int64()), ("b", pa.string()),
                                          ("t", pa.int64())]), write_options=opts) as w:
        for start in range(0, rows, 1_000_000):
            n = min(1_000_000, rows - start)
            item = (rng.zipf(1.3, n) % 4_000_000 + 1).astype(np.int64)
            table = pa.table({
                "u": rng.integers(1, users + 1, n),
                "i": item,
                "c": item % 9_000 + 1,
                "b": behaviors[rng.choice(4, n, p=[0.895, 0.055, 0.03, 0.02])],
                "t": rng.integers(1511539200, 1512316800, n),
            })
            w.write_table(table)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def cpu_seconds() -> float:
    """User + system CPU time of this process so far: the figure that does not depend on
    how many other programs share the cores (wall time does)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


# ----------------------------------------------------------------------------- phases (child processes)
def phase_ingest(csv_path: str, data_dir: str) -> dict:
    from knowledge.ingest import ingest_behavior
    from knowledge.privacy import Privacy
    from knowledge.settings import IngestSettings
    from knowledge.store import Store

    store = Store.open(Path(data_dir))
    c0 = cpu_seconds()
    t0 = time.perf_counter()
    r = ingest_behavior(Path(csv_path), store, Privacy.from_key(b"bench-key-0123456789abcdef012345"),
                        IngestSettings(), progress=False)
    secs = time.perf_counter() - t0
    store.close()
    return {"seconds": secs, "cpu_s": cpu_seconds() - c0, "read": r.read, "accepted": r.accepted, "duplicates": r.duplicates,
            "rejected": r.rejected, "peak_rss_mb": peak_rss_mb()}


def phase_insights(data_dir: str) -> dict:
    from knowledge.store import Store

    try:
        from knowledge.insights import compute_all
    except ImportError as exc:
        return {"skipped": f"knowledge.insights.compute_all not importable: {exc}"}
    store = Store.open(Path(data_dir))
    c0 = cpu_seconds()
    t0 = time.perf_counter()
    b = store.behavior_frame()
    t1 = time.perf_counter()
    c1 = cpu_seconds()
    ins = compute_all(b, store.reviews_frame(), store.catalog_frame(), progress=False)
    t2 = time.perf_counter()
    store.close()
    return {"load_seconds": t1 - t0, "load_cpu_s": c1 - c0, "insights_seconds": t2 - t1, "insights_cpu_s": cpu_seconds() - c1, "insights": len(ins), "peak_rss_mb": peak_rss_mb()}


def phase_naive(csv_path: str, out_dir: str) -> dict:
    import hashlib
    import hmac

    import pandas as pd

    key = b"bench-key-0123456789abcdef012345"
    c0 = cpu_seconds()
    t0 = time.perf_counter()
    df = pd.read_csv(csv_path, header=None, names=["user_id", "item_id", "category_id", "behavior", "timestamp"])
    df["user_id"] = [hmac.new(key, str(u).encode(), hashlib.sha256).hexdigest()[:16] for u in df["user_id"]]
    df.to_parquet(Path(out_dir) / "naive.parquet")
    return {"seconds": time.perf_counter() - t0, "cpu_s": cpu_seconds() - c0, "rows": len(df),
            "peak_rss_mb": peak_rss_mb()}


def phase_storage(data_dir: str, out_dir: str) -> dict:
    """Write/read the stored typed rows with SQLite versus Parquet."""
    import sqlite3

    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from knowledge.store import Store

    store = Store.open(Path(data_dir))
    df = store.behavior_frame()
    store.close()
    df["behavior"] = df["behavior"].cat.codes.astype("int8")
    out = {}
    db = Path(out_dir) / "alt.sqlite"
    t0 = time.perf_counter()
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE b (user TEXT, item_id INTEGER, category_id INTEGER, behavior INTEGER, ts INTEGER)")
    con.executemany("INSERT INTO b VALUES (?,?,?,?,?)", df.itertuples(index=False, name=None))
    con.commit()
    out["sqlite_write_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    back = pd.read_sql_query("SELECT * FROM b", con)
    out["sqlite_read_s"] = time.perf_counter() - t0
    con.close()
    out["sqlite_bytes"] = db.stat().st_size
    pqf = Path(out_dir) / "alt.parquet"
    t0 = time.perf_counter()
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), pqf, compression="zstd", compression_level=1)
    out["parquet_write_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    back = pq.read_table(pqf).to_pandas()
    out["parquet_read_s"] = time.perf_counter() - t0
    out["parquet_bytes"] = pqf.stat().st_size
    out["rows"] = len(back)
    return out


def phase_redact() -> dict:
    """PII redaction throughput on real reviews (../shared/data) or, without them, the demo reviews."""
    from knowledge.privacy import Redactor
    from knowledge.readers import read_records

    real = ROOT.parent / "shared" / "data" / "reviews_zh_online_shopping.csv"
    if real.exists():
        texts, source = [str(r.get("review", "")) for _, r in read_records(real).rows], real.name
    else:
        demo = ROOT / "growthpilot" / "demo" / "data" / "reviews_zh.csv"
        texts, source = [str(r.get("评论", "")) for _, r in read_records(demo).rows] * 100, "demo reviews_zh.csv ×100"
    red = Redactor()
    c0, t0 = cpu_seconds(), time.perf_counter()
    total = 0
    for t in texts:
        total += red.redact(t).total
    secs = time.perf_counter() - t0
    return {"source": source, "texts": len(texts), "seconds": secs, "cpu_s": cpu_seconds() - c0,
            "texts_per_s": round(len(texts) / secs), "redactions": total}


PHASES = {"ingest": phase_ingest, "insights": phase_insights, "naive": phase_naive, "storage": phase_storage, "redact": phase_redact}


def run_phase(name: str, *args: str) -> dict:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    proc = subprocess.run([sys.executable, __file__, "--phase", name, *args], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000, help="rows to generate (default 10^6)")
    ap.add_argument("--quick", action="store_true", help="10^5 rows, for a smoke run")
    ap.add_argument("--no-naive", action="store_true", help="skip the naive pandas + per-row HMAC alternative")
    ap.add_argument("--no-insights", action="store_true", help="skip compute_all")
    ap.add_argument("--no-storage", action="store_true", help="skip the SQLite-versus-Parquet comparison")
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    ap.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.phase:
        print(json.dumps(PHASES[a.phase](*a.args)))
        return 0
    rows = 100_000 if a.quick else a.rows
    print(json.dumps({"machine": machine()}))
    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as tmp:
        tmp = Path(tmp)
        csv_path = tmp / "UserBehavior.csv"
        t0 = time.perf_counter()
        generate(csv_path, rows)
        print(json.dumps({"generated_rows": rows, "csv_mb": round(csv_path.stat().st_size / 2**20, 1),
                          "generate_s": round(time.perf_counter() - t0, 1)}))
        data = tmp / "data"
        ing = run_phase("ingest", str(csv_path), str(data))
        if "seconds" in ing:
            ing["rows_per_s"] = round(ing["read"] / ing["seconds"])
        print(json.dumps({"ingest": ing}))
        total = ing.get("seconds")
        if not a.no_insights:
            ins = run_phase("insights", str(data))
            print(json.dumps({"insights": ins}))
            if "insights_seconds" in ins and total is not None:
                total = total + ins["load_seconds"] + ins["insights_seconds"]
                cpu = ing.get("cpu_s", 0) + ins.get("load_cpu_s", 0) + ins.get("insights_cpu_s", 0)
                print(json.dumps({"ingest_plus_insights_cpu_s": round(cpu, 2)}))
                print(json.dumps({"ingest_plus_insights_s": round(total, 2), "target_s": 20 if rows <= 1_000_000 else None,
                                  "met": total <= 20 if rows <= 1_000_000 else None}))
        if not a.no_naive:
            nv = run_phase("naive", str(csv_path), str(tmp))
            if "seconds" in nv and "seconds" in ing:
                nv["rows_per_s"] = round(nv["rows"] / nv["seconds"])
                nv["ingest_speedup_vs_naive"] = round(nv["seconds"] / ing["seconds"], 2)
                if nv.get("cpu_s") and ing.get("cpu_s"):
                    nv["ingest_cpu_ratio_vs_naive"] = round(nv["cpu_s"] / ing["cpu_s"], 2)
            print(json.dumps({"naive_pandas_per_row_hmac": nv}))
        if not a.no_storage:
            st = run_phase("storage", str(data), str(tmp))
            if "sqlite_write_s" in st:
                st["parquet_vs_sqlite_write"] = round(st["sqlite_write_s"] / st["parquet_write_s"], 1)
                st["parquet_vs_sqlite_read"] = round(st["sqlite_read_s"] / st["parquet_read_s"], 1)
            print(json.dumps({"storage": st}))
        print(json.dumps({"redaction": run_phase("redact")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
