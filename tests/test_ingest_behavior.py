"""Behaviour-log ingest: Taobao shape with or without header, encodings, ISO dates, behaviour
aliases, rejects with line numbers and reasons, duplicates, re-ingest, and raw user ids
never reaching the store's files."""

import json
from pathlib import Path

import pandas as pd
import pytest

from knowledge.ingest import ingest_behavior
from knowledge.settings import IngestSettings
from knowledge.types import KnowledgeError

KEY = b"behaviour-test-key-0123456789abc"
SMALL = IngestSettings(chunk_rows=4)  # several chunks even in tiny files: line numbers must survive


def ingest(path, store, privacy, settings=SMALL):
    r = ingest_behavior(path, store, privacy, settings, progress=False)
    assert r.accepted + r.rejected + r.duplicates == r.read
    return r


def rejects_of(report) -> list[dict]:
    assert report.rejects_path is not None
    return [json.loads(l) for l in Path(report.rejects_path).read_text(encoding="utf-8").splitlines()]


def test_headerless_taobao_shape(tmp_path, store, privacy):
    f = tmp_path / "UserBehavior.csv"
    f.write_text("1,2268318,2520377,pv,1511544070\n1,2333346,2520771,pv,1511561733\n"
                 "100,2576651,149192,buy,1511572885\n", encoding="utf-8")
    r = ingest(f, store, privacy)
    assert (r.read, r.accepted, r.rejected, r.duplicates, r.rejects_path) == (3, 3, 0, 0, None)
    b = store.behavior_frame()
    assert b["item_id"].tolist() == [2268318, 2333346, 2576651]
    assert b["category_id"].tolist() == [2520377, 2520771, 149192]
    assert b["behavior"].astype(str).tolist() == ["pv", "pv", "buy"]
    assert b["user"].nunique() == 2 and not b["user"].isin(["1", "100"]).any()


def test_header_aliases_iso_dates_and_behaviour_names(tmp_path, store, privacy):
    f = tmp_path / "events.csv"
    f.write_text(
        "Timestamp,Action,UserID,SKU,category_id\n"
        "2024-03-15,view,u1,11,1\n"
        "2024-03-15T08:30:00Z,点击,u1,11,1\n"
        "2024-03-15 08:30:00+08:00,加入购物车,u2,12,1\n"
        "1710460800,收藏,u2,12,1\n"
        "2024/03/16,purchase,u3,13,2\n"
        "1710460800000,下单,u3,13,2\n", encoding="utf-8")
    r = ingest(f, store, privacy)
    assert (r.read, r.accepted, r.rejected) == (6, 6, 0)
    b = store.behavior_frame()
    assert b["behavior"].astype(str).tolist() == ["pv", "pv", "cart", "fav", "buy", "buy"]
    assert b["ts"].tolist() == [1710460800, 1710491400, 1710462600, 1710460800, 1710547200, 1710460800]
    assert b["item_id"].tolist() == [11, 11, 12, 12, 13, 13]


def test_rejects_file_has_line_numbers_and_reasons(tmp_path, store, privacy):
    f = tmp_path / "behavior_bad_rows.csv"
    f.write_text(
        "user_id,item_id,category_id,behavior,timestamp\n"  # line 1
        "1,100,7,pv,1700000000\n"  # 2 ok
        "1,100,7,clik,1700000001\n"  # 3 bad behaviour
        "2,,7,pv,1700000002\n"  # 4 missing item
        "\n"  # 5 blank: not a row
        "3,abc,7,pv,1700000003\n"  # 6 item not int
        "4,101,7,buy,yesterday\n"  # 7 bad timestamp
        "5,101,7\n"  # 8 too few fields
        ",101,7,pv,1700000004\n"  # 9 missing user
        "6,102,8,fav,2024-02-30\n"  # 10 impossible date
        "7,103,9,cart,1700000005\n",  # 11 ok
        encoding="utf-8")
    r = ingest(f, store, privacy)
    assert (r.read, r.accepted, r.rejected, r.duplicates) == (9, 2, 7, 0)  # the blank line is not a row
    rows = rejects_of(r)
    assert [(x["line"], x["reason"]) for x in rows] == [
        (3, "behavior 'clik' is not one of pv/cart/fav/buy"),
        (4, "missing item_id"),
        (6, "item_id 'abc' is not an integer"),
        (7, "timestamp 'yesterday' is not unix seconds or an ISO date"),
        (8, "expected 5 fields, got 3"),
        (9, "missing user_id"),
        (10, "timestamp '2024-02-30' is not unix seconds or an ISO date"),
    ]
    assert rows[0]["message"] == "line 3: behavior 'clik' is not one of pv/cart/fav/buy"
    # the rejects file never holds a raw user id: it is pseudonymised like in the store
    bad_behaviour = next(x for x in rows if x["line"] == 3)
    assert bad_behaviour["fields"]["user_id"] == privacy.pseudonymizer.one("1")
    assert Path(r.rejects_path).parent == store.rejects_dir
    assert Path(r.rejects_path).name.startswith("behavior_bad_rows.csv.")


