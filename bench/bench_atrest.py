"""Benchmark: the cost of encryption at rest (knowledge/atrest.py), plain vs encrypted in one run.

    /work/main/.venv/bin/python bench/bench_atrest.py [--rows N] [--items N] [--mb N]

1. SQLite (the store's access pattern): N review-like rows inserted in one transaction, then read
   back in full, with sqlite3 and with SQLCipher (raw 256-bit key, SQLCipher 4 defaults).
2. Opening a connection: plain vs SQLCipher with a raw key (no KDF) and with a passphrase (the
   KDF a raw key avoids).
3. AES-256-GCM seal and open of an N-MB buffer (index files go through this).
4. A search collection (N items, 512-d exact FAISS + BM25 + items) saved and loaded, plain vs sealed.
5. Behaviour parts (--part-rows rows each, 4 parts): written, then opened by the query layer
   (QueryEngine.from_parquet: the table every insight scans) and one funnel query, plain vs sealed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from _machine import cpu_model  # noqa: E402  (bench/ is on sys.path when run as a script)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from knowledge import atrest  # noqa: E402

KEY = bytes.fromhex("5a" * 32)
TEXT = "质量很好，物流很快 great bottle keeps water cold for 24 hours; the lid leaks a little "


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def sqlite_rw(ar: atrest.AtRest, tmp: Path, rows: int) -> tuple[float, float]:
    path = tmp / f"s{time.perf_counter_ns()}.sqlite"
    conn = ar.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE r (id INTEGER PRIMARY KEY, text TEXT, rating REAL)")
    data = [(i, f"{TEXT}{i}", float(i % 5)) for i in range(rows)]
    t0 = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO r VALUES (?,?,?)", data)
    conn.execute("COMMIT")
    write = time.perf_counter() - t0
    conn.close()
    conn = ar.connect(path, isolation_level=None)
    t0 = time.perf_counter()
    n = len(conn.execute("SELECT * FROM r").fetchall())
    read = time.perf_counter() - t0
    assert n == rows
    conn.close()
    return write, read


def parts_bench(tmp: Path, rows: int) -> None:
    import pyarrow as pa

    from knowledge.query import QueryEngine, QuerySpec
    from knowledge.store import write_part

    rng = np.random.default_rng(0)
    users = pa.array([f"u_{x:014x}" for x in rng.integers(0, rows // 100, rows)]).dictionary_encode().cast(pa.string())
    table = pa.table({"user": users, "item_id": pa.array(rng.integers(1, rows // 25, rows), pa.int64()),
                      "category_id": pa.array(rng.integers(1, 5000, rows), pa.int64()),
                      "behavior": pa.array(rng.choice(np.array([0, 1, 2, 3], np.int8), rows, p=[0.89, 0.06, 0.03, 0.02]), pa.int8()),
                      "ts": pa.array(1_700_000_000 + rng.integers(0, 28 * 86400, rows), pa.int64())})
    out = {}
    for name, key in (("plain", None), ("sealed", KEY)):
        atrest.configure(key)
        files = [tmp / f"{name}-{i}.parquet" for i in range(4)]
        t0 = time.perf_counter()
        for f in files:
            write_part(table, f)
        w = time.perf_counter() - t0
        t0 = time.perf_counter()
        e = QueryEngine.from_parquet(files, threads=2)
        value = e.run(QuerySpec("conversion_users")).value
        o = time.perf_counter() - t0
        out[name] = (w, o, value, sum(f.stat().st_size for f in files))
    atrest.configure(None)
    (pw, po, pv, pz), (sw, so, sv, sz) = out["plain"], out["sealed"]
    assert pv == sv, (pv, sv)
    print(f"behaviour parts 4 × {rows:,} rows ({pz / 1e6:.1f} MB): write plain {pw:.3f} s, sealed {sw:.3f} s ({sw / pw:.2f}×); "
          f"open in the query layer + one query plain {po:.3f} s, sealed {so:.3f} s ({so / po:.2f}×); same result")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--items", type=int, default=20_000)
    ap.add_argument("--mb", type=int, default=64)
    ap.add_argument("--part-rows", type=int, default=1_000_000)
    args = ap.parse_args()
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    plain, enc = atrest.AtRest(None), atrest.AtRest(KEY)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        pw, pr = min(sqlite_rw(plain, tmp, args.rows) for _ in range(2))
        ew, er = min(sqlite_rw(enc, tmp, args.rows) for _ in range(2))
        print(f"SQLite {args.rows:,} rows: insert plain {pw:.3f} s, SQLCipher {ew:.3f} s ({ew / pw:.2f}×); "
              f"read-all plain {pr:.3f} s, SQLCipher {er:.3f} s ({er / pr:.2f}×)")
        db = tmp / "open.sqlite"
        c = enc.connect(db)
        c.execute("CREATE TABLE t (a)")
        c.commit()
        c.close()
        dbp = tmp / "open-plain.sqlite"
        c = plain.connect(dbp)
        c.execute("CREATE TABLE t (a)")
        c.commit()
        c.close()
        op = timed(lambda: plain.connect(dbp).execute("SELECT count(*) FROM sqlite_master").fetchone(), 5)
        oe = timed(lambda: enc.connect(db).execute("SELECT count(*) FROM sqlite_master").fetchone(), 5)
        import sqlcipher3

        pdb = tmp / "pass.sqlite"
        c = sqlcipher3.connect(str(pdb))
        c.execute("PRAGMA key = 'a long passphrase of words'")
        c.execute("CREATE TABLE t (a)")
        c.commit()
        c.close()

        def open_pass():
            c = sqlcipher3.connect(str(pdb))
            c.execute("PRAGMA key = 'a long passphrase of words'")
            c.execute("SELECT count(*) FROM sqlite_master").fetchone()
            c.close()

        opw = timed(open_pass, 3)
        print(f"open + first read: plain {op * 1e3:.2f} ms, SQLCipher raw key {oe * 1e3:.2f} ms, "
              f"SQLCipher passphrase (PBKDF2 256k) {opw * 1e3:.1f} ms")
        buf = os.urandom(args.mb << 20)
        ts = timed(lambda: enc.encrypt(buf, role="bench"), 3)
        blob = enc.encrypt(buf, role="bench")
        to = timed(lambda: enc.decrypt(blob, role="bench"), 3)
        print(f"AES-256-GCM {args.mb} MB: seal {args.mb / ts:,.0f} MB/s, open {args.mb / to:,.0f} MB/s")

        from knowledge.bm25 import BM25Index, bm25_tokens
        from knowledge.search import Collection, StoredItem
        from knowledge.settings import IndexSettings
        from knowledge.vector_index import VectorIndex

        class Emb:
            name, dim, normalized = "bench", 512, True

        settings = IndexSettings()
        n = args.items
        rng = np.random.default_rng(0)
        vecs = rng.standard_normal((n, 512)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        items = [StoredItem(f"review:{i}", i + 1, "review", "", f"{TEXT}{i}", {}, f"h{i}") for i in range(n)]
        coll = Collection("internal", "bench", 512, True, settings, items,
                          VectorIndex.build(512, settings, np.arange(1, n + 1, dtype=np.int64), vecs),
                          BM25Index.build([bm25_tokens(it.text) for it in items]), n + 1,
                          created=Collection.empty("internal", Emb(), settings).created)
        out = {}
        for name, key in (("plain", None), ("sealed", KEY)):
            atrest.configure(key)
            where = tmp / f"coll-{name}"
            s = timed(lambda: coll.save(where), 2)
            ld = timed(lambda: Collection.load(where, "internal", Emb(), settings), 2)
            size = sum(p.stat().st_size for p in where.iterdir())
            out[name] = (s, ld, size)
        atrest.configure(None)
        (ps, pl, pz), (es, el, ez) = out["plain"], out["sealed"]
        print(f"collection {n:,} items ({pz / 1e6:.1f} MB): save plain {ps:.3f} s, sealed {es:.3f} s ({es / ps:.2f}×); "
              f"load plain {pl:.3f} s, sealed {el:.3f} s ({el / pl:.2f}×)")
        parts_bench(tmp, args.part_rows)
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
