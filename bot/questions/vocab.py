"""The words the rules know, in Chinese and English: metrics, operations, dimensions, things the
data does not hold, and what is not a data question at all.

Every pattern is a regular expression over the normalised question (NFKC, lower case).
English words are matched on word boundaries (`_en`); Chinese has none, so it is matched as is.
Order matters where one phrase contains another: the first match in each list wins.
"""

from __future__ import annotations

import re
import unicodedata

from knowledge.text import one_edit


def normalise(text: str) -> str:
    t = unicodedata.normalize("NFKC", text or "").lower()
    return t.replace("’", "'").replace("‘", "'").replace("→", "->")


def _en(p: str) -> str:
    return rf"(?<![a-z]){p}(?![a-z])"


def rx(*parts: str) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in parts))


# ---------------------------------------------------------------- numbers
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
EN_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
              "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14, "fifteen": 15, "twenty": 20, "thirty": 30, "a": 1, "an": 1}
NUM = r"(\d+|[零〇一二两俩三四五六七八九十]+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|fifteen|twenty|thirty)"


def to_int(s: str) -> int | None:
    s = s.strip()
    if s.isdigit():
        return int(s)
    if s in EN_NUMBERS:
        return EN_NUMBERS[s]
    if s and all(c in _ZH_DIGITS or c == "十" for c in s):
        if "十" in s:
            a, _, b = s.partition("十")
            tens = _ZH_DIGITS.get(a, 1) if a else 1
            ones = _ZH_DIGITS.get(b, 0) if b else 0
            return tens * 10 + ones
        v = 0
        for c in s:
            v = v * 10 + _ZH_DIGITS[c]
        return v
    return None


# ---------------------------------------------------------------- not a data question
# A "why" needs evidence (reviews, insights), not one number; copy and chit-chat are not queries.
WHY = rx(_en(r"why"), _en(r"what caused"), _en(r"reasons?"), _en(r"what(?:'s| is| was| are) behind"), _en(r"what explains"), _en(r"how come"),
         _en(r"what (?:drove|drives|led to)"), _en(r"due to what"), r"为什么", r"为何", r"原因", r"怎么回事", r"咋回事", r"什么导致", r"怎么会")
# a summary of what the insights / reviews say needs evidence (the index), not one number
SUMMARY = rx(_en(r"summari[sz]e"), _en(r"summary"), _en(r"overview"), _en(r"what (?:do|does) the insights? say"), _en(r"insights?"),
             r"总结", r"概括", r"概述", r"洞察", r"汇总一下")
COPY = rx(_en(r"write"), _en(r"draft"), _en(r"slogans?"), _en(r"taglines?"), _en(r"captions?"), _en(r"copy(?:writing)?"),
          _en(r"ad text"), _en(r"headlines?"), _en(r"tweet"), _en(r"post for"),
          r"写一?[段条篇个句]", r"帮我写", r"文案", r"标语", r"广告语", r"口号", r"推文",
          r"小红书(?!(?:上|里)?的?(?:粉丝|关注|数据|流量|曝光|点赞|阅读))")
CHAT = rx(r"^\s*(?:hi|hello|hey|thanks|thank you|ok|okay|good morning|你好|您好|谢谢|多谢|好的|早上好|嗨)[\s!！。.,，~]*$",
          _en(r"who are you"), _en(r"what can you do"), r"你是谁", r"你能做什么")