def test_gb18030_file_with_chinese_header_and_names(tmp_path, store, privacy):
    f = tmp_path / "行为日志.csv"
    text = "用户ID,商品ID,类目ID,行为,时间\n张三,501,9,浏览,1700000000\n张三,501,9,加购,1700000060\n李四,502,9,购买,1700000120\n"
    f.write_bytes(text.encode("gb18030"))
    with pytest.raises(UnicodeDecodeError):
        f.read_bytes().decode("utf-8")  # really not UTF-8
    r = ingest(f, store, privacy)
    assert (r.read, r.accepted, r.rejected) == (3, 3, 0)
    b = store.behavior_frame()
    assert b["behavior"].astype(str).tolist() == ["pv", "cart", "buy"]
    assert b["user"].tolist()[0] == privacy.pseudonymizer.one("张三")


def test_utf8_bom_tsv(tmp_path, store, privacy):
    f = tmp_path / "log.tsv"
    f.write_bytes(b"\xef\xbb\xbfuser_id\titem_id\tcategory_id\tbehavior\ttimestamp\n7\t8\t9\tfav\t1700000000\n")
    r = ingest(f, store, privacy)
    assert (r.read, r.accepted) == (1, 1)
    assert store.behavior_frame()["behavior"].astype(str).tolist() == ["fav"]


def test_parquet_input_and_missing_category(tmp_path, store, privacy):
    f = tmp_path / "log.parquet"
    pd.DataFrame({"user": [1, 2, 2], "item": [5, 6, 7], "event": ["pv", "buy", "nope"],
                  "ts": [1700000000, 1700000001, 1700000002]}).to_parquet(f)
    r = ingest(f, store, privacy)
    assert (r.read, r.accepted, r.rejected) == (3, 2, 1)
    rej = rejects_of(r)[0]
    assert rej["line"] == 3 and rej["reason"] == "behavior 'nope' is not one of pv/cart/fav/buy"
    assert rej["message"] == "row 3: behavior 'nope' is not one of pv/cart/fav/buy"
    assert rej["fields"]["user_id"] == privacy.pseudonymizer.one("2")
    b = store.behavior_frame()
    assert b["category_id"].tolist() == [0, 0]
    assert b["user"].tolist()[0] == privacy.pseudonymizer.one("1")  # same pseudonym as "1" from a CSV


def test_reingest_adds_nothing_and_duplicates_are_counted(tmp_path, store, privacy):
    a = tmp_path / "a.csv"
    a.write_text("1,100,7,pv,1700000000\n1,100,7,pv,1700000000\n2,100,7,buy,1700000001\n", encoding="utf-8")
    r1 = ingest(a, store, privacy)
    assert (r1.read, r1.accepted, r1.duplicates) == (3, 2, 1)  # the repeated row within the file
    r2 = ingest(a, store, privacy)
    assert r2.already_ingested and (r2.read, r2.accepted, r2.duplicates) == (3, 0, 3)
    b = tmp_path / "b.csv"  # overlaps a.csv by one row
    b.write_text("2,100,7,buy,1700000001\n3,100,7,pv,1700000002\n", encoding="utf-8")
    r3 = ingest(b, store, privacy)
    assert (r3.read, r3.accepted, r3.duplicates) == (2, 1, 1)
    assert store.counts()["behavior"] == 3 and len(store.behavior_frame()) == 3


