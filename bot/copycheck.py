"""The copy fact check: a copy variant may state only product facts its sources hold.

Sources are the (title, text) pairs the copy was written from: the catalogue row, the product's
doc pages and policies, and the reviews quoted in the prompt. Each sentence of a variant is broken
into claims, and the sentence is kept only when every claim is supported:

- numbers: each number (Arabic, or a Chinese numeral before a unit: 两小时, 八折) with its unit
  class (hours, days, years, ml, W, ¥ …) must be a source number of the same unit ("两小时" is not
  supported by "2年保修");
- promises (free, gifts, discounts, urgency, certifications, guarantees and warranties, rankings,
  comparisons): the phrase around the promise word must be found in one source sentence that has
  the same promise word ("免费寄回" does not make "免费试用" true, "Free shipping" not a "free gift");
- features and specs: phrases a cue marks as a product claim (内置/采用/支持/防/抗/可…, …功能/设计/技术/
  系统/模式/材质/认证/级; built-in, features, equipped with, anti-, -proof, -resistant, … technology/
  system/mode/sensor) must be found in one source sentence;
- names: a Latin or capitalised name must be in the sources or the allowed names, and no other
  catalogue product may be named.

"Found" is lexical: the share of the phrase's tokens (Chinese character bigrams, English words
minus stop words) that one source sentence holds, at least `SUPPORT_THRESHOLD` (measured with
bench/eval_copy.py, docs/BENCHMARKS.md). What no source holds is removed; the caller regenerates a
variant that lost too much. Each kept variant lists the sources its claims drew on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from .grounding import content_tokens, split_sentences

# Share of a claim phrase's tokens one source sentence must hold (bench/eval_copy.py sweep).
SUPPORT_THRESHOLD = 0.6

# ---------------------------------------------------------------------- promises
PROMISES: tuple[tuple[str, str], ...] = (
    (r"\bfree\b|免费|赠送|赠品|包邮|送礼|买一送一|buy one get|complimentary|giveaway|\bbonus\b|\bgift\b|礼包|下单即?送|(?<![a-z])送(?:你|您)", "free/gift"),
    (r"discount|\d+\s*% off|\boff\b|\bsale\b|coupon|voucher|\bdeals?\b|\bsave\b|折扣|打折|\d+折|[一二三四五六七八九]折|优惠|立减|满减|特价|降价|秒杀|券|低至|直降|半价|促销|black friday|黑五",
     "discount"),
    (r"certif|approved|\bfda\b|\bce\b|\biso\b|\bsgs\b|patent|lab[- ]tested|tested by|认证|专利|质检|检测|权威|官方认可|国家标准|医疗器械", "certification"),
    (r"guarantee|warrant|lifetime|money.back|保修|质保|保证|承诺|终身|无效退款|包换|包退", "guarantee"),
    (r"no\.?\s?1\b|number one|#1\b|best.selling|bestseller|top.selling|most popular|award|第一|销量|冠军|爆款|热销|畅销|全网最|首款|唯一|领先", "ranking"),
    (r"limited[- ]time|today only|only today|only \d+ left|while (?:stocks?|supplies) last|限时|限量|仅剩|最后\d+|今日|仅此", "urgency"),
    (r"(?:better|faster|cheaper|quieter|longer|louder|more \w+) than|\boutperform|\bunlike\b|比(?!起来)[^\s，,。！!？?]{1,8}(?:更|还|都)|胜过|超越|媲美|堪比|不输|吊打|秒杀[^\s，。]{1,6}",
     "comparison"),
)

# ---------------------------------------------------------------------- features and specs
_ZH_PREFIX_CUES = r"内置|采用|配备|搭载|具备|具有|拥有|带有|配有|装有|自带|一键|自动|智能|支持|独家|专利|升级|全新|监测|测量|防(?!止)|抗|可(?!以|能|是|爱|靠|口|惜)"
_ZH_HEADS = r"功能|设计|技术|系统|模式|材质|材料|工艺|面料|科技|芯片|传感器|涂层|内胆|控制|性能|效果|级"
_ZH_HEAD_TAIL = re.compile(r"(?:" + _ZH_HEADS + r")+$")
_EN_PREFIX_CUES = (r"built[- ]in|equipped with|features?|featuring|boasts?|comes with|includes?|powered by|made (?:of|from|with)|"
                   r"supports?|anti-?|smart|tracks?|monitors?|measures?|detects?")
_EN_SUFFIX_CUES = r"-?proof|-?resistant|technology|system|mode|sensors?|functions?|material|grade|coating"
_CLAUSE_END = re.compile(r"[，,。.!！？?；;：:、\n（）()“”\"—]|(?:\s(?:and|to|that|so|while|for|so|which)\s)")
_ZH_PARTICLE = re.compile(r"[的和与让还也又更都就给是在把被，]")

_EN_STOP = frozenset("""a an the and or but with for to of in on at by your you our we it its is are be this that these those
from as so up out all any every each one more most very just now get gets all-day day our yours his her their them they
""".split())

_UNITS: tuple[tuple[str, str], ...] = (
    ("hour", r"个?小时|h(?![a-z])|hrs?(?![a-z])|hours?"), ("minute", r"分钟|minutes?|mins?(?![a-z])"), ("second", r"秒|seconds?|secs?(?![a-z])"),
    ("day", r"天|日|days?"), ("week", r"周|星期|weeks?"), ("month", r"个月|months?"), ("year", r"年|years?"),
    ("ml", r"毫升|ml(?![a-z])"), ("mah", r"毫安|mah(?![a-z])"), ("watt", r"瓦|w(?![a-z])"), ("kelvin", r"k(?![a-z])"), ("db", r"分贝|db(?![a-z])"),
    ("price", r"元|块钱|yuan|rmb"), ("percent", r"%|％"), ("discount", r"折"),
)
_UNIT_RE = [(name, re.compile(r"\s?-?(?:" + rx + ")", re.I)) for name, rx in _UNITS]
_ARABIC = re.compile(r"(?<![A-Za-z0-9_.])(¥|￥)?\s?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)")
_ZH_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_NUMERAL = re.compile(r"([零一二两三四五六七八九十百千万半]+)(?=(?:" + "|".join(rx for n, rx in _UNITS if n not in ("kelvin", "watt", "percent")) + "))")
_RANGE_DASH = re.compile(r"^\s?[–—\-~～至到]\s?\d")


@dataclass(frozen=True)
class NumberClaim:
    text: str
    value: float
    unit: str  # "" when none follows
    tolerance: float


@dataclass(frozen=True)
class CopyCheck:
    text: str  # the variant with unsupported sentences removed ("" when nothing survived)
    removed: tuple[tuple[str, str], ...]  # (sentence, why)
    drew_on: tuple[str, ...]  # titles of the sources the kept text's claims were found in


def zh_numeral_value(s: str) -> float | None:
    if s == "半":
        return 0.5
    if any(c in s for c in "百千万"):
        total, cur = 0, 0
        for c in s:
            if c in _ZH_DIGITS:
                cur = _ZH_DIGITS[c]
            elif c in "十百千万":
                total += (cur or 1) * {"十": 10, "百": 100, "千": 1000, "万": 10000}[c]
                cur = 0
        return float(total + cur)
    if "十" in s:
        a, _, b = s.partition("十")
        return float((_ZH_DIGITS.get(a, 1) if a else 1) * 10 + (_ZH_DIGITS.get(b, 0) if b else 0))
    if len(s) == 1 and s in _ZH_DIGITS:
        return float(_ZH_DIGITS[s])
    return None


def _unit_after(text: str) -> str:
    for name, rx in _UNIT_RE:
        if rx.match(text):
            return name
    return ""


def number_claims(text: str) -> list[NumberClaim]:
    """Numbers with the unit class that follows them; a range ("1–3天") gives its unit to both ends."""
    out: list[NumberClaim] = []
    for m in _ARABIC.finditer(text):
        raw = m.group(2).replace(",", "")
        after = text[m.end():m.end() + 12]
        unit = "price" if m.group(1) else _unit_after(after)
        if not unit and _RANGE_DASH.match(after):
            rest = re.match(r"^\s?[–—\-~～至到]\s?\d+(?:\.\d+)?", after)
            unit = _unit_after(after[rest.end():]) if rest else ""
        decimals = len(raw.split(".")[1]) if "." in raw else 0
        out.append(NumberClaim(m.group(0).strip(), float(raw), unit, 0.5 * 10 ** (-decimals)))
    for m in _ZH_NUMERAL.finditer(text):
        v = zh_numeral_value(m.group(1))
        if v is None:
            continue
        out.append(NumberClaim(m.group(0), v, _unit_after(text[m.end():m.end() + 6]), 0.01))
    return out


def _stem(w: str) -> str:
    """A crude English stem: plurals and -ing/-ed forms meet their base ("cables" = "cable", "glows" = "glow")."""
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and re.search(r"(?:ss|x|z|ch|sh)es$", w):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    if len(w) > 5 and w.endswith("ing"):
        return w[:-3]
    if len(w) > 4 and w.endswith("ed"):
        return w[:-2] if not w.endswith("eed") else w
    return w


def _tokens(text: str) -> set[str]:
    low = text.lower()
    words = set()
    for w in re.findall(r"[a-z][a-z0-9']*", low):
        if w in _EN_STOP or len(w) < 2:
            continue
        words.add(_stem(w))
    for run in re.findall(r"[\u4e00-\u9fff]+", low):
        words |= {run[i:i + 2] for i in range(len(run) - 1)} if len(run) > 1 else {run}
    return words


def _source_sentences(facts: Sequence[tuple[str, str]]) -> list[tuple[str, str, set[str]]]:
    out = []
    for title, text in facts:
        for s in re.split(r"(?<=[。！？!?；;\n])|(?<=[.])\s+", f"{text}"):
            if s.strip():
                out.append((title, s.strip(), _tokens(s)))
    return out


def _clause(sentence: str, start: int, end: int) -> tuple[int, int]:
    """The clause of the sentence around [start, end)."""
    left = max([m.end() for m in _CLAUSE_END.finditer(sentence, 0, start)] + [0])
    m = _CLAUSE_END.search(sentence, end)
    return left, (m.start() if m else len(sentence))


def _window(sentence: str, start: int, end: int, before: int, after: int) -> str:
    """The promise word with `before`/`after` characters (zh) or words (en) of its clause."""
    a, b = _clause(sentence, start, end)
    left, right = sentence[a:start], sentence[end:b]
    if re.search(r"[\u4e00-\u9fff]", sentence[start:end] + left[-1:] + right[:1]):
        return left[-before:] + sentence[start:end] + right[:after]
    lw, rw = left.split(), right.split()
    return " ".join(lw[-before:] + [sentence[start:end]] + rw[:after])


def feature_phrases(sentence: str) -> list[str]:
    """The phrases a cue marks as product claims (see the module doc): what the cue says the
    product has, without the cue word itself unless it carries the meaning (防/抗/可/智能 …); for a
    head noun (…功能/设计/技术), its modifier ("防蛀" of 防蛀设计, "降噪" of 降噪技术)."""
    out = []
    for m in re.finditer(_ZH_PREFIX_CUES, sentence):
        rest = sentence[m.end():m.end() + 12]
        run = re.match(r"[\u4e00-\u9fffA-Za-z0-9]+", rest)
        if not run:
            continue
        text = run.group(0)
        adj = re.match(r"^[\u4e00-\u9fff]{1,4}的", text)  # 具有出色的降噪效果: the claim is 降噪效果
        if adj:
            text = text[adj.end():]
        obj = _ZH_PARTICLE.split(text)[0][:6]
        obj = _ZH_HEAD_TAIL.sub("", obj) or obj  # 降噪功能: the claim is 降噪 (the head noun is scored on its own below)
        if not obj:
            continue
        keep_cue = m.group(0) in ("防", "抗", "可", "智能", "自动", "一键")
        out.append((m.group(0) if keep_cue else "") + obj)
    for m in re.finditer(r"([\u4e00-\u9fff]{1,4})(" + _ZH_HEADS + ")", sentence):
        mod = _ZH_PARTICLE.split(m.group(1))[-1]
        if len(mod) >= 2 or (mod and m.group(2) == "级"):
            out.append(mod)
    low = sentence
    for m in re.finditer(r"(?i)(?<![A-Za-z])(" + _EN_PREFIX_CUES + r")(?=[\s-])", low):
        a, b = _clause(low, m.start(), m.end())
        words = [w for w in re.findall(r"[A-Za-z0-9][A-Za-z0-9'-]*", low[m.end():b]) if w.lower() not in _EN_STOP][:3]
        if words:
            out.append(" ".join(([m.group(1)] if m.group(1).lower().startswith("anti") else []) + words))
    for m in re.finditer(r"(?i)([A-Za-z0-9][\w'-]*(?:\s+[A-Za-z0-9][\w'-]*){0,2})\s*(" + _EN_SUFFIX_CUES + r")(?![A-Za-z])", low):
        words = [w for w in re.findall(r"[A-Za-z0-9][A-Za-z0-9'-]*", m.group(1)) if w.lower() not in _EN_STOP][-2:]
        if words:
            head = m.group(2).strip("-").lower()
            out.append(" ".join(words + ([head] if head in ("proof", "resistant", "grade") else [])))
    return out


class CopySources:
    """What a copy variant may draw on: the sources' sentences, numbers and names."""

    def __init__(self, facts: Sequence[tuple[str, str]], *, allowed_names: Sequence[str] = (), threshold: float = SUPPORT_THRESHOLD):
        self.facts = list(facts)
        self.sentences = _source_sentences(self.facts)
        self.threshold = threshold
        self.numbers: list[tuple[str, NumberClaim]] = []
        for title, text in self.facts:
            self.numbers += [(title, n) for n in number_claims(text)]
        corpus = "\n".join(f"{t}\n{x}" for t, x in self.facts).lower()
        self.corpus = corpus
        self.names = {n.lower() for n in allowed_names if n} | {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9\-]+", corpus)}

    def number_source(self, n: NumberClaim) -> str | None:
        for title, s in self.numbers:
            if abs(s.value - n.value) <= n.tolerance + 1e-9 and (not n.unit or not s.unit or s.unit == n.unit):
                return title
            if n.unit == "percent" and abs(s.value * 100 - n.value) <= n.tolerance and s.value < 1:
                return title
        return None

    def phrase_source(self, phrase: str, must: str = "") -> tuple[float, str | None]:
        """The best share of the phrase's tokens one source sentence holds (that sentence also
        holding `must`, the promise word), and its source's title."""
        toks = _tokens(phrase)
        if not toks:
            return 1.0, None
        best, title = 0.0, None
        must_l = must.lower()
        for t, s, stoks in self.sentences:
            if must_l and must_l not in s.lower():
                continue
            score = len(toks & stoks) / len(toks)
            if score > best:
                best, title = score, t
        return best, title


