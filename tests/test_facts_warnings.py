"""The query engine's warnings, in the question's language (a zh reply had English warnings inside)."""

import re

import pytest

from bot.facts import warning_text

WARNINGS = [
    "incomplete window: 2026-11-16 – 2026-11-22 has data on 5 of its 7 days",
    "incomplete window: the earlier period 2026-11-09 – 2026-11-15 has data on only 5 of its 7 days, so the change compares unequal amounts of data",
    "no data in this scope and period",
    "reviews without a date are left out of a dated period",
    "showing 10 of 1,234 item values (the largest by Purchases)",
    "3 of 40 item value(s) with fewer than 20 users left out (minimum support)",
    "no pair of items was bought by 5 or more different users in this period",
]


@pytest.mark.parametrize("w", WARNINGS)
def test_zh_warnings_are_chinese_and_keep_every_number(w):
    zh = warning_text(w, "zh")
    assert re.search(r"[\u4e00-\u9fff]", zh) and not re.search(r"\b(?:window|data|period|showing|reviews|left out)\b", zh), zh
    assert all(n in zh for n in re.findall(r"\d[\d,]*", w))


def test_en_warnings_are_unchanged():
    assert all(warning_text(w, "en") == w for w in WARNINGS)


def test_a_zh_ranking_names_its_subjects_in_chinese():
    """"哪个商品卖得最好" listed "1. Lumi Bottle Cleaning Tablets (30) — 344": the engine gives each row its zh label too."""
    from bot.facts import render
    from knowledge.query import Fact, QueryResult, QuerySpec
    from knowledge.query.semantic import METRICS

    spec = QuerySpec("buys", op="top", by="item", limit=2)
    facts = (Fact("buys", 1, "rank", "item", "Lumi Bottle Cleaning Tablets (30)", "1011"), Fact("buys", 344, "value", "item", "Lumi Bottle Cleaning Tablets (30)", "1011"),
             Fact("buys", 2, "rank", "item", "Lumi AquaSmart Bottle", "1001"), Fact("buys", 171, "value", "item", "Lumi AquaSmart Bottle", "1001"))
    rows = ((1, 1011, "Lumi Bottle Cleaning Tablets (30)", "Lumi 水杯清洁片（30片）", 344), (2, 1001, "Lumi AquaSmart Bottle", "Lumi 智能保温水杯", 171))
    result = QueryResult(spec, METRICS["buys"], "SELECT …", columns=("rank", "key", "label", "label_zh", "value"), rows=rows, facts=facts)
    zh = render(result, "zh").body
    assert "1. Lumi 水杯清洁片（30片） — 344" in zh and "2. Lumi 智能保温水杯 — 171" in zh and "Cleaning Tablets" not in zh
    en = render(result, "en").body
    assert "1. Lumi Bottle Cleaning Tablets (30) — 344" in en
