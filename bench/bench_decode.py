"""The cost of per-line encoding detection (issue 10 item 6) on a file that is not UTF-8.

A pure GB18030 behaviour log now gets one extra pass (each line classified as ASCII / UTF-8 /
GB18030 / undecodable) after the strict whole-file decode; a mixed file is transcoded to UTF-8
line by line. UTF-8 files (the common case) pay nothing: they return after the first pass.

    PYTHONPATH=. python bench/bench_decode.py [ROWS]
"""

from __future__ import annotations

import codecs
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import cpu_model  # noqa: E402

from knowledge.readers import detect_encoding, transcode_mixed  # noqa: E402


def strict_whole_file(path: Path, enc: str) -> None:
    """The old detection's work for a GB18030 file: a strict incremental decode."""
    dec = codecs.getincrementaldecoder(enc)(errors="strict")
    with open(path, "rb") as fh:
        while chunk := fh.read(8 << 20):
            dec.decode(chunk, final=False)
    dec.decode(b"", final=True)


def best(fn, n=3) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    beh = ["浏览", "加购", "收藏", "购买"]
    with tempfile.TemporaryDirectory() as tmp:
        gb = Path(tmp) / "gb.csv"
        gb.write_bytes("".join(f"{i % 9973},{i % 4001},7,{beh[i % 4]},{1700000000 + i}\n" for i in range(rows))
                       .encode("gb18030"))
        mixed = Path(tmp) / "mixed.csv"
        mixed.write_bytes(gb.read_bytes() + "1,2,7,购买,1700000000\n".encode("utf-8"))
        assert detect_encoding(gb) == "gb18030" and detect_encoding(mixed) == "mixed"
        old = best(lambda: strict_whole_file(gb, "gb18030"))
        new = best(lambda: detect_encoding(gb))
        tr = best(lambda: transcode_mixed(mixed, Path(tmp) / "out.csv"), n=1)
        mb = gb.stat().st_size / 1e6
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"GB18030 behaviour log: {rows:,} rows, {mb:.1f} MB")
    print(f"  strict whole-file decode (before): {old:.2f} s")
    print(f"  detect_encoding with the per-line pass (now): {new:.2f} s  ({new / old:.1f}x)")
    print(f"  transcode a mixed file to UTF-8 line by line: {tr:.2f} s ({rows / tr:,.0f} lines/s)")


if __name__ == "__main__":
    main()
