"""Question → spec, general vocabulary found missing by the held-out set (bench/data/answer_questions_holdout.jsonl).
The cases here are other wordings of the same grammar, not the held-out questions themselves."""

import re
from pathlib import Path

import pytest

from bot.questions import QuestionParser
from knowledge.query import SemanticLayer
from training.spec_data import catalogue_entities

CATALOG = Path(__file__).resolve().parents[1] / "growthpilot" / "demo" / "data" / "catalog.csv"


@pytest.fixture(scope="module")
def parser():
    return QuestionParser(SemanticLayer(), catalogue_entities(CATALOG, extra={"last_day": "2026-10-21"}))


def parse(parser, q):
    import re

    return parser.parse_rules_only(q, lang="zh" if re.search("[\u4e00-\u9fff]", q) else "en")


@pytest.mark.parametrize("question", ["what day of the week gets the most views?", "which day of week do people cart most",
                                      "一个星期里哪一天浏览最多", "每周哪天下单最多？"])
def test_day_of_the_week_is_the_weekday_not_the_date(parser, question):
    p = parse(parser, question)
    assert p.kind == "query" and p.spec.op == "top" and p.spec.by == "weekday", p


@pytest.mark.parametrize("question", ["are views up over the last 4 days?", "were purchases down in the last 5 days?",
                                      "最近5天浏览量比之前5天多还是少", "近四天转化率是高了还是低了？", "近4天的下单量是变多还是变少"])
def test_up_down_more_or_less_are_change_words(parser, question):
    p = parse(parser, question)
    assert p.kind == "query" and p.spec.op == "change", p


@pytest.mark.parametrize("question,cat", [("negative share of phone reviews", "手机"), ("how many reviews for books?", "书籍"),
                                          ("what percent of tablet reviews are positive", "平板"), ("water heater reviews: share negative?", "热水器")])
def test_review_categories_by_their_english_names(parser, question, cat):
    p = parse(parser, question)
    assert p.kind == "query" and [f.values for f in p.spec.filters if f.dim == "review_category"] == [(cat,)], p


@pytest.mark.parametrize("question", ["how many purchaces last week?", "total converison rate", "how many reveiws do we have"])
def test_one_letter_typos_in_vocabulary_words(parser, question):
    p = parse(parser, question)
    assert p.kind == "query", p


@pytest.mark.parametrize("question", ["回头客多不多，占比是多少", "买过两次及以上的用户占比", "what share of customers came back to buy again?"])
def test_returning_buyers_are_the_repeat_share(parser, question):
    p = parse(parser, question)
    assert p.kind == "query" and p.spec.metric == "repeat_buyer_share", p


@pytest.mark.parametrize("question", ["618大促的投入产出比是多少", "小红书上的粉丝涨了多少？", "抖音粉丝数"])
def test_roi_and_followers_are_not_in_the_data(parser, question):
    assert parse(parser, question).kind == "not_in_data"


@pytest.mark.parametrize("question", ["what is our marketing budget for Q4?", "how much marketing spend went to email", "这个月的营销预算是多少"])
def test_budgets_and_marketing_spend_are_not_in_the_data(parser, question):
    assert parse(parser, question).kind == "not_in_data"


# ---------------------------------------------------------------- session 3 (bench/data/answer_questions_s3.jsonl, dev split)
# Other wordings of the failure classes the session-3 set found, not its questions.
@pytest.fixture(scope="module")
def seg_parser():
    from dataclasses import replace

    from knowledge.query import Entity

    ents = catalogue_entities(CATALOG, extra={"last_day": "2026-11-15"})
    segs = (Entity("cart_abandoners", "cart abandoners", "加购未买", ("cart abandoners",)), Entity("loyal_buyers", "loyal buyers", "忠实买家", ("loyal buyers",)),
            Entity("window_shoppers", "window shoppers", "只逛不买", ("window shoppers",)))
    return QuestionParser(SemanticLayer(), replace(ents, segments=segs))


