"""Benchmark: compute_all (through the query layer) on synthetic behaviour logs held as
DataFrames, and the per-item funnel (one query-layer breakdown) against the pandas code a user
would write (groupby-nunique, and groupby-apply). For Parquet at 10^6–10^8 rows and the
pandas insights of before the query layer, see bench/bench_query.py.

    .venv/bin/python bench/bench_insights.py [--quick] [--rows N ...] [--apply-rows N]

--quick: 10^5 rows only. Default rows: 10^6. Add e.g. --rows 1000000 10000000 for 10^7.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from knowledge.insights import compute_all  # noqa: E402
from knowledge.query import QueryEngine, QuerySpec  # noqa: E402
from knowledge.insights.synthetic import make_behavior, make_reviews  # noqa: E402
from _machine import cpu_model  # noqa: E402  (bench/ is on sys.path when run as a script)


def machine() -> str:
    cpu = cpu_model()
    import sklearn

    return f"{cpu}, {os.cpu_count()} cores, python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}, scikit-learn {sklearn.__version__}"


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def pandas_nunique_funnel(df: pd.DataFrame) -> pd.DataFrame:
    """What a pandas user writes: distinct users per item and behaviour, then rates."""
    u = df.groupby(["item_id", "behavior"], observed=True)["user"].nunique().unstack(fill_value=0)
    u["view_to_buy"] = u["buy"] / u["pv"].where(u["pv"] > 0)
    return u


def apply_funnel(df: pd.DataFrame) -> pd.DataFrame:
    """The naive version: one Python call per item."""
    def one(g: pd.DataFrame) -> pd.Series:
        viewers = g.loc[g["behavior"] == "pv", "user"].nunique()
        buyers = g.loc[g["behavior"] == "buy", "user"].nunique()
        return pd.Series({"viewers": viewers, "buyers": buyers, "view_to_buy": buyers / viewers if viewers else np.nan})

    return df.groupby("item_id").apply(one)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10^5 rows only")
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--apply-rows", type=int, default=100_000, help="rows for the (slow) groupby-apply comparison")
    args = ap.parse_args()
    rows = [100_000] if args.quick else args.rows
    print(f"machine: {machine()}")
    import sklearn.linear_model  # noqa: F401  (import cost is not part of the computation)

    compute_all(make_behavior(5_000, seed=9), make_reviews(50))  # warm up imports, jieba
    for n in rows:
        df = make_behavior(n, seed=1, drop_item=1000)
        reviews = make_reviews(2_000, seed=1)
        users, items = df["user"].nunique(), df["item_id"].nunique()
        t_all, ins = timed(lambda: compute_all(df, reviews))
        t_prep, q = timed(lambda: QueryEngine.from_frames(df))
        t_ours, ours = timed(lambda: q.run(QuerySpec("viewers", op="breakdown", by="item", limit=100)), repeat=3)
        t_pd, theirs = timed(lambda: pandas_nunique_funnel(df), repeat=3)
        assert all(r["value"] == theirs["pv"][r["key"]] for r in ours.records())
        print(f"rows={n:,} users={users:,} items={items:,}")
        print(f"  compute_all (behaviour + 2,000 reviews): {t_all:.2f} s, {len(ins)} insights")
        print(f"  per-item viewers: query layer {t_ours * 1000:.0f} ms (+ load into DuckDB {t_prep * 1000:.0f} ms) vs pandas groupby-nunique "
              f"{t_pd * 1000:.0f} ms: {t_pd / t_ours:.1f}x")
    n_apply = min(args.apply_rows, rows[0])
    df = make_behavior(n_apply, seed=1)
    q = QueryEngine.from_frames(df)
    t_ours, _ = timed(lambda: q.run(QuerySpec("conversion_users", op="breakdown", by="item", limit=100)), repeat=3)
    t_apply, _ = timed(lambda: apply_funnel(df))
    print(f"rows={n_apply:,} per-item funnel: ours {t_ours * 1000:.0f} ms vs groupby-apply {t_apply * 1000:.0f} ms: {t_apply / t_ours:.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
