"""Question → spec by the rules: a fixed set of zh/en team questions, follow-ups, not in the data."""

from pathlib import Path

import pytest

from bot.questions import ParsedQuestion, QuestionParser
from knowledge.query import Period, QuerySpec, SemanticLayer
from training.spec_data import catalogue_entities

CATALOG = Path(__file__).resolve().parents[1] / "growthpilot" / "demo" / "data" / "catalog.csv"


@pytest.fixture(scope="module")
def parser():
    return QuestionParser(SemanticLayer(), catalogue_entities(CATALOG, extra={"last_day": "2026-10-21"}))


def S(metric, op="total", by=None, filters=None, period=None, limit=10):
    d = {"metric": metric, "op": op}
    if by:
        d["by"] = by
    if filters:
        d["filters"] = [{"dim": k, "values": list(v)} for k, v in filters.items()]
    d["period"] = period or {"kind": "all"}
    if by:
        d["limit"] = limit
    return d


LW = {"kind": "last_week"}
TW = {"kind": "this_week"}


def days(n):
    return {"kind": "last_days", "n": n}


CASES = [
    # --- the questions
    ("which category sells most?", S("buys", "top", "category")),
    ("did conversion go up or down last week?", S("conversion_users", "change", period=LW)),
    ("what share of 洗发水 reviews are negative?", S("negative_share", filters={"review_category": ["洗发水"]})),
    ("how many users carted but never bought?", S("cart_no_buy_users")),
    ("整体转化率是多少？", S("conversion_users")),
    # --- conversion, both definitions
    ("What is the conversion rate by events?", S("conversion_events")),
    ("event-level conversion for the last 14 days", S("conversion_events", period=days(14))),
    ("转化率按事件算是多少", S("conversion_events")),
    ("conversion by category", S("conversion_users", "breakdown", "category")),
    ("各品类的转化率", S("conversion_users", "breakdown", "category")),
    ("Buds Lite conversion by events last 14 days", S("conversion_events", filters={"item": ["1004"]}, period=days(14))),
    ("本周转化率环比", S("conversion_users", "change", period=TW)),
    ("上周转化率比之前增加了还是减少了？", S("conversion_users", "change", period=LW)),
    # --- other behaviour rates
    ("加购转化率是多少", S("cart_to_buy")),
    ("what share of cart users also bought?", S("cart_to_buy")),
    ("cart to buy rate by category", S("cart_to_buy", "breakdown", "category")),
    ("收藏后购买的转化率", S("fav_to_buy")),
    ("复购率是多少", S("repeat_buyer_share")),
    ("repeat buyer share last 30 days", S("repeat_buyer_share", period=days(30))),
    ("人均购买次数按品类", S("purchases_per_buyer", "breakdown", "category")),
    ("purchases per buyer this week", S("purchases_per_buyer", period=TW)),
    # --- counts, top, breakdown
    ("哪个商品卖得最好？", S("buys", "top", "item")),
    ("top 3 products by views this week", S("views", "top", "item", period=TW, limit=3)),
    ("浏览量前5的商品", S("views", "top", "item", limit=5)),
    ("What hour of the day do people buy most?", S("buys", "top", "hour")),
    ("用户几点下单最多", S("buys", "top", "hour")),
    ("星期几的购买最多", S("buys", "top", "weekday")),
    ("上周各品类的加购次数", S("carts", "breakdown", "category", period=LW)),
    ("how many buyers per day", S("buyers", "breakdown", "day")),
    ("daily views in the last 7 days", S("views", "breakdown", "day", period=days(7))),
    ("which product has the fewest favourites?", S("favs", "bottom", "item")),
    ("收藏最少的品类", S("favs", "bottom", "category")),
    ("how many people viewed the audio category last week?", S("viewers", filters={"category": ["12"]}, period=LW)),
    ("10月的购买用户数", S("buyers", period={"kind": "between", "start": "2026-10-01", "end": "2026-10-31"})),
    ("views on 2026-10-15", S("views", period={"kind": "between", "start": "2026-10-15", "end": "2026-10-15"})),
    ("10月10日到10月15日的加购次数", S("carts", period={"kind": "between", "start": "2026-10-10", "end": "2026-10-15"})),
    ("this week vs last week carts", S("carts", "change", period=TW)),
    ("did purchases of the desk lamp drop last week compared to the week before?", None),  # a "drop" with no why: a change
    ("照明品类最近3天卖了多少", S("buys", filters={"category": ["13"]}, period=days(3))),
    ("最近两周的活跃用户数", S("users", period={"kind": "last_weeks", "n": 2})),
    # --- entities: partial names, zh/en, ids
    ("智能水杯最近7天的浏览量", S("views", filters={"item": ["1001"]}, period=days(7))),
    ("Lumi 智能水杯 mini 的销量", S("buys", filters={"item": ["1002"]})),
    ("how many times was item 1007 added to cart?", S("carts", filters={"item": ["1007"]})),
    ("充电宝的购买次数", S("buys", filters={"item": ["1007"]})),
    ("降噪耳机的转化率", S("conversion_users", filters={"item": ["1003"]})),
    # --- reviews
    ("average rating of Lumi Buds Pro", S("avg_rating", filters={"review_product": ["1003"]})),
    ("好评率", S("positive_share")),
    ("how many negative reviews in english", S("reviews", filters={"review_lang": ["en"], "sentiment": ["negative"]})),
    ("各评论品类的差评率", S("negative_share", "breakdown", "review_category")),
    ("which product has the best rating?", S("avg_rating", "top", "review_product")),
    ("手机评论有多少条", S("reviews", filters={"review_category": ["手机"]})),
]