def check_copy(variant: str, facts: Sequence[tuple[str, str]], *, allowed_names: Sequence[str] = (), request: str = "",
               other_products: Sequence[str] = (), threshold: float | None = None, known_words: Sequence[str] = ()) -> CopyCheck:
    """Keep only the sentences whose every claim a source holds (see the module doc). `request`
    is the person's brief: it is not a source of facts (a brief asking for "三年质保" does not make it true)."""
    src = CopySources(facts, allowed_names=list(allowed_names) + list(known_words), threshold=SUPPORT_THRESHOLD if threshold is None else threshold)
    own_names = sorted({n for n in allowed_names if n}, key=len, reverse=True)
    kept: list[str] = []
    removed: list[tuple[str, str]] = []
    drew: list[str] = []
    for s in split_sentences(variant):
        if not s.strip():
            kept.append(s)
            continue
        why, used = _check_sentence(s, src, own_names, other_products)
        if why:
            removed.append((s.strip(), why))
        else:
            kept.append(s)
            drew += used
    text = "".join(kept).strip()
    words = content_tokens(text)
    drew += [t for t, x in facts if len(words & content_tokens(f"{t} {x}")) >= 2]
    return CopyCheck(text, tuple(removed), tuple(dict.fromkeys(drew)))


def _mask(text: str, names: Iterable[str]) -> str:
    """The names blanked out (same length), a Latin name only as whole words ("app" is not in "approximately")."""
    for n in names:
        if len(n) >= 2:
            pattern = re.escape(n)
            if re.match(r"[A-Za-z0-9]", n):
                pattern = r"(?<![A-Za-z0-9])" + pattern
            if re.search(r"[A-Za-z0-9]$", n):
                pattern += r"(?![A-Za-z0-9])"
            text = re.sub(pattern, lambda m: "\u2063" * len(m.group(0)), text, flags=re.I)
    return text


