"""The query layer: every metric of the semantic layer equals an independent pandas computation
on a small generated log with awkward cases (buyers who never carted, users with one event,
empty days, incomplete windows); periods, change direction and warnings; validation."""

import numpy as np
import pandas as pd
import pytest

from knowledge.insights.synthetic import make_behavior, make_reviews
from knowledge.query import METRICS, Filter, Period, QueryEngine, QuerySpec, SemanticLayer, SpecError

DAY = 86_400
T0 = 1_700_006_400 - 1_700_006_400 % DAY  # a UTC midnight (2023-11-15, a Wednesday)


def _awkward_log() -> pd.DataFrame:
    base = make_behavior(6000, n_users=150, n_items=60, n_categories=6, n_days=20, seed=7)
    day = (base["ts"] - base["ts"].min() // DAY * DAY) // DAY
    base = base[~day.isin([5, 6, 12])]  # empty days inside the log
    rows = [
        ("solo", 1000, 100, "pv", T0 + 2 * DAY + 5),  # a user with one event
        ("nocart", 1001, 101, "buy", T0 + 3 * DAY),  # buyers who never carted (nor viewed)
        ("nocart", 1001, 101, "buy", T0 + 9 * DAY),  # ... twice, on two days: a repeat buyer
        ("cartonly", 1002, 102, "cart", T0 + 4 * DAY),
        ("cartonly", 1002, 102, "pv", T0 + 4 * DAY + 60),
        ("favbuy", 1003, 103, "fav", T0 + 18 * DAY),
        ("favbuy", 1003, 103, "buy", T0 + 18 * DAY + 99),
        ("cartelse", 9004, 100, "cart", T0 + 17 * DAY),  # carted one item, bought another: cart→buy per item differs
        ("cartelse", 9005, 101, "buy", T0 + 17 * DAY + 10),
    ]
    extra = pd.DataFrame(rows, columns=["user", "item_id", "category_id", "behavior", "ts"])
    extra["behavior"] = pd.Categorical(extra["behavior"], categories=["pv", "cart", "fav", "buy"])
    df = pd.concat([base, extra], ignore_index=True)
    df["behavior"] = pd.Categorical(df["behavior"].astype(str), categories=["pv", "cart", "fav", "buy"])
    return df.reset_index(drop=True)


@pytest.fixture(scope="module")
def log():
    return _awkward_log()


@pytest.fixture(scope="module")
def engine(log):
    catalog = pd.DataFrame({"item_id": [1000, 1001], "name": ["Lumi Buds", "Lumi Lamp"], "name_zh": ["降噪耳机", "台灯"],
                            "category_id": [100, 101], "category": ["audio", "lighting"], "category_zh": ["音频", "照明"]})
    return QueryEngine.from_frames(log, make_reviews(90, seed=2), catalog, memory_limit="512MB", threads=1)


# ---------------------------------------------------------------------- the pandas reference
def ref(frame: pd.DataFrame, metric: str):
    """The metric over `frame`, computed the obvious pandas way."""
    b = frame["behavior"].astype(str)
    per_user = pd.crosstab(frame["user"], b).reindex(columns=["pv", "cart", "fav", "buy"], fill_value=0) if len(frame) else \
        pd.DataFrame(columns=["pv", "cart", "fav", "buy"])
    ev = {"views": "pv", "carts": "cart", "favs": "fav", "buys": "buy"}
    if metric in ev:
        return int((b == ev[metric]).sum())
    if metric == "events":
        return len(frame)
    users = {"users": None, "viewers": "pv", "carters": "cart", "favers": "fav", "buyers": "buy"}
    if metric in users:
        col = users[metric]
        return int(frame["user"].nunique()) if col is None else int(frame.loc[b == col, "user"].nunique())
    def share(num, den):
        return None if den == 0 else num / den
    pu = per_user
    if metric == "cart_no_buy_users":
        return int(((pu["cart"] > 0) & (pu["buy"] == 0)).sum())
    if metric == "conversion_events":
        return share(int((b == "buy").sum()), int((b == "pv").sum()))
    if metric == "conversion_users":
        return share(frame.loc[b == "buy", "user"].nunique(), frame.loc[b == "pv", "user"].nunique())
    if metric == "view_to_cart":
        return share(frame.loc[b == "cart", "user"].nunique(), frame.loc[b == "pv", "user"].nunique())
    if metric == "view_to_fav":
        return share(frame.loc[b == "fav", "user"].nunique(), frame.loc[b == "pv", "user"].nunique())
    if metric == "cart_to_buy":
        carters = set(frame.loc[b == "cart", "user"])
        return share(len(carters & set(frame.loc[b == "buy", "user"])), len(carters))
    if metric == "views_per_viewer":
        return share(int((b == "pv").sum()), frame.loc[b == "pv", "user"].nunique())
    if metric == "events_per_user":
        return share(len(frame), frame["user"].nunique())
    if metric == "cart_abandonment":
        carters = set(frame.loc[b == "cart", "user"])
        return share(len(carters - set(frame.loc[b == "buy", "user"])), len(carters))
    if metric == "fav_to_buy":
        favers = set(frame.loc[b == "fav", "user"])
        return share(len(favers & set(frame.loc[b == "buy", "user"])), len(favers))
    buys_per_buyer = frame[b == "buy"].groupby("user").size()
    if metric == "repeat_buyer_share":
        return share(int((buys_per_buyer >= 2).sum()), len(buys_per_buyer))
    if metric == "purchases_per_buyer":
        return share(int(buys_per_buyer.sum()), len(buys_per_buyer))
    raise AssertionError(metric)


def ref_segments(frame: pd.DataFrame) -> pd.Series:
    """The segment rules of knowledge/insights/segments.py, the pandas way (user → segment)."""
    day = frame["ts"] // DAY
    span = int(day.max()) - int(np.quantile(day, 0.01)) + 1
    dormant_days = 7 if span >= 28 else max(1, span // 4)
    end = (int(day.max()) + 1) * DAY
    g = frame.assign(day=day).groupby("user")
    recency = (end - g["ts"].max()) / DAY
    buy_days = frame[frame["behavior"] == "buy"].assign(day=day).groupby("user")["day"].nunique().reindex(recency.index, fill_value=0)
    carts = frame[frame["behavior"] == "cart"].groupby("user").size().reindex(recency.index, fill_value=0)
    seg = np.select([recency > dormant_days, buy_days >= 2, buy_days == 1, carts > 0],
                    ["dormant", "loyal_buyers", "one_time_buyers", "cart_abandoners"], default="window_shoppers")
    return pd.Series(seg, index=recency.index)


BEHAVIOR_METRICS = [m for m, info in METRICS.items() if info.source == "behavior" and m not in ("bought_together", "viewed_together")]


def _close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return a == pytest.approx(b, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("metric", BEHAVIOR_METRICS)
def test_every_behaviour_metric_total_equals_pandas(engine, log, metric):
    r = engine.run(QuerySpec(metric))
    assert _close(r.value, ref(log, metric)), metric
    assert r.sql and "behavior" in r.sql and r.period.start == str(pd.to_datetime(log["ts"].min(), unit="s").date())
    last7 = log[log["ts"] // DAY > log["ts"].max() // DAY - 7]
    assert _close(engine.run(QuerySpec(metric, period=Period("last_days", 7))).value, ref(last7, metric))


@pytest.mark.parametrize("metric", BEHAVIOR_METRICS)
@pytest.mark.parametrize("dim,key", [("item", lambda f: f["item_id"]), ("category", lambda f: f["category_id"]),
                                     ("day", lambda f: f["ts"] // DAY), ("hour", lambda f: f["ts"] % DAY // 3600),
                                     ("weekday", lambda f: (f["ts"] // DAY + 3) % 7),
                                     ("week", lambda f: f["ts"] // DAY - (f["ts"] // DAY + 3) % 7)])
def test_every_behaviour_metric_by_every_dimension_equals_pandas(engine, log, metric, dim, key):
    r = engine.run(QuerySpec(metric, op="breakdown", by=dim, limit=100))
    got = {row["key"]: row["value"] for row in r.records()}
    k = key(log)
    expected = {int(g): ref(part, metric) for g, part in log.groupby(k)}
    if dim in ("item", "category"):  # long dimensions are cut to `limit`, largest first
        expected = {g: v for g, v in expected.items() if g in got}
        assert len(got) == min(100, k.nunique())
    assert got.keys() == expected.keys()
    for g in expected:
        assert _close(got[g], expected[g]), (metric, dim, g)


def test_cart_to_buy_counts_only_cart_users_who_bought(engine, log):
    # the case: "buyers / cart users" is not cart→buy when buyers never carted
    r = engine.run(QuerySpec("cart_to_buy"))
    b = log["behavior"].astype(str)
    carters = set(log.loc[b == "cart", "user"])
    buyers = set(log.loc[b == "buy", "user"])
    assert r.fact("numerator").value == len(carters & buyers) and r.fact("denominator").value == len(carters)
    assert len(buyers - carters) > 0 and r.value != pytest.approx(len(buyers) / len(carters))
    # per item: "cartelse" carted 9004 and bought 9005 — not a cart→buy for item 9004
    per_item = {row["key"]: row for row in engine.run(QuerySpec("cart_to_buy", op="breakdown", by="item", limit=100)).records()}
    assert per_item[9004]["numerator"] == 0 and per_item[9004]["denominator"] == 1


@pytest.mark.parametrize("metric", BEHAVIOR_METRICS)
def test_every_behaviour_metric_by_segment_equals_pandas(engine, log, metric):
    segs = ref_segments(log)
    r = engine.run(QuerySpec(metric, op="breakdown", by="segment"))
    got = {row["key"]: row["value"] for row in r.records()}
    seg_of = log["user"].map(segs)
    expected = {s: ref(part, metric) for s, part in log.groupby(seg_of)}
    assert got.keys() == expected.keys()
    for s in expected:
        assert _close(got[s], expected[s]), (metric, s)
    only = engine.run(QuerySpec(metric, filters=(Filter("segment", ("loyal buyers",)),)))
    assert _close(only.value, expected.get("loyal_buyers", 0 if METRICS[metric].unit == "count" else None))


def test_filters_by_catalogue_name_in_both_languages_and_by_id(engine, log):
    by_name = engine.run(QuerySpec("views", filters=(Filter("item", ("Lumi Buds",)),)))
    by_zh = engine.run(QuerySpec("views", filters=(Filter("item", ("降噪耳机",)),)))
    by_id = engine.run(QuerySpec("views", filters=(Filter("item", ("1000",)),)))
    expected = int(((log["item_id"] == 1000) & (log["behavior"] == "pv")).sum())
    assert by_name.value == by_zh.value == by_id.value == expected
    cat = engine.run(QuerySpec("buyers", filters=(Filter("category", ("照明",)),)))
    assert cat.value == log[(log["category_id"] == 101) & (log["behavior"] == "buy")]["user"].nunique()
    with pytest.raises(SpecError, match="no item in the catalogue matches 'Nokia'"):
        engine.run(QuerySpec("views", filters=(Filter("item", ("Nokia",)),)))


def test_top_applies_min_support_on_the_denominator_and_says_so(engine, log):
    r = engine.run(QuerySpec("conversion_users", op="top", by="item", limit=5, min_support=15))
    rows = r.records()
    viewers = log[log["behavior"] == "pv"].groupby("item_id")["user"].nunique()
    buyers = log[log["behavior"] == "buy"].groupby("item_id")["user"].nunique().reindex(viewers.index, fill_value=0)
    eligible = (buyers / viewers)[viewers >= 15].reset_index(name="v").sort_values(["v", "item_id"], ascending=[False, True])
    assert [x["key"] for x in rows] == eligible["item_id"].head(5).tolist()
    assert all(x["denominator"] >= 15 for x in rows) and [x["rank"] for x in rows] == [1, 2, 3, 4, 5]
    assert r.extra["min_support"] == 15
    all_items = log["item_id"].nunique()
    assert any(f"with fewer than 15 viewers left out" in w for w in r.warnings)
    assert r.extra["groups"] == all_items
    # facts: value, numerator and denominator per subject, bound to the period
    top = rows[0]
    assert r.fact("value", top["label"]).value == top["value"] and r.fact("rank", top["label"]).value == 1
    assert r.fact("denominator", top["label"]).metric == "viewers"


def test_item_names_are_subjects_and_ids_stay_plain(engine):
    r = engine.run(QuerySpec("events", op="top", by="item", limit=100))
    labels = {row["key"]: row["label"] for row in r.records()}
    assert labels[1000] == "Lumi Buds" and labels[9004] == "9004"
    assert {row["key"]: row["label_zh"] for row in r.records()}[1000] == "降噪耳机"
    assert r.fact("value", "9004").subject_id == "9004"


def test_change_direction_follows_the_sign_and_warns_on_incomplete_windows(log):
    # views: 10 a day in the earlier week but only on 2 of its days; 5 a day on all 7 days of the last week
    rows = []
    for d in (5, 6):
        rows += [(f"a{d}{i}", 1, 1, "pv", T0 + d * DAY + i) for i in range(40)]
    for d in range(7, 14):
        rows += [(f"b{d}{i}", 1, 1, "pv", T0 + d * DAY + i) for i in range(5)]
    rows.append(("old", 1, 1, "pv", T0 - 7 * DAY))  # the log starts a week earlier, with one event
    df = pd.DataFrame(rows, columns=["user", "item_id", "category_id", "behavior", "ts"])
    df["behavior"] = pd.Categorical(df["behavior"], categories=["pv", "cart", "fav", "buy"])
    e = QueryEngine.from_frames(df, threads=1)
    r = e.run(QuerySpec("views", op="change", period=Period("last_days", 7)))
    assert (r.value, r.fact("previous").value) == (35, 80)
    assert r.fact("change").value == -45 and r.direction == "down"
    assert r.fact("change_pct").value == pytest.approx(-56.25)
    assert r.previous.covered_days == 2 and not r.previous.complete and r.period.complete
    assert any("earlier period" in w and "2 of its 7 days" in w for w in r.warnings)
    up = e.run(QuerySpec("views", op="change", period=Period("between", start="2023-11-20", end="2023-11-21")))
    assert up.fact("change").value > 0 and up.direction == "up"


def test_periods_resolve_against_the_end_of_the_log(engine, log):
    last = int(log["ts"].max() // DAY)
    r = engine.run(QuerySpec("views", period=Period("last_week")))
    mon = last - (last + 3) % 7
    assert r.period.start == str(np.datetime64(mon - 7, "D")) and r.period.end == str(np.datetime64(mon - 1, "D"))
    expected = int(((log["ts"] // DAY).between(mon - 7, mon - 1) & (log["behavior"] == "pv")).sum())
    assert r.value == expected
    tw = engine.run(QuerySpec("views", period=Period("this_week")))
    assert tw.period.start == str(np.datetime64(mon, "D")) and tw.period.days == 7
    if last - mon < 6:
        assert not tw.period.complete and any("incomplete window" in w for w in tw.warnings)


def test_empty_period_is_zero_with_a_warning_not_an_error(engine):
    r = engine.run(QuerySpec("buys", period=Period("between", start="2001-01-01", end="2001-01-07")))
    assert r.value == 0 and any("no data" in w for w in r.warnings) and r.period.covered_days == 0
    r2 = engine.run(QuerySpec("conversion_users", period=Period("between", start="2001-01-01", end="2001-01-07")))
    assert r2.value is None
    r3 = engine.run(QuerySpec("buys", op="breakdown", by="item", period=Period("between", start="2001-01-01", end="2001-01-07")))
    assert r3.rows == () and r3.empty


def test_validator_rejects_unknown_metrics_and_dimensions_clearly(engine):
    with pytest.raises(SpecError) as e:
        engine.run(QuerySpec("revenue"))
    assert "unknown metric 'revenue'" in str(e.value) and "conversion_users" in str(e.value) and e.value.path == "metric"
    with pytest.raises(SpecError) as e:
        engine.run(QuerySpec("views", op="breakdown", by="colour"))
    assert "unknown dimension 'colour'" in str(e.value) and "category" in str(e.value) and e.value.path == "by"
    with pytest.raises(SpecError) as e:
        engine.run(QuerySpec("views", op="breakdown", by="sentiment"))
    assert "belongs to reviews" in str(e.value)
    with pytest.raises(SpecError, match="filters\\[0\\].dim"):
        SemanticLayer().validate(QuerySpec("views", filters=(Filter("brand", ("x",)),)))
    with pytest.raises(SpecError, match="hour values are 0–23"):
        engine.run(QuerySpec("views", filters=(Filter("hour", ("25",)),)))


def test_bought_together_counts_distinct_users_not_user_days():
    # one user views the same two items on 7 days; two users buy items 5 and 6
    rows = [("one", i, 1, "pv", T0 + d * DAY + i) for d in range(7) for i in (1, 2)]
    rows += [(u, i, 1, "buy", T0 + i) for u in ("x", "y") for i in (5, 6)]
    df = pd.DataFrame(rows, columns=["user", "item_id", "category_id", "behavior", "ts"])
    df["behavior"] = pd.Categorical(df["behavior"], categories=["pv", "cart", "fav", "buy"])
    e = QueryEngine.from_frames(df, threads=1)
    viewed = e.run(QuerySpec("viewed_together", op="top", by="item_pair"))
    assert viewed.rows == () and viewed.extra["min_support"] == 2  # one person's browsing is no recommendation
    bought = e.run(QuerySpec("bought_together", op="top", by="item_pair")).records()
    assert [(x["item_a"], x["item_b"], x["value"]) for x in bought] == [(5, 6, 2)]
    anchored = e.run(QuerySpec("bought_together", op="top", by="item", filters=(Filter("item", ("5",)),))).records()
    assert [(x["item_b"], x["value"]) for x in anchored] == [(6, 2)]
    with pytest.raises(SpecError, match="needs an item filter"):
        e.run(QuerySpec("bought_together", op="top", by="item"))


def test_review_metrics_equal_pandas_including_category_only_reviews():
    from knowledge.insights.reviews import review_aspects, review_sentiment

    rev = make_reviews(80, seed=4)
    rev.loc[rev.index % 4 == 0, "product"] = ""  # category-only reviews (a real file with no product column)
    rev.loc[rev.index % 5 == 0, "category"] = "audio"
    rev.loc[rev.index % 3 == 0, "date"] = "2026-11-20"
    e = QueryEngine.from_frames(None, rev, threads=1)
    s = review_sentiment(rev)
    assert e.run(QuerySpec("reviews")).value == len(rev)
    assert e.run(QuerySpec("avg_rating")).value == pytest.approx(rev["rating"].mean())
    assert e.run(QuerySpec("negative_share")).value == pytest.approx((s["sentiment"] == "neg").mean())
    by_cat = {x["key"]: x for x in e.run(QuerySpec("positive_share", op="breakdown", by="review_category")).records()}
    for cat, part in s.groupby("category"):
        assert by_cat[cat]["value"] == pytest.approx((part["sentiment"] == "pos").mean())
        assert by_cat[cat]["denominator"] == len(part)
    by_prod = {x["key"]: x["denominator"] for x in e.run(QuerySpec("positive_share", op="breakdown", by="review_product")).records()}
    assert sum(by_prod.values()) == int((rev["product"] != "").sum()) and "" not in by_prod
    found = review_aspects(rev["text"].tolist(), rev["lang"].tolist())
    counts = pd.Series([a for f in found for a in f]).value_counts()
    top = e.run(QuerySpec("aspect_mentions", op="top", by="aspect", limit=3)).records()
    assert [x["value"] for x in top] == sorted(counts.values, reverse=True)[:3]
    neg_battery = e.run(QuerySpec("aspect_mentions", filters=(Filter("aspect", ("续航",)), Filter("sentiment", ("negative",)))))
    # the filter names a lexicon word; it counts every review of its aspect (续航, 电池, battery …)
    expected = sum(1 for f, lab in zip(found, s["sentiment"]) if "电池 / battery" in f and lab == "neg")
    assert neg_battery.value == expected > 0
    dated = e.run(QuerySpec("reviews", period=Period("last_days", 1)))
    assert dated.value == int((rev["date"] == "2026-11-20").sum())


def test_parquet_parts_in_a_store_give_the_same_numbers(tmp_path, log):
    import pyarrow as pa
    import pyarrow.parquet as pq

    half = len(log) // 2
    files = []
    for i, part in enumerate((log.iloc[:half], log.iloc[half:])):
        t = pa.table({"user": part["user"].astype(str), "item_id": part["item_id"].astype("int64"),
                      "category_id": part["category_id"].astype("int64"),
                      "behavior": pa.array(part["behavior"].cat.codes.to_numpy().astype("int8")), "ts": part["ts"].astype("int64")})
        files.append(tmp_path / f"part-{i}.parquet")
        pq.write_table(t, files[-1])
    e = QueryEngine.from_parquet(files, memory_limit="256MB", threads=1, temp_directory=tmp_path / "tmp")
    for metric in ("buys", "cart_to_buy", "repeat_buyer_share"):
        assert _close(e.run(QuerySpec(metric)).value, ref(log, metric))


def test_entities_name_items_categories_segments_and_brands(engine):
    ent = engine.entities()
    assert any(i.id == "1000" and i.name_en == "Lumi Buds" and i.name_zh == "降噪耳机" for i in ent.items)
    assert "Lumi" in ent.brands and {"100", "101"} <= {c.id for c in ent.categories}
    assert {"loyal_buyers", "dormant"} <= {s.id for s in ent.segments}
    assert "gadgets" in {c.id for c in ent.review_categories}


def test_result_to_dict_carries_spec_sql_facts(engine):
    r = engine.run(QuerySpec("conversion_events", period=Period("last_days", 7)))
    d = r.to_dict()
    assert d["spec"]["metric"] == "conversion_events" and "SELECT" in d["sql"] and d["params"]
    assert {f["role"] for f in d["facts"]} == {"value", "numerator", "denominator"}
    line = engine.explain(r, "zh")
    assert "购买事件数 ÷ 浏览事件数" in line and r.period.start in line and "DuckDB" in line


def test_run_many_shares_one_scan_and_gives_the_same_numbers(engine):
    specs = [QuerySpec(m, op="breakdown", by="category", period=Period("last_days", 10), limit=3) for m in BEHAVIOR_METRICS]
    specs += [QuerySpec(m) for m in ("views", "cart_to_buy", "buyers")]
    many = engine.run_many(specs)
    for s, r in zip(specs, many):
        one = engine.run(s)
        assert r.records() == one.records() and r.facts == one.facts, s
        assert r.period == one.period
    assert len({r.sql for r in many[: len(BEHAVIOR_METRICS)]}) == 1  # one statement for the whole group


def test_a_few_stray_events_do_not_make_a_window_look_complete():
    # the real Taobao sample: a handful of events on days before the log really starts
    rows = [(f"u{d}{i}", 1, 1, "pv", T0 + d * DAY + i) for d in range(5, 14) for i in range(100)]
    rows += [(f"stray{d}", 1, 1, "pv", T0 + d * DAY) for d in range(0, 5)]
    df = pd.DataFrame(rows, columns=["user", "item_id", "category_id", "behavior", "ts"])
    df["behavior"] = pd.Categorical(df["behavior"], categories=["pv", "cart", "fav", "buy"])
    r = QueryEngine.from_frames(df, threads=1).run(QuerySpec("views", op="change", period=Period("last_days", 7)))
    assert r.previous.covered_days == 2 and any("2 of its 7 days" in w for w in r.warnings)


def test_run_many_batches_changes_with_the_same_numbers(engine):
    specs = [QuerySpec(m, op="change", period=Period("last_days", 7)) for m in ("views", "buys", "viewers", "conversion_users", "cart_to_buy")]
    many = engine.run_many(specs)
    for s, r in zip(specs, many):
        one = engine.run(s)
        assert r.records() == [dict(zip(r.columns, x)) for x in one.rows] and r.facts == one.facts and r.warnings == one.warnings, s
        assert r.direction == one.direction and r.previous == one.previous
    assert len({r.sql for r in many}) == 1


def test_day_quantile_from_per_day_counts_equals_numpy(log):
    e = QueryEngine.from_frames(log, threads=1)
    day = (log["ts"] // DAY).to_numpy()
    for q in (0.0, 0.01, 0.37, 0.5, 0.99, 1.0):
        assert e.bounds().day_quantile(q) == pytest.approx(float(np.quantile(day, q)))


def _write_parts(tmp_path, log, n: int):
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = []
    bounds = np.linspace(0, len(log), n + 1).astype(int)
    for i, part in enumerate(log.iloc[a:b] for a, b in zip(bounds[:-1], bounds[1:])):
        t = pa.table({"user": part["user"].astype(str), "item_id": part["item_id"].astype("int64"),
                      "category_id": part["category_id"].astype("int64"),
                      "behavior": pa.array(part["behavior"].cat.codes.to_numpy().astype("int8")), "ts": part["ts"].astype("int64")})
        files.append(tmp_path / f"part-{i}.parquet")
        pq.write_table(t, files[-1])
    return files


def test_materialised_log_gives_the_same_insights_as_the_plain_parquet_view(tmp_path):
    from knowledge.insights import compute_all

    log = make_behavior(6000, n_users=300, n_items=40, n_days=28, seed=5)
    files = _write_parts(tmp_path, log, 3)
    reviews = make_reviews(60, seed=3)
    kw = dict(reviews=reviews, memory_limit="256MB", threads=1, temp_directory=tmp_path / "tmp")
    plain = compute_all(engine=QueryEngine.from_parquet(files, materialise=False, **kw))
    cached = compute_all(engine=QueryEngine.from_parquet(files, **kw))
    assert cached == plain
    assert len(cached) > 10


def test_a_part_added_after_an_engine_opened_is_counted_by_the_next_engine(tmp_path, log):
    files = _write_parts(tmp_path, log, 3)
    kw = dict(memory_limit="256MB", threads=1)
    first = QueryEngine.from_parquet(files[:2], **kw).run(QuerySpec("events")).value
    assert first == int(np.linspace(0, len(log), 4).astype(int)[2])
    assert QueryEngine.from_parquet(files, **kw).run(QuerySpec("events")).value == len(log)


def test_entities_know_the_logs_last_day_and_everyday_names_of_segments(engine, log):
    """"yesterday", "this month", a date without a year are read against the log's last day: the parser gets it here
    (without it "yesterday" was the last 2 days); segments are found by everyday words too ("only browsed", "只看不买")."""
    import datetime as dt

    ents = engine.entities()
    last = dt.datetime.fromtimestamp(int(log["ts"].max()), dt.timezone.utc).date().isoformat()
    assert ents.extra["last_day"] == last
    seg = {e.id: e for e in ents.segments}
    assert "只看不买" in seg["window_shoppers"].aliases and "only browsed" in seg["window_shoppers"].aliases
    assert "loyal customers" in seg["loyal_buyers"].aliases


def test_cart_abandonment_rate_is_cart_users_who_did_not_buy(engine, log):
    r = engine.run(QuerySpec("cart_abandonment"))
    u = log.groupby("user")["behavior"].agg(lambda b: set(b.astype(str)))
    carters = [s for s in u if "cart" in s]
    want = sum("buy" not in s for s in carters) / len(carters)
    assert abs(r.value - want) < 1e-9
    both = engine.run(QuerySpec("cart_to_buy")).value
    assert abs(r.value + both - 1) < 1e-9
