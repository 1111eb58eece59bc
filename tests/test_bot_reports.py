"""Reports: numbers computed by code equal a direct pandas computation; charts and narratives."""

import numpy as np
import pandas as pd
import pytest

from bot.errors import BotUserError
from bot.reports import ReportEngine, ReportRequest, parse_report_request

DAY = 86_400
T0 = 1_700_006_400  # a UTC midnight


def make_log(seed=0, n=6000):
    rng = np.random.default_rng(seed)
    users = rng.integers(0, 300, n)
    items = rng.integers(100, 130, n)
    beh = rng.choice(["pv", "cart", "fav", "buy"], n, p=[0.7, 0.12, 0.08, 0.10])
    ts = T0 + rng.integers(0, 21 * DAY, n)
    return pd.DataFrame(
        {
            "user": [f"p{u:04d}" for u in users],
            "item_id": items.astype("int64"),
            "category_id": (items // 10).astype("int64"),
            "behavior": pd.Categorical(beh, categories=["pv", "cart", "fav", "buy"]),
            "ts": ts.astype("int64"),
        }
    )


class Frames:
    def __init__(self, behavior, reviews=None, catalog=None):
        self.b, self.r, self.c = behavior, reviews, catalog
        self.reads = 0

    def behavior_frame(self, columns=None):
        self.reads += 1
        return self.b

    def reviews_frame(self):
        return self.r if self.r is not None else pd.DataFrame()

    def catalog_frame(self):
        return self.c if self.c is not None else pd.DataFrame(columns=["item_id", "name", "category_id", "category"])


@pytest.fixture
def log():
    return make_log()


@pytest.fixture
def engine(log, tmp_path):
    catalog = pd.DataFrame({"item_id": [101, 102], "name": ["Lumi Watch", "Lumi Buds"], "category_id": [10, 10], "category": ["wearables", "wearables"]})
    return ReportEngine(Frames(log, catalog=catalog), tmp_path / "charts")


def test_funnel_equals_pandas_and_has_chart_and_two_line_narrative(engine, log):
    r = engine.run(ReportRequest("funnel"), "en")
    users = log.groupby("behavior", observed=False)["user"].nunique()
    events = log["behavior"].value_counts()
    assert r.numbers["viewers"] == users["pv"]
    assert r.numbers["buyers"] == users["buy"]
    assert r.numbers["carts"] == events["cart"]
    assert r.numbers["view_to_buy"] == pytest.approx(users["buy"] / users["pv"])
    assert list(r.table["users"]) == [users["pv"], users["cart"], users["fav"], users["buy"]]
    assert r.chart is not None and r.chart.exists() and r.chart.read_bytes()[:4] == b"\x89PNG"
    assert len(r.narrative.splitlines()) == 2
    assert f"{users['pv']:,} users viewed" in r.narrative
    assert f"{100 * users['buy'] / users['pv']:.2f}%" in r.text


def test_funnel_scoped_to_product_and_days_equals_pandas(engine, log):
    r = engine.run(ReportRequest("funnel", product="101", days=7), "zh")
    end_day = log["ts"].max() // DAY
    sub = log[(log["item_id"] == 101) & (log["ts"] // DAY > end_day - 7)]
    users = sub.groupby("behavior", observed=False)["user"].nunique()
    assert r.numbers["viewers"] == users["pv"] and r.numbers["buyers"] == users["buy"]
    assert "浏览" in r.table_text and "商品 101" in r.title  # Chinese request → Chinese report


def test_top_products_equal_pandas_and_names_come_from_the_catalog(engine, log):
    r = engine.run(ReportRequest("top", n=5), "en")
    buys = log[log["behavior"] == "buy"].groupby("item_id").size()
    expected = buys.reset_index(name="n").sort_values(["n", "item_id"], ascending=[False, True]).head(5)
    assert list(r.table["item_id"]) == list(expected["item_id"])
    assert list(r.table["buys"]) == list(expected["n"])
    assert r.numbers["total_buys"] == int((log["behavior"] == "buy").sum())
    everything = engine.run(ReportRequest("top", n=50), "en")
    names = dict(zip(everything.table["item_id"], everything.table["name"]))
    assert names[101] == "Lumi Watch" and names[103] == ""


def test_trends_equal_pandas(engine, log):
    r = engine.run(ReportRequest("trends", days=7), "en")
    day = log["ts"] // DAY
    end = day.max()
    this = log[day > end - 7]
    last = log[(day > end - 14) & (day <= end - 7)]
    assert r.numbers["views_this"] == int((this["behavior"] == "pv").sum())
    assert r.numbers["buys_last"] == int((last["behavior"] == "buy").sum())
    conv_this = this[this["behavior"] == "buy"]["user"].nunique() / this[this["behavior"] == "pv"]["user"].nunique()
    assert r.numbers["conv_this"] == pytest.approx(conv_this)
    assert r.chart is not None and r.chart.exists()


def test_segments_sizes_add_up_and_match_the_rules(engine, log):
    r = engine.run(ReportRequest("segments"), "en")
    assert r.table["users"].sum() == log["user"].nunique()
    # loyal buyers = bought on 2+ distinct days and active recently: recompute the buy-days part
    buy_days = log[log["behavior"] == "buy"].assign(d=lambda f: f["ts"] // DAY).groupby("user")["d"].nunique()
    loyal = r.numbers["segments"][0]
    assert loyal["segment"] == "loyal_buyers"
    assert loyal["users"] <= int((buy_days >= 2).sum())


def test_sentiment_report_counts_equal_pandas(tmp_path, log):
    reviews = pd.DataFrame(
        {
            "id": [f"review:{i}" for i in range(6)],
            "text": ["battery life is great", "续航很好", "bad battery", "物流太慢", "great sound", "love it"],
            "rating": [5.0, np.nan, 1.0, np.nan, 4.0, np.nan],
            "label": pd.array([pd.NA, 1, pd.NA, 0, pd.NA, 1], dtype="Int64"),
            "product": ["101", "101", "101", "102", "102", "102"],
            "category": [""] * 6,
            "date": ["2024-01-01"] * 6,
            "user": [""] * 6,
            "lang": ["en", "zh", "en", "zh", "en", "en"],
        }
    )
    eng = ReportEngine(Frames(log, reviews=reviews), tmp_path)
    r = eng.run(ReportRequest("sentiment"), "en")
    by = {row["product"]: row for row in r.numbers["products"]}
    assert by["101"]["reviews"] == 3 and by["101"]["positive"] == 2 and by["101"]["negative"] == 1
    assert by["102"]["negative"] == 1
    assert by["101"]["mean_rating"] == pytest.approx(3.0)


def test_frames_are_read_once_and_results_cached(tmp_path, log):
    frames = Frames(log)
    eng = ReportEngine(frames, tmp_path, charts=False)
    eng.run(ReportRequest("funnel"), "en")
    eng.run(ReportRequest("top"), "en")
    eng.run(ReportRequest("funnel", days=3), "zh")
    assert frames.reads == 1
    eng.invalidate()
    eng.run(ReportRequest("funnel"), "en")
    assert frames.reads == 2


def test_no_data_is_a_user_facing_error_with_the_fix(tmp_path):
    eng = ReportEngine(Frames(make_log().head(0)), tmp_path)
    with pytest.raises(BotUserError) as e:
        eng.run(ReportRequest("funnel"), "en")
    assert "growthpilot demo" in e.value.text("en")
    assert "growthpilot demo" in e.value.text("zh") and "还没有数据" in e.value.text("zh")


@pytest.mark.parametrize(
    "text,kind,days,product,n",
    [
        ("funnel --product 123 --days 7", "funnel", 7, "123", 10),
        ("上周的转化漏斗", "funnel", 7, "", 10),
        ("top products last 14 days", "top", 14, "", 10),
        ("最近30天的热销榜 前5", "top", 30, "", 5),
        ("趋势", "trends", None, "", 10),
        ("show recommendations for item 2268318", "recs", None, "2268318", 10),
        ("用户分群", "segments", None, "", 10),
        ("campaign forecast", "forecast", None, "", 10),
        ("Which product's conversion dropped last week, and why?", "trends", 7, "", 10),
        ("为什么商品 1003 的转化率下降了？", "trends", None, "1003", 10),
        ("which product converts best last week?", "top", 7, "", 10),
    ],
)
def test_report_requests_parse_in_both_languages(text, kind, days, product, n):
    req = parse_report_request(text)
    assert (req.kind, req.days, req.product, req.n) == (kind, days, product, n)


def test_unknown_report_is_a_user_error(engine):
    assert parse_report_request("hello there") is None
    with pytest.raises(BotUserError) as e:
        engine.run(ReportRequest("weather"), "en")
    assert "funnel" in e.value.text("en")


def test_prefetch_computes_reports_in_the_background(tmp_path, log):
    frames = Frames(log)
    eng = ReportEngine(frames, tmp_path, charts=False)
    eng.prefetch(("funnel", "segments", "sentiment"), lang="en").join(timeout=60)
    # sentiment had no reviews: skipped without raising; the others are cached
    assert len(eng._cache) == 2
    first = eng.run(ReportRequest("segments"), "en")
    assert eng.run(ReportRequest("segments"), "en") is first
    assert frames.reads == 1


def test_trends_name_the_items_whose_conversion_dropped(tmp_path):
    # plant a drop: item 777 converts 40% of its viewers in the week before, 5% in the last week
    log = make_log()
    rows = []
    for week, buyers in ((1, 16), (2, 2)):  # week 1 = the 7 days before, week 2 = the last 7 days
        for u in range(40):
            ts = T0 + (7 * week + 2) * DAY + u * 60
            rows.append((f"q{week}{u:03d}", 777, 77, "pv", ts))
            if u < buyers:
                rows.append((f"q{week}{u:03d}", 777, 77, "buy", ts + 30))
    extra = pd.DataFrame(rows, columns=["user", "item_id", "category_id", "behavior", "ts"])
    extra["behavior"] = pd.Categorical(extra["behavior"], categories=["pv", "cart", "fav", "buy"])
    log = pd.concat([log, extra], ignore_index=True)
    catalog = pd.DataFrame({"item_id": [777], "name": ["Lumi Test Lamp"], "category_id": [77], "category": ["lighting"]})
    engine = ReportEngine(Frames(log, catalog=catalog), tmp_path / "charts", charts=False)
    r = engine.run(ReportRequest("trends", days=7), "en")
    drop = next(d for d in r.numbers["drops"] if d["item_id"] == 777)
    day = log["ts"] // DAY
    end = day.max()
    item = log[log["item_id"] == 777]
    iday = item["ts"] // DAY

    def conv(frame):
        return frame[frame["behavior"] == "buy"]["user"].nunique() / frame[frame["behavior"] == "pv"]["user"].nunique()

    assert drop["conv_last"] == pytest.approx(conv(item[(iday > end - 14) & (iday <= end - 7)]))
    assert drop["conv_this"] == pytest.approx(conv(item[iday > end - 7]))
    assert "Significant drops: Lumi Test Lamp (item 777): conversion 40.00% → 5.00%" in r.narrative


# ---------------------------------------------------------------------- narratives that mean what they say
def _frame(rows):
    df = pd.DataFrame(rows, columns=["user", "item_id", "category_id", "behavior", "ts"])
    df["behavior"] = pd.Categorical(df["behavior"], categories=["pv", "cart", "fav", "buy"])
    return df


def test_funnel_cart_to_buy_is_among_cart_users_and_both_conversions_are_labelled(tmp_path, log):
    # buyers who never carted: the old narrative divided all buyers by all cart users
    extra = _frame([(f"direct{i}", 101, 10, "buy", T0 + 5 * DAY + i) for i in range(40)])
    df = pd.concat([log, extra], ignore_index=True)
    r = ReportEngine(Frames(df), tmp_path, charts=False).run(ReportRequest("funnel"), "en")
    b = df["behavior"].astype(str)
    carters, buyers = set(df.loc[b == "cart", "user"]), set(df.loc[b == "buy", "user"])
    viewers = df.loc[b == "pv", "user"].nunique()
    both = len(carters & buyers)
    assert r.numbers["cart_to_buy"] == pytest.approx(both / len(carters))
    assert f"Of the {len(carters):,} cart users, {both:,} bought (cart→buy {100 * both / len(carters):.2f}%)" in r.narrative
    assert f"{len(buyers - carters):,} buyers never added to cart" in r.narrative
    assert f"{100 * len(buyers) / len(carters):.2f}%" not in r.narrative  # the wrong ratio is gone
    assert f"conversion by users (buyers ÷ viewers) {100 * len(buyers) / viewers:.2f}%" in r.narrative
    assert f"by events (purchases ÷ views) {100 * (b == 'buy').sum() / (b == 'pv').sum():.2f}%" in r.narrative
    zh = ReportEngine(Frames(df), tmp_path, charts=False).run(ReportRequest("funnel"), "zh")
    assert f"{len(carters):,} 位加购用户中 {both:,} 人完成购买" in zh.narrative and "按事件转化率" in zh.narrative


def test_top_rates_are_in_the_units_of_the_columns_beside_them(engine, log):
    r = engine.run(ReportRequest("top", n=5), "en")
    b = log["behavior"].astype(str)
    for row in r.table.to_dict("records"):
        item = log[log["item_id"] == row["item_id"]]
        ib = item["behavior"].astype(str)
        assert row["views"] == (ib == "pv").sum() and row["buys"] == (ib == "buy").sum()
        assert row["conversion"] == pytest.approx((ib == "buy").sum() / (ib == "pv").sum())  # buys ÷ views beside views and buys
    assert "conversion (buys ÷ views)" in r.table_text and "conversion by events" in r.narrative
    c = engine.run(ReportRequest("top", by="conversion", n=5), "en")
    assert {"viewers", "buyers"} <= set(c.table.columns) and "views" not in c.table.columns
    for row in c.table.to_dict("records"):
        item = log[log["item_id"] == row["item_id"]]
        ib = item["behavior"].astype(str)
        v, u = item.loc[ib == "pv", "user"].nunique(), item.loc[ib == "buy", "user"].nunique()
        assert (row["viewers"], row["buyers"]) == (v, u) and row["conversion"] == pytest.approx(u / v) and v >= 20
    assert "buyers ÷ viewers" in c.narrative and (b == "pv").any()


def test_trends_warn_when_the_earlier_window_is_incomplete(tmp_path):
    # the case: "views +271%" because the earlier 7-day window held 2.5 days of data
    rows = [(f"u{d}{i}", 5, 1, "pv", T0 + d * DAY + 3600 * (i % 20)) for d in range(5, 14) for i in range(30)]
    r = ReportEngine(Frames(_frame(rows)), tmp_path, charts=False).run(ReportRequest("trends", days=7), "en")
    assert r.numbers["last_covered_days"] == 2 and r.numbers["complete"] is False
    assert "⚠ Incomplete window" in r.narrative and "has data on 2 of 7 days" in r.narrative
    assert r.numbers["views_change"] == pytest.approx(7 * 30 / (2 * 30) - 1)
    full = ReportEngine(Frames(make_log()), tmp_path, charts=False).run(ReportRequest("trends", days=7), "en")
    assert "Incomplete" not in full.narrative


def test_recs_count_distinct_users_and_never_recommend_from_one_persons_browsing(tmp_path):
    one = [("solo", i, 1, "pv", T0 + d * DAY + i) for d in range(7) for i in (1, 2)]  # one user, 7 days
    r = ReportEngine(Frames(_frame(one)), tmp_path, charts=False)
    with pytest.raises(BotUserError, match="2\\+ users"):
        r.run(ReportRequest("recs"), "en")
    pair = one + [(u, i, 1, "buy", T0 + 3 * DAY + i) for u in ("a", "b", "c") for i in (2268318, 2268319)]
    pair += [("a", 2268318, 1, "buy", T0 + 4 * DAY), ("a", 2268319, 1, "buy", T0 + 5 * DAY)]  # the same user again: still one user
    res = ReportEngine(Frames(_frame(pair)), tmp_path, charts=False).run(ReportRequest("recs"), "en")
    assert res.numbers["basis"] == "buy" and res.numbers["counted_in"] == "distinct users"
    assert res.numbers["pairs"][0]["value"] == 3 and len(res.numbers["pairs"]) == 1
    assert "3 different users bought both 2268318 and 2268319" in res.narrative
    assert "2,268,318" not in res.text  # item ids never with thousands separators
    viewed = one + [("other", i, 1, "pv", T0 + i) for i in (1, 2)]
    v = ReportEngine(Frames(_frame(viewed)), tmp_path, charts=False).run(ReportRequest("recs"), "en")
    assert v.numbers["basis"] == "pv" and v.numbers["pairs"][0]["value"] == 2
    assert "2 different users viewed both" in v.narrative and "not a bundle" in v.narrative and "often bought with" not in v.narrative


def test_forecast_targets_users_within_the_population_and_lift_is_held_out(tmp_path, log):
    eng = ReportEngine(Frames(log), tmp_path, charts=False)
    users = log["user"].nunique()
    r = eng.run(ReportRequest("forecast"), "en")
    assert r.numbers["population"] == users == r.numbers["users_in_log"]
    assert r.numbers["top_n"] == users // 10 and f"Targeting the {users // 10:,} users" in r.narrative
    big = eng.run(ReportRequest("forecast", users=1000), "en")
    assert big.numbers["top_n"] == users and big.numbers["capped"] == 1 and f"there are only {users:,} users" in big.narrative
    n50 = eng.run(ReportRequest("forecast", users=50), "en")
    assert n50.numbers["top_n"] == 50 and "top 50 users" in n50.title  # --n 50 means 50 users
    # the lift is measured on the held-out window: recompute it from the held-out scores
    from knowledge.insights.propensity import campaign

    c = campaign(eng.query_engine(), top_n=50)
    p, y = c.result.test_propensity, c.result.test_labels
    k = round(50 / users * len(p))
    expected = y[np.argsort(-p, kind="stable")[:k]].mean() / y.mean()
    assert n50.numbers["lift_held_out"] == pytest.approx(expected)
    assert n50.numbers["expected_buyers_random_n"] == pytest.approx(50 * y.mean())
    assert f"AUC {c.result.auc:.3f}" in n50.narrative and "held-out" in n50.narrative


def test_sentiment_counts_category_only_reviews_by_category_and_overall(tmp_path, log):
    reviews = pd.DataFrame({
        "id": [f"r{i}" for i in range(6)], "text": ["great sound", "bad battery", "很好", "太差了", "love it", "terrible"],
        "rating": [5.0, 1.0, 5.0, 1.0, 4.0, 2.0], "label": pd.array([pd.NA] * 6, dtype="Int64"),
        "product": ["", "", "", "", "101", ""], "category": ["audio", "audio", "audio", "home", "", "home"],
        "date": ["2024-01-01"] * 6, "user": [""] * 6, "lang": ["en", "en", "zh", "zh", "en", "en"]})
    r = ReportEngine(Frames(log, reviews=reviews), tmp_path, charts=False).run(ReportRequest("sentiment"), "en")
    assert r.numbers["overall"]["reviews"] == 6 and r.numbers["overall"]["positive"] == 3
    cats = {c["category"]: c for c in r.numbers["categories"]}
    assert cats["audio"]["reviews"] == 3 and cats["audio"]["positive"] == 2 and cats["home"]["negative"] == 2
    assert [p["product"] for p in r.numbers["products"]] == ["101"]
    assert "6 reviews: 50.0% positive" in r.narrative and "Most negative category: home" in r.narrative


def test_categories_and_hours_reports_equal_pandas(engine, log):
    c = engine.run(ReportRequest("categories", n=3), "en")
    buys = log[log["behavior"] == "buy"].groupby("category_id").size().reset_index(name="n")
    buys = buys.sort_values(["n", "category_id"], ascending=[False, True]).head(3)
    assert c.table["category_id"].tolist() == buys["category_id"].tolist() and c.table["buys"].tolist() == buys["n"].tolist()
    first = log[log["category_id"] == buys["category_id"].iloc[0]]
    fb = first["behavior"].astype(str)
    assert c.table["conversion_users"].iloc[0] == pytest.approx(first.loc[fb == "buy", "user"].nunique() / first.loc[fb == "pv", "user"].nunique())
    h = engine.run(ReportRequest("hours"), "en")
    hour = log["ts"] % DAY // 3600
    assert h.table["buys"].tolist() == [int(((log["behavior"] == "buy") & (hour == x)).sum()) for x in range(24)]
    assert "UTC" in h.narrative and parse_report_request("what time of day do people buy?").kind == "hours"
    assert parse_report_request("which category sells best?").kind == "categories"


def test_json_carries_every_query_with_spec_and_sql_and_text_says_how(engine):
    r = engine.run(ReportRequest("funnel", days=7), "en")
    d = r.as_dict()
    assert d["queries"] and all(q["sql"].lstrip().startswith(("SELECT", "WITH")) and q["spec"]["metric"] for q in d["queries"])
    assert {q["spec"]["metric"] for q in d["queries"]} >= {"viewers", "buyers", "cart_to_buy", "conversion_users", "conversion_events"}
    assert all(q["spec"]["period"] == {"kind": "last_days", "n": 7} for q in d["queries"])
    assert "How this was computed: conversion (by users): buyers ÷ viewers" in r.text and "DuckDB" in r.text
    zh = engine.run(ReportRequest("funnel"), "zh")
    assert "计算方法：" in zh.text


def test_forecast_users_parse_from_text_and_flags():
    assert parse_report_request("forecast --n 500").users == 500
    assert parse_report_request("campaign forecast for the top 200 users").users == 200
    assert parse_report_request("campaign forecast").users is None
