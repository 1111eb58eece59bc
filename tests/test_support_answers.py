"""Support answers from the passage, over the bundled demo shop's real docs (en + zh), the real
USE embedder, FAISS + BM25 in tmp, and the real Assistant (customer audience). Assertions are on
what the customer reads and on what the team is sent on a hand-over."""

import asyncio
import re
import threading

import pytest

from bot.assistant import Assistant
from bot.settings import AssistantSettings
from bot.support.faithfulness import check
from bot.types import Message
from llm.fake import FakeGenerator

PAYMENT_EN = "You can order on lumi.example, on our Tmall flagship store and in the Lumi app. We accept Alipay, WeChat Pay,\nUnionPay and international Visa/Mastercard. Prices include VAT."
PAYMENT_ZH = "可以在 Lumi 官网、天猫旗舰店和 Lumi App 下单。支持支付宝、微信支付、银联和 Visa/Mastercard。价格已含税。"
RETURNS_EN = "You can return any product within 30 days of delivery for a full refund, no questions asked, as long as it is complete and in its original packaging. Opened earbuds must be returned with all ear tips for hygiene reasons."


# ---------------------------------------------------------------- the faithfulness check (no model, no index)
def test_a_payment_method_the_passage_lacks_loses_its_sentence():
    c = check("We accept Alipay and WeChat Pay. PayPal works too.", PAYMENT_EN, twin=PAYMENT_ZH)
    assert c.text == "We accept Alipay and WeChat Pay."
    assert "paypal" in c.removed[0].reason


def test_a_duration_the_passage_lacks_loses_its_sentence():
    c = check("You can return any product within 60 days. Opened earbuds need all ear tips.", RETURNS_EN)
    assert c.text == "Opened earbuds need all ear tips."
    assert "60" in c.removed[0].reason


def test_a_chinese_duration_in_words_is_checked_too():
    c = check("签收后三十天内可以退货。", "签收后7天内可以退货。")
    assert c.text == "" and "30" in c.removed[0].reason


def test_a_yes_the_passage_does_not_give_loses_its_sentence():
    c = check("Yes, you can pay with PayPal. We accept Alipay, WeChat Pay, UnionPay and Visa/Mastercard.", PAYMENT_EN, question="Can I pay with PayPal?")
    assert c.text == "We accept Alipay, WeChat Pay, UnionPay and Visa/Mastercard."
    c = check("可以的，支持PayPal。", PAYMENT_ZH, twin=PAYMENT_EN, question="可以用PayPal付款吗？")
    assert c.text == ""


def test_a_yes_the_passage_backs_is_kept():
    c = check("Yes, opened earbuds can be returned with all ear tips.", RETURNS_EN, question="Can I return opened earbuds?")
    assert c.removed == [] and c.text.startswith("Yes")


def test_advice_the_passage_never_gives_is_dropped():
    # issue 12: a label copied into the reply and advice about third-party payment the policy never gives
    draft = "(doc · 配送与退换货 › 30天无忧退货) 考虑使用第三方支付方式（如支付宝或微信支付），这样可以避免直接通过Lumi App退款[1]。"
    c = check(draft, "签收后30天内，商品完整、包装齐全即可无理由退货并全额退款。已拆封的耳机需连同全部耳塞一起退回。")
    assert c.text == ""


# ---------------------------------------------------------------- end to end over the demo docs
@pytest.fixture(scope="module")
def retriever(tmp_path_factory):
    from growthpilot.demo import DATA_DIR
    from knowledge.embeddings import USEEmbedder
    from knowledge.indexing import update_collection
    from knowledge.ingest import ingest_catalog, ingest_docs
    from knowledge.privacy import Privacy
    from knowledge.search import collection_path, open_public_retriever
    from knowledge.settings import IndexSettings, IngestSettings, SearchSettings
    from knowledge.store import Store

    root = tmp_path_factory.mktemp("support-kb")
    store = Store.open(root)
    privacy = Privacy.from_key(b"test-support-key-0123456789abcdef")
    ingest_catalog(DATA_DIR / "catalog.csv", store, privacy, IngestSettings(), progress=False)
    ingest_docs(DATA_DIR / "docs", store, privacy, IngestSettings(), progress=False)
    embedder = USEEmbedder()
    update_collection(collection_path(root, "public"), "public", store.documents("public"), embedder, IndexSettings(), progress=False)
    return open_public_retriever(root, embedder, IndexSettings(), SearchSettings())


