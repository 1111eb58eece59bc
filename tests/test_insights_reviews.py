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

    assert {x["key"] for x in top("1001", "neg")} & {"续航", "电池", "battery life", "battery"}
    praised = {x["key"] for x in top("1000", "pos")}
    assert praised & {"物流", "shipping"}
    found = review_aspects(rev["text"].tolist(), rev["lang"].tolist())
    direct = sum(1 for f, p, lab in zip(found, rev["product"], s["sentiment"]) if p == "1001" and lab == "neg" and "续航" in f)
    got = {x["key"]: x["value"] for x in top("1001", "neg")}
    assert got.get("续航", direct) == direct and direct > 0


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
    assert asp.numbers["complained1"] in {"续航", "电池", "battery life", "battery"}
    assert asp.numbers["complained1"] in asp.text and asp.product == "1001"
