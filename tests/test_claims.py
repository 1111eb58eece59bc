"""The claim checker: a number is accepted only when it is a value of the quantity the sentence
binds it to; directions must match the sign; names must exist. Results are built by hand, the
way the query engine returns them (facts bound to metric/subject/role/period)."""

from knowledge.query import Entities, Entity, Fact, QueryResult, QuerySpec, ResolvedPeriod
from knowledge.query.semantic import METRICS
from knowledge.query.spec import Period

from bot.claims import ClaimChecker

WEEK = ResolvedPeriod("2026-11-16", "2026-11-22", 7, 7, True)
PREV = ResolvedPeriod("2026-11-09", "2026-11-15", 7, 7, True)
ENTITIES = Entities(
    items=(Entity("1003", "Lumi Buds Pro", "Lumi 降噪耳机 Pro"), Entity("1001", "AquaSmart Bottle", "智能水杯")),
    categories=(Entity("7", "audio", "音频"),),
    review_categories=(Entity("洗发水"), Entity("耳机")),
    brands=("Lumi",),
)


def breakdown() -> QueryResult:
    spec = QuerySpec("conversion_users", op="breakdown", by="item", period=Period("last_days", 7))
    facts = (
        Fact("conversion_users", 0.08, "value", "item", "Lumi Buds Pro", "1003", WEEK.label()),
        Fact("conversion_users", 96, "numerator", "item", "Lumi Buds Pro", "1003", WEEK.label()),
        Fact("conversion_users", 1200, "denominator", "item", "Lumi Buds Pro", "1003", WEEK.label()),
        Fact("conversion_users", 0.05, "value", "item", "AquaSmart Bottle", "1001", WEEK.label()),
        Fact("conversion_users", 40, "numerator", "item", "AquaSmart Bottle", "1001", WEEK.label()),
        Fact("conversion_users", 800, "denominator", "item", "AquaSmart Bottle", "1001", WEEK.label()),
    )
    return QueryResult(spec, METRICS["conversion_users"], "SELECT …", columns=("item", "conversion_users"),
                       rows=(("Lumi Buds Pro", 0.08), ("AquaSmart Bottle", 0.05)), period=WEEK, facts=facts)


def change() -> QueryResult:
    spec = QuerySpec("conversion_users", op="change", period=Period("last_week"))
    facts = (
        Fact("conversion_users", 0.065, "value", period=WEEK.label()),
        Fact("conversion_users", 0.08, "previous", period=PREV.label()),
        Fact("conversion_users", -0.015, "change"),
        Fact("conversion_users", -18.75, "change_pct"),
    )
    return QueryResult(spec, METRICS["conversion_users"], "SELECT …", rows=((0.065, 0.08),), period=WEEK, previous=PREV, facts=facts)


def shares() -> QueryResult:
    spec = QuerySpec("positive_share", op="total", period=Period("all"))
    facts = (Fact("positive_share", 0.953, "value"), Fact("positive_share", 1094, "numerator"), Fact("positive_share", 1148, "denominator"))
    return QueryResult(spec, METRICS["positive_share"], "SELECT …", rows=((0.953,),), facts=facts)


def checker(*results, question=""):
    return ClaimChecker(results, ENTITIES, question)


# ---------------------------------------------------------------- numbers bound to quantities
def test_right_number_on_right_subject_passes():
    c = checker(breakdown())
    assert c.check("Lumi Buds Pro converts best, at 8.0% of its viewers.").ok
    assert c.check("AquaSmart Bottle had 800 viewers and 40 buyers.").ok
    assert c.check("智能水杯的转化率是 5.0%。").ok  # the zh catalogue name of the same item


def test_swapped_quantity_loses_its_sentence():
    c = checker(breakdown())
    # 8.0% is Buds Pro's rate, not the bottle's
    v = c.check("AquaSmart Bottle converts at 8.0%.")
    assert not v.ok and "8.0%" in v.reasons[0]
    # 1,200 is a count of viewers, not of buyers
    assert not c.check("Lumi Buds Pro had 1,200 buyers.").ok
    kept, dropped = c.filter_text("Lumi Buds Pro had 1,200 viewers. AquaSmart Bottle converts at 8.0%.")
    assert kept == "Lumi Buds Pro had 1,200 viewers."
    assert len(dropped) == 1


def test_positive_share_written_as_negative_is_refused():
    c = checker(shares())
    assert c.check("95.3% of reviews were positive.").ok
    assert not c.check("Only 95.3% were negative.").ok
    # 1,148 is the number of reviews, not page views
    assert not c.check("The product got 1,148 page views.").ok
    assert c.check("There are 1,148 reviews.").ok


def test_invented_number_is_refused():
    c = checker(breakdown())
    assert not c.check("Lumi Buds Pro converts at 9.5%.").ok
    assert not c.check("Revenue was 58,000 yuan.").ok


# ---------------------------------------------------------------- directions
def test_flipped_direction_loses_its_sentence():
    c = checker(change())
    assert c.check("Conversion fell by 1.5 percentage points.").ok
    assert c.check("转化率下降了 1.5 个百分点。").ok
    v = c.check("Conversion rose last week.")
    assert not v.ok and "contradicts" in v.reasons[0]
    assert not c.check("转化率上升了。").ok
    assert not c.check("上周转化率增加了 1.5 个百分点。").ok
    assert c.check("Conversion did not increase.").ok  # a negation flips the word


def test_direction_without_a_change_fact_is_refused():
    c = checker(breakdown())
    assert not c.check("Lumi Buds Pro conversion went up.").ok


def test_comparison_between_subjects_must_match_values():
    c = checker(breakdown())
    assert c.check("Lumi Buds Pro converts better than AquaSmart Bottle.").ok
    assert not c.check("AquaSmart Bottle converts better than Lumi Buds Pro.").ok


def test_from_to_roles():
    c = checker(change())
    assert c.check("Conversion went down from 8.0% to 6.5%.").ok
    assert not c.check("Conversion went down from 6.5% to 8.0%.").ok


# ---------------------------------------------------------------- entities
def test_foreign_entity_loses_its_sentence():
    c = checker(breakdown())
    v = c.check("Apple AirPods convert far better than Lumi Buds Pro.")
    assert not v.ok and any("Apple" in r or "AirPods" in r for r in v.reasons)
    assert not c.check("「超能耳机」卖得最好。").ok
    assert not c.check("Sony 的耳机更受欢迎。").ok
    assert c.check("Lumi shoppers like the Buds Pro.").ok


def test_dates_periods_and_question_numbers_are_not_metric_claims():
    c = checker(breakdown(), question="top 5 products last 7 days")
    assert c.check("In the last 7 days (2026-11-16 – 2026-11-22) Lumi Buds Pro led.").ok
    assert not c.check("In the last 30 days Lumi Buds Pro led.").ok
