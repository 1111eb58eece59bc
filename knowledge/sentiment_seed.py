"""Hand-written labelled sentences that train the embedding sentiment classifier at first use.

Written for growthpilot from scratch (generic shopper and support-chat phrasing across product
categories: books, phones, fruit, shampoo, water heaters, milk, clothes, computers, hotels,
tablets, smart speakers). No third-party corpus was copied or used to derive them.
One sentence per line: `label<TAB>text`, label in pos / neg / neu.
"""

from __future__ import annotations

import hashlib

SEED_TSV = """
pos	这本书写得很好，内容充实，值得一读
pos	书的印刷清晰，纸张也不错，孩子很喜欢
pos	故事情节引人入胜，一口气就看完了
pos	翻译流畅，读起来很舒服，推荐给大家
pos	正版图书，包装完好，送货也快
pos	作者的观点很有启发，受益匪浅
pos	手机外观很漂亮，拿在手里手感很好
pos	屏幕清晰，运行流畅，电池也很耐用
pos	拍照效果超出预期，性价比很高
pos	系统很稳定，用了三个月没有卡过
pos	信号好，通话清楚，很满意的一次购物
pos	充电速度很快，半小时就能充满
pos	水果很新鲜，个头大，汁水多，很甜
pos	苹果又脆又甜，家里人都说好吃
pos	橙子包装很用心，一个坏的都没有
pos	芒果熟度刚好，香味很浓，还会回购
pos	葡萄颗颗饱满，物流也很快，好评
pos	洗发水味道很好闻，洗完头发很柔顺
pos	用了一周头皮屑明显少了，效果不错
pos	泡沫丰富，不油腻，洗完很清爽
pos	正品，和专柜买的一样，价格还便宜
pos	热水器安装师傅很专业，服务态度也好
pos	加热速度快，水温稳定，全家洗澡都够用
pos	热水器外观大方，操作简单，老人也会用
pos	牛奶口感醇厚，孩子每天都要喝
pos	日期很新鲜，包装没有破损，放心
pos	酸奶味道好，不会太甜，很喜欢
pos	衣服质量很好，做工精细，没有线头
pos	尺码标准，穿上很合身，颜色也正
pos	面料柔软舒服，洗了也不掉色不起球
pos	裙子很显瘦，穿出去同事都夸好看
pos	外套很保暖，款式也时尚，值这个价
pos	电脑开机很快，运行大型软件也不卡
pos	笔记本轻薄，续航时间长，出差很方便
pos	散热做得不错，玩游戏温度也不高
pos	键盘手感很好，屏幕色彩很准
pos	配置很高，价格实惠，非常满意
pos	酒店位置很好，离地铁站很近，出行方便
pos	房间干净整洁，床很舒服，睡得很好
pos	前台服务热情，办理入住很快
pos	早餐种类丰富，味道也不错，下次还住
pos	隔音效果好，晚上很安静
pos	平板屏幕很大，看电影效果很棒
pos	孩子用来上网课，反应很快，不卡顿
pos	做工精致，手感好，电池能用一整天
pos	音箱音质很好，低音浑厚，声音清楚
pos	智能音箱识别很准，放音乐查天气都很方便
pos	连接蓝牙很快，家里老人小孩都会用
pos	客服回复很及时，耐心解答了我的问题
pos	问题很快就解决了，谢谢客服
pos	物流超快，昨天下单今天就到了
pos	包装很仔细，东西完好无损
pos	东西收到了，跟描述的一样，很满意
pos	第二次购买了，一如既往的好
pos	价格便宜，质量却很好，超值
pos	买给爸妈的，他们说很好用
pos	卖家很贴心，还送了小礼品
pos	总体来说很满意，五星好评
pos	比想象中的好很多，惊喜
pos	没有色差，和图片一模一样
pos	用起来很顺手，推荐购买
pos	退换货很方便，售后服务让人放心
pos	很好，很好，很好
pos	挺不错的，物有所值
pos	超级喜欢，已经推荐给朋友了
pos	还不错吧，下次会再来
pos	很实用，家里每个人都在用
pos	快递小哥态度很好，送货上门
pos	味道很正宗，分量也足
pos	一直在这家买，从来没失望过
pos	安装简单，说明书写得很清楚
pos	声音不大，很安静，晚上也不影响睡觉
pos	没想到这么便宜还这么好用
pos	宝贝收到了，非常好
pos	赞，下次还来
pos	太好用了！
pos	太棒了，谢谢！
pos	好评！
pos	搞定了，感谢
pos	非常感谢你们的帮助
pos	物流快，质量好，价格合理
pos	这个价位能买到这样的东西，很值
pos	性能强劲，散热安静
pos	整体不错，就是快递慢了一点
pos	虽然贵了点，但是一分钱一分货
pos	刚开始有点担心，用了之后发现很好
pos	没有任何问题，很好用
pos	完全没有异味，放心使用
pos	一点都不卡，很流畅
pos	没有想象中那么差，还可以
pos	没那么差，挺能用的
pos	也不算差，对得起这个价格
pos	并没有网上说的那么不好
neg	书的质量太差了，纸张很薄，还有错别字
neg	明显是盗版书，印刷模糊，缺页
neg	内容空洞，全是废话，浪费时间
neg	书送来的时候封面都折了，很失望
neg	翻译很生硬，读不下去
neg	手机用了两天就死机，太垃圾了
neg	屏幕有坏点，申请换货也没人理
neg	电池不耐用，一天要充三次电
neg	发热严重，玩一会儿就烫手
neg	信号很差，经常打不通电话
neg	拍照模糊，和宣传的差太远
neg	水果收到一半都烂了，太失望了
neg	苹果不甜，还有好几个是坏的
neg	橙子又小又酸，跟图片完全不一样
neg	香蕉全是黑的，根本没法吃
neg	分量不足，称了一下少了一斤
neg	洗发水用了头皮很痒，还掉头发
neg	味道很刺鼻，洗完头发又干又涩
neg	怀疑是假货，和以前买的不一样
neg	瓶子漏了，洒了一箱子
neg	用了没效果，头皮屑还是很多
neg	热水器安装后一直漏水，找售后也不管
neg	加热很慢，等一个小时水还是凉的
neg	用了不到一个月就坏了，质量太差
neg	安装师傅乱收费，态度还很差
neg	热水器噪音很大，半夜吵得睡不着
neg	牛奶快过期了才发过来，不新鲜
neg	收到的时候盒子都压扁了，漏了好几盒
neg	喝起来有股怪味，不敢给孩子喝
neg	酸奶胀袋了，明显是变质了
neg	衣服做工粗糙，到处都是线头
neg	尺码偏小，穿不上，退货还要自己出运费
neg	洗了一次就掉色，还缩水了
neg	面料很差，摸起来很硬，穿着扎人
neg	颜色和图片差别很大，不会再买了
neg	电脑开机就蓝屏，刚买就出问题
neg	风扇声音很大，运行很卡
neg	笔记本发热严重，续航只有两个小时
neg	键盘有几个键不灵，售后推来推去
neg	配置和描述不符，感觉被骗了
neg	酒店房间又小又旧，还有一股霉味
neg	卫生很差，床单上有头发
neg	隔音太差了，隔壁说话听得一清二楚
neg	前台态度冷漠，办理入住等了半个小时
neg	图片和实际差别太大，再也不住了
neg	平板充电很慢，用一会儿就没电了
neg	屏幕反应迟钝，经常闪退
neg	用了一周就开不了机了
neg	音箱音质很差，声音发闷还有杂音
neg	经常连不上网，识别也不准
neg	蓝牙总是断开，非常不好用
neg	客服一直不回复，问题到现在都没解决
neg	等了十天还没发货，太慢了
neg	快递太慢了，一个星期才到
neg	包装破损，东西都摔坏了
neg	发错货了，联系客服也没人管
neg	东西和描述完全不一样，要求退款
neg	质量太差，用一次就坏了
neg	价格比别家贵很多，感觉被坑了
neg	很不满意，差评
neg	太失望了，千万别买
neg	垃圾，退货
neg	后悔买了，浪费钱
neg	不好用，一点都不值这个价
neg	一般般，没有想象中那么好
neg	不推荐，质量很一般
neg	退款申请了三天还没处理
neg	说好的赠品也没有给
neg	第一次买就遇到这种情况，很无语
neg	售后服务太差了，打电话没人接
neg	还没到，到底什么时候发货
neg	我的快递到底在哪里？
neg	怎么还没收到货？？
neg	太慢了！！
neg	不是很好
neg	不太好用
neg	没有宣传的那么好
neg	根本不能用
neg	买了就后悔
neg	气死我了，还不退款
neg	说了多少遍了，还是没有解决
neg	这是什么破东西
neg	东西还行，就是物流太慢了，很不满意
neg	外观还可以，但是质量太差了
neg	价格便宜，可是用了两天就坏了
neg	看起来不错，实际上很难用
neg	等了这么久，结果还是坏的
neg	服务态度有问题，以后不来了
neg	有点失望，和期待的差距很大
neg	不值得购买，大家慎重
neg	收到货发现是二手的
neg	一股塑料味，几天都散不掉
neg	说明书都没有，根本不会装
neg	第二天就降价了，也不给补差价
neg	电池鼓包了，太危险了
neg	客服只会说抱歉，什么都不解决
neu	您好
neu	你好呀
neu	亲，在不在
neu	有人吗
neu	你好，我想咨询一下
neu	你好
neu	在吗
neu	你好，请问这个有货吗
neu	订单号是多少
neu	请问什么时候发货
neu	这款有黑色的吗
neu	可以开发票吗
neu	我想问一下尺码怎么选
neu	这个热水器是多少升的
neu	支持七天无理由退货吗
neu	请问有没有优惠券
neu	书是第几版的
neu	手机是全网通的吗
neu	牛奶的保质期是多久
neu	这个洗发水适合什么发质
neu	酒店有停车场吗
neu	早餐几点开始
neu	平板可以插卡吗
neu	音箱支持哪些语音指令
neu	好的，我知道了
neu	收到
neu	明天再说吧
neu	我再看看
neu	帮我查一下物流信息
neu	我想修改收货地址
neu	发什么快递
neu	几天能到北京
neu	电脑是什么配置
neu	衣服是什么面料的
neu	水果是从哪里发货的
neu	今天下单
neu	我买了两件
neu	这是我第一次在这里买东西
neu	价格是多少
neu	能便宜一点吗
pos	Great book, I could not put it down
pos	The story is well written and the characters feel real
pos	Arrived quickly and in perfect condition
pos	Love this phone, the camera is amazing
pos	Battery lasts all day and the screen is gorgeous
pos	Fast, smooth and easy to set up
pos	The fruit was fresh, sweet and juicy
pos	Every apple was crisp and delicious
pos	This shampoo smells great and leaves my hair soft
pos	My scalp feels so much better after a week
pos	The water heater heats up fast and works perfectly
pos	Installation was quick and the technician was very professional
pos	The milk tastes fresh and my kids love it
pos	The dress fits perfectly and the fabric is soft
pos	Good quality jacket, warm and stylish
pos	This laptop is fast and light, perfect for travel
pos	Great keyboard and a beautiful display
pos	The hotel was clean, quiet and close to the subway
pos	Friendly staff and a great breakfast, we will stay again
pos	The tablet is great for the kids, very responsive
pos	I love my Echo, it plays music and answers all my questions
pos	The speaker sounds amazing for its size
pos	Setup was easy and it works great with my smart lights
pos	We use it every day, the whole family enjoys it
pos	Excellent value for money
pos	Works as described, very happy with it
pos	Highly recommend this product
pos	Five stars, exceeded my expectations
pos	Customer service was quick and helpful, thank you
pos	Problem solved, thanks a lot!
pos	love it
pos	Love it!
pos	Awesome
pos	Great product
pos	Very good
pos	Perfect
pos	So handy, I use it all the time
pos	Better than I expected
pos	My mom loves it
pos	Bought a second one for the bedroom
pos	Easy to use and the sound is clear
pos	It was a great gift, my dad uses it daily
pos	Fun to use and very convenient
pos	Works great, no complaints
pos	Not bad at all for the price
pos	A bit pricey, but worth every penny
pos	The alarm and reminders are so useful
pos	I like it a lot
pos	Still working perfectly after a year
pos	Good sound, good price, fast delivery
pos	Not bad
pos	Not bad, better than I thought
pos	Not too bad for the money
pos	No complaints, it does the job
neg	The book arrived damaged and pages were missing
neg	Boring story, a waste of money
neg	The print quality is terrible, clearly a cheap copy
neg	The phone overheats and the battery drains fast
neg	It stopped working after two weeks, very disappointed
neg	The screen cracked on day one
neg	Half of the fruit was rotten when it arrived
neg	The oranges were sour and tiny
neg	This shampoo made my scalp itchy and dry
neg	It smells awful and did nothing for my hair
neg	The water heater leaks and support never called back
neg	It takes forever to heat up
neg	The milk was almost expired when it arrived
neg	The carton was leaking and smelled bad
neg	The shirt shrank after one wash
neg	Poor stitching and the color faded quickly
neg	Runs small, had to send it back
neg	The laptop is slow and crashes constantly
neg	The fan is so loud I cannot work
neg	The hotel room was dirty and smelled of smoke
neg	Rude staff and a noisy room, never again
neg	The tablet keeps freezing and will not charge
neg	The speaker keeps disconnecting from wifi
neg	Alexa doesn't understand half of what I say
neg	The sound is tinny and distorted
neg	It randomly turns on in the middle of the night
neg	Returned it, not worth the money
neg	Cheap plastic, feels flimsy
neg	Does not work with my devices, useless
neg	Terrible customer service, I want my money back
neg	Still waiting for my refund
neg	My order never arrived
neg	where is my order??
neg	Why is this taking so long?
neg	Nobody answers my emails
neg	Wrong item delivered again
neg	This is so slow!!
neg	Not good
neg	not happy with this
neg	Very disappointed
neg	Doesn't work
neg	Worst purchase ever
neg	It was okay at first, then it died
neg	Looks nice but the sound is poor
neg	I expected much better for the price
neg	The remote broke within a month
neg	Setup kept failing, gave up
neg	It's a refurbished unit, not new as advertised
neg	Had to return it twice
neg	Too many ads and it listens to everything
neg	The app is buggy and confusing
neu	hey
neu	Hello, I have a question
neu	good morning, anyone there?
neu	hello
neu	hi there
neu	what time is it
neu	Do you ship to Canada?
neu	Is this available in black?
neu	What is the size of the box?
neu	How many watts is the speaker?
neu	Can I change my delivery address?
neu	I ordered two of them yesterday
neu	What's the warranty period?
neu	Does the hotel have parking?
neu	Which version of the book is this?
neu	Is the phone unlocked?
neu	Please send me the invoice
neu	ok
neu	thanks for the info, I'll think about it
neu	Let me check and come back later
neu	My order number is in the email
"""


def seed_examples() -> list[tuple[str, str]]:
    """(label, text) pairs, in file order."""
    out: list[tuple[str, str]] = []
    for line in SEED_TSV.strip().splitlines():
        label, text = line.split("\t", 1)
        out.append((label, text.strip()))
    return out


def seed_hash() -> str:
    """sha256 of the seed text: the key of the cached fitted classifier."""
    return hashlib.sha256(SEED_TSV.encode("utf-8")).hexdigest()
