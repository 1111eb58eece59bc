"""Ingest files into the store: behaviour logs, reviews, catalogues, docs.

Every function returns an `IngestReport` whose counts reconcile:
    accepted + rejected + duplicates == read
Rejected rows go to <data_dir>/rejects/<file>.<timestamp>.jsonl, one JSON object per line
with "line" (the physical line; for Parquet the row number), "reason", "message" ("line 17: …")
and "fields" (user id pseudonymised, text redacted, so the
rejects file holds no more personal data than the store). A file whose content hash was
ingested before adds nothing: its rows all count as duplicates.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pyarrow as pa

from .chunking import chunk_document
from .privacy import Privacy
from .readers import (
    Records,
    Reject,
    decode_bytes,
    line_encodings,
    read_decoded,
    transcode_mixed,
    file_kind,
    iter_behavior,
    norm_header,
    read_records,
    read_text,
    scan_file,
    sniff_behavior,
)
from .settings import IngestSettings
from .store import CatalogRow, DocChunk, ReviewRow, Store
from .text import detect_lang
from .types import KnowledgeError

DOC_SUFFIXES = (".md", ".markdown", ".txt", ".rst")


@dataclass(frozen=True)
class IngestReport:
    """What one ingest did. accepted + rejected + duplicates == read."""

    read: int
    accepted: int
    rejected: int
    duplicates: int
    rejects_path: Path | None
    file: str
    kind: str = ""
    already_ingested: bool = False  # the same content was ingested before: nothing added
    seconds: float = 0.0
    redactions: dict = field(default_factory=dict)  # PII replaced in free text, per tag
    notes: tuple[str, ...] = ()

    @property
    def usable(self) -> bool:
        """True when at least one row is (now or already) in the store."""
        return self.accepted + self.duplicates > 0

    def to_dict(self) -> dict:
        d = asdict(self)
        d["rejects_path"] = str(self.rejects_path) if self.rejects_path else None
        d["notes"] = list(self.notes)
        return d


# ----------------------------------------------------------------------------- helpers
def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(8 << 20):
            h.update(block)
    return h.hexdigest()


class RejectsFile:
    """Writes rejected rows as JSON lines; the file is created at the first reject."""

    def __init__(self, rejects_dir: Path, source: Path, location_word: str = "line",
                 redact: Callable[[str], str] | None = None):
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
        self.path = Path(rejects_dir) / f"{Path(source).name}.{stamp}.jsonl"
        n = 1
        while self.path.exists():
            n += 1
            self.path = Path(rejects_dir) / f"{Path(source).name}.{stamp}-{n}.jsonl"
        self.word = location_word
        self._redact = redact or (lambda s: s)  # reasons quote the bad value: redact them like the fields
        self.count = 0
        self._fh = None

    def write(self, rejects: Iterable[Reject]) -> None:
        for r in rejects:
            if self._fh is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._fh = open(self.path, "w", encoding="utf-8")
            reason = self._redact(r.reason)
            fields = {k: self._redact(v) if isinstance(v, str) else v for k, v in r.row.items()}
            rec = {"line": r.line, "reason": reason, "message": f"{self.word} {r.line}: {reason}", "fields": fields}
            self._fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            self.count += 1

    def close(self) -> Path | None:
        if self._fh is not None:
            self._fh.close()
            return self.path
        return None


def _progress(progress: bool, desc: str, unit: str = "rows"):
    from tqdm import tqdm  # stderr by default

    return tqdm(desc=desc, unit=unit, unit_scale=True, disable=not progress, leave=False)


def _check_file(path: Path, *, file_only: bool = True) -> Path:
    path = Path(path)
    if not path.exists():
        raise KnowledgeError(f"{path}: no such file or folder")
    if file_only and not path.is_file():
        raise KnowledgeError(f"{path}: is a folder; give the file to ingest (only `ingest docs` takes a folder)")
    if path.is_file():
        _check_readable(path)
    return path


def _check_readable(path: Path) -> None:
    """A file this user cannot read is the person's to fix (exit 2), not an internal error."""
    try:
        with open(path, "rb") as fh:
            fh.read(1)
    except PermissionError as exc:
        raise KnowledgeError(f"{path}: permission denied: this user cannot read the file. "
                             f"Fix: `chmod a+r {path}` or run growthpilot as a user who can read it") from exc
    except OSError as exc:
        raise KnowledgeError(f"{path}: cannot be read ({exc.strerror or exc}). Fix: check the file and the disk, "
                             "then run again") from exc


