# Writes answer_questions_s3.jsonl (session 3 set; split "dev" / "final" = a fixed-seed 30% of the threads).
# Written 2026-12-02 session 3 BEFORE reading bot/questions/ or knowledge/query/.
# Run from the repo root: python bench/data/make_s3_questions.py
# A follow-up turn has "followup_of": <id of the turn before it>; the eval asks it in the same thread, after it,
# and its gold is the whole question the follow-up means.
import json
import random

A = "all"


def L(n, offset=0):
    return {"last_days": n, **({"offset": offset} if offset else {})}


Q = []


def add(lang, ds, kind, q, gold, parent=None):
    row = dict(lang=lang, dataset=ds, kind=kind, question=q, gold=gold)
    if parent is not None:
        row["followup_of"] = parent
    Q.append(row)
    return len(Q) - 1


def n(lang, ds, q, metric, period=A, parent=None, **kw):
    return add(lang, ds, "number", q, {"calc": "metric", "metric": metric, "period": period, **kw}, parent)


def t(lang, ds, q, metric, by, order="top", period=A, k=1, parent=None, **kw):
    return add(lang, ds, "top", q, {"calc": "top", "metric": metric, "by": by, "order": order, "period": period, "n": k, **kw}, parent)


def d(lang, ds, q, metric, days, parent=None, **kw):
    return add(lang, ds, "direction", q, {"calc": "change", "metric": metric, "days": days, **kw}, parent)


def x(lang, ds, q):
    return add(lang, ds, "not_in_data", q, {"calc": "not_in_data"})


def o(lang, ds, q, pol):
    return add(lang, ds, "opinion", q, {"calc": "opinion", "polarity": pol})


def why(lang, ds, q, metric, days, item, pol):
    return add(lang, ds, "why", q, {"calc": "why", "metric": metric, "days": days, "item": item, "polarity": pol})


