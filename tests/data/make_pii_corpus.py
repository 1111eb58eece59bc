"""Builds tests/data/pii_corpus.jsonl from the marked-up lines below (run it after editing them).

Markup: ⟦TAG:value⟧ marks one piece of personal data that redaction must remove; the JSONL
keeps the plain text and the expected spans [start, end, TAG]. Lines without a mark are
look-alikes (order numbers, prices, dates, ids, versions, times, model names) that must stay
exactly as they are. ID numbers and card numbers below carry valid check digits (ID: ISO 7064
mod 11-2, cards: Luhn) — a redactor that checks them must still find them.

    /work/main/.venv/bin/python tests/data/make_pii_corpus.py
"""

from __future__ import annotations

import json
import re
from pathlib import Path

# (lang, kind, marked text)
PII = [
    # ---------------------------------------------------------------- mobile phones (zh)
    ("zh", "phone", "我的手机⟦PHONE:13812345678⟧，有问题打给我"),
    ("zh", "phone", "Tel⟦PHONE:13812345678⟧ 收货前联系"),
    ("zh", "phone", "tel:⟦PHONE:13912345678⟧"),
    ("zh", "phone", "手机号码⟦PHONE:15012345678⟧谢谢"),
    ("zh", "phone", "联系方式 ⟦PHONE:138 1234 5678⟧ 白天打"),
    ("zh", "phone", "电话⟦PHONE:138-1234-5678⟧"),
    ("zh", "phone", "号码是⟦PHONE:138.1234.5678⟧，短信也行"),
    ("zh", "phone", "电话：⟦PHONE:+86 139 1234 5678⟧（白天）"),
    ("zh", "phone", "⟦PHONE:+8613912345678⟧ 是我老婆的"),
    ("zh", "phone", "打⟦PHONE:0086 186 0101 2345⟧找我"),
    ("zh", "phone", "手机⟦PHONE:(+86)186-0101-2345⟧收货"),
    ("zh", "phone", "我手机⟦PHONE:１３８１２３４５６７８⟧，麻烦尽快回电"),
    ("zh", "phone", "手机号：⟦PHONE:１３８－１２３４－５６７８⟧"),
    ("zh", "phone", "快递员打⟦PHONE:17700001111⟧也没人接"),
    ("zh", "phone", "有事call我⟦PHONE:18688889999⟧"),
    ("zh", "phone", "联系人张先生⟦PHONE:13600001234⟧"),
    ("zh", "phone", "加急！！⟦PHONE:19912345678⟧！！"),
    ("zh", "phone", "手机尾号不是1234，完整是⟦PHONE:13512341234⟧"),
    ("zh", "phone", "电话⟦PHONE:1381234 5678⟧"),
    ("zh", "phone", "收件人李四，⟦PHONE:13712345678⟧，放门口"),
    ("zh", "phone", "mobile⟦PHONE:15800001234⟧"),
    ("zh", "phone", "手机:⟦PHONE:138 1234-5678⟧"),
    ("zh", "phone", "请回电⟦PHONE:+86-138-1234-5678⟧"),
    ("zh", "phone", "号码⟦PHONE:86 138 1234 5678⟧也可以"),
    # ---------------------------------------------------------------- landlines (zh)
    ("zh", "landline", "客服座机 ⟦PHONE:010-62345678⟧ 一直占线"),
    ("zh", "landline", "座机⟦PHONE:010 6234 5678⟧晚上没人"),
    ("zh", "landline", "公司电话⟦PHONE:(010)62345678⟧"),
    ("zh", "landline", "电话 ⟦PHONE:0755-8888 6666⟧ 找前台"),
    ("zh", "landline", "单位电话⟦PHONE:021-6234-5678转123⟧"),
    ("zh", "landline", "座机：⟦PHONE:０２１－６２３４５６７８⟧"),
    ("zh", "landline", "家里电话⟦PHONE:0571 8765 4321⟧"),
    ("zh", "landline", "打⟦PHONE:（0755）26123456⟧找我"),
    ("zh", "landline", "Tel⟦PHONE:020-38765432⟧"),
    ("zh", "landline", "办公室⟦PHONE:+86 10 6234 5678⟧"),
    # ---------------------------------------------------------------- phones (en)
    ("en", "phone", "Call me on ⟦PHONE:+44 20 7946 0958⟧ after 6pm"),
    ("en", "phone", "US number ⟦PHONE:(415) 555-0132⟧ works too"),
    ("en", "phone", "my cell is ⟦PHONE:415.555.0132⟧"),
    ("en", "phone", "text ⟦PHONE:415-555-0132⟧ when it ships"),
    ("en", "phone", "Tel⟦PHONE:+14155550132⟧"),
    ("en", "phone", "phone:⟦PHONE:+1 (415) 555-0132⟧"),
    ("en", "phone", "reach me at ⟦PHONE:+1-415-555-0132⟧ please"),
    ("en", "phone", "WhatsApp ⟦PHONE:+49 151 23456789⟧"),
    ("en", "phone", "Ph.⟦PHONE:+81 3-1234-5678⟧ (Tokyo office)"),
    ("en", "phone", "call ⟦PHONE:+61 2 9374 4000⟧"),
    ("en", "phone", "my number: ⟦PHONE:＋１ ４１５ ５５５ ０１３２⟧"),
    ("en", "phone", "Phone⟦PHONE:4155550132⟧ – leave a message"),
    ("en", "phone", "The courier can call ⟦PHONE:+33 6 12 34 56 78⟧"),
    ("en", "phone", "mob: ⟦PHONE:07700 900123⟧"),
    # ---------------------------------------------------------------- e-mail
    ("zh", "email", "请联系我 ⟦EMAIL:zhang.wei88@163.com⟧ 谢谢"),
    ("zh", "email", "邮箱⟦EMAIL:zw_2023@qq.com⟧谢谢"),
    ("en", "email", "Email me at ⟦EMAIL:jane.doe+shop@example.co.uk⟧ about the refund"),
    ("zh", "email", "邮箱：⟦EMAIL:张三@例子.中国⟧"),
    ("en", "email", "write to ⟦EMAIL:josé.garcía@correo.es⟧ por favor"),
    ("en", "email", "⟦EMAIL:JOHN.SMITH@EXAMPLE.COM⟧ is my login"),
    ("zh", "email", "邮箱 ⟦EMAIL:zhangsan＠qq.com⟧"),
    ("zh", "email", "发到⟦EMAIL:ｌｉｓｉ＠１６３．ｃｏｍ⟧就行"),
    ("en", "email", "mail⟦EMAIL:bob@mail.example.org⟧"),
    ("en", "email", "contact: ⟦EMAIL:first_last-99@sub.domain.io⟧."),
    ("zh", "email", "我的邮箱是⟦EMAIL:12345678@qq.com⟧，发票发这里"),
    ("en", "email", "(⟦EMAIL:o'brien@example.ie⟧)"),
    ("en", "email", "email: ⟦EMAIL:müller@bücher.de⟧"),
    ("zh", "email", "邮箱⟦EMAIL:wang.fang@公司.cn⟧"),
    ("en", "email", "send it to <⟦EMAIL:ann.lee@example.com⟧>"),
    ("en", "email", "my email is ⟦EMAIL:ann.lee at example dot com⟧"),
    ("zh", "email", "邮箱 ⟦EMAIL:zhangwei(at)qq.com⟧"),
    ("en", "email", "mail: ⟦EMAIL:ann.lee [at] example.com⟧"),
    ("zh", "email", "邮箱⟦EMAIL:zhang_wei@gmail.com⟧。"),
    ("en", "email", "E-mail⟦EMAIL:tom99@outlook.com⟧"),
    # ---------------------------------------------------------------- resident ID numbers
    ("zh", "id", "身份证号⟦ID:11010519491231002X⟧，实名认证用"),
    ("zh", "id", "ID⟦ID:11010519491231002X⟧"),
    ("en", "id", "ID ⟦ID:310115198706151230⟧ for customs"),
    ("zh", "id", "身份证⟦ID:110105 19491231 002X⟧"),
    ("zh", "id", "证件号：⟦ID:4403 0419 9001 0145 14⟧"),
    ("zh", "id", "身份证 ⟦ID:510107-19851120-3325⟧ 清关用"),
    ("zh", "id", "身份证号码⟦ID:１１０１０５１９４９１２３１００２Ｘ⟧"),
    ("zh", "id", "清关要身份证：⟦ID:33010619780308201x⟧"),
    ("zh", "id", "实名⟦ID:210202199512120043⟧已提交"),
    ("zh", "id", "身份证号是⟦ID:370202 198805 206174⟧"),
    ("zh", "id", "sfz⟦ID:420106199307077786⟧"),
    ("zh", "id", "我的证件⟦ID:110108200002291533⟧，请核对"),
    ("en", "id", "my Chinese ID: ⟦ID:120101 19891010 2360⟧"),
    ("zh", "id", "身份证号⟦ID:110105194912310020⟧（旧证，尾号不对）"),
    ("zh", "id", "身份证后面是X：⟦ID:11010519491231002x⟧"),
    # ---------------------------------------------------------------- bank cards
    ("zh", "card", "卡号⟦CARD:4111111111111111⟧谢谢"),
    ("en", "card", "card⟦CARD:6222021234567890128⟧"),
    ("zh", "card", "退款到卡号 ⟦CARD:6222 0212 3456 7890 128⟧"),
    ("en", "card", "charged twice on card ⟦CARD:4111-1111-1111-1111⟧"),
    ("en", "card", "Amex ⟦CARD:3782 822463 10005⟧ was billed"),
    ("en", "card", "Mastercard⟦CARD:5555555555554444⟧ please refund"),
    ("zh", "card", "银行卡：⟦CARD:６２２８４８００４１２３４５６７８９３⟧"),
    ("zh", "card", "建行卡⟦CARD:6217001234567890122⟧，户名王五"),
    ("en", "card", "Discover ⟦CARD:6011 0009 9013 9424⟧"),
    ("en", "card", "my card is ⟦CARD:5200 8282 8282 8210⟧ exp 12/27"),
    ("zh", "card", "退到⟦CARD:6228-4800-4123-4567-893⟧"),
    ("en", "card", "JCB⟦CARD:3528000000000007⟧"),
    ("zh", "card", "卡号是⟦CARD:6222.0212.3456.7890.128⟧"),
    ("en", "card", "visa ending — full number ⟦CARD:4111 1111 1111 1111⟧"),
    # ---------------------------------------------------------------- addresses (zh)
    ("zh", "address", "请寄到⟦ADDRESS:北京市朝阳区建国路88号SOHO现代城5号楼1203室⟧，谢谢"),
    ("zh", "address", "我住在⟦ADDRESS:广东省深圳市南山区科苑路15号⟧，快递总是送错"),
    ("zh", "address", "收货地址：⟦ADDRESS:上海市浦东新区张江镇碧波路690号⟧"),
    ("zh", "address", "地址：⟦ADDRESS:杭州市西湖区文三路478号⟧"),
    ("zh", "address", "寄到⟦ADDRESS:成都市武侯区人民南路四段１２号⟧"),
    ("zh", "address", "送到⟦ADDRESS:南京市鼓楼区中山路18号3栋2单元501⟧"),
    ("zh", "address", "我家在⟦ADDRESS:上海市静安区愚园路123弄4号⟧"),
    ("zh", "address", "⟦ADDRESS:武汉市洪山区珞喻路1037号⟧华科东门"),
    ("zh", "address", "发货到⟦ADDRESS:天津市和平区南京路２１９号⟧"),
    ("zh", "address", "收件地址:⟦ADDRESS:重庆市渝中区解放碑民族路166号⟧"),
    ("zh", "address", "住址 ⟦ADDRESS:西安市雁塔区长安南路88号⟧"),
    ("zh", "address", "快递放到⟦ADDRESS:广州市天河区天河路385号⟧楼下"),
    ("zh", "address", "寄往⟦ADDRESS:苏州市工业园区星湖街328号⟧"),
    ("zh", "address", "详细地址：⟦ADDRESS:朝阳区望京街道阜通东大街6号院3号楼⟧"),
    ("zh", "address", "⟦ADDRESS:长沙市岳麓区麓山南路932号⟧，到了打电话"),
    ("zh", "address", "地址是⟦ADDRESS:北京市海淀区中关村大街27号⟧"),
    ("zh", "address", "我在⟦ADDRESS:深圳市福田区深南大道6008号⟧上班"),
    ("zh", "address", "家庭住址：⟦ADDRESS:河北省石家庄市长安区中山东路39号⟧"),
    # ---------------------------------------------------------------- addresses (en)
    ("en", "address", "Ship it to ⟦ADDRESS:221 Baker Street, Apt 4B⟧ please"),
    ("en", "address", "I live at ⟦ADDRESS:1600 Pennsylvania Avenue⟧ and it never arrived"),
    ("en", "address", "deliver to ⟦ADDRESS:350 5th Ave⟧, New York"),
    ("en", "address", "my address is ⟦ADDRESS:742 Evergreen Terrace⟧"),
    ("en", "address", "send to ⟦ADDRESS:10 Downing St⟧."),
    ("en", "address", "⟦ADDRESS:221B Baker Street⟧ — ring twice"),
    ("en", "address", "left at ⟦ADDRESS:1 Infinite Loop⟧ reception"),
    ("en", "address", "office: ⟦ADDRESS:500 W 2nd St, Suite 1900⟧"),
    ("en", "address", "we moved to ⟦ADDRESS:77 Massachusetts Ave⟧"),
    ("en", "address", "it went to ⟦ADDRESS:1234 Elm Street⟧ instead of mine"),
    ("en", "address", "address: ⟦ADDRESS:9 Rue de Rivoli⟧, Paris"),
    ("en", "address", "Ship to ⟦ADDRESS:4059 Mt Lee Dr⟧, Hollywood"),
    ("en", "address", "deliver to ⟦ADDRESS:350 Fifth Avenue⟧ lobby"),
    ("en", "address", "drop it at ⟦ADDRESS:12 W 34th St⟧"),
    ("en", "address", "home: ⟦ADDRESS:88 Colin P Kelly Jr St⟧"),
    ("en", "address", "Address: ⟦ADDRESS:PO Box 1234⟧"),
    # ---------------------------------------------------------------- messaging accounts
    ("zh", "account", "加我微信⟦ACCOUNT:wxid_abc123xyz⟧"),
    ("zh", "account", "微信：⟦ACCOUNT:zhangsan_88⟧"),
    ("zh", "account", "vx ⟦ACCOUNT:lily2023⟧ 私聊"),
    ("zh", "account", "QQ ⟦ACCOUNT:123456789⟧"),
    ("zh", "account", "qq号：⟦ACCOUNT:10001234⟧"),
    ("en", "account", "WeChat ID: ⟦ACCOUNT:lily_2023⟧"),
    ("zh", "account", "微信号⟦ACCOUNT:Zhang-San-1990⟧，备注买家"),
    ("zh", "account", "加V：⟦ACCOUNT:shop_lover99⟧"),
    ("zh", "account", "扣扣⟦ACCOUNT:87654321⟧"),
    ("en", "account", "add me on wechat ⟦ACCOUNT:tom_wx_01⟧"),
    ("zh", "account", "QQ:⟦ACCOUNT:２２３３４４５５⟧"),
    ("zh", "account", "微信同号⟦PHONE:13812345678⟧"),
    ("zh", "account", "威信⟦ACCOUNT:abc_12345⟧"),
    ("en", "account", "my QQ is ⟦ACCOUNT:99887766⟧"),
    # ---------------------------------------------------------------- mixed, several kinds in one message
    ("zh", "mixed", "张伟 ⟦PHONE:13812345678⟧ / ⟦EMAIL:zw@example.cn⟧ / 身份证 ⟦ID:11010519491231002X⟧"),
    ("zh", "mixed", "卡⟦CARD:4111111111111111⟧，电话⟦PHONE:13912345678⟧"),
    ("en", "mixed", "Jane, ⟦PHONE:(415) 555-0132⟧, ⟦EMAIL:jane@example.com⟧"),
    ("zh", "mixed", "收货人王五 ⟦PHONE:18600001111⟧ ⟦ADDRESS:北京市东城区东长安街1号⟧"),
    ("en", "mixed", "Tel⟦PHONE:+447700900123⟧ email⟦EMAIL:a.b@c.co⟧"),
    ("zh", "mixed", "微信⟦ACCOUNT:wx_ab12⟧或QQ⟦ACCOUNT:5566778899⟧，手机⟦PHONE:13600001111⟧"),
    ("zh", "mixed", "订单2024031512345还没到，我电话⟦PHONE:13812345678⟧"),
    ("zh", "mixed", "价格¥199，邮箱⟦EMAIL:buyer@163.com⟧"),
    ("en", "mixed", "Order #114-3941689-8772232 — call ⟦PHONE:415-555-0132⟧"),
    ("zh", "mixed", "我在2024-03-15买的，卡号⟦CARD:6222021234567890128⟧退款"),
    ("zh", "mixed", "身份证⟦ID:310115198706151230⟧，手机⟦PHONE:１３９１２３４５６７８⟧"),
    ("en", "mixed", "iPhone 15 arrived broken; ring ⟦PHONE:+1 415 555 0132⟧"),
    ("zh", "mixed", "型号RTX4090，联系⟦PHONE:13712345678⟧"),
    ("zh", "mixed", "邮箱⟦EMAIL:li.si@qq.com⟧，地址⟦ADDRESS:广州市越秀区北京路100号⟧"),
    ("en", "mixed", "3pm delivery to ⟦ADDRESS:12 Oak St⟧, call ⟦PHONE:555-010-4477⟧"),
]