def _lang(q: str) -> str:
    return "zh" if any("\u4e00" <= c <= "\u9fff" for c in q) else "en"


@pytest.mark.parametrize("question, expected", [c for c in CASES if c[1] is not None], ids=[c[0] for c in CASES if c[1] is not None])
def test_rules_write_the_spec(parser, question, expected):
    got = parser.parse(question, lang=_lang(question))
    assert got.kind == "query", got
    assert got.source == "rules"
    assert got.spec.to_dict() == QuerySpec.from_dict(expected).to_dict()
    parser.layer.validate(got.spec)


def test_the_fixed_set_is_large_enough():
    assert len(CASES) >= 40
    assert sum(_lang(q) == "zh" for q, _ in CASES) >= 15 and sum(_lang(q) == "en" for q, _ in CASES) >= 15


def test_a_drop_compared_with_the_week_before_is_a_change_of_that_item(parser):
    got = parser.parse("did purchases of the desk lamp drop last week compared to the week before?", lang="en")
    assert got.kind == "query"
    assert (got.spec.metric, got.spec.op, got.spec.period.kind) == ("buys", "change", "last_week")
    assert got.spec.filter_values("item") == ("1005",)


def test_ambiguous_conversion_says_which_definition(parser):
    zh = parser.parse("整体转化率是多少？", lang="zh")
    en = parser.parse("what's our conversion?", lang="en")
    assert zh.spec.metric == en.spec.metric == "conversion_users"
    assert any("按用户" in n for n in zh.notes)
    assert any("by users" in n for n in en.notes)
    explicit = parser.parse("conversion by users", lang="en")
    assert not any("by users" in n for n in explicit.notes)


@pytest.mark.parametrize("question, metric", [
    ("Did purchases rise or fall in the last 7 days compared with the 7 days before?", "buys"),
    ("How did buyers change in the last 7 days vs the 7 days before?", "buyers"),
    ("Did purchases go up or down in the last 3 days vs the 3 days before?", "buys"),
])
def test_the_n_days_before_is_the_comparison_not_a_breakdown_by_day(parser, question, metric):
    """eval_answers: "vs the 7 days before" was read as a change per day (by=day), answering "from 0 to 99"."""
    got = parser.parse(question, lang="en")
    assert (got.spec.metric, got.spec.op, got.spec.by) == (metric, "change", None), got
    assert got.spec.period.kind == "last_days"


