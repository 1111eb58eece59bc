"""Review ingest: column-name mapping, encodings (GB18030, BOM), JSONL, rejects with line
numbers, PII redacted and user ids pseudonymised before storage, re-ingest adds nothing."""

import json
from pathlib import Path

import pytest

from knowledge.ingest import ingest_reviews, parse_date, parse_rating
from knowledge.settings import IngestSettings
from knowledge.types import KnowledgeError

KEY = b"reviews-test-key-0123456789abcde"


def ingest(path, store, privacy):
    r = ingest_reviews(path, store, privacy, IngestSettings(), progress=False)
    assert r.accepted + r.rejected + r.duplicates == r.read
    return r


def test_gb18030_chinese_reviews_are_redacted_and_pseudonymised(tmp_path, store, privacy):
    f = tmp_path / "评论导出.csv"
    text = ("用户,商品,评分,评论,日期\n"
            "王小明,101,5,续航很强，一周一充，包装也精美,2024年3月15日\n"
            "李华,102,1,物流太慢了！有问题打我电话13812345678,2024/3/16\n"
            "王小明,101,4,\"价格¥199有点贵,但是做工好\",2024-03-17\n")
    f.write_bytes(text.encode("gb18030"))
    r = ingest(f, store, privacy)
    assert (r.read, r.accepted, r.rejected, r.duplicates) == (3, 3, 0, 0)
    assert r.redactions == {"PHONE": 1}
    df = store.reviews_frame()
    assert df["text"].tolist() == ["续航很强，一周一充，包装也精美", "物流太慢了！有问题打我电话[PHONE]",
                                   "价格¥199有点贵,但是做工好"]
    assert df["rating"].tolist() == [5.0, 1.0, 4.0]
    assert df["date"].tolist() == ["2024-03-15", "2024-03-16", "2024-03-17"]
    assert df["product"].tolist() == ["101", "102", "101"]
    assert df["lang"].tolist() == ["zh", "zh", "zh"]
    assert df["user"].tolist()[0] == df["user"].tolist()[2] == privacy.pseudonymizer.one("王小明")
    assert df["id"].str.match(r"^review:[0-9a-f]{16}$").all()
    assert df["label"].isna().all()
    blob = store.path.read_bytes() + Path(str(store.path) + "-wal").read_bytes() \
        if Path(str(store.path) + "-wal").exists() else store.path.read_bytes()
    for raw in ("王小明".encode(), "李华".encode(), b"13812345678"):
        assert raw not in blob


def test_alexa_shaped_tsv_with_bom_and_feedback_labels(tmp_path, store, privacy):
    f = tmp_path / "alexa.tsv"
    f.write_bytes(("\ufeffrating\tdate\tvariation\tverified_reviews\tfeedback\n"
                   "5\t31-Jul-18\tCharcoal Fabric \tLove my Echo! Battery lasts all day\t1\n"
                   "1\t30-Jul-18\tWhite\tStopped working after 2 weeks, support at help@amazon.example was useless\t0\n"
                   "3\t29-Jul-18\tBlack\t \t1\n").encode("utf-8"))
    r = ingest(f, store, privacy)
    assert (r.read, r.accepted, r.rejected) == (3, 2, 1)
    rej = [json.loads(l) for l in Path(r.rejects_path).read_text(encoding="utf-8").splitlines()]
    assert [(x["line"], x["reason"]) for x in rej] == [(4, "missing review text")]
    df = store.reviews_frame()
    assert df["label"].tolist() == [1, 0]
    assert df["category"].tolist() == ["Charcoal Fabric", "White"]
    assert df["date"].tolist() == ["2018-07-31", "2018-07-30"]
    assert "[EMAIL]" in df["text"].iloc[1] and "help@amazon.example" not in df["text"].iloc[1]
    assert df["lang"].tolist() == ["en", "en"]


def test_jsonl_reviews_with_bad_lines(tmp_path, store, privacy):
    f = tmp_path / "reviews.jsonl"
    lines = [
        json.dumps({"content": "Great lamp, warm light", "stars": 5, "item_id": 301, "time": "2024-03-01",
                    "user_id": "cust-1001"}),
        json.dumps({"content": "Too bright", "stars": "seven", "item_id": 301}),
        "{not json",
        "",
        json.dumps({"content": "Battery died", "stars": 2, "sentiment": "negative", "item_id": 302,
                    "time": "someday"}),
        json.dumps({"content": "Ships fast", "stars": "4/5", "sentiment": "pos", "item_id": 303}),
        json.dumps({"content": "Great lamp, warm light", "stars": 5, "item_id": 301, "time": "2024-03-01",
                    "user_id": "cust-1001"}),  # exact repeat of line 1
    ]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = ingest(f, store, privacy)
    assert (r.read, r.accepted, r.rejected, r.duplicates) == (6, 2, 3, 1)
    rej = [json.loads(l) for l in Path(r.rejects_path).read_text(encoding="utf-8").splitlines()]
    reasons = {x["line"]: x["reason"] for x in rej}
    assert reasons[2] == "rating 'seven' is not a number between 0 and 5"
    assert reasons[3].startswith("not valid JSON")
    assert reasons[5] == "date 'someday' is not a date"
    df = store.reviews_frame()
    assert df["rating"].tolist() == [5.0, 4.0]
    assert df["label"].tolist()[1] == 1
    assert df["user"].tolist() == [privacy.pseudonymizer.one("cust-1001"), ""]