@pytest.mark.parametrize("question", ["how many visitors came in the last 4 days?", "unique visitors over the past 2 weeks",
                                      "how many people visited us this month?", "近5天的访客数", "最近两周的UV是多少", "独立访客有多少", "有多少人访问了店铺"])
def test_visitors_are_all_active_users_not_viewers(parser, question):
    p = parse(parser, question)
    assert p.kind == "query" and p.spec.metric == "users", p


@pytest.mark.parametrize("question", ["How many distinct users viewed something?", "有多少浏览用户？", "how many users viewed the Aroma Diffuser?"])
def test_viewers_stay_viewers(parser, question):
    p = parse(parser, question)
    assert p.kind == "query" and p.spec.metric == "viewers", p


@pytest.mark.parametrize("question", ["what share of viewers went on to purchase?", "what % of visitors bought something?",
                                      "浏览用户中购买的比例是多少", "看过商品的人里有多少比例下单了"])
def test_the_share_of_viewers_who_bought_is_conversion(parser, question):
    p = parse(parser, question)
    assert p.kind == "query" and p.spec.metric == "conversion_users", p


@pytest.mark.parametrize("question,metric", [("number of checkouts in the last 5 days", "buys"), ("how many ppl ordered in the past 2 weeks?", "buyers"),
                                             ("how many ppl bought the Halo Desk Lamp?", "buyers"), ("how many times was the PowerCube faved?", "favs"),
                                             ("下单次数除以浏览次数", "conversion_events"), ("buys divided by views overall", "conversion_events")])
def test_more_words_for_events_and_users(parser, question, metric):
    p = parse(parser, question)
    assert p.kind == "query" and p.spec.metric == metric, p


@pytest.mark.parametrize("question,metric", [("复够率多少", "repeat_buyer_share"), ("最近7天的流览量", "views"), ("整体转花率", "conversion_users"),
                                             ("加够用户有多少", "carters")])
def test_chinese_homophone_typos_of_vocabulary_words(parser, question, metric):
    p = parse(parser, question)
    assert p.kind == "query" and p.spec.metric == metric, p


@pytest.mark.parametrize("question", ["买了不止一次的用户比例", "多次购买的顾客占比", "share of customers who ordered more than once"])
def test_more_than_once_is_the_repeat_share(parser, question):
    p = parse(parser, question)
    assert p.kind == "query" and p.spec.metric == "repeat_buyer_share", p


@pytest.mark.parametrize("question,metric", [("what share of reviews are 1 or 2 stars?", "negative_share"), ("低分评价（1-2星）的比例", "negative_share"),
                                             ("四五星评价占比", "positive_share"), ("share of 4- and 5-star reviews", "positive_share")])
def test_a_share_of_low_or_high_stars_is_the_sentiment_share(parser, question, metric):
    p = parse(parser, question)
    assert p.kind == "query" and p.spec.metric == metric, p


@pytest.mark.parametrize("question,kind,n", [("views in the last week", "last_days", 7), ("conversion over the last week?", "last_days", 7),
                                             ("carts during the past week", "last_days", 7), ("how many purchases last week?", "last_week", None)])
def test_the_last_week_is_seven_days_last_week_is_the_calendar_week(parser, question, kind, n):
    p = parse(parser, question)
    assert p.kind == "query" and (p.spec.period.kind, p.spec.period.n) == (kind, n), p


@pytest.mark.parametrize("question,by", [("what's the slowest day of the week for purchases?", "weekday"), ("least busy hour for add-to-carts", "hour"),
                                         ("which hour is the quietest for views?", "hour"), ("哪个时段的浏览最冷清", "hour")])
def test_quiet_and_slow_are_bottom_words(parser, question, by):
    p = parse(parser, question)
    assert p.kind == "query" and p.spec.op == "bottom" and p.spec.by == by, p


@pytest.mark.parametrize("question", ["what's the LTV of a buyer?", "customer lifetime value?", "用户生命周期价值是多少", "CLV per customer"])
def test_lifetime_value_is_not_in_the_data(parser, question):
    assert parse(parser, question).kind == "not_in_data"


