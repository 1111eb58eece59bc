"""Number checking: every number a user sees must come from a source or the question."""

from bot.grounding import SourceNumbers, check_draft, extract_numbers, split_sentences


def values(text):
    return [n.value for n in extract_numbers(text)]


def test_extract_numbers_as_a_reader_sees_them():
    assert values("1,234 views, 12.5% conversion, 3.2万 users") == [1234.0, 12.5, 32000.0]
    # citation markers and list enumerators are not claims
    assert values("1. Buys rose [2]\n2) views fell [1, 3]") == []
    assert values("价格 ¥199，共 -5 单") == [199.0, -5.0]


def test_sentences_split_in_both_languages_without_breaking_decimals():
    assert split_sentences("转化率为2.34%。浏览1234次！好") == ["转化率为2.34%。", "浏览1234次！", "好"]
    assert split_sentences("It was 2.5% lower. Next.") == ["It was 2.5% lower.", " Next."]


SOURCES = SourceNumbers.build(
    ["Item 42: 1,234 viewers, conversion 2.34% in week 47.", "Weekly buys rose 18% to 250."],
    source_values=[[0.0234], []],
    extra_texts=["How did item 42 do in the last 7 days?"],
)


def test_invented_number_sentence_is_dropped_and_reported():
    draft = "Item 42 had 1,234 viewers [1]. Revenue reached 99,000 yuan [1]. Buys rose 18% [2]."
    out = check_draft(draft, SOURCES, n_sources=2)
    assert "99,000" not in out.text
    assert out.removed == ("Revenue reached 99,000 yuan [1].",)
    assert out.unsupported == ("99,000",)
    assert out.text == "Item 42 had 1,234 viewers[1]. Buys rose 18%[2]."
    assert out.cited == (1, 2)


def test_flag_mode_keeps_the_sentence_but_marks_it():
    out = check_draft("Revenue reached 99,000 yuan.", SOURCES, n_sources=2, mode="flag", flag_text=" ⚠")
    assert out.text == "Revenue reached 99,000 yuan ⚠."
    assert out.numbers_total == 1 and out.numbers_backed == 0


def test_rounding_percent_of_a_fraction_and_question_numbers_are_backed():
    # 2.3% rounds 2.34%; "7 days" and "42" come from the question
    out = check_draft("In the last 7 days item 42 converted at 2.3%.", SOURCES, n_sources=2)
    assert out.removed == ()
    assert out.numbers_backed == 3
    # the sentence is pointed at the source that holds 2.34%
    assert out.text.endswith("2.3%[1].")
    # a rounding that the source does not support is not accepted
    assert check_draft("Conversion was 2.5%.", SOURCES, n_sources=2).removed == ("Conversion was 2.5%.",)


def test_wrong_citation_is_replaced_by_the_source_holding_the_number():
    out = check_draft("Buys rose 18% [1].", SOURCES, n_sources=2)
    assert out.text == "Buys rose 18%[1]."  # renumbered: the only cited source is old [2]
    assert out.cited == (2,)


def test_out_of_range_markers_are_removed_and_chinese_works():
    out = check_draft("商品42转化率为2.34%[7]。销售额为8.8万元。", SOURCES, n_sources=2)
    assert "8.8万" not in out.text
    assert out.text == "商品42转化率为2.34%[1]。"


def test_uncited_sentence_is_attributed_by_shared_words_only_when_clear():
    out = check_draft("Weekly buys rose strongly. Nice weather today.", SOURCES, n_sources=2)
    assert out.text == "Weekly buys rose strongly[1]. Nice weather today."
    assert out.cited == (2,)
    # too little overlap, or only words every source has (the product name): no citation invented
    assert check_draft("Rose again.", SOURCES, n_sources=2).cited == ()
    reviews = SourceNumbers.build(["Review: Lumi Buds Pro. Great sound.", "Review: Lumi Buds Pro. Weak battery."])
    assert check_draft("Customers like the Lumi Buds Pro.", reviews, n_sources=2).cited == ()
    assert check_draft("Some say the Lumi Buds Pro battery is weak.", reviews, n_sources=2).cited == (2,)


def test_numbered_lists_keep_their_enumerators_and_are_not_claims():
    draft = "步骤如下。 1. 打开订单页面[1]。 2. 申请退货。 3. 收到退货后3个工作日内退款[1]。"
    src = SourceNumbers.build(["退货流程：打开订单页面，申请退货，收到退货后3个工作日内原路退款。"])
    out = check_draft(draft, src, n_sources=1)
    assert out.removed == ()
    assert out.text.splitlines() == ["步骤如下。", "1. 打开订单页面[1]。", "2. 申请退货[1]。", "3. 收到退货后3个工作日内退款[1]。"]
    en = check_draft("Steps:\n1. Open your order.\n2. Wait 9 days.", SourceNumbers.build(["Open your order page."]), n_sources=1)
    assert en.text == "Steps:\n1. Open your order[1]." and en.removed == ("2. Wait 9 days.",)


def test_an_insight_indexed_in_both_languages_is_one_source_in_the_question_language():
    from bot.answering import one_per_insight
    from knowledge.types import Hit

    def hit(id_, lang, score):
        return Hit(id=id_, kind="insight", text=id_, score=score, title=id_,
                   metadata={"insight_id": id_.split("@")[0], "lang": lang})

    review = Hit(id="review:1", kind="review", text="r", score=0.5, title="r", metadata={"lang": "zh"})
    hits = [hit("insight:a", "en", 0.9), review, hit("insight:a@zh", "zh", 0.8), hit("insight:b", "en", 0.7)]
    assert [h.id for h in one_per_insight(hits, "zh")] == ["insight:a@zh", "review:1", "insight:b"]
    assert [h.id for h in one_per_insight(hits, "en")] == ["insight:a", "review:1", "insight:b"]
