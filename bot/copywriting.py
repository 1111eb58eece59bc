"""Copywriting: parse a brief from the request, and make each generated variant fit its channel."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Sequence

from .prompts import CopyBrief

# channel → (keywords, max chars for zh, max chars for en, max words for en or 0)
CHANNELS: dict[str, tuple[tuple[str, ...], int, int, int]] = {
    "wechat": (("朋友圈", "wechat", "moments", "微信"), 300, 600, 0),
    "weibo": (("微博", "weibo"), 2000, 2000, 0),
    "xiaohongshu": (("小红书", "xiaohongshu", "xhs", "rednote", "red note"), 1000, 1000, 0),
    "tweet": (("tweet", "twitter", "推文", "推特", "x post"), 280, 280, 0),
    "email_subject": (("subject line", "email subject", "e-mail subject", "邮件标题", "邮件主题", "subject"), 30, 60, 0),
    "tagline": (("tagline", "slogan", "口号", "标语", "广告语", "宣传语", "catchy line", "headline"), 30, 60, 8),
    "sms": (("sms", "短信", "push notification", "推送", "text message"), 70, 160, 0),
}
DEFAULT_CHANNEL = ("post", 300, 500, 0)

_TONES = (
    (("playful", "fun", "funny", "俏皮", "幽默", "活泼", "可爱"), "playful", "俏皮活泼"),
    (("premium", "luxury", "upscale", "高级", "高端", "质感"), "premium", "高级有质感"),
    (("warm", "friendly", "温暖", "亲切", "走心"), "warm", "温暖亲切"),
    (("professional", "formal", "专业", "正式"), "professional", "专业"),
    (("casual", "relaxed", "轻松", "随意"), "casual", "轻松"),
    (("urgent", "limited", "紧迫", "限时", "秒杀"), "urgent", "紧迫感"),
)
_SEGMENTS = (
    (("cart abandoner", "abandoned cart", "加购未付款", "加购未购买", "加购"), "cart abandoners", "加购未购买的用户"),
    (("window shopper", "只逛不买", "浏览未购买"), "window shoppers", "只逛不买的用户"),
    (("loyal", "repeat buyer", "老客户", "忠实", "复购"), "loyal buyers", "老客户"),
    (("student", "学生"), "students", "学生"),
    (("young women", "年轻女生", "女生", "年轻女性"), "young women", "年轻女性"),
    (("new customer", "first-time", "新用户", "新客"), "new customers", "新用户"),
)


def parse_brief(request: str, *, lang: str, n: int, product_names: Sequence[str] = ()) -> CopyBrief:
    """A CopyBrief from free text ("写一篇小红书笔记推荐瑜伽垫，面向年轻女生", "draft a launch tweet for the watch")."""
    low = request.lower()
    channel, zh_max, en_max, en_words = DEFAULT_CHANNEL
    for name, (words, zmax, emax, ewords) in CHANNELS.items():
        if any(w in low for w in words):
            channel, zh_max, en_max, en_words = name, zmax, emax, ewords
            break
    language = lang
    if re.search(r"in english|英文|英语", low):
        language = "en"
    elif re.search(r"in chinese|中文|汉语|普通话", low):
        language = "zh"
    max_chars = zh_max if language == "zh" else en_max
    max_words = en_words if language == "en" else 0
    # an explicit length wins when it is tighter than the channel's
    m = re.search(r"(?:under|within|at most|max(?:imum)?|no more than|不超过|以内|少于)?\s*(\d{1,4})\s*(字|个字|characters?|chars?|words?)\s*(?:以内|之内)?", low)
    if m:
        value, unit = int(m.group(1)), m.group(2)
        if unit.startswith("word"):
            max_words = min(max_words, value) if max_words else value
        else:
            max_chars = min(max_chars, value)
    else:
        m = re.search(r"([一二三四五六七八九十]+)个?字(?:以内|之内)?", request)
        if m:
            max_chars = min(max_chars, _zh_number(m.group(1)))
    tone = ""
    for words, en, zh in _TONES:
        if any(w in low for w in words):
            tone = zh if language == "zh" else en
            break
    audience = ""
    for words, en, zh in _SEGMENTS:
        if any(w in low for w in words):
            audience = zh if language == "zh" else en
            break
    return CopyBrief(
        request=request.strip(),
        product=_product(request, product_names),
        audience=audience,
        channel=channel,
        language=language,
        tone=tone,
        max_chars=max_chars,
        max_words=max_words,
        n=max(1, n),
    )


def _zh_number(s: str) -> int:
    digits = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + digits.get(s[1:], 0)
    if "十" in s:
        a, _, b = s.partition("十")
        return digits.get(a, 1) * 10 + digits.get(b, 0)
    return digits.get(s, 10)


def _product(request: str, names: Sequence[str]) -> str:
    low = request.lower()
    for name in sorted(names, key=len, reverse=True):
        if name and name.lower() in low:
            return name
    m = re.search(
        r"\b(?:for|about|promoting|announcing|of)\s+(?:our|the|my|a|an)?\s*(?:new\s+)?([A-Za-z][\w\- ]{1,40}?)(?=\s+(?:aimed|for|to|targeting|in|with|on|that|under|highlighting)\b|[,.!?;]|$)",
        request,
        re.I,
    )
    if m and not re.fullmatch(r"(?:the|our|brand|sale|customers?|students?)", m.group(1).strip(), re.I):
        return m.group(1).strip()
    for m in re.finditer(r"(?:给|为|帮)(?:我们的|我们|新款的?|新)?([\u4e00-\u9fa5A-Za-z0-9][\u4e00-\u9fa5A-Za-z0-9 ]{1,19}?)\s*(?:写|起|想|做|拟)", request):
        name = m.group(1).strip()
        if name not in ("我", "我们", "品牌", "老客户", "新用户", "顾客") and not name.startswith(("我给", "我为")):
            return name
        if name.startswith(("我给", "我为")) and len(name) > 3:
            return name[2:].strip()
    m = re.search(r"(?:推荐|介绍|宣传|推广)([\u4e00-\u9fa5A-Za-z0-9]{2,8}?)(?:[，,。]|面向|$)", request)
    if m:
        return m.group(1)
    m = re.search(r"([\u4e00-\u9fa5A-Za-z0-9]{2,10}?)的(?:促销|广告|宣传|营销)?(?:文案|广告语|口号|标语|宣传语|推文)", request)
    if m:
        name = re.split(r"写|想|起|一句|一条|一段|一个|一篇|几条|几句|以内|之内", m.group(1))[-1]
        if len(name) >= 2 and name not in ("品牌",):
            return name
    return ""


_PREFIX = re.compile(r"^\s*(?:(?:variant|version|option|copy|文案|版本)\s*\d*\s*[:：.)-]|\d+\s*[.)、:：]|[-*•])\s*", re.I)
_QUOTES = "\"'“”‘’「」『』《》"


def clean_variant(text: str, brief: CopyBrief) -> str:
    """Strip what a small model adds around copy: "Here is…", numbering, quotes."""
    lines = [l.strip() for l in text.strip().splitlines()]
    lines = [l for l in lines if l and not re.match(r"^(here (is|are)|sure[,!]|当然|好的[，,!！]|以下是)", l, re.I)]
    if not lines:
        return ""
    if brief.channel in ("email_subject", "tagline", "sms"):
        lines = lines[:1]
    text = "\n".join(_PREFIX.sub("", l) for l in lines).strip()
    text = re.sub(r"^[\]】）)」』,，。.;；:：、\s]+", "", text)  # a stray closing bracket the model began with
    if len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    if brief.channel in ("email_subject", "tagline"):
        text = re.sub(r"^(?:subject|subject line|标题|主题|tagline|slogan)\s*[:：]\s*", "", text, flags=re.I).strip(_QUOTES + " ")
    return text


def fit_to_limit(text: str, brief: CopyBrief) -> str:
    """Trim to the channel's limit at a sentence, then a clause or word, boundary."""
    if brief.max_words:
        words = text.split()
        if len(words) > brief.max_words:
            text = " ".join(words[: brief.max_words]).rstrip(",;:-—")
    limit = brief.max_chars
    if len(text) <= limit:
        return text
    head = text[:limit]
    for pattern in (r"[。！？!?.…](?=[^。！？!?.…]*$)", r"[，,；;、\s](?=[^，,；;、\s]*$)"):
        m = re.search(pattern, head)
        if m and m.end() >= limit * 0.5:
            return head[: m.end()].rstrip("，,；;、 ")
    return head.rstrip()