# ---------------------------------------------------------------- not in the data
# (pattern, what is missing in en, in zh). Checked before the metrics: "ad conversion" is about ads.
NOT_IN_DATA: tuple[tuple[re.Pattern, str, str], ...] = (
    (rx(_en(r"ad(?:vertising|vert)? ?(?:spend|spending|budget|costs?)"), _en(r"ads?"), _en(r"advertising"), _en(r"campaign spend"),
        _en(r"cpc"), _en(r"cpm"), _en(r"(?:marketing|promotion|promo) (?:budgets?|spend\w*|costs?)"), _en(r"budgets?"),
        _en(r"(?:google|facebook|meta|tiktok|baidu) ads?"), r"直通车", r"钻展", r"万相台", r"引力魔方", r"千川",
        r"广告", r"投放", r"推广费", r"营销费用", r"营销预算", r"预算", r"花了多少钱"), "ad spend", "广告花费"),
    (rx(_en(r"roi"), _en(r"roas"), _en(r"return on (?:ad spend|investment)"), r"投资回报", r"投产比", r"投入产出", r"回报率", r"roi"), "return on investment (ROI)", "投资回报率（ROI）"),
    (rx(_en(r"cac"), _en(r"(?:customer )?acquisition costs?"), _en(r"cost per (?:customer|acquisition|user)"), r"获客成本", r"拉新成本"),
     "customer acquisition cost", "获客成本"),
    (rx(_en(r"revenue"), _en(r"gmv"), _en(r"turnover"), _en(r"sales (?:amount|value|revenue|volume in)"), _en(r"income"),
        _en(r"profits?"), _en(r"margins?"), _en(r"how much money"), _en(r"earn(?:ed|ings)?"), _en(r"aov"), _en(r"average order value"),
        _en(r"basket size"), r"销售额", r"营收", r"营业额", r"收入", r"成交额", r"成交金额", r"利润", r"毛利", r"赚了", r"卖了多少钱",
        r"客单价", r"gmv"), "revenue (the log has no order amounts)", "销售额（行为日志里没有订单金额）"),
    (rx(_en(r"(?:items?|products?|units?|things) (?:per|in an?|in each|for each) (?:order|basket|cart|checkout|purchase)"),
        r"每单(?:几|多少)件", r"每笔订单.{0,4}(?:几|多少)件", r"(?:平均|每)(?:一)?单(?:买)?(?:几|多少)件"),
     "items per order (the log has no order ids)", "每单件数（行为日志里没有订单号）"),
    (rx(_en(r"competitors?"), _en(r"competition"), _en(r"rivals?"), r"竞品", r"竞争对手", r"对手", r"同行"), "competitors", "竞品数据"),
    (rx(_en(r"traffic sources?"), _en(r"referr(?:er|al)s?"), _en(r"utm"), _en(r"channels?"), _en(r"where (?:do|did) (?:our )?(?:users|visitors|customers) come from"),
        _en(r"organic"), _en(r"seo"), r"流量来源", r"渠道", r"来源"), "traffic sources", "流量来源"),
    (rx(_en(r"weather"), _en(r"temperature"), r"天气", r"气温", r"下雨"), "weather", "天气"),
    (rx(_en(r"refunds?"), _en(r"returns?(?: rate)?"), _en(r"returned"), r"退货", r"退款"), "returns and refunds", "退货退款"),
    (rx(_en(r"inventory"), _en(r"stock levels?"), _en(r"in stock"), _en(r"stock"), _en(r"warehouses?"), r"库存", r"仓库"), "inventory", "库存"),
    (rx(_en(r"(?:shipping|logistics|delivery|fulfil?ment|operating) costs?"), _en(r"costs?"), r"物流成本", r"运费", r"成本"),
     "costs (the data holds no cost figures)", "成本（数据里没有成本数字）"),
    (rx(_en(r"how old"), _en(r"ages?"), _en(r"gender"), _en(r"demographics?"), _en(r"cit(?:y|ies)"), _en(r"countr(?:y|ies)"), _en(r"regions?"),
        _en(r"locations?"), r"年龄", r"性别", r"城市", r"地区", r"省份", r"地域"), "demographics and location", "用户年龄、性别与地域"),
    (rx(_en(r"impressions?"), _en(r"click[- ]?through"), _en(r"ctr"), _en(r"clicks?"), r"曝光", r"点击率", r"点击量"),
     "impressions and clicks (the log has page views, not impressions)", "曝光与点击（日志只有浏览，没有曝光）"),
    (rx(_en(r"bounce rate"), _en(r"session (?:length|duration)"), _en(r"time on (?:site|page)"), _en(r"dwell time"), r"跳出率", r"停留时长", r"停留时间"),
     "sessions and time on page", "会话与停留时长"),
    (rx(_en(r"email open"), _en(r"open rate"), _en(r"newsletter"), _en(r"followers?"), _en(r"social media"), r"粉丝", r"关注者", r"公众号", r"邮件打开"),
     "email and social-media figures", "邮件与社交媒体数据"),
    (rx(_en(r"nps"), _en(r"net promoter"), r"净推荐值"), "NPS surveys", "NPS 调查"),
    (rx(_en(r"live ?streams?(?:ing)?"), _en(r"livestream\w*"), _en(r"live (?:shows?|sessions?|broadcasts?)"), r"直播"), "live-stream figures", "直播数据"),
    (rx(_en(r"employees?"), _en(r"staff"), _en(r"headcount"), _en(r"salar(?:y|ies)"), _en(r"payroll"), _en(r"wages?"), r"员工", r"工资", r"薪资", r"薪水"),
     "staff and payroll", "员工与薪资"),
    (rx(_en(r"tax(?:es)?"), _en(r"vat"), r"税"), "taxes", "税费"),
    (rx(_en(r"(?:support )?tickets?"), _en(r"customer service (?:tickets|contacts|calls|cases|requests)"), _en(r"(?:went|go|sent|came) to (?:customer )?(?:service|support)"),
        r"工单", r"客诉"), "customer-service tickets", "客服工单"),
    (rx(_en(r"sign[- ]?ups?"), _en(r"signed up"), _en(r"registrations?"), _en(r"registered"), _en(r"new accounts?"), r"注册"), "sign-ups and registrations", "注册数据"),
    (rx(_en(r"churn\w*"), r"流失率"), "churn (the log has no subscriptions or cancellations)", "流失率（日志里没有订阅或注销记录）"),
    # the average as a figure; "how long does delivery take?" is the help centre's
    (rx(_en(r"(?:average|avg|mean|median) (?:delivery|shipping|dispatch|fulfil?ment) (?:times?|speed|duration)"),
        r"平均(?:发货|配送|送达|物流)(?:时间|时长|天数|速度)", r"物流时效"), "delivery times", "物流时效"),
    (rx(_en(r"sales targets?"), _en(r"targets? (?:achieved|met|reached)"), _en(r"goals?"), _en(r"quotas?"), _en(r"kpis?"), r"目标", r"kpi"), "targets and goals", "目标与完成情况"),
    (rx(_en(r"(?:store|shop|seller|tmall|taobao) (?:ratings?|scores?)"), _en(r"dsr"), r"店铺评分", r"店铺动态评分", r"dsr"), "marketplace store ratings", "店铺评分"),
    (rx(_en(r"unit economics"), _en(r"payback"), r"回本", r"单位经济"), "unit economics", "单位经济模型"),
    (rx(_en(r"ltv"), _en(r"clv"), _en(r"cltv"), _en(r"life ?time value"), r"生命周期价值", r"终身价值", r"ltv", r"clv"),
     "customer lifetime value (the log has no order amounts)", "客户终身价值（行为日志里没有订单金额）"),
    (rx(_en(r"market share"), _en(r"market size"), r"市场份额", r"市场规模", r"市占率"), "market share", "市场份额"),
    (rx(_en(r"discounts?"), _en(r"coupons?"), _en(r"promo codes?"), r"优惠券", r"折扣", r"满减"), "discounts and coupons", "优惠券与折扣"),
)

