"""Words of a help centre in Chinese and English: tokens for lexical matching, and the named things a
support answer must never invent (payment methods, carriers, places) plus bilingual topic concepts.

The concepts are generic shop-support vocabulary (paying, delivery, returns, warranty, prices, stock,
contact, pairing, what is in the box …), not the demo shop's sentences: they let a Chinese question meet
an English section and vice versa, and let "PayPal" meet the section about payment methods.
"""

from __future__ import annotations

import re
from functools import lru_cache

from knowledge.text import EN_STOPWORDS, one_edit

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_EN_WORD = re.compile(r"[a-z0-9]+(?:[.'’][a-z0-9]+)*")
_SUPPORT_STOP = frozenset(
    "please hi hello thanks thank lumi want need know tell like let much many way also still yet really "
    "does doing can could would will im i'm it's what's how when where why which who whom whose".split()
)
_ZH_STOP_CHARS = frozenset("的了吗呢吧啊呀么是我你您们这那个就也都和与及在有请问想要可以能会")

# concept -> surface forms (lower-case English substrings matched on word boundaries; Chinese substrings)
CONCEPTS: dict[str, tuple[str, ...]] = {
    "pay": ("pay", "paying", "paid", "payment", "payments", "paypal", "alipay", "wechat pay", "unionpay", "union pay",
            "visa", "mastercard", "master card", "credit card", "debit card", "apple pay", "cash on delivery", "klarna",
            "bank transfer", "installment", "instalments", "支付", "付款", "付钱", "支付宝", "微信支付", "微信付", "银联",
            "信用卡", "刷卡", "花呗", "货到付款", "分期", "转账", "怎么付", "visa卡"),
    "order": ("order online", "place an order", "where can i buy", "where to buy", "buy", "purchase", "tmall", "website",
              "下单", "购买", "哪里买", "在哪买", "天猫", "官网", "旗舰店"),
    "tax": ("vat", "tax", "taxes", "含税", "税"),
    "delivery": ("delivery", "deliver", "delivered", "arrive", "arrival", "arrives", "shipping time", "delivery time",
                 "ship", "ships", "shipped", "shipping", "dispatch", "dispatched", "tracking", "track", "parcel", "package", "courier",
                 "not arrived", "hasn't arrived", "reach", "reaches", "get to", "get here", "gets to", "get there", "haven't received", "still not here", "多久", "几天", "到货", "送达", "收到",
                 "发货", "物流", "快递", "包裹", "没到", "还没到", "单号", "配送", "寄到", "送到", "运送"),
    "ship_cost": ("free shipping", "free delivery", "minimum order", "minimum spend", "shipping free", "shipping cost", "shipping fee", "shipping costs", "postage", "delivery fee",
                  "delivery charge", "pay for shipping", "pay shipping", "运费", "包邮", "邮费", "免运费", "免邮", "运费险"),
    "stock": ("out of stock", "sold out", "restock", "back in stock", "pre-order", "preorder", "pre-orders", "in stock", "notify me",
              "缺货", "补货", "售罄", "没货", "卖完", "到货通知", "预售", "有货", "断货"),
    "pair": ("pair", "pairing", "connect", "connection", "bluetooth", "new phone", "配对", "连接", "蓝牙", "新手机", "连不上", "换手机"),
    "sync": ("sync", "syncing", "synchronise", "synchronize", "reconnect", "同步", "重新连接", "连不上app"),
    "reset": ("reset", "factory reset", "重置", "恢复出厂"),
    "contact": ("contact", "customer service", "support team", "email", "e-mail", "live chat", "chat", "opening hours",
                "support hours", "reach you", "phone number", "hotline", "客服", "联系", "邮件", "邮箱", "在线客服", "人工", "热线", "电话"),
    "return": ("return", "returns", "returning", "send back", "send it back", "send them back", "send a product back", "send the item back",
               "ship it back", "money back", "return policy", "退货", "退回", "退掉", "退了", "能退", "可以退",
               "想退", "要退", "退", "寄回", "无理由",
               # a change of mind is a return reason, not something the policy must name
               "don't like", "do not like", "changed my mind", "change of mind", "不喜欢", "不想要", "不合适"),
    "return_how": ("how do i return", "how to return", "return label", "return process", "start a return", "steps",
                   "怎么退", "如何退", "退货流程", "运单", "申请退货", "退货步骤"),
    # how long a customer has to return something (the return window), not how to do it
    "return_period": ("return window", "return period", "returns window", "time limit", "deadline", "how long do i have",
                      "how many days do i have", "days to return", "day return", "day returns", "days of delivery", "within how many days",
                      "退货期限", "退换期限", "期限", "多少天内", "几天内", "天内", "无忧退货", "天无理由", "多久内"),
    # who pays for sending a return: a prepaid label, free return postage
    "return_cost": ("return shipping", "return postage", "postage back", "return label", "prepaid", "pre-paid", "pay for the return",
                    "pay for returns", "pay to send", "pays the postage", "pay the postage", "cost of returning", "cost to return",
                    "退货运费", "退货邮费", "寄回运费", "退回运费", "退货的运费", "运费谁", "邮费谁", "预付", "运单", "退货费用"),
    "refund": ("refund", "refunded", "refunds", "money back", "退款", "退钱", "原路", "到账", "钱什么时候"),
    "price_protect": ("price drop", "price drops", "price dropped", "dropped in price", "price protection", "cheaper", "price difference",
                      "difference", "went down", "降价", "差价", "价格保护", "便宜了", "涨价", "保价"),
    "warranty": ("warranty", "guarantee", "guaranteed", "defect", "defective", "faulty", "broken", "stopped working", "doesn't work",
                 "does not work", "not working", "保修", "质保", "保修期", "坏了", "故障", "质量问题", "不工作", "失灵"),
    "not_covered": ("not covered", "dropped", "drop", "water damage", "water", "damage", "damaged", "wear", "tear", "unauthorised",
                    "unauthorized", "fell", "跌落", "进水", "摔", "损坏", "磨损", "拆修", "泡水", "掉水"),
    "claim": ("claim", "video", "replace", "replacement", "repair", "repaired", "fix", "申请", "视频", "换新", "维修", "修", "报修"),
    "battery": ("battery", "batteries", "电池", "电量"),
    "battery_life": ("battery life", "battery last", "battery lasts", "playback", "play on one charge", "one charge", "last on a charge",
                     "续航", "充一次", "用多久", "能用几天", "播放"),
    "carrier": ("courier", "couriers", "carrier", "carriers", "which express", "logistics", "sf express", "jd logistics", "shipping company",
                "delivery company", "快递公司", "什么快递", "哪家快递", "发什么快递", "哪个快递", "顺丰", "京东物流", "物流公司"),
    "pay_method": ("payment methods", "payment options", "ways to pay", "pay with", "pay by", "paypal", "alipay", "wechat pay", "unionpay",
                   "visa", "mastercard", "credit card", "credit cards", "debit card", "apple pay", "支付方式", "付款方式", "怎么付", "用什么付",
                   "支付宝", "微信支付", "银联", "信用卡", "刷卡", "花呗", "paypal付", "分期", "货到付款", "instalments", "installments"),
    "colour_temp": ("colour temperature", "color temperature", "colour temperatures", "color temperatures", "kelvin", "warm light",
                    "cool light", "色温", "暖光", "冷光"),
    "price": ("price", "prices", "cost", "costs", "how much", "expensive", "yuan", "rmb", "价格", "多少钱", "价钱", "售价", "贵", "几块", "多钱"),
    "specs": ("spec", "specs", "specification", "specifications", "watt", "watts", "anc", "noise cancelling", "noise canceling",
              "playback", "ipx4", "ipx", "waterproof", "sweat", "colour temperature", "color temperature", "keep hot", "keep cold",
              "keeps drinks", "hours", "capacity", "ml", "规格", "参数", "降噪", "防水", "防汗", "色温", "保温", "保冷", "功率", "毫升", "小时", "显色"),
    "box": ("in the box", "included", "include", "comes with", "come with", "cable", "adapter", "what's inside", "accessories",
            "包装清单", "包装里", "盒子里", "清单", "配件", "附带", "附赠", "数据线", "送什么", "带什么", "包含", "充电器"),
    "region_intl": ("hong kong", "macau", "macao", "taiwan", "international", "internationally", "abroad", "overseas", "outside china",
                    "other countries", "worldwide", "港澳台", "香港", "澳门", "台湾", "海外", "国外", "国际", "境外"),
    "mainland": ("mainland", "within china", "in china", "大陆", "国内", "内地"),
    "promo": ("singles day", "11.11", "double 11", "promotion", "promotions", "sale", "双十一", "双11", "大促", "促销"),
    "hours": ("opening hours", "what time", "hours", "open", "9:00", "几点", "时间", "营业"),
    "same_day": ("same day", "same-day", "today", "cut-off", "cutoff", "16:00", "4pm", "当天", "今天发", "几点前"),
    # product types (generic electronics words)
    "earbuds": ("earbuds", "earbud", "earphones", "headphones", "buds", "耳机", "耳塞", "耳帽"),
    "lamp": ("lamp", "desk lamp", "light", "台灯", "灯"),
    "bottle": ("bottle", "aquasmart", "cup", "水杯", "杯子", "保温杯", "杯"),
    "charger": ("charger", "charging pad", "wireless charger", "3-in-1", "充电座", "无线充", "充电器", "三合一"),
    "ear_tips": ("ear tips", "ear tip", "eartips", "耳塞"),
    "packaging": ("original packaging", "packaging", "opened", "unopened", "原包装", "包装齐全", "包装完整", "拆封", "拆开", "开封"),
    "app": ("app", "application", "App"),
}