def finish_variants(raw: Sequence[str], brief: CopyBrief) -> list[str]:
    """Cleaned, length-checked, de-duplicated variants (empty ones dropped)."""
    out: list[str] = []
    for t in raw:
        v = fit_to_limit(clean_variant(t, brief), brief)
        if v and v not in out:
            out.append(v)
    return out


def within_limit(text: str, brief: CopyBrief) -> bool:
    return len(text) <= brief.max_chars and (not brief.max_words or len(text.split()) <= brief.max_words)


def with_n(brief: CopyBrief, n: int) -> CopyBrief:
    return replace(brief, n=n)


# ---------------------------------------------------------------------- product matching
def match_product(request: str, catalog: Sequence[dict], guess: str = "") -> dict | None:
    """The catalogue row a brief is about: a full name (en or zh) in the request wins; else the
    guessed product words ("智能水杯") inside a name, or all their characters in order in a zh name
    ("智能保温水杯"); else the guess's English words in an en name. Ties: the shorter name."""
    low = request.lower()
    best: tuple[int, int, dict] | None = None
    terms = [t for t in {guess.strip().lower(), re.sub(r"^(?:lumi\s*)", "", guess.strip().lower())} if len(t) >= 2]
    for row in catalog:
        names = [str(row.get(k) or "") for k in ("name", "name_zh")]
        for name in names:
            n = name.lower()
            if not n:
                continue
            bare = re.sub(r"^lumi\s*", "", n)
            score = 0
            if n in low or (len(bare) >= 3 and bare in low):
                score = 4
            else:
                for t in terms:
                    if t in n:
                        score = max(score, 3)
                    elif re.search(r"[\u4e00-\u9fff]", t) and _subsequence(t.replace(" ", ""), n.replace(" ", "")):
                        score = max(score, 2)
                    elif re.fullmatch(r"[a-z0-9 \-]+", t) and all(w in n.split() for w in t.split() if len(w) > 2):
                        score = max(score, 1)
            # a variant the request does not name (mini, lite, 青春版 …) loses to the plain product
            if score and score < 4 and any(v in n and v not in low for v in _VARIANT_WORDS):
                score -= 1.5
            if score > 0 and (best is None or (score, -len(n)) > (best[0], -best[1])):
                best = (score, len(n), row)
    return best[2] if best else None


