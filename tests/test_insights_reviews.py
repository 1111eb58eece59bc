"""Review sentiment and aspects through the query layer: numbers equal pandas; planted
complaints are found; category-only reviews count."""

import numpy as np
import pandas as pd

from knowledge.insights import compute_all, review_aspects, review_sentiment
from knowledge.insights.synthetic import make_reviews
from knowledge.query import Filter, QueryEngine, QuerySpec


def _reviews():
    return pd.DataFrame({
        "id": [f"review:{i}" for i in range(8)],
        "text": ["续航太差了，很失望", "电池续航不行", "物流很快，包装很好", "质量不错", "Battery life is terrible",
                 "Great sound quality", "还行吧", "where is my order??"],
        "rating": [np.nan, 1.0, 5.0, np.nan, 2.0, np.nan, np.nan, np.nan],
        "label": pd.array([pd.NA, pd.NA, pd.NA, 1, pd.NA, pd.NA, pd.NA, pd.NA], dtype="Int64"),
        "product": ["A", "A", "A", "B", "B", "B", "", "B"],
        "category": ["phone"] * 8,
        "lang": ["zh", "zh", "zh", "zh", "en", "en", "zh", "en"],
    })


def test_sentiment_source_order_label_rating_model():
    s = review_sentiment(_reviews())
    assert s["sentiment_source"].tolist() == ["model", "rating", "rating", "label", "rating", "model", "model", "model"]
    assert s["sentiment"].astype(str).tolist()[:6] == ["neg", "neg", "pos", "pos", "neg", "pos"]
    assert s.loc[7, "sentiment"] == "neg"  # "where is my order??"


def test_sentiment_by_product_equals_pandas():
    s = review_sentiment(_reviews())
    q = QueryEngine.from_frames(None, _reviews(), threads=1)
    pos = {x["key"]: x for x in q.run(QuerySpec("positive_share", op="breakdown", by="review_product")).records()}
    rating = {x["key"]: x["value"] for x in q.run(QuerySpec("avg_rating", op="breakdown", by="review_product")).records()}
    nonempty = s[s["product"] != ""]
    n = nonempty.groupby("product").size()
    p = (nonempty["sentiment"] == "pos").groupby(nonempty["product"]).sum()
    assert pos["A"]["denominator"] == n["A"] and pos["B"]["denominator"] == n["B"]
    assert pos["B"]["value"] == p["B"] / n["B"]
    assert rating["A"] == nonempty[nonempty["product"] == "A"]["rating"].mean()
    assert "" not in pos
    assert q.run(QuerySpec("reviews", filters=(Filter("review_category", ("phone",)),))).value == 8  # the product-less one counts too


def test_aspects_find_planted_complaints_and_praise():
    rev = make_reviews(300, seed=2)
    s = review_sentiment(rev)
    q = QueryEngine.from_frames(None, rev, threads=1)

    def top(product, sentiment):
        return q.run(QuerySpec("aspect_mentions", op="top", by="aspect", limit=3,
                               filters=(Filter("review_product", (product,)), Filter("sentiment", (sentiment,))))).records()

    assert "电池 / battery" in {x["key"] for x in top("1001", "neg")}  # 续航, 电池 and battery life alike
    praised = {x["key"] for x in top("1000", "pos")}
    assert "物流 / shipping" in praised
    found = review_aspects(rev["text"].tolist(), rev["lang"].tolist())
    direct = sum(1 for f, p, lab in zip(found, rev["product"], s["sentiment"]) if p == "1001" and lab == "neg" and "电池 / battery" in f)
    got = {x["key"]: x["value"] for x in top("1001", "neg")}
    assert got.get("电池 / battery", direct) == direct and direct > 0


def test_review_insights_in_compute_all_by_product_category_and_overall():
    reviews = make_reviews(200, seed=4)
    reviews.loc[reviews.index % 2 == 0, "product"] = ""  # half the file has a category but no product
    ins = {i.id: i for i in compute_all(None, reviews)}
    s = review_sentiment(reviews)
    p = s[s["product"] == "1001"]
    sent = ins["insight:sentiment:product:1001"]
    assert sent.numbers["reviews"] == len(p)
    assert sent.numbers["share_negative"] == (p["sentiment"] == "neg").sum() / len(p)
    assert ins["insight:sentiment:category:gadgets"].numbers["reviews"] == 200
    assert ins["insight:sentiment:all"].numbers["reviews"] == 200 and "好评" in ins["insight:sentiment:all"].text_zh
    asp = ins["insight:aspect:product:1001"]
    assert asp.numbers["complained1"] == "电池 / battery"
    assert asp.numbers["complained1"] in asp.text and asp.product == "1001"


def test_one_aspect_across_languages_and_synonyms_counted_once_per_review():
    """客服 / 售后 / customer service / support are one aspect: a team asking "what do customers
    complain about?" gets one row for it, not one per language (and a review naming two of the
    words counts once)."""
    texts = ["客服态度很差，售后也不理人", "Customer service was rude and support never answered", "物流太慢了",
             "Shipping took forever", "电池续航很短", "battery life is short", "包装破了"]
    langs = ["zh", "en", "zh", "en", "zh", "en", "zh"]
    found = review_aspects(texts, langs)
    assert found[0] == found[1] == ["客服 / customer service"]
    assert found[2] == found[3] == ["物流 / shipping"]
    assert found[4] == found[5] == ["电池 / battery"]
    assert found[6] == ["包装 / packaging"]
    rev = pd.DataFrame({"id": [f"r{i}" for i in range(7)], "text": texts, "lang": langs, "rating": [1.0] * 7,
                        "label": pd.array([pd.NA] * 7, dtype="Int64"), "product": [""] * 7, "category": ["c"] * 7,
                        "date": ["2024-06-01"] * 7, "user": [""] * 7})
    q = QueryEngine.from_frames(None, rev, threads=1)
    recs = {x["key"]: x["value"] for x in q.run(QuerySpec("aspect_mentions", op="top", by="aspect", limit=5)).records()}
    assert recs == {"客服 / customer service": 2, "物流 / shipping": 2, "电池 / battery": 2, "包装 / packaging": 1}
