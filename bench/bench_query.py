"""Benchmark: all insights through the query layer (DuckDB over Parquet parts) at 10^6 / 10^7 /
10^8 behaviour rows, against the pandas insights of /work/main (where they finish in the time
box) and a hand-written DuckDB SQL baseline doing the same aggregations in a few statements.

    .venv/bin/python bench/bench_query.py --rows 1000000 10000000 [--data /work/bench-data] \
        [--pandas-timeout 900] [--pandas-src /work/main] [--memory-limit 2GB] [--threads 2]

Synthetic parts are written by DuckDB straight to Parquet in chunks of 10^7 rows (bounded
memory), under --data (never the repository), once per size. Each variant runs in its own
process so that its peak RSS (ru_maxrss) is its own; DuckDB runs with memory_limit and a
temp_directory (it spills there). Prints seconds, peak RSS, ratios and the machine load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

START_TS = 1_700_006_400 - 1_700_006_400 % 86_400
CHUNK = 10_000_000


def generate(rows: int, out: Path, *, days: int = 28) -> list[Path]:
    """Parquet parts in the store's contract: user (pseudonym text), item_id, category_id,
    behavior int8 (0 pv, 1 cart, 2 fav, 3 buy: ~89/6/3/2%), ts. Users ~rows/100, items
    ~rows/25 with a long tail, 5,000 categories: the shape of the public Taobao log."""
    import duckdb

    out.mkdir(parents=True, exist_ok=True)
    done = out / "_done"
    files = sorted(out.glob("part-*.parquet"))
    if done.exists() and done.read_text() == str(rows):
        return files
    for f in files:
        f.unlink()
    n_users, n_items = max(100, rows // 100), max(100, rows // 25)
    con = duckdb.connect()
    con.execute("SET memory_limit = '2GB'")
    parts = []
    for i, lo in enumerate(range(0, rows, CHUNK)):
        hi = min(rows, lo + CHUNK)
        path = out / f"part-{i:04d}.parquet"
        con.execute(f"""
            COPY (
              SELECT 'p' || lpad(CAST(hash(i, 1) % {n_users} AS VARCHAR), 8, '0') AS user,
                     CAST(floor({n_items} * pow((hash(i, 2) % 1000003) / 1000003.0, 3)) AS BIGINT) + 1000 AS item_id,
                     CAST(floor({n_items} * pow((hash(i, 2) % 1000003) / 1000003.0, 3)) AS BIGINT) % 5000 + 100 AS category_id,
                     CAST(CASE WHEN (hash(i, 3) % 10000) < 200 THEN 3 WHEN (hash(i, 3) % 10000) < 800 THEN 1
                               WHEN (hash(i, 3) % 10000) < 1100 THEN 2 ELSE 0 END AS TINYINT) AS behavior,
                     CAST({START_TS} + hash(i, 4) % {days * 86_400} AS BIGINT) AS ts
              FROM range({lo}, {hi}) t(i)
            ) TO '{path}' (FORMAT parquet, COMPRESSION zstd)""")
        parts.append(path)
    done.write_text(str(rows))
    return parts


# ---------------------------------------------------------------------- the variants (one per process)
def run_ours(files: list[str], memory_limit: str, threads: int, tmp: str) -> dict:
    """compute_all's steps one by one (the same calls, in its order), each printed as it ends, so a
    run cut by the time box still says how far it got."""
    from knowledge.insights import compose as C
    from knowledge.insights.synthetic import make_reviews
    from knowledge.query import QueryEngine

    t0 = time.perf_counter()
    eng = QueryEngine.from_parquet(files, reviews=make_reviews(2000), memory_limit=memory_limit, threads=threads, temp_directory=tmp)
    names = C._Names(eng)
    steps = {"load + bounds": lambda: eng.bounds() and [],
             "funnels": lambda: C.funnel_insights(eng, names), "top": lambda: C.top_insights(eng, names),
             "categories": lambda: C.category_insights(eng, names), "hours": lambda: C.hour_insights(eng),
             "trends": lambda: C.trend_insights(eng, names), "segments": lambda: C.segment_insights(eng, names),
             "recommendations": lambda: C.recommendation_insights(eng, names), "propensity": lambda: C.propensity_insights(eng),
             "reviews": lambda: C.review_insights(eng)}
    n, times = 0, {}
    for name, fn in steps.items():
        t = time.perf_counter()
        n += len(fn() or [])
        times[name] = round(time.perf_counter() - t, 2)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"STEP {name} {times[name]} s (peak RSS so far {rss:.0f} MB)", flush=True)
    return {"seconds": time.perf_counter() - t0, "insights": n, "steps": times}


def run_pandas(files: list[str], src: str) -> dict:
    """The pandas insights as they are on main (read the parts into one frame, compute_all)."""
    sys.path.insert(0, src)
    for m in [m for m in sys.modules if m == "knowledge" or m.startswith("knowledge.")]:
        del sys.modules[m]
    import numpy as np
    import pandas as pd
    import pyarrow.parquet as pq

    from knowledge.insights import compute_all
    from knowledge.insights.synthetic import make_reviews

    t0 = time.perf_counter()
    t = pq.read_table(files) if len(files) > 1 else pq.read_table(files[0])
    df = pd.DataFrame({
        "user": t.column("user").to_pandas(), "item_id": t.column("item_id").to_numpy(), "category_id": t.column("category_id").to_numpy(),
        "behavior": pd.Categorical.from_codes(t.column("behavior").to_numpy().astype(np.int8), categories=["pv", "cart", "fav", "buy"]),
        "ts": t.column("ts").to_numpy(),
    })
    del t
    t_read = time.perf_counter() - t0
    ins = compute_all(df, make_reviews(2000))
    return {"seconds": time.perf_counter() - t0, "read_seconds": t_read, "insights": len(ins)}


BASELINE_SQL = [
    # funnels: overall, per item, per category, per day in one pass over per-(user, item, day) counts
    """WITH u AS (SELECT user, item_id, category_id, ts // 86400 AS day,
                  count(*) FILTER (WHERE behavior = 0) pv, count(*) FILTER (WHERE behavior = 1) cart,
                  count(*) FILTER (WHERE behavior = 2) fav, count(*) FILTER (WHERE behavior = 3) buy
                  FROM behavior GROUP BY ALL)
       SELECT item_id, category_id, day, sum(pv), sum(cart), sum(fav), sum(buy),
              count(DISTINCT user) FILTER (WHERE pv > 0), count(DISTINCT user) FILTER (WHERE cart > 0),
              count(DISTINCT user) FILTER (WHERE buy > 0)
       FROM u GROUP BY GROUPING SETS ((), (item_id), (category_id), (day))""",
    # cart→buy among cart users, per item
    """SELECT item_id, count(*) FILTER (WHERE c AND b) / count(*) FILTER (WHERE c) FROM
       (SELECT user, item_id, bool_or(behavior = 1) c, bool_or(behavior = 3) b FROM behavior GROUP BY ALL) GROUP BY item_id""",
    # trends: last 7 days vs the 7 before, per item
    """WITH e AS (SELECT *, CASE WHEN ts >= (SELECT max(ts) // 86400 * 86400 - 6 * 86400 FROM behavior) THEN 1 ELSE 0 END w FROM behavior
                  WHERE ts >= (SELECT max(ts) // 86400 * 86400 - 13 * 86400 FROM behavior))
       SELECT item_id, w, count(*) FILTER (WHERE behavior = 0), count(DISTINCT user) FILTER (WHERE behavior = 0),
              count(DISTINCT user) FILTER (WHERE behavior = 3) FROM e GROUP BY ALL""",
    # segments
    """WITH f AS (SELECT user, max(ts) l, count(DISTINCT ts // 86400) FILTER (WHERE behavior = 3) bd, count(*) FILTER (WHERE behavior = 1) nc
                  FROM behavior GROUP BY user)
       SELECT CASE WHEN (SELECT max(ts) FROM behavior) - l > 7 * 86400 THEN 'dormant' WHEN bd >= 2 THEN 'loyal' WHEN bd = 1 THEN 'one'
                   WHEN nc > 0 THEN 'cart' ELSE 'window' END s, count(*) FROM f GROUP BY s""",
    # bought together by distinct users
    """WITH ui AS (SELECT DISTINCT user, item_id FROM behavior WHERE behavior = 3)
       SELECT a.item_id, b.item_id, count(*) n FROM ui a JOIN ui b ON a.user = b.user AND a.item_id < b.item_id
       GROUP BY ALL HAVING count(*) >= 2 ORDER BY n DESC LIMIT 10""",
    # per-user model features (one cutoff)
    """SELECT user, count(*) FILTER (WHERE behavior = 0), count(*) FILTER (WHERE behavior = 3), count(DISTINCT ts // 86400),
              count(DISTINCT item_id), max(ts) FROM behavior GROUP BY user""",
]


def run_baseline(files: list[str], memory_limit: str, threads: int, tmp: str) -> dict:
    import duckdb

    t0 = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET threads = {threads}")
    con.execute(f"SET temp_directory = '{tmp}'")
    lst = ", ".join(f"'{f}'" for f in files)
    con.execute(f"CREATE VIEW behavior AS SELECT * FROM read_parquet([{lst}])")
    for q in BASELINE_SQL:
        con.execute(q).fetchall()
    return {"seconds": time.perf_counter() - t0, "statements": len(BASELINE_SQL)}


def child(args) -> None:
    files = json.loads(Path(args.files).read_text())
    if args.variant == "ours":
        out = run_ours(files, args.memory_limit, args.threads, args.tmp)
    elif args.variant == "pandas":
        out = run_pandas(files, args.pandas_src)
    else:
        out = run_baseline(files, args.memory_limit, args.threads, args.tmp)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(out))


def spawn(variant: str, files_json: Path, args, timeout: float) -> dict:
    cmd = [sys.executable, __file__, "--child", variant, "--files", str(files_json), "--memory-limit", args.memory_limit,
           "--threads", str(args.threads), "--tmp", str(args.tmp), "--pandas-src", args.pandas_src]
    env = {**os.environ, "PYTHONPATH": str(ROOT) if variant != "pandas" else args.pandas_src}
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return {"timed_out": True, "seconds": time.perf_counter() - t0, "steps_done": [x[5:] for x in out.splitlines() if x.startswith("STEP ")]}
    for line in p.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    return {"error": (p.stderr or p.stdout)[-800:], "steps_done": [x[5:] for x in p.stdout.splitlines() if x.startswith("STEP ")]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--data", type=Path, default=Path("/work/bench-data"))
    ap.add_argument("--pandas-timeout", type=float, default=900)
    ap.add_argument("--timeout", type=float, default=5400, help="time box for the DuckDB variants")
    ap.add_argument("--pandas-src", default="/work/bench-data/pandas-src",
                    help="a tree whose knowledge.insights is the pandas path (e.g. `git archive 27d7e79 knowledge | tar -x -C DIR`)")
    ap.add_argument("--no-pandas", action="store_true")
    ap.add_argument("--variants", nargs="+", default=["baseline", "ours", "pandas"], choices=["baseline", "ours", "pandas"])
    ap.add_argument("--memory-limit", default="2GB")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--tmp", type=Path, default=None)
    ap.add_argument("--child", choices=["ours", "pandas", "baseline"])
    ap.add_argument("--files")
    args = ap.parse_args()
    if args.tmp is None:
        args.tmp = args.data / "duckdb-tmp"
    if args.child:
        args.variant = args.child
        child(args)
        return
    from _machine import cpu_model
    import duckdb

    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, python {platform.python_version()}, duckdb {duckdb.__version__}; "
          f"memory_limit {args.memory_limit}, threads {args.threads}")
    for rows in args.rows:
        t0 = time.perf_counter()
        files = generate(rows, args.data / f"query-{rows}")
        fj = args.data / f"query-{rows}" / "_files.json"
        fj.write_text(json.dumps([str(f) for f in files]))
        print(f"\n## {rows:,} rows ({len(files)} part(s), {sum(f.stat().st_size for f in files) / 2**20:.0f} MiB; generated in {time.perf_counter() - t0:.1f} s)")
        res = {}
        for variant in args.variants:
            if variant == "pandas" and args.no_pandas:
                continue
            load = os.getloadavg()[0]
            res[variant] = spawn(variant, fj, args, args.pandas_timeout if variant == "pandas" else args.timeout)
            res[variant]["load_before"] = load
            print(f"  {variant:8s} {json.dumps(res[variant])}", flush=True)
        ours = res.get("ours", {}).get("seconds") if not res.get("ours", {}).get("timed_out") else None
        for other in ("baseline", "pandas"):
            o = res.get(other, {})
            if ours and o.get("seconds") and not o.get("timed_out") and "error" not in o:
                print(f"  ours / {other}: {ours / o['seconds']:.2f}")
            elif o.get("timed_out"):
                print(f"  {other}: did not finish in {o['seconds']:.0f} s (ours {ours:.0f} s)" if ours else f"  {other}: timed out")


if __name__ == "__main__":
    main()