# ---------------------------------------------------------------- metrics
# Conversion's two definitions; "conversion" alone is by users, and the notes say so.
CONV = rx(_en(r"conversions?(?: rates?)?"), _en(r"convert(?:s|ed|ing)?"), _en(r"cvr"), r"转化率", r"转化", r"转换率", r"成交率")
BY_EVENTS = rx(_en(r"by events?"), _en(r"events?[- ]?(?:level|based)"), _en(r"per events?"), _en(r"of events"), _en(r"events? conversions?"),
               _en(r"(?:purchases?|buys?|orders?) (?:per|/|÷|over|divided by) (?:page[- ]?)?views?"), r"按事件", r"事件",
               r"每次浏览", r"(?:购买|下单)(?:次数|数|量)?\s*(?:[÷/／]|除以)\s*浏览(?:次数|数|量)?")
# purchases per view is conversion by events even without the word "conversion"
PER_VIEW = rx(_en(r"(?:purchases?|buys?|orders?) (?:per|/|÷|over|divided by) (?:page[- ]?)?views?"),
              r"(?:购买|下单)(?:次数|数|量)?\s*(?:[÷/／]|除以)\s*浏览(?:次数|数|量)?")
BY_USERS = rx(_en(r"by users?"), _en(r"user[- ]?(?:level|based)"), _en(r"per users?"), r"按用户", r"用户口径", r"按人")

# 1–2 stars / 4–5 stars: the negative / positive share (a review's sentiment is its label, else its rating; the reply
# states the definition). One star alone is not the negative share, so only the pairs and "low/high ratings".
STARS_LOW = rx(_en(r"(?:1|one)(?:[- ]stars?)?-?(?: or | and |-|–|/| to )(?:2|two)[- ]stars?"), _en(r"low[- ](?:star )?ratings?"), _en(r"low[- ]rated"),
               r"(?:一|1)(?:星)?(?:、|和|或|到|-|–|~|/)?(?:二|两|2)星", r"低分")
STARS_HIGH = rx(_en(r"(?:4|four)(?:[- ]stars?)?-?(?: or | and |-|–|/| to )(?:5|five)[- ]stars?"), _en(r"high[- ](?:star )?ratings?"), _en(r"high(?:ly)?[- ]rated"),
                r"(?:四|4)(?:星)?(?:、|和|或|到|-|–|~|/)?(?:五|5)星", r"高分")

# "what do people think of X?", "X的口碑怎么样": an opinion with no polarity; answered with the positive share
# (its parts show the counts) and reviews of both polarities
OPINION_OF = rx(_en(r"(?:what|how) do(?:es)? (?:people|customers|buyers|users|reviewers|shoppers|they|everyone) (?:think|feel|say) (?:of|about)"),
                _en(r"how (?:are|were|is) (?:the )?(?:reviews?|feedback|ratings? and reviews)(?: of| for| on)?"), _en(r"how (?:is|was) .{1,40} reviewed"),
                _en(r"(?:what(?:'s| is) the )?(?:feedback|sentiment|opinions?) (?:on|about|of|for)"), _en(r"how (?:well )?(?:liked|received) is"),
                r"口碑", r"(?:评价|评论|反馈)(?:怎么样|如何|好不好|咋样|怎样)", r"(?:觉得|认为|看待).{0,20}(?:怎么样|如何|好不好|咋样|怎样)", r"反响")

ABANDON_RATE = rx(_en(r"(?:cart )?abandon(?:ment|ed cart)? rates?"), _en(r"rate of (?:cart )?abandon\w*"), _en(r"share of (?:cart users|carters) who (?:never|didn't|did not) (?:buy|purchase)"),
                  r"弃购率", r"加购未购买?(?:的)?(?:用户)?(?:比例|占比|率)", r"加购.{0,6}(?:没有?|未)(?:购买|买|下单).{0,6}(?:比例|占比)")

