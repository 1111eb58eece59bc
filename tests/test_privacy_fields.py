"""PII outside review text (issue 10 item 10): rejects files never keep a raw value in their
reason or message, review category and product columns are redacted, pseudonyms survive."""

import json


from knowledge.ingest import ingest_behavior, ingest_catalog, ingest_reviews
from knowledge.privacy import Privacy, redact
from knowledge.settings import IngestSettings

KEY = b"fields-test-key-0123456789abcdef"
RAW = ("13812345678", "zhang.wei@example.com", "11010519491231002X")


def _rejects_text(report) -> str:
    assert report.rejects_path is not None
    return report.rejects_path.read_text(encoding="utf-8")


def test_review_rejects_keep_no_raw_value_in_reason_or_message(tmp_path, store):
    f = tmp_path / "reviews.csv"
    f.write_text("user,product,rating,review,date\n"
                 "u1,101,13812345678,good,2024-03-01\n"  # bad rating: the raw value was quoted in the reason
                 "u2,101,5,ok,zhang.wei@example.com\n"  # bad date
                 "u3,101,5,fine,2024-03-02\n", encoding="utf-8")
    r = ingest_reviews(f, store, Privacy.from_key(KEY), IngestSettings(), progress=False)
    assert (r.accepted, r.rejected) == (1, 2)
    text = _rejects_text(r)
    for raw in RAW[:2]:
        assert raw not in text
    recs = [json.loads(line) for line in text.splitlines()]
    assert "[PHONE]" in recs[0]["reason"] and "[PHONE]" in recs[0]["message"]
    assert "[EMAIL]" in recs[1]["reason"]
    assert recs[0]["line"] == 2  # where it was stays readable


def test_catalog_and_behavior_rejects_are_redacted(tmp_path, store):
    cat = tmp_path / "catalog.csv"
    cat.write_text("item_id,name,category_id,price\n"
                   "13812345678x,Bottle,1,9.9\n"  # bad item id quoted in the reason
                   "2,Cup,1,call 13812345678\n", encoding="utf-8")
    r = ingest_catalog(cat, store, Privacy.from_key(KEY), IngestSettings(), progress=False)
    assert r.rejected == 2
    assert "13812345678" not in _rejects_text(r)
    beh = tmp_path / "behavior.csv"
    beh.write_text("user_id,item_id,category_id,behavior,timestamp\n"
                   "7,1,1,pv,1700000000\n"
                   "8,1,1,zhang.wei@example.com,1700000000\n", encoding="utf-8")
    r = ingest_behavior(beh, store, Privacy.from_key(KEY), IngestSettings(), progress=False)
    assert r.rejected == 1
    text = _rejects_text(r)
    assert "zhang.wei@example.com" not in text and "[EMAIL]" in text
    assert Privacy.from_key(KEY).pseudonymizer.one("8") in text  # the pseudonym is kept whole


def test_review_category_and_product_columns_are_redacted(tmp_path, store):
    f = tmp_path / "reviews.csv"
    f.write_text("user,product,category,review\n"
                 "u1,ask zhang.wei@example.com,call 13812345678,great\n"
                 "u2,Lumi Bottle,Drinkware,nice\n", encoding="utf-8")
    r = ingest_reviews(f, store, Privacy.from_key(KEY), IngestSettings(), progress=False)
    assert r.accepted == 2
    df = store.reviews_frame().sort_values("text")
    assert df["product"].tolist() == ["ask [EMAIL]", "Lumi Bottle"]
    assert df["category"].tolist() == ["call [PHONE]", "Drinkware"]


def test_pseudonyms_are_never_redacted():
    p = Privacy.from_key(KEY).pseudonymizer
    # find pseudonyms whose hex digits contain a run a phone/card pattern would take
    names = [p.one(str(i)) for i in range(3000)]
    tricky = [n for n in names if any(ch.isdigit() for ch in n[2:]) and sum(ch.isdigit() for ch in n[2:]) >= 11]
    assert tricky
    for n in tricky + names[:200]:
        assert redact(f"user {n} asked").text == f"user {n} asked"