def test_reingest_adds_nothing(tmp_path, store, privacy):
    f = tmp_path / "r.csv"
    f.write_text("review,rating\n好用\n".replace("好用\n", "好用,5\n不好用,1\n"), encoding="utf-8")
    assert ingest(f, store, privacy).accepted == 2
    r = ingest(f, store, privacy)
    assert r.already_ingested and (r.accepted, r.duplicates) == (0, 2)
    g = tmp_path / "r2.csv"  # same reviews in another file: duplicates by content id
    g.write_text("text,score\n不好用,1\n好用,5\n", encoding="utf-8")
    r2 = ingest(g, store, privacy)
    assert (r2.read, r2.accepted, r2.duplicates) == (2, 0, 2)
    assert store.counts()["reviews"] == 2


def test_no_text_column_is_a_clear_error(tmp_path, store, privacy):
    f = tmp_path / "r.csv"
    f.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="no review text column"):
        ingest(f, store, privacy)


def test_rating_and_date_parsers():
    assert parse_rating("4") == 4.0 and parse_rating("4.5") == 4.5 and parse_rating("8/10") == 4.0
    assert parse_rating("★★★☆☆") == 3.0 and parse_rating("5星") == 5.0
    assert parse_rating("6") is None and parse_rating("good") is None
    assert parse_date("2024年3月5日") == "2024-03-05" and parse_date("31-Jul-18") == "2018-07-31"
    assert parse_date("Jul 31, 2018") == "2018-07-31" and parse_date("2024-03-05T10:00:00Z") == "2024-03-05"
    assert parse_date("1710460800") == "2024-03-15" and parse_date("tomorrow") is None


@pytest.mark.skipif(not Path("/work/shared/data/reviews_en_alexa.tsv").exists(),
                    reason="the real Alexa reviews (../shared/data) are not on this machine")
def test_real_alexa_reviews_reconcile(tmp_path, store, privacy):
    r = ingest(Path("/work/shared/data/reviews_en_alexa.tsv"), store, privacy)
    assert r.read == 2221 and r.accepted > 1500
    assert store.counts()["reviews"] == r.accepted


def _insights_from_store(store):
    from knowledge.insights import compute_all
    from knowledge.query import QueryEngine

    engine = QueryEngine.from_store(store, threads=1)
    try:
        return {i.id: i for i in compute_all(engine=engine)}
    finally:
        engine.close()


def test_reviews_without_product_or_category_count_in_overall_sentiment(tmp_path, store, privacy):
    plain = tmp_path / "plain.csv"  # no product, no category column at all
    plain.write_text("review,label\n质量很好，很满意,1\n用了两天就坏了,0\nWorks great,1\n", encoding="utf-8")
    mixed = tmp_path / "mixed.csv"  # a product on one row only
    mixed.write_text("review,product,label\nBattery died in a week,P1,0\n包装破损，很失望,,0\n", encoding="utf-8")
    assert ingest(plain, store, privacy).accepted == 3 and ingest(mixed, store, privacy).accepted == 2
    ins = _insights_from_store(store)
    overall = ins["insight:sentiment:all"]
    assert overall.numbers["reviews"] == 5 and overall.numbers["positive"] == 2 and overall.numbers["negative"] == 3
    assert "5 reviews, 40.0% positive, 60.0% negative" in overall.text
    assert ins["insight:sentiment:product:P1"].numbers["reviews"] == 1


def test_reviews_with_only_a_category_get_category_insights(tmp_path, store, privacy):
    f = tmp_path / "by_category.csv"
    f.write_text("review,category,label\n电池续航太短,手机,0\n屏幕清晰，电池耐用,手机,1\n电池不耐用，很失望,手机,0\n"
                 "Fresh and sweet,fruit,1\n", encoding="utf-8")
    assert ingest(f, store, privacy).accepted == 4
    ins = _insights_from_store(store)
    phone = ins["insight:sentiment:category:手机"]
    assert phone.category == "手机" and phone.numbers["reviews"] == 3 and phone.numbers["negative"] == 2
    assert "品类 手机" in phone.text_zh
    assert ins["insight:sentiment:category:fruit"].numbers["reviews"] == 1
    assert not [k for k in ins if k.startswith("insight:sentiment:product:")]
    assert ins["insight:sentiment:all"].numbers["reviews"] == 4
