"""Make the bundled demo dataset of "Lumi", a fictional D2C consumer-electronics shop.

    python -m growthpilot.demo.make_demo_data [--out DIR] [--seed N]

Deterministic (seeded): the same seed writes byte-identical files. What it writes:

- behavior.csv      Taobao UserBehavior shape, no header: user_id,item_id,category_id,behavior,timestamp
                    (~40k rows, 5 weeks from 2026-10-12 to 2026-11-15, Asia/Shanghai shopping hours)
- catalog.csv       12 products, names and descriptions in English and Chinese, prices in CNY
- reviews_zh.csv    ~300 Chinese reviews, **GB18030**-encoded (as real Chinese exports often are)
- reviews_en.jsonl  ~250 English reviews
- docs/             FAQ, shipping & returns, warranty and product pages, Markdown, en + zh

The story the data tells (what the insights should find):
- Lumi Buds Pro (1003): on 2026-11-09 the price rose from ¥399 to ¥459 and stock ran low; in the
  last week its cart→buy conversion collapses while carts keep coming, and its reviews turn to
  complaints about the price rise and slow dispatch (涨价, 缺货, 发货慢).
- Singles Day (11.10–11.11) brings a traffic and purchase spike for everything else.
- Cart abandoners: a segment that adds to cart and almost never buys.
- A loyal segment (~10% of users) buys repeatedly, mostly drinkware, and re-orders cleaning tablets.
- Bought together: AquaSmart Bottle + cleaning tablets; Halo desk lamp + night light;
  3-in-1 charger + PowerCube.
- Reviews praise/complain about concrete aspects (保温, 续航, 音质, 降噪, 物流, 包装, 价格, …), and a
  handful contain phone numbers, e-mails, ID numbers and addresses that ingest must redact.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

SEED = 20261122
CST = timezone(timedelta(hours=8))
START = datetime(2026, 10, 12, tzinfo=CST)  # a Monday
DAYS = 35
PRICE_RISE_DAY = 28  # 2026-11-09: Buds Pro ¥399 → ¥459, stock runs low
SINGLES_DAY = (29, 30)  # 11-10 and 11-11
N_USERS = 2600
OUT = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Product:
    item_id: int
    name: str
    name_zh: str
    category_id: int
    category: str
    category_zh: str
    price: float
    popularity: float
    cart_bias: float  # multiplies the segment's add-to-cart probability
    rating: float  # mean review rating
    aspects: tuple[str, ...]
    description: str
    description_zh: str


PRODUCTS: tuple[Product, ...] = (
    Product(1001, "Lumi AquaSmart Bottle", "Lumi 智能保温水杯", 11, "drinkware", "水杯", 199, 1.0, 1.0, 4.4,
            ("keep_warm", "battery", "app", "design", "leak"),
            "Insulated smart bottle that keeps drinks hot for 12 hours, glows to remind you to drink and syncs "
            "your intake to the Lumi app. 500 ml, USB-C charging, battery lasts about 20 days.",
            "智能保温水杯，12小时保温，到点发光提醒喝水，饮水量同步到 Lumi App。500毫升，USB-C 充电，一次充电约用20天。"),
    Product(1002, "Lumi AquaSmart Bottle Mini", "Lumi 智能水杯 mini", 11, "drinkware", "水杯", 159, 0.55, 1.0, 4.3,
            ("keep_warm", "battery", "design", "leak"),
            "The 350 ml AquaSmart for bags and small hands: same reminders and app sync, 8-hour insulation.",
            "350毫升小容量版，同样的喝水提醒和 App 同步，8小时保温，适合通勤包。"),
    Product(1003, "Lumi Buds Pro", "Lumi 降噪蓝牙耳机 Pro", 12, "audio", "音频", 459, 0.95, 1.05, 4.2,
            ("sound", "anc", "battery", "fit", "connection"),
            "True wireless earbuds with adaptive noise cancelling, 8 h playback (32 h with the case), "
            "Bluetooth 5.3 multipoint and IPX4 sweat resistance.",
            "真无线降噪耳机，自适应主动降噪，单次续航8小时（配合充电盒32小时），蓝牙5.3双设备连接，IPX4防汗。"),
    Product(1004, "Lumi Buds Lite", "Lumi 蓝牙耳机青春版", 12, "audio", "音频", 199, 0.6, 1.0, 4.1,
            ("sound", "battery", "fit", "connection"),
            "Light everyday earbuds: 6 h playback, touch controls, low-latency game mode.",
            "轻巧日常款蓝牙耳机，续航6小时，触控操作，低延迟游戏模式。"),
    Product(1005, "Lumi Halo Desk Lamp", "Lumi 护眼台灯", 13, "lighting", "照明", 259, 0.7, 1.0, 4.5,
            ("light", "eye_care", "stand", "build"),
            "Flicker-free LED desk lamp with Ra95 colour rendering, five colour temperatures and an auto-dim "
            "ambient sensor.",
            "无频闪 LED 护眼台灯，显色指数 Ra95，五档色温，环境光自动调光。"),
    Product(1006, "Lumi Halo Night Light", "Lumi 感应小夜灯", 13, "lighting", "照明", 89, 0.45, 1.2, 4.4,
            ("light", "build"),
            "Motion-sensing night light with a warm 2700 K glow, magnetic mount and a 3-month battery.",
            "人体感应小夜灯，2700K暖光，磁吸安装，一次充电用3个月。"),
    Product(1007, "Lumi PowerCube 10000", "Lumi 魔方充电宝 10000", 14, "charging", "充电", 149, 0.6, 1.1, 4.2,
            ("charge_speed", "weight", "heat"),
            "10,000 mAh power bank with 22.5 W fast charging and a built-in USB-C cable.",
            "10000毫安充电宝，22.5W快充，自带 USB-C 线。"),
    Product(1008, "Lumi 3-in-1 Wireless Charger", "Lumi 三合一无线充电座", 14, "charging", "充电", 229, 0.5, 1.0, 4.0,
            ("charge_speed", "heat", "build"),
            "Charges a phone, earbuds and a watch at once; 15 W Qi2 magnetic pad.",
            "手机、耳机、手表同时充，15W Qi2 磁吸无线充。"),
    Product(1009, "Lumi Aroma Diffuser", "Lumi 香薰加湿器", 15, "home", "家居", 179, 0.4, 1.0, 4.3,
            ("mist", "noise", "design"),
            "Ultrasonic aroma diffuser, 300 ml, whisper-quiet 25 dB with a sleep light.",
            "超声波香薰加湿器，300毫升，25分贝静音，带睡眠灯。"),
    Product(1010, "Lumi DreamBand Sleep Mask", "Lumi 蓝牙睡眠眼罩", 15, "home", "家居", 129, 0.35, 1.0, 3.9,
            ("comfort", "sound"),
            "Soft Bluetooth sleep mask with thin speakers for white noise and podcasts.",
            "柔软蓝牙睡眠眼罩，内置超薄扬声器，可听白噪音和播客。"),
    Product(1011, "Lumi Bottle Cleaning Tablets (30)", "Lumi 水杯清洁片（30片）", 11, "drinkware", "水杯", 29, 0.3, 1.4, 4.6,
            ("cleaning",),
            "Effervescent tablets that clean bottle interiors and the smart cap in 10 minutes. 30 tablets.",
            "泡腾清洁片，10分钟清洁杯体和智能杯盖，每盒30片。"),
    Product(1012, "Lumi Smart Scale", "Lumi 智能体脂秤", 15, "home", "家居", 169, 0.4, 1.0, 4.1,
            ("accuracy", "app", "design"),
            "Body-composition scale with 13 metrics, syncs to the Lumi app and Apple Health.",
            "智能体脂秤，13项身体数据，同步 Lumi App 和 Apple 健康。"),
)
BY_ID = {p.item_id: p for p in PRODUCTS}
COMPANIONS = {1001: 1011, 1002: 1011, 1005: 1006, 1008: 1007}  # bought together
BUDS_PRO = 1003

SEGMENTS = {  # share, sessions (Poisson mean), P(cart), P(buy | cart), P(buy without cart)
    "browser": (0.45, 2.0, 0.05, 0.20, 0.005),
    "regular": (0.30, 3.0, 0.20, 0.55, 0.02),
    "abandoner": (0.15, 3.5, 0.50, 0.03, 0.0),
    "loyal": (0.10, 5.0, 0.40, 0.85, 0.05),
}


# ----------------------------------------------------------------------------- behaviour
def make_behavior(rng: random.Random) -> tuple[list[tuple[int, int, int, str, int]], list[dict]]:
    """Rows (user, item, category, behaviour, unix ts) and the purchases (for reviews)."""
    rows: list[tuple[int, int, int, str, int]] = []
    purchases: list[dict] = []
    day_w = []
    for d in range(DAYS):
        w = 1.25 if (START + timedelta(days=d)).weekday() >= 5 else 1.0
        if d in SINGLES_DAY:
            w *= 2.6
        if d == SINGLES_DAY[0] - 1:
            w *= 1.5  # pre-sale
        day_w.append(w)
    hour_w = [0.3, 0.15, 0.1, 0.05, 0.05, 0.1, 0.3, 0.6, 0.9, 1.0, 1.1, 1.2, 1.4, 1.2, 1.0, 1.0, 1.1, 1.2, 1.3, 1.6,
              2.0, 2.3, 2.0, 1.0]
    seg_names = list(SEGMENTS)
    seg_shares = [SEGMENTS[s][0] for s in seg_names]
    items = [p.item_id for p in PRODUCTS]
    for uid in range(100001, 100001 + N_USERS):
        seg = rng.choices(seg_names, seg_shares)[0]
        _share, sess_mean, p_cart, p_buy_cart, p_direct = SEGMENTS[seg]
        # Each user leans towards one or two categories.
        fav_cats = rng.sample([11, 12, 13, 14, 15], 2)
        if seg == "loyal" and rng.random() < 0.6:
            fav_cats[0] = 11
        weights = [p.popularity * (2.5 if p.category_id == fav_cats[0] else 1.5 if p.category_id == fav_cats[1] else 1.0)
                   for p in PRODUCTS]
        n_sessions = 1 + _poisson(rng, sess_mean)
        for _ in range(n_sessions):
            day = rng.choices(range(DAYS), day_w)[0]
            hour = rng.choices(range(24), hour_w)[0]
            t = int((START + timedelta(days=day, hours=hour, minutes=rng.randrange(60), seconds=rng.randrange(60))).timestamp())
            item = rng.choices(items, weights)[0]
            p = BY_ID[item]
            # browse: views of the main product, sometimes of others
            for _ in range(1 + _geometric(rng, 0.55)):
                rows.append((uid, item, p.category_id, "pv", t))
                t += rng.randint(15, 240)
            for _ in range(_geometric(rng, 0.6)):
                other = rng.choices(items, weights)[0]
                rows.append((uid, other, BY_ID[other].category_id, "pv", t))
                t += rng.randint(10, 180)
                if rng.random() < 0.04:
                    rows.append((uid, other, BY_ID[other].category_id, "fav", t))
                    t += rng.randint(5, 60)
            if rng.random() < 0.06:
                rows.append((uid, item, p.category_id, "fav", t))
                t += rng.randint(5, 60)
            cart = rng.random() < min(0.95, p_cart * p.cart_bias * (1.15 if item == BUDS_PRO and day >= PRICE_RISE_DAY else 1.0))
            buy_p = p_buy_cart if cart else p_direct
            if day in SINGLES_DAY:
                buy_p = min(0.97, buy_p * 1.3)
            if item == BUDS_PRO and day >= PRICE_RISE_DAY:
                buy_p *= 0.25  # price rise + low stock
            if cart:
                rows.append((uid, item, p.category_id, "cart", t))
                t += rng.randint(20, 900)
            if rng.random() < buy_p:
                rows.append((uid, item, p.category_id, "buy", t))
                purchases.append({"user": uid, "item": item, "day": day, "segment": seg})
                t += rng.randint(30, 300)
                comp = COMPANIONS.get(item)
                if comp and rng.random() < 0.45:
                    c = BY_ID[comp]
                    rows.append((uid, comp, c.category_id, "pv", t))
                    t += rng.randint(10, 90)
                    rows.append((uid, comp, c.category_id, "cart", t))
                    t += rng.randint(10, 90)
                    rows.append((uid, comp, c.category_id, "buy", t))
                    purchases.append({"user": uid, "item": comp, "day": day, "segment": seg})
        if seg == "loyal" and rng.random() < 0.5:  # re-order of consumables
            day = rng.randrange(7, DAYS)
            t = int((START + timedelta(days=day, hours=rng.choice([9, 12, 20, 21]), minutes=rng.randrange(60))).timestamp())
            rows += [(uid, 1011, 11, "pv", t), (uid, 1011, 11, "cart", t + 40), (uid, 1011, 11, "buy", t + 95)]
            purchases.append({"user": uid, "item": 1011, "day": day, "segment": seg})
    rows.sort(key=lambda r: (r[0], r[4]))
    return rows, purchases


def _poisson(rng: random.Random, lam: float) -> int:
    l, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= l:
            return k
        k += 1


def _geometric(rng: random.Random, p_continue: float) -> int:
    n = 0
    while rng.random() < p_continue and n < 8:
        n += 1
    return n


# ----------------------------------------------------------------------------- reviews
ASPECTS_ZH: dict[str, tuple[list[str], list[str]]] = {
    "keep_warm": (["保温效果很好，早上灌的热水下午还是烫的", "保温很给力，冬天上班离不开", "保温时间比宣传的还长"],
                  ["保温一般，四五个小时就凉了", "保温效果不行，跟普通杯子差不多"]),
    "battery": (["续航很强，充一次能用好久", "电池续航不错，两三周才充一次", "续航完全够用"],
                ["续航太差了，两天就没电", "电池续航和宣传的差很多", "续航一般，经常忘记充电"]),
    "app": (["App 连接很顺畅，数据很直观", "App 做得挺好用，提醒很贴心"],
            ["App 经常连不上，很烦", "App 同步老是失败，体验很差"]),
    "design": (["外观很漂亮，颜值很高", "设计简洁，拿在手里质感很好", "颜色好看，送人也有面子"],
               ["外观一般，和图片有色差", "设计有点笨重"]),
    "leak": (["密封很好，放包里一点不漏", "完全不漏水，放心"], ["杯盖漏水，弄湿了包", "密封圈不太行，有点渗水"]),
    "sound": (["音质很好，低音饱满", "音质清晰，听歌很享受", "声音通透，这个价位很满意"],
              ["音质一般，高音有点刺耳", "音质发闷，不如预期"]),
    "anc": (["降噪效果很明显，地铁上也很安静", "降噪很强，办公室里终于清静了"],
            ["降噪效果一般，风噪很明显", "降噪开了有压耳感"]),
    "fit": (["佩戴很舒服，戴一天也不疼", "戴着很稳，跑步不掉"], ["戴久了耳朵疼", "佩戴不稳，容易掉"]),
    "connection": (["连接很快，开盖就连", "蓝牙连接稳定，双设备切换方便"], ["蓝牙经常断连", "连接不稳定，偶尔只有一边响"]),
    "light": (["光线很柔和，晚上看书很舒服", "亮度够用，色温可调很方便"], ["光线有点刺眼", "亮度不够，角落偏暗"]),
    "eye_care": (["护眼效果不错，孩子写作业用着放心", "没有频闪，眼睛不累"], ["说是护眼，用久了眼睛还是累"]),
    "stand": (["底座很稳", "支架调节很顺手"], ["底座不稳，容易晃", "支架有点松，用了一周就下垂"]),
    "build": (["做工精致，没有毛边", "做工扎实，材质很好"], ["做工粗糙，有明显缝隙", "塑料感太强"]),
    "charge_speed": (["充电速度很快，半小时充了一半", "快充很给力"], ["充电速度慢，和普通充电器差不多", "充电太慢了"]),
    "weight": (["很轻巧，放口袋没负担"], ["太重了，放包里很沉", "有点重，不方便携带"]),
    "heat": (["充电时不怎么发热"], ["充电时发热严重", "用一会儿就很烫"]),
    "mist": (["雾量很足，房间很快就湿润了"], ["雾量太小了"]),
    "noise": (["几乎没有声音，睡觉开着也不影响"], ["噪音有点大，晚上能听到"]),
    "comfort": (["眼罩很软，戴着睡很舒服"], ["眼罩有点闷热"]),
    "cleaning": (["清洁效果很好，杯子里的茶渍都没了", "很方便，泡十分钟就干净"], ["清洁效果一般，茶渍去不掉"]),
    "accuracy": (["称重很准，和医院的差不多"], ["数据不太准，每次都不一样"]),
    "shipping": (["物流很快，隔天就到了", "发货速度快，快递小哥态度很好", "物流给力，两天就收到"],
                 ["物流太慢了，等了一个星期", "快递很慢，还送错了地址"]),
    "packaging": (["包装精美，送礼很合适", "包装很结实，没有任何磕碰"], ["包装简陋，盒子压坏了", "包装破损，里面有划痕"]),
    "price": (["价格实惠，性价比很高", "活动价很划算"], ["价格有点贵", "性价比不高，同类产品便宜很多"]),
    "service": (["客服回复很快，问题很快解决了", "客服态度很好，耐心解答"], ["客服回复太慢了", "客服一直在推脱，体验很差"]),
}
ASPECTS_EN: dict[str, tuple[list[str], list[str]]] = {
    "keep_warm": (["Keeps my coffee hot until the afternoon.", "Insulation is excellent, still warm after 10 hours."],
                  ["Insulation is mediocre, cold after four hours.", "Doesn't keep drinks warm for long."]),
    "battery": (["Battery life is great, I charge it every few weeks.", "The battery lasts forever."],
                ["Battery life is poor, dead in two days.", "Battery drains way faster than advertised."]),
    "app": (["The app syncs smoothly and the reminders are helpful.", "Love the app, the charts are clear."],
            ["The app keeps disconnecting.", "App sync fails all the time, very annoying."]),
    "design": (["Looks beautiful and feels premium.", "Sleek design, gets compliments at the office."],
               ["Looks cheaper than in the photos.", "The design is bulky."]),
    "leak": (["No leaks at all, even upside down in my bag.", "Seals perfectly."],
             ["The lid leaks and soaked my bag.", "It leaks a little around the cap."]),
    "sound": (["Sound quality is rich with punchy bass.", "Crisp, clear sound for the price."],
              ["Sound is muddy.", "The treble is harsh at higher volume."]),
    "anc": (["Noise cancelling is impressive on the subway.", "ANC blocks out the open office completely."],
            ["Noise cancelling is weak and wind noise is bad.", "ANC gives me ear pressure."]),
    "fit": (["Comfortable fit, I wear them all day.", "They stay in during runs."],
            ["They hurt my ears after an hour.", "They keep falling out."]),
    "connection": (["Pairs instantly when I open the case.", "Multipoint switching between laptop and phone works great."],
                   ["Bluetooth drops out constantly.", "One earbud often disconnects."]),
    "light": (["Soft, even light that is easy on the eyes.", "Bright enough and the colour temperature control is handy."],
              ["The light is too harsh.", "Not bright enough for my desk."]),
    "eye_care": (["No flicker, my eyes feel less tired.", "Great for my kid's homework."], ["Still get eye strain."]),
    "stand": (["The base is sturdy.", "The arm adjusts smoothly."], ["The base wobbles.", "The arm sags after a week."]),
    "build": (["Solid build quality.", "Well made, no rough edges."], ["Build quality feels cheap.", "There are visible gaps in the casing."]),
    "charge_speed": (["Charges fast, half full in 30 minutes.", "Fast charging works as promised."],
                     ["Charging is slow.", "Takes forever to charge my phone."]),
    "weight": (["Light enough for a pocket."], ["Too heavy to carry around.", "Heavier than I expected."]),
    "heat": (["Stays cool while charging."], ["Gets very hot while charging.", "Overheats after a few minutes."]),
    "mist": (["Plenty of mist, the room feels fresh."], ["The mist output is tiny."]),
    "noise": (["Whisper quiet, fine for the bedroom."], ["It's noisy at night."]),
    "comfort": (["Soft and comfortable to sleep in."], ["Gets hot and stuffy."]),
    "cleaning": (["Cleans tea stains in ten minutes.", "Bottle looks new again."], ["Didn't remove the stains."]),
    "accuracy": (["Readings are consistent and accurate."], ["Readings jump around every time."]),
    "shipping": (["Shipping was fast, arrived next day.", "Quick delivery."], ["Shipping took over a week.", "Delivery was slow."]),
    "packaging": (["Nice gift-ready packaging.", "Well packed, arrived without a scratch."],
                  ["The box arrived crushed.", "Packaging was flimsy and the item was scratched."]),
    "price": (["Great value for money.", "Fair price for the quality."], ["A bit overpriced.", "Too expensive for what it is."]),
    "service": (["Customer service replied within minutes.", "Support was friendly and helpful."],
                ["Customer service was slow to respond.", "Support kept giving me the runaround."]),
}
BUDS_PRO_LATE_ZH = ["刚加购就涨价了60块，从399涨到459，太坑了", "涨价了还缺货，等了一周才发货", "下单后一直显示缺货，发货慢",
                    "一夜之间涨价，感觉被割韭菜了"]
BUDS_PRO_LATE_EN = ["The price jumped from ¥399 to ¥459 overnight, not happy.", "Out of stock for a week after I ordered.",
                    "Raised the price and still slow to dispatch.", "Waited 8 days for shipping because of low stock."]
PII_ZH = ["有问题请联系我13912345678", "寄到北京市朝阳区建国路88号SOHO现代城5号楼1203室还是坏的", "我的邮箱是 lilei1990@qq.com，欢迎交流",
          "收货地址：上海市浦东新区世纪大道100号，快递员电话 186-0101-2345", "售后要我的身份证号11010519491231002X，太夸张了",
          "退款请打到卡号 6222 0212 3456 7890 128"]
PII_EN = ["Email me at sam.lee@example.com if support wants details.", "Delivered to 42 Elm Street but the box was crushed.",
          "Call me on +44 20 7946 0958, nobody answered my ticket.", "My number is (415) 555-0132 for the replacement."]


def _rating(rng: random.Random, p: Product, day: int) -> int:
    mean = p.rating - (1.6 if p.item_id == BUDS_PRO and day >= PRICE_RISE_DAY else 0.0)
    r = round(rng.gauss(mean, 0.9))
    return max(1, min(5, r))


def _review_text(rng: random.Random, p: Product, rating: int, day: int, lang: str) -> str:
    table = ASPECTS_ZH if lang == "zh" else ASPECTS_EN
    aspects = list(p.aspects) + ["shipping", "packaging", "price", "service"]
    n = rng.choice([1, 2, 2, 3])
    chosen = rng.sample(aspects, min(n, len(aspects)))
    parts = []
    for a in chosen:
        pos = rating >= 4 or (rating == 3 and rng.random() < 0.5)
        if rating >= 4 and rng.random() < 0.12:
            pos = False  # a small complaint in a good review
        if rating <= 2 and rng.random() < 0.15:
            pos = True
        parts.append(rng.choice(table[a][0 if pos else 1]))
    if p.item_id == BUDS_PRO and day >= PRICE_RISE_DAY and rating <= 3:
        parts.insert(0, rng.choice(BUDS_PRO_LATE_ZH if lang == "zh" else BUDS_PRO_LATE_EN))
    sep = "，" if lang == "zh" else " "
    text = sep.join(parts)
    if lang == "zh":
        text += "。" if rating >= 3 else "！"
    return text


def make_reviews(rng: random.Random, purchases: list[dict]) -> tuple[list[dict], list[dict]]:
    zh, en = [], []
    for pur in purchases:
        r = rng.random()
        lang = "zh" if r < 0.22 else "en" if r < 0.40 else None
        if lang is None:
            continue
        p = BY_ID[pur["item"]]
        review_day = min(DAYS - 1, pur["day"] + rng.randint(2, 8))
        rating = _rating(rng, p, pur["day"])
        rec = {"user": pur["user"], "item": p.item_id, "rating": rating, "day": review_day,
               "text": _review_text(rng, p, rating, pur["day"], lang)}
        (zh if lang == "zh" else en).append(rec)
    # A few reviews carry personal data that ingest must redact.
    for i, extra in enumerate(PII_ZH):
        if zh:
            j = (i * 37 + 5) % len(zh)
            zh[j]["text"] = zh[j]["text"].rstrip("。！") + "，" + extra + "。"
    for i, extra in enumerate(PII_EN):
        if en:
            j = (i * 29 + 3) % len(en)
            en[j]["text"] = en[j]["text"] + " " + extra
    zh.sort(key=lambda r: (r["day"], r["user"]))
    en.sort(key=lambda r: (r["day"], r["user"]))
    return zh, en


def _date(day: int, style: int = 0) -> str:
    d = START + timedelta(days=day)
    return [f"{d.year}年{d.month}月{d.day}日", d.strftime("%Y/%m/%d"), d.strftime("%Y-%m-%d")][style]


# ----------------------------------------------------------------------------- docs
def docs_pages() -> dict[str, str]:
    p = BY_ID
    pages = {
        "en/faq.md": f"""# Lumi FAQ

