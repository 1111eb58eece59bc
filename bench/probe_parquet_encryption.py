"""Can the behaviour log's Parquet parts be encrypted at rest with what is installed?

Probes (no data dir touched; files in a temporary folder): DuckDB writing encrypted Parquet
(COPY … ENCRYPTION_CONFIG), pyarrow writing with an explicit key
(pyarrow.parquet.encryption.create_encryption_properties) or with the KMS-based CryptoFactory, and
which of DuckDB's read_parquet(…, encryption_config=…) and pyarrow's read_table(…,
decryption_properties=…) can read each. Prints one line per probe: OK / FAIL and why.

    python bench/probe_parquet_encryption.py
"""

from __future__ import annotations

import base64
import os
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pyarrow.parquet.encryption as pe

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import cpu_model  # noqa: E402

KEY = bytes(range(32))


def probe(name: str, fn) -> None:
    try:
        print(f"OK    {name}: {fn()}")
    except Exception as exc:  # noqa: BLE001 - a probe reports what failed
        print(f"FAIL  {name}: {type(exc).__name__}: {str(exc).splitlines()[0][:150]}")


def duck(key: bytes | None = KEY) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    if key is not None:
        con.execute(f"PRAGMA add_parquet_key('k', '{base64.b64encode(key).decode()}')")
    return con


def count(con, path: Path, enc: bool = True):
    opt = ", encryption_config={footer_key: 'k'}" if enc else ""
    return con.execute(f"SELECT count(*), sum(item_id) FROM read_parquet('{path}'{opt})").fetchall()[0]


def main() -> None:
    print(f"machine: {cpu_model()}, {os.cpu_count()} CPUs")
    print(f"duckdb {duckdb.__version__}, pyarrow {pa.__version__}")
    rng = np.random.default_rng(0)
    d = Path(tempfile.mkdtemp(prefix="gp-pqenc-"))
    con = duck()
    # 1. DuckDB writes encrypted Parquet
    con.register("t", pa.table({"item_id": pa.array([1, 2, 3], pa.int64())}))
    probe("duckdb COPY t TO f (ENCRYPTION_CONFIG {footer_key: 'k'})",
          lambda: con.execute(f"COPY t TO '{d / 'duck.parquet'}' (FORMAT parquet, ENCRYPTION_CONFIG {{footer_key: 'k'}})").fetchall())
    probe("duckdb LOAD httpfs (what the write asks for)", lambda: duckdb.connect().execute("LOAD httpfs").fetchall())
    # 2. pyarrow, explicit key (uniform encryption), read by pyarrow and DuckDB, by size
    for n in (3, 20_000, 50_000, 200_000, 2_000_000):
        f = d / f"arrow-{n}.parquet"
        t = pa.table({"item_id": pa.array(rng.integers(1, 5000, n), pa.int64())})
        pq.write_table(t, f, encryption_properties=pe.create_encryption_properties(KEY), compression="zstd", compression_level=1)
        chunk = pq.ParquetFile(f, decryption_properties=pe.create_decryption_properties(KEY)).metadata.row_group(0).column(0)
        probe(f"pyarrow explicit key, {n} rows (chunk {chunk.total_compressed_size} B): pyarrow read with key",
              lambda: pq.read_table(f, decryption_properties=pe.create_decryption_properties(KEY)).num_rows)
        probe(f"pyarrow explicit key, {n} rows: duckdb read with the same key", lambda: count(con, f))
    f = d / "arrow-3.parquet"
    probe("pyarrow explicit key: pyarrow read without a key", lambda: pq.read_table(f).num_rows)
    probe("pyarrow explicit key: pyarrow read with a wrong key",
          lambda: pq.read_table(f, decryption_properties=pe.create_decryption_properties(bytes(32))).num_rows)
    probe("pyarrow explicit key: duckdb read without a key", lambda: count(duck(None), f, enc=False))
    probe("pyarrow explicit key: duckdb read with a wrong key", lambda: count(duck(bytes(32)), f))

    # 3. pyarrow CryptoFactory (the KMS API): a random data key per file, wrapped by the master key
    class XorKms(pe.KmsClient):
        last_dek = b""

        def __init__(self, _cfg):
            super().__init__()

        def wrap_key(self, key_bytes, master_key_identifier):
            XorKms.last_dek = bytes(key_bytes)
            return base64.b64encode(bytes(a ^ b for a, b in zip(key_bytes, KEY))).decode()

        def unwrap_key(self, wrapped_key, master_key_identifier):
            return bytes(a ^ b for a, b in zip(base64.b64decode(wrapped_key), KEY))

    cf = pe.CryptoFactory(XorKms)
    f = d / "kms.parquet"
    pq.write_table(pa.table({"item_id": pa.array([1, 2, 3], pa.int64())}), f, encryption_properties=cf.file_encryption_properties(
        pe.KmsConnectionConfig(), pe.EncryptionConfiguration(footer_key="k", uniform_encryption=True, double_wrapping=False,
                                                             data_key_length_bits=256)))
    probe("CryptoFactory file: pyarrow read", lambda: pq.read_table(
        f, decryption_properties=cf.file_decryption_properties(pe.KmsConnectionConfig(), pe.DecryptionConfiguration())).num_rows)
    probe("CryptoFactory file: duckdb read with the master key", lambda: count(con, f))
    probe("CryptoFactory file: duckdb read with that file's own random data key", lambda: count(duck(XorKms.last_dek), f))
    shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