def test_raw_user_ids_never_reach_store_files(tmp_path, store, privacy):
    raw_ids = ["buyer-88231977", "13912345678", "alice.w@example.com"]
    f = tmp_path / "log.csv"
    lines = [f"{u},{100 + i},7,pv,{1700000000 + i}" for i, u in enumerate(raw_ids * 5)]
    lines.append(f"{raw_ids[0]},1,1,oops,1700000000")  # a rejected row with a raw id
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = ingest(f, store, privacy)
    assert r.accepted == 15 and r.rejected == 1
    files = [p for p in store.data_dir.rglob("*") if p.is_file()]
    assert any(p.suffix == ".parquet" for p in files) and any(p.name == "store.sqlite" for p in files)
    for p in files:
        data = p.read_bytes()
        for raw in raw_ids:
            assert raw.encode() not in data, f"{raw} found in {p}"


def test_not_a_text_file_is_a_clear_error(tmp_path, store, privacy):
    f = tmp_path / "utf16.csv"
    f.write_bytes("1,2,3,pv,4\n".encode("utf-16"))
    with pytest.raises(KnowledgeError, match="utf16.csv"):
        ingest(f, store, privacy)
    g = tmp_path / "latin.csv"
    g.write_bytes(b"1,2,3,pv,4\n\xff\xfe\xff,2,3,pv,5\n")
    with pytest.raises(KnowledgeError, match="latin.csv.*UTF-8.*GB18030"):
        ingest(g, store, privacy)
    h = tmp_path / "two.csv"
    h.write_text("1,2\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="5 columns"):
        ingest(h, store, privacy)
    assert store.counts()["behavior"] == 0 and store.counts()["sources"] == 0


def test_all_rows_rejected_stores_nothing(tmp_path, store, privacy):
    f = tmp_path / "junk.csv"
    f.write_text("1,2,3,clik,4\n1,2,3,clak,5\n", encoding="utf-8")
    r = ingest(f, store, privacy)
    assert (r.read, r.accepted, r.rejected) == (2, 0, 2) and not r.usable
    assert store.counts()["sources"] == 0 and store.counts()["behavior"] == 0
    assert not list(store.behavior_dir.glob("*.parquet"))


@pytest.mark.skipif(not Path("/work/shared/data/taobao_behavior_sample.csv").exists(),
                    reason="the real Taobao sample (../shared/data) is not on this machine")
def test_real_taobao_sample_reconciles(tmp_path, store, privacy):
    r = ingest(Path("/work/shared/data/taobao_behavior_sample.csv"), store, privacy, IngestSettings())
    assert r.read == 43244 and r.accepted + r.duplicates == 43244 and r.rejected == 0
    raw = pd.read_csv("/work/shared/data/taobao_behavior_sample.csv", header=None,
                      names=["u", "i", "c", "b", "t"])
    b = store.behavior_frame()
    assert len(b) == len(raw.drop_duplicates())
    assert b["behavior"].value_counts().to_dict() == raw.drop_duplicates()["b"].value_counts().to_dict()


def test_jsonl_behaviour_with_a_broken_line(tmp_path, store, privacy):
    f = tmp_path / "events.jsonl"
    f.write_text('{"user_id": "a1", "item_id": 5, "behavior": "view", "timestamp": "2024-03-15"}\n'
                 '\n'
                 '{"user_id": "a1", "item_id": 5, "behavior": "buy", "timestamp": 1710460900}\n'
                 '{broken\n'
                 '{"user_id": "a2", "item_id": "x", "behavior": "buy", "timestamp": 1710460900}\n',
                 encoding="utf-8")
    r = ingest(f, store, privacy)
    assert (r.read, r.accepted, r.rejected) == (4, 2, 2)
    assert [(x["line"], x["reason"]) for x in rejects_of(r)] == [
        (4, "not a JSON object"), (5, "item_id 'x' is not an integer")]
    assert store.behavior_frame()["behavior"].astype(str).tolist() == ["pv", "buy"]