## Ordering and payment

You can order on lumi.example, on our Tmall flagship store and in the Lumi app. We accept Alipay, WeChat Pay,
UnionPay and international Visa/Mastercard. Prices include VAT.

## How long does delivery take?

Orders placed before 16:00 (China time) ship the same day from our Shenzhen warehouse. Delivery takes 1–3 days
in mainland China and 5–10 working days internationally. You get a tracking number by SMS and e-mail.

## Is shipping free?

Shipping is free in mainland China for orders over ¥99. Below ¥99 shipping costs ¥8.

## My item is out of stock. When will it be back?

Popular items such as Lumi Buds Pro can sell out during promotions. Tap "Notify me" on the product page and we
message you when it is back; pre-orders ship in the order they were placed, usually within 7 days.

## How do I pair Lumi Buds with a new phone?

Put both earbuds in the case, open the lid and hold the case button for 3 seconds until the light blinks white.
Then choose "Lumi Buds" in your phone's Bluetooth settings.

## The AquaSmart Bottle doesn't sync with the app

Make sure Bluetooth is on and the cap is charged. In the Lumi app go to Devices → AquaSmart → Reconnect.
If it still fails, hold the cap button for 10 seconds to reset it.

## How do I contact support?

Write to support@lumi.example or use the chat in the Lumi app (9:00–21:00 China time, every day).
""",
        "zh/faq.md": """# Lumi 常见问题