# "how is the desk lamp doing?", "护眼台灯表现如何": a named thing's performance, read as its conversion (the parts
# show its buyers and viewers too)
PERFORMANCE = rx(_en(r"how(?:'s| is| are| was| were) .{1,40}(?:doing|performing|going)"), _en(r"how did .{1,40} (?:do|perform)"), _en(r"performance of"),
                 _en(r"how well (?:is|are|did|does) .{1,40} (?:do|doing|perform\w*|sell\w*)"),
                 r"表现(?:如何|怎么样|怎样|好不好|咋样)", r"数据(?:怎么样|如何|咋样|怎样)", r"情况(?:怎么样|如何|咋样|怎样)")

# (metric, pattern) in priority order: specific phrases before the words they contain.
METRIC_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("cart_no_buy_users", rx(_en(r"cart(?:s|ed)?(?: \w+){0,3} (?:but|and) (?:never|not|didn't|did not|don't|do not|without)(?: \w+){0,2} (?:buy|bought|purchas\w*|check(?:ed)? ?out|order(?:ed)?)"),
                             r"(?:加购|加了?购物车|放进购物车|加入购物车).{0,6}(?:但|却|而|后)?(?:没有?|未|不)(?:有)?(?:购买|买|下单|付款|结账)",
                             _en(r"abandon(?:ed|s)? (?:their )?carts?"), _en(r"cart abandon\w*"),
                             r"加购(?:了)?(?:但|却|而|后)?(?:没有?|未|不)(?:有)?(?:购买|买|下单)", r"加购未购", r"弃购")),
    ("cart_to_buy", rx(_en(r"cart[- ]?(?:->|to|2)[- ]?(?:buy|purchase)"), _en(r"cart conversion"), _en(r"carts? (?:that|which) (?:turn|convert)\w*"),
                       _en(r"share of (?:cart(?:ers| users)|users who carted) (?:who |that )?(?:also )?(?:bought|purchased|bu(?:y|ys))"),
                       r"加购(?:->|到|后|→)?(?:购买|下单)?(?:的)?转化", r"加购用户中.{0,6}(?:购买|买)", r"加购后.{0,4}(?:购买|买).{0,4}(?:比例|率|占比)")),
    ("fav_to_buy", rx(_en(r"fav(?:ou?rite)?s?[- ]?(?:->|to|2)[- ]?(?:buy|purchase)"), _en(r"fav(?:ou?rite)? conversion"), _en(r"wishlist conversion"),
                      r"收藏(?:->|到|后|→)?(?:购买|下单)?(?:的)?转化", r"收藏用户中.{0,6}(?:购买|买)", r"收藏后.{0,4}(?:购买|买)")),
    # pair and step rates of layers that have them (the rules skip a metric the layer lacks)
    ("bought_together", rx(_en(r"(?:often |frequently )?bought together"), _en(r"purchased together"), _en(r"buy (?:\w+ )?together"),
                           r"一起买", r"一起购买", r"同时购买", r"搭配购买", r"共同购买", r"经常一起")),
    ("viewed_together", rx(_en(r"viewed together"), _en(r"looked at together"), r"一起浏览", r"同时浏览", r"共同浏览", r"一起看")),
    ("view_to_cart", rx(_en(r"views?[- ]?(?:->|to|2)[- ]?cart"), _en(r"view[- ]to[- ]cart"), r"浏览(?:->|到|→)加购", r"浏览后加购", r"加购率")),
    ("view_to_fav", rx(_en(r"views?[- ]?(?:->|to|2)[- ]?fav\w*"), r"浏览(?:->|到|→)收藏", r"浏览后收藏", r"收藏率")),
    ("repeat_buyer_share", rx(_en(r"repeat[- ](?:buyers?|purchases?|customers?|purchas\w+)"), _en(r"buy(?:ers)? again"), _en(r"repurchase\w*"),
                              _en(r"returning (?:buyers|customers)"), _en(r"(?:bought|ordered|purchased|shopped) (?:more than once|twice|again|multiple times|repeatedly)"),
                              _en(r"c(?:ome|ame) back (?:and|to) (?:buy|bought|purchase\w*|order\w*)"), _en(r"(?:buy|bought|purchas\w+|order\w*) (?:two|2) or more times"),
                              r"复购", r"回购", r"重复购买", r"老客", r"回头客", r"(?:买|购买|下单)(?:过|了)?(?:两|2|二)次(?:及|或)?(?:以上|多)",
                              r"不止(?:一|1)次", r"(?:超过|多于)(?:一|1)次", r"多次(?:购买|下单|买)")),
    ("purchases_per_buyer", rx(_en(r"purchases? per (?:buyer|customer|purchaser)"), _en(r"(?:orders|buys) per (?:buyer|customer)"),
                               _en(r"average (?:number of )?purchases"), _en(r"how many (?:times|purchases) (?:does|do|did) (?:a|each|the average) (?:buyer|customer)"),
                               r"人均购买", r"人均下单", r"每(?:个|位|名)买家.{0,4}(?:购买|买)", r"平均每(?:人|位|个|名)(?:买家|用户|顾客)?.{0,4}(?:购买|买)", r"人均购买次数")),
    ("positive_share", OPINION_OF),
    ("negative_share", STARS_LOW),
    ("positive_share", STARS_HIGH),
    ("views_per_viewer", rx(_en(r"(?:page ?)?views? per (?:users?|viewers?|visitors?|person|customers?|shoppers?)"), _en(r"average (?:number of )?(?:page ?)?views"),
                            r"人均浏览(?:次数|量)?", r"每(?:个|位|名)?(?:用户|访客|人)(?:平均)?浏览(?:了)?(?:几|多少)次", r"平均每(?:个|位|名)?(?:用户|访客|人)浏览")),
    ("events_per_user", rx(_en(r"(?:events|actions|interactions) per (?:users?|visitors?|person|customers?|shoppers?)"),
                           _en(r"average (?:number of )?(?:events|actions|interactions)"), r"人均行为(?:次数)?", r"人均互动")),
    ("avg_rating", rx(_en(r"ratings?"), _en(r"stars?"), _en(r"rated"), _en(r"scores?"), r"评分", r"星级", r"打分", r"几星", r"分数", r"平均分", r"几分")),
    ("negative_share", rx(_en(r"negative"), _en(r"bad reviews?"), _en(r"complaints? (?:rate|share)"), r"差评", r"负面", r"负评", r"不满意", r"吐槽")),
    ("positive_share", rx(_en(r"positive"), _en(r"good reviews?"), _en(r"satisf(?:ied|action)"), r"好评", r"正面", r"满意")),
    ("aspect_mentions", rx(_en(r"aspects?"), _en(r"mentions?"), _en(r"mentioned"), _en(r"topics?"), r"提及", r"提到", r"维度", r"方面")),
    ("reviews", rx(_en(r"reviews?"), _en(r"feedback"), r"评论", r"评价", r"留言")),
    # users who did something
    ("buyers", rx(_en(r"buyers?"), _en(r"purchasers?"), _en(r"paying (?:users|customers)"), _en(r"(?:users|people|customers|shoppers) (?:who|that) (?:bought|purchased|ordered)"),
                  r"购买用户", r"买家", r"下单用户", r"购买的?(?:用户|人)", r"买过的人", r"多少人(?:购买|买|下单)", r"付款用户")),
    ("carters", rx(_en(r"cart(?:ers| users)"), _en(r"(?:users|people|customers|shoppers) (?:who|that) (?:carted|added (?:\w+ )?to (?:the |their )?cart)"),
                   r"加购用户", r"加购的?(?:用户|人)", r"多少人加购")),
    ("favers", rx(_en(r"fav(?:ou?rit)?ers"), _en(r"favou?riting users"), _en(r"(?:users|people|customers) (?:who|that) (?:favou?rited|saved|wishlisted)"),
                  r"收藏用户", r"收藏的?(?:用户|人)", r"多少人收藏")),
    # a visitor is anyone with an event (views, carts, favourites, buys): active users, not viewers
    ("users", rx(_en(r"(?:unique |distinct )?visitors"), _en(r"(?:users|people|customers|shoppers) (?:who |that )?(?:have )?visited"),
                 _en(r"visited (?:us|the (?:store|shop|site))"), r"访客", r"访问(?:过|了)?(?:店铺|店|网站|商店|我们)", r"多少人访问", r"访问的?(?:用户|人)", r"uv")),
    ("viewers", rx(_en(r"viewers"), _en(r"(?:users|people|customers|shoppers) (?:who|that) (?:viewed|looked at|browsed)"),
                   r"浏览用户", r"浏览的?(?:用户|人)", r"多少人(?:看|浏览)")),
    # events
    ("carts", rx(_en(r"add(?:s|ed)?[- ]to[- ]carts?"), _en(r"carts?"), _en(r"carted"), _en(r"basket adds"), r"加购", r"加入购物车", r"购物车")),
    ("favs", rx(_en(r"fav(?:ou?rite)?s?"), _en(r"favou?rited"), _en(r"fav(?:e|')?d"), _en(r"faves?"), _en(r"wishlist(?:ed|s)?"), _en(r"saves"), _en(r"likes"), r"收藏")),
    ("buys", rx(_en(r"sells?"), _en(r"sold"), _en(r"sales"), _en(r"selling"), _en(r"sellers?"), _en(r"purchases?"), _en(r"purchased"), _en(r"buys?"),
                _en(r"bought"), _en(r"orders?"), _en(r"ordered"), _en(r"check ?outs?"), _en(r"checked out"),
                r"销量", r"卖得", r"卖的", r"卖了", r"卖出", r"热销", r"畅销", r"购买", r"下单", r"订单", r"成交", r"买")),
    ("views", rx(_en(r"page ?views?"), _en(r"views?"), _en(r"viewed"), _en(r"pv"), _en(r"traffic"), _en(r"popular"), _en(r"visited"),
                 _en(r"looked at"), _en(r"browse[ds]?"), _en(r"attention"), _en(r"eyeballs"), r"浏览", r"访问", r"流量", r"人气", r"看的", r"受欢迎", r"关注")),
    ("events", rx(_en(r"events?"), _en(r"actions?"), _en(r"interactions?"), _en(r"activity"), r"行为", r"事件", r"互动")),
    ("users", rx(_en(r"active users"), _en(r"users"), _en(r"customers"), _en(r"shoppers"), _en(r"people"), _en(r"visits?"),
                 r"活跃用户", r"用户数", r"用户", r"顾客", r"客户", r"多少人", r"人数")),
    # "what was the busiest day?": all activity, when nothing else is named
    ("events", rx(_en(r"busiest"), _en(r"busy"), _en(r"quietest"), _en(r"quiet"), _en(r"most active"), _en(r"least active"),
                  r"最忙", r"最热闹", r"最冷清", r"最活跃", r"最闲", r"最不活跃")),
)
# "how many users ..." + a verb: the user-count metric of that verb.
USERISH = rx(_en(r"users?"), _en(r"people"), _en(r"customers?"), _en(r"shoppers?"), _en(r"visitors?"), r"用户", r"人", r"顾客", r"客户")
SHARE = rx(_en(r"share"), _en(r"percent(?:age)?"), _en(r"proportion"), _en(r"ratio"), _en(r"rate"), _en(r"fraction"), r"%", r"比例", r"占比", r"比率", r"率", r"百分之")
COUNT = rx(_en(r"how many"), _en(r"number of"), _en(r"count"), r"多少条", r"多少个", r"几条", r"数量", r"条数")

