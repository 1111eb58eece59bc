"""Builds tests/data/pii_holdout.jsonl: variants written AFTER the redactor was fixed against
pii_corpus.jsonl, to check that the fix generalises instead of fitting the corpus. Same markup
as make_pii_corpus.py. The first score on it is recorded in docs/BENCHMARKS.md.

    /work/main/.venv/bin/python tests/data/make_pii_holdout.py
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

_spec = importlib.util.spec_from_file_location("make_pii_corpus", Path(__file__).with_name("make_pii_corpus.py"))
_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_mod)

PII = [
    ("zh", "phone", "收件电话:⟦PHONE:186 0000 1234⟧"),
    ("zh", "phone", "TEL⟦PHONE:15912345678⟧转给快递"),
    ("zh", "phone", "cell⟦PHONE:１５９．１２３４．５６７８⟧"),
    ("zh", "phone", "电话号码⟦PHONE:+86 (0)138 1234 5678⟧"),
    ("zh", "phone", "我老公的号⟦PHONE:13300001111⟧别打错"),
    ("zh", "landline", "前台⟦PHONE:0512-6688 1234⟧"),
    ("zh", "landline", "电话⟦PHONE:02887654321⟧"),
    ("en", "phone", "ring ⟦PHONE:+1 212-555-0188⟧ ext 12"),
    ("en", "phone", "my mobile⟦PHONE:+852 9123 4567⟧"),
    ("en", "phone", "call me: ⟦PHONE:(212)555-0188⟧"),
    ("en", "email", "⟦EMAIL:Maria.López@ejemplo.mx⟧ wrote in"),
    ("zh", "email", "邮件⟦EMAIL:王芳@电子邮件.中国⟧"),
    ("en", "email", "reply to ⟦EMAIL:support-team.lead@shop.example.com.au⟧ asap"),
    ("zh", "email", "邮箱地址:⟦EMAIL:xiaoming2000＠sina.com⟧"),
    ("en", "email", "mail ⟦EMAIL:k.tanaka (at) example (dot) jp⟧"),
    ("zh", "id", "身份证号：⟦ID:4403041990 01014514⟧"),
    ("zh", "id", "证件号码⟦ID:５１０１０７１９８５１１２０３３２５⟧"),
    ("en", "id", "passport no longer valid, use ID⟦ID:370202198805206174⟧"),
    ("zh", "id", "身份证 ⟦ID:3301 0619 7803 0820 14⟧ 请核对"),
    ("zh", "card", "卡⟦CARD:6217 0012 3456 7890 122⟧已冻结"),
    ("en", "card", "CC#⟦CARD:4111111111111111⟧"),
    ("zh", "card", "银行卡号是⟦CARD:5555-5555-5555-4444⟧"),
    ("en", "card", "billing card ⟦CARD:３７８２ ８２２４６３ １０００５⟧"),
    ("zh", "address", "寄⟦ADDRESS:杭州市滨江区江南大道3850号⟧"),
    ("zh", "address", "地址 ⟦ADDRESS:上海市徐汇区漕溪北路88号⟧"),
    ("zh", "address", "放⟦ADDRESS:北京市朝阳区东三环中路1号⟧前台"),
    ("zh", "address", "送货：⟦ADDRESS:南山区粤海街道科技南十二路2号⟧"),
    ("en", "address", "ship to ⟦ADDRESS:1 Microsoft Way⟧, Redmond"),
    ("en", "address", "deliver ⟦ADDRESS:2 E 55th St⟧ please"),
    ("en", "address", "my place is ⟦ADDRESS:45 Rockefeller Plaza⟧"),
    ("zh", "account", "微信⟦ACCOUNT:chen_xiao99⟧，拉你进群"),
    ("zh", "account", "QQ号码⟦ACCOUNT:384756291⟧"),
    ("en", "account", "wechat: ⟦ACCOUNT:Jenny-88-SH⟧"),
    ("zh", "account", "加vx⟦ACCOUNT:buyer_2024⟧发图"),
    # probes written after the first holdout score (34/34, 0/24): these two were missed, then fixed
    ("zh", "phone", "电话⟦PHONE:一三八一二三四五六七八⟧"),
    ("en", "phone", "call ⟦PHONE:1 3 8 1 2 3 4 5 6 7 8⟧"),
]

LOOKALIKES = [
    ("zh", "order", "订单号 6222021234567890128 已退款"),
    ("en", "order", "order id 13912345678 is wrong"),
    ("zh", "order", "物流单号：JD0123456789012"),
    ("en", "order", "PO 4500012345 approved"),
    ("zh", "price", "单价 ¥13.8，共 1234 件，合计 ¥17,029.20"),
    ("en", "price", "from $415.55 to $501.32"),
    ("zh", "date", "2024年03月15日 08:00:00 至 2024年03月16日"),
    ("en", "date", "on 2024.03.15 at 18:30"),
    ("en", "date", "epoch 1700000000123"),
    ("en", "version", "release 10.0.19045.3693"),
    ("zh", "version", "微信 8.0.49 版本有bug"),
    ("en", "model", "iPad Pro 12.9 M2 256GB"),
    ("zh", "model", "华硕 ROG 枪神8 Plus 超竞版"),
    ("en", "model", "Bose QC45, Model 425948"),
    ("zh", "number", "转化率从 3.2% 降到 2.9%"),
    ("en", "number", "12 Angry Men on DVD"),
    ("en", "number", "we sold 350 Fifth-gen units"),
    ("zh", "place", "北京路上的店 3 楼"),
    ("zh", "place", "5号店今天关门"),
    ("en", "at", "contact @support_team in the app"),
    ("zh", "at", "QQ群 更新了公告"),
    ("en", "number", "VIN 1HGCM82633A004352"),
    ("en", "number", "MAC 00:1A:2B:3C:4D:5E"),
    ("zh", "number", "共 13812345 人次访问"),
    # probes written after the first holdout score: these three were false positives, then fixed
    ("en", "at", "I shop at amazon.com a lot"),
    ("en", "at", "I bought it at target.com for $20"),
    ("en", "at", "look at github.io docs"),
    # found running the redactor over ../shared/data reviews (a false positive, then fixed)
    ("zh", "order", "收到一张发票号码：02840189(上面写着订单号：4491950）"),
]


def main() -> None:
    rows = []
    for i, (lang, kind, marked) in enumerate(PII + LOOKALIKES):
        text, spans = _mod.unmark(marked)
        rows.append({"id": 10001 + i, "lang": lang, "kind": kind, "text": text, "spans": spans})
    path = Path(__file__).with_name("pii_holdout.jsonl")
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{path}: {sum(1 for r in rows if r['spans'])} PII strings, {sum(1 for r in rows if not r['spans'])} look-alikes")


if __name__ == "__main__":
    main()