## 下单与支付

可以在 Lumi 官网、天猫旗舰店和 Lumi App 下单。支持支付宝、微信支付、银联和 Visa/Mastercard。价格已含税。

## 多久能收到货？

每天16:00前下单，当天从深圳仓发货。中国大陆1–3天送达，海外5–10个工作日。发货后会短信和邮件通知物流单号。

## 包邮吗？

中国大陆订单满99元包邮，不满99元运费8元。

## 商品缺货什么时候补货？

Lumi Buds Pro 等热门商品在大促期间可能售罄。在商品页点击“到货通知”，补货后第一时间通知您；预售订单按下单顺序发货，一般7天内发出。

## Lumi 耳机如何连接新手机？

把两只耳机放入充电盒，打开盒盖，长按充电盒按键3秒直到指示灯白灯闪烁，然后在手机蓝牙设置中选择“Lumi Buds”。

## 智能水杯无法同步 App 怎么办？

请确认手机蓝牙已打开、杯盖有电。在 Lumi App 中进入“设备 → AquaSmart → 重新连接”。仍然失败时，长按杯盖按键10秒重置。

## 如何联系客服？

发邮件到 support@lumi.example，或在 Lumi App 内联系在线客服（每天9:00–21:00）。
""",
        "en/shipping-and-returns.md": """# Shipping and returns

