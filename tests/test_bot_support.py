"""Per-message signals of the support path: sentiment, urgency, anger, asking for a person."""

import pytest

from bot.support import read_signals
from knowledge.sentiment import SentimentAnalyzer


@pytest.fixture(scope="module")
def analyzer():
    return SentimentAnalyzer()


@pytest.mark.parametrize(
    "text,sentiment,urgency,angry,human",
    [
        ("Thanks, that was really helpful, great service!", "pos", "normal", False, False),
        ("我急用，能不能今天发货？", None, "high", False, False),
        ("URGENT: I need this replaced asap", None, "high", False, False),
        ("This is unacceptable, worst service ever", "neg", "normal", True, False),
        ("太过分了，质量这么差，我要投诉", "neg", "normal", True, False),
        ("the strap is a bit loose", None, "normal", False, False),
        ("能帮我转人工吗", None, "normal", False, True),
        ("can I speak to a real person?", None, "normal", False, True),
    ],
)
def test_signals(analyzer, text, sentiment, urgency, angry, human):
    s = read_signals(text, analyzer)
    if sentiment:
        assert s.sentiment == sentiment
    assert (s.urgency, s.angry, s.asked_for_human) == (urgency, angry, human)


def test_failure_phrases_in_both_languages():
    assert read_signals("that didn't help at all", None).says_failed
    assert read_signals("还是不行，没用", None).says_failed
    assert not read_signals("how do I pair the earbuds?", None).says_failed


# ---------------------------------------------------------------- pieces of the passage path (no index)
from bot.support.extract import select, units  # noqa: E402
from bot.support.followup import follow_up_query, is_follow_up  # noqa: E402
from bot.support.passages import Section, group_key  # noqa: E402
from bot.support.responder import _no_labels, _strip_placeholders  # noqa: E402


@pytest.mark.parametrize(
    "hit_id,path,key",
    [
        ("doc:en/faq.md#3", "en/faq.md", "faq.md#3"),
        ("doc:zh/faq.md#3", "zh/faq.md", "faq.md#3"),
        ("doc:help/zh-CN/returns.md#1", "help/zh-CN/returns.md", "help/returns.md#1"),
        ("doc:returns.en.md#0", "returns.en.md", "returns.md#0"),
        ("doc:catalog/1003", "catalog/1003", "catalog/1003"),
    ],
)
def test_sections_pair_across_languages_by_path_and_number(hit_id, path, key):
    assert group_key(hit_id, path) == key


@pytest.mark.parametrize("text", ["and to Hong Kong?", "那香港呢？", "what about the lamp?", "台灯呢", "to Hong Kong?", "还有退款呢"])
def test_follow_ups_are_recognised(text):
    assert is_follow_up(text)


@pytest.mark.parametrize("text", ["How do I pair my earbuds?", "可以用PayPal付款吗？", "What is your return policy?", "怎么联系客服"])
def test_questions_of_their_own_are_not_follow_ups(text):
    assert not is_follow_up(text)


def test_a_follow_up_about_another_product_keeps_the_topic_not_the_product():
    q = follow_up_query("How long is the warranty on the earbuds?", "what about the lamp?")
    assert "warranty" in q and "earbuds" not in q and "lamp" in q


def test_list_items_and_sentences_are_units_and_the_relevant_one_is_picked():
    body = ("- Mainland China: free over ¥99, otherwise ¥8; SF Express or JD Logistics, 1–3 days.\n"
            "- Hong Kong, Macau, Taiwan and international: calculated at checkout, 5–10 working days.\n"
            "- During Singles Day (11.11) dispatch can take up to 72 hours.")
    sec = Section("doc:en/s.md#0", "Shipping and returns › Shipping", "Shipping", body, "en", "en/s.md", "s.md#0")
    assert len(units(body)) == 3
    (picked,) = select(sec, "How long to Hong Kong?")
    assert picked.text.startswith("Hong Kong, Macau, Taiwan")


def test_labels_markers_and_contact_details_are_kept_out():
    assert _no_labels("(doc · 配送与退换货 › 30天无忧退货) 签收后30天内可以退货[1]。") == "签收后30天内可以退货。"
    assert _strip_placeholders("I want to return my watch, email me at [EMAIL] or call [PHONE]") == "I want to return my watch"
    assert _strip_placeholders("that didn't help, how do returns work for a gift?") == "how do returns work for a gift?"