class Notifier:
    def __init__(self):
        self.sent = []

    async def __call__(self, handover):
        self.sent.append(handover)


@pytest.fixture
def make(retriever, tmp_path):
    def build(replies=(), *, rephrase=False, public=None):
        gen = FakeGenerator(replies)
        notifier = Notifier()
        a = Assistant(AssistantSettings(default_locale="en", support_rephrase=rephrase), generator=gen, team_retriever=None,
                      public_retriever=public or retriever, store_path=tmp_path / "bot.sqlite", reports=None, notify_handover=notifier)
        return a, gen, notifier

    return build


def ask(a, text, thread="c1"):
    return asyncio.run(a.handle(Message("telegram", "chat1", "cust1", text, thread=thread, audience="customer", is_direct=True)))


def test_paypal_is_answered_from_what_the_faq_says_never_with_a_yes(make):
    a, gen, notifier = make()
    r = ask(a, "Can I pay with PayPal?")
    assert not r.handover and gen.prompts == []
    for method in ("Alipay", "WeChat Pay", "UnionPay", "Visa/Mastercard"):
        assert method in r.text
    assert "paypal" not in r.text.lower() and not r.text.lower().startswith(("yes", "sure"))
    assert r.citations[0].id == "doc:en/faq.md#0"
    r = ask(a, "可以用PayPal付款吗？", thread="c2")
    assert "支付宝" in r.text and "微信支付" in r.text and "PayPal" not in r.text
    assert not r.text.startswith(("可以", "是的", "支持PayPal")) and r.citations[0].id == "doc:zh/faq.md#0"


def test_the_reply_is_in_the_customers_language_using_the_paired_section(make):
    a, _, _ = make()
    zh = ask(a, "台灯保修几年", thread="z")
    assert "2年" in zh.text and zh.citations[0].id.startswith("doc:zh/") and zh.data["lang"] == "zh"
    en = ask(a, "How long is the warranty on the Halo desk lamp?", thread="e")
    assert ("2 years" in en.text or "2-year warranty" in en.text) and en.citations[0].id.startswith("doc:en/") and "保修" not in en.text
    mixed = ask(a, "我的Buds Pro耳机坏了，warranty多久？", thread="m")
    assert "2年" in mixed.text and mixed.data["lang"] == "zh"


def test_issue_questions_get_the_policy_answer_without_labels(make):
    a, _, _ = make()
    r = ask(a, "耳机坏了可以退货吗？要自己付运费吗？")
    assert "30天" in r.text and "免运费" in r.text
    assert "(doc" not in r.text and "（doc" not in r.text and "[1]" not in r.text and "›" not in r.text
    r = ask(a, "我的快递三天了还没到，怎么办", thread="late")
    assert not r.handover and "没找到" not in r.text and ("物流单号" in r.text or "support@lumi.example" in r.text)


def test_follow_up_is_answered_in_the_context_of_the_previous_question(make):
    a, _, _ = make()
    first = ask(a, "How long does delivery take in mainland China?")
    assert "1–3 days" in first.text
    r = ask(a, "and to Hong Kong?")
    assert "5–10 working days" in r.text and r.data["follow_up"] is True
    ask(a, "中国大陆多久能送到？", thread="zh")
    r = ask(a, "那香港呢？", thread="zh")
    assert "5–10个工作日" in r.text and r.data["lang"] == "zh"


def test_no_passage_hands_over_and_says_so(make):
    a, gen, notifier = make()
    r = ask(a, "Do you offer gift wrapping?")
    assert r.handover and r.data["handover_reason"] == "low confidence"
    assert "couldn't find" in r.text and "colleague" in r.text
    (h,) = notifier.sent
    assert h.transcript[0] == ("user", "Do you offer gift wrapping?") and h.lang == "en"
    r = ask(a, "可以礼品包装吗？", thread="z")
    assert r.handover and "转给同事" in r.text


@pytest.mark.parametrize("text,reason", [("转人工", "asked for a person"), ("Can I speak to a real person about my refund?", "asked for a person"),
                                         ("太过分了！！耳机用了两天就坏了，垃圾", "angry")])