@pytest.mark.parametrize("question", ["what's behind the drop in views?", "what explains the fall in purchases last week", "how come conversion fell?"])
def test_what_is_behind_is_a_why_question(parser, question):
    p = parse(parser, question)
    assert p.kind == "none" and any("why" in n for n in p.notes), p


@pytest.mark.parametrize("text,metric", [("那购买呢？", "buys"), ("那加购呢", "carts"), ("and purchases?", "buys")])
def test_a_follow_up_metric_word_is_no_segment_name(seg_parser, text, metric):
    from knowledge.query import Period, QuerySpec

    prev = QuerySpec("views", op="change", period=Period("last_days", 7))
    p = seg_parser.parse_rules_only(text, lang="zh" if "呢" in text else "en", previous=prev)
    assert p.kind == "query" and p.spec.metric == metric and p.spec.filters == () and p.spec.op == "change", p


def test_a_segment_is_still_found_by_its_name(seg_parser):
    p = seg_parser.parse_rules_only("加购未买的用户最近7天浏览了多少次", lang="zh")
    assert p.kind == "query" and [f.values for f in p.spec.filters if f.dim == "segment"] == [("cart_abandoners",)], p


@pytest.mark.parametrize("question,start,end", [("how many buyers this month?", "2026-10-01", "2026-10-21"), ("本月的浏览量", "2026-10-01", "2026-10-21"),
                                                ("purchases last month", "2026-09-01", "2026-09-30"), ("上个月的购买次数", "2026-09-01", "2026-09-30"),
                                                ("上月加购了多少次", "2026-09-01", "2026-09-30")])
def test_this_month_and_last_month_are_calendar_months_of_the_log(parser, question, start, end):
    p = parse(parser, question)
    assert p.kind == "query" and (p.spec.period.kind, p.spec.period.start, p.spec.period.end) == ("between", start, end), p


@pytest.mark.parametrize("question", ["views over the past month", "purchases in the last month", "最近一个月的购买次数"])
def test_the_past_month_is_thirty_days(parser, question):
    p = parse(parser, question)
    assert p.kind == "query" and (p.spec.period.kind, p.spec.period.n) == ("last_days", 30), p


def test_last_month_as_a_follow_up(parser):
    from knowledge.query import Period, QuerySpec

    prev = QuerySpec("views", op="top", by="item", period=Period("all"))
    p = parser.parse_rules_only("上个月呢", lang="zh", previous=prev)
    assert p.kind == "query" and p.spec.period.start == "2026-09-01" and p.spec.by == "item", p


@pytest.mark.parametrize("question", ["what's the avg number of items per order", "how many products per basket?", "平均每单几件商品"])
def test_items_per_order_is_not_in_the_data(parser, question):
    assert parse(parser, question).kind == "not_in_data"


@pytest.mark.parametrize("question", ["what do people think of the aroma diffuser?", "how are the reviews of the smart scale?", "香薰加湿器口碑怎么样",
                                      "大家觉得护眼台灯怎么样"])
def test_what_people_think_of_a_product_is_no_count(parser, question):
    p = parse(parser, question)
    assert not (p.kind == "query" and p.spec.metric in ("users", "reviews", "viewers")), p


@pytest.mark.parametrize("question,metric,seg", [("how many loyal buyers do we have?", "users", "loyal_buyers"),
                                                 ("只逛不买的用户有多少", "users", "window_shoppers"),
                                                 ("conversion of loyal buyers", "conversion_users", "loyal_buyers"),
                                                 ("how many purchases did loyal buyers make last week?", "buys", "loyal_buyers"),
                                                 ("how many cart abandoners are there?", "users", "cart_abandoners")])
def test_a_segment_named_is_a_filter_not_the_metric(seg_parser, question, metric, seg):
    p = seg_parser.parse_rules_only(question, lang="zh" if re.search("[\u4e00-\u9fff]", question) else "en")
    assert p.kind == "query" and p.spec.metric == metric and [f.values for f in p.spec.filters if f.dim == "segment"] == [(seg,)], p