PRODUCT_CONCEPTS = frozenset({"earbuds", "lamp", "bottle", "charger", "ear_tips"})

# Named things a reply may only mention when the passage does. canonical -> surface forms (both languages).
PAYMENT_METHODS: dict[str, tuple[str, ...]] = {
    "alipay": ("alipay", "支付宝"), "wechat pay": ("wechat pay", "wechatpay", "微信支付"), "unionpay": ("unionpay", "union pay", "银联"),
    "visa": ("visa",), "mastercard": ("mastercard", "master card"), "paypal": ("paypal",), "apple pay": ("apple pay",),
    "google pay": ("google pay",), "amex": ("american express", "amex"), "credit card": ("credit card", "信用卡"),
    "cash on delivery": ("cash on delivery", "货到付款"), "huabei": ("huabei", "花呗"), "klarna": ("klarna",),
    "bank transfer": ("bank transfer", "银行转账", "转账"), "installments": ("installment", "instalment", "分期"),
    "gift card": ("gift card", "礼品卡"), "cash": ("in cash", "现金"),
    "e-cny": ("e-cny", "digital yuan", "digital rmb", "digital renminbi", "数字人民币"), "quickpass": ("quickpass", "云闪付"),
    "jd pay": ("jd pay", "京东支付"), "samsung pay": ("samsung pay",), "douyin pay": ("douyin pay", "抖音支付"),
}
# kinds of named things a help page lists as its options (the carriers we ship with, the ways to pay):
# a question naming one of the kind asks which ones, answered by the section listing them
LISTED_KINDS = frozenset({"payment method", "carrier"})
CARRIERS: dict[str, tuple[str, ...]] = {
    "sf": ("sf express", "sf-express", "顺丰"), "jd": ("jd logistics", "jd express", "京东物流", "京东"), "ems": ("ems",),
    "china post": ("china post", "中国邮政", "邮政"), "dhl": ("dhl",), "fedex": ("fedex",), "ups": ("ups",),
    "zto": ("zto", "中通"), "yto": ("yto", "圆通"), "sto": ("sto express", "申通"), "yunda": ("yunda", "韵达"), "cainiao": ("cainiao", "菜鸟"),
}
PLACES: dict[str, tuple[str, ...]] = {
    "mainland china": ("mainland china", "mainland", "中国大陆", "大陆", "内地"), "hong kong": ("hong kong", "香港", "港澳台"),
    "macau": ("macau", "macao", "澳门", "港澳台"), "taiwan": ("taiwan", "台湾", "港澳台"), "shenzhen": ("shenzhen", "深圳"),
    "beijing": ("beijing", "北京"), "shanghai": ("shanghai", "上海"), "guangzhou": ("guangzhou", "广州"),
    "usa": ("the us", "usa", "united states", "america", "美国"), "uk": ("the uk", "united kingdom", "britain", "英国"),
    "europe": ("europe", "欧洲"), "japan": ("japan", "日本"), "singapore": ("singapore", "新加坡"), "russia": ("russia", "俄罗斯"),
    "australia": ("australia", "澳大利亚", "澳洲"), "canada": ("canada", "加拿大"), "germany": ("germany", "德国"),
    "korea": ("korea", "韩国"), "international": ("international", "internationally", "overseas", "abroad", "海外", "国外", "国际"),
}
PLATFORMS: dict[str, tuple[str, ...]] = {
    "tmall": ("tmall", "天猫"), "taobao": ("taobao", "淘宝"), "jd.com": ("jd.com", "京东商城"), "amazon": ("amazon", "亚马逊"),
    "pinduoduo": ("pinduoduo", "拼多多"), "douyin": ("douyin", "tiktok", "抖音"),
}
ENTITY_KINDS: dict[str, dict[str, tuple[str, ...]]] = {
    "payment method": PAYMENT_METHODS, "carrier": CARRIERS, "place": PLACES, "shop": PLATFORMS,
}