_VARIANT_WORDS = ("mini", "lite", "plus", "max", "pro", "青春版", "迷你", "旗舰版")


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


# ---------------------------------------------------------------------- the copy fact check
# Promises and claims copy may make only when the catalogue, docs or reviews say so.
PROMISES: tuple[tuple[str, str], ...] = (
    (r"\bfree\b|免费|赠送|赠品|包邮|送礼|买一送一|buy one get", "free/gift"),
    (r"discount|\d+\s*% off|\boff\b|\bsale\b|coupon|voucher|折扣|打折|\d+折|优惠|立减|满减|特价|降价|秒杀|券", "discount"),
    (r"certif|approved|\bfda\b|\bce\b|\biso\b|patent|认证|专利|质检|权威|官方认可|国家标准", "certification"),
    (r"guarantee|warrant|lifetime|money.back|保修|质保|保证|承诺|终身|无效退款", "guarantee"),
    (r"no\.?\s?1\b|number one|#1\b|best.selling|bestseller|第一|销量冠军|爆款|全网最", "ranking"),
    (r"limited time|today only|only \d+ left|限时|仅剩|最后\d+", "urgency"),
    (r"(?:better|faster|cheaper|longer|more \w+) than (?:any|all|other|[A-Z])|比(?!起来)[^\s，,。！!？?]{1,8}(?:更|还|都)|胜过|秒杀[^\s，。]{1,6}", "comparison"),
)


@dataclass(frozen=True)
class CopyCheck:
    text: str  # the variant with unsupported sentences removed ("" when nothing survived)
    removed: tuple[tuple[str, str], ...]  # (sentence, why)
    drew_on: tuple[str, ...]  # titles of the facts the kept text shares content with