def _already(prev, path: Path, kind: str, t0: float) -> IngestReport:
    return IngestReport(read=prev.read, accepted=0, rejected=prev.rejected, duplicates=prev.read - prev.rejected,
                        rejects_path=Path(prev.rejects_path) if prev.rejects_path else None, file=str(path), kind=kind,
                        already_ingested=True, seconds=time.perf_counter() - t0,
                        notes=(f"this exact file was already ingested on {prev.ingested_at}; nothing added",))


def _checked(report: IngestReport) -> IngestReport:
    if report.accepted + report.rejected + report.duplicates != report.read:  # a bug, never the user's fault
        raise RuntimeError(f"ingest counts do not reconcile: {report}")
    return report


# ----------------------------------------------------------------------------- behaviour
def ingest_behavior(path: Path, store: Store, privacy: Privacy, settings: IngestSettings, *,
                    progress: bool = True) -> IngestReport:
    """Ingest a behaviour log (CSV/TSV/JSONL/Parquet, Taobao UserBehavior shape with or without
    header). User ids are pseudonymised before anything is written."""
    t0 = time.perf_counter()
    path = _check_file(path)
    sha, encoding = scan_file(path, text=file_kind(path) != "parquet")
    prev = store.source(sha, "behavior")
    if prev is not None:
        return _already(prev, path, "behavior", t0)
    source, decoded = _utf8_source(path, encoding, store, sha)  # mixed encodings: a UTF-8 copy, line by line
    try:
        return _ingest_behavior(path, source, decoded, store, privacy, settings, sha, progress, t0)
    finally:
        if source != path:
            source.unlink(missing_ok=True)


def _utf8_source(path: Path, encoding: str, store: Store, sha: str):
    """(file to read, DecodedText | None): a file mixing UTF-8 and GB18030 lines is transcoded to
    UTF-8 per line (undecodable lines left empty and reported), so the streaming reader sees one
    encoding and nothing becomes mojibake."""
    if encoding != "mixed":
        return path, None
    tmp = store.behavior_dir / f".decode-{sha[:16]}{path.suffix}"
    return tmp, transcode_mixed(path, tmp)


def _ingest_behavior(path: Path, source: Path, decoded, store: Store, privacy: Privacy, settings: IngestSettings,
                     sha: str, progress: bool, t0: float) -> IngestReport:
    layout = sniff_behavior(source, encoding="utf-8" if decoded else None)

    pseudo = privacy.pseudonymizer
    cache: dict[str, tuple[str, int]] = {}

    def hide(raw: str) -> str:
        if raw not in cache:
            names, ints = pseudo.unique([raw])
            cache[raw] = (names[0], int(ints[0]))
        return cache[raw][0]

    rejects = RejectsFile(store.rejects_dir, path, layout.location_word, privacy.redactor)
    writer = store.behavior_writer(sha)
    read = accepted = duplicates = 0
    bar = _progress(progress, f"ingest {path.name}")
    if decoded is not None and decoded.bad:
        rejects.write([Reject(no, why, {}) for no, why in decoded.bad])
        read += len(decoded.bad)
    try:
        lo, hi = settings.timestamp_range()
        for batch in iter_behavior(source, layout, chunk_rows=settings.chunk_rows, user_pseudonym=hide,
                                   ts_range=(lo, hi, settings.range_text())):
            read += batch.read
            rejects.write(batch.rejects)
            if len(batch):
                missing = [u for u in batch.user_values if u not in cache]
                if missing:
                    names, ints = pseudo.unique(missing)
                    cache.update(zip(missing, zip(names, ints.tolist())))
                pairs = [cache[u] for u in batch.user_values]
                names_arr = pa.array([p[0] for p in pairs], pa.string())
                ints_arr = np.fromiter((p[1] for p in pairs), dtype=np.uint64, count=len(pairs))
                users = names_arr.take(pa.array(batch.user_codes))
                n, dup = writer.add(users, ints_arr[batch.user_codes], batch.item_id, batch.category_id,
                                    batch.behavior, batch.ts)
                accepted += n
                duplicates += int(dup.sum())
            bar.update(batch.read)
        rejects_path = rejects.close()
        report = _checked(IngestReport(read, accepted, rejects.count, duplicates, rejects_path, str(path), "behavior",
                                       seconds=0.0))
        if report.usable:
            writer.commit("behavior", path, read=read, accepted=accepted, rejected=rejects.count,
                          duplicates=duplicates, rejects_path=rejects_path)
        else:
            writer.abort()
    except BaseException:
        writer.abort()
        rejects.close()
        raise
    finally:
        bar.close()
    notes = (() if read else ("no data rows in the file",)) + ((decoded.summary(),) if decoded else ())
    return IngestReport(read, accepted, rejects.count, duplicates, rejects_path, str(path), "behavior",
                        seconds=time.perf_counter() - t0, notes=notes)


