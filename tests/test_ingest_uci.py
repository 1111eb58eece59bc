"""Issue 10 item 8 / issue 11: the headerless UCI review file (`text<TAB>label`) is read (2
columns, the second 0/1) or refused with a message saying how to fix it; duplicate texts with
opposite labels are reported in the summary and kept in the rejects file with a reason."""

import json
from pathlib import Path

import pytest

from growthpilot.cli import main
from knowledge.ingest import ingest_reviews
from knowledge.privacy import Privacy
from knowledge.settings import IngestSettings

KEY = b"uci-test-key-0123456789abcdefghi"
SHARED = Path("/work/shared/data/reviews_en_yelp_labelled.txt")


def ingest(f, store):
    r = ingest_reviews(f, store, Privacy.from_key(KEY), IngestSettings(), progress=False)
    assert r.accepted + r.rejected + r.duplicates == r.read
    return r


def test_headerless_text_tab_label_is_read(tmp_path, store):
    f = tmp_path / "yelp_labelled.txt"
    f.write_text('Wow... Loved this place.\t1\nCrust is not good.\t0\nThe "burger" was great, really.\t1\n'
                 "Not tasty and the texture was just nasty.\t0\n", encoding="utf-8")
    r = ingest(f, store)
    assert (r.read, r.accepted, r.rejected) == (4, 4, 0)
    df = store.reviews_frame()
    assert df["text"].tolist()[2] == 'The "burger" was great, really.'  # quotes are text, not CSV quoting
    assert df["label"].tolist() == [1, 0, 1, 0]
    assert any("text<TAB>label" in n for n in r.notes)


def test_opposite_labels_are_reported_and_rejected_with_reason(tmp_path, store):
    f = tmp_path / "amazon_cells_labelled.txt"
    f.write_text("Great phone.\t1\nBattery died fast.\t0\nGreat phone.\t0\nGreat phone.\t1\nOk.\t1\n",
                 encoding="utf-8")
    r = ingest(f, store)
    assert (r.read, r.accepted, r.rejected, r.duplicates) == (5, 3, 1, 1)
    rej = [json.loads(l) for l in Path(r.rejects_path).read_text(encoding="utf-8").splitlines()]
    assert [x["line"] for x in rej] == [3]
    assert "opposite label" in rej[0]["reason"] and "line 1" in rej[0]["reason"]
    assert any("1 review(s) with the same text and the opposite label" in n for n in r.notes), r.notes


def test_opposite_label_against_an_earlier_file(tmp_path, store):
    a = tmp_path / "a.txt"
    a.write_text("Great phone.\t1\nSlow delivery.\t0\n", encoding="utf-8")
    ingest(a, store)
    b = tmp_path / "b.txt"
    b.write_text("Great phone.\t0\nNice case.\t1\n", encoding="utf-8")
    r = ingest(b, store)
    assert (r.accepted, r.rejected) == (1, 1)
    rej = [json.loads(l) for l in Path(r.rejects_path).read_text(encoding="utf-8").splitlines()]
    assert "opposite label" in rej[0]["reason"] and "already stored" in rej[0]["reason"]


def test_headerless_two_columns_without_a_label_is_refused_with_a_fix(tmp_path, store, capsys, monkeypatch):
    monkeypatch.setenv("GROWTHPILOT_PSEUDONYM_KEY", KEY.decode())
    cfg = tmp_path / "config.toml"
    cfg.write_text('[data]\ndir = "state"\n', encoding="utf-8")
    f = tmp_path / "odd.txt"
    f.write_text("Great phone.\tgreen\nBattery died fast.\tblue\n", encoding="utf-8")
    assert main(["ingest", "reviews", str(f), "--config", str(cfg), "--no-index"]) == 2
    err = capsys.readouterr().err
    assert "no header row" in err and "text<TAB>label" in err and "add a header" in err


@pytest.mark.skipif(not SHARED.exists(), reason="needs ../shared/data (the UCI yelp file)")
def test_the_shared_uci_yelp_file(tmp_path, store):
    r = ingest(SHARED, store)
    assert r.read == 1000 and r.accepted >= 990
    df = store.reviews_frame()
    assert set(df["label"].dropna().tolist()) == {0, 1}