# a question naming any carrier ("DHL", "圆通") or payment method ("Google Pay") asks about carriers /
# ways to pay, whether or not the docs name that one: it meets the section that lists them
for _concept, _table in (("carrier", CARRIERS), ("pay_method", PAYMENT_METHODS)):
    CONCEPTS[_concept] = tuple(dict.fromkeys(CONCEPTS[_concept] + tuple(f for forms in _table.values() for f in forms)))


def _compile(forms: tuple[str, ...]) -> re.Pattern:
    parts = []
    for f in sorted(set(forms), key=len, reverse=True):
        esc = re.escape(f.lower())
        if re.match(r"[a-z0-9]", f.lower()):
            esc = r"(?<![a-z0-9])" + esc
        if re.search(r"[a-z0-9]$", f.lower()):
            esc = esc + r"(?![a-z0-9])"
        parts.append(esc)
    return re.compile("|".join(parts))


_CONCEPT_RES = {c: _compile(forms) for c, forms in CONCEPTS.items()}
_ENTITY_RES = {kind: {name: _compile(forms) for name, forms in table.items()} for kind, table in ENTITY_KINDS.items()}


def norm(text: str) -> str:
    """Lower case, full-width punctuation and dashes made plain (for matching only)."""
    text = text.lower().replace("’", "'").replace("–", "-").replace("—", "-").replace("～", "~")
    return re.sub(r"\s+", " ", text)