# ----------------------------------------------------------------------------- reviews
REVIEW_COLUMNS: dict[str, tuple[str, ...]] = {
    "text": ("review", "text", "content", "verifiedreviews", "reviewtext", "comment", "comments", "body",
             "reviewbody", "评论", "评价", "内容", "评论内容", "评价内容"),
    "rating": ("rating", "score", "stars", "star", "overall", "评分", "星级", "打分"),
    "label": ("label", "feedback", "sentiment", "polarity", "情感", "标签", "情感标签"),
    "category": ("cat", "category", "variation", "类别", "品类", "分类", "类目"),
    "product": ("product", "item", "itemid", "productid", "productname", "asin", "sku", "商品", "产品", "商品id",
                "商品名称"),
    "date": ("date", "time", "datetime", "createdat", "reviewdate", "timestamp", "日期", "时间", "评论时间"),
    "user": ("user", "userid", "author", "reviewer", "reviewerid", "customer", "customerid", "nickname", "用户",
             "用户id", "昵称", "买家"),
}
_LABELS = {"1": 1, "0": 0, "1.0": 1, "0.0": 0, "pos": 1, "neg": 0, "positive": 1, "negative": 0, "true": 1,
           "false": 0, "正面": 1, "负面": 0, "好评": 1, "差评": 0, "积极": 1, "消极": 0}


