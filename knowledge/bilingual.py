"""A small Chinese ↔ English lexicon of what reviews talk about, for searching across languages.

Each line of `_TABLE` is one concept: its Chinese words, then "=", then its English words (the
first of each side is the one used when a query is translated into a sentence to embed; all of
them are used as BM25 terms). The words are the everyday vocabulary of product, shop, hotel and
restaurant reviews (things, parts and aspects, what goes wrong, what is praised), not any one
data set's; a word missing here is simply not translated.

`translate(query, target)` turns a query into the other language: the Chinese side is read by
longest match over the table's words (so "智能音箱音质很好" → smart, speaker, sound, good), the
English side by phrases first ("battery life", "stopped working"), then words with plural and
verb endings taken off. It returns the translated sentence (for the dense vector) and the BM25
terms (every synonym, as the target language's tokeniser writes them), with the share of the
query's content words that were translated (how much the translation can be trusted).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .text import detect_lang

# zh words = en words. Keep each side's most common word first.
_TABLE = """
手机 = phone, smartphone, cellphone, mobile
电脑 计算机 = computer, pc
笔记本 笔记本电脑 = laptop, notebook
平板 平板电脑 = tablet, ipad
屏幕 显示屏 屏 = screen, display
键盘 = keyboard
鼠标 = mouse
耳机 = headphones, earphones, earbuds
音箱 音响 喇叭 扬声器 = speaker, speakers
智能音箱 = smart speaker, echo, alexa
语音助手 = voice assistant, alexa
智能 = smart
电视 = tv, television
手表 手环 = watch, band
相机 摄像头 = camera
拍照 照片 = photo, photos, picture, pictures
电池 = battery, batteries
续航 = battery life, battery
充电 = charge, charging
充电器 充电线 = charger, cable, cord
待机 = standby
电量 = battery, power
信号 = signal, reception
网络 联网 = network, internet, connection
无线 wifi = wifi, wireless
蓝牙 = bluetooth
断网 掉线 断线 = disconnect, disconnects, disconnected, drops
连接 = connect, connection
系统 = system
软件 应用 = software, app, apps
更新 升级 = update, upgrade
内存 = memory, ram
硬盘 = disk, drive, storage
处理器 = processor, cpu
运行 = run, runs, running
速度 = speed
卡顿 很卡 太卡 = lag, lags, laggy, freezes
死机 = crash, crashes, freezes
发热 发烫 烫 = hot, overheats, heat
声音 = sound, voice, volume
音质 = sound quality, sound
音量 = volume
低音 = bass
噪音 噪声 = noise, noisy
安静 = quiet
清晰 = clear, sharp
模糊 = blurry
亮 = bright
暗 = dark, dim
指令 命令 = command, commands
听不懂 = misunderstands, understand
识别 = recognize, recognition
音乐 歌 = music, songs
孩子 小孩 儿童 宝宝 = kids, children, child, kid, baby
家人 = family
老人 = elderly, parents
礼物 = gift, present
设置 安装 = setup, set up, install, installation
热水器 = water heater, heater
冰箱 = fridge, refrigerator
洗衣机 = washing machine, washer
空调 = air conditioner, ac
热水 = hot water
加热 = heating, heat
漏水 = leak, leaks, leaking
师傅 安装工 = installer, technician
书 书籍 图书 = book, books
内容 = content, story
作者 = author, writer
故事 = story
印刷 = printing, print
纸张 纸质 = paper
精彩 = wonderful, exciting, great read
好看 = good looking, beautiful, nice
衣服 服装 = clothes, clothing, shirt
裤子 = pants, trousers
裙子 连衣裙 = dress, skirt
鞋 鞋子 = shoes, shoe
尺码 尺寸 大小 = size, sizes
合身 = fits, fit
偏小 = runs small, too small
偏大 = runs large, too big
面料 布料 料子 = fabric, material
掉色 褪色 = fades, faded, fading
起球 = pilling
颜色 = color, colour
款式 样式 = style, design
洗发水 洗发露 = shampoo
护发素 = conditioner
头发 = hair
头皮 = scalp
头屑 = dandruff
痒 = itchy, itch
柔顺 = soft, smooth
香味 香 = smells nice, fragrance, scent
气味 味道 = smell, taste, flavor
臭 = smells bad, stinks
过敏 = allergic, allergy
水果 = fruit, fruits
苹果 = apple, apples
橙子 = orange, oranges
芒果 = mango, mangoes
香蕉 = banana, bananas
新鲜 = fresh
不新鲜 = not fresh, stale
烂 烂了 腐烂 = rotten, rotted, spoiled
坏了 = broken, spoiled
甜 = sweet
酸 = sour
多汁 = juicy
个头 = size
牛奶 奶 = milk
酸奶 = yogurt
蒙牛 = mengniu, milk
口感 = taste, texture
好喝 = tastes good, delicious
难喝 = tastes bad
保质期 = expiry, shelf life
食物 食品 饭 = food, meal
菜 菜品 = dishes, food, dish
好吃 美味 = delicious, tasty, good food
难吃 = tasteless, bland, bad food
凉 冷 = cold
咸 = salty
辣 = spicy
餐厅 饭店 饭馆 餐馆 = restaurant, diner
服务员 = waiter, waitress, server, staff
服务 = service
态度 = attitude
上菜 = served, serving
等待 等了 = wait, waited, waiting
排队 = line, queue
环境 = atmosphere, ambiance, environment
价格 价钱 = price, prices
贵 = expensive, pricey, overpriced
便宜 = cheap, inexpensive
划算 实惠 性价比 = value, worth, deal
值得 = worth
再来 = come back, return
酒店 宾馆 = hotel
房间 = room, rooms
床 = bed
早餐 = breakfast
前台 = front desk, reception
卫生 = hygiene, cleanliness, clean
干净 = clean
脏 = dirty
隔音 = soundproofing, noise
位置 地理位置 = location
交通 = transport, transportation
停车 = parking
浴室 卫生间 = bathroom
空调 = air conditioning
设施 = facilities
质量 品质 = quality
做工 = build quality, workmanship
包装 = packaging, package, packing
物流 快递 = delivery, shipping
发货 = shipped, shipping
送货 配送 = delivery
慢 = slow
快 = fast, quick
到货 收到 = arrived, received
退货 退款 = return, refund
换货 = exchange, replacement
客服 售后 = customer service, support
保修 = warranty
假货 = fake, counterfeit
正品 = genuine, authentic
坏 = broken, broke
不能用 不好用 = doesn't work, useless
停止工作 不工作 = stopped working, stopped
好用 = easy to use, works well, useful
方便 = convenient, easy
简单 = easy, simple
难用 = hard to use, difficult
满意 = satisfied, happy
喜欢 爱 = love, like, loves
推荐 = recommend
失望 = disappointed, disappointing
后悔 = regret
好 很好 不错 = good, great, nice
非常好 = excellent, great
差 很差 不好 = bad, poor, terrible
垃圾 = garbage, junk, trash
问题 毛病 = problem, problems, issue, issues
好评 = positive review, praise, good
差评 = negative review, complaint, complaints
投诉 抱怨 吐槽 = complaint, complaints, complain
粗鲁 没礼貌 = rude
热情 友好 = friendly, welcoming
舒服 舒适 = comfortable
不舒服 = uncomfortable
短 = short
长 = long
太 = too
大 = big, large
小 = small
重 = heavy
轻 = light, lightweight
月 个月 = month, months
天 = day, days
星期 周 = week, weeks
小时 = hour, hours
好几 好多 = several, many
路由器 = router
打印机 = printer
电视机 = tv
遥控器 遥控 = remote, remote control
插头 插座 = plug, outlet
开关 = switch, button
按键 按钮 = button, buttons
声控 = voice control
闹钟 = alarm
灯 台灯 灯泡 = light, lamp, bulb
家具 = furniture
沙发 = sofa, couch
床垫 = mattress
枕头 = pillow
被子 = quilt, duvet
桌子 = table, desk
椅子 = chair
吸尘器 = vacuum, vacuum cleaner
电水壶 烧水壶 水壶 = kettle
电饭煲 = rice cooker
微波炉 = microwave
锅 = pot, pan
杯子 水杯 = cup, mug, bottle
化妆品 = cosmetics, makeup
护肤品 = skincare
面霜 乳液 = cream, lotion
口红 = lipstick
香水 = perfume
皮肤 = skin
面膜 = face mask
尿不湿 纸尿裤 = diapers
婴儿车 推车 = stroller
玩具 = toy, toys
咖啡 = coffee
茶 茶叶 = tea
零食 = snacks
面包 = bread
蛋糕 = cake
巧克力 = chocolate
肉 = meat
牛排 = steak
鸡肉 = chicken
鱼 = fish
米饭 = rice
面条 = noodles
汤 = soup
甜点 = dessert
饮料 = drink, drinks, beverage
啤酒 = beer
酒 = wine
份量 分量 = portion, portions
厨师 = chef, cook
老板 = owner, manager
经理 = manager
菜单 = menu
外卖 = takeout, delivery
订单 = order
下单 = ordered, order
航班 = flight
机场 = airport
出租车 = taxi
入住 = check in, check-in, stay
退房 = check out, checkout
押金 = deposit
床单 = sheets, bedding
毛巾 = towel, towels
淋浴 = shower
窗户 窗 = window
景色 风景 = view
卖家 商家 店家 = seller, store, shop
店 商店 = store, shop
店员 = staff, clerk
快递员 送货员 骑手 = courier, driver, delivery man
发错 = wrong item
少发 漏发 = missing
破损 损坏 = damaged
划痕 = scratch, scratches, scratched
裂 裂了 碎了 = cracked
修 维修 = repair, fix, fixed
更换 = replace, replaced
取消 = cancel, cancelled
耐用 结实 = durable, sturdy
不耐用 = not durable, flimsy
易碎 = fragile
薄 = thin
厚 = thick
软 = soft
硬 = hard
粘 = sticky
暖和 保暖 = warm
凉快 = cool
吵 吵闹 = loud, noisy
迟到 延迟 晚了 = late, delayed
准时 = on time
及时 = timely, prompt
很久 = long time, forever
质量好 = good quality, well made
质量差 = poor quality, cheaply made
不值 = not worth
物有所值 = worth the money
建议 = suggest, advice
回购 再买 = buy again, repurchase
发霉 = moldy, mold
变质 = spoiled, gone bad
过期 = expired
新 = new
旧 = old, used
二手 = used, second hand
"""

_EN_PHRASE_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_EN_SKIP = frozenset(
    """a an the and or but of to in on at by for with from as is are was were be been being am do does did
    have has had i me my we our you your he she it its they them their this that these those there here so
    than very can will just would should could about after before all any some such only own same up out
    off also get got really quite pretty much what which who when where how why please""".split()
)


@dataclass(frozen=True)
class Translation:
    """A query in the other language: `text` to embed, `terms` for BM25, `coverage` = the share of
    the query's content words that the lexicon knew (0 when nothing was translated)."""

    text: str
    terms: tuple[str, ...]
    coverage: float
    groups: tuple[tuple[str, ...], ...]  # the BM25 terms of each translated word (its synonyms)
    source_lang: str
    target_lang: str


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], int]:
    zh_en: dict[str, list[str]] = {}
    en_zh: dict[str, list[str]] = {}
    for line in _TABLE.strip().splitlines():
        left, _, right = line.partition("=")
        zh_words = left.split()
        en_words = [w.strip().lower() for w in right.split(",") if w.strip()]
        for z in zh_words:
            zh_en.setdefault(z, [])
            zh_en[z] += [e for e in en_words if e not in zh_en[z]]
        for e in en_words:
            en_zh.setdefault(e, [])
            en_zh[e] += [z for z in zh_words if z not in en_zh[e]]
    longest_en = max(len(e.split()) for e in en_zh)
    return ({k: tuple(v) for k, v in zh_en.items()}, {k: tuple(v) for k, v in en_zh.items()}, longest_en)