def _check_sentence(s: str, src: CopySources, own_names: Sequence[str], other_products: Sequence[str]) -> tuple[str, list[str]]:
    used: list[str] = []
    other = next((o for o in other_products if o and o.lower() in s.lower()), "")
    if other:
        return f"names another product '{other}'", used
    body = _mask(s, own_names)  # "Lumi PowerCube 10000", "3-in-1": names, not numbers or claims
    for n in number_claims(body):
        title = src.number_source(n)
        if title is None:
            return f"number {n.text} is in no fact" + (f" (as {n.unit})" if n.unit else ""), used
        used.append(title)
    for pattern, kind in PROMISES:
        for m in re.finditer(pattern, body, re.I):
            start, end = m.start(), m.end()
            hyphen = re.search(r"[A-Za-z]+-$", body[:start])
            phrase = body[hyphen.start():end] if hyphen else _window(body, start, end, 3, 3)
            score, title = src.phrase_source(phrase, must=m.group(0).strip())
            if score < src.threshold:
                return f"{kind} promise '{phrase.strip()}' is in no fact", used
            used.append(title) if title else None
    for phrase in feature_phrases(body):
        if not phrase.replace("\u2063", "").strip():
            continue
        score, title = src.phrase_source(phrase)
        if score < src.threshold:
            return f"feature '{phrase}' is in no fact", used
        used.append(title) if title else None
    bad = _unknown_name(s, src.names)
    if bad:
        return f"name '{bad}' is not in the catalogue or the facts", used
    return "", [u for u in used if u]