# "send the charger back", "ship them back": a return with the thing named in between
_SEND_BACK = re.compile(r"\b(?:send|ship|mail|post|bring|take)\b(?:\s+[a-z0-9'-]+){1,3}\s+back\b")
# a stated time span ("50 days", "six weeks", "两个月", "60天"): asked with a return, it is about the return window
_NUM = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|few|couple of|several)"
_SPAN = re.compile(_NUM + r"\s+(?:days?|weeks?|months?)\b|(?:\d+|[一二两三四五六七八九十]+)\s*(?:天|周|星期|个月|月)")


def pattern_concepts(text: str) -> dict[str, str]:
    """Concepts read from a pattern rather than a fixed form, each with the words that express it
    ("send the charger back" -> return: "send back"; "after six weeks" + a return -> return_period:
    "six weeks"), for the coverage of a question by a section."""
    t = norm(text)
    out: dict[str, str] = {}
    m = _SEND_BACK.search(t)
    if m and not _CONCEPT_RES["return"].search(t):  # only where no fixed form says it already
        out["return"] = f"{m.group(0).split()[0]} back"
    m = _SPAN.search(t)
    if m and ("return" in out or _CONCEPT_RES["return"].search(t)):
        out["return_period"] = m.group(0)
    return out


@lru_cache(maxsize=4096)
def concepts(text: str) -> frozenset[str]:
    t = norm(text)
    return frozenset({c for c, rx in _CONCEPT_RES.items() if rx.search(t)} | set(pattern_concepts(t)))