# ---------------------------------------------------------------- operations
CHANGE = rx(_en(r"up or down"), _en(r"go(?:ne)? (?:up|down)"), _en(r"went (?:up|down)"), _en(r"increase[ds]?"), _en(r"decrease[ds]?"),
            _en(r"chang(?:e|ed|es|ing)"), _en(r"ris(?:e|en|ing)"), _en(r"rose"), _en(r"drop(?:ped|s)?"), _en(r"fall(?:en|ing)?"), _en(r"fell"),
            _en(r"grow(?:n|th|ing)?"), _en(r"grew"), _en(r"decline[ds]?"), _en(r"improve[ds]?"), _en(r"worse"), _en(r"better than"),
            _en(r"compared? (?:to|with)"), _en(r"vs\.?"), _en(r"versus"), _en(r"week[- ]over[- ]week"), _en(r"wow"), _en(r"trend(?:ing|s)?"),
            _en(r"than the (?:week|period) before"), _en(r"than last week"), _en(r"than the previous"),
            r"增加", r"减少", r"变化", r"上升", r"下降", r"环比", r"比上周", r"比之前", r"涨", r"跌", r"增长", r"下滑", r"提升", r"降低", r"升高",
            r"变多", r"变少", r"掉(?:了|到|得|下来)", r"跌了", r"对比", r"相比", r"比较", r"趋势", r"升了", r"降了", r"多了", r"少了",
            # "are views up?", "多还是少", "高了还是低了": a yes/no or either/or about the direction
            _en(r"(?:is|are|was|were|has|have)(?: \w+){0,4} (?:up|down)"), _en(r"(?:up|down) (?:from|on|over) (?:the )?(?:previous|prior|last|week|period)"),
            r"多还是少", r"高还是低", r"高了还是低了", r"多了还是少了", r"好还是差", r"变好还是变差")
