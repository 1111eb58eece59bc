"""knowledge.insights: every number is recomputed here directly with pandas and compared exactly."""

import numpy as np
import pandas as pd
import pytest

from knowledge.insights import (
    co_occurrence,
    compute_all,
    funnel_by,
    prepare,
    promote_to_segments,
    propensity,
    propensity_features,
    rank_segments,
    rank_users,
    segments,
    top_products,
    user_segments,
    weekly_trends,
)
from knowledge.insights.prepare import DAY_S
from knowledge.insights.synthetic import make_behavior, make_reviews
from knowledge.types import KnowledgeError

DROP_ITEM = 1000


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return make_behavior(12_000, n_users=400, n_items=150, n_days=21, seed=3, drop_item=DROP_ITEM)


@pytest.fixture(scope="module")
def insights(df):
    return compute_all(df, make_reviews(120, seed=1))


def _users(df, behavior, by):
    return df[df["behavior"] == behavior].groupby(by)["user"].nunique()


def test_funnel_per_item_equals_pandas(df):
    f = funnel_by(df, "item_id").set_index("item_id")
    viewers = _users(df, "pv", "item_id").reindex(f.index, fill_value=0)
    carters = _users(df, "cart", "item_id").reindex(f.index, fill_value=0)
    buyers = _users(df, "buy", "item_id").reindex(f.index, fill_value=0)
    buys = df[df["behavior"] == "buy"].groupby("item_id").size().reindex(f.index, fill_value=0)
    assert f.index.tolist() == sorted(df["item_id"].unique())
    assert (f["viewers"] == viewers).all() and (f["carters"] == carters).all() and (f["buyers"] == buyers).all()
    assert (f["buys"] == buys).all()
    expected = (buyers / viewers).where(viewers > 0)
    pd.testing.assert_series_equal(f["view_to_buy"], expected, check_names=False, check_exact=True)


def test_funnel_per_day_and_category_equals_pandas(df):
    day = df["ts"] // DAY_S
    f = funnel_by(df, "day").set_index("day")
    viewers = df[df["behavior"] == "pv"].groupby(day[df["behavior"] == "pv"])["user"].nunique()
    buyers = df[df["behavior"] == "buy"].groupby(day[df["behavior"] == "buy"])["user"].nunique()
    assert (f["viewers"] == viewers.reindex(f.index, fill_value=0)).all()
    assert (f["buyers"] == buyers.reindex(f.index, fill_value=0)).all()
    assert f["date"].iloc[0] == str(pd.to_datetime(f.index[0] * DAY_S, unit="s").date())
    c = funnel_by(df, "category_id").set_index("category_id")
    assert (c["favers"] == _users(df, "fav", "category_id").reindex(c.index, fill_value=0)).all()
    assert c["views"].sum() == (df["behavior"] == "pv").sum()


def test_top_products_equal_pandas(df):
    buys = df[df["behavior"] == "buy"].groupby("item_id").size().reset_index(name="n")
    expected = buys.sort_values(["n", "item_id"], ascending=[False, True]).head(5)
    top = top_products(df, "buys", 5)
    assert top["item_id"].tolist() == expected["item_id"].tolist()
    assert top["buys"].tolist() == expected["n"].tolist()
    assert top["rank"].tolist() == [1, 2, 3, 4, 5]
    conv = top_products(df, "conversion", 3, min_viewers=30)
    assert (conv["viewers"] >= 30).all() and conv["view_to_buy"].is_monotonic_decreasing


def test_weekly_trends_equal_pandas_and_flag_the_planted_drop(df):
    t = weekly_trends(df, "item_id").set_index("item_id")
    day = df["ts"] // DAY_S
    end = day.max()
    this = df[(day > end - 7) & (day <= end)]
    last = df[(day > end - 14) & (day <= end - 7)]
    v1 = this[this["behavior"] == "pv"].groupby("item_id").size()
    v0 = last[last["behavior"] == "pv"].groupby("item_id").size()
    row = t.loc[DROP_ITEM]
    assert row["views_this"] == v1[DROP_ITEM] and row["views_last"] == v0[DROP_ITEM]
    assert row["views_change"] == (v1[DROP_ITEM] - v0[DROP_ITEM]) / v0[DROP_ITEM]
    b1 = this[this["behavior"] == "buy"].groupby("item_id")["user"].nunique().get(DROP_ITEM, 0)
    u1 = this[this["behavior"] == "pv"].groupby("item_id")["user"].nunique()[DROP_ITEM]
    assert row["conv_this"] == b1 / u1
    assert bool(row["significant_drop"])
    # the most popular unaffected item is not flagged
    assert not bool(t.loc[DROP_ITEM + 1, "significant_drop"])
    assert int(row["window_days"]) == 7


