"""Reading input files: encoding detection, delimiter and header sniffing, chunked typed
behaviour batches with row-level validation, and record readers for reviews/catalogues.

Behaviour logs are parsed with pyarrow's streaming CSV reader (single-threaded so that
malformed rows come back with their physical line number), all columns as text, then
converted with vectorised pyarrow/numpy operations; only rejected rows ever become Python
objects. That keeps 10^7-row logs within a few hundred MB and a few seconds per 10^6 rows.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .types import KnowledgeError

# ----------------------------------------------------------------------------- constants
BEHAVIORS: tuple[str, ...] = ("pv", "cart", "fav", "buy")  # code = index (int8)
BEHAVIOR_ALIASES: dict[str, str] = {
    **{k: "pv" for k in ("pv", "view", "views", "page_view", "pageview", "click", "clicks", "impression_click",
                         "browse", "浏览", "点击", "查看")},
    **{k: "cart" for k in ("cart", "add_to_cart", "addtocart", "add-to-cart", "add_cart", "加购", "加入购物车", "购物车")},
    **{k: "fav" for k in ("fav", "favorite", "favourite", "like", "wishlist", "collect", "收藏")},
    **{k: "buy" for k in ("buy", "purchase", "purchased", "order", "checkout", "pay", "paid", "购买", "下单", "支付", "成交")},
}
BEHAVIOR_CODE: dict[str, int] = {alias: BEHAVIORS.index(canon) for alias, canon in BEHAVIOR_ALIASES.items()}

# Canonical behaviour column → accepted header names (compared lower-cased, without spaces/_/-).
BEHAVIOR_COLUMNS: dict[str, tuple[str, ...]] = {
    "user_id": ("userid", "user", "uid", "customerid", "customer", "visitorid", "memberid", "用户id", "用户", "用户编号"),
    "item_id": ("itemid", "item", "productid", "product", "sku", "skuid", "goodsid", "商品id", "商品", "商品编号"),
    "category_id": ("categoryid", "category", "catid", "cat", "cid", "类目id", "类目", "品类id", "品类"),
    "behavior": ("behavior", "behaviour", "behaviortype", "action", "event", "eventtype", "type", "行为", "行为类型"),
    "timestamp": ("timestamp", "ts", "time", "datetime", "date", "eventtime", "unixtime", "时间", "时间戳", "日期"),
}
TAOBAO_ORDER = ("user_id", "item_id", "category_id", "behavior", "timestamp")
REQUIRED_BEHAVIOR = ("user_id", "item_id", "behavior", "timestamp")

TEXT_SUFFIXES = {".csv", ".tsv", ".tab", ".txt", ".jsonl", ".ndjson", ".json", ".md", ".markdown", ".rst"}
MAX_LINE_CHARS = 1_000_000  # a behaviour log's first line longer than this is not a log
_MS_THRESHOLD = 100_000_000_000  # unix times above this are milliseconds (year 5138 in seconds)


def norm_header(name: str) -> str:
    """Header names compared without case, spaces, underscores, dashes or a BOM."""
    return re.sub(r"[\s_\-.]+", "", str(name).replace("\ufeff", "")).lower()


# ----------------------------------------------------------------------------- encoding
def detect_encoding(path: Path, *, block: int = 8 << 20) -> str:
    """"utf-8-sig", "utf-8" or "gb18030", found by strictly decoding the whole file
    (incrementally, so memory stays flat). Anything else is a KnowledgeError naming the file."""
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(3)
        bom = head == codecs.BOM_UTF8
        fh.seek(0)
        for enc in ("utf-8", "gb18030"):
            dec = codecs.getincrementaldecoder(enc)(errors="strict")
            fh.seek(0)
            offset = 0
            try:
                while chunk := fh.read(block):
                    if b"\x00" in chunk:
                        at = offset + chunk.index(b"\x00")
                        raise KnowledgeError(
                            f"{path}: contains NUL bytes at byte {at}: not a text file "
                            "(UTF-16 or binary?). Save it as UTF-8 or GB18030.")
                    dec.decode(chunk, final=False)
                    offset += len(chunk)
                dec.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            if enc == "utf-8":
                return "utf-8-sig" if bom else "utf-8"
            fh.seek(0)  # GB18030 decodes the whole file: it may still mix in UTF-8 lines
            return "mixed" if _has_utf8_line(fh) else "gb18030"
        fh.seek(0)  # neither decodes the whole file: count line by line
        counts = line_encodings(fh)
        if counts["utf-8"] and (counts["gb18030"] or counts["undecodable"]):
            return "mixed"
        if counts["gb18030"] and not counts["undecodable"]:
            return "gb18030"
        if counts["gb18030"] + counts["utf-8"] > counts["undecodable"]:
            return "mixed"  # mostly decodable: the bad lines are rejected one by one
    raise KnowledgeError(f"{path}: cannot read the file as UTF-8, UTF-8 with BOM or GB18030; "
                         "re-save it in one of those encodings")


# Per-line decoding: a file that mixes UTF-8 and GB18030 rows (an export appended to by two
# tools) is decoded line by line — UTF-8 when the line is valid UTF-8, else GB18030, else the
# line is rejected with its number — never as one encoding that turns half of it into mojibake.
ENCODING_KINDS = ("ascii", "utf-8", "gb18030", "undecodable")


_UTF8_MB = (rb"(?:[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
            rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
            rb"|\xf4[\x80-\x8f][\x80-\xbf]{2})")
# A whole line that is valid UTF-8 and holds at least one multi-byte character.
# Possessive quantifiers (Python 3.11+): no backtracking, so the scan stays linear.
_UTF8_LINE = re.compile(rb"^[\x00-\x09\x0b-\x7f]*+" + _UTF8_MB +
                        rb"(?:[\x00-\x09\x0b-\x7f]|" + _UTF8_MB + rb")*+$", re.M)


def _has_utf8_line(fh, block: int = 8 << 20) -> bool:
    """Does a (GB18030-decodable) binary file hold a non-ASCII line that is valid UTF-8? One
    regex pass over whole lines, block by block (C speed, no per-line Python)."""
    rest = b""
    while chunk := fh.read(block):
        chunk = rest + chunk
        cut = chunk.rfind(b"\n") + 1
        if cut == 0:
            rest = chunk
            continue
        rest = chunk[cut:]
        if _UTF8_LINE.search(chunk, 0, cut):
            return True
    return bool(rest) and _UTF8_LINE.search(rest) is not None


def decode_line(raw: bytes) -> tuple[str | None, str]:
    """(text, how) for one line's bytes: how is one of ENCODING_KINDS (text None if undecodable)."""
    if raw.isascii():
        return raw.decode("ascii"), "ascii"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        return None, "undecodable"


