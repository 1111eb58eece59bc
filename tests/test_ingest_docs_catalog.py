"""Docs (chunked by headings/paragraphs into the public collection) and catalogue ingest."""

import json
from pathlib import Path


from knowledge.chunking import chunk_document
from knowledge.ingest import ingest_catalog, ingest_docs
from knowledge.settings import IngestSettings

KEY = b"docs-test-key-0123456789abcdefgh"
FAQ_EN = """# Lumi FAQ

## Shipping

We ship within 48 hours from Shenzhen. Contact support@lumi.example for tracking.

## Returns

You can return any product within 30 days. The product must be unused.

Refunds arrive within 7 working days.
"""
FAQ_ZH = "# 常见问题\n\n## 发货\n\n我们在48小时内从深圳发货。\n\n## 退货\n\n30天内可无理由退货，商品需未使用。\n"


def test_docs_folder_chunked_by_heading_with_ids_titles_and_lang(tmp_path, store, privacy):
    d = tmp_path / "docs"
    (d / "zh").mkdir(parents=True)
    (d / "faq.md").write_text(FAQ_EN, encoding="utf-8")
    (d / "zh" / "faq.md").write_bytes(FAQ_ZH.encode("gb18030"))
    (d / "image.png").write_bytes(b"\x89PNG")  # ignored: not a doc
    r = ingest_docs(d, store, privacy, IngestSettings(), progress=False)
    assert (r.read, r.accepted, r.rejected, r.duplicates) == (4, 4, 0, 0)
    df = store.docs_frame()
    assert df["id"].tolist() == ["doc:faq.md#0", "doc:faq.md#1", "doc:zh/faq.md#0", "doc:zh/faq.md#1"]
    assert df["title"].tolist() == ["Lumi FAQ › Shipping", "Lumi FAQ › Returns", "常见问题 › 发货", "常见问题 › 退货"]
    assert df["lang"].tolist() == ["en", "en", "zh", "zh"]
    assert df["text"].iloc[1].startswith("Returns\n") and "Refunds arrive" in df["text"].iloc[1]
    assert "support@lumi.example" in df["text"].iloc[0]  # the company's public contact is kept
    again = ingest_docs(d, store, privacy, IngestSettings(), progress=False)
    assert (again.read, again.accepted, again.duplicates) == (4, 0, 4)
    (d / "faq.md").write_text(FAQ_EN.replace("30 days", "45 days"), encoding="utf-8")
    changed = ingest_docs(d / "faq.md", store, privacy, IngestSettings(), progress=False)
    assert (changed.read, changed.accepted, changed.duplicates) == (2, 1, 1)
    assert "45 days" in store.docs_frame()["text"].iloc[1]
    assert store.counts()["docs"] == 4


def test_undecodable_doc_is_a_rejected_file(tmp_path, store, privacy):
    d = tmp_path / "docs"
    d.mkdir()
    (d / "ok.md").write_text("# OK\n\nfine\n", encoding="utf-8")
    (d / "bad.txt").write_bytes(b"\xff\xfe\xff broken")
    r = ingest_docs(d, store, privacy, IngestSettings(), progress=False)
    assert (r.read, r.accepted, r.rejected) == (2, 1, 1)
    rej = [json.loads(l) for l in Path(r.rejects_path).read_text(encoding="utf-8").splitlines()]
    assert rej[0]["fields"] == {"path": "bad.txt"} and "GB18030" in rej[0]["reason"]


def test_chunks_respect_size_and_overlap():
    body = "\n\n".join(f"Paragraph {i}. " + "word " * 40 for i in range(12))
    chunks = chunk_document(f"# Guide\n\n## Care\n\n{body}", title_fallback="g", max_chars=300, overlap=40)
    assert len(chunks) > 3
    assert all(len(c.text) <= 300 + 40 + 10 for c in chunks)
    assert all(c.title == "Guide › Care" and c.text.startswith("Care\n") for c in chunks)
    joined = " ".join(c.text for c in chunks)
    assert all(f"Paragraph {i}." in joined for i in range(12))
    zh = chunk_document("长句子。" * 400, title_fallback="说明", max_chars=200, overlap=0, markdown=False)
    assert all(len(c.text) <= 200 for c in zh) and sum(len(c.text) for c in zh) == 1600


def test_catalog_prices_names_and_rejects(tmp_path, store, privacy):
    f = tmp_path / "catalog.csv"
    f.write_text("item_id,name,name_zh,category_id,category,price,description\n"
                 "101,Lumi AquaSmart Bottle,智能水杯,11,bottle,¥199,Tracks how much you drink\n"
                 "102,Lumi Buds,无线耳机,12,audio,299元,\n"
                 "abc,Broken,坏,1,x,1,\n"
                 "103,,,12,audio,99,\n"
                 "104,Lamp,台灯,13,lamp,cheap,\n", encoding="utf-8")
    r = ingest_catalog(f, store, privacy, IngestSettings(), progress=False)
    assert (r.read, r.accepted, r.rejected, r.duplicates) == (5, 2, 3, 0)
    rej = [json.loads(l) for l in Path(r.rejects_path).read_text(encoding="utf-8").splitlines()]
    assert [(x["line"], x["reason"]) for x in rej] == [
        (4, "item_id 'abc' is not an integer"), (5, "missing name"), (6, "price 'cheap' is not a number")]
    df = store.catalog_frame()
    assert df["item_id"].tolist() == [101, 102] and df["price"].tolist() == [199.0, 299.0]
    assert df["name_zh"].tolist() == ["智能水杯", "无线耳机"] and df["lang"].tolist() == ["en", "en"]
    assert df["category_id"].tolist() == [11, 12]
    g = tmp_path / "catalog2.csv"  # one changed price, one unchanged
    g.write_text("item_id,name,name_zh,category_id,category,price,description\n"
                 "101,Lumi AquaSmart Bottle,智能水杯,11,bottle,219,Tracks how much you drink\n"
                 "102,Lumi Buds,无线耳机,12,audio,299,\n", encoding="utf-8")
    r2 = ingest_catalog(g, store, privacy, IngestSettings(), progress=False)
    assert (r2.accepted, r2.duplicates) == (1, 1)
    assert store.catalog_frame()["price"].tolist() == [219.0, 299.0]