def _zh_matches(text: str) -> tuple[list[tuple[str, ...]], int, int]:
    """Forward longest match of the table's Chinese words over `text`: (the English words of each
    match, Chinese characters covered, Chinese characters in all)."""
    zh_en = _tables()[0]
    longest = max(len(k) for k in zh_en)
    out: list[tuple[str, ...]] = []
    covered = total = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if not ("\u4e00" <= ch <= "\u9fff"):
            i += 1
            continue
        total += 1
        for n in range(min(longest, len(text) - i), 0, -1):
            hit = zh_en.get(text[i : i + n])
            if hit:
                out.append(hit)
                covered += n
                total += n - 1
                i += n
                break
        else:
            i += 1
    return out, covered, total


def _en_base(word: str, en_zh: dict[str, tuple[str, ...]]) -> str | None:
    """`word` or a form of it with an ending taken off that the table knows."""
    if word in en_zh:
        return word
    for suffix, repl in (("ies", "y"), ("es", ""), ("s", ""), ("ied", "y"), ("ed", ""), ("ed", "e"), ("ing", ""),
                         ("ing", "e"), ("ly", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            cand = word[: -len(suffix)] + repl
            if cand in en_zh:
                return cand
    return None


def _en_matches(text: str) -> tuple[list[tuple[str, ...]], int, int]:
    """Longest phrase match of the table's English words over `text`: (the Chinese words of each
    match, content words covered, content words in all)."""
    zh_en, en_zh, longest = _tables()
    words = _EN_PHRASE_RE.findall(text.lower().replace("’", "'"))
    out: list[tuple[str, ...]] = []
    covered = total = 0
    i = 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + n])
            key = phrase if n > 1 else _en_base(phrase, en_zh)
            if key and key in en_zh and (n > 1 or phrase not in _EN_SKIP):
                out.append(en_zh[key])
                covered += n
                total += n
                i += n
                break
        else:
            if words[i] not in _EN_SKIP:
                total += 1
            i += 1
    return out, covered, total


def translate(query: str, target: str | None = None) -> Translation:
    """`query` in the other language ("zh" ↔ "en"); `target` defaults to the one the query is not in."""
    source = detect_lang(query)
    target = target or ("en" if source == "zh" else "zh")
    if target == source:
        return Translation(query, (), 1.0, (), source, target)
    if source == "zh":
        matches, covered, total = _zh_matches(query)
        text = " ".join(m[0] for m in matches)
        groups = [[w for e in m for w in e.split() if w not in _EN_SKIP] for m in matches]
    else:
        matches, covered, total = _en_matches(query)
        text = "".join(m[0] for m in matches)
        from .bm25 import bm25_tokens

        groups = [[t for z in m for t in bm25_tokens(z)] for m in matches]
    groups_u = tuple(tuple(dict.fromkeys(g)) for g in groups if g)
    terms = tuple(dict.fromkeys(t for g in groups_u for t in g))
    return Translation(text, terms, (covered / total) if total else 0.0, groups_u, source, target)