def line_encodings(lines) -> dict[str, int]:
    """How many lines (of an iterable of byte lines) decode how."""
    counts = dict.fromkeys(ENCODING_KINDS, 0)
    for raw in lines:
        counts[decode_line(raw)[1]] += 1
    return counts


@dataclass
class DecodedText:
    """A whole file decoded: `encoding` is utf-8, utf-8-sig, gb18030 or mixed; for a mixed file
    `lines` counts the lines per kind and `bad` holds (line, reason) of the undecodable ones,
    which are left empty in `text` so that line numbers stay right."""

    text: str
    encoding: str
    lines: dict = field(default_factory=dict)
    bad: list = field(default_factory=list)

    def summary(self) -> str:
        """"" for a one-encoding file, else how many lines were decoded how."""
        if self.encoding != "mixed":
            return ""
        n = self.lines
        return (f"mixed encodings, decoded per line: {n.get('utf-8', 0)} UTF-8, {n.get('gb18030', 0)} GB18030, "
                f"{n.get('ascii', 0)} ASCII-only, {n.get('undecodable', 0)} undecodable (rejected)")


def decode_bytes(data: bytes, encoding: str) -> DecodedText:
    """Decode with a detected encoding; "mixed" decodes each line on its own (see above)."""
    if encoding != "mixed":
        return DecodedText(data.decode(encoding), encoding)
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    parts, counts, bad = [], dict.fromkeys(ENCODING_KINDS, 0), []
    for no, raw in enumerate(data.split(b"\n"), 1):
        text, how = decode_line(raw)
        counts[how] += 1 if raw.strip() else 0
        if text is None:
            bad.append((no, "bytes are neither UTF-8 nor GB18030 (the rest of the file is; re-save this line)"))
            text = ""
        parts.append(text)
    return DecodedText("\n".join(parts), "mixed", counts, bad)


def transcode_mixed(src: Path, dst: Path) -> DecodedText:
    """Write a mixed-encoding file as UTF-8 line by line (undecodable lines left empty, so line
    numbers stay right); for the streaming behaviour reader. Returns the counts (text "")."""
    counts, bad = dict.fromkeys(ENCODING_KINDS, 0), []
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        for no, raw in enumerate(fin, 1):
            if no == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[3:]
            body = raw.rstrip(b"\r\n")
            text, how = decode_line(body)
            counts[how] += 1 if body.strip() else 0
            if text is None:
                bad.append((no, "bytes are neither UTF-8 nor GB18030 (the rest of the file is; re-save this line)"))
                text = ""
            fout.write(text.encode("utf-8") + raw[len(body):])
    return DecodedText("", "mixed", counts, bad)