@pytest.mark.parametrize("question,by,values", [("what's the conversion for audio vs lighting?", "category", ("12", "13")),
                                                ("compare purchases of the Buds Pro and the Buds Lite", "item", ("1003", "1004")),
                                                ("Halo Desk Lamp vs Halo Night Light views in the last 7 days", "item", ("1005", "1006")),
                                                ("最近7天音频和照明的购买对比", "category", ("12", "13")),
                                                ("降噪耳机和护眼台灯的加购次数分别是多少", "item", ("1003", "1005"))])
def test_two_named_things_compared_are_a_breakdown_over_them(parser, question, by, values):
    p = parse(parser, question)
    assert p.kind == "query" and p.spec.op == "breakdown" and p.spec.by == by, p
    assert [tuple(sorted(f.values)) for f in p.spec.filters if f.dim == by] == [values], p


@pytest.mark.parametrize("question", ["conversion this week vs last week", "did views go up vs the week before?", "最近7天购买次数和前7天相比"])
def test_a_period_compared_is_still_a_change(parser, question):
    assert parse(parser, question).spec.op == "change"


@pytest.mark.parametrize("prev_period,text,start,end", [(("last_week",), "and the week before?", "2026-10-05", "2026-10-11"),
                                                        (("last_days", 7), "那前一周呢", "2026-10-08", "2026-10-14"),
                                                        (("last_days", 3), "and the 3 days before that?", "2026-10-16", "2026-10-18")])
def test_the_period_before_as_a_follow_up(parser, prev_period, text, start, end):
    from knowledge.query import Period, QuerySpec

    prev = QuerySpec("buys", period=Period(prev_period[0], n=prev_period[1] if len(prev_period) > 1 else None))
    p = parser.parse_rules_only(text, lang="zh" if "呢" in text else "en", previous=prev)
    assert p.kind == "query" and p.spec.op == "total" and (p.spec.period.start, p.spec.period.end) == (start, end), p


def test_the_week_before_last(parser):
    p = parse(parser, "上上周的购买次数")
    assert p.kind == "query" and (p.spec.period.start, p.spec.period.end) == ("2026-10-05", "2026-10-11"), p


@pytest.mark.parametrize("question", ["what's the cart abandonment rate?", "弃购率是多少", "what share of cart users never bought?"])
def test_the_abandonment_rate_is_a_rate(parser, question):
    p = parse(parser, question)
    assert p.kind == "query" and p.spec.metric == "cart_abandonment", p


@pytest.mark.parametrize("question", ["how many users carted but never bought?", "加购未购买的用户有多少"])
def test_the_abandoners_count_stays_a_count(parser, question):
    assert parse(parser, question).spec.metric == "cart_no_buy_users"


@pytest.fixture(scope="module")
def engine_seg_parser():
    """The engine's own segments, names and everyday aliases (knowledge.query.engine)."""
    from dataclasses import replace

    from knowledge.query import Entity
    from knowledge.query.engine import SEGMENT_ALIASES, SEGMENT_LABELS_EN, SEGMENT_LABELS_ZH, SEGMENTS

    segs = tuple(Entity(s, SEGMENT_LABELS_EN[s], SEGMENT_LABELS_ZH[s], (s.replace("_", " "), *SEGMENT_ALIASES.get(s, ()))) for s in SEGMENTS)
    return QuestionParser(SemanticLayer(), replace(catalogue_entities(CATALOG, extra={"last_day": "2026-11-15"}), segments=segs))


@pytest.mark.parametrize("question,metric", [("购买用户有多少？", "buyers"), ("复购用户占比是多少？", "repeat_buyer_share"),
                                             ("加购用户中有多少比例完成了购买？", "cart_to_buy"), ("How many users carted but never bought?", "cart_no_buy_users"),
                                             ("最近14天有多少购买用户？", "buyers"), ("买过不止一次的顾客占多大比例？", "repeat_buyer_share")])