D, T = "demo", "taobao"
# ---------------------------------------------------------------- numbers, demo, en
n("en", D, "how many checkouts happened in the past 10 days?", "buys", L(10))
n("en", D, "how many people visited the store in the last 3 days?", "users", L(3))
n("en", D, "unique visitors last week?", "users", L(7, offset=1))  # gold corrected after run 1: "last week" = the calendar week before (the spec's last_week; the log ends on a Sunday)
n("en", D, "How many add to cart events did the PowerCube get?", "carts", A, item=1007)
n("en", D, "what percent of visitors end up buying?", "conversion_users")
n("en", D, "purchases divided by page views - what's that ratio?", "conversion_events")
n("en", D, "How many ppl bought the sleep mask in the last 14 days?", "buyers", L(14), item=1010)
n("en", D, "avg rating for the Smart Scale?", "avg_rating", A, item=1012)
n("en", D, "what's the conversoin rate for the lighting category", "conversion_users", A, category=13)
n("en", D, "how many times were items faved in the home category over the last week", "favs", L(7), category=15)
n("en", D, "What share of customers are repeat customers?", "repeat_buyer_share")
n("en", D, "How many users put something in their cart in the last 3 days?", "carters", L(3))
n("en", D, "how many 差评 do we have?", "reviews", A, sentiment="neg")
# ---------------------------------------------------------------- numbers, demo, zh
n("zh", D, "最近4天成交了多少笔？", "buys", L(4))
n("zh", D, "最近7天的UV是多少？", "users", L(7))
n("zh", D, "近10天有多少人访问过店铺？", "users", L(10))
n("zh", D, "三合一无线充电座被加购了几次", "carts", A, item=1008)
n("zh", D, "访客的购买转化率是多少？", "conversion_users")
n("zh", D, "购买次数除以浏览次数是多少？", "conversion_events")
n("zh", D, "家居类最近一周有几个人买了东西？", "buyers", L(7), category=15)
n("zh", D, "感应小夜灯的评分平均多少", "avg_rating", A, item=1006)
n("zh", D, "转话率是多少", "conversion_users")
n("zh", D, "加够的次数一共多少", "carts")
n("zh", D, "买过不止一次的顾客占多大比例？", "repeat_buyer_share")
n("zh", D, "一星两星的评价占比是多少？", "negative_share")
n("zh", D, "Buds Pro 的 conversion 是多少？", "conversion_users", A, item=1003)
n("zh", D, "最近7天的 page views 有多少", "views", L(7))
# ---------------------------------------------------------------- numbers, taobao
n("en", T, "How many unique visitors were there on the last day?", "users", L(1))
n("en", T, "total add-to-cart count?", "carts")
n("en", T, "What % of viewers purchased?", "conversion_users")
n("en", T, "percentage of positive reviews for water heaters", "positive_share", A, review_category="热水器")
n("en", T, "how many book reviews are there?", "reviews", A, review_category="书籍")
n("en", T, "how many clothes reviews are negative?", "reviews", A, review_category="衣服", sentiment="neg")
n("zh", T, "过去两天有多少独立访客？", "users", L(2))
n("zh", T, "平板评论中好评多少比例", "positive_share", A, review_category="平板")
n("zh", T, "蒙牛的评论有几条？", "reviews", A, review_category="蒙牛")
n("zh", T, "人均下单几次", "purchases_per_buyer")
n("zh", T, "加购后购买的用户比例", "cart_to_buy")
n("zh", T, "计算机类评论的负面比例是多少", "negative_share", A, review_category="计算机")
n("zh", T, "有多少人收藏过商品？", "favers")
# ---------------------------------------------------------------- top / bottom N
t("en", D, "top 3 products by add-to-cart", "carts", "item", k=3)
t("en", D, "which 2 categories get the fewest views?", "views", "category", "bottom", k=2)
t("en", D, "Which product has the highest conversion rate?", "conversion_users", "item")
t("en", D, "busiest hour for page views in the last week", "views", "hour", period=L(7))
t("zh", D, "收藏最多的三个商品是哪些？", "favs", "item", k=3)
t("zh", D, "哪个品类的买家最少？", "buyers", "category", "bottom")
t("zh", D, "音频类里哪个商品卖得最多", "buys", "item", category=12)
t("zh", D, "最近两周周几加购最少？", "carts", "weekday", "bottom", period=L(14))
t("en", T, "top 5 categories by purchases", "buys", "category", k=5)
t("en", T, "what's the quietest hour for views?", "views", "hour", "bottom")
t("zh", T, "购买最多的商品是哪个？", "buys", "item")
t("zh", T, "前三个浏览量最高的类目", "views", "category", k=3)
# ---------------------------------------------------------------- up / down
d("en", D, "Are add-to-carts trending up or down this past week vs the week before?", "carts", 7)
d("en", D, "did the desk lamp's views drop over the last 14 days?", "views", 14, item=1005)
d("en", D, "cart-to-buy rate: better or worse in the last 7 days than the previous 7?", "cart_to_buy", 7)
d("zh", D, "照明类最近一周的购买比上周多了还是少了", "buys", 7, category=13)
d("zh", D, "最近10天的买家数量有下滑吗？", "buyers", 10)
d("zh", D, "近一周收藏次数环比变化", "favs", 7)
d("en", T, "were there fewer buyers in the last 3 days than in the 3 days before?", "buyers", 3)
d("zh", T, "最近两天的加购次数较前两天涨了吗", "carts", 2)
# ---------------------------------------------------------------- follow-ups (two turns, one thread)
p = n("en", D, "How many purchases in the last 3 days?", "buys", L(3))
n("en", D, "and last week?", "buys", L(7, offset=1), parent=p)  # gold corrected after run 1 (as above)
p = t("zh", D, "销量最高的商品是哪个？", "buys", "item")
t("zh", D, "那按品类呢？", "buys", "category", parent=p)
p = n("en", D, "what's the conversion rate of the Buds Pro?", "conversion_users", A, item=1003)
n("en", D, "what about the Buds Lite?", "conversion_users", A, item=1004, parent=p)
p = d("zh", D, "最近7天浏览量是涨了还是跌了？", "views", 7)
d("zh", D, "那购买呢？", "buys", 7, parent=p)
p = n("en", D, "How many buyers did we have in the last 7 days?", "buyers", L(7))
d("en", D, "compared with the week before?", "buyers", 7, parent=p)
p = n("zh", T, "洗发水的差评率多少？", "negative_share", A, review_category="洗发水")
n("zh", T, "那酒店呢？", "negative_share", A, review_category="酒店", parent=p)
p = t("en", T, "which category has the most page views?", "views", "category")
t("en", T, "and by hour?", "views", "hour", parent=p)
p = n("zh", D, "音频品类加购了多少次？", "carts", A, category=12)
n("zh", D, "照明呢？", "carts", A, category=13, parent=p)
p = t("en", D, "top 3 products by purchases", "buys", "item", k=3)
t("en", D, "and by views?", "views", "item", k=3, parent=p)
p = n("zh", T, "最近3天购买次数是多少", "buys", L(3))
d("zh", T, "和前3天相比呢？", "buys", 3, parent=p)
p = n("en", D, "how many users viewed the Halo Desk Lamp?", "viewers", A, item=1005)
n("en", D, "and in the last 7 days?", "viewers", L(7), item=1005, parent=p)
p = n("zh", D, "最近一周的转化率是多少", "conversion_users", L(7))
n("zh", D, "上周呢？", "conversion_users", L(7, offset=1), parent=p)
# ---------------------------------------------------------------- not in the data
x("en", D, "How much did we pay for Facebook ads in November?")
x("en", D, "what's our customer lifetime value?")
x("en", D, "What's our market share in earbuds?")
x("en", D, "what's the click-through rate of our ads?")
x("en", D, "how much money did we refund last month?")
x("en", T, "what was the GMV last week?")
x("en", T, "how much revenue did category 4756105 bring in?")
x("en", T, "how many app downloads did we get?")
x("zh", D, "抖音投放花了多少钱？")
x("zh", D, "竞品的销量是多少？")
x("zh", D, "客户终身价值LTV是多少")
x("zh", D, "广告点击率是多少？")
x("zh", D, "直播间观看人数有多少？")
x("zh", T, "上周的GMV是多少？")
x("zh", T, "退款金额一共多少？")
x("zh", D, "我们的 CAC 和 LTV 比是多少")
# ---------------------------------------------------------------- opinions, why
o("en", D, "what do buyers dislike about the Buds Pro?", "neg")
o("zh", D, "顾客对哪些方面最满意？", "pos")
o("zh", T, "酒店的差评主要在说什么？", "neg")
o("en", T, "what do people like in the fruit reviews?", "pos")
why("en", D, "what's behind the fall in Buds Pro conversion over the last week?", "conversion_users", 7, 1003, "neg")
why("zh", D, "降噪耳机 Pro 最近7天转化率为什么掉了？", "conversion_users", 7, 1003, "neg")

# ids, then a fixed-seed 30% of the threads (a follow-up stays with its first turn) as "final"
for i, q in enumerate(Q):
    q["id"] = f"s{i + 1:03d}"
for q in Q:
    if "followup_of" in q:
        q["followup_of"] = Q[q["followup_of"]]["id"]
roots = [q["id"] for q in Q if "followup_of" not in q]
final = set(random.Random(20261203).sample(roots, round(0.3 * len(roots))))
for q in Q:
    root = q.get("followup_of", q["id"])
    q["split"] = "final" if root in final else "dev"
with open("bench/data/answer_questions_s3.jsonl", "w", encoding="utf-8") as f:
    for q in Q:
        f.write(json.dumps({k: q[k] for k in ("id", "lang", "dataset", "kind", "question", "gold", "split", *(["followup_of"] if "followup_of" in q else []))}, ensure_ascii=False) + "\n")
print(len(Q), "turns;", sum(q["split"] == "final" for q in Q), "final;", sum(q["lang"] == "zh" for q in Q), "zh")