def scan_file(path: Path, *, text: bool = True, block: int = 8 << 20) -> tuple[str, str]:
    """(SHA-256 hex, encoding) in one pass over the file for the common UTF-8 case (a second
    pass only when it is not UTF-8). With text=False only the hash is computed (encoding "")."""
    path = Path(path)
    sha = hashlib.sha256()
    dec = codecs.getincrementaldecoder("utf-8")(errors="strict") if text else None
    utf8_ok, first = True, b""
    with open(path, "rb") as fh:
        while chunk := fh.read(block):
            if not first:
                first = chunk[:3]
            sha.update(chunk)
            if dec is not None and utf8_ok:
                if b"\x00" in chunk:
                    utf8_ok = False  # let detect_encoding name the problem
                    continue
                try:
                    dec.decode(chunk, final=False)
                except UnicodeDecodeError:
                    utf8_ok = False
    if not text:
        return sha.hexdigest(), ""
    if utf8_ok:
        try:
            dec.decode(b"", final=True)
            return sha.hexdigest(), "utf-8-sig" if first == codecs.BOM_UTF8 else "utf-8"
        except UnicodeDecodeError:
            pass
    return sha.hexdigest(), detect_encoding(path, block=block)


def read_text(path: Path) -> tuple[str, str]:
    """Whole file as text, with its detected encoding (BOM removed). For small files. A mixed
    file's undecodable lines come back empty: use `read_decoded` to see them."""
    d = read_decoded(path)
    return d.text, d.encoding


def read_decoded(path: Path) -> DecodedText:
    """Whole file decoded (per line when it mixes UTF-8 and GB18030). For small files."""
    enc = detect_encoding(path)
    return decode_bytes(Path(path).read_bytes(), enc)