# ---------------------------------------------------------------------- names
_PLAIN_EN = frozenset("""a an the and or but with for to of in on at by your you our we it its is are be this that these those
new now get meet say hello hi all day every one more less just so very really my me i stay keep make let go try love like
smart bottle mini buds pro lite lamp charger earbuds desk light app sync reminder reminders battery hours hot cold water drink
noise cancelling sound music wireless fast charging work study home travel gift gifts sip hydrate hydration daily life style
""".split())


def _unknown_name(s: str, names: set[str]) -> str:
    title_case = _title_case(s)
    if title_case:  # "Stay Hydrated, Stay Smart": capitals of a headline; a run of them after a lower-case word may be a name ("… your Apple Watch")
        text = s.strip()
        for run in re.finditer(r"(?<![A-Za-z0-9\-])[A-Z][A-Za-z0-9\-]*(?:\s+[A-Z][A-Za-z0-9\-]*)+", text):
            before = text[:run.start()]
            if not re.search(r"[a-z]+\s+$", before):
                continue  # a run opening the sentence, a clause or a label: the headline itself
            ws = run.group(0).split()
            unknown = [w for w in ws if w.lower() not in names and w.lower() not in _PLAIN_EN and w.lower() not in _EN_STOP]
            if unknown:
                return unknown[0]
    for w in re.findall(r"[A-Za-z][A-Za-z0-9\-]+", s):
        if title_case and not re.search(r"[a-z][A-Z]|[A-Z]{2}", w):
            continue
        lw = w.lower()
        if (w[0].isupper() or re.search(r"[\u4e00-\u9fff]", s)) and len(w) > 1 and lw not in names and not _english_word(lw, s) \
                and not _compound(lw, names):
            return w
    return ""


def _english_word(word: str, sentence: str) -> bool:
    """A capitalised word at the start of an English sentence, or a plain word: not a name."""
    if re.search(r"[\u4e00-\u9fff]", sentence):
        return word in _PLAIN_EN
    first = re.match(r"\W*([A-Za-z][A-Za-z0-9\-]*)", sentence)
    return word in _PLAIN_EN or bool(first and first.group(1).lower() == word)


def _title_case(sentence: str) -> bool:
    words = re.findall(r"[A-Za-z][A-Za-z0-9\-]*", sentence)
    return len(words) >= 2 and sum(w[0].isupper() for w in words) >= 0.6 * len(words)


def _compound(word: str, names: set[str]) -> bool:
    """#LumiWatch: a hashtag made of known words."""
    ok = [True] + [False] * len(word)
    for i in range(1, len(word) + 1):
        ok[i] = any(ok[j] and word[j:i] in names for j in range(max(0, i - 20), i) if i - j >= 2)
    return ok[-1]