# comparing named things side by side (not a period with the one before)
ENTITY_COMPARE = rx(_en(r"vs\.?"), _en(r"versus"), _en(r"compar(?:e|ed|ing|ison)(?: (?:to|with|of|between))?"), _en(r"against"), _en(r"respectively"),
                    _en(r"side by side"), r"对比", r"比较", r"相比", r"分别", r"各自", r"和.{1,12}比")
# words that name a second period: "vs" between two periods is a change, between two things a comparison
SECOND_PERIOD = rx(_en(r"before"), _en(r"previous"), _en(r"prior"), _en(r"earlier"), _en(r"last week"), _en(r"last month"), _en(r"a week ago"),
                   r"之前", r"前\s*\d+\s*天", r"前[一二两三四五六七八九十]+天", r"前一", r"上周", r"上个", r"上月", r"此前", r"同期", r"以前")
BOTTOM = rx(_en(r"least"), _en(r"lowest"), _en(r"worst"), _en(r"fewest"), _en(r"bottom"), _en(r"weakest"), _en(r"poorest"),
            _en(r"quietest"), _en(r"slowest"), _en(r"calmest"), _en(r"deadest"),
            r"最少", r"最低", r"最差", r"垫底", r"倒数", r"最不", r"最冷清", r"最淡", r"最冷门", r"冷清")
TOP = rx(_en(r"which"), _en(r"most"), _en(r"top"), _en(r"best"), _en(r"highest"), _en(r"largest"), _en(r"biggest"), _en(r"strongest"),
         _en(r"rank(?:ing|ed|s)?"), _en(r"leading"), _en(r"busiest"), _en(r"peak"), _en(r"what (?:product|item|category|hour|day|weekday|time|segment)"),
         r"最多", r"最高", r"最好", r"最大", r"最强", r"排名", r"排行", r"前\s*" + NUM, r"哪个", r"哪些", r"哪一", r"哪款", r"哪类", r"哪天", r"哪几",
         r"第一", r"冠军", r"最受", r"最热", r"高峰", r"最[高多好大低少差强热快]")