def sniff_delimiter(path: Path, first_line: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in (".tsv", ".tab"):
        return "\t"
    if "\t" in first_line and first_line.count("\t") >= first_line.count(","):
        return "\t"
    if ";" in first_line and "," not in first_line and "\t" not in first_line:
        return ";"
    return ","


def _first_line(path: Path, encoding: str) -> str:
    with open(path, "r", encoding=encoding, errors="replace", newline="") as fh:
        for line in fh:
            if line.strip():
                return line.rstrip("\r\n").lstrip("\ufeff")
    return ""


def file_kind(path: Path) -> str:
    """"parquet", "jsonl" or "delimited" from the suffix."""
    suffix = Path(path).suffix.lower()
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    return "delimited"


# ----------------------------------------------------------------------------- behaviour
@dataclass
class Reject:
    """One rejected row: where, why, and its fields (user id already pseudonymised)."""

    line: int
    reason: str
    row: dict = field(default_factory=dict)


@dataclass
class BehaviorBatch:
    """Accepted rows of one chunk, typed, plus the rejected ones.

    `user_codes` index into `user_values` (distinct raw ids of this batch, as text); the
    caller pseudonymises the distinct ids only. `read` counts the data rows of the chunk
    (blank lines are not rows)."""

    user_values: list[str]
    user_codes: np.ndarray  # int32
    item_id: np.ndarray  # int64
    category_id: np.ndarray  # int64
    behavior: np.ndarray  # int8 codes into BEHAVIORS
    ts: np.ndarray  # int64 unix seconds
    rejects: list[Reject]
    read: int

    def __len__(self) -> int:
        return len(self.item_id)


@dataclass(frozen=True)
class BehaviorLayout:
    """How a behaviour file is laid out (found by `sniff_behavior`)."""

    kind: str  # parquet | jsonl | delimited
    encoding: str
    delimiter: str
    has_header: bool
    columns: tuple[str, ...]  # the file's column names (or Taobao order when headerless)
    mapping: dict  # canonical name → file column name

    @property
    def location_word(self) -> str:
        return "row" if self.kind == "parquet" else "line"


def _map_columns(names: list[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    normed = [norm_header(n) for n in names]
    for canon, al in aliases.items():
        wanted = (norm_header(canon),) + al
        for w in wanted:  # alias order = preference order
            if w in normed and names[normed.index(w)] not in mapping.values():
                mapping[canon] = names[normed.index(w)]
                break
    return mapping


def sniff_behavior(path: Path, *, encoding: str | None = None) -> BehaviorLayout:
    """Encoding (detected unless given), delimiter, header and column mapping of a behaviour log."""
    path = Path(path)
    kind = file_kind(path)
    if kind == "parquet":
        try:
            names = pq.ParquetFile(path).schema_arrow.names
        except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a bad file
            raise KnowledgeError(f"{path}: not a readable Parquet file ({exc})") from exc
        mapping = _map_columns(names, BEHAVIOR_COLUMNS)
        _require(path, mapping, names)
        return BehaviorLayout("parquet", "", "", True, tuple(names), mapping)
    encoding = encoding or detect_encoding(path)
    first = _first_line(path, encoding)
    if not first:
        raise KnowledgeError(f"{path}: the file is empty")
    if kind == "jsonl":
        try:
            obj = json.loads(first)
        except json.JSONDecodeError as exc:
            raise KnowledgeError(f"{path}: line 1 is not JSON ({exc.msg})") from exc
        names = list(obj) if isinstance(obj, dict) else []
        mapping = _map_columns(names, BEHAVIOR_COLUMNS)
        _require(path, mapping, names)
        return BehaviorLayout("jsonl", encoding, "", True, tuple(names), mapping)
    delim = sniff_delimiter(path, first)
    if len(first) > MAX_LINE_CHARS:
        raise KnowledgeError(
            f"{path}: line 1 is {len(first):,} characters long: not a behaviour log (one event per line, "
            "user_id,item_id,category_id,behavior,timestamp). Fix: check that this is the right file; a log "
            "exported without line breaks must be re-exported with one row per line")
    cells = next(csv.reader([first], delimiter=delim))
    mapping = _map_columns(cells, BEHAVIOR_COLUMNS)
    if mapping and not all(_looks_numeric(c) for c in cells):
        _require(path, mapping, cells)
        return BehaviorLayout("delimited", encoding, delim, True, tuple(cells), mapping)
    if len(cells) != len(TAOBAO_ORDER):
        raise KnowledgeError(
            f"{path}: no header row and {len(cells)} columns; a headerless behaviour log must have 5 columns "
            "user_id,item_id,category_id,behavior,timestamp (or add a header naming the columns)")
    return BehaviorLayout("delimited", encoding, delim, False, TAOBAO_ORDER, {c: c for c in TAOBAO_ORDER})


def _looks_numeric(s: str) -> bool:
    return bool(re.fullmatch(r"\s*[+-]?\d+(\.\d+)?\s*", s))


def _require(path: Path, mapping: dict, names: list[str]) -> None:
    missing = [c for c in REQUIRED_BEHAVIOR if c not in mapping]
    if missing:
        raise KnowledgeError(
            f"{path}: no column for {', '.join(missing)} (columns found: {', '.join(map(str, names)) or 'none'}); "
            "expected user_id, item_id, category_id (optional), behavior, timestamp")


def iter_behavior(path: Path, layout: BehaviorLayout, *, chunk_rows: int = 500_000,
                  user_pseudonym: Callable[[str], str] | None = None,
                  ts_range: tuple[int, int, str] | None = None) -> Iterator[BehaviorBatch]:
    """Typed, validated batches of about `chunk_rows` rows.

    `user_pseudonym` (raw id → pseudonym) is only used for the rejected rows' copy of the
    user id, so raw ids never reach the rejects file either. `ts_range` = (lowest, highest
    unix seconds, reason text): rows timed outside it are rejected with that reason."""
    path = Path(path)
    hide = _with_range(user_pseudonym or (lambda raw: ""), ts_range)
    if layout.kind == "parquet":
        pf = pq.ParquetFile(path)
        cols = list(dict.fromkeys(layout.mapping.values()))
        start = 0
        for rb in pf.iter_batches(batch_size=chunk_rows, columns=cols):
            lines = np.arange(start + 1, start + rb.num_rows + 1, dtype=np.int64)
            start += rb.num_rows
            yield _convert(rb, layout, lines, [], hide)
        return
    if layout.kind == "jsonl":
        yield from _iter_jsonl_behavior(path, layout, chunk_rows, hide)
        return
    yield from _iter_csv_behavior(path, layout, chunk_rows, hide)


def _iter_csv_behavior(path, layout: BehaviorLayout, chunk_rows: int, hide) -> Iterator[BehaviorBatch]:
    skipped: list[tuple[int, str, int]] = []  # (physical line, text, n fields) of malformed rows

    def on_invalid(row) -> str:
        skipped.append((row.number if row.number is not None else -1, row.text, row.actual_columns))
        return "skip"

    ncols = len(layout.columns)
    names = [f"c{i}" for i in range(ncols)]
    enc = layout.encoding.replace("utf-8-sig", "utf8").replace("utf-8", "utf8")
    ro = pacsv.ReadOptions(column_names=names, skip_rows=1 if layout.has_header else 0, use_threads=False,
                           block_size=max(1 << 20, min(64 << 20, chunk_rows * 48)), encoding=enc)
    po = pacsv.ParseOptions(delimiter=layout.delimiter, ignore_empty_lines=False, invalid_row_handler=on_invalid,
                            newlines_in_values=False)
    wanted = {canon: f"c{layout.columns.index(col)}" for canon, col in layout.mapping.items()}
    co = pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, include_columns=sorted(set(wanted.values())),
                              strings_can_be_null=False, quoted_strings_can_be_null=False)
    relayout = BehaviorLayout(layout.kind, layout.encoding, layout.delimiter, layout.has_header,
                              tuple(wanted.values()), {c: v for c, v in wanted.items()})
    header = 1 if layout.has_header else 0
    user_pos = layout.columns.index(layout.mapping["user_id"])
    emitted = 0  # rows handed out by the reader so far (blank lines included)
    reported = 0  # malformed rows already turned into rejects
    try:
        reader = pacsv.open_csv(path, read_options=ro, parse_options=po, convert_options=co)
        pending: list[pa.RecordBatch] = []
        pending_rows = 0

        def flush():
            nonlocal emitted, reported, pending, pending_rows
            table_rows = pending_rows
            rb = pa.Table.from_batches(pending).combine_chunks().to_batches()[0] if len(pending) > 1 else pending[0]
            pending, pending_rows = [], 0
            # Physical line of output row g: header + g + 1 + number of malformed lines before it.
            bad_lines = np.array(sorted(s[0] for s in skipped if s[0] > 0), dtype=np.int64)
            adj = bad_lines - np.arange(len(bad_lines))
            ideal = np.arange(emitted, emitted + table_rows, dtype=np.int64) + header + 1
            lines = ideal + np.searchsorted(adj, ideal, side="right")
            emitted += table_rows
            new_bad = skipped[reported:]
            reported = len(skipped)
            malformed = [Reject(no, f"expected {ncols} fields, got {n}", _hide_fields(text, layout.delimiter, user_pos, hide))
                         for no, text, n in new_bad]
            return _convert(rb, relayout, lines, malformed, hide)

        for rb in reader:
            if rb.num_rows == 0:
                continue
            pending.append(rb)
            pending_rows += rb.num_rows
            if pending_rows >= chunk_rows:
                yield flush()
        if pending:
            yield flush()
        elif len(skipped) > reported:  # malformed rows after the last good one
            yield BehaviorBatch([], np.empty(0, np.int32), *(np.empty(0, np.int64),) * 2, np.empty(0, np.int8),
                                np.empty(0, np.int64),
                                [Reject(no, f"expected {ncols} fields, got {n}",
                                        _hide_fields(text, layout.delimiter, user_pos, hide))
                                 for no, text, n in skipped[reported:]], len(skipped) - reported)
    except pa.ArrowInvalid as exc:
        # pyarrow may quote the offending row; it could hold a raw user id, so keep only the diagnosis.
        msg = re.sub(r"(got \d+)\s*:.*$", r"\1", str(exc).splitlines()[0] if str(exc) else "parse error")
        if "straddl" in msg:
            msg = (f"a line longer than the {ro.block_size >> 20} MB read block (a whole file on one line?). "
                   "Fix: re-export with one row per line")
        raise KnowledgeError(f"{path}: cannot parse as {'TSV' if layout.delimiter == chr(9) else 'CSV'}: {msg}") from exc


def _with_range(hide, ts_range):
    """The pseudonym function carries the timestamp range to `_convert` (keeps signatures small)."""
    fn = lambda raw: hide(raw)
    fn.ts_range = ts_range
    return fn


def _hide_fields(text: str, delim: str, user_pos: int, hide) -> dict:
    cells = text.split(delim)
    out = {f"field{i + 1}": c for i, c in enumerate(cells)}
    if user_pos < len(cells):
        out[f"field{user_pos + 1}"] = hide(cells[user_pos].strip()) if cells[user_pos].strip() else ""
    return out


def _iter_jsonl_behavior(path, layout: BehaviorLayout, chunk_rows: int, hide) -> Iterator[BehaviorBatch]:
    cols = list(dict.fromkeys(layout.mapping.values()))
    buf: dict[str, list] = {c: [] for c in cols}
    lines: list[int] = []
    bad: list[Reject] = []

    def flush():
        nonlocal buf, lines, bad
        rb = pa.RecordBatch.from_pydict({c: pa.array(["" if v is None else str(v) for v in buf[c]], pa.string())
                                         for c in cols})
        out = _convert(rb, layout, np.array(lines, dtype=np.int64), bad, hide)
        buf, lines, bad = {c: [] for c in cols}, [], []
        return out

    with open(path, "r", encoding=layout.encoding, newline="") as fh:
        for no, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
                if not isinstance(obj, dict):
                    raise ValueError("not an object")
            except ValueError:
                bad.append(Reject(no, "not a JSON object", {}))
                continue
            for c in cols:
                buf[c].append(obj.get(c))
            lines.append(no)
            if len(lines) >= chunk_rows:
                yield flush()
        if lines or bad:
            yield flush()


def _convert(rb: pa.RecordBatch, layout: BehaviorLayout, lines: np.ndarray, malformed: list[Reject],
             hide) -> BehaviorBatch:
    """Validate and type one batch. `lines` = physical line (or row) number of each row."""
    m = layout.mapping
    n = rb.num_rows
    col = lambda canon: rb.column(rb.schema.get_field_index(m[canon]))
    user_raw = pc.utf8_trim_whitespace(_as_text(col("user_id")))

    user_missing = np.asarray(pc.fill_null(pc.equal(user_raw, ""), True))
    # A blank line is a row whose every field is empty; only rows without a user can be one.
    blank = np.zeros(n, dtype=bool)
    if layout.kind == "delimited" and user_missing.any():
        idx = np.flatnonzero(user_missing)
        blank[idx] = _all_blank(rb.take(pa.array(idx)))
    item, item_bad, item_missing = _to_int(col("item_id"))
    if "category_id" in m:
        cat, cat_bad, cat_missing = _to_int(col("category_id"))
    else:
        cat, cat_bad, cat_missing = np.zeros(n, np.int64), np.zeros(n, bool), np.zeros(n, bool)
    beh, beh_missing = _to_behavior(col("behavior"))
    ts, ts_bad, ts_missing = _to_ts(col("timestamp"))

    problems = [
        (user_missing, lambda i: "missing user_id"),
        (item_missing, lambda i: "missing item_id"),
        (item_bad, lambda i: f"item_id '{_cell(col('item_id'), i)}' is not an integer"),
        (cat_missing, lambda i: "missing category_id"),
        (cat_bad, lambda i: f"category_id '{_cell(col('category_id'), i)}' is not an integer"),
        (beh_missing, lambda i: "missing behavior"),
        ((beh < 0) & ~beh_missing, lambda i: f"behavior '{_cell(col('behavior'), i)}' is not one of pv/cart/fav/buy"),
        (ts_missing, lambda i: "missing timestamp"),
        (ts_bad, lambda i: f"timestamp '{_cell(col('timestamp'), i)}' is not unix seconds or an ISO date"),
    ]
    ts_range = getattr(hide, "ts_range", None)
    if ts_range is not None:
        lo, hi, range_why = ts_range
        out_of_range = ~ts_missing & ~ts_bad & ((ts < lo) | (ts > hi))
        problems.append((out_of_range, lambda i: f"timestamp '{_cell(col('timestamp'), i)}' "
                                                 f"({_iso_day(int(ts[i]))}) is {range_why}"))
    bad = np.zeros(n, dtype=bool)
    for mask, _ in problems:
        bad |= mask
    bad &= ~blank
    rejects = list(malformed)
    if bad.any():
        reason_of: dict[int, str] = {}
        for mask, why in problems:  # first problem wins
            for i in np.flatnonzero(mask & bad):
                reason_of.setdefault(int(i), why(int(i)))
        for i in sorted(reason_of):
            row = {canon: _cell(col(canon), i) for canon in m}
            row["user_id"] = hide(row["user_id"]) if row["user_id"] else ""
            rejects.append(Reject(int(lines[i]), reason_of[i], row))
    rejects.sort(key=lambda r: r.line)
    keep = ~(bad | blank)
    user_keep = pc.filter(user_raw, pa.array(keep)) if not keep.all() else user_raw
    enc = pc.dictionary_encode(user_keep) if len(user_keep) else None
    if enc is not None:
        enc = enc.combine_chunks() if isinstance(enc, pa.ChunkedArray) else enc
        user_values = enc.dictionary.to_pylist()
        user_codes = enc.indices.to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
    else:
        user_values, user_codes = [], np.empty(0, np.int32)
    return BehaviorBatch(user_values, user_codes, item[keep], cat[keep], beh[keep].astype(np.int8), ts[keep],
                         rejects, int(n - blank.sum()) + len(malformed))


def _iso_day(secs: int) -> str:
    import datetime as dt

    try:
        return dt.datetime.fromtimestamp(secs, dt.timezone.utc).strftime("%Y-%m-%d")
    except (OverflowError, OSError, ValueError):
        return "not a representable date"


def _as_text(arr: pa.Array) -> pa.Array:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return arr
    if pa.types.is_floating(arr.type):  # ids read as float because of missing values
        ok = pc.and_(pc.is_valid(arr), pc.equal(pc.floor(arr), arr))
        arr = pc.if_else(ok, pc.cast(pc.if_else(ok, arr, 0.0), pa.int64()), pa.scalar(None, pa.int64()))
    return pc.cast(arr, pa.string())


def _cell(arr: pa.Array, i: int) -> str:
    v = arr[i].as_py()
    return "" if v is None else str(v).strip()


def _all_blank(rb: pa.RecordBatch) -> np.ndarray:
    blank = np.ones(rb.num_rows, dtype=bool)
    for c in rb.columns:
        if pa.types.is_string(c.type):
            blank &= np.asarray(pc.fill_null(pc.equal(pc.utf8_length(c), 0), True))
        else:
            blank &= np.asarray(pc.is_null(c))
    return blank


def _is_missing(arr: pa.Array) -> np.ndarray:
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        empty = pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(arr)), 0)
        return np.asarray(pc.fill_null(empty, True))
    return np.asarray(pc.is_null(arr))


