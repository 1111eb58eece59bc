"""Copywriting: parse a brief from the request, and make each generated variant fit its channel."""

from __future__ import annotations

import re
from dataclasses import replace
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
    "email": (("email", "e-mail", "邮件", "newsletter", "edm"), 300, 700, 0),
    "description": (("product description", "description", "商品描述", "详情页", "商品详情", "产品描述", "描述"), 200, 450, 0),
}
DEFAULT_CHANNEL = ("post", 300, 500, 0)

# New tokens per channel: the decode budget of one variant (the n variants are one batch), from
# bench/eval_copy.py (docs/BENCHMARKS.md): on this CPU decode is most of a copy request's time, and
# the 0.5B model fills whatever budget a 300-1000-character limit gives it. The written limit the
# prompt states follows the budget (about 1.2 Chinese characters or 3.5 English characters a token).
MAX_NEW_TOKENS: dict[str, int] = {
    "tagline": 40, "email_subject": 40, "sms": 80, "tweet": 100, "wechat": 140, "post": 140,
    "description": 160, "email": 200, "weibo": 180, "xiaohongshu": 200,
}
CHARS_PER_TOKEN = {"zh": 1.2, "en": 3.5}

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


def budget_tokens(brief: CopyBrief) -> int:
    """New tokens for one variant: the channel's budget, or less when the brief asks for less."""
    by_limit = int(brief.max_chars / CHARS_PER_TOKEN.get(brief.language, 3.5)) + 16
    if brief.max_words:
        by_limit = min(by_limit, int(brief.max_words * 2.5) + 16)
    return max(24, min(MAX_NEW_TOKENS.get(brief.channel, MAX_NEW_TOKENS["post"]), by_limit))


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
            named = [v for v in _name_forms(n) if v in low]
            if named:  # the name as written, or without the brand, a pack size "（30片）" or a model number "10000"
                score = 4 + len(max(named, key=len)) / 1000  # the more specific name the request holds wins ("… Bottle Mini")
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


def _name_forms(name: str) -> list[str]:
    """A lower-case catalogue name and the shorter forms a request writes it in: without the
    brand, a bracketed pack size, or a trailing model number (3 characters at least)."""
    forms = {name}
    bare = re.sub(r"^lumi\s*", "", name)
    forms.add(bare)
    for f in list(forms):
        g = re.sub(r"\s*[（(][^）)]*[）)]\s*$", "", f).strip()
        forms.add(g)
        forms.add(re.sub(r"\s+\d+$", "", g).strip())
    return [f for f in forms if len(f) >= 3]


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


# ---------------------------------------------------------------------- the copy fact check
from .copycheck import CopyCheck, check_copy  # noqa: E402,F401  (bot/copycheck.py; re-exported)


# ---------------------------------------------------------------------- the pipeline
class Copywriter:
    """/copy and copy requests: brief → catalogue row + praise + segment facts → n variants →
    each variant fact-checked (check_copy); a variant that loses too much is regenerated once;
    each kept variant lists what it drew on."""

    def __init__(self, settings, *, generator, retriever=None, catalog=None, product_names=None, min_similarity: float = 0.25,
                 docs_retriever=None):
        self.settings = settings
        self.generator = generator
        self.retriever = retriever
        self.docs_retriever = docs_retriever  # the public docs (product pages, shipping, warranty): facts copy may state
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
        max_tokens = budget_tokens(brief)
        brief = replace(brief, max_chars=min(brief.max_chars, int(max_tokens * CHARS_PER_TOKEN.get(lang, 3.5))))
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
        product_docs, policies = await self._docs(row, lang)
        facts = catalogue_hits + product_docs + praise + [h for h in segment if h.id not in {p.id for p in praise}]
        messages = copy_messages(brief, facts, [], brand=self.settings.brand_name)
        fact_pairs = [(h.title or h.id, h.text) for h in facts + policies]  # policies: true, but not worth a prompt's tokens
        allowed = [self.settings.brand_name] + names
        # the product's own words in the other language ("Bluetooth" in Chinese copy of 蓝牙耳机): not names, never masked
        own_words = re.findall(r"[A-Za-z][A-Za-z0-9\-]+", f"{row.get('description') or ''} {row.get('description_zh') or ''}") if row is not None else []
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
                checked = check_copy(body, fact_pairs, allowed_names=allowed, request=text, other_products=others, known_words=own_words)
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

    async def _docs(self, row: dict | None, lang: str) -> tuple[list, list]:
        """The product's own doc sections (its product page: price, specifications, in the box) and
        the shop's shipping/returns/warranty sections. A section is the product's when its page title
        is the product's name (the Mini's page is not the bottle's)."""
        import asyncio

        from .lang import pick

        if self.docs_retriever is None or row is None:
            return [], []
        names = {str(row.get(k)).strip() for k in ("name", "name_zh") if row.get(k)}
        name = str(row.get("name_zh") if lang == "zh" and row.get("name_zh") else row.get("name") or "")
        try:
            hits = await asyncio.to_thread(self.docs_retriever.search, name, 8)
            pol = await asyncio.to_thread(self.docs_retriever.search, pick(lang, "free shipping, returns and warranty", "包邮 退货 保修"), 4)
        except Exception:  # noqa: BLE001 - the docs are extra evidence; copy without them still works
            return [], []
        own = [h for h in hits if (h.title or "").split(" › ")[0].strip() in names and " › " in (h.title or "")]
        return own[:3], [h for h in pol if h.id not in {o.id for o in own}]
