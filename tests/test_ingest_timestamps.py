"""Issue 10 item 1: impossible timestamps are rejected with line and reason; a configurable
plausible range ([ingest] earliest_date / latest_days_ahead); counts reconcile; one row dated
2286 no longer moves "this week"."""

import datetime as dt
import json
from pathlib import Path

import pytest

from growthpilot.cli import main
from growthpilot.config import parse_config_text
from knowledge.ingest import ingest_behavior, ingest_reviews
from knowledge.query import Period, QuerySpec
from knowledge.query.engine import QueryEngine
from knowledge.privacy import Privacy
from knowledge.settings import IngestSettings

KEY = b"timestamps-test-key-0123456789ab"


def rejects_of(report) -> list[dict]:
    assert report.rejects_path is not None
    return [json.loads(l) for l in Path(report.rejects_path).read_text(encoding="utf-8").splitlines()]


IMPOSSIBLE = ["-1", "0", "0001-01-01", "0001-01-01T00:00:00", "9999999999", "2286-11-20", "9999-12-31",
              "253402300799", "1999-12-31"]


def test_impossible_behaviour_timestamps_are_rejected_with_line_and_reason(tmp_path, store):
    f = tmp_path / "log.csv"
    lines = ["1,100,7,pv,1700000000"] + [f"{2 + i},100,7,pv,{ts}" for i, ts in enumerate(IMPOSSIBLE)] + \
            ["99,100,7,buy,2024-03-15"]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = ingest_behavior(f, store, Privacy.from_key(KEY), IngestSettings(), progress=False)
    assert (r.read, r.accepted, r.rejected, r.duplicates) == (len(lines), 2, len(IMPOSSIBLE), 0)
    rej = rejects_of(r)
    assert [x["line"] for x in rej] == list(range(2, 2 + len(IMPOSSIBLE)))
    for x in rej:
        assert "timestamp" in x["message"], x
    outside = [x for x in rej if "outside the plausible range" in x["reason"]]
    assert len(outside) >= 5  # the rest are not even dates (year 1 in ISO form)
    assert all("2000-01-01" in x["reason"] and "[ingest] earliest_date" in x["reason"] for x in outside)
    ts = store.behavior_frame()["ts"]
    assert ts.min() >= 946684800 and ts.max() < 1800000000


def test_one_row_dated_2286_does_not_move_this_week(tmp_path, store):
    f = tmp_path / "log.csv"
    start = 1700000000  # 2023-11-14
    rows = [f"{u},{100 + u % 3},7,{b},{start + d * 86400 + u}" for d in range(21) for u in range(1, 6)
            for b in ("pv", "buy")[: 1 + (u + d) % 2]]
    rows.append("7,100,7,pv,9999999999")  # 2286-11-20
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    r = ingest_behavior(f, store, Privacy.from_key(KEY), IngestSettings(), progress=False)
    assert r.rejected == 1 and r.accepted == len(rows) - 1
    q = QueryEngine.from_store(store)
    try:
        res = q.run(QuerySpec("views", op="change", period=Period("last_days", 7)))
    finally:
        q.close()
    assert res.period.end == "2023-12-04", res.period
    assert res.fact("value").value > 0 and res.fact("previous").value > 0


def test_range_is_configurable(tmp_path, store):
    f = tmp_path / "log.csv"
    f.write_text("1,100,7,pv,1990-06-01\n2,100,7,pv,2024-01-01\n", encoding="utf-8")
    wide = IngestSettings(earliest_date="1980-01-01")
    r = ingest_behavior(f, store, Privacy.from_key(KEY), wide, progress=False)
    assert (r.accepted, r.rejected) == (2, 0)
    cfg = parse_config_text('[ingest]\nearliest_date = "1980-01-01"\nlatest_days_ahead = 3\n', base_dir=tmp_path)
    assert cfg.ingest.earliest_date == "1980-01-01" and cfg.ingest.latest_days_ahead == 3
    lo, hi = cfg.ingest.timestamp_range(now=dt.datetime(2026, 12, 2, tzinfo=dt.timezone.utc))
    assert lo == 315532800 and hi == int(dt.datetime(2026, 12, 5, tzinfo=dt.timezone.utc).timestamp())


def test_bad_range_setting_is_a_clear_error(tmp_path):
    from knowledge.types import KnowledgeError

    with pytest.raises(KnowledgeError, match=r"\[ingest\] earliest_date"):
        IngestSettings(earliest_date="yesterday").timestamp_range()


def test_review_dates_outside_the_range_are_rejected(tmp_path, store):
    f = tmp_path / "r.csv"
    f.write_text("review,date\ngood phone,2024-03-15\nold,0001-01-01\nfuture,2286-11-20\nsoon,9999-12-31\n",
                 encoding="utf-8")
    r = ingest_reviews(f, store, Privacy.from_key(KEY), IngestSettings(), progress=False)
    assert (r.read, r.accepted, r.rejected) == (4, 1, 3)
    rej = rejects_of(r)
    assert [x["line"] for x in rej] == [3, 4, 5]
    assert all("outside the plausible range" in x["reason"] for x in rej)


def test_cli_reports_the_rejects(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("GROWTHPILOT_PSEUDONYM_KEY", raising=False)
    cfg = tmp_path / "config.toml"
    cfg.write_text('[data]\ndir = "state"\n[privacy]\nkey_file = "state/keys/pseudonym.key"\n', encoding="utf-8")
    f = tmp_path / "log.csv"
    f.write_text("1,100,7,pv,1700000000\n2,100,7,pv,-1\n3,100,7,pv,0\n4,100,7,pv,9999999999\n", encoding="utf-8")
    assert main(["ingest", "behavior", str(f), "--config", str(cfg), "--no-index"]) == 0
    out = capsys.readouterr().out
    assert "read        4" in out and "accepted    1" in out and "rejected    3" in out