def check_copy(variant: str, facts: Sequence[tuple[str, str]], *, allowed_names: Sequence[str] = (), request: str = "",
               other_products: Sequence[str] = ()) -> CopyCheck:
    """Keep only sentences whose numbers, promises and names the facts hold.

    `facts` are (title, text) of the catalogue row, docs and reviews the prompt gave. A sentence
    is removed when it has a number no fact (nor the request) holds, a promise (free, 免费赠送,
    discounts, certifications like 双层认证, guarantees, rankings) no fact makes, or a brand /
    product name (a capitalised or Latin word) that is neither in the facts nor an allowed name, or
    names one of `other_products` (the catalogue's other items: copy for the bottle never calls it
    the scale)."""
    from .grounding import SourceNumbers, content_tokens, extract_numbers, split_sentences, supports

    corpus = "\n".join(f"{t}\n{x}" for t, x in facts).lower() + "\n" + request.lower()
    numbers = SourceNumbers.build([f"{t}\n{x}" for t, x in facts], extra_texts=[request]).all_values()
    names = {n.lower() for n in allowed_names if n} | {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9\-]+", corpus)}
    kept: list[str] = []
    removed: list[tuple[str, str]] = []
    for s in split_sentences(variant):
        if not s.strip():
            kept.append(s)
            continue
        why = ""
        other = next((o for o in other_products if o and o.lower() in s.lower()), "")
        if other:
            why = f"names another product '{other}'"
        bad = [] if why else [n.text for n in extract_numbers(s) if not supports(n, numbers)]
        if bad:
            why = f"number {bad[0]} is in no fact"
        if not why:
            for pattern, kind in PROMISES:
                m = re.search(pattern, s, re.I)
                if m and not re.search(pattern, corpus, re.I):
                    why = f"{kind} promise '{m.group(0)}' is in no fact"
                    break
        title_case = _title_case(s)
        if not why:
            for w in re.findall(r"[A-Za-z][A-Za-z0-9\-]+", s):
                if title_case and not re.search(r"[a-z][A-Z]|[A-Z]{2}", w):
                    continue  # "Stay Hydrated, Stay Smart": capitals of a headline, not names
                lw = w.lower()
                if (w[0].isupper() or re.search(r"[\u4e00-\u9fff]", s)) and len(w) > 1 and lw not in names and not _english_word(lw, s) \
                        and not _compound(lw, names):
                    why = f"name '{w}' is not in the catalogue or the facts"
                    break
        if why:
            removed.append((s.strip(), why))
        else:
            kept.append(s)
    text = "".join(kept).strip()
    words = content_tokens(text)
    drew = tuple(t for t, x in facts if len(words & content_tokens(f"{t} {x}")) >= 2)
    return CopyCheck(text, tuple(removed), drew)


_PLAIN_EN = frozenset("""a an the and or but with for to of in on at by your you our we it its is are be this that these those
new now get meet say hello hi all day every one more less just so very really my me i stay keep make let go try love like
smart bottle mini buds pro lite lamp charger earbuds desk light app sync reminder reminders battery hours hot cold water drink
noise cancelling sound music wireless fast charging work study home travel gift gifts sip hydrate hydration daily life style
""".split())


def _english_word(word: str, sentence: str) -> bool:
    """A capitalised word at the start of an English sentence, or a plain word: not a name."""
    if re.search(r"[\u4e00-\u9fff]", sentence):
        return word in _PLAIN_EN
    first = re.match(r"\W*([A-Za-z][A-Za-z0-9\-]*)", sentence)
    return word in _PLAIN_EN or bool(first and first.group(1).lower() == word)


def _title_case(sentence: str) -> bool:
    words = re.findall(r"[A-Za-z][A-Za-z0-9\-]*", sentence)
    return len(words) >= 2 and sum(w[0].isupper() for w in words) >= 0.6 * len(words)