## Shipping

- Mainland China: free over ¥99, otherwise ¥8; SF Express or JD Logistics, 1–3 days.
- Hong Kong, Macau, Taiwan and international: calculated at checkout, 5–10 working days.
- During Singles Day (11.11) dispatch can take up to 72 hours.

## 30-day returns

You can return any product within 30 days of delivery for a full refund, no questions asked, as long as it is
complete and in its original packaging. Opened earbuds must be returned with all ear tips for hygiene reasons.

## How to return

1. Open the Lumi app → Orders → Return, or write to support@lumi.example with your order number.
2. We send a prepaid return label (free in mainland China).
3. Refunds are issued to the original payment method within 3 working days after we receive the item.

## Price protection

If the price of an item you bought drops within 15 days, we refund the difference. Price rises never affect
orders that are already paid.
""",
        "zh/shipping-and-returns.md": """# 配送与退换货

## 配送

- 中国大陆：满99元包邮，不满99元运费8元；顺丰或京东物流，1–3天送达。
- 港澳台及海外：运费结算时计算，5–10个工作日。
- 双十一期间发货可能延迟至72小时内。

## 30天无忧退货

签收后30天内，商品完整、包装齐全即可无理由退货并全额退款。已拆封的耳机需连同全部耳塞一起退回。