def _column_map(columns: list[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    normed = {norm_header(c): c for c in columns}
    out: dict[str, str] = {}
    for canon, al in aliases.items():
        for a in (norm_header(canon),) + al:
            if a in normed and normed[a] not in out.values():
                out[canon] = normed[a]
                break
    return out


def _known_header(aliases: dict[str, tuple[str, ...]]) -> Callable[[list[str]], bool]:
    known = {a for canon, al in aliases.items() for a in (norm_header(canon),) + al}
    return lambda cells: any(norm_header(c) in known for c in cells)


def parse_rating(raw: str) -> float | None:
    """"4", "4.5", "4/5", "★★★★☆" → number of stars; None when not a rating in 0–5."""
    s = str(raw).strip()
    if "★" in s or "☆" in s:
        return float(s.count("★"))
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(?:/\s*(\d+(?:\.\d+)?))?\s*(?:stars?|星|分)?", s, flags=re.I)
    if not m:
        return None
    value = float(m.group(1))
    if m.group(2):
        scale = float(m.group(2))
        if scale <= 0:
            return None
        value = value * 5.0 / scale
    return value if 0.0 <= value <= 5.0 else None


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%d-%b-%y", "%d-%b-%Y", "%b %d, %Y", "%B %d, %Y", "%d %b %Y",
                 "%d %B %Y", "%m/%d/%Y", "%Y%m%d")


def parse_date(raw: str) -> str | None:
    """An ISO "YYYY-MM-DD" from the common date spellings (ISO, 2024/3/15, 2024年3月15日,
    31-Jul-18, Jul 31, 2018, unix seconds); None when it is not a date."""
    s = str(raw).strip()
    m = re.fullmatch(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?(?:\s+.*)?", s)
    if m:
        s = f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    if re.fullmatch(r"\d{9,13}(\.\d+)?", s):
        v = float(s)
        v = v / 1000 if v > 1e11 else v
        return dt.datetime.fromtimestamp(v, dt.timezone.utc).strftime("%Y-%m-%d")
    head = re.split(r"[T ]\d{1,2}:\d{2}", s)[0].strip()  # drop a time of day
    for fmt in _DATE_FORMATS:
        for cand in (head, s):
            try:
                return dt.datetime.strptime(cand, fmt).strftime("%Y-%m-%d")
            except ValueError:
                continue
    return None


def _int_text(v) -> str:
    s = str(v).strip()
    return s[:-2] if re.fullmatch(r"\d+\.0", s) else s


def ingest_reviews(path: Path, store: Store, privacy: Privacy, settings: IngestSettings, *,
                   progress: bool = True) -> IngestReport:
    """Ingest reviews (CSV/TSV/JSONL/Parquet): text redacted and user pseudonymised before storage."""
    t0 = time.perf_counter()
    path = _check_file(path)
    sha = file_sha256(path)
    prev = store.source(sha, "reviews")
    if prev is not None:
        return _already(prev, path, "reviews", t0)
    recs = _uci_records(path) or read_records(path, header_hint=_known_header(REVIEW_COLUMNS))
    cmap = _column_map(recs.columns, REVIEW_COLUMNS)
    if "text" not in cmap:
        if len(recs.columns) == 1:
            cmap["text"] = recs.columns[0]
        else:
            raise _no_text_column(path, recs)
    rejects = RejectsFile(store.rejects_dir, path, recs.location_word, privacy.redactor)
    rejects.write(_redacted_problems(recs))
    rows: list[ReviewRow] = []
    row_lines: list[int] = []
    redactions: dict[str, int] = {}
    users: dict[str, str] = {}
    bar = _progress(progress, f"ingest {path.name}")
    date_ok = _review_date_check(settings)
    for line, rec in recs.rows:
        row, reason, counts = _review_row(rec, cmap, privacy, users)
        reason = reason or date_ok(row) or _text_too_long(row, settings)
        for k, v in counts.items():
            redactions[k] = redactions.get(k, 0) + v
        if reason:
            rejects.write([Reject(line, reason, _safe_review_fields(rec, cmap, privacy, users))])
        else:
            rows.append(row)
            row_lines.append(line)
        bar.update(1)
    bar.close()
    rows, conflicts = _drop_label_conflicts(rows, row_lines, store, rejects)
    added, dups = store.add_reviews(rows, source_sha=sha)
    read = len(recs.rows) + len(recs.problems)
    rejects_path = rejects.close()
    report = _checked(IngestReport(read, added, rejects.count, dups, rejects_path, str(path), "reviews",
                                   seconds=time.perf_counter() - t0, redactions=redactions,
                                   notes=_records_notes(recs) + _conflict_notes(conflicts)))
    if report.usable:
        store.record_source(sha, "reviews", path, read=read, accepted=added, rejected=rejects.count, duplicates=dups,
                            rejects_path=rejects_path)
    return report


# The UCI "Sentiment Labelled Sentences" shape (yelp/amazon/imdb_labelled.txt): no header,
# one review per line, `text<TAB>label` with label 0/1. Read with a split at the LAST tab (the
# text may hold quotes and commas that are not CSV quoting).
_UCI_SUFFIXES = (".txt", ".tsv", ".tab")


def _uci_records(path: Path) -> Records | None:
    """Records for a headerless `text<TAB>label` file, None when the file is not one."""
    if path.suffix.lower() not in _UCI_SUFFIXES:
        return None
    decoded = read_decoded(path)
    lines = decoded.text.lstrip("\ufeff").split("\n")
    sample = [ln.rstrip("\r") for ln in lines if ln.strip()][:50]
    if not sample or _known_header(REVIEW_COLUMNS)(sample[0].split("\t")):
        return None
    if not all("\t" in ln and ln.rsplit("\t", 1)[1].strip() in ("0", "1") for ln in sample):
        return None
    rows, problems = [], [Reject(no, why, {}) for no, why in decoded.bad]
    for no, ln in enumerate(lines, 1):
        ln = ln.rstrip("\r")
        if not ln.strip():
            continue
        text, _, label = ln.rpartition("\t")
        if label.strip() not in ("0", "1") or not text.strip():
            problems.append(Reject(no, "not `text<TAB>label` with label 0 or 1 like the rest of the file", {}))
            continue
        rows.append((no, {"text": text.strip(), "label": label.strip()}))
    recs = Records(path, decoded.encoding, ["text", "label"], rows, sorted(problems, key=lambda r: r.line))
    recs.decoding = "; ".join(x for x in (decoded.summary(), "headerless text<TAB>label file (UCI format): "
                                          "column 1 = text, column 2 = label 0/1") if x)
    return recs


def _no_text_column(path: Path, recs: Records) -> KnowledgeError:
    if recs.columns and all(re.fullmatch(r"col\d+", c) for c in recs.columns):
        return KnowledgeError(
            f"{path}: no review text column: no header row (line 1 names no known column) and "
            f"{len(recs.columns)} columns. "
            "Fix: add a header naming the columns (e.g. `review,rating,product`), or for a headerless file use "
            "`text<TAB>label` with label 0/1 on every line (the UCI sentiment format)")
    return KnowledgeError(f"{path}: no review text column among {', '.join(recs.columns) or 'no columns'}; "
                          "name it one of review, text, content, verified_reviews, comment, 评论, 内容")


def _drop_label_conflicts(rows: list[ReviewRow], lines: list[int], store: Store,
                          rejects: RejectsFile) -> tuple[list[ReviewRow], int]:
    """A review whose text (and product, date, …) is that of an earlier line — or of a stored
    review — but whose label is the opposite is rejected with a reason, not dropped as a silent
    duplicate; the first one seen is kept. Returns (kept rows, number rejected)."""
    first: dict[str, tuple[int, int | None]] = {}
    stored = store.review_labels([r.id for r in rows if r.label is not None])
    kept, bad = [], []
    for row, line in zip(rows, lines):
        if row.label is not None:
            if row.id in stored and stored[row.id] is not None and stored[row.id] != row.label:
                bad.append(Reject(line, f"same text as a review already stored with the opposite label "
                                        f"({stored[row.id]}; this line says {row.label}): conflicting labels, the "
                                        "stored one is kept", {"text": row.text, "label": row.label}))
                continue
            seen = first.setdefault(row.id, (line, row.label))
            if seen[1] is not None and seen[1] != row.label:
                bad.append(Reject(line, f"same text as line {seen[0]} with the opposite label ({seen[1]} there, "
                                        f"{row.label} here): conflicting labels, line {seen[0]} is kept",
                                  {"text": row.text, "label": row.label}))
                continue
        kept.append(row)
    rejects.write(bad)
    return kept, len(bad)


def _conflict_notes(n: int) -> tuple[str, ...]:
    return (f"{n} review(s) with the same text and the opposite label of an earlier one: rejected "
            "(see the rejects file), the first kept",) if n else ()


def _text_too_long(row: ReviewRow | None, settings: IngestSettings) -> str:
    """A review longer than [ingest] max_text_chars is rejected (a whole file on one line, a dump)."""
    if row is not None and len(row.text) > settings.max_text_chars:
        return (f"review text is {len(row.text):,} characters, over [ingest] max_text_chars "
                f"({settings.max_text_chars:,}): a whole file in one field? Check the file, or raise the limit")
    return ""


def _review_date_check(settings: IngestSettings) -> Callable[[ReviewRow | None], str]:
    """"" for a review without a date or dated inside [ingest]'s plausible range, else the reason."""
    lo, hi = settings.timestamp_range()
    day = lambda t: dt.datetime.fromtimestamp(t, dt.timezone.utc).date()
    lo_d, hi_d, why = day(lo), day(hi), settings.range_text()

    def check(row: ReviewRow | None) -> str:
        if row is None or not row.date:
            return ""
        m = re.fullmatch(r"(\d{1,4})-(\d{1,2})-(\d{1,2})", row.date)
        try:
            d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
        except ValueError:
            d = None
        if d is None or not (lo_d <= d <= hi_d):
            return f"date '{row.date}' is {why}"
        return ""

    return check


def _review_row(rec: dict, cmap: dict, privacy: Privacy, users: dict) -> tuple[ReviewRow | None, str, dict]:
    get = lambda k: ("" if k not in cmap or rec.get(cmap[k]) is None else str(rec.get(cmap[k])).strip())
    text = get("text")
    if not text:
        return None, "missing review text", {}
    rating = None
    if get("rating"):
        rating = parse_rating(get("rating"))
        if rating is None:
            return None, f"rating '{get('rating')}' is not a number between 0 and 5", {}
    label = None
    if get("label"):
        label = _LABELS.get(get("label").lower())
        if label is None:
            return None, f"label '{get('label')}' is not 1/0 or pos/neg", {}
    date = ""
    if get("date"):
        date = parse_date(get("date")) or ""
        if not date:
            return None, f"date '{get('date')}' is not a date", {}
    user = ""
    if get("user"):
        raw = get("user")
        user = users.get(raw) or users.setdefault(raw, privacy.pseudonymizer.one(raw))
    red = privacy.redactor.redact(text)
    product, category = privacy.redactor(_int_text(get("product"))), privacy.redactor(get("category"))
    rid = hashlib.sha256("\x1f".join([red.text, product, category, user, date, str(rating)]).encode("utf-8")).hexdigest()
    row = ReviewRow(id=f"review:{rid[:16]}", text=red.text, rating=rating, label=label, product=product,
                    category=category, date=date, user=user, lang=detect_lang(red.text))
    return row, "", red.counts


def _safe_review_fields(rec: dict, cmap: dict, privacy: Privacy, users: dict) -> dict:
    """A rejected review's fields with the same protection as stored ones."""
    out = {}
    for k, v in rec.items():
        v = "" if v is None else str(v)
        if cmap.get("user") == k and v.strip():
            v = users.get(v.strip()) or privacy.pseudonymizer.one(v)
        elif isinstance(v, str):
            v = privacy.redactor.redact(v).text
        out[k] = v
    return out


def _records_notes(recs: Records) -> tuple[str, ...]:
    """Summary notes about how a records file was read (a mixed-encoding file's per-line counts)."""
    return (recs.decoding,) if getattr(recs, "decoding", "") else ()


def _redacted_problems(recs: Records) -> list[Reject]:
    return [Reject(p.line, p.reason, {}) for p in recs.problems]


# ----------------------------------------------------------------------------- catalogue
CATALOG_COLUMNS: dict[str, tuple[str, ...]] = {
    "item_id": ("itemid", "id", "productid", "skuid", "sku", "goodsid", "商品id", "商品编号"),
    "name_zh": ("namezh", "namecn", "chinesename", "中文名", "中文名称", "商品名称zh"),
    "name": ("name", "nameen", "title", "productname", "product", "名称", "商品名", "商品名称"),
    "category_id": ("categoryid", "catid", "类目id", "品类id"),
    "category_zh": ("categoryzh", "categorycn", "类目zh", "中文类目"),
    "category": ("category", "categoryen", "cat", "类目", "品类", "分类"),
    "price": ("price", "priceyuan", "unitprice", "价格", "售价", "单价"),
    "description_zh": ("descriptionzh", "desczh", "descriptioncn", "中文描述"),
    "description": ("description", "descriptionen", "desc", "details", "描述", "详情", "商品描述"),
}


def _parse_price(raw: str) -> float | None:
    s = re.sub(r"[¥￥$€£,\s]|元|rmb|cny|usd", "", str(raw), flags=re.I)
    try:
        v = float(s)
    except ValueError:
        return None
    return v if v >= 0 else None


def ingest_catalog(path: Path, store: Store, privacy: Privacy, settings: IngestSettings, *,
                   progress: bool = True) -> IngestReport:
    """Ingest a product catalogue (item_id, name[, name_zh], category_id, category, price, description)."""
    t0 = time.perf_counter()
    path = _check_file(path)
    sha = file_sha256(path)
    prev = store.source(sha, "catalog")
    if prev is not None:
        return _already(prev, path, "catalog", t0)
    recs = read_records(path, header_hint=_known_header(CATALOG_COLUMNS))
    cmap = _column_map(recs.columns, CATALOG_COLUMNS)
    missing = [c for c in ("item_id",) if c not in cmap]
    if missing or ("name" not in cmap and "name_zh" not in cmap):
        raise KnowledgeError(f"{path}: a catalogue needs an item_id and a name column; found {', '.join(recs.columns)}")
    rejects = RejectsFile(store.rejects_dir, path, recs.location_word, privacy.redactor)
    rejects.write(_redacted_problems(recs))
    rows: dict[int, CatalogRow] = {}
    within_dups = 0
    for line, rec in recs.rows:
        get = lambda k: ("" if k not in cmap or rec.get(cmap[k]) is None else str(rec.get(cmap[k])).strip())
        reason = ""
        item = _int_text(get("item_id"))
        price = _parse_price(get("price")) if get("price") else None
        cat_id = _int_text(get("category_id")) or "0"
        if not item:
            reason = "missing item_id"
        elif not re.fullmatch(r"[+-]?\d{1,18}", item):
            reason = f"item_id '{item}' is not an integer"
        elif not (get("name") or get("name_zh")):
            reason = "missing name"
        elif get("price") and price is None:
            reason = f"price '{get('price')}' is not a number"
        elif not re.fullmatch(r"[+-]?\d{1,18}", cat_id):
            reason = f"category_id '{cat_id}' is not an integer"
        if reason:
            rejects.write([Reject(line, reason, {k: privacy.redactor.redact(str(v)).text for k, v in rec.items()})])
            continue
        name = get("name") or get("name_zh")
        red = lambda s: privacy.redactor.redact(s).text
        row = CatalogRow(item_id=int(item), name=name, category_id=int(cat_id), category=get("category"), price=price,
                         description=red(get("description")), lang=detect_lang(name),
                         name_zh=get("name_zh") if get("name_zh") != name else "",
                         category_zh=get("category_zh"), description_zh=red(get("description_zh")))
        if row.item_id in rows:
            within_dups += 1
        rows[row.item_id] = row
    changed, unchanged = store.upsert_catalog(list(rows.values()))
    read = len(recs.rows) + len(recs.problems)
    rejects_path = rejects.close()
    report = _checked(IngestReport(read, changed, rejects.count, unchanged + within_dups, rejects_path, str(path),
                                   "catalog", seconds=time.perf_counter() - t0, notes=_records_notes(recs)))
    if report.usable:
        store.record_source(sha, "catalog", path, read=read, accepted=changed, rejected=rejects.count,
                            duplicates=unchanged + within_dups, rejects_path=rejects_path)
    return report


# ----------------------------------------------------------------------------- docs
def ingest_docs(path: Path, store: Store, privacy: Privacy, settings: IngestSettings, *,
                progress: bool = True) -> IngestReport:
    """Ingest Markdown/text docs (a file or a folder, recursively) into the public collection,
    chunked by headings and paragraphs. Counts are in chunks; a file that cannot be decoded
    (or is over [ingest] max_doc_bytes) is one rejected row. Docs are the company's own public
    text: they are not redacted (a support e-mail in the FAQ must stay).

    Safety: symbolic links are never followed (a linked file or folder is skipped and named in
    the notes), so nothing outside the given folder — a key file, /etc/passwd — can enter the
    customer-facing collection. Ids come from the path relative to the docs root (the folder
    once ingested, remembered), so re-ingesting one file alone replaces its chunks. A file that
    cannot be read (permission denied) stops the run before anything is stored: exit 2, no half
    set."""
    t0 = time.perf_counter()
    path = Path(path)
    if path.is_symlink():
        raise KnowledgeError(f"{path}: is a symbolic link; `ingest docs` never follows links (they could point at "
                             "private files). Give the real file or folder")
    path = _check_file(path, file_only=False)
    skipped: list[str] = []
    if path.is_dir():
        root = path.resolve()
        files = _doc_files(root, skipped)
        if not files and not skipped:
            raise KnowledgeError(f"{path}: no Markdown or text files ({', '.join(DOC_SUFFIXES)}) found")
        targets = [(f, f.relative_to(root).as_posix()) for f in files]
    else:
        f = path.parent.resolve() / path.name
        root, rel = store.doc_location(f)
        targets = [(f, rel)]
    loaded, unreadable = [], []
    for f, rel in targets:
        try:
            loaded.append((f, rel, _read_doc_bytes(f, settings.max_doc_bytes)))
        except PermissionError:
            unreadable.append(f"{rel} (permission denied)")
        except _Skip as why:
            loaded.append((f, rel, why))
        except OSError as exc:
            unreadable.append(f"{rel} ({exc.strerror or exc})")
    if unreadable:
        raise KnowledgeError(
            f"{path}: {len(unreadable)} of {len(targets)} doc file(s) cannot be read: {', '.join(unreadable[:5])}"
            f"{' …' if len(unreadable) > 5 else ''}. Nothing was stored (no half set). Fix: make them readable "
            "(chmod a+r FILE) or move them out of the folder, then run again")
    rejects = RejectsFile(store.rejects_dir, path, "file")
    batch: list[tuple[str, list[DocChunk], str, str]] = []
    read = mixed = 0
    for f, rel, data in loaded:
        if isinstance(data, _Skip):
            read += 1
            rejects.write([Reject(0, str(data), {"path": rel})])
            continue
        try:
            text, how = _decode_doc(f, data)
            mixed += how == "mixed"
        except KnowledgeError as exc:
            read += 1
            rejects.write([Reject(0, str(exc), {"path": rel})])
            continue
        chunks = chunk_document(text, title_fallback=f.stem, max_chars=settings.doc_chunk_chars,
                                overlap=settings.doc_chunk_overlap, markdown=f.suffix.lower() != ".txt")
        doc_chunks = [DocChunk(id=f"doc:{rel}#{i}", title=c.title, text=c.text, path=rel, lang=detect_lang(c.text))
                      for i, c in enumerate(chunks)]
        read += len(doc_chunks)
        batch.append((rel, doc_chunks, hashlib.sha256(data).hexdigest(), str(f)))
    added, unchanged = store.replace_docs(batch, root=str(root))  # one transaction: all files or none
    rejects_path = rejects.close()
    notes = [f"{mixed} file(s) mix UTF-8 and GB18030 lines: decoded line by line"] if mixed else []
    if skipped:
        notes.append(f"skipped {len(skipped)} symbolic link(s), never followed: {', '.join(skipped[:5])}"
                     f"{' …' if len(skipped) > 5 else ''}")
    return _checked(IngestReport(read, added, rejects.count, unchanged, rejects_path, str(path), "docs",
                                 seconds=time.perf_counter() - t0, notes=tuple(notes)))


class _Skip(Exception):
    """A doc file that is read but not stored (the reason is the message)."""


def _doc_files(root: Path, skipped: list[str]) -> list[Path]:
    """Doc files under `root`, never through a symbolic link (links are listed in `skipped`),
    hidden files and folders left out."""
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        for d in list(dirnames):
            if d.startswith("."):
                dirnames.remove(d)
            elif (here / d).is_symlink():
                dirnames.remove(d)
                skipped.append((here / d).relative_to(root).as_posix() + "/")
        for name in filenames:
            f = here / name
            if name.startswith(".") or f.suffix.lower() not in DOC_SUFFIXES:
                continue
            if f.is_symlink():
                skipped.append(f.relative_to(root).as_posix())
                continue
            out.append(f)
    return sorted(out)


def _read_doc_bytes(f: Path, limit: int) -> bytes:
    """The file's bytes, opened without following a link (O_NOFOLLOW: a file swapped for a link
    after the walk is refused too)."""
    try:
        fd = os.open(f, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _Skip("is a symbolic link (never followed)") from exc
        raise
    with os.fdopen(fd, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > limit:
            raise _Skip(f"is {size:,} bytes, over [ingest] max_doc_bytes ({limit:,}); split it into smaller files "
                        "or raise the limit")
        return fh.read()


def _decode_doc(f: Path, data: bytes) -> tuple[str, str]:
    """(text, how): UTF-8 (BOM or not), GB18030, or mixed per line. A doc with any undecodable
    line is rejected as a whole (a policy missing a line is worse than none)."""
    if b"\x00" in data:
        raise KnowledgeError(f"{f}: contains NUL bytes: not a text file (UTF-16 or binary?). Save it as UTF-8")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    counts = line_encodings(data.split(b"\n"))
    if not counts["utf-8"] and not counts["undecodable"]:
        return data.decode("gb18030"), "gb18030"
    if counts["utf-8"] + counts["gb18030"] > 0:
        d = decode_bytes(data, "mixed")
        if not d.bad:
            return d.text, "mixed"
        raise KnowledgeError(f"{f}: line(s) {', '.join(str(n) for n, _ in d.bad[:5])} are neither UTF-8 nor GB18030; "
                             "re-save the file as UTF-8")
    raise KnowledgeError(f"{f}: cannot read the file as UTF-8, UTF-8 with BOM or GB18030; "
                         "re-save it in one of those encodings")


def remove_doc(store: Store, ref: str) -> list[str]:
    """Delete a doc (all its chunks) from the store by id ("doc:faq.md#0" or "doc:faq.md"),
    path relative to the docs root ("faq.md") or file path. Returns the removed relative
    paths (empty when nothing matched). The caller refreshes the indexes."""
    return store.remove_docs(ref)


INGESTERS: dict[str, Callable[..., IngestReport]] = {
    "behavior": ingest_behavior,
    "reviews": ingest_reviews,
    "catalog": ingest_catalog,
    "docs": ingest_docs,
}