# ---------------------------------------------------------------------- the pipeline
class Copywriter:
    """/copy and copy requests: brief → catalogue row + praise + segment facts → n variants →
    each variant fact-checked (check_copy); a variant that loses too much is regenerated once;
    each kept variant lists what it drew on."""

    def __init__(self, settings, *, generator, retriever=None, catalog=None, product_names=None, min_similarity: float = 0.25):
        self.settings = settings
        self.generator = generator
        self.retriever = retriever
        self._catalog = catalog  # () -> list of catalogue rows (dicts with name, name_zh, description, …)
        self._product_names = product_names
        self.min_similarity = min_similarity

    def catalog(self) -> list[dict]:
        if self._catalog is not None:
            return list(self._catalog())
        if self._product_names is not None:
            return [{"name": n} for n in self._product_names()]
        return []

    async def write(self, text: str, lang: str):
        import asyncio

        from .answering import Outcome, relevant_hits, to_source
        from .lang import pick
        from .prompts import copy_messages

        catalog = self.catalog()
        names = [str(r.get(k)) for r in catalog for k in ("name", "name_zh") if r.get(k)]
        brief = parse_brief(text, lang=lang, n=self.settings.copy_variants, product_names=names)
        row = match_product(text, catalog, brief.product)
        if row is not None:
            brief = replace(brief, product=str(row.get("name_zh") if brief.language == "zh" and row.get("name_zh") else row.get("name") or brief.product))
        lang = brief.language
        subject = brief.product or self.settings.brand_name
        praise, segment = [], []
        if self.retriever is not None:
            praise_q = f"{subject} 顾客好评 优点" if lang == "zh" else f"what customers praise about {subject}"
            praise = relevant_hits(await asyncio.to_thread(self.retriever.search, praise_q, 5), self.min_similarity)
            praise = [h for h in praise if str(h.metadata.get("sentiment", "")).lower() not in ("neg", "negative")]  # complaints sell nothing
            if row is not None:  # facts about other products are not this product's facts
                praise = [h for h in praise if str(h.metadata.get("product", "") or "") in ("", str(row.get("item_id", "")))]
            praise = praise[:4]
            if brief.audience:
                segment = relevant_hits(await asyncio.to_thread(self.retriever.search, f"segment {brief.audience} behaviour", 2, kinds=["insight"]), self.min_similarity)
        catalogue_hits = []
        if row is not None:
            from knowledge.types import Hit

            desc = row.get("description_zh") if lang == "zh" and row.get("description_zh") else row.get("description") or ""
            name = row.get("name_zh") if lang == "zh" and row.get("name_zh") else row.get("name")
            catalogue_hits = [Hit(id=f"catalog:{row.get('item_id', name)}", kind="catalog", text=f"{name}: {desc}", score=1.0,
                                  title=pick(lang, f"catalogue: {name}", f"商品目录：{name}"), metadata={"similarity": 1.0})]
        facts = catalogue_hits + praise + [h for h in segment if h.id not in {p.id for p in praise}]
        messages = copy_messages(brief, facts, [], brand=self.settings.brand_name)
        max_tokens = max(48, min(512, int(brief.max_chars * (1.2 if lang == "zh" else 0.45)) + 16))
        fact_pairs = [(h.title or h.id, h.text) for h in facts]
        allowed = [self.settings.brand_name] + names
        own = {str(row.get(k)) for k in ("name", "name_zh") if row.get(k)} if row is not None else set()
        # the other items' full names; a name contained in this product's own (the "Mini" of the bottle) is not foreign
        others = sorted({n for n in names if n not in own and not any(n in o for o in own)}, key=len, reverse=True) if row is not None else []
        variants: list[tuple[str, tuple[str, ...]]] = []
        removed: list[dict] = []
        model_id = ""
        for attempt in range(2):  # the second round regenerates what the check threw away
            need = brief.n - len(variants)
            if need <= 0:
                break
            result = await self.generator.generate(messages, n=need, max_new_tokens=max_tokens, temperature=0.9)
            model_id = result.model_id
            for v in finish_variants(result.texts, brief):
                body = re.sub(r"\[\d+\]", "", v).strip()
                checked = check_copy(body, fact_pairs, allowed_names=allowed, request=text, other_products=others)
                removed += [{"sentence": s, "why": w, "round": attempt + 1} for s, w in checked.removed]
                out = checked.text
                if not out or len(out) < 0.4 * len(body) or not within_limit(out, brief) or out in [x for x, _ in variants]:
                    continue
                variants.append((out, checked.drew_on))
        if not variants:
            body = pick(lang, "The model gave no usable variant (empty, or every one stated something the catalogue, docs and reviews don't). Try again or rephrase the brief.",
                        "模型没有给出可用的文案（为空，或每条都写了商品目录、文档和评论里没有的内容）。请重试或换个说法。")
        else:
            limit = f"{brief.max_words} words" if brief.max_words else pick(lang, f"{brief.max_chars} characters", f"{brief.max_chars} 字")
            head = pick(lang, f"{len(variants)} variant(s) · {brief.channel} · ≤ {limit}", f"{len(variants)} 条文案 · {brief.channel} · 不超过 {limit}")
            blocks = []
            for i, (v, drew) in enumerate(variants, 1):
                src = pick(lang, "; ", "；").join(drew[:3]) if drew else pick(lang, "the brief only", "仅依据需求")
                blocks.append(f"{i}. {v}\n   " + pick(lang, "Drew on: ", "依据：") + src)
            body = head + "\n\n" + "\n\n".join(blocks)
        data = {
            "intent": "copy", "lang": lang,
            "brief": {k: getattr(brief, k) for k in ("product", "audience", "channel", "language", "tone", "max_chars", "max_words", "n")},
            "product_id": str(row.get("item_id", "")) if row else "",
            "variants": [v for v, _ in variants], "drew_on": [list(d) for _, d in variants],
            "removed_sentences": removed, "model_id": model_id,
        }
        return Outcome(body, data, messages, tuple(to_source(h) for h in facts), model_id)


def _compound(word: str, names: set[str]) -> bool:
    """#LumiWatch: a hashtag made of known words."""
    ok = [True] + [False] * len(word)
    for i in range(1, len(word) + 1):
        ok[i] = any(ok[j] and word[j:i] in names for j in range(max(0, i - 20), i) if i - j >= 2)
    return ok[-1]