@lru_cache(maxsize=4096)
def entities(text: str) -> frozenset[tuple[str, str]]:
    """(kind, canonical name) of every payment method, carrier, place and shop named in `text`."""
    t = norm(text)
    return frozenset((kind, name) for kind, table in _ENTITY_RES.items() for name, rx in table.items() if rx.search(t))


def _stem(w: str) -> str:
    for suf in ("ing", "ed", "es", "s"):
        if len(w) > len(suf) + 2 and w.endswith(suf):
            w = w[: -len(suf)]
            # "shipping" / "shipped" -> "ship", "stopped" -> "stop" (not "add", "fall": no -ing/-ed there)
            if suf in ("ing", "ed") and len(w) >= 4 and w[-1] == w[-2] and w[-1] not in "aeiouls":
                w = w[:-1]
            break
    return w


@lru_cache(maxsize=8192)
def tokens(text: str) -> frozenset[str]:
    """Lexical units: stemmed English words (no stop words) and Chinese character bigrams (and
    single characters of one-character runs)."""
    t = norm(text)
    out: set[str] = set()
    for w in _EN_WORD.findall(t):
        if w in EN_STOPWORDS or w in _SUPPORT_STOP or len(w) < 2 and not w.isdigit():
            continue
        out.add(_stem(w))
    for run in _CJK_RUN.findall(t):
        chars = [c for c in run]
        if len(chars) == 1:
            if chars[0] not in _ZH_STOP_CHARS:
                out.add(chars[0])
            continue
        for a, b in zip(chars, chars[1:]):
            if a in _ZH_STOP_CHARS and b in _ZH_STOP_CHARS:
                continue
            out.add(a + b)
    return frozenset(out)


# single English words of the concepts, long enough that one edit away is a typo, not another word
_TYPO_TARGETS = tuple(sorted({f for forms in CONCEPTS.values() for f in forms if re.fullmatch(r"[a-z]{5,}", f)}))
_KNOWN_WORDS = frozenset(_TYPO_TARGETS) | frozenset(EN_STOPWORDS)


# contractions typed without the apostrophe ("whats") would count as content words
_CONTRACTIONS = {"whats": "what's", "hows": "how's", "wheres": "where's", "dont": "don't", "doesnt": "doesn't",
                 "didnt": "didn't", "cant": "can't", "wont": "won't", "isnt": "isn't", "im": "i'm", "ive": "i've",
                 "havent": "haven't", "hasnt": "hasn't", "wasnt": "wasn't", "arent": "aren't"}


def fix_typos(text: str) -> str:
    """"retrun" → "return", "waranty" → "warranty": an English word of 5+ letters that is no
    support word itself and is one edit from exactly one support word is read as that word;
    "whats" → "what's"."""
    def sub(m: re.Match) -> str:
        w = m.group(0)
        low = w.lower()
        if low in _CONTRACTIONS:
            return _CONTRACTIONS[low]
        if len(low) < 5 or low in _KNOWN_WORDS:
            return w
        # a letter more or less at the end is another form of a word ("charge" / "charger"), not a typo
        near = [t for t in _TYPO_TARGETS if one_edit(low, t) and not (t.startswith(low) or low.startswith(t))]
        return near[0] if len(near) == 1 else w

    return re.sub(r"[A-Za-z]+", sub, text)
