"""knowledge.insights: every insight's numbers come from the query layer and equal a direct
pandas computation; ids are stable; texts in en and zh; the propensity model has a time split."""

import numpy as np
import pandas as pd
import pytest

from knowledge.insights import compute_all, prepare, propensity, propensity_features, rank_users
from knowledge.insights.prepare import DAY_S
from knowledge.insights.synthetic import make_behavior, make_reviews
from knowledge.query import QueryEngine
from knowledge.types import KnowledgeError

DROP_ITEM = 1000


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return make_behavior(12_000, n_users=400, n_items=150, n_days=21, seed=3, drop_item=DROP_ITEM)


@pytest.fixture(scope="module")
def insights(df):
    return compute_all(df, make_reviews(120, seed=1))


@pytest.fixture(scope="module")
def by_id(insights):
    return {i.id: i for i in insights}


def _users(frame, behavior):
    return frame.loc[frame["behavior"] == behavior, "user"].nunique()


def test_overall_funnel_equals_pandas_and_says_which_conversion(df, by_id):
    f = by_id["insight:funnel:all"]
    b = df["behavior"].astype(str)
    carters, buyers = set(df.loc[b == "cart", "user"]), set(df.loc[b == "buy", "user"])
    assert f.numbers["viewers"] == _users(df, "pv") and f.numbers["buyers"] == len(buyers)
    assert f.numbers["view_to_buy"] == pytest.approx(len(buyers) / _users(df, "pv"))
    assert f.numbers["conversion_events"] == pytest.approx((b == "buy").sum() / (b == "pv").sum())
    assert f.numbers["cart_to_buy"] == pytest.approx(len(carters & buyers) / len(carters))  # among cart users
    per_buyer = df[b == "buy"].groupby("user").size()
    assert f.numbers["repeat_buyer_share"] == pytest.approx((per_buyer >= 2).mean())
    assert f.numbers["purchases_per_buyer"] == pytest.approx(per_buyer.mean())
    assert "conversion by users (buyers ÷ viewers)" in f.text and "by events" in f.text
    assert "按用户转化率" in f.text_zh and "按事件转化率" in f.text_zh