def test_request_and_anger_hand_over(make, text, reason):
    a, gen, notifier = make()
    r = ask(a, text)
    assert r.handover and r.data["handover_reason"] == reason and notifier.sent[0].reason == reason


def test_a_rephrased_draft_that_adds_a_claim_is_not_sent(make):
    a, gen, _ = make(["Yes! We accept PayPal, Alipay and WeChat Pay (doc · Lumi FAQ › Ordering and payment) [1]."], rephrase=True)
    r = ask(a, "Can I pay with PayPal?")
    assert len(gen.prompts) == 1 and r.data["answer"] == "extractive" and r.data["removed_sentences"]
    assert "PayPal" not in r.text and "Alipay" in r.text and "(doc" not in r.text


def test_a_faithful_rephrased_draft_is_sent(make):
    a, gen, _ = make(["Shipping is free in mainland China for orders over ¥99; below that it costs ¥8."], rephrase=True)
    r = ask(a, "Is shipping free?")
    assert r.data["answer"] == "rephrased" and r.text == "Shipping is free in mainland China for orders over ¥99; below that it costs ¥8."


class ThreadRecorder:
    def __init__(self, inner):
        self.inner = inner
        self.threads = []

    def count(self):
        return self.inner.count()

    def search(self, query, k=8, *, kinds=None, filters=None):
        self.threads.append(threading.get_ident())
        return self.inner.search(query, k, kinds=kinds, filters=filters)


def test_support_search_runs_off_the_event_loop(make, retriever):
    rec = ThreadRecorder(retriever)
    a, _, _ = make(public=rec)
    loop_threads = []

    async def go():
        loop_threads.append(threading.get_ident())
        return await a.handle(Message("telegram", "chat1", "cust1", "Is shipping free?", thread="t", audience="customer", is_direct=True))

    r = asyncio.run(go())
    assert "99" in r.text and rec.threads and loop_threads[0] not in rec.threads


def test_a_follow_up_about_another_product_stays_on_the_topic(make):
    a, _, _ = make()
    first = ask(a, "How long is the warranty on the Buds Pro?")
    assert "2 years" in first.text
    r = ask(a, "what about the AquaSmart bottle?")
    assert r.data["passage_group"] == "warranty.md#0" and "1-year warranty" in r.text


@pytest.mark.parametrize("text, expected", [("retrun policy?", ("return",)), ("whats the retrun policy?", ("return",)),
                                            ("waranty on the desk lamp", ("2 years", "2-year"))])
def test_a_misspelt_support_word_is_read_as_the_word_it_is_one_letter_from(make, text, expected):
    a, _, notifier = make()
    r = ask(a, text, thread=text)
    assert not r.handover and not notifier.sent
    assert any(e in r.text.lower() for e in expected), r.text


def test_typo_correction_leaves_real_words_and_short_words_alone():
    from bot.support.lexicon import fix_typos

    assert fix_typos("retrun the waranty claim") == "return the warranty claim"
    assert fix_typos("Can I pay by paypal, and is delivery quick?") == "Can I pay by paypal, and is delivery quick?"
    assert fix_typos("耳机坏了 retrun") == "耳机坏了 return"
    assert fix_typos("whats the price, dont know") == "what's the price, don't know"
    assert fix_typos("How long do they play on one charge?") == "How long do they play on one charge?"



@pytest.mark.parametrize("text, price, not_price", [("AquaSmart 水杯多少钱", "199", "159"),
                                                    ("How much is the AquaSmart bottle?", "199", "159"),
                                                    ("AquaSmart Mini 多少钱？", "159", "199")])
def test_a_product_question_means_the_base_model_unless_it_names_the_variant(make, text, price, not_price):
    """"AquaSmart" is the ¥199 bottle; the ¥159 AquaSmart *Mini* is meant only when the customer says
    "Mini" (a wrong price is the costliest support answer)."""
    a, _, _ = make()
    r = ask(a, text, thread=text)
    assert price in r.text and not_price not in r.text, r.text