def test_segments_follow_the_rules_and_sum_to_all_users(df):
    us = user_segments(df).set_index("user")
    seg = segments(df, user_segs=us.reset_index())
    assert seg["users"].sum() == df["user"].nunique()
    assert seg["share"].sum() == pytest.approx(1.0)
    end = (df["ts"].max() // DAY_S + 1) * DAY_S
    dd = us.attrs.get("dormant_days") or segments(df).attrs["dormant_days"]
    last = df.groupby("user")["ts"].max()
    buys = df[df["behavior"] == "buy"]
    buy_days = (buys["ts"] // DAY_S).groupby(buys["user"]).nunique().reindex(last.index, fill_value=0)
    carts = (df["behavior"] == "cart").groupby(df["user"]).sum().reindex(last.index)
    expected = np.select(
        [(end - last) / DAY_S > dd, buy_days >= 2, buy_days == 1, carts > 0],
        ["dormant", "loyal_buyers", "one_time_buyers", "cart_abandoners"], "window_shoppers")
    assert (us.loc[last.index, "segment"].astype(str).to_numpy() == expected).all()
    loyal = seg.set_index("segment").loc["loyal_buyers"]
    assert loyal["users"] == (expected == "loyal_buyers").sum()
    # what they buy: top category by buy events among loyal buyers
    lb = buys[buys["user"].isin(last.index[expected == "loyal_buyers"])]
    top_cat = lb.groupby("category_id").size().reset_index(name="n").sort_values(["n", "category_id"], ascending=[False, True])
    assert loyal["top_categories"][0] == top_cat["category_id"].iloc[0]
    assert loyal["top_category_events"][0] == top_cat["n"].iloc[0]


def test_co_occurrence_counts_equal_pandas_self_join(df):
    pairs = co_occurrence(df, behaviors=("buy",), min_count=1)
    b = df[df["behavior"] == "buy"][["user", "item_id"]].drop_duplicates()
    j = b.merge(b, on="user")
    j = j[j["item_id_x"] != j["item_id_y"]]
    counts = j.groupby(["item_id_x", "item_id_y"]).size()
    got = pairs.set_index(["item_a", "item_b"])["count"]
    assert len(got) == len(counts)
    assert (got.sort_index() == counts.sort_index().to_numpy()).all()
    n = b["user"].nunique()
    per_item = b.groupby("item_id").size()
    r = pairs.iloc[0]
    assert r["n_baskets"] == n
    assert r["confidence"] == r["count"] / per_item[r["item_a"]]
    assert r["lift"] == r["count"] * n / (per_item[r["item_a"]] * per_item[r["item_b"]])


def test_promote_to_segments_counts_interested_non_buyers(df):
    us = user_segments(df)
    promo = promote_to_segments(df, us, n=3, min_viewers=10)
    assert set(promo["segment"]) <= set(us["segment"].astype(str))
    r = promo.iloc[0]
    members = set(us.loc[us["segment"] == r["segment"], "user"])
    on_item = df[(df["item_id"] == r["item_id"]) & df["user"].isin(members)]
    engaged = set(on_item.loc[on_item["behavior"] != "buy", "user"])
    bought = set(on_item.loc[on_item["behavior"] == "buy", "user"])
    assert r["interested_users"] == len(engaged - bought)
    assert r["expected_buyers"] == r["interested_users"] * r["conversion"]


def test_propensity_has_signal_and_a_time_based_split(df):
    res = propensity(df)
    assert 0.5 < res.auc <= 1.0
    assert res.cutoff_train < res.cutoff_test
    cutoff = int(pd.Timestamp(res.cutoff_test).timestamp())
    # features use nothing at or after the cutoff: dropping the label window changes nothing
    before = propensity_features(df, cutoff)
    after = propensity_features(df[df["ts"] < cutoff], cutoff)
    pd.testing.assert_frame_equal(before.reset_index(drop=True), after.reset_index(drop=True))
    # and mutating label-window rows does not change them either
    mutated = df.copy()
    mutated.loc[mutated["ts"] >= cutoff, "behavior"] = "buy"
    pd.testing.assert_frame_equal(before, propensity_features(mutated, cutoff))
    top = rank_users(res, 10)
    assert top["propensity"].is_monotonic_decreasing and len(top) == 10
    rs = rank_segments(res, user_segments(df), top_n=50)
    assert rs["users_in_top"].sum() == 50
    assert rs["expected_buyers"].sum() == pytest.approx(res.scores["propensity"].sum())


def test_propensity_without_signal_is_near_chance():
    rng = np.random.default_rng(0)
    n = 20_000
    noise = pd.DataFrame({
        "user": rng.integers(0, 500, n).astype(str), "item_id": rng.integers(0, 50, n), "category_id": 1,
        "behavior": rng.choice(["pv", "cart", "fav", "buy"], n, p=[0.85, 0.07, 0.03, 0.05]),
        "ts": 1_700_006_400 + rng.integers(0, 21 * DAY_S, n),
    })
    assert abs(propensity(noise).auc - 0.5) < 0.1


def test_compute_all_numbers_equal_pandas_and_ids_are_stable(df, insights):
    again = compute_all(df.sample(frac=1.0, random_state=7), make_reviews(120, seed=1))
    assert [i.id for i in insights] == [i.id for i in again]
    assert [i.numbers for i in insights] == [i.numbers for i in again]
    ids = [i.id for i in insights]
    assert len(ids) == len(set(ids))
    by_id = {i.id: i for i in insights}
    item = by_id[f"insight:funnel:item:{DROP_ITEM}"]
    assert item.product == str(DROP_ITEM) and item.topic == "funnel"
    viewers = _users(df, "pv", "item_id")[DROP_ITEM]
    buyers = _users(df, "buy", "item_id")[DROP_ITEM]
    assert item.numbers["viewers"] == viewers and item.numbers["buyers"] == buyers
    assert item.numbers["view_to_buy"] == buyers / viewers
    assert f"{viewers:,} users viewed" in item.text
    assert f"insight:trend:item:{DROP_ITEM}" in by_id
    seg_total = sum(by_id[f"insight:segment:{s}"].numbers["users"] for s in
                    ("loyal_buyers", "one_time_buyers", "cart_abandoners", "window_shoppers", "dormant") if f"insight:segment:{s}" in by_id)
    assert seg_total == df["user"].nunique()
    model = by_id["insight:propensity:model"]
    assert 0.5 < model.numbers["auc"] <= 1.0 and "AUC" in model.text
    topics = {i.topic for i in insights}
    assert topics == {"funnel", "trend", "top", "segment", "recommendation", "propensity", "sentiment", "aspect"}
    assert all(i.text and i.numbers for i in insights)


def test_catalog_names_appear_in_texts(df):
    catalog = pd.DataFrame({"item_id": [DROP_ITEM], "name": ["智能手表 Lumi Watch"], "category_id": [100], "category": ["手表"],
                            "price": [199.0], "description": [""], "lang": ["zh"]})
    ins = {i.id: i for i in compute_all(df, None, catalog)}
    assert "智能手表 Lumi Watch" in ins[f"insight:funnel:item:{DROP_ITEM}"].text
    assert ins["insight:funnel:category:100"].category == "手表"


def test_bad_frames_are_clear_errors():
    with pytest.raises(KnowledgeError, match="missing columns"):
        prepare(pd.DataFrame({"user": ["a"], "item_id": [1]}))
    bad = pd.DataFrame({"user": ["a"], "item_id": [1], "category_id": [1], "behavior": ["click"], "ts": [0]})
    with pytest.raises(KnowledgeError, match="click"):
        prepare(bad)
    assert compute_all(None, None) == []
