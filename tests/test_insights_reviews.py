"""Review sentiment per product and aspects: numbers equal pandas; planted complaints are found."""

import numpy as np
import pandas as pd

from knowledge.insights import aspects, compute_all, review_sentiment, sentiment_by_product
from knowledge.insights.synthetic import make_reviews


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
    got = sentiment_by_product(s).set_index("product")
    nonempty = s[s["product"] != ""]
    n = nonempty.groupby("product").size()
    pos = (nonempty["sentiment"] == "pos").groupby(nonempty["product"]).sum()
    assert got.loc["A", "reviews"] == n["A"] and got.loc["B", "reviews"] == n["B"]
    assert got.loc["B", "share_positive"] == pos["B"] / n["B"]
    assert got.loc["A", "mean_rating"] == nonempty[nonempty["product"] == "A"]["rating"].mean()
    assert "" not in got.index


def test_aspects_find_planted_complaints_and_praise():
    s = review_sentiment(make_reviews(300, seed=2))
    a = aspects(s, "product")
    p1001 = a[a["product"] == "1001"].sort_values("negative", ascending=False)
    assert set(p1001["aspect"].head(3)) & {"续航", "电池", "battery life", "battery"}
    top_neg = p1001.iloc[0]
    assert top_neg["negative"] > top_neg["positive"]
    p1000 = a[(a["product"] == "1000") & (a["aspect"].isin(["物流", "shipping"]))]
    assert (p1000["positive"] > p1000["negative"]).all() and len(p1000) > 0
    # counts equal a direct count over the texts
    zh_neg = s[(s["product"] == "1001") & (s["sentiment"] == "neg") & (s["lang"] == "zh")]
    direct = zh_neg["text"].str.contains("续航").sum()
    assert a[(a["product"] == "1001") & (a["aspect"] == "续航")]["negative"].iloc[0] == direct


def test_review_insights_in_compute_all():
    reviews = make_reviews(200, seed=4)
    ins = {i.id: i for i in compute_all(None, reviews)}
    sent = ins["insight:sentiment:product:1001"]
    s = review_sentiment(reviews)
    p = s[s["product"] == "1001"]
    assert sent.numbers["reviews"] == len(p)
    assert sent.numbers["share_negative"] == (p["sentiment"] == "neg").sum() / len(p)
    asp = ins["insight:aspect:product:1001"]
    assert asp.numbers["complained1"] in {"续航", "电池", "battery life", "battery"}
    assert asp.numbers["complained1"] in asp.text and asp.product == "1001"