def test_every_section_is_scored_even_those_the_search_floor_drops(make):
    """The support path ranks every section itself: a Chinese question whose dense cosine to its section
    is below the search's dense floor ([search] dense_floor) still meets it by its words."""
    a, _, _ = make()
    r = ask(a, "价格含税吗？", thread="tax")
    assert not r.handover and "含税" in r.text, r.text


@pytest.mark.parametrize("text, fact", [("退款多久到账", "3个工作日"), ("When will my refund arrive after I send it back?", "3 working days")])
def test_a_sibling_section_does_not_win_through_the_page_title(make, text, fact):
    """Every section of "Shipping and returns" has the page's word "returns"; the refund timing is in
    the how-to-return section, not in the 30-day returns one."""
    a, _, _ = make()
    r = ask(a, text, thread=text)
    assert not r.handover and fact in r.text, r.text


@pytest.mark.parametrize("text, fact", [("Do you ship with DHL?", "SF Express"), ("能发圆通吗", "顺丰"),
                                        ("Is the return shipping free if I live in Germany?", "mainland China")])
def test_a_named_thing_the_docs_lack_is_answered_from_what_the_passage_names(make, text, fact):
    """A carrier, payment method or place the docs never name is still a question about carriers /
    payment / where: answered with what the passage does name (never a guessed yes), not handed over."""
    a, _, notifier = make()
    r = ask(a, text, thread=text)
    assert not r.handover and not notifier.sent and fact in r.text, r.text
    assert not re.match(r"\s*(yes|sure|可以|能|是的|当然)", r.text, re.I), r.text


@pytest.mark.parametrize("text, facts", [("How fast is delivery in mainland China, and do I pay for shipping?", ("1–3 days", "¥99")),
                                         ("多久能到货？运费怎么算？", ("1–3天", "99元")),
                                         ("How long is the desk lamp's warranty, and how do I make a claim?", ("2 years", "order number"))])
def test_each_part_of_a_two_part_question_is_answered(make, text, facts):
    a, _, _ = make()
    r = ask(a, text, thread=text)
    assert not r.handover and all(f in r.text for f in facts), r.text


def test_a_message_is_split_into_the_questions_it_asks():
    from bot.support.parts import split_parts

    assert split_parts("How long does it take, and is shipping free?") == ["How long does it take", "is shipping free?"]
    assert split_parts("可以退货吗？要自己付运费吗？") == ["可以退货吗？", "要自己付运费吗？"]
    assert split_parts("Can I pay with Visa and Mastercard?") == ["Can I pay with Visa and Mastercard?"]
    assert split_parts("it broke, can I get a refund?") == ["it broke, can I get a refund?"]


@pytest.mark.parametrize("turns", [["how do I track my parcel?", "how do I TRACK my parcel??", "I asked how to track my parcel"],
                                   ["我的退款什么时候到", "退款什么时候到？？", "你还是没回答"]])
def test_asking_the_same_thing_again_counts_as_a_failed_answer(make, turns):
    """A customer who repeats the question after an answer was not helped by it: after the second
    failure the conversation goes to a person, with the reason."""
    a, _, notifier = make()
    replies = [ask(a, t, thread="again") for t in turns]
    assert not replies[0].handover
    assert replies[-1].handover and replies[-1].data["handover_reason"] == "repeated failure"
    assert notifier.sent and notifier.sent[-1].reason == "repeated failure"


def test_a_new_question_on_the_same_topic_is_no_repeat(make):
    a, _, notifier = make()
    for t in ("How do I return an item?", "How long does the refund take?", "Is the return label free?"):
        r = ask(a, t, thread="topic")
        assert not r.handover, (t, r.text)


def test_saying_it_again_is_answered_as_the_question_then_handed_over(make):
    a, _, notifier = make()
    first = ask(a, "where is my refund", thread="r")
    again = ask(a, "I said where is my refund", thread="r")
    assert not again.handover and again.text == first.text
    third = ask(a, "refund still not here", thread="r")
    assert third.handover and third.data["handover_reason"] == "repeated failure"


@pytest.mark.parametrize("text, fact", [("水杯保修多长时间", "1年"), ("How long is the warranty on the power bank?", "1-year")])
def test_a_how_long_question_gets_the_section_that_states_a_duration(make, text, fact):
    """"What is not covered" shares the page's warranty words but states no duration: a "how long"
    question is answered from the section that says how long."""
    a, _, _ = make()
    r = ask(a, text, thread=text)
    assert not r.handover and fact in r.text, r.text