## 退货流程

1. 打开 Lumi App → 我的订单 → 申请退货，或发邮件至 support@lumi.example 并注明订单号。
2. 我们会发送预付运单（中国大陆免运费）。
3. 收到退货后3个工作日内原路退款。

## 价格保护

购买后15天内降价，我们退还差价。已付款订单不受涨价影响。
""",
        "en/warranty.md": """# Warranty

## What is covered

Every Lumi device has a 1-year warranty against manufacturing defects from the date of delivery; Lumi Buds Pro
and the Halo Desk Lamp have 2 years. Batteries are covered if capacity falls below 80% within the warranty.

## What is not covered

Damage from drops, water beyond the stated IPX rating, unauthorised repairs, and normal wear of ear tips and
seals.

## How to claim

Contact support@lumi.example with your order number and a short video of the problem. We repair or replace the
device within 7 working days, and ship it back free of charge.
""",
        "zh/warranty.md": """# 保修政策

## 保修范围

所有 Lumi 设备自签收之日起享受1年质量问题保修；Lumi Buds Pro 降噪耳机和护眼台灯享受2年保修。保修期内电池容量低于80%可免费更换。

## 不在保修范围

跌落、超出防水等级的进水、私自拆修造成的损坏，以及耳塞、密封圈的正常磨损。