def test_item_and_day_funnels_equal_pandas(df, by_id):
    item = by_id[f"insight:funnel:item:{DROP_ITEM}"]
    sub = df[df["item_id"] == DROP_ITEM]
    assert item.product == str(DROP_ITEM) and item.numbers["viewers"] == _users(sub, "pv")
    assert item.numbers["buyers"] == _users(sub, "buy") and item.numbers["view_to_buy"] == pytest.approx(_users(sub, "buy") / _users(sub, "pv"))
    assert f"{_users(sub, 'pv'):,} users viewed" in item.text and item.specs and item.specs[-1]["by"] == "item"
    top_views = df[df["behavior"] == "pv"].groupby("item_id").size().sort_values(ascending=False)
    funnel_items = [i for i in by_id if i.startswith("insight:funnel:item:")]
    assert len(funnel_items) == 20 and {int(i.rsplit(":", 1)[1]) for i in funnel_items} == set(top_views.index[:20]) | set()
    last = df["ts"].max() // DAY_S
    day = by_id[f"insight:funnel:day:{np.datetime64(int(last), 'D')}"]
    dsub = df[df["ts"] // DAY_S == last]
    assert day.numbers["views"] == int((dsub["behavior"] == "pv").sum()) and day.numbers["buyers"] == _users(dsub, "buy")


def test_top_products_equal_pandas_with_the_support_rule_stated(df, by_id):
    t = by_id["insight:top:buys"]
    buys = df[df["behavior"] == "buy"].groupby("item_id").size().reset_index(name="n").sort_values(["n", "item_id"], ascending=[False, True])
    assert [t.numbers[f"rank{k}_item_id"] for k in range(1, 6)] == buys["item_id"].head(5).tolist()
    c = by_id["insight:top:conversion"]
    assert "items with at least 20 viewers" in c.text
    for k in range(1, 6):
        sub = df[df["item_id"] == c.numbers[f"rank{k}_item_id"]]
        assert c.numbers[f"rank{k}_viewers"] == _users(sub, "pv") >= 20
        assert c.numbers[f"rank{k}_view_to_buy"] == pytest.approx(_users(sub, "buy") / _users(sub, "pv"))


def test_trends_equal_pandas_and_flag_the_planted_drop(df, by_id):
    t = by_id["insight:trend:all"]
    day = df["ts"] // DAY_S
    end = day.max()
    this, last = df[day > end - 7], df[(day > end - 14) & (day <= end - 7)]
    assert t.numbers["views_this"] == int((this["behavior"] == "pv").sum()) and t.numbers["buys_last"] == int((last["behavior"] == "buy").sum())
    assert t.numbers["conv_this"] == pytest.approx(_users(this, "buy") / _users(this, "pv"))
    assert t.numbers["complete"] == 1 and "Warning" not in t.text
    drop = by_id[f"insight:trend:item:{DROP_ITEM}"]
    sub_this, sub_last = this[this["item_id"] == DROP_ITEM], last[last["item_id"] == DROP_ITEM]
    assert drop.numbers["views_this"] == int((sub_this["behavior"] == "pv").sum()) < 0.5 * int((sub_last["behavior"] == "pv").sum())
    assert "significant drop" in drop.text and "显著下降" in drop.text_zh


def test_trend_insight_warns_on_an_incomplete_earlier_window():
    days = [*range(0, 6), 11, 12, *range(13, 20)]  # 20 days (7-day windows); the earlier window has data on 2 of its days
    rows = [(f"u{d}{i}", 5, 1, "pv", 1_700_006_400 + d * DAY_S + i) for d in days for i in range(30)]
    frame = pd.DataFrame(rows, columns=["user", "item_id", "category_id", "behavior", "ts"])
    t = {i.id: i for i in compute_all(frame)}["insight:trend:all"]
    assert t.numbers["complete"] == 0 and "incomplete window" in t.text and "2 of 7 days" in t.text and "不完整" in t.text_zh


def _ref_segments(frame):
    day = frame["ts"] // DAY_S
    span = int(day.max()) - int(np.quantile(day, 0.01)) + 1
    dd = 7 if span >= 28 else max(1, span // 4)
    end = (int(day.max()) + 1) * DAY_S
    rec = (end - frame.groupby("user")["ts"].max()) / DAY_S
    bd = frame[frame["behavior"] == "buy"].assign(d=day).groupby("user")["d"].nunique().reindex(rec.index, fill_value=0)
    carts = frame[frame["behavior"] == "cart"].groupby("user").size().reindex(rec.index, fill_value=0)
    return pd.Series(np.select([rec > dd, bd >= 2, bd == 1, carts > 0], ["dormant", "loyal_buyers", "one_time_buyers", "cart_abandoners"],
                               default="window_shoppers"), index=rec.index)


def test_segments_follow_the_rules_and_sum_to_all_users(df, by_id):
    ref = _ref_segments(df).value_counts()
    for s, n in ref.items():
        assert by_id[f"insight:segment:{s}"].numbers["users"] == n
    assert sum(by_id[f"insight:segment:{s}"].numbers["users"] for s in ref.index) == df["user"].nunique()


def test_bought_together_counts_distinct_users_like_a_pandas_self_join(df, by_id):
    buys = df[df["behavior"] == "buy"][["user", "item_id"]].drop_duplicates()
    pairs = buys.merge(buys, on="user")
    pairs = pairs[pairs["item_id_x"] < pairs["item_id_y"]].groupby(["item_id_x", "item_id_y"]).size()
    recs = [i for i in by_id.values() if i.id.startswith("insight:recommendation:bought:")]
    assert recs
    for i in recs:
        assert i.numbers["count"] == pairs[(i.numbers["item_a"], i.numbers["item_b"])] >= 2
        assert i.numbers["count_a"] == buys[buys["item_id"] == i.numbers["item_a"]]["user"].nunique()
    assert max(i.numbers["count"] for i in recs) == pairs.max()
    assert "the same" in recs[0].text and "distinct users" in recs[0].text


def test_promote_counts_interested_non_buyers_in_the_segment(df, by_id):
    seg = _ref_segments(df)
    ins = by_id.get("insight:recommendation:segment:cart_abandoners")
    assert ins is not None
    iid = ins.numbers["rank1_item_id"]
    members = set(seg[seg == "cart_abandoners"].index)
    sub = df[(df["item_id"] == iid) & df["user"].isin(members)]
    engaged, bought = set(sub["user"]), set(sub.loc[sub["behavior"] == "buy", "user"])
    assert ins.numbers["rank1_interested_users"] == len(engaged - bought)
    item = df[df["item_id"] == iid]
    assert ins.numbers["rank1_conversion"] == pytest.approx(_users(item, "buy") / _users(item, "pv"))


def test_propensity_has_signal_and_a_time_based_split(df):
    res = propensity(df)
    assert 0.5 < res.auc <= 1.0
    assert res.cutoff_train < res.cutoff_test
    cutoff = int(pd.Timestamp(res.cutoff_test).timestamp())
    before = propensity_features(df, cutoff)
    after = propensity_features(df[df["ts"] < cutoff], cutoff)
    pd.testing.assert_frame_equal(before.reset_index(drop=True), after.reset_index(drop=True))
    mutated = df.copy()
    mutated.loc[mutated["ts"] >= cutoff, "behavior"] = "buy"
    pd.testing.assert_frame_equal(before, propensity_features(mutated, cutoff))
    top = rank_users(res, 10)
    assert top["propensity"].is_monotonic_decreasing and len(top) == 10


def test_propensity_without_signal_is_near_chance():
    rng = np.random.default_rng(0)
    n = 20_000
    noise = pd.DataFrame({
        "user": rng.integers(0, 500, n).astype(str), "item_id": rng.integers(0, 50, n), "category_id": 1,
        "behavior": rng.choice(["pv", "cart", "fav", "buy"], n, p=[0.85, 0.07, 0.03, 0.05]),
        "ts": 1_700_006_400 + rng.integers(0, 21 * DAY_S, n),
    })
    assert abs(propensity(noise).auc - 0.5) < 0.1


def test_propensity_insight_targets_within_the_population_with_held_out_lift(df, by_id):
    m = by_id["insight:propensity:model"]
    users = df["user"].nunique()
    assert m.numbers["population"] == users and m.numbers["top_n"] == users // 10 <= users
    assert m.numbers["expected_buyers_random_n"] == pytest.approx(m.numbers["top_n"] * m.numbers["base_rate"])
    assert m.numbers["expected_buyers_top_n"] == pytest.approx(m.numbers["expected_buyers_random_n"] * m.numbers["lift_held_out"])
    assert f"{m.numbers['lift_held_out']:.2f}x" in m.text and "held-out" in m.text


def test_forecast_report_and_propensity_insight_say_the_same(df, by_id, tmp_path):
    from bot.reports import ReportEngine, ReportRequest

    class Frames:
        def behavior_frame(self, columns=None):
            return df

        def reviews_frame(self):
            return pd.DataFrame()

        def catalog_frame(self):
            return pd.DataFrame()

    r = ReportEngine(Frames(), tmp_path, charts=False).run(ReportRequest("forecast"), "en")
    m = by_id["insight:propensity:model"].numbers
    for k in ("auc", "top_n", "population", "lift_held_out", "expected_buyers_top_n", "expected_buyers_random_n", "base_rate"):
        assert r.numbers[k] == pytest.approx(m[k]), k


def test_ids_are_stable_and_every_insight_has_en_and_zh(df, insights):
    again = compute_all(df.sample(frac=1.0, random_state=7), make_reviews(120, seed=1))
    assert [i.id for i in insights] == [i.id for i in again]
    assert [i.numbers for i in insights] == [i.numbers for i in again]
    ids = [i.id for i in insights]
    assert len(ids) == len(set(ids))
    assert {i.topic for i in insights} == {"funnel", "trend", "top", "segment", "recommendation", "propensity", "sentiment", "aspect",
                                           "category", "hour"}
    assert all(i.text and i.numbers and i.text_zh and i.title_zh for i in insights)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in i.text_zh) for i in insights)