BREAKDOWN = rx(_en(r"by"), _en(r"per"), _en(r"each"), _en(r"every"), _en(r"breakdown"), _en(r"broken down"), _en(r"split"), _en(r"distribution"),
               _en(r"across"), _en(r"for all"), _en(r"daily"), _en(r"weekly"), _en(r"hourly"),
               r"按", r"各", r"每个", r"每一", r"分别", r"分布", r"每天", r"每日", r"每周", r"每小时", r"拆分", r"细分", r"分品类", r"分商品", r"分时段")
_LISTED = r"(?:best |top |most |worst |lowest |highest |biggest |largest )?(?:products|items|categories|skus|hours|days|weekdays|segments)"
LIMIT = rx(_en(r"top ?" + NUM), _en(NUM + r" (?:best|top|most|worst|lowest|highest|biggest|largest)"), _en(NUM + " " + _LISTED),
           NUM + r"\s*(?:个|款|类|种)\s*(?:商品|产品|单品|品类|类目|小时|时段)", r"前\s*" + NUM, r"排名前\s*" + NUM,
           _en(r"bottom ?" + NUM), r"倒数\s*" + NUM)

# "有多少人浏览过商品", "how many people bought a product": the product is the verb's object, not a breakdown
OBJECT_NOUN = rx(r"(?:浏览|看|收藏|购买|买|加购|下单|访问)(?:过|了)(?:的)?(?:商品|产品|东西|宝贝)",
                 _en(r"(?:viewed|bought|purchased|ordered|favou?rit\w*|carted|saved|looked at) (?:a|an|any|some) (?:products?|items?|things?)"))

# ---------------------------------------------------------------- dimensions (behaviour names; reviews map below)
DIM_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("review_lang", rx(_en(r"languages?"), r"语言", r"语种")),
    ("sentiment", rx(_en(r"sentiments?"), _en(r"polarity"), r"情感", r"情绪", r"正负面")),
    ("aspect", rx(_en(r"aspects?"), _en(r"topics?"), r"维度", r"方面", r"话题")),
    ("segment", rx(_en(r"segments?"), _en(r"user groups?"), _en(r"cohorts?"), r"分群", r"人群", r"用户群", r"客群")),
    ("hour", rx(_en(r"hours?(?: of (?:the )?day)?"), _en(r"hourly"), _en(r"time of (?:the )?day"), _en(r"what time"), _en(r"times? of day"),
                r"小时", r"几点", r"时段", r"时间段", r"钟点", r"分时段")),
    ("weekday", rx(_en(r"(?:which|what) days? of (?:the )?week"), _en(r"week ?days?"), _en(r"days? of (?:the )?week"), _en(r"which day of"),
                   r"(?:一|每|一个)(?:周|星期|礼拜)(?:里|中|内|当中)?(?:的)?哪一?天", r"星期几", r"周几", r"礼拜几", r"工作日", r"星期")),
    ("week", rx(_en(r"by week"), _en(r"per week"), _en(r"each week"), _en(r"every week"), _en(r"weekly"), _en(r"which week"), r"每周", r"按周", r"哪一?周", r"各周", r"每一周")),
    # "days" alone, but not a length: "the 7 days before" is the comparison period
    ("day", rx(_en(r"by day"), _en(r"per day"), _en(r"each day"), _en(r"every day"), _en(r"daily"), _en(r"which day(?! of)"), _en(r"what day(?! of)"), _en(r"by date"),
               _en(r"(?<!\d )(?<!\d)days"), _en(r"[a-z]+est day(?! of)"), _en(r"day (?:with|had|saw) the (?:most|fewest|highest|lowest|least)"), r"每天", r"每日", r"按天", r"按日", r"哪一?天", r"日期", r"逐日", r"各天")),
    ("category", rx(_en(r"categor(?:y|ies)"), _en(r"product (?:types?|lines?|groups?)"), _en(r"kinds? of products?"), _en(r"departments?"),
                    r"品类", r"类目", r"分类", r"类别", r"哪类", r"哪一类", r"哪个类", r"大类")),
    ("item", rx(_en(r"products?"), _en(r"items?"), _en(r"skus?"), _en(r"goods"), _en(r"models?"), _en(r"best[- ]?sellers?"), _en(r"what sells"),
                r"商品", r"产品", r"单品", r"哪款", r"哪个款", r"宝贝", r"款式", r"货品")),
)
REVIEW_DIM = {"category": "review_category", "item": "review_product"}

# ---------------------------------------------------------------- filters that are words, not names
LANG_FILTER: tuple[tuple[str, re.Pattern], ...] = (
    ("en", rx(_en(r"english"), r"英文", r"英语")),
    ("zh", rx(_en(r"chinese"), r"中文", r"汉语")),
)
SENTIMENT_FILTER: tuple[tuple[str, re.Pattern], ...] = (
    ("negative", rx(_en(r"negative"), _en(r"bad"), _en(r"complaints?"), r"差评", r"负面", r"负评", r"不好", r"不满意", STARS_LOW.pattern)),
    ("positive", rx(_en(r"positive"), _en(r"good"), _en(r"praise"), r"好评", r"正面", STARS_HIGH.pattern)),
)