_INT_RE = r"^\s*[+-]?\d{1,18}(\.0*)?\s*$"


def _to_int(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, bad, missing) for an id column."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    n = len(arr)
    if pa.types.is_integer(arr.type):
        missing = np.asarray(pc.is_null(arr))
        return np.asarray(pc.fill_null(pc.cast(arr, pa.int64()), 0)), np.zeros(n, bool), missing
    arr = _as_text(arr)
    try:
        vals = pc.cast(arr, pa.int64())
        return vals.to_numpy(zero_copy_only=False), np.zeros(n, bool), np.zeros(n, bool)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    missing = _is_missing(arr)
    ok = np.asarray(pc.fill_null(pc.match_substring_regex(arr, _INT_RE), False))
    cleaned = pc.replace_substring_regex(pc.utf8_trim_whitespace(arr), r"\.0*$", "")
    vals = pc.cast(pc.if_else(pa.array(ok), cleaned, "0"), pa.int64()).to_numpy(zero_copy_only=False)
    return vals, ~ok & ~missing, missing


def _to_behavior(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(codes with -1 for unknown, missing)."""
    arr = _as_text(arr)
    missing = _is_missing(arr)
    enc = pc.dictionary_encode(pc.utf8_lower(pc.utf8_trim_whitespace(arr)))
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    table = np.array([BEHAVIOR_CODE.get(str(v), -1) for v in enc.dictionary.to_pylist()] + [-1], dtype=np.int16)
    idx = enc.indices.to_numpy(zero_copy_only=False) if enc.indices.null_count == 0 else \
        np.asarray(pc.fill_null(enc.indices, len(table) - 1))
    return table[idx], missing


def _to_ts(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(unix seconds, bad, missing). Accepts unix seconds (or milliseconds), fractional
    seconds and ISO 8601 dates/times (naive times are taken as UTC)."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    n = len(arr)
    if pa.types.is_timestamp(arr.type) or pa.types.is_date(arr.type):
        missing = np.asarray(pc.is_null(arr))
        secs = pc.cast(pc.cast(arr, pa.timestamp("s")), pa.int64())
        return np.asarray(pc.fill_null(secs, 0)), np.zeros(n, bool), missing
    if pa.types.is_integer(arr.type):
        missing = np.asarray(pc.is_null(arr))
        v = np.asarray(pc.fill_null(pc.cast(arr, pa.int64()), 0))
        return np.where(v > _MS_THRESHOLD, v // 1000, v), np.zeros(n, bool), missing
    arr = _as_text(arr)
    try:
        v = pc.cast(arr, pa.int64()).to_numpy(zero_copy_only=False)
        return np.where(v > _MS_THRESHOLD, v // 1000, v), np.zeros(n, bool), np.zeros(n, bool)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    missing = _is_missing(arr)
    out = np.zeros(n, np.int64)
    bad = ~missing.copy()
    enc = pc.dictionary_encode(pc.utf8_trim_whitespace(arr))
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    uniques = pd.Series(enc.dictionary.to_pylist(), dtype=object)
    parsed = np.full(len(uniques), np.iinfo(np.int64).min, dtype=np.int64)
    num = pd.to_numeric(uniques, errors="coerce")
    is_num = num.notna().to_numpy() & uniques.str.fullmatch(r"[+-]?\d+(\.\d+)?").fillna(False).to_numpy()
    parsed[is_num] = np.floor(num[is_num].to_numpy(dtype=np.float64)).astype(np.int64)
    parsed[is_num] = np.where(parsed[is_num] > _MS_THRESHOLD, parsed[is_num] // 1000, parsed[is_num])
    rest = ~is_num & uniques.str.match(r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}").fillna(False).to_numpy()
    if rest.any():
        dt = pd.to_datetime(uniques[rest].str.replace("/", "-", regex=False), format="ISO8601", errors="coerce", utc=True)
        ok = dt.notna().to_numpy()
        secs = np.full(len(dt), np.iinfo(np.int64).min, dtype=np.int64)
        secs[ok] = (dt[ok].astype("datetime64[s, UTC]").astype("int64")).to_numpy()
        parsed[np.flatnonzero(rest)] = secs
    idx = np.asarray(pc.fill_null(enc.indices, 0)).astype(np.int64)
    vals = parsed[idx] if len(parsed) else np.full(n, np.iinfo(np.int64).min)
    good = vals != np.iinfo(np.int64).min
    out[good] = vals[good]
    bad = ~good & ~missing
    return out, bad, missing


# ----------------------------------------------------------------------------- records (reviews, catalogue)
@dataclass
class Records:
    """Rows of a small tabular file as dicts, each with its physical line (or row) number.

    `rows` yields (line, dict) for good rows and (line, None, reason) is reported through
    `problems` (rows that could not even be split into fields)."""

    path: Path
    encoding: str
    columns: list[str]
    rows: list[tuple[int, dict]]
    problems: list[Reject]
    location_word: str = "line"
    decoding: str = ""  # how a mixed-encoding file was decoded ("" for one encoding)


def read_records(path: Path, *, header_hint: Callable[[list[str]], bool] | None = None) -> Records:
    """Read a CSV/TSV/JSONL/Parquet file of records (reviews, catalogue) fully into memory.

    For CSV/TSV the first row is the header when `header_hint(cells)` says so (default:
    always); otherwise columns are named "col1", "col2", …"""
    path = Path(path)
    kind = file_kind(path)
    if kind == "parquet":
        df = pd.read_parquet(path)
        cols = [str(c) for c in df.columns]
        rows = [(i + 1, {c: _plain(v) for c, v in zip(cols, rec)}) for i, rec in enumerate(df.itertuples(index=False))]
        return Records(path, "", cols, rows, [], "row")
    decoded = read_decoded(path)
    text, enc = decoded.text.lstrip("\ufeff"), decoded.encoding
    undecodable = [Reject(no, why, {}) for no, why in decoded.bad]
    recs = _read_records_text(path, text, enc, header_hint)
    recs.problems = sorted(recs.problems + undecodable, key=lambda r: r.line)
    recs.decoding = decoded.summary()
    return recs


def _read_records_text(path: Path, text: str, enc: str, header_hint) -> Records:
    kind = file_kind(path)
    if kind == "jsonl":
        rows, problems, cols = [], [], {}
        stripped = text.strip()
        if stripped.startswith("[") and path.suffix.lower() == ".json":  # a JSON array of objects
            try:
                data = json.loads(stripped)
            except json.JSONDecodeError as exc:
                raise KnowledgeError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
            for i, obj in enumerate(data, 1):
                if isinstance(obj, dict):
                    rows.append((i, {str(k): _plain(v) for k, v in obj.items()}))
                    cols.update(dict.fromkeys(map(str, obj)))
                else:
                    problems.append(Reject(i, "not a JSON object", {}))
            return Records(path, enc, list(cols), rows, problems, "item")
        for no, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(Reject(no, f"not valid JSON ({exc.msg})", {}))
                continue
            if not isinstance(obj, dict):
                problems.append(Reject(no, "not a JSON object", {}))
                continue
            rows.append((no, {str(k): _plain(v) for k, v in obj.items()}))
            cols.update(dict.fromkeys(map(str, obj)))
        return Records(path, enc, list(cols), rows, problems)
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    if not first:
        raise KnowledgeError(f"{path}: the file is empty")
    delim = sniff_delimiter(path, first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    header: list[str] | None = None
    rows, problems = [], []
    prev_end = 0
    for cells in _checked_rows(reader, path):
        start = prev_end + 1
        prev_end = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            if header_hint is None or header_hint(cells):
                header = [c.strip().lstrip("\ufeff") for c in cells]
                continue
            header = [f"col{i + 1}" for i in range(len(cells))]
        if len(cells) != len(header):
            problems.append(Reject(start, f"expected {len(header)} fields, got {len(cells)}",
                                   {"fields": len(cells)}))
            continue
        rows.append((start, dict(zip(header, cells))))
    return Records(path, enc, header or [], rows, problems)


def _checked_rows(reader, path: Path):
    """csv rows; a row csv cannot split (over its field size limit, say) is an error naming the line."""
    it = iter(reader)
    while True:
        try:
            yield next(it)
        except StopIteration:
            return
        except csv.Error as exc:
            hint = ("a field longer than the CSV limit: a whole file on one line, or a quote (\") opened and never "
                    "closed. Fix: check the quotes on that line, or re-export with one row per line"
                    if "field larger" in str(exc) else "Fix: check the quoting on that line")
            raise KnowledgeError(f"{path}: line {reader.line_num}: cannot split into fields ({exc}): {hint}") from exc


def _plain(v):
    if v is None:
        return ""
    if isinstance(v, float) and v != v:
        return ""
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    return v