def test_everyday_words_are_no_segment(engine_seg_parser, question, metric):
    """Segment aliases matched by a few of their words ("购买用户" in "加购没买的用户") took the metric's place: segments
    are named whole."""
    p = engine_seg_parser.parse_rules_only(question, lang="zh" if re.search("[\u4e00-\u9fff]", question) else "en")
    assert p.kind == "query" and p.spec.metric == metric and not any(f.dim == "segment" for f in p.spec.filters), p


@pytest.mark.parametrize("question,seg", [("how many users did nothing but browse?", "window_shoppers"), ("只看不买的人有多少", "window_shoppers"),
                                          ("how many loyal customers?", "loyal_buyers")])
def test_segments_by_everyday_names(engine_seg_parser, question, seg):
    p = engine_seg_parser.parse_rules_only(question, lang="zh" if re.search("[\u4e00-\u9fff]", question) else "en")
    assert p.kind == "query" and p.spec.metric == "users" and [f.values for f in p.spec.filters if f.dim == "segment"] == [(seg,)], p


@pytest.fixture(scope="module")
def bare_parser():
    """A log with no catalogue (the taobao sample): items are only ids."""
    from knowledge.query import Entities, Entity

    return QuestionParser(SemanticLayer(), Entities(categories=(Entity("4756105"), Entity("2735466")), extra={"last_day": "2017-12-03"}))


@pytest.mark.parametrize("question,item", [("item 3031354 views", "3031354"), ("商品2333346的购买次数", "2333346"), ("conversion of product #4666650", "4666650")])
def test_an_item_id_is_a_filter_without_a_catalogue(bare_parser, question, item):
    p = bare_parser.parse_rules_only(question, lang="zh" if re.search("[\u4e00-\u9fff]", question) else "en")
    assert p.kind == "query" and p.spec.op == "total" and [f.values for f in p.spec.filters if f.dim == "item"] == [(item,)], p


@pytest.mark.parametrize("question,metric", [("what share of phone reviews are bad?", "negative_share"), ("what % of book reviews are good", "positive_share"),
                                             ("手机评论里不好的比例", "negative_share")])
def test_a_share_of_good_or_bad_reviews_is_the_sentiment_share(parser, question, metric):
    p = parse(parser, question)
    assert p.kind == "query" and p.spec.metric == metric and not any(f.dim == "sentiment" for f in p.spec.filters), p


@pytest.mark.parametrize("question,op,by", [("what was the busiest day?", "top", "day"), ("which hour is the quietest?", "bottom", "hour"),
                                            ("一周里哪天最忙", "top", "weekday"), ("几点最热闹", "top", "hour")])
def test_busiest_and_quietest_are_about_all_activity(parser, question, op, by):
    p = parse(parser, question)
    assert p.kind == "query" and (p.spec.metric, p.spec.op, p.spec.by) == ("events", op, by), p


@pytest.mark.parametrize("question,dim,value", [("how is the desk lamp doing?", "item", "1005"), ("护眼台灯表现如何", "item", "1005"),
                                                ("how's the audio category performing this week?", "category", "12"), ("睡眠眼罩的数据怎么样", "item", "1010")])
def test_how_a_product_is_doing_is_its_conversion_with_its_parts(parser, question, dim, value):
    p = parse(parser, question)
    assert p.kind == "query" and p.spec.metric == "conversion_users" and [f.values for f in p.spec.filters if f.dim == dim] == [(value,)], p


@pytest.mark.parametrize("question", ["which product gets the most attention?", "哪个商品最受关注"])
def test_attention_is_views(parser, question):
    p = parse(parser, question)
    assert p.kind == "query" and p.spec.metric == "views" and p.spec.op == "top", p


