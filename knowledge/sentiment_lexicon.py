"""Hand-written sentiment lexicons and rule words for Chinese (and English additions to VADER).

Written for growthpilot from general knowledge of how shoppers write; no third-party corpus
was copied or used to derive it. Weights: about ±1 normal, ±2 strong, ±0.5 mild.
"""

from __future__ import annotations


def _weights(spec: str, weight: float) -> dict[str, float]:
    return {w: weight for w in spec.split()}


ZH_POSITIVE: dict[str, float] = {
    **_weights(
        """好 好用 好看 好吃 好喝 好闻 好评 不错 满意 喜欢 推荐 值得 值 划算 实惠 便宜 超值 物美价廉 性价比高
        快 很快 迅速 及时 准时 漂亮 美观 精致 大方 时尚 舒服 舒适 柔软 合身 合适 正品 新鲜 香甜 甜 脆 清甜 多汁
        干净 整洁 安静 方便 便捷 流畅 清晰 灵敏 稳定 耐用 结实 牢固 给力 靠谱 放心 省心 贴心 热情 周到 耐心 专业
        细心 友好 礼貌 赞 棒 优秀 完美 惊喜 开心 高兴 愉快 感谢 谢谢 支持 满分 五星 好极了 一流 精美 喜爱 爱
        值得购买 值得一读 值得推荐 物超所值 很好 挺好 蛮好 较好 还好 清爽 顺滑 柔顺 滋润 好用的 经济 高效 实用
        轻薄 轻便 小巧 大气 高档 上档次 正宗 地道 到位 完好 完整 无损 齐全 好的 好好 很棒 超赞 点赞 好极
        精彩 生动 有趣 有意思 深刻 感人 启发 受益 受益匪浅 经典 通俗易懂 引人入胜 透彻 喜欢的 回购 还会再来
        还会买 会再来 宽敞 明亮 温馨 便利 丰盛 可口 美味 快捷 顺利 准确 及时 利索 够用 强大 静音 省电
        飞快 秒到 神速 好评如潮 无可挑剔 不二之选 必备 优惠 合算 温柔 有耐心 负责 积极 热心 包装好 质量好
        效果好 效果明显 见效 不油 不腻 不刺激 温和 香 好香 清香 醇厚 浓郁 绵密 很甜 足量 分量足 厚实""",
        1.0,
    ),
    **_weights("非常好 特别好 超级好 太好了 太棒了 非常满意 十分满意 非常喜欢 强烈推荐 超级喜欢 好评 五星好评 完美无缺 爱不释手 物超所值", 2.0),
    **_weights("可以 还可以 还行 行 凑合 过得去 一般般还行 基本满意 中规中矩 挺 还算", 0.4),
}

ZH_NEGATIVE: dict[str, float] = {
    **_weights(
        """差 很差 差劲 太差 不好 不行 不满 不满意 不值 不值得 失望 后悔 退货 退款 换货 投诉 差评 垃圾 烂 破 坏
        坏了 破损 破了 损坏 漏 漏水 漏液 慢 很慢 太慢 贵 太贵 偏贵 假 假货 仿冒 山寨 冒牌 次品 劣质 残次 瑕疵
        有问题 毛病 故障 死机 卡顿 很卡 发热 发烫 噪音 吵 吵闹 异味 臭 难闻 刺鼻 脏 旧 不新鲜 烂了 变质
        过期 发霉 偏小 偏大 不合身 掉色 褪色 起球 缩水 开线 脱线 掉毛 粗糙 廉价 简陋 难看 丑
        难用 难吃 难喝 不好用 不好吃 不好喝 麻烦 复杂 不方便 不稳定 不清晰 模糊 不灵 失灵 不准 敷衍 冷漠 傲慢
        态度差 不耐烦 推诿 推脱 拖 拖延 拖拉 迟迟 欺骗 骗 骗人 坑人 上当 忽悠 虚假 欺诈 无语 郁闷 气愤 生气
        愤怒 恶心 糟糕 糟 崩溃 无奈 遗憾 可惜 悲剧 坑爹 呵呵 不推荐 别买 千万别 不会再 再也不 最后一次
        缺少 少了 没货 发错 错发 漏发 不符 不一致 与描述不符 不对 不如 不及 不够 不足 不值这个价
        吵死 太吵 潮湿 霉味 隔音差 蟑螂 陈旧 老旧 破旧 狭小 不干净 不卫生 难受 过敏 痒 头皮屑
        油腻 干涩 毛躁 打结 起泡 掉发 脱发 空洞 无聊 乏味 枯燥 肤浅 废话 拼凑 胡说 错别字 盗版 缺页 折痕
        一般 普通 平平 凑数 鸡肋 不怎么样 不咋地 不咋样 马马虎虎 勉强 差强人意 没用 无用 没效果 没什么效果
        浪费 白花 费电 耗电 断 断开 断线 掉线 重启 黑屏 闪退 不充电 充不进 不开机 开不了机 蓝屏 噪声 响声
        贵了 亏 吃亏 不划算 被坑 退钱 维修 返修 售后差 没人管 没人理 不理 不回复 不处理 慢吞吞 延迟 晚到
        差点 不太好 不怎么好 太小 太大 太薄 太硬 太甜 太咸 太淡 太酸""",
        -1.0,
    ),
    **_weights(
        """非常差 特别差 超级差 极差 太差了 差到极点 非常失望 很失望 太失望 极度失望 垃圾货 垃圾产品 骗子 黑心
        奸商 垃圾服务 投诉无门 再也不买 再也不会 坚决退货 强烈不推荐 千万不要买 千万别买 非常不满意 很不满意
        太坑 太垃圾 无良 最差 最烂 恶劣 差评差评""",
        -2.0,
    ),
}

