"""Pseudonyms (keyed HMAC, key file 0600) and PII redaction, with real-looking examples in
Chinese and English — including text that must NOT be touched."""

import os
import stat

import numpy as np
import pytest

from knowledge.privacy import Privacy, Pseudonymizer, load_key, luhn_ok, redact, valid_cn_id
from knowledge.settings import PrivacySettings
from knowledge.types import KnowledgeError

_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def cn_id(first17: str) -> str:
    """A resident ID with the correct check digit."""
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, _W)) % 11]


def luhn_complete(prefix: str) -> str:
    """prefix + the digit that makes the Luhn checksum valid."""
    for d in "0123456789":
        if luhn_ok(prefix + d):
            return prefix + d
    raise AssertionError


ID_OK = cn_id("11010519491231002")  # → ...002X
ID_OK_SH = cn_id("31011519870615123")
ID_BAD = ID_OK_SH[:-1] + ("0" if ID_OK_SH[-1] != "0" else "1")  # wrong check digit
CARD_VISA = luhn_complete("411111111111111")  # 16 digits
CARD_UNIONPAY19 = luhn_complete("622202123456789012")  # 19 digits


# ------------------------------------------------------------------ key and pseudonyms
def test_key_file_is_created_0600_and_reused(tmp_path):
    key_file = tmp_path / "keys" / "pseudonym.key"
    k1 = load_key(None, key_file)
    assert key_file.exists()
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert len(k1) == 32
    assert load_key(None, key_file) == k1  # second use reads, does not regenerate


def test_env_key_wins_over_file_hex_or_text(tmp_path):
    key_file = tmp_path / "k.key"
    s = PrivacySettings(key_env="GP_TEST_KEY", key_file=key_file)
    hex_key = "ab" * 32
    p_hex = Pseudonymizer.from_settings(s, env={"GP_TEST_KEY": hex_key})
    assert p_hex.one("42") == Pseudonymizer(bytes.fromhex(hex_key)).one("42")
    p_txt = Pseudonymizer.from_settings(s, env={"GP_TEST_KEY": "a long passphrase of text"})
    assert p_txt.one("42") == Pseudonymizer(b"a long passphrase of text").one("42")
    assert not key_file.exists()  # the env key was used: no file created
    with pytest.raises(KnowledgeError):
        load_key("short", key_file)


def test_pseudonyms_are_stable_keyed_and_not_the_id():
    a, b = Pseudonymizer(b"k" * 32), Pseudonymizer(b"j" * 32)
    p = a.one("1000234")
    assert p.startswith("u_") and len(p) == 18 and "1000234" not in p
    assert a.one("1000234") == p == a.one(" 1000234 ") == a.one(1000234) == a.one(1000234.0)
    assert b.one("1000234") != p  # another key, another pseudonym
    assert a.one("1000235") != p
    assert a.one("") == "" and a.one(None) == ""


def test_many_maps_uniques_once_and_matches_one():
    p = Pseudonymizer(b"k" * 32)
    ids = np.array([5, 7, 5, 9, 7, 5] * 1000, dtype=np.int64)
    out = p.many(ids)
    assert len(out) == len(ids)
    assert set(out) == {p.one(5), p.one(7), p.one(9)}
    assert out[0] == out[2] == p.one("5")
    assert list(p.many(["x", None, "y"])) == [p.one("x"), "", p.one("y")]


# ------------------------------------------------------------------ redaction: positives
POSITIVES = [
    ("请联系我 zhang.wei88@163.com 谢谢", {"EMAIL": 1}, ["zhang.wei88@163.com"]),
    ("Email me at jane.doe+shop@example.co.uk about the refund", {"EMAIL": 1}, ["jane.doe+shop@example.co.uk"]),
    ("我的手机13812345678，有问题打给我", {"PHONE": 1}, ["13812345678"]),
    ("邮箱zw_2023@qq.com谢谢", {"EMAIL": 1}, ["zw_2023@qq.com"]),
    ("订单有问题打13812345678", {"PHONE": 1}, ["13812345678"]),  # "订单" nearby but not labelling the number
    (f"卡号{CARD_VISA}谢谢", {"CARD": 1}, [CARD_VISA]),
    ("电话：+86 139 1234 5678（白天）", {"PHONE": 1}, ["139 1234 5678"]),
    ("手机 186-0101-2345 收货", {"PHONE": 1}, ["186-0101-2345"]),
    ("Call me on +44 20 7946 0958 after 6pm", {"PHONE": 1}, ["7946 0958"]),
    ("US number (415) 555-0132 works too", {"PHONE": 1}, ["555-0132"]),
    ("客服座机 010-62345678 一直占线", {"PHONE": 1}, ["62345678"]),
    (f"身份证号{ID_OK}，实名认证用", {"ID": 1}, [ID_OK]),
    (f"ID {ID_OK_SH} for customs", {"ID": 1}, [ID_OK_SH]),
    (f"退款到卡号 {CARD_UNIONPAY19[:4]} {CARD_UNIONPAY19[4:8]} {CARD_UNIONPAY19[8:12]} {CARD_UNIONPAY19[12:16]} "
     f"{CARD_UNIONPAY19[16:]}", {"CARD": 1}, [CARD_UNIONPAY19[4:8]]),
    (f"charged twice on card {CARD_VISA[:4]}-{CARD_VISA[4:8]}-{CARD_VISA[8:12]}-{CARD_VISA[12:]}", {"CARD": 1},
     [CARD_VISA[4:8]]),
    ("请寄到北京市朝阳区建国路88号SOHO现代城5号楼1203室，谢谢", {"ADDRESS": 1}, ["建国路88号", "1203室"]),
    ("我住在广东省深圳市南山区科苑路15号，快递总是送错", {"ADDRESS": 1}, ["科苑路15号"]),
    ("收货地址：上海市浦东新区张江镇碧波路690号", {"ADDRESS": 1}, ["碧波路690号"]),
    ("Ship it to 221 Baker Street, Apt 4B please", {"ADDRESS": 1}, ["221 Baker Street", "Apt 4B"]),
    ("I live at 1600 Pennsylvania Avenue and it never arrived", {"ADDRESS": 1}, ["1600 Pennsylvania Avenue"]),
]


