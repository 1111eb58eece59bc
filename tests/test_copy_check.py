"""The copy fact check in general form: a variant may state only product facts its sources (the
catalogue row, docs, reviews) hold. A sentence adding a feature, a promise or a foreign brand loses
that sentence; a sentence saying what the sources say is kept (over-removal is a failure too)."""

from bot.copywriting import check_copy

BOTTLE_ZH = [
    ("商品目录：Lumi 智能保温水杯", "Lumi 智能保温水杯: 智能保温水杯，12小时保温，到点发光提醒喝水，饮水量同步到 Lumi App。500毫升，USB-C 充电，一次充电约用20天。"),
    ("Review", "保温效果很好，早上灌的热水下午还是烫的。"),
    ("保修政策", "所有 Lumi 设备自签收之日起享受1年质量问题保修；Lumi Buds Pro 降噪耳机和护眼台灯享受2年保修。我们会在7个工作日内维修或换新，并免费寄回。"),
    ("配送与退换货", "中国大陆：满99元包邮，不满99元运费8元；顺丰或京东物流，1–3天送达。"),
]
BOTTLE_EN = [
    ("catalogue: Lumi AquaSmart Bottle", "Lumi AquaSmart Bottle: Insulated smart bottle that keeps drinks hot for 12 hours, glows to remind you to drink "
     "and syncs your intake to the Lumi app. 500 ml, USB-C charging, battery lasts about 20 days."),
    ("Shipping and returns", "Mainland China: free over ¥99, otherwise ¥8. Free shipping in mainland China. You can return any product within "
     "30 days of delivery for a full refund."),
    ("Review", "Keeps my coffee hot until the afternoon. Nice gift-ready packaging."),
]
LAMP_EN = [("catalogue: Lumi Halo Desk Lamp", "Lumi Halo Desk Lamp: Flicker-free LED desk lamp with Ra95 colour rendering, five colour "
            "temperatures and an auto-dim ambient sensor."),
           ("Lumi Halo Desk Lamp (product page)", "¥259. Free shipping in mainland China. Flicker-free; Ra95; 5 colour temperatures 2700–6500 K.")]


def check(v, facts):
    return check_copy(v, facts, allowed_names=["Lumi", "Lumi 智能保温水杯", "Lumi AquaSmart Bottle", "Lumi Halo Desk Lamp"])


# ---------------------------------------------------------------------- failing cases (test-first)
def test_zh_invented_features_lose_their_sentence():
    v = "12小时保温，到点发光提醒喝水。内置温度调节，防蛀设计。"
    c = check(v, BOTTLE_ZH)
    assert c.text == "12小时保温，到点发光提醒喝水。"
    assert any("温度调节" in w or "防蛀" in w for _, w in c.removed)


def test_zh_numeral_with_the_wrong_unit_is_not_supported():
    """"两小时": the sources hold 2 only as years of warranty, never as hours of charging."""
    c = check("12小时保温。一次充电只需两小时。", BOTTLE_ZH)
    assert c.text == "12小时保温。"


def test_promise_word_found_elsewhere_in_the_sources_does_not_license_another_promise():
    """Docs say "free shipping"; that does not make a "free gift" true."""
    c = check("Keeps drinks hot for 12 hours. Get a free gift with every order.", BOTTLE_EN)
    assert c.text == "Keeps drinks hot for 12 hours."
    c = check("12小时保温。下单即享免费试用。", BOTTLE_ZH)  # 免费 is in the docs only as 免费寄回
    assert c.text == "12小时保温。"


def test_en_invented_feature_loses_its_sentence():
    c = check("Keeps drinks hot for 12 hours. Features a built-in UV sterilizer and a temperature display.", BOTTLE_EN)
    assert c.text == "Keeps drinks hot for 12 hours."
    c = check("Flicker-free light for late nights. Its anti-blue-light technology protects your eyes.", LAMP_EN)
    assert c.text == "Flicker-free light for late nights."


def test_foreign_brand_in_a_comparison_loses_its_sentence():
    c = check("12小时保温。静音效果媲美戴森。", BOTTLE_ZH)
    assert c.text == "12小时保温。"
    c = check("Keeps drinks hot for 12 hours. Works with your Apple Watch.", BOTTLE_EN)
    assert c.text == "Keeps drinks hot for 12 hours."


def test_certification_and_warranty_not_in_the_sources_are_removed():
    c = check("12小时保温。享受三年质保，通过国际安全认证。", BOTTLE_ZH)
    assert c.text == "12小时保温。"
    c = check("Keeps drinks hot for 12 hours. Backed by a 3-year warranty.", BOTTLE_EN)
    assert c.text == "Keeps drinks hot for 12 hours."


# ---------------------------------------------------------------------- good copy is kept
def test_copy_that_restates_the_sources_is_kept_whole():
    for v, facts in [
        ("12小时保温，到点发光提醒喝水。早上灌的热水下午还是烫的！", BOTTLE_ZH),
        ("满99元包邮，让好水杯陪你上班。", BOTTLE_ZH),
        ("Keeps your coffee hot for 12 hours and reminds you to drink. Free shipping in mainland China.", BOTTLE_EN),
        ("Flicker-free light with five colour temperatures. Your desk, softly lit.", LAMP_EN),
        ("Stay warm, stay hydrated, stay Lumi.", BOTTLE_EN),
        ("每一口都刚刚好，陪你度过忙碌的一天。", BOTTLE_ZH),
    ]:
        c = check(v, facts)
        assert c.text == v, (v, c.removed)


def test_each_variant_lists_the_sources_its_claims_drew_on():
    c = check("Keeps your coffee hot for 12 hours. Free shipping in mainland China.", BOTTLE_EN)
    assert "catalogue: Lumi AquaSmart Bottle" in c.drew_on and "Shipping and returns" in c.drew_on
    assert "Review" not in c.drew_on or "coffee" in c.text


def test_names_are_blanked_as_whole_words_only():
    """Found on the dev rows: masking the product's words inside others ("power" in "powerful",
    "app" in "approximately") left fragments that were then read as unsupported claims."""
    from bot.copycheck import _mask

    assert _mask("powerful app, approximately", ["power", "app"]) == "powerful \u2063\u2063\u2063, approximately"
    assert _mask("Lumi魔方充电宝", ["Lumi"]) == "\u2063\u2063\u2063\u2063魔方充电宝"