# ---------------------------------------------------------------- follow-ups
FOLLOWUP = rx(r"^\s*(?:and|also|what about|how about|same (?:for|but)|now|then|ok(?:ay)?,? (?:and|now)|but)\b", r"^\s*(?:那|那么|还有|再|换成|改成|同样|如果是|那如果)",
              r"呢\s*[?？]?\s*$", _en(r"instead"), _en(r"the same"), r"同样的")
# A question with data words but nothing the rules recognise is worth asking the model about.
DATA_CUE = rx(_en(r"how many"), _en(r"how much"), _en(r"what (?:is|was|are|were) (?:the|our)"), _en(r"which"), _en(r"rate"), _en(r"share"),
              _en(r"average"), _en(r"total"), _en(r"number of"), _en(r"percent(?:age)?"), r"多少", r"几个", r"哪个", r"哪些", r"比例", r"占比",
              r"平均", r"总共", r"一共", r"数量", r"率", r"几")

# ---------------------------------------------------------------- review/behaviour category words across languages
# A category stored under its Chinese name is also found by its English word ("shampoo" → 洗发水), and
# the reverse; only names present in the data's entities are used.
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "洗发水": ("shampoo", "shampoos"), "酒店": ("hotel", "hotels"), "水果": ("fruit", "fruits"),
    "计算机": ("computer", "computers", "laptop", "laptops", "pc", "pcs", "电脑"), "手机": ("phone", "phones", "mobile", "mobiles", "smartphone", "smartphones"),
    "平板": ("tablet", "tablets", "ipad", "平板电脑"), "书籍": ("book", "books", "图书", "书"), "衣服": ("clothes", "clothing", "apparel", "服装"),
    "热水器": ("water heater", "water heaters", "heater", "heaters"), "蒙牛": ("mengniu", "milk", "dairy", "牛奶"),
}

# ---------------------------------------------------------------- typos
# English vocabulary words a one-letter slip (drop, insert, swap, replace) is read as; 6+ letters only.
TYPO_WORDS = ("purchase", "purchases", "purchased", "conversion", "conversions", "reviews", "review", "category", "categories",
              "negative", "positive", "buyers", "viewers", "visitors", "customers", "favourites", "favorites", "average",
              "ratings", "rating", "carted", "products", "product", "orders", "sales", "repeat", "pageviews", "weekday", "compared",
              "increase", "decrease", "dropped", "percentage", "share", "total", "number", "change", "changed")


_KNOWN = set(TYPO_WORDS)
# chat shorthand read as the word
SHORTHAND = {"ppl": "people", "peeps": "people", "folks": "people", "custs": "customers", "prods": "products", "convo": "conversion"}

# Chinese slips are homophones (pinyin input): a vocabulary word with one character replaced by a character of the
# same sound is read as the word ("转话率" → 转化率, "加够" → 加购). Only these domain words, only these characters.
ZH_TYPO_WORDS = ("转化率", "转化", "浏览量", "浏览", "加购", "复购率", "复购", "回购", "收藏", "购买", "评论", "评价", "差评", "好评", "销量",
                 "访客", "品类", "类目", "下单")
ZH_HOMOPHONES = {"化": "话花华画", "浏": "流留刘", "览": "揽缆榄", "购": "够构沟", "复": "付副", "藏": "仓", "评": "平凭", "论": "轮",
                 "价": "架驾", "销": "消宵", "访": "仿纺", "类": "累泪", "收": "手", "单": "担丹", "差": "插"}
_ZH_NOT_TYPOS = {"平价", "流量", "收仓", "手藏", "付购"}  # real words, or too far from the vocabulary word


def _zh_typo_table() -> dict[str, str]:
    out: dict[str, str] = {}
    words = set(ZH_TYPO_WORDS)
    for w in ZH_TYPO_WORDS:
        for i, ch in enumerate(w):
            for h in ZH_HOMOPHONES.get(ch, ""):
                typo = w[:i] + h + w[i + 1:]
                if typo not in words and typo not in _ZH_NOT_TYPOS:
                    out.setdefault(typo, w)
    return out


ZH_TYPOS = _zh_typo_table()
_ZH_TYPO_RE = re.compile("|".join(sorted(map(re.escape, ZH_TYPOS), key=len, reverse=True)))


def fix_typos(t: str) -> str:
    """"purchses" → "purchases": an English word one edit from a vocabulary word (and not itself one);
    "ppl" → "people"; a Chinese homophone slip of a vocabulary word → the word."""
    def sub(m: re.Match) -> str:
        w = m.group(0)
        if w in SHORTHAND:
            return SHORTHAND[w]
        if len(w) < 6 or w in _KNOWN:
            return w
        return next((k for k in TYPO_WORDS if len(k) >= 6 and one_edit(w, k)), w)

    t = re.sub(r"[a-z]+", sub, t)
    return _ZH_TYPO_RE.sub(lambda m: ZH_TYPOS[m.group(0)], t) if re.search(r"[\u4e00-\u9fff]", t) else t