@pytest.mark.parametrize("question", ["how many employees do we have?", "what did we pay in salaries?", "how much tax did we pay?",
                                      "how many support tickets did we get?", "how many complaints went to customer service?", "有多少人注册了？",
                                      "how many new signups this week?", "what's our churn rate?", "平均发货时间是多少", "what's the average delivery time?",
                                      "直通车花了多少", "今年的销售目标完成了多少", "what's our Tmall store rating?", "淘宝店铺评分多少",
                                      "what's the unit economics of the Buds Pro?", "客服工单有多少"])
def test_more_things_the_log_does_not_hold(parser, question):
    assert parse(parser, question).kind == "not_in_data"


@pytest.mark.parametrize("question", ["what do customers complain about most?", "how many negative reviews mention delivery?", "average rating of the Buds Pro",
                                      "which target group converts best"])
def test_review_and_segment_questions_stay_answerable(parser, question):
    assert parse(parser, question).kind != "not_in_data"


@pytest.mark.parametrize("question", ["Summarise what the insights say about item 1000", "give me an overview of the Buds Pro", "总结一下护眼台灯的洞察"])
def test_a_summary_needs_evidence_not_a_spec(bare_parser, parser, question):
    for p in (bare_parser, parser):
        r = p.parse_rules_only(question, lang="zh" if re.search("[\u4e00-\u9fff]", question) else "en")
        assert r.kind == "none" and any("summary" in n for n in r.notes), r


# ---------------------------------------------------------------- after the s3 final run (its misses, other wordings)
@pytest.mark.parametrize("question,metric", [("有多少人浏览过商品？", "viewers"), ("多少人买过东西", "buyers"), ("how many people favourited a product?", "favers")])
def test_a_product_as_the_object_of_a_verb_is_no_breakdown(parser, question, metric):
    p = parse(parser, question)
    assert p.kind == "query" and p.spec.metric == metric and p.spec.op == "total", p


@pytest.mark.parametrize("question", ["直播间的观看人数", "how many viewers did our live stream get?", "livestream sales last week"])
def test_live_streams_are_not_in_the_data(parser, question):
    assert parse(parser, question).kind == "not_in_data"


@pytest.mark.parametrize("question", ["最近7天转化率掉了吗", "浏览量是不是跌了", "购买次数掉得厉害吗"])
def test_dropped_in_colloquial_chinese_is_a_change(parser, question):
    assert parse(parser, question).spec.op == "change"


@pytest.mark.parametrize("first,then,metric,dim", [("what's the conversion of the Buds Pro?", "and its average rating?", "avg_rating", "review_product"),
                                                   ("护眼台灯的浏览量", "评分呢？", "avg_rating", "review_product"),
                                                   ("how many reviews does the Buds Pro have", "and purchases?", "buys", "item")])
def test_a_follow_up_to_another_source_keeps_the_product(parser, first, then, metric, dim):
    lang = "zh" if re.search("[\u4e00-\u9fff]", first) else "en"
    prev = parser.parse_rules_only(first, lang=lang).spec
    p = parser.parse_rules_only(then, lang=lang, previous=prev)
    item = next(f.values for f in prev.filters if f.dim in ("item", "review_product"))
    assert p.kind == "query" and p.spec.metric == metric and [f.values for f in p.spec.filters if f.dim == dim] == [item], p


def test_a_follow_up_to_a_sentiment_share_has_no_sentiment_filter(parser):
    prev = parser.parse_rules_only("how many reviews does the Buds Pro have", lang="en").spec
    p = parser.parse_rules_only("and the negative share?", lang="en", previous=prev)
    assert p.spec.metric == "negative_share" and not any(f.dim == "sentiment" for f in p.spec.filters), p


@pytest.mark.parametrize("question,metric", [("what's the average number of views per user?", "views_per_viewer"), ("人均浏览次数是多少", "views_per_viewer"),
                                             ("views per visitor in the last 7 days", "views_per_viewer"), ("how many actions per user on average?", "events_per_user"),
                                             ("avg number of purchases per buyer?", "purchases_per_buyer")])
def test_averages_per_user_are_their_own_metrics(parser, question, metric):
    p = parse(parser, question)
    assert p.kind == "query" and p.spec.metric == metric, p
