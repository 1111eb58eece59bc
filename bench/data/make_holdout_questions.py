# Writes answer_questions_holdout.jsonl + answer_questions_final.jsonl (a fixed-seed 20% split). Written 2026-12-02 before reading bot/questions/.
# Run from the repo root: python bench/data/make_holdout_questions.py
import json, random
A="all"
def L(n): return {"last_days": n}
Q=[]
def n(lang, ds, q, metric, period=A, **kw): Q.append(dict(lang=lang, dataset=ds, kind="number", question=q, gold={"calc":"metric","metric":metric,"period":period,**kw}))
def t(lang, ds, q, metric, by, order="top", period=A): Q.append(dict(lang=lang, dataset=ds, kind="top", question=q, gold={"calc":"top","metric":metric,"by":by,"order":order,"period":period}))
def d(lang, ds, q, metric, days, **kw): Q.append(dict(lang=lang, dataset=ds, kind="direction", question=q, gold={"calc":"change","metric":metric,"days":days,**kw}))
def x(lang, ds, q): Q.append(dict(lang=lang, dataset=ds, kind="not_in_data", question=q, gold={"calc":"not_in_data"}))
def o(lang, ds, q, pol): Q.append(dict(lang=lang, dataset=ds, kind="opinion", question=q, gold={"calc":"opinion","polarity":pol}))
D,T="demo","taobao"
# ---- demo numbers en
n("en",D,"how many orders have we had so far?","buys")
n("en",D,"total pageviews over the past 3 days?","views",L(3))
n("en",D,"How many unique shoppers bought something in the last ten days","buyers",L(10))
n("en",D,"number of add-to-carts in the last 2 weeks","carts",L(14))
n("en",D,"whats our overall conversion rate","conversion_users")
n("en",D,"How many people carted but never bought?","cart_no_buy_users")
n("en",D,"What % of buyers came back and bought again?","repeat_buyer_share")
n("en",D,"avg number of purchases per buyer?","purchases_per_buyer")
n("en",D,"How many times was the Halo Desk Lamp bought?","buys",A,item=1005)
n("en",D,"conversion rate for the Buds Lite","conversion_users",A,item=1004)
n("en",D,"how many favourites did the lighting category get","favs",A,category=13)
n("en",D,"How many reviews do we have in total?","reviews")
n("en",D,"what's the average star rating","avg_rating")
n("en",D,"share of negative reviews?","negative_share")
n("en",D,"How many distinct users visited in the last 5 days?","users",L(5))
n("en",D,"cart-to-purchase rate?","cart_to_buy")
n("en",D,"How many users viewed the Aroma Diffuser?","viewers",A,item=1009)
n("en",D,"how many purchses in charging this past week","buys",L(7),category=14)
# ---- demo numbers zh
n("zh",D,"到目前为止一共卖出去多少单？","buys")
n("zh",D,"近三天的浏览量有多少","views",L(3))
n("zh",D,"过去两周有多少人下单了？","buyers",L(14))
n("zh",D,"最近十天加购了多少次","carts",L(10))
n("zh",D,"咱们的转化率现在是多少啊","conversion_users")
n("zh",D,"加了购物车但一直没买的用户有多少？","cart_no_buy_users")
n("zh",D,"回头客（买过两次以上的）占比多少？","repeat_buyer_share")
n("zh",D,"平均每个买家买几次？","purchases_per_buyer")
n("zh",D,"护眼台灯一共卖了多少次？","buys",A,item=1005)
n("zh",D,"蓝牙耳机青春版的转化率多少","conversion_users",A,item=1004)
n("zh",D,"照明类目被收藏了多少次","favs",A,category=13)
n("zh",D,"总共收到多少条评价？","reviews")
n("zh",D,"评分平均几分？","avg_rating")
n("zh",D,"负面评价占多少比例","negative_share")
n("zh",D,"最近5天有多少独立访客？","users",L(5))
n("zh",D,"加购到购买的转化率是多少？","cart_to_buy")
n("zh",D,"香薰加湿器有多少人看过？","viewers",A,item=1009)
n("zh",D,"充电品类最近一周的购买次数","buys",L(7),category=14)
# ---- demo top
t("en",D,"which product got the most views?","views","item")
t("en",D,"Top category by add-to-cart?","carts","category")
t("en",D,"what hour of the day do people buy the most","buys","hour")
t("en",D,"Which weekday has the most page views?","views","weekday")
t("en",D,"which product sold the least?","buys","item","bottom")
t("en",D,"best selling product over the last 14 days","buys","item","top",L(14))
t("zh",D,"哪款产品浏览量最高？","views","item")
t("zh",D,"加购最多的类目是哪个","carts","category")
t("zh",D,"一天中几点下单最多？","buys","hour")
t("zh",D,"周几的浏览量最高？","views","weekday")
t("zh",D,"哪个商品卖得最差？","buys","item","bottom")
t("zh",D,"近两周卖得最好的商品是哪个","buys","item","top",L(14))
# ---- demo direction
d("en",D,"Did purchases go up or down over the past week?","buys",7)
d("en",D,"is conversion rising or falling in the last 14 days compared with the 14 days before?","conversion_users",14)
d("en",D,"did page views increase in the last 3 days?","views",3)
d("en",D,"Has the number of buyers dropped in the last 7 days vs the previous 7?","buyers",7)
d("en",D,"how did the Buds Pro's purchases change in the last 7 days","buys",7,item=1003)
d("zh",D,"最近一周购买量是涨了还是跌了？","buys",7)
d("zh",D,"近14天转化率跟之前14天比是升了还是降了","conversion_users",14)
d("zh",D,"最近三天浏览量有增加吗？","views",3)
d("zh",D,"过去7天买家数比前7天少了吗？","buyers",7)
d("zh",D,"降噪耳机最近7天的购买次数有什么变化？","buys",7,item=1003)
# ---- demo opinion
o("en",D,"what are people unhappy about?","neg")
o("en",D,"What do customers love about our stuff?","pos")
o("zh",D,"用户主要吐槽哪些问题？","neg")
o("zh",D,"大家夸我们什么？","pos")
# ---- taobao numbers
n("en",T,"How many page views are in this dataset?","views")
n("en",T,"how many unique buyers?","buyers")
n("en",T,"what is the conversion rate (users)?","conversion_users")
n("en",T,"How many users added to cart but did not buy?","cart_no_buy_users")
n("en",T,"purchases in the last 3 days","buys",L(3))
n("en",T,"How many favorites were recorded?","favs")
n("en",T,"What share of shampoo reviews are negative?","negative_share",A,review_category="洗发水")
n("en",T,"what fraction of hotel reviews is positive?","positive_share",A,review_category="酒店")
n("en",T,"How many purchases in category 4756105?","buys",A,category=4756105)
n("en",T,"repeat buyer rate?","repeat_buyer_share")
n("en",T,"how many reviews are there for fruit","reviews",A,review_category="水果")
n("zh",T,"数据里一共有多少次浏览？","views")
n("zh",T,"有多少个不同的买家？","buyers")
n("zh",T,"用户转化率是多少？","conversion_users")
n("zh",T,"多少用户加购了却没有下单？","cart_no_buy_users")
n("zh",T,"最近三天的购买次数","buys",L(3))
n("zh",T,"收藏一共有多少次？","favs")
n("zh",T,"洗发水的评论里差评占比多少？","negative_share",A,review_category="洗发水")
n("zh",T,"酒店评价的好评率是多少","positive_share",A,review_category="酒店")
n("zh",T,"类目4756105的购买次数是多少？","buys",A,category=4756105)
n("zh",T,"复购率多少？","repeat_buyer_share")
n("zh",T,"水果有多少条评论","reviews",A,review_category="水果")
n("zh",T,"手机评论的差评率","negative_share",A,review_category="手机")
n("en",T,"negative share of the computer reviews?","negative_share",A,review_category="计算机")
# ---- taobao top / direction
t("en",T,"Which category has the most purchases?","buys","category")
t("en",T,"At what hour are page views highest?","views","hour")
t("en",T,"which day of the week has the most buys","buys","weekday")
t("zh",T,"哪个类目的浏览量最多？","views","category")
t("zh",T,"几点钟购买最多？","buys","hour")
t("zh",T,"一周里哪天加购最多","carts","weekday")
d("en",T,"Did page views go up or down in the last 3 days vs the 3 days before?","views",3)
d("en",T,"Is the number of buyers up in the last 2 days?","buyers",2)
d("zh",T,"最近3天购买次数比之前3天多还是少？","buys",3)
d("zh",T,"近两天浏览量是增加还是减少了","views",2)
# ---- not in data
for lang, ds, q in [
 ("en",D,"How much did we spend on ads last month?"),("en",D,"what's our revenue this quarter"),("en",D,"What is our gross margin on the Buds Pro?"),
 ("en",D,"How are our competitors priced vs us?"),("en",D,"What's our customer acquisition cost?"),("en",D,"what is our NPS?"),
 ("en",D,"How many refunds did we process?"),("en",D,"What was the ROI of the Double 11 campaign?"),("en",T,"how much profit did category 4756105 make?"),
 ("en",T,"What's the return rate?"),("en",D,"how many followers do we have on Instagram?"),("en",T,"What is the average order value?"),
 ("zh",D,"上个月广告花了多少钱？"),("zh",D,"这个季度的营收是多少"),("zh",D,"降噪耳机的毛利率是多少？"),("zh",D,"竞品的价格比我们低多少？"),
 ("zh",D,"获客成本CAC是多少？"),("zh",D,"我们的NPS净推荐值多少"),("zh",D,"退款有多少笔？"),("zh",D,"双十一活动的投入产出比怎么样？"),
 ("zh",T,"类目4756105赚了多少利润？"),("zh",T,"退货率是多少？"),("zh",D,"小红书粉丝有多少？"),("zh",T,"客单价是多少"),
]: x(lang, ds, q)
random.seed(20261202)
for i, q in enumerate(Q): q["id"] = f"h{i+1:03d}"
idx = list(range(len(Q))); random.shuffle(idx)
final = set(idx[: len(Q) // 5])
keys = ["id","lang","dataset","kind","question","gold"]
with open("bench/data/answer_questions_holdout.jsonl","w") as f:
    for i,q in enumerate(Q):
        if i not in final: f.write(json.dumps({k:q[k] for k in keys}, ensure_ascii=False)+"\n")
with open("bench/data/answer_questions_final.jsonl","w") as f:
    for i,q in enumerate(Q):
        if i in final: f.write(json.dumps({k:q[k] for k in keys}, ensure_ascii=False)+"\n")
import collections
print(len(Q), len(final), collections.Counter(q["lang"] for q in Q), collections.Counter(q["kind"] for q in Q))
