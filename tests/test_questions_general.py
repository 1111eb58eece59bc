"""Question → spec, general vocabulary found missing by the held-out set (bench/data/answer_questions_holdout.jsonl).
The cases here are other wordings of the same grammar, not the held-out questions themselves."""

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
