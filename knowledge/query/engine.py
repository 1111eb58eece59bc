"""QueryEngine: DuckDB in-process over the stored behaviour Parquet parts and the reviews and
catalogue (loaded from the store's SQLite into DuckDB tables via Arrow: they are small, and
DuckDB's sqlite extension cannot be downloaded offline).

    engine = QueryEngine.open(data_dir)            # or .from_store(store) / .from_frames(df, reviews, catalog)
    r = engine.run(QuerySpec("cart_to_buy", op="top", by="category", period=Period("last_days", 7)))
    r.rows, r.facts, r.sql, r.warnings; engine.explain(r, "zh")

Periods are resolved against the log ("now" = its last day), filters' names against the
catalogue, and every number of the result comes back as a Fact bound to its metric, subject,
period and role. Nothing here imports anything of ours outside knowledge/.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from .compiler import (
    BASE_AS_METRIC, DAY_S, LONG_DIMS, METRIC_SQL, SEGMENT_SQL, TIME_DIMS, Compiled, Scope,
    compile_behavior, compile_pairs, compile_reviews,
)
from .entities import Entities, Entity
from .result import Fact, MetricInfo, QueryResult, ResolvedPeriod
from .semantic import SemanticLayer
from .spec import Filter, Period, QuerySpec, SpecError

SEGMENTS: tuple[str, ...] = ("loyal_buyers", "one_time_buyers", "cart_abandoners", "window_shoppers", "dormant")
SEGMENT_LABELS_EN = {"loyal_buyers": "loyal buyers", "one_time_buyers": "new/one-time buyers", "cart_abandoners": "cart abandoners",
                     "window_shoppers": "window-shoppers", "dormant": "dormant users"}
SEGMENT_LABELS_ZH = {"loyal_buyers": "忠实买家", "one_time_buyers": "新客/一次性买家", "cart_abandoners": "加购未买",
                     "window_shoppers": "只逛不买", "dormant": "沉睡用户"}
# everyday words for each segment (a question says "only browsed", not "window-shoppers")
SEGMENT_ALIASES = {
    "loyal_buyers": ("loyal customers", "loyal users", "regular customers", "忠实顾客", "忠实用户", "忠诚用户", "老顾客"),
    "one_time_buyers": ("one-time buyers", "one time buyers", "one-off buyers", "single-purchase buyers", "一次性买家", "只买过一次的用户"),
    "cart_abandoners": ("cart abandoners", "abandoned carts", "弃购用户", "加购没买的用户"),
    "window_shoppers": ("window shoppers", "only browsed", "just browsed", "browse only", "nothing but browse", "browsers who never bought",
                        "只看不买", "光看不买", "只逛不买的用户", "只浏览不购买"),
    "dormant": ("dormant users", "inactive users", "lapsed users", "沉睡用户", "不活跃用户", "流失用户"),
}
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_WEEKDAY_WORDS = {**{w.lower(): i for i, w in enumerate(WEEKDAYS_EN)}, **{w.lower()[:3]: i for i, w in enumerate(WEEKDAYS_EN)},
                  **{w: i for i, w in enumerate(WEEKDAYS_ZH)}, **{f"星期{c}": i for i, c in enumerate("一二三四五六日")}, "星期天": 6, "周天": 6}
SENTIMENTS = {"pos": "pos", "positive": "pos", "正面": "pos", "好评": "pos", "neg": "neg", "negative": "neg", "负面": "neg",
              "差评": "neg", "neutral": "neutral", "中性": "neutral"}
SENTIMENT_LABELS = {"pos": ("positive", "正面"), "neg": ("negative", "负面"), "neutral": ("neutral", "中性")}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PAIR_METRICS = ("bought_together", "viewed_together")
# the behaviour table's columns and types, from a part (Parquet on disk, or a decrypted one in memory)
_PART_COLUMNS = ("user::VARCHAR AS user, item_id::BIGINT AS item_id, category_id::BIGINT AS category_id, "
                 "behavior::TINYINT AS behavior, ts::BIGINT AS ts")
_EMPTY_BEHAVIOR = "SELECT ''::VARCHAR AS user, 0::BIGINT AS item_id, 0::BIGINT AS category_id, 0::TINYINT AS behavior, 0::BIGINT AS ts WHERE FALSE"


def day_to_date(day: int) -> str:
    return (dt.date(1970, 1, 1) + dt.timedelta(days=int(day))).isoformat()


def date_to_day(date: str) -> int:
    return (dt.date.fromisoformat(date) - dt.date(1970, 1, 1)).days


def monday(day: int) -> int:
    return day - (day + 3) % 7


@dataclass(frozen=True)
class LogBounds:
    rows: int
    first_day: int | None
    last_day: int | None
    days: np.ndarray  # sorted day numbers that hold data (behaviour: ≥ 10% of the median day's events)
    all_days: np.ndarray | None = None  # every day with at least one event, sorted
    counts: np.ndarray | None = None  # events on each of all_days

    def day_quantile(self, q: float) -> float:
        """The q-quantile of the events' day numbers, linear interpolation (as numpy and DuckDB's
        quantile_cont), computed exactly from the per-day counts — no pass over the events."""
        if self.all_days is None or not len(self.all_days):
            return float("nan")
        cum = np.cumsum(self.counts)
        h = (int(cum[-1]) - 1) * q
        lo = int(np.floor(h))

        def nth(k: int) -> int:
            return int(self.all_days[np.searchsorted(cum, k, side="right")])

        a = nth(lo)
        b = nth(min(lo + 1, int(cum[-1]) - 1))
        return a + (h - lo) * (b - a)

    def covered(self, start: int, end: int) -> int:
        return int(np.searchsorted(self.days, end, side="right") - np.searchsorted(self.days, start, side="left"))


class QueryEngine:
    """One DuckDB connection over one data set. Thread-safe (one query at a time)."""

    def __init__(self, con, *, catalog=None, reviews=None, layer: SemanticLayer | None = None, source: str = "",
                 sentiment=None):
        self.con = con
        self.layer = layer or SemanticLayer()
        self.source = source
        self._lock = threading.RLock()
        self._catalog = _catalog_records(catalog)
        self._segments_built = False
        self._load_reviews(reviews, sentiment)
        self._bounds: LogBounds | None = None
        self._review_bounds: LogBounds | None = None
        self._entities: Entities | None = None

    # ------------------------------------------------------------------ construction
    @staticmethod
    def _connect(memory_limit: str | None, threads: int | None, temp_directory: str | Path | None):
        import duckdb

        con = duckdb.connect(":memory:")
        if memory_limit:
            con.execute(f"SET memory_limit = '{memory_limit}'")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        if temp_directory:
            Path(temp_directory).mkdir(parents=True, exist_ok=True)
            con.execute(f"SET temp_directory = '{Path(temp_directory)}'")
        con.execute("SET preserve_insertion_order = false")
        return con

    @classmethod
    def from_parquet(cls, files: Sequence[Path | str], *, reviews=None, catalog=None, memory_limit: str | None = "2GB",
                     threads: int | None = None, temp_directory: str | Path | None = None, sentiment=None,
                     materialise: bool = True) -> "QueryEngine":
        """Behaviour from Parquet parts (user, item_id, category_id, behavior int8 code, ts).

        `materialise` (default): the parts are read once, at open, into a DuckDB table of this
        in-memory connection (DuckDB's own columnar format; it offloads to `temp_directory` beyond
        `memory_limit`), so the ~60 statements of the insights scan it instead of re-reading and
        re-decoding the Parquet parts each time. No file is written beside the data (the temp
        directory holds only what DuckDB spills, as for any large aggregation), so nothing new is
        left at rest in plaintext when the data is encrypted. False: a view over the parts (plain parts
        only: sealed ones are always decrypted into the table)."""
        con = cls._connect(memory_limit, threads, temp_directory)
        files = [str(f) for f in files]
        from .. import atrest

        if files and atrest.current().enabled:
            # sealed parts (AES-GCM, knowledge.atrest): decrypted one at a time in memory into the
            # table; DuckDB never reads them from disk, and nothing plain is written beside them
            from ..store import read_part

            for i, f in enumerate(files):
                con.register("sealed_part", read_part(f))
                con.execute(f"CREATE TABLE behavior AS SELECT {_PART_COLUMNS} FROM sealed_part" if i == 0
                            else f"INSERT INTO behavior SELECT {_PART_COLUMNS} FROM sealed_part")
                con.unregister("sealed_part")
        elif files:
            for f in files:  # a sealed part without the key: say so, not "no magic bytes"
                atrest.current().check_plain(Path(f))
            lst = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
            kind = "TABLE" if materialise else "VIEW"
            con.execute(f"CREATE {kind} behavior AS SELECT {_PART_COLUMNS} FROM read_parquet([{lst}])")
        else:
            con.execute(f"CREATE VIEW behavior AS {_EMPTY_BEHAVIOR}")
        return cls(con, catalog=catalog, reviews=reviews, source=f"{len(files)} Parquet part(s)", sentiment=sentiment)

    @classmethod
    def from_store(cls, store, **kw) -> "QueryEngine":
        """The store's behaviour parts (listed in its SQLite `behavior_parts`), reviews and catalogue.
        Anything else with behavior_frame/reviews_frame/catalog_frame goes through from_frames."""
        if not hasattr(store, "_part_files"):
            return cls.from_frames(store.behavior_frame(), store.reviews_frame(), store.catalog_frame(), **kw)
        files = store._part_files()
        return cls.from_parquet(files, reviews=store.reviews_frame(), catalog=store.catalog_frame(), **kw)

    @classmethod
    def open(cls, data_dir: Path | str, **kw) -> "QueryEngine":
        from ..store import Store

        store = Store.open(Path(data_dir))
        try:
            return cls.from_store(store, **kw)
        finally:
            store.close()

    @classmethod
    def from_frames(cls, behavior=None, reviews=None, catalog=None, *, memory_limit: str | None = "2GB",
                    threads: int | None = None, temp_directory: str | Path | None = None, sentiment=None) -> "QueryEngine":
        """From DataFrames in the store's contracts (tests, callers holding frames)."""
        import pyarrow as pa

        con = cls._connect(memory_limit, threads, temp_directory)
        if behavior is not None and len(behavior):
            from ..readers import BEHAVIORS
            from ..types import KnowledgeError

            missing = [c for c in ("user", "item_id", "category_id", "behavior", "ts") if c not in behavior.columns]
            if missing:
                raise KnowledgeError(f"behaviour frame is missing columns {missing} (expected user, item_id, category_id, behavior, ts)")
            b = behavior["behavior"]
            if hasattr(b, "cat") and tuple(b.cat.categories) == BEHAVIORS:
                codes = b.cat.codes.to_numpy().astype(np.int8)
            else:
                idx = {k: i for i, k in enumerate(BEHAVIORS)}
                raw = b.astype(str).map(idx)
                if raw.isna().any():
                    bad = sorted(set(b.astype(str)[raw.isna()]))[:5]
                    raise KnowledgeError(f"behaviour frame: unknown behaviour values {bad} (expected pv, cart, fav, buy)")
                codes = raw.to_numpy().astype(np.int8)
            table = pa.table({
                "user": pa.array(behavior["user"].astype(str).to_numpy(dtype=object), pa.string()),
                "item_id": pa.array(behavior["item_id"].to_numpy(dtype=np.int64)),
                "category_id": pa.array(behavior["category_id"].to_numpy(dtype=np.int64)),
                "behavior": pa.array(codes, pa.int8()),
                "ts": pa.array(behavior["ts"].to_numpy(dtype=np.int64)),
            })
            con.register("behavior_arrow", table)
            con.execute("CREATE TABLE behavior AS SELECT * FROM behavior_arrow")
            con.unregister("behavior_arrow")
        else:
            con.execute(f"CREATE VIEW behavior AS {_EMPTY_BEHAVIOR}")
        return cls(con, catalog=catalog, reviews=reviews, source="frames", sentiment=sentiment)

    def close(self) -> None:
        with self._lock:
            self.con.close()

    # ------------------------------------------------------------------ data set facts
    def _load_reviews(self, reviews, sentiment=None) -> None:
        """`sentiment`: the analyzer for reviews with neither label nor rating (the ingest shares one
        with the index so each review is embedded once); None: knowledge.insights.reviews' default."""
        import pandas as pd
        import pyarrow as pa

        cols = ["id", "text", "rating", "label", "product", "category", "date", "user", "lang"]
        if reviews is None or len(reviews) == 0 or "text" not in getattr(reviews, "columns", ()):
            self.con.execute("CREATE OR REPLACE TABLE reviews (id VARCHAR, text VARCHAR, rating DOUBLE, label INTEGER, product VARCHAR, "
                             "category VARCHAR, date VARCHAR, user VARCHAR, lang VARCHAR, sentiment VARCHAR, sentiment_source VARCHAR)")
            self.con.execute("CREATE OR REPLACE TABLE review_aspects (review_id VARCHAR, aspect VARCHAR)")
            self.n_reviews = 0
            return
        from ..insights.reviews import review_aspects, review_sentiment

        df = reviews.copy()
        for c in cols:
            if c not in df.columns:
                df[c] = pd.NA if c in ("rating", "label") else ""
        if "id" not in reviews.columns:
            df["id"] = [f"review:{i}" for i in range(len(df))]
        scored = review_sentiment(df, sentiment)  # label, else rating, else the text analyzer (see knowledge.insights.reviews)
        table = pd.DataFrame({
            "id": scored["id"].astype(str), "text": scored["text"].fillna("").astype(str),
            "rating": pd.to_numeric(scored["rating"], errors="coerce").astype("float64"),
            "label": scored["label"].astype("Int64").astype("float64"),
            **{c: scored[c].fillna("").astype(str) for c in ("product", "category", "date", "user", "lang")},
            "sentiment": scored["sentiment"].astype(str), "sentiment_source": scored["sentiment_source"].astype(str),
        })
        table["date"] = table["date"].where(table["date"].str.match(r"^\d{4}-\d{2}-\d{2}"), "").str[:10]
        found = review_aspects(table["text"].tolist(), table["lang"].tolist())
        asp = pd.DataFrame({"review_id": [i for i, f in zip(table["id"], found) for _ in f], "aspect": [a for f in found for a in f]},
                           dtype="str")
        self.con.register("reviews_arrow", pa.Table.from_pandas(table, preserve_index=False))
        self.con.execute("CREATE OR REPLACE TABLE reviews AS SELECT id, text, rating, CAST(label AS INTEGER) AS label, product, category, "
                         "date, user, lang, sentiment, sentiment_source FROM reviews_arrow")
        self.con.unregister("reviews_arrow")
        self.con.register("aspects_arrow", pa.Table.from_pandas(asp, preserve_index=False))
        self.con.execute("CREATE OR REPLACE TABLE review_aspects AS SELECT review_id::VARCHAR AS review_id, aspect::VARCHAR AS aspect FROM aspects_arrow")
        self.con.unregister("aspects_arrow")
        self.n_reviews = len(table)

    def _fetch(self, sql: str, params: Sequence = ()) -> list[tuple]:
        with self._lock:
            return self.con.execute(sql, params if isinstance(params, dict) else list(params)).fetchall()

    def sql(self, sql: str, params: Sequence | dict = ()) -> list[tuple]:
        """Run raw SQL over the engine's tables (behavior, reviews, review_aspects, user_segment
        after `ensure_segments`): model features, benchmarks, diagnostics — not metrics."""
        return self._fetch(sql, params)

    def frame_sql(self, sql: str, params: Sequence | dict = ()):
        """Raw SQL → a DataFrame (model features)."""
        with self._lock:
            return self.con.execute(sql, params if isinstance(params, dict) else list(params)).df()

    def behavior_frame(self):
        """The behaviour log as a DataFrame in the store's contract (for model features: the
        propensity model trains on pandas/sklearn). Metrics never go through this."""
        import pandas as pd

        from ..readers import BEHAVIORS

        with self._lock:
            t = self.con.sql("SELECT user, item_id, category_id, behavior, ts FROM behavior").to_arrow_table()
        df = pd.DataFrame({
            "user": t.column("user").to_pandas().astype(str) if t.num_rows else pd.Series([], dtype=str),
            "item_id": t.column("item_id").to_numpy().astype(np.int64),
            "category_id": t.column("category_id").to_numpy().astype(np.int64),
            "behavior": pd.Categorical.from_codes(t.column("behavior").to_numpy().astype(np.int8), categories=list(BEHAVIORS)),
            "ts": t.column("ts").to_numpy().astype(np.int64),
        })
        return df

    def bounds(self) -> LogBounds:
        """Rows and days of the behaviour log (computed once)."""
        if self._bounds is None:
            rows = self._fetch(f"SELECT count(*), min(ts // {DAY_S}), max(ts // {DAY_S}) FROM behavior")[0]
            per_day = self._fetch(f"SELECT ts // {DAY_S} AS d, count(*) FROM behavior GROUP BY d ORDER BY d")
            # a day "holds data" when it has at least a tenth of the median day's events: a few
            # stray timestamps do not make a window look complete
            floor = 0.1 * float(np.median([n for _, n in per_day])) if per_day else 0.0
            days = np.array([d for d, n in per_day if n >= floor], dtype=np.int64)
            self._bounds = LogBounds(int(rows[0]), rows[1], rows[2], days, np.array([d for d, _ in per_day], dtype=np.int64),
                                     np.array([n for _, n in per_day], dtype=np.int64))
        return self._bounds

    def review_bounds(self) -> LogBounds:
        if self._review_bounds is None:
            dates = [r[0] for r in self._fetch("SELECT DISTINCT date FROM reviews WHERE date <> '' ORDER BY date")]
            days = np.array([date_to_day(d) for d in dates], dtype=np.int64)
            self._review_bounds = LogBounds(self.n_reviews, int(days[0]) if len(days) else None,
                                            int(days[-1]) if len(days) else None, days)
        return self._review_bounds

    def dormant_days(self) -> int:
        """The segment rules' threshold: 7 days on logs of 4 weeks or more, else a quarter of the
        span (measured from the 1st-percentile day, so stray old timestamps do not stretch it)."""
        b = self.bounds()
        if not b.rows:
            return 7
        span = int(b.last_day) - int(b.day_quantile(0.01)) + 1
        return 7 if span >= 28 else max(1, span // 4)

    def ensure_segments(self) -> None:
        """Build user_segment (one row per user) by the rules of knowledge/insights/segments.py."""
        with self._lock:
            if self._segments_built:
                return
            b = self.bounds()
            end_ts = ((b.last_day or 0) + 1) * DAY_S
            self.con.execute(SEGMENT_SQL, [end_ts, self.dormant_days()])
            self._segments_built = True

    # ------------------------------------------------------------------ names
    def item_name(self, item_id: int, lang: str = "en") -> str:
        rec = self._catalog["items"].get(int(item_id))
        if not rec:
            return ""
        return (rec[1] or rec[0]) if lang == "zh" else (rec[0] or rec[1])

    def category_name(self, category_id: int, lang: str = "en") -> str:
        rec = self._catalog["categories"].get(int(category_id))
        if not rec:
            return ""
        return (rec[1] or rec[0]) if lang == "zh" else (rec[0] or rec[1])

    def label(self, dim: str, key: Any, lang: str = "en") -> str:
        """How a user reads a dimension value: a catalogue name, a date, a weekday, a segment."""
        if key is None:
            return ""
        if dim == "item":
            return self.item_name(key, lang) or str(int(key))
        if dim == "item_pair":
            a, b = key
            return f"{self.label('item', a, lang)} + {self.label('item', b, lang)}"
        if dim == "category":
            return self.category_name(key, lang) or str(int(key))
        if dim in ("day", "week"):
            return day_to_date(int(key))
        if dim == "hour":
            return f"{int(key):02d}:00"
        if dim == "weekday":
            return (WEEKDAYS_ZH if lang == "zh" else WEEKDAYS_EN)[int(key)]
        if dim == "segment":
            return (SEGMENT_LABELS_ZH if lang == "zh" else SEGMENT_LABELS_EN).get(str(key), str(key))
        if dim == "sentiment":
            return SENTIMENT_LABELS.get(str(key), (str(key), str(key)))[1 if lang == "zh" else 0]
        if dim == "review_product" and str(key).isdigit():
            return self.item_name(int(key), lang) or str(key)
        return str(key)

    def entities(self) -> Entities:
        if self._entities is None:
            items = tuple(Entity(str(i), r[0], r[1]) for i, r in sorted(self._catalog["items"].items()))
            cats = dict(self._catalog["categories"])
            for (cid,) in self._fetch("SELECT DISTINCT category_id FROM behavior ORDER BY 1 LIMIT 20000"):
                cats.setdefault(int(cid), ("", ""))
            categories = tuple(Entity(str(c), r[0], r[1]) for c, r in sorted(cats.items()))
            rcats = tuple(Entity(c) for (c,) in self._fetch("SELECT DISTINCT category FROM reviews WHERE category <> '' ORDER BY 1"))
            rprods = tuple(Entity(p, self.item_name(int(p)) if p.isdigit() else "", self.item_name(int(p), "zh") if p.isdigit() else "")
                           for (p,) in self._fetch("SELECT DISTINCT product FROM reviews WHERE product <> '' ORDER BY 1"))
            segs = tuple(Entity(s, SEGMENT_LABELS_EN[s], SEGMENT_LABELS_ZH[s], (s.replace("_", " "), *SEGMENT_ALIASES.get(s, ()))) for s in SEGMENTS)
            words: dict[str, int] = {}
            for r in self._catalog["items"].values():
                w = (r[0] or "").split()
                if w and w[0][:1].isupper() and w[0].isalpha():
                    words[w[0]] = words.get(w[0], 0) + 1
            brands = tuple(sorted(w for w, n in words.items() if n >= 2))
            langs = tuple(x for (x,) in self._fetch("SELECT DISTINCT lang FROM reviews WHERE lang <> '' ORDER BY 1"))
            extra: dict = {"review_langs": langs}
            try:  # "now" for the question parser: "yesterday", "this month", a date without a year
                last = self.bounds().last_day
            except Exception:  # noqa: BLE001 - no behaviour table: reviews only
                last = None
            if last is not None:
                extra["last_day"] = day_to_date(int(last))
            self._entities = Entities(items, categories, rcats, rprods, segs, brands, extra)
        return self._entities

    # ------------------------------------------------------------------ periods and filters
    def resolve_period(self, period: Period, source: str = "behavior") -> tuple[int, int] | None:
        """(first day, last day) inclusive, as day numbers; None when there is no data at all."""
        b = self.bounds() if source == "behavior" else self.review_bounds()
        if period.kind == "between":
            return date_to_day(period.start), date_to_day(period.end)  # type: ignore[arg-type]
        if b.last_day is None:
            return None
        last = int(b.last_day)
        if period.kind == "all":
            return int(b.first_day), last  # type: ignore[arg-type]
        if period.kind == "last_days":
            return last - int(period.n) + 1, last  # type: ignore[arg-type]
        m = monday(last)
        if period.kind == "last_weeks":
            return m - 7 * (int(period.n) - 1), m + 6  # type: ignore[arg-type]
        if period.kind == "last_week":
            return m - 7, m - 1
        if period.kind == "this_week":
            return m, m + 6
        raise SpecError(f"unknown period kind {period.kind!r}", "period.kind")

    def _resolved(self, start: int, end: int, source: str) -> ResolvedPeriod:
        b = self.bounds() if source == "behavior" else self.review_bounds()
        days = end - start + 1
        covered = b.covered(start, end)
        return ResolvedPeriod(day_to_date(start), day_to_date(end), days, covered, covered == days)

    def _resolve_filters(self, spec: QuerySpec) -> tuple[tuple[str, tuple], ...]:
        out = []
        for i, f in enumerate(spec.filters):
            path = f"filters[{i}].values"
            vals: list = []
            for v in f.values:
                vals.extend(self._resolve_value(f.dim, str(v).strip(), path))
            out.append((f.dim, tuple(dict.fromkeys(vals))))
        return tuple(out)

    def _resolve_value(self, dim: str, v: str, path: str) -> list:
        if dim == "item":
            if v.isdigit():
                return [int(v)]
            hits = _match_names(self._catalog["items"], v)
            if not hits:
                raise SpecError(f"no item in the catalogue matches {v!r}; use an item id or a catalogue name", path)
            return hits
        if dim == "category":
            if v.isdigit():
                return [int(v)]
            hits = _match_names(self._catalog["categories"], v)
            if not hits:
                raise SpecError(f"no category matches {v!r}; use a category id or a catalogue category name", path)
            return hits
        if dim in ("day", "week"):
            if not _DATE.match(v):
                raise SpecError(f"{dim} values are dates YYYY-MM-DD (got {v!r})", path)
            d = date_to_day(v)
            return [monday(d) if dim == "week" else d]
        if dim == "hour":
            if not v.isdigit() or not 0 <= int(v) <= 23:
                raise SpecError(f"hour values are 0–23 (got {v!r})", path)
            return [int(v)]
        if dim == "weekday":
            if v.isdigit() and 0 <= int(v) <= 6:
                return [int(v)]
            if v.lower() in _WEEKDAY_WORDS:
                return [_WEEKDAY_WORDS[v.lower()]]
            raise SpecError(f"weekday values are 0 (Monday) – 6 (Sunday) or day names (got {v!r})", path)
        if dim == "segment":
            key = v.lower().replace(" ", "_").replace("-", "_")
            for s in SEGMENTS:
                if key in (s, s.rstrip("s")) or v in (SEGMENT_LABELS_EN[s], SEGMENT_LABELS_ZH[s]):
                    return [s]
            raise SpecError(f"unknown segment {v!r}; known: {', '.join(SEGMENTS)}", path)
        if dim == "sentiment":
            if v.lower() not in SENTIMENTS:
                raise SpecError(f"sentiment values are pos, neg, neutral (got {v!r})", path)
            return [SENTIMENTS[v.lower()]]
        if dim == "review_product" and not v.isdigit():
            hits = _match_names(self._catalog["items"], v)
            return [str(h) for h in hits] + [v] if hits else [v]
        return [v]

    # ------------------------------------------------------------------ running
    def validate(self, spec: QuerySpec) -> QuerySpec:
        self.layer.validate(spec)
        if spec.metric in _PAIR_METRICS:
            if spec.op not in ("top", "breakdown"):
                raise SpecError(f"{spec.metric} is a ranking of item pairs: use op top", "op")
            if spec.by not in ("item", "item_pair"):
                raise SpecError(f"{spec.metric} is by item_pair, or by item with an item filter (items together with it)", "by")
            if spec.by == "item" and not spec.filter_values("item"):
                raise SpecError(f"{spec.metric} by item needs an item filter: the item the others go together with", "filters")
        elif spec.by == "item_pair" or any(f.dim == "item_pair" for f in spec.filters):
            raise SpecError("item_pair is only for bought_together / viewed_together", "by")
        return spec

    def run(self, spec: QuerySpec) -> QueryResult:
        """Validate, compile, execute; every number of the result comes back as a Fact."""
        t0 = time.perf_counter()
        self.validate(spec)
        m = self.layer.metric(spec.metric)
        source = m.source
        if spec.by == "segment" or any(f.dim == "segment" for f in spec.filters):
            self.ensure_segments()
        filters = self._resolve_filters(spec)
        span = self.resolve_period(spec.period, source)
        warnings: list[str] = []
        if span is None and source == "reviews" and spec.period.kind == "all" and spec.op != "change":
            # reviews with no dates at all: "all" is every review, with no period to name
            res = self._run_metric(spec, m, Scope(None, None, None, filters), None, None, warnings)
            return _with_elapsed(res, (time.perf_counter() - t0) * 1000)
        if span is None:
            return QueryResult(spec, m, "", (), warnings=("no data: nothing has been ingested for this metric yet",),
                               extra={"no_data": True})
        start, end = span
        cur = self._resolved(start, end, source)
        prev = self._resolved(start - cur.days, start - 1, source) if spec.op == "change" else None
        if source == "reviews" and spec.period.kind == "all" and spec.op != "change":
            res = self._run_metric(spec, m, Scope(None, None, None, filters), cur, None, warnings)  # undated reviews count in "all"
            return _with_elapsed(res, (time.perf_counter() - t0) * 1000)
        if source == "behavior":
            scope = Scope(start * DAY_S, (end + 1) * DAY_S, (start - cur.days) * DAY_S if prev else None, filters)
        else:
            scope = Scope(day_to_date(start), day_to_date(end), day_to_date(start - cur.days) if prev else None, filters)
            if spec.period.kind != "all":
                warnings.append("reviews without a date are left out of a dated period")
        if spec.metric in _PAIR_METRICS:
            res = self._run_pairs(spec, m, scope, cur, warnings)
        else:
            res = self._run_metric(spec, m, scope, cur, prev, warnings)
        return _with_elapsed(res, (time.perf_counter() - t0) * 1000)

    def run_many(self, specs: Iterable[QuerySpec]) -> list[QueryResult]:
        """Run several specs; behaviour totals/breakdowns that share `by`, filters and period are
        computed by ONE SQL statement (one scan of the log) holding every metric's value,
        numerator and denominator — each result carries that statement. Same numbers as `run`."""
        specs = list(specs)
        out: list[QueryResult | None] = [None] * len(specs)
        groups: dict[tuple, list[int]] = {}
        for i, s in enumerate(specs):
            m = self.layer.metric(s.metric)
            if m.source == "behavior" and (s.op in ("total", "breakdown") or (s.op == "change" and not s.by)) and s.metric not in _PAIR_METRICS:
                groups.setdefault((s.op, s.by, s.filters, s.period), []).append(i)
            else:
                out[i] = self.run(s)
        for idx in groups.values():
            if len(idx) == 1:
                out[idx[0]] = self.run(specs[idx[0]])
                continue
            for i, r in zip(idx, self._run_batch([specs[i] for i in idx])):
                out[i] = r
        return out  # type: ignore[return-value]

    def _run_batch(self, specs: list[QuerySpec]) -> list[QueryResult]:
        t0 = time.perf_counter()
        for s in specs:
            self.validate(s)
        first = specs[0]
        if first.by == "segment" or any(f.dim == "segment" for f in first.filters):
            self.ensure_segments()
        filters = self._resolve_filters(first)
        span = self.resolve_period(first.period, "behavior")
        if span is None:
            return [self.run(s) for s in specs]
        start, end = span
        cur = self._resolved(start, end, "behavior")
        change = first.op == "change"
        prev = self._resolved(start - cur.days, start - 1, "behavior") if change else None
        scope = Scope(start * DAY_S, (end + 1) * DAY_S, (start - cur.days) * DAY_S if change else None, filters)
        metrics = list(dict.fromkeys(s.metric for s in specs))
        compiled = compile_behavior(metrics[0], first.op, first.by, scope, extra_metrics=tuple(metrics[1:]))
        cols_sql = []
        for mname in metrics:
            ms = METRIC_SQL[mname]
            num, den = ms.numerator, ms.denominator
            value = f"CAST({num} AS DOUBLE) / NULLIF({den}, 0)" if den else f"coalesce({num}, 0)"
            cols_sql += [f'{value} AS "{mname}:value"', f'coalesce({num}, 0) AS "{mname}:num"', f"{den if den else 'NULL'} AS \"{mname}:den\""]
            if change:
                pvalue = f"CAST(prev_{num} AS DOUBLE) / NULLIF(prev_{den}, 0)" if den else f"coalesce(prev_{num}, 0)"
                cols_sql += [f'{pvalue} AS "{mname}:prev"', f'coalesce(prev_{num}, 0) AS "{mname}:pnum"',
                             f"{f'coalesce(prev_{den}, 0)' if den else 'NULL'} AS \"{mname}:pden\""]
        sql = f"SELECT key, {', '.join(cols_sql)} FROM ({compiled.sql}) base ORDER BY key"
        raw = self._fetch(sql, compiled.params)
        ms_ms = (time.perf_counter() - t0) * 1000
        out = []
        width = 6 if change else 3
        for s in specs:
            if change:
                j = 1 + width * metrics.index(s.metric)
                ratio = METRIC_SQL[s.metric].denominator is not None
                r0 = raw[0] if raw else None
                if r0 is None:
                    v, p, num, den, pnum, pden = (None if ratio else 0), (None if ratio else 0), 0, (0 if ratio else None), 0, (0 if ratio else None)
                else:
                    v, num, den, p, pnum, pden = r0[j:j + 6]
                    if ratio:
                        den, pden = den or 0, pden or 0
                ch = None if v is None or p is None else v - p
                pct = None if ch is None or not p else ch / p * 100
                cols = ("value", "previous", "change", "change_pct", "numerator", "denominator", "prev_numerator", "prev_denominator")
                rows = [(v, p, ch, pct, num, den, pnum, pden)]
                warnings: list[str] = []
                self._window_warnings(s, cur, prev, warnings)
                if not num and not den and not pnum and not pden:
                    warnings.append("no data in this scope and period")
                r = self._assemble(s, self.layer.metric(s.metric), compiled, sql, list(compiled.params), cols, rows, cur, prev, warnings,
                                   {"batched_with": [x for x in metrics if x != s.metric]})
                out.append(_with_elapsed(r, ms_ms))
                continue
            j = 1 + 3 * metrics.index(s.metric)
            ratio = METRIC_SQL[s.metric].denominator is not None
            rows = [(r[0], r[j], r[j + 1], r[j + 2]) for r in raw]
            warnings: list[str] = []
            extra: dict[str, Any] = {"batched_with": [x for x in metrics if x != s.metric]}
            if s.op == "total":
                rows = [r[1:] for r in rows] or [(None if ratio else 0, 0, 0 if ratio else None)]
                cols = ("value", "numerator", "denominator")
                d = dict(zip(cols, rows[0]))
                empty = not d["numerator"] and not d["denominator"]
            else:
                cols = ("key", "value", "numerator", "denominator")
                if s.by in LONG_DIMS:
                    n_groups = len(rows)
                    rows = sorted(rows, key=lambda r: (r[1] is None, -(r[1] or 0), r[0]))[: s.limit]
                    if n_groups > len(rows):
                        warnings.append(f"showing {len(rows)} of {n_groups:,} {s.by} values (the largest by {self.layer.metric(s.metric).label_en})")
                        extra["groups"] = n_groups
                empty = not rows
            self._window_warnings(s, cur, None, warnings)
            if empty:
                warnings.append("no data in this scope and period")
            r = self._assemble(s, self.layer.metric(s.metric), compiled, sql, list(compiled.params), cols, rows, cur, None, warnings, extra)
            out.append(_with_elapsed(r, ms_ms))
        return out

    def _run_metric(self, spec: QuerySpec, m: MetricInfo, scope: Scope, cur: ResolvedPeriod, prev: ResolvedPeriod | None,
                    warnings: list[str]) -> QueryResult:
        ms = METRIC_SQL[spec.metric]
        compiled: Compiled = (compile_behavior if m.source == "behavior" else compile_reviews)(spec.metric, spec.op, spec.by, scope)
        num, den = ms.numerator, ms.denominator
        ratio = den is not None
        value = f"CAST({num} AS DOUBLE) / NULLIF({den}, 0)" if ratio else f"coalesce({num}, 0)"
        support = spec.min_support if spec.min_support is not None else ms.support_default
        params = list(compiled.params)
        extra: dict[str, Any] = {}
        if spec.op == "change":
            pvalue = f"CAST(prev_{num} AS DOUBLE) / NULLIF(prev_{den}, 0)" if ratio else f"coalesce(prev_{num}, 0)"
            inner = (f"SELECT key, {value} AS value, {pvalue} AS previous, coalesce({num}, 0) AS numerator, "
                     f"{f'coalesce({den}, 0)' if ratio else 'NULL'} AS denominator, coalesce(prev_{num}, 0) AS prev_numerator, "
                     f"{f'coalesce(prev_{den}, 0)' if ratio else 'NULL'} AS prev_denominator FROM ({compiled.sql}) base")
            body = (f"SELECT key, value, previous, value - previous AS change, "
                    f"(value - previous) / NULLIF(previous, 0) * 100 AS change_pct, numerator, denominator, prev_numerator, prev_denominator, "
                    f"count(*) OVER () AS n_groups FROM ({inner}) t")
            cols = ("key", "value", "previous", "change", "change_pct", "numerator", "denominator", "prev_numerator", "prev_denominator")
            if spec.by:
                cond = "denominator >= ? AND prev_denominator >= ?" if ratio else "greatest(numerator, prev_numerator) >= ?"
                sql = (f"SELECT *, count(*) OVER () AS n_kept FROM ({body}) x WHERE {cond} ORDER BY abs(change) DESC NULLS LAST, key LIMIT ?")
                params += ([support, support] if ratio else [support]) + [spec.limit]
                extra["min_support"] = support
            else:
                sql = body
        elif spec.op == "total":
            sql = (f"SELECT {value} AS value, coalesce({num}, 0) AS numerator, {f'coalesce({den}, 0)' if ratio else 'NULL'} AS denominator, "
                   f"1 AS n_groups FROM ({compiled.sql}) base")
            cols = ("value", "numerator", "denominator")
        else:
            body = (f"SELECT key, {value} AS value, coalesce({num}, 0) AS numerator, {den if ratio else 'NULL'} AS denominator, "
                    f"count(*) OVER () AS n_groups FROM ({compiled.sql}) base")
            cols = ("key", "value", "numerator", "denominator")
            if spec.op in ("top", "bottom"):
                order = "DESC" if spec.op == "top" else "ASC"
                cond = "denominator >= ?" if ratio else "value >= ?"
                sql = f"SELECT *, count(*) OVER () AS n_kept FROM ({body}) x WHERE {cond} ORDER BY value {order} NULLS LAST, key LIMIT ?"
                params += [support, spec.limit]
                extra["min_support"] = support
            elif spec.by in LONG_DIMS:
                sql = f"SELECT * FROM ({body}) x ORDER BY value DESC NULLS LAST, key LIMIT ?"
                params += [spec.limit]
            else:
                sql = f"SELECT * FROM ({body}) x ORDER BY key"
        raw = self._fetch(sql, params)
        kept = "n_kept" in sql
        n_groups = int(raw[0][len(cols)]) if raw else 0
        n_kept = int(raw[0][-1]) if raw and kept else n_groups
        rows = [r[:len(cols)] for r in raw]
        if kept and not raw:  # nothing passed the support rule: how many groups were there?
            n_groups = self._count_groups(compiled)
        if spec.op == "total" and not rows:
            rows = [(None if ratio else 0, 0, 0 if ratio else None)]
        if spec.op == "change" and not spec.by:
            cols = cols[1:]
            rows = [r[1:] for r in rows] or [(None if ratio else 0, None if ratio else 0, None if ratio else 0, None,
                                              0, 0 if ratio else None, 0, 0 if ratio else None)]
        # ---- warnings
        self._window_warnings(spec, cur, prev, warnings)
        if kept:
            total_groups = n_groups
            cut = total_groups - n_kept
            extra.update(groups=total_groups, supported=n_kept)
            if cut > 0 and (ratio or support > 1):  # a count of 0 is not "too little support"
                unit = self.layer.metrics[BASE_AS_METRIC[den]].label_en if ratio and den in BASE_AS_METRIC else (den or m.label_en)
                warnings.append(f"{cut:,} of {total_groups:,} {spec.by} value(s) with fewer than {support:,} {unit} left out (minimum support)")
        elif spec.op == "breakdown" and spec.by in LONG_DIMS and n_groups > len(rows):
            warnings.append(f"showing {len(rows)} of {n_groups:,} {spec.by} values (the largest by {m.label_en})")
            extra["groups"] = n_groups
        if spec.by:
            empty = not rows
        else:
            d = dict(zip(cols, rows[0]))
            empty = not d.get("numerator") and not d.get("denominator") and not d.get("prev_numerator") and not d.get("prev_denominator")
        if empty:
            warnings.append("no data in this scope and period")
        # ---- rows with labels, facts
        return self._assemble(spec, m, compiled, sql, params, cols, rows, cur, prev, warnings, extra)

    def _count_groups(self, compiled: Compiled) -> int:
        return int(self._fetch(f"SELECT count(*) FROM ({compiled.sql}) base", compiled.params)[0][0])

    def _window_warnings(self, spec: QuerySpec, cur: ResolvedPeriod | None, prev: ResolvedPeriod | None, warnings: list[str]) -> None:
        if cur is not None and spec.period.kind != "all" and not cur.complete:
            warnings.append(f"incomplete window: {cur.label()} has data on {cur.covered_days} of its {cur.days} days")
        if prev is not None and not prev.complete:
            warnings.append(f"incomplete window: the earlier period {prev.label()} has data on only {prev.covered_days} of its "
                            f"{prev.days} days, so the change compares unequal amounts of data")

    def _assemble(self, spec, m, compiled, sql, params, cols, rows, cur, prev, warnings, extra) -> QueryResult:
        by = spec.by or ""
        facts: list[Fact] = []
        ms = METRIC_SQL[spec.metric]
        num_metric = BASE_AS_METRIC.get(ms.numerator, spec.metric)
        den_metric = BASE_AS_METRIC.get(ms.denominator or "", spec.metric)
        out_rows = []
        out_cols = cols
        if by:
            out_cols = ("key", "label", "label_zh", *cols[1:])
            if spec.op in ("top", "bottom"):
                out_cols = ("rank", *out_cols)
        plabel, prevlabel = (cur.label() if cur else ""), (prev.label() if prev else "")
        for i, r in enumerate(rows):
            r = tuple(_plain(x) for x in r)
            d = dict(zip(cols, r))
            subject, sid = "", ""
            if by:
                key = d["key"]
                subject, sid = self.label(by, key), str(key)
                lab = (subject, self.label(by, key, "zh"))
                r = (key, *lab, *r[1:])
                if spec.op in ("top", "bottom"):
                    r = (i + 1, *r)
                    facts.append(Fact(spec.metric, i + 1, "rank", by, subject, sid, plabel))
            out_rows.append(r)
            if d.get("value") is not None:
                facts.append(Fact(spec.metric, d["value"], "value", by, subject, sid, plabel))
            if spec.op == "change":
                if d.get("previous") is not None:
                    facts.append(Fact(spec.metric, d["previous"], "previous", by, subject, sid, prevlabel))
                if d.get("change") is not None:
                    facts.append(Fact(spec.metric, d["change"], "change", by, subject, sid, f"{plabel} vs {prevlabel}"))
                if d.get("change_pct") is not None:
                    facts.append(Fact(spec.metric, d["change_pct"], "change_pct", by, subject, sid, f"{plabel} vs {prevlabel}"))
            if ms.denominator is not None:
                if d.get("numerator") is not None:
                    facts.append(Fact(num_metric, d["numerator"], "numerator", by, subject, sid, plabel))
                if d.get("denominator") is not None:
                    facts.append(Fact(den_metric, d["denominator"], "denominator", by, subject, sid, plabel))
                if spec.op == "change":
                    if d.get("prev_numerator") is not None:
                        facts.append(Fact(num_metric, d["prev_numerator"], "numerator", by, subject, sid, prevlabel))
                    if d.get("prev_denominator") is not None:
                        facts.append(Fact(den_metric, d["prev_denominator"], "denominator", by, subject, sid, prevlabel))
        extra.setdefault("source", self.source)
        return QueryResult(spec=spec, metric=m, sql=sql, params=tuple(params), columns=tuple(out_cols), rows=tuple(out_rows),
                           period=cur, previous=prev, facts=tuple(facts), warnings=tuple(dict.fromkeys(warnings)), extra=extra)

    def _run_pairs(self, spec: QuerySpec, m: MetricInfo, scope: Scope, cur: ResolvedPeriod, warnings: list[str]) -> QueryResult:
        support = spec.min_support if spec.min_support is not None else METRIC_SQL[spec.metric].support_default
        support = max(2, support)  # never a recommendation from one person's activity
        anchor = tuple(v for d, vals in scope.filters if d == "item" for v in vals)
        # views are dense: pair the 300 items most users viewed (purchases: 5,000), plus the anchor
        top_items = 300 if spec.metric == "viewed_together" else 5000
        compiled = compile_pairs(spec.metric, scope, anchor=anchor, min_users=support, limit=spec.limit, top_items=top_items)
        raw = [tuple(_plain(x) for x in r) for r in self._fetch(compiled.sql, compiled.params)]
        self._window_warnings(spec, cur, None, warnings)
        if not raw:
            warnings.append(f"no pair of items was {'bought' if spec.metric == 'bought_together' else 'viewed'} by {support} or more "
                            f"different users in this period")
        rows, facts = [], []
        plabel = cur.label()
        for i, (a, b, n, na, nb, nu) in enumerate(raw):
            key = (a, b)
            if spec.by == "item":
                subject, sid, lab = self.label("item", b), str(b), (self.label("item", b), self.label("item", b, "zh"))
            else:
                subject, sid, lab = self.label("item_pair", key), f"{a}+{b}", (self.label("item_pair", key), self.label("item_pair", key, "zh"))
            conf = n / na if na else None
            lift = n * nu / (na * nb) if na and nb else None
            rows.append((i + 1, a, b, *lab, n, na, nb, nu, conf, lift))
            facts.append(Fact(spec.metric, i + 1, "rank", spec.by or "", subject, sid, plabel))
            facts.append(Fact(spec.metric, n, "value", spec.by or "", subject, sid, plabel))
        cols = ("rank", "item_a", "item_b", "label", "label_zh", "value", "users_a", "users_b", "n_users", "confidence", "lift")
        return QueryResult(spec=spec, metric=m, sql=compiled.sql, params=tuple(compiled.params), columns=cols, rows=tuple(rows),
                           period=cur, facts=tuple(facts), warnings=tuple(warnings),
                           extra={"min_support": support, "basis": "distinct users", "source": self.source, "paired_items": top_items})

    # ------------------------------------------------------------------ explaining
    def explain(self, result: QueryResult, lang: str = "en") -> str:
        """One line: how this was computed (metric definition, period, operation, SQL summary)."""
        return explain(result, lang)


def explain(result: QueryResult, lang: str = "en") -> str:
    spec, m = result.spec, result.metric
    zh = lang == "zh"
    parts = [f"{m.label(lang)}{'：' if zh else ': '}{m.definition(lang)}"]
    if result.period is not None:
        p = result.period.label(lang)
        if result.previous is not None:
            p += (" 对比 " if zh else " vs ") + result.previous.label(lang)
        parts.append(p)
    if spec.by:
        from .semantic import DIMENSIONS

        dim = DIMENSIONS.get(spec.by)
        dl = dim.label(lang) if dim else spec.by
        if spec.op in ("top", "bottom"):
            ms = result.extra.get("min_support")
            word = ("前" if spec.op == "top" else "后") if zh else spec.op
            parts.append((f"按{dl}{word} {spec.limit}" if zh else f"{word} {spec.limit} by {dl}") +
                         (f"（支持度 ≥ {ms}）" if zh and ms else f" (support ≥ {ms})" if ms else ""))
        else:
            parts.append(f"按{dl}" if zh else f"by {dl}")
    for f in spec.filters:
        parts.append(f"{f.dim} = {', '.join(f.values)}")
    parts.append(_sql_summary(result, zh))
    return ("；" if zh else "; ").join(parts)


def _sql_summary(result: QueryResult, zh: bool) -> str:
    from .compiler import BEHAVIOR_KEYS, REVIEW_KEYS

    sql, spec = result.sql, result.spec
    if not sql:
        return "无数据" if zh else "no data"
    tables = [t for t in ("behavior", "reviews", "review_aspects", "user_segment") if re.search(rf"\b(FROM|JOIN) {t}\b", sql)]
    key = {**BEHAVIOR_KEYS, **REVIEW_KEYS}.get(spec.by or "", "")
    if spec.metric in _PAIR_METRICS:
        key = "user (self-join on item pairs)"
    g = f" GROUP BY {key}" if key else ""
    n = result.extra.get("source", "")
    return (f"DuckDB SQL：{' + '.join(tables)}{g}" if zh else f"DuckDB SQL over {' + '.join(tables)}{g}") + (f" ({n})" if n else "")


# ---------------------------------------------------------------------- helpers
def _catalog_records(catalog) -> dict:
    items: dict[int, tuple[str, str]] = {}
    cats: dict[int, tuple[str, str]] = {}
    if catalog is not None and len(catalog) and "item_id" in catalog.columns:
        cols = set(catalog.columns)
        for r in catalog.to_dict(orient="records"):
            try:
                iid = int(r["item_id"])
            except (TypeError, ValueError):
                continue
            items[iid] = (str(r.get("name") or ""), str(r.get("name_zh") or "") if "name_zh" in cols else "")
            if "category_id" in cols and r.get("category_id") is not None and str(r.get("category") or r.get("category_zh") or ""):
                try:
                    cats.setdefault(int(r["category_id"]), (str(r.get("category") or ""), str(r.get("category_zh") or "")))
                except (TypeError, ValueError):
                    pass
    return {"items": items, "categories": cats}


def _match_names(records: dict, v: str) -> list[int]:
    low = v.lower()
    exact = [k for k, (en, zh) in records.items() if low in (en.lower(), zh.lower())]
    if exact:
        return sorted(exact)
    return sorted(k for k, (en, zh) in records.items() if (en and low in en.lower()) or (zh and v in zh))


def _plain(x):
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating,)):
        x = float(x)
    if isinstance(x, float) and math.isnan(x):
        return None
    if isinstance(x, Decimal):
        return float(x)
    return x


def _with_elapsed(r: QueryResult, ms: float) -> QueryResult:
    from dataclasses import replace

    return replace(r, elapsed_ms=ms)