def test_catalog_names_appear_in_texts(df):
    catalog = pd.DataFrame({"item_id": [DROP_ITEM], "name": ["Lumi Watch"], "name_zh": ["智能手表"], "category_id": [100], "category": ["手表"],
                            "price": [199.0], "description": [""], "lang": ["zh"]})
    ins = {i.id: i for i in compute_all(df, None, catalog)}
    assert "Lumi Watch" in ins[f"insight:funnel:item:{DROP_ITEM}"].text and "智能手表" in ins[f"insight:funnel:item:{DROP_ITEM}"].text_zh
    assert ins["insight:funnel:category:100"].category == "手表"


def test_compute_all_over_stored_parquet_equals_frames(df, tmp_path, by_id):
    import pyarrow as pa
    import pyarrow.parquet as pq

    t = pa.table({"user": df["user"].astype(str), "item_id": df["item_id"], "category_id": df["category_id"],
                  "behavior": pa.array(df["behavior"].cat.codes.to_numpy().astype("int8")), "ts": df["ts"]})
    pq.write_table(t, tmp_path / "part.parquet")
    eng = QueryEngine.from_parquet([tmp_path / "part.parquet"], reviews=make_reviews(120, seed=1), threads=1)
    stored = {i.id: i for i in compute_all(engine=eng)}
    assert stored.keys() == by_id.keys()
    assert stored["insight:funnel:all"].numbers == by_id["insight:funnel:all"].numbers


