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