@pytest.mark.parametrize("question, lang", [
    ("What is the event conversion rate (purchases per view)?", "en"),
    ("purchases per view over the last 7 days", "en"),
    ("每次浏览的购买转化率是多少", "zh"),
    ("购买次数÷浏览次数的转化率", "zh"),
])
def test_event_conversion_in_other_words_is_by_events(parser, question, lang):
    """eval_answers q008: "event conversion rate (purchases per view)" was read as conversion by users
    (a number bound to the wrong quantity)."""
    got = parser.parse(question, lang=lang)
    assert got.kind == "query" and got.spec.metric == "conversion_events", got


@pytest.mark.parametrize("question, missing", [
    ("what was our ad spend in October?", "ad spend"),
    ("How much stock is left in the warehouse?", "inventory"),  # eval_answers misses, 2026-12-02
    ("How old are our buyers?", "demographics"),
    ("物流成本是多少？", "成本"),
    ("上个月广告花了多少钱", "广告花费"),
    ("revenue by category", "revenue"),
    ("上周的销售额是多少", "销售额"),
    ("What's our GMV this week?", "revenue"),
    ("how do we compare with our competitors?", "competitors"),
    ("竞品的转化率是多少", "竞品"),
    ("what is our CAC?", "acquisition"),
    ("ROI of the summer campaign", "ROI"),
    ("which traffic source brings the most buyers?", "traffic sources"),
    ("流量来源分布", "流量来源"),
    ("does the weather affect sales?", "weather"),
    ("退货率是多少", "退货"),
    ("conversion by city", "location"),
])
def test_not_in_the_data(parser, question, missing):
    got = parser.parse(question, lang=_lang(question))
    assert got.kind == "not_in_data", got
    assert got.spec is None
    assert missing in got.missing


def test_unknown_product_is_not_in_the_data(parser):
    got = parser.parse("conversion of Lumi Rocket last week", lang="en")
    assert got.kind == "not_in_data"
    assert "Lumi Rocket" in got.missing
    assert "unknown product 'Lumi Rocket'" in got.notes


@pytest.mark.parametrize("question", [
    "write a slogan for the AquaSmart bottle",
    "帮我写一段小红书文案，介绍护眼台灯",
    "why did conversion drop last week?",
    "为什么上周转化率下降了？",
    "hi",
    "谢谢！",
    "what can you do?",
])
def test_not_a_data_question(parser, question):
    got = parser.parse(question, lang=_lang(question))
    assert got.kind == "none" and got.spec is None


def test_a_question_with_no_metric_and_no_model_is_none_with_a_note(parser):
    got = parser.parse("how is the thing doing?", lang="en")
    assert got.kind == "none"
    assert "no metric recognised" in got.notes


# ------------------------------------------------------------------ follow-ups
def test_followup_changes_the_period(parser):
    first = parser.parse("which category sells most?", lang="en").spec
    got = parser.parse("and last week?", lang="en", previous=first)
    assert got.source == "followup"
    assert got.spec == first.with_changes(period=Period("last_week"))


def test_followup_changes_the_dimension_zh(parser):
    first = parser.parse("哪个商品卖得最好？", lang="zh").spec
    got = parser.parse("那品类呢？", lang="zh", previous=first)
    assert got.source == "followup"
    assert got.spec == first.with_changes(by="category")


def test_followup_on_a_total_makes_a_breakdown(parser):
    first = parser.parse("整体转化率是多少？", lang="zh").spec
    got = parser.parse("那按品类呢", lang="zh", previous=first)
    assert (got.spec.metric, got.spec.op, got.spec.by) == ("conversion_users", "breakdown", "category")


def test_followup_names_another_product(parser):
    first = parser.parse("conversion of Lumi Buds Pro last 7 days", lang="en").spec
    assert first.filter_values("item") == ("1003",)
    got = parser.parse("what about Buds Lite?", lang="en", previous=first)
    assert got.source == "followup"
    assert got.spec == first.with_changes(filters=(first.filters[0].__class__("item", ("1004",)),))


def test_followup_after_a_top_list_names_one_product(parser):
    first = parser.parse("which product sells most?", lang="en").spec
    got = parser.parse("what about Buds Lite?", lang="en", previous=first)
    assert (got.spec.op, got.spec.by, got.spec.filter_values("item")) == ("total", None, ("1004",))