@pytest.mark.parametrize("text, counts, gone", POSITIVES, ids=[p[0][:24] for p in POSITIVES])
def test_pii_is_redacted(text, counts, gone):
    r = redact(text)
    assert r.counts == counts, r.text
    for g in gone:
        assert g not in r.text
    for tag in counts:
        assert f"[{tag}]" in r.text


def test_mixed_message_counts_every_kind():
    text = (f"张伟 13812345678 / zw@example.cn / 身份证 {ID_OK} / 卡 {CARD_VISA} / "
            "地址：杭州市西湖区文三路478号")
    r = redact(text)
    assert r.counts == {"PHONE": 1, "EMAIL": 1, "ID": 1, "CARD": 1, "ADDRESS": 1}
    assert r.total == 5
    assert r.text.startswith("张伟 [PHONE] / [EMAIL] / 身份证 [ID] / 卡 [CARD] / 地址：[ADDRESS]")


# ------------------------------------------------------------------ redaction: negatives
NEGATIVES = [
    "价格¥199，原价1299元，太值了",
    "Only $19.99 for two bottles, was $29.99",
    "已经下单3次了，这是第12个订单",
    "2024-03-15 下单，2024年3月15日到货，3月18日评价",
    "Ordered on 2024-03-15, arrived March 18, 2024",
    "比 iPhone 15 Pro 还好用，显卡是 RTX4090，型号 SKU-20231115",
    "Model LM-2024 with 5000mAh battery, 65W charging, 1080p",
    "订单号 1234567812345678 还没发货",  # 16 digits, fails Luhn
    f"编号 {ID_BAD} 不对",  # 18 digits, bad ID check digit
    "评分 4.5/5，用了 30 天，续航 12 小时",
    "Battery lasts 10 hours; I gave it 5 stars out of 5",
    "timestamp 1511544070 in the log",
    "这条路很好走，坐3号线地铁就到",
    "南京路步行街很热闹",
    "Bought 2 Lumi Bottles at 3pm",
    "空调得弄一弄了，实在太吵了",  # 弄 + a Chinese numeral is not a lane number
    "订单号：13812345678 还没发货",  # an order number shaped like a mobile
    f"Order #{CARD_VISA} shipped yesterday",  # an order number that passes Luhn
    "驱动地址: http://example.com/driver530.zip",  # a download address is not a street address
]


@pytest.mark.parametrize("text", NEGATIVES, ids=[t[:20] for t in NEGATIVES])
def test_ordinary_numbers_are_not_redacted(text):
    r = redact(text)
    assert r.text == text and r.counts == {}


def test_bad_id_checksum_and_non_luhn_are_really_invalid():
    # the negatives above are only meaningful if the numbers really fail their checks
    assert valid_cn_id(ID_OK) and valid_cn_id(ID_OK_SH) and not valid_cn_id(ID_BAD)
    assert not luhn_ok("1234567812345678") and luhn_ok(CARD_VISA)
    assert not luhn_ok(ID_BAD) or ID_BAD[0] in "3456"  # if it passes Luhn, the ID-shape rule must protect it


def test_addresses_can_be_switched_off():
    s = PrivacySettings(key_file=__import__("pathlib").Path("/nonexistent"), redact_addresses=False)
    p = Privacy.from_settings(s, env={s.key_env: "cd" * 32})
    r = p.redactor.redact("寄到北京市朝阳区建国路88号，电话13812345678")
    assert r.counts == {"PHONE": 1}
    assert "建国路88号" in r.text
