"""Review aspects as concepts: one name per thing customers talk about, whatever the language
or the synonym (售后 and "customer service" are the same aspect)."""

from __future__ import annotations

# One aspect per concept, whatever the language or the synonym: the zh and en reviews of one shop
# talk about the same things, and a ranking that lists 客服 and "customer service" as two rows
# halves each. A word not listed here is its own aspect.
ASPECT_GROUPS: dict[str, tuple[str, ...]] = {
    "电池 / battery": ("续航", "电池", "电量", "battery life", "battery"),
    "充电 / charging": ("充电", "charger", "cord"),
    "物流 / shipping": ("物流", "快递", "发货", "送货", "shipping", "delivery"),
    "包装 / packaging": ("包装", "packaging"),
    "价格 / price": ("价格", "价钱", "性价比", "price", "value"),
    "质量 / quality": ("质量", "做工", "quality"),
    "屏幕 / screen": ("屏幕", "screen", "display"),
    "音质 / sound": ("音质", "声音", "音效", "sound quality", "sound", "speaker", "bass"),
    "客服 / customer service": ("客服", "售后", "服务", "态度", "customer service", "support"),
    "尺寸 / size": ("尺寸", "尺码", "大小", "size"),
    "颜色 / color": ("颜色", "color"),
    "外观 / design": ("外观", "款式", "design"),
    "安装 / setup": ("安装", "setup", "set up", "installation"),
    "拍照 / camera": ("拍照", "像素", "camera"),
    "软件 / software": ("软件", "系统", "software", "app", "update"),
    "网络 / connection": ("网络", "信号", "wifi", "connection", "bluetooth"),
    "按键 / buttons": ("按键", "button", "remote"),
}
_CONCEPT = {w: label for label, words in ASPECT_GROUPS.items() for w in words}


def aspect_concept(word: str) -> str:
    """The aspect a lexicon word counts under ("售后" → "客服 / customer service")."""
    return _CONCEPT.get(word, _CONCEPT.get(word.strip().lower(), word))
