"""Issue 10 item 6: a file mixing UTF-8 and GB18030 rows is decoded per line (or the
undecodable lines rejected with line and reason), never stored as mojibake silently; the
summary says how many lines were decoded how."""

import json
from pathlib import Path


from growthpilot.cli import main
from knowledge.ingest import ingest_behavior, ingest_docs, ingest_reviews
from knowledge.privacy import Privacy
from knowledge.settings import IngestSettings

KEY = b"encoding-test-key-0123456789abcd"
UTF8_ROWS = ["电池续航很强，一周一充", "屏幕清晰，手感很好"]
GB_ROWS = ["物流太慢了，包装破损", "客服态度差，不推荐"]


def mixed_reviews(path: Path) -> Path:
    lines = [b"review,rating"]
    lines += [f"{UTF8_ROWS[0]},5".encode("utf-8"), f"{GB_ROWS[0]},1".encode("gb18030"),
              f"{UTF8_ROWS[1]},4".encode("utf-8"), b"\xff\xfe\xff\xfe,3", f"{GB_ROWS[1]},2".encode("gb18030")]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_mixed_reviews_are_decoded_per_line(tmp_path, store):
    f = mixed_reviews(tmp_path / "mixed.csv")
    r = ingest_reviews(f, store, Privacy.from_key(KEY), IngestSettings(), progress=False)
    assert (r.read, r.accepted, r.rejected) == (5, 4, 1)
    assert sorted(store.reviews_frame()["text"]) == sorted(UTF8_ROWS + GB_ROWS)  # no mojibake
    rej = [json.loads(l) for l in Path(r.rejects_path).read_text(encoding="utf-8").splitlines()]
    assert [x["line"] for x in rej] == [5] and "neither UTF-8 nor GB18030" in rej[0]["reason"]
    assert any("2 UTF-8, 2 GB18030" in n and "1 undecodable" in n for n in r.notes), r.notes


def test_cli_summary_says_how_rows_were_decoded(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GROWTHPILOT_PSEUDONYM_KEY", KEY.decode())
    cfg = tmp_path / "config.toml"
    cfg.write_text('[data]\ndir = "state"\n', encoding="utf-8")
    f = mixed_reviews(tmp_path / "mixed.csv")
    assert main(["ingest", "reviews", str(f), "--config", str(cfg), "--no-index"]) == 0
    out = capsys.readouterr().out
    assert "mixed encodings, decoded per line: 2 UTF-8, 2 GB18030" in out


def test_pure_gb18030_is_still_one_encoding(tmp_path, store):
    f = tmp_path / "gb.csv"
    f.write_bytes(("review,rating\n" + "".join(f"{t},3\n" for t in GB_ROWS)).encode("gb18030"))
    r = ingest_reviews(f, store, Privacy.from_key(KEY), IngestSettings(), progress=False)
    assert r.accepted == 2 and not r.notes
    assert sorted(store.reviews_frame()["text"]) == sorted(GB_ROWS)


def test_mixed_behaviour_log(tmp_path, store):
    f = tmp_path / "log.csv"
    rows = [b"user_id,item_id,category_id,behavior,timestamp",
            "张三,100,7,浏览,1700000000".encode("utf-8"),
            "李四,100,7,购买,1700000001".encode("gb18030"),
            b"\xff\xfe,100,7,pv,1700000002",
            "张三,101,7,购买,1700000003".encode("gb18030")]
    f.write_bytes(b"\n".join(rows) + b"\n")
    r = ingest_behavior(f, store, Privacy.from_key(KEY), IngestSettings(), progress=False)
    assert (r.read, r.accepted, r.rejected) == (4, 3, 1)
    b = store.behavior_frame()
    assert b["behavior"].astype(str).tolist() == ["pv", "buy", "buy"]
    assert b["user"].iloc[0] == b["user"].iloc[2]  # 张三 in UTF-8 and in GB18030: the same person
    rej = [json.loads(l) for l in Path(r.rejects_path).read_text(encoding="utf-8").splitlines()]
    assert [x["line"] for x in rej] == [4]
    assert any("1 UTF-8, 2 GB18030" in n for n in r.notes), r.notes
    assert not list(store.behavior_dir.glob(".decode-*"))  # the UTF-8 copy is gone


def test_mixed_doc_decoded_and_undecodable_doc_rejected(tmp_path, store):
    d = tmp_path / "docs"
    d.mkdir()
    (d / "faq.md").write_bytes("# 常见问题\n\n".encode("utf-8") + "30天内可无理由退货。\n".encode("gb18030"))
    (d / "bad.md").write_bytes("# 说明\n".encode("utf-8") + b"\xff\xfe\xff\n")
    r = ingest_docs(d, store, Privacy.from_key(KEY), IngestSettings(), progress=False)
    assert r.rejected == 1 and r.accepted == 1
    assert "30天内可无理由退货" in store.docs_frame()["text"].iloc[0]
    assert any("mix UTF-8 and GB18030" in n for n in r.notes)


def test_mixed_without_bad_lines_is_not_mojibake(tmp_path, store):
    # "质量很好" in UTF-8 is also valid GB18030 ("璐ㄩ噺寰堝ソ"): decoding the whole file as GB18030 was mojibake
    f = tmp_path / "mixed2.csv"
    f.write_bytes(b"review,rating\n" + "质量很好,5\n".encode("utf-8") + f"{GB_ROWS[0]},1\n".encode("gb18030"))
    r = ingest_reviews(f, store, Privacy.from_key(KEY), IngestSettings(), progress=False)
    assert (r.accepted, r.rejected) == (2, 0)
    assert sorted(store.reviews_frame()["text"]) == sorted(["质量很好", GB_ROWS[0]])