## 如何申请

把订单号和问题视频发送到 support@lumi.example。我们会在7个工作日内维修或换新，并免费寄回。
""",
    }
    specs = {
        1001: ("Keeps hot 12 h / cold 24 h; 500 ml; glow reminders; battery about 20 days; USB-C.",
               "保温12小时、保冷24小时；500毫升；发光喝水提醒；续航约20天；USB-C 充电。"),
        1003: ("Adaptive ANC; 8 h playback, 32 h with case; Bluetooth 5.3 multipoint; IPX4; wireless charging case.",
               "自适应主动降噪；单次8小时，配合充电盒32小时；蓝牙5.3双设备连接；IPX4；无线充电盒。"),
        1005: ("Flicker-free; Ra95; 5 colour temperatures 2700–6500 K; ambient sensor; 2-year warranty.",
               "无频闪；显色指数 Ra95；2700–6500K 五档色温；环境光感应；2年保修。"),
        1008: ("15 W Qi2 magnetic pad for phones, 5 W for earbuds, 2.5 W for watches; 30 W adapter included.",
               "手机15W Qi2 磁吸快充，耳机5W，手表2.5W；附赠30W 充电器。"),
    }
    slugs = {1001: "aquasmart-bottle", 1003: "buds-pro", 1005: "halo-desk-lamp", 1008: "3-in-1-charger"}
    for item, slug in slugs.items():
        prod = p[item]
        en_spec, zh_spec = specs[item]
        pages[f"en/products/{slug}.md"] = (
            f"# {prod.name}\n\n{prod.description}\n\n## Price\n\n¥{prod.price:g}. Free shipping in mainland China.\n\n"
            f"## Specifications\n\n{en_spec}\n\n## In the box\n\n{prod.name}, USB-C cable, quick-start guide.\n")
        pages[f"zh/products/{slug}.md"] = (
            f"# {prod.name_zh}\n\n{prod.description_zh}\n\n## 价格\n\n¥{prod.price:g}，中国大陆包邮。\n\n"
            f"## 规格参数\n\n{zh_spec}\n\n## 包装清单\n\n{prod.name_zh}、USB-C 数据线、快速入门指南。\n")
    return pages


# ----------------------------------------------------------------------------- writing
def _csv_text(header: list[str] | None, rows: list[list]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if header:
        w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def write_all(out: Path, seed: int = SEED) -> dict[str, int]:
    """Write every demo file into `out`; returns row counts."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    behavior, purchases = make_behavior(rng)
    (out / "behavior.csv").write_text(_csv_text(None, [list(r) for r in behavior]), encoding="utf-8")
    (out / "catalog.csv").write_text(_csv_text(
        ["item_id", "name", "name_zh", "category_id", "category", "category_zh", "price", "description", "description_zh"],
        [[p.item_id, p.name, p.name_zh, p.category_id, p.category, p.category_zh, f"{p.price:g}", p.description,
          p.description_zh] for p in PRODUCTS]), encoding="utf-8")
    zh, en = make_reviews(rng, purchases)
    zh_rows = [[r["user"], r["item"], r["rating"], r["text"], _date(r["day"], i % 2)] for i, r in enumerate(zh)]
    (out / "reviews_zh.csv").write_bytes(_csv_text(["用户ID", "商品ID", "评分", "评论", "日期"], zh_rows).encode("gb18030"))
    with open(out / "reviews_en.jsonl", "w", encoding="utf-8", newline="\n") as fh:
        for r in en:
            fh.write(json.dumps({"user_id": str(r["user"]), "product": r["item"], "rating": r["rating"],
                                 "review": r["text"], "date": _date(r["day"], 2)}, ensure_ascii=False) + "\n")
    for rel, text in docs_pages().items():
        f = out / "docs" / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text, encoding="utf-8")
    return {"behavior": len(behavior), "purchases": len(purchases), "reviews_zh": len(zh), "reviews_en": len(en),
            "catalog": len(PRODUCTS), "docs": len(docs_pages())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write the Lumi demo dataset (deterministic).")
    ap.add_argument("--out", type=Path, default=OUT, help=f"output folder (default: {OUT})")
    ap.add_argument("--seed", type=int, default=SEED, help="random seed (default: %(default)s)")
    args = ap.parse_args(argv)
    counts = write_all(args.out, args.seed)
    size = sum(f.stat().st_size for f in args.out.rglob("*") if f.is_file())
    print(json.dumps({**counts, "bytes": size, "out": str(args.out)}))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