# Words that flip the sentiment of what follows (within a clause).
ZH_NEGATIONS: frozenset[str] = frozenset(
    "不 没 没有 无 非 别 莫 勿 未 不是 并不 并没有 并非 毫不 毫无 绝不 从不 从没 从未 不太 不怎么 不够 没那么 不算 难以 不会 不能 不用 不必 无法".split()
)
# Degree adverbs: multiply the next sentiment word.
ZH_DEGREE: dict[str, float] = {
    **_weights("极 极其 极为 极度 超 超级 特别 非常 十分 相当 太 真 真的 实在 格外 分外 尤其 好 巨 贼 老", 1.6),
    **_weights("很 挺 蛮 比较 较 更 更加 还 挺好 越来越", 1.25),
    **_weights("有点 有些 稍 稍微 略 略微 一点 有一点", 0.7),
}
# Contrast words: the clause after them carries more weight than the one before.
ZH_CONTRAST: frozenset[str] = frozenset("但 但是 可是 不过 然而 只是 就是 可惜 却 偏偏".split())
# Complaints typical of support chats that carry no sentiment word ("还没到").
ZH_COMPLAINT_PATTERNS: tuple[str, ...] = (
    "还没到", "还没收到", "没收到", "怎么还没", "还没发货", "没发货", "什么时候到", "什么时候发货", "催", "等了",
    "怎么回事", "搞什么", "为什么还", "到底", "有没有人", "人呢", "找不到", "联系不上", "打不通", "不理人",
)

# Additions to VADER's English lexicon (shopping and support language it does not know).
EN_LEXICON_UPDATES: dict[str, float] = {
    "refund": -1.5, "refunded": -1.0, "return": -0.8, "returned": -1.5, "returning": -1.5, "broke": -2.0,
    "broken": -2.0, "defective": -2.5, "junk": -2.5, "useless": -2.5, "disappointed": -2.2, "disappointing": -2.2,
    "unresponsive": -2.0, "glitchy": -2.0, "glitch": -1.5, "glitches": -1.5, "laggy": -1.8, "lag": -1.2,
    "stopped": -1.2, "dies": -1.5, "died": -1.8, "dead": -1.8, "disconnects": -1.8, "disconnecting": -1.8,
    "crap": -2.5, "trash": -2.5, "waste": -2.0, "overpriced": -2.0, "flimsy": -1.8, "cheaply": -1.5,
    "late": -1.2, "delayed": -1.5, "missing": -1.5, "damaged": -2.0, "scam": -3.0, "worst": -3.0,
    "garbage": -2.5, "annoying": -2.0, "slow": -1.2, "unusable": -2.5, "fails": -1.8, "failed": -1.8,
    "doesnt": -0.6, "didnt": -0.4, "cant": -0.4, "wont": -0.4, "meh": -1.2, "mediocre": -1.5,
    "smooth": 1.5, "handy": 1.8, "convenient": 1.8, "recommend": 1.8, "recommended": 1.8, "works": 0.6,
    "fast": 1.0, "quick": 1.0, "crisp": 1.5, "clear": 1.0, "reliable": 1.8, "sturdy": 1.5, "durable": 1.5,
    "affordable": 1.5, "worth": 1.5, "easy": 1.5, "loves": 2.5, "addicted": 1.0, "obsessed": 1.5,
}
# Complaints typical of support chats with no sentiment word ("where is my order??").
EN_COMPLAINT_PATTERNS: tuple[str, ...] = (
    "where is my", "where's my", "still waiting", "still not", "still haven't", "still hasn't", "haven't received",
    "hasn't arrived", "not arrived", "never arrived", "not received", "never received", "no response", "no one",
    "nobody", "any update", "how long", "what's going on", "what is going on", "wrong item", "doesn't work",
    "does not work", "didn't work", "stopped working", "not working", "won't turn on", "can't connect",
    "cannot connect", "want my money back", "money back", "cancel my order",
)