def test_bad_frames_are_clear_errors():
    with pytest.raises(KnowledgeError, match="missing columns"):
        prepare(pd.DataFrame({"user": ["a"], "item_id": [1]}))
    bad = pd.DataFrame({"user": ["a"], "item_id": [1], "category_id": [1], "behavior": ["click"], "ts": [0]})
    with pytest.raises(KnowledgeError, match="click"):
        compute_all(bad)
    with pytest.raises(KnowledgeError, match="missing columns"):
        compute_all(pd.DataFrame({"user": ["a"], "item_id": [1]}))
    assert compute_all(None, None) == []


def test_model_features_from_duckdb_equal_pandas(df):
    cutoff = int(df["ts"].max()) - 3 * DAY_S
    f = propensity_features(df, cutoff)
    before = df[df["ts"] < cutoff]
    g = before.groupby("user")
    assert list(f.index) == sorted(before["user"].unique())
    buys = before[before["behavior"] == "buy"]
    assert (f["n_buy"] == buys.groupby("user").size().reindex(f.index, fill_value=0)).all()
    assert (f["buy_days"] == (buys["ts"] // DAY_S).groupby(buys["user"]).nunique().reindex(f.index, fill_value=0)).all()
    assert np.allclose(f["recency_days"], (cutoff - g["ts"].max()) / DAY_S)
    pairs = before.assign(c=before["behavior"] == "cart", y=before["behavior"] == "buy").groupby(["user", "item_id"])[["c", "y"]].any()
    open_cart = (pairs["c"] & ~pairs["y"]).groupby(level=0).sum().reindex(f.index, fill_value=0)
    assert (f["open_cart_items"] == open_cart).all()
    assert (f.loc[f["n_buy"] == 0, "buy_recency_days"] == 999.0).all()