def test_followup_changes_the_metric_keeps_the_rest(parser):
    first = parser.parse("上周各品类的加购次数", lang="zh").spec
    got = parser.parse("那收藏呢？", lang="zh", previous=first)
    assert got.spec == first.with_changes(metric="favs")


def test_followup_compare_makes_a_change(parser):
    first = parser.parse("what's the conversion by events last week?", lang="en").spec
    got = parser.parse("and compared to the week before?", lang="en", previous=first)
    assert (got.spec.metric, got.spec.op, got.spec.period.kind) == ("conversion_events", "change", "last_week")


def test_a_full_new_question_is_not_a_followup(parser):
    first = parser.parse("which category sells most?", lang="en").spec
    got = parser.parse("what is the average rating?", lang="en", previous=first)
    assert got.source == "rules"
    assert got.spec.to_dict() == S("avg_rating")


def test_parsed_question_is_frozen():
    p = ParsedQuestion("none")
    with pytest.raises(Exception):
        p.kind = "query"  # type: ignore[misc]


@pytest.mark.parametrize("text", ["", "   ", "🤔🤔🤔", "'; DROP TABLE behavior; --", "转化率" * 5000, "which category sells most? " * 2000])
def test_hostile_input_gets_a_valid_answer_from_its_first_1000_characters(parser, text):
    from bot.questions.parser import MAX_CHARS

    got = parser.parse(text, lang="en")
    assert got.kind in ("query", "not_in_data", "none")
    if got.spec is not None:
        parser.layer.validate(got.spec)
    assert got == parser.parse(text[:MAX_CHARS], lang="en")


# ------------------------------------------------------------------ entities as the engine builds them
def test_engine_style_entities_ids_that_are_words_and_extra_metrics():
    """The DuckDB engine (h8-query) gives review categories and segments as ids with no names, and its layer
    has pair metrics; the rules must still resolve "洗发水" and rank "bought together" as item pairs."""
    from knowledge.query import DIMENSIONS, METRICS, DimensionInfo, Entities, Entity, MetricInfo

    ents = Entities(
        items=(Entity("1003", "Lumi Buds Pro", "Lumi 降噪蓝牙耳机 Pro"),),
        categories=(Entity("12", "audio", "音频"), Entity("4756105", "", "")),
        review_categories=(Entity("洗发水"), Entity("手机")),
        segments=(Entity("loyal_buyers", "loyal buyers", "忠实买家", ("loyal buyers",)),),
        brands=("Lumi",),
        extra={"review_langs": ("en", "zh")},
    )
    metrics = {**METRICS, "bought_together": MetricInfo("bought_together", "bought together", "共同购买人数", "users who bought both", "同时购买两者的用户数", "count", "behavior")}
    dims = {**DIMENSIONS, "item_pair": DimensionInfo("item_pair", "pair of products", "商品组合", "behavior")}
    p = QuestionParser(SemanticLayer(metrics, dims), ents)
    got = p.parse("洗发水的差评率是多少", lang="zh")
    assert got.spec.filter_values("review_category") == ("洗发水",)
    got = p.parse("which products are often bought together?", lang="en")
    assert (got.spec.metric, got.spec.op, got.spec.by) == ("bought_together", "top", "item_pair")
    got = p.parse("conversion of category 4756105", lang="en")
    assert got.spec.filter_values("category") == ("4756105",)
    got = p.parse("忠实买家的购买次数", lang="zh")
    assert got.spec.filter_values("segment") == ("loyal_buyers",)
    # without the pair metric in the layer, "bought together" is no metric of its own
    no_pairs = SemanticLayer({k: v for k, v in METRICS.items() if k not in ("bought_together", "viewed_together")},
                             {k: v for k, v in DIMENSIONS.items() if k != "item_pair"})
    plain = QuestionParser(no_pairs, ents).parse("which products are often bought together?", lang="en")
    assert plain.spec is None or plain.spec.metric != "bought_together"