LOOKALIKES = [
    # ---------------------------------------------------------------- order numbers, tracking, ids
    ("zh", "order", "订单号 1234567812345678 还没发货"),
    ("zh", "order", "订单号：13812345678 还没发货"),
    ("en", "order", "Order #4111111111111111 shipped yesterday"),
    ("en", "order", "Order #114-3941689-8772232 arrived late"),
    ("zh", "order", "订单编号202403151234567890，请查一下"),
    ("zh", "order", "运单号SF1234567890123"),
    ("zh", "order", "顺丰单号 SF1402938475612 显示已签收"),
    ("zh", "order", "快递单号YT7654321098765"),
    ("en", "order", "tracking number 1Z999AA10123456784"),
    ("en", "order", "order no. 5550132415 was cancelled"),
    ("zh", "order", "订单2024031512345还没到"),
    ("zh", "order", "单号：75123456789012"),
    ("en", "order", "ticket INC0012345 opened"),
    ("zh", "order", "退款单号 R20240315000123"),
    ("en", "order", "invoice INV-2024-000981"),
    ("zh", "order", "商品ID 6543210987，链接失效了"),
    ("en", "order", "item 100234567 is out of stock"),
    ("en", "order", "ASIN B08N5WRWNW"),
    ("zh", "order", "货号：A2024-0315-88"),
    ("en", "order", "SKU-20231115 restocked"),
    ("zh", "order", "编号 310115198706151231 不对"),
    ("en", "order", "transaction id 4032 9981 2277 6610"),
    ("zh", "order", "优惠券码 SAVE2024ABC"),
    ("en", "order", "batch 2024-03-15-0042"),
    ("zh", "order", "工单号#88231"),
    # ---------------------------------------------------------------- prices and amounts
    ("zh", "price", "价格¥199，原价1299元，太值了"),
    ("en", "price", "Only $19.99 for two bottles, was $29.99"),
    ("zh", "price", "一共￥1,299.00，运费12元"),
    ("en", "price", "total $1,234.56 incl. tax"),
    ("en", "price", "€19,99 per pack"),
    ("zh", "price", "满300减50，实付250"),
    ("zh", "price", "月销 13800+ 件"),
    ("en", "price", "saved 138.12 dollars"),
    ("zh", "price", "2件@99元，很划算"),
    ("zh", "price", "销售额 13,812,345 元"),
    ("en", "price", "revenue of $4,111,111 last quarter"),
    ("zh", "price", "总价 15800.00 元"),
    # ---------------------------------------------------------------- dates and times
    ("zh", "date", "2024-03-15 下单，2024年3月15日到货，3月18日评价"),
    ("en", "date", "Ordered on 2024-03-15, arrived March 18, 2024"),
    ("zh", "date", "2024/03/15 14:30:00 签收"),
    ("en", "date", "delivered 20240315 at 0930"),
    ("en", "date", "on 03/15/2024 and again 15.03.2024"),
    ("zh", "date", "下单时间 2024-03-15 14:30:59.123"),
    ("en", "date", "timestamp 1511544070 in the log"),
    ("en", "date", "ts=1711234567890 ms"),
    ("zh", "date", "从2023年12月31日到2024年1月1日"),
    ("en", "date", "2024-03-15T14:30:00+08:00"),
    ("zh", "date", "早上8:30到晚上22:00营业"),
    ("en", "date", "between 2:30pm and 5:45pm"),
    ("zh", "date", "周期 2024.03.01-2024.03.31"),
    ("en", "date", "week 2024-W11"),
    ("zh", "date", "19:00-21:00 直播"),
    # ---------------------------------------------------------------- versions, models, specs
    ("en", "version", "updated to v1.2.3 and it crashes"),
    ("en", "version", "iOS 17.4.1 on iPhone 15 Pro"),
    ("zh", "version", "版本 3.10.12 修复了"),
    ("en", "version", "Chrome 138.0.6998.35"),
    ("en", "version", "firmware 2.13.0-rc1"),
    ("en", "version", "build 20240315.1"),
    ("zh", "version", "APP 8.0.47 闪退"),
    ("en", "version", "python 3.11.9, torch 2.13.0"),
    ("en", "model", "比 iPhone 15 Pro 还好用，显卡是 RTX4090，型号 SKU-20231115"),
    ("en", "model", "Model LM-2024 with 5000mAh battery, 65W charging, 1080p"),
    ("en", "model", "Galaxy S24 Ultra vs Pixel 8 Pro"),
    ("zh", "model", "小米14 Ultra 拍照一般"),
    ("en", "model", "ThinkPad X1 Carbon Gen 11"),
    ("en", "model", "Sony WH-1000XM5 headphones"),
    ("en", "model", "Logitech MX Master 3S"),
    ("zh", "model", "华为Mate 60 Pro+ 很快"),
    ("en", "model", "GoPro HERO12 Black"),
    ("zh", "model", "戴森V15吸尘器"),
    ("en", "model", "Tesla Model 3 charger"),
    ("zh", "model", "型号 KFR-35GW/NhGd1B"),
    ("en", "model", "Canon EOS R5 with RF 24-70mm f/2.8"),
    ("en", "model", "Samsung 990 PRO 2TB NVMe"),
    ("zh", "model", "i7-13700K 配 DDR5 6000"),
    ("en", "model", "Ryzen 9 7950X3D"),
    ("en", "model", "Apple Watch Series 9 45mm"),
    # ---------------------------------------------------------------- numbers of all kinds
    ("zh", "number", "已经下单3次了，这是第12个订单"),
    ("zh", "number", "评分 4.5/5，用了 30 天，续航 12 小时"),
    ("en", "number", "Battery lasts 10 hours; I gave it 5 stars out of 5"),
    ("en", "number", "Bought 2 Lumi Bottles at 3pm"),
    ("zh", "number", "转化率 13.8%，环比 -2.3%"),
    ("en", "number", "server at 192.168.1.100:8080"),
    ("en", "number", "ISBN 978-7-111-12345-6"),
    ("en", "number", "ISBN 9787111123456"),
    ("zh", "number", "邮编100020"),
    ("en", "number", "coordinates 39.9042, 116.4074"),
    ("en", "number", "error code 0x80070005"),
    ("zh", "number", "排名第1381名"),
    ("en", "number", "10,000,000 rows in 12.3 s"),
    ("zh", "number", "DAU 1,381,234，WAU 5,678,901"),
    ("en", "number", "scored 138 1234 points"),
    ("zh", "number", "尾号1234的卡已经退款"),
    ("en", "number", "card ending 4242 was refunded"),
    ("zh", "number", "第 2024 届 第 15 次"),
    ("en", "number", "hash 3f2a9c1b7d"),
    ("en", "number", "pi is 3.14159265358979"),
    # ---------------------------------------------------------------- places and words without a house
    ("zh", "place", "这条路很好走，坐3号线地铁就到"),
    ("zh", "place", "南京路步行街很热闹"),
    ("zh", "place", "空调得弄一弄了，实在太吵了"),
    ("zh", "place", "驱动地址: http://example.com/driver530.zip"),
    ("en", "place", "the 5th Avenue collection is nice"),
    ("en", "place", "Street Fighter 6 bundle"),
    ("en", "place", "drove Route 66 with it"),
    ("zh", "place", "北京的快递3天到"),
    ("en", "place", "2 more road trips with this bag"),
    ("zh", "place", "在3号门自提"),
    ("en", "place", "the Main St store had 3 left"),
    ("zh", "place", "上海到杭州只要1小时"),
    # ---------------------------------------------------------------- @ and handles that are not e-mail
    ("zh", "at", "@张三 你看下这个差评"),
    ("en", "at", "follow us @growthpilot for deals"),
    ("en", "at", "hey @everyone, the sale is live"),
    ("en", "at", "meet at 3@ the cafe"),
    ("en", "at", "user@localhost cannot log in"),
    ("zh", "at", "微信支付比支付宝方便"),
    ("zh", "at", "QQ音乐会员送了3个月"),
    ("en", "at", "WeChat Pay worked; QQ Mail didn't"),
    ("zh", "at", "微信群里有人说发货慢"),
    ("en", "at", "rated 4.9 on the WeChat mini program"),
]


_MARK = re.compile(r"⟦([A-Z]+):(.*?)⟧")


def unmark(marked: str) -> tuple[str, list[list]]:
    out, spans, pos = [], [], 0
    for m in _MARK.finditer(marked):
        out.append(marked[pos:m.start()])
        start = sum(len(p) for p in out)
        out.append(m.group(2))
        spans.append([start, start + len(m.group(2)), m.group(1)])
        pos = m.end()
    out.append(marked[pos:])
    return "".join(out), spans


def main() -> None:
    rows = []
    for i, (lang, kind, marked) in enumerate(PII + LOOKALIKES):
        text, spans = unmark(marked)
        assert ("⟦" in marked) == bool(spans), marked
        rows.append({"id": i + 1, "lang": lang, "kind": kind, "text": text, "spans": spans})
    path = Path(__file__).with_name("pii_corpus.jsonl")
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{path}: {sum(1 for r in rows if r['spans'])} PII strings "
          f"({sum(len(r['spans']) for r in rows)} spans), {sum(1 for r in rows if not r['spans'])} look-alikes")


if __name__ == "__main__":
    main()