def test_each_part_keeps_the_kind_of_answer_it_asks_for(make):
    """"how long …" is asked by the first part only: the second part ("is shipping free?") is not
    steered to a section with durations."""
    a, _, _ = make()
    r = ask(a, "How long will delivery in mainland China take and is shipping free?", thread="p")
    assert "1–3 days" in r.text and "¥99" in r.text, r.text


@pytest.mark.parametrize("text, fact", [("退回商品的邮费谁来付？", "预付运单"), ("Who pays the postage when I send an item back?", "prepaid return label")])
def test_the_cost_of_sending_a_return_is_answered_from_the_return_steps(make, text, fact):
    """The return postage is in the how-to-return section (a prepaid label), not in the shipping rates."""
    a, _, _ = make()
    r = ask(a, text, thread=text)
    assert not r.handover and fact in r.text, r.text


@pytest.mark.parametrize("text", ["下单以后还能改收货人吗", "可以开公司抬头的发票吗"])
def test_a_chinese_question_the_docs_do_not_cover_is_handed_over(make, text):
    """The coverage gate for Chinese questions (jieba words): a near section that explains only the
    generic half of the question ("下单", "发票"…) is no answer."""
    a, _, notifier = make()
    r = ask(a, text, thread=text)
    assert r.handover and r.data["handover_reason"] == "low confidence", r.text


@pytest.mark.parametrize("text, fact", [("不喜欢的话能退吗", "30天"), ("买完降价了怎么办", "差价")])
def test_a_chinese_question_with_everyday_words_is_still_answered(make, text, fact):
    a, _, _ = make()
    r = ask(a, text, thread=text)
    assert not r.handover and fact in r.text, r.text


@pytest.mark.parametrize("text, fact", [("what's the time limit for returns?", "30 days"), ("退货有期限吗", "30天"),
                                        ("how many days do I have to send something back?", "30 days")])
def test_a_question_about_the_return_period_gets_the_period_not_the_steps(make, text, fact):
    a, _, _ = make()
    r = ask(a, text, thread=text)
    assert not r.handover and fact in r.text, r.text


@pytest.mark.parametrize("text, fact", [("Will my parcel go by FedEx?", "SF Express"), ("Do you deliver via FedEx?", "SF Express"), ("能走韵达快递吗", "顺丰"),
                                        ("能发申通吗", "顺丰"),
                                        ("Can I pay with the digital yuan (e-CNY)?", "Alipay"), ("可以用云闪付付款吗", "支付宝")])
def test_a_named_carrier_or_payment_method_meets_the_section_that_lists_them(make, text, fact):
    """Naming a carrier / payment method asks which ones we use: the section that lists carriers /
    payment methods answers (not the delivery-times section, not a hand-over), and never with a yes."""
    a, _, notifier = make()
    r = ask(a, text, thread=text)
    assert not r.handover and not notifier.sent and fact in r.text, r.text
    assert not re.match(r"\s*(yes|sure|可以|能|是的|当然)", r.text, re.I), r.text


@pytest.mark.parametrize("text, fact", [("how fast will a parcel reach Guangzhou?", "1–3"), ("How soon does an order get to Chengdu?", "1–3")])
def test_how_fast_asks_for_a_duration(make, text, fact):
    """"how fast / how quickly / how soon" ask how long it takes, like "how long"."""
    a, _, _ = make()
    r = ask(a, text, thread=text)
    assert not r.handover and fact in r.text, r.text


@pytest.mark.parametrize("text, fact", [("Is a return still possible 50 days after delivery?", "30 days"),
                                        ("Can I send the charger back after six weeks?", "30 days"), ("收货60天了还能退货吗", "30天")])
def test_a_return_after_a_stated_time_gets_the_return_period(make, text, fact):
    """A question stating how long ago it arrived asks about the return window: the 30-day rule, not
    the return steps, and never a yes."""
    a, _, _ = make()
    r = ask(a, text, thread=text)
    assert not r.handover and fact in r.text, r.text
    assert not re.match(r"\s*(yes|sure|可以|能|是的|当然)", r.text, re.I), r.text
