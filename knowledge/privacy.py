"""Privacy: keyed-HMAC pseudonyms for user ids and PII redaction in free text.

Nothing personal reaches the store, an index, a prompt or a log: user ids are
replaced by `u_<16 hex>` pseudonyms (HMAC-SHA256 under a secret key, so they are
stable across files but cannot be reversed or recomputed without the key), and
free text has e-mails, phones, Chinese ID numbers, bank cards and street
addresses replaced by tags ([EMAIL], [PHONE], [ID], [CARD], [ADDRESS]).

The key comes from the environment variable named in `PrivacySettings.key_env`
(hex or plain text) or else from the key file, created with 0600 permissions on
first use. knowledge/ never reads growthpilot's config: the caller hands in the
settings section (and, if it wants, the environment mapping).
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .settings import PrivacySettings
from .types import KnowledgeError

logger = logging.getLogger("growthpilot.privacy")
PSEUDONYM_PREFIX = "u_"
LEGACY_KEY = Path("keys") / "pseudonym.key"  # where the key used to live, inside the data dir
_HEX_KEY = re.compile(r"^[0-9a-fA-F]{32,}$")


# --------------------------------------------------------------------------- key
def load_key(env_value: str | None, key_file: Path) -> bytes:
    """The pseudonym key: `env_value` when set (hex → bytes, else its UTF-8 bytes),
    else the key file, created (32 random bytes as hex, mode 0600) when absent."""
    if env_value:
        value = env_value.strip()
        key = bytes.fromhex(value) if _HEX_KEY.match(value) and len(value) % 2 == 0 else value.encode("utf-8")
        if len(key) < 16:
            raise KnowledgeError("the pseudonym key from the environment is shorter than 16 bytes; use 32 random bytes in hex")
        return key
    key_file = Path(key_file)
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.chmod(key_file.parent, 0o700)
        except OSError:  # a shared folder we do not own: the file mode still protects the key
            pass
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it between our check and open
            return load_key(None, key_file)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32) + "\n")
        os.chmod(key_file, 0o600)  # the umask may have masked bits off, never on; be explicit
    text = key_file.read_text(encoding="ascii", errors="strict").strip()
    if not _HEX_KEY.match(text):
        raise KnowledgeError(f"pseudonym key file {key_file} is not a hex key; delete it to create a new one "
                             "(pseudonyms made with the old key will no longer match)")
    return bytes.fromhex(text)


def resolve_key_file(settings: PrivacySettings, data_dir: Path | None = None) -> Path:
    """The key file to use. When the configured one does not exist yet but an old key sits in
    `data_dir`/keys/, that one is used (so stored pseudonyms stay the same) with a warning saying
    how to move it; a configured key file inside the data dir gets the same warning."""
    key_file = Path(settings.key_file)
    if data_dir is None:
        return key_file
    data_dir = Path(data_dir)
    legacy = data_dir / LEGACY_KEY
    if not key_file.exists() and legacy.exists() and legacy.resolve() != key_file.resolve():
        _warn_once(f"the pseudonym key is still inside the data folder ({legacy}): anyone with a copy of the "
                   f"folder can re-identify every user. Move it out: mkdir -p {key_file.parent} && "
                   f"mv {legacy} {key_file} (or put it in ${settings.key_env}). Using it for now, so stored "
                   "pseudonyms stay the same.")
        return legacy
    try:
        inside = key_file.resolve().is_relative_to(data_dir.resolve())
    except OSError:
        inside = False
    if inside:
        _warn_once(f"the pseudonym key file {key_file} is inside the data folder {data_dir}: anyone with a copy "
                   "of the folder can re-identify every user. Set [privacy] key_file to a path outside it "
                   f"(the default is ~/.config/growthpilot/pseudonym.key) and mv the file there.")
    return key_file


_WARNED: set[str] = set()


def _warn_once(text: str) -> None:
    if text not in _WARNED:
        _WARNED.add(text)
        logger.warning(text)


# --------------------------------------------------------------------------- pseudonyms
class Pseudonymizer:
    """Keyed-HMAC-SHA256 pseudonyms. `u_` + the first 16 hex digits (64 bits) of the MAC.

    Ids are normalised to their stripped string form first, so the integer 42 from a
    Parquet file and the text "42" from a CSV get the same pseudonym."""

    def __init__(self, key: bytes):
        if not key:
            raise ValueError("empty pseudonym key")
        self._key = bytes(key)

    @classmethod
    def from_settings(cls, settings: PrivacySettings, env: Mapping[str, str] | None = None, *,
                      data_dir: Path | None = None) -> "Pseudonymizer":
        """Key from `env[settings.key_env]` (env defaults to os.environ), else the key file
        (see `resolve_key_file` for an old key inside `data_dir`)."""
        env = os.environ if env is None else env
        value = env.get(settings.key_env) or None
        return cls(load_key(value, resolve_key_file(settings, data_dir) if value is None else settings.key_file))

    def digest64(self, raw: str) -> int:
        """The 64-bit integer behind the pseudonym of `raw` (used for row hashes)."""
        mac = hmac.digest(self._key, raw.strip().encode("utf-8"), "sha256")
        return int.from_bytes(mac[:8], "big")

    def one(self, raw: object) -> str:
        """The pseudonym of one id ("" for an empty id)."""
        s = _id_text(raw)
        return "" if not s else f"{PSEUDONYM_PREFIX}{self.digest64(s):016x}"

    def unique(self, uniques: Iterable[object]) -> tuple[list[str], np.ndarray]:
        """Pseudonyms and their 64-bit integers for already-unique ids (one HMAC each)."""
        names: list[str] = []
        ints: list[int] = []
        key = self._key
        for raw in uniques:
            s = _id_text(raw)
            if not s:
                names.append("")
                ints.append(0)
                continue
            v = int.from_bytes(hmac.digest(key, s.encode("utf-8"), "sha256")[:8], "big")
            names.append(f"{PSEUDONYM_PREFIX}{v:016x}")
            ints.append(v)
        return names, np.array(ints, dtype=np.uint64)

    def many(self, ids: Sequence[object] | np.ndarray | pd.Series) -> np.ndarray:
        """Pseudonyms for millions of ids: factorise first, HMAC each distinct id once, then map."""
        codes, uniques = pd.factorize(pd.Series(ids, copy=False), use_na_sentinel=True)
        names, _ = self.unique(uniques)
        table = np.array(names + [""], dtype=object)  # code -1 (missing) → ""
        return table[np.where(codes < 0, len(names), codes)]


def _id_text(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float):
        if raw != raw:  # NaN
            return ""
        if raw.is_integer():
            return str(int(raw))
    if isinstance(raw, (np.integer,)):
        return str(int(raw))
    return str(raw).strip()


# --------------------------------------------------------------------------- redaction
TAGS = ("EMAIL", "ID", "CARD", "PHONE", "ACCOUNT", "ADDRESS")


@dataclass(frozen=True)
class Redaction:
    """Redacted text and how many of each kind were replaced."""

    text: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Span:
    """One piece of personal data found in a text: text[start:end] is of kind `tag`."""

    start: int
    end: int
    tag: str


# Matching runs on a copy of the text in which full-width ASCII (１３８, ＠, （, －), the ideographic
# space and the other dashes are folded to their ASCII forms one character for one, so every
# offset found in the copy is an offset in the original text.
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: 0x20, 0x00A0: 0x20, 0x2007: 0x20, 0x202F: 0x20, 0x2010: 0x2D, 0x2011: 0x2D, 0x2012: 0x2D,
              0x2013: 0x2D, 0x2014: 0x2D, 0x2212: 0x2D, 0xFE63: 0x2D})
_TAKEN = "\ue000"  # marks text already claimed by an earlier pattern (not \w, not Han, not a digit)

_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
_LATIN = rf"[^\W{_CJK}]"  # a letter/digit/underscore of any alphabet but CJK (é, ü, ñ, ...)
_LOCAL = rf"(?:{_LATIN}|[.%+'-])+"
_LABEL = rf"(?:{_LATIN}|[{_CJK}]|-)+"
_TLD = rf"(?:[A-Za-z]{{2,24}}(?![A-Za-z])|[{_CJK}]{{2,3}})"
_EMAIL = re.compile(
    rf"(?<!{_LATIN})(?<![.%+'-])(?:{_LOCAL}|[{_CJK}]{{1,4}})@{_LABEL}(?:\.{_LABEL})*\.{_TLD}")
# "ann.lee (at) example dot com": the common ways people hide an address from scrapers.
_KNOWN_TLD = r"(?:com|net|org|edu|gov|cn|io|co|uk|de|fr|jp|info|me|hk|tw|sg|us|ca|au)"
_DOT = r"(?:\s*(?:\(dot\)|\[dot\])\s*|\s+dot\s+|\.)"
_EMAIL_HIDDEN = re.compile(
    rf"(?<!{_LATIN})(?<![.%+'-])({_LOCAL})(\s*(?:\(at\)|\[at\]|（at）)\s*|\s+at\s+)"
    rf"((?:{_LATIN}|-)+(?:{_DOT}(?:{_LATIN}|-)+)*{_DOT}{_KNOWN_TLD})(?![A-Za-z])", re.IGNORECASE)

# 18-character resident ID: 6-digit region, birth date, 3-digit sequence, check digit (0-9 or X);
# a space or dash may separate any groups ("110105 19491231 002X"), letters may touch it ("ID1101…").
_CN_ID = re.compile(r"(?<![\d])(\d(?:[ -]?\d){16}[ -]?[\dXx])(?![\dXx])")
_CN_ID_SHAPE = re.compile(r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx]")
_ID_CONTEXT = re.compile(r"(?:身份证|证件|居民身份|sfz|\bID\b|\bid\s*(?:card|no\.?|number)|identity)[^\n\d]{0,8}$",
                         re.IGNORECASE)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# 13–19 digits in groups of 3 or more separated by one space, dash or dot ("6222 0212 3456 7890 128").
_CARD = re.compile(r"(?<![\d.,])(\d{3,19}(?:([ .-])\d{3,19}(?:\2\d{3,19}){0,5})?)(?![\d])")

_SEP = r"[ .-]?"
_CN_MOBILE = re.compile(
    rf"(?<![\d+])(?:(?:\+|00)?86[ -]?|\(\+?86\)[ -]?)?1[3-9]\d{_SEP}\d{{4}}{_SEP}\d{{4}}(?!\d)")
_CN_MOBILE_SPACED = re.compile(r"(?<![\d+])1 [3-9](?: \d){9}(?! ?\d)")  # "1 3 8 1 2 3 4 5 6 7 8"
_HAN_DIGITS = "〇零一二三四五六七八九"
_HAN_DIGIT_RUN = re.compile(rf"[{_HAN_DIGITS}]{{7}}")
_CN_AREA = r"0(?:10|2\d|[3-9]\d{2})"
_CN_LANDLINE = re.compile(
    rf"(?<![\d+])(\({_CN_AREA}\)[ -]?|{_CN_AREA}[ -]|{_CN_AREA})\d{{3,4}}[ -]?\d{{4}}"
    r"(?:\s*(?:转|ext\.?|x|分机)\s*\d{1,5})?(?!\d)", re.IGNORECASE)
_INTL_PHONE = re.compile(r"(?<![\d+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?!\d)")
_NANP_PHONE = re.compile(r"(?<![\d-])(?:\+?1[ .-]?)?(?:\(\d{3}\) ?|\d{3}[.-])\d{3}[.-]\d{4}(?![\d-])")
# A bare run of digits counts as a phone only right after a word that says it is one.
_PHONE_WORD = (r"(?:tel|phone|mob(?:ile)?|cell|ph\.?|whatsapp|call|fax|电话|手机|座机|号码|联系方式|联系电话|"
               r"手机号|电话号码)")
_INVOICE_BEFORE = re.compile(r"(?:发票|订单|运单|快递单?|工单|编)$")  # 发票号码 is an invoice number, not a phone
_PHONE_CONTEXT = re.compile(rf"(?<![A-Za-z]){_PHONE_WORD}[\s:=.#-]{{0,3}}(?:is\s+|是)?"
                            r"(\+?\d(?:[ .-]?\d){6,14})(?!\d)", re.IGNORECASE)

_PHONE_HAN = re.compile(rf"{_PHONE_WORD}[\s:=：是]{{0,3}}(一[三四五六七八九][{_HAN_DIGITS}]{{9}})(?![{_HAN_DIGITS}])",
                        re.IGNORECASE)

# Messaging accounts after the word for them: WeChat ids (6–20, starting with a letter; we ask
# for a digit, _ or - too so "wechat account" stays), or QQ numbers (5–12 digits).
_WECHAT_WORD = r"(?:微信号?|威信|薇信|v信|weixin|wechat|vx|wx|加v|加微)"
_QQ_WORD = r"(?:qq号?|扣扣|企鹅号)"
_LINK = r"[\s:=：]*(?:(?:id|is|号|是|号码|账号)[\s:=：]*)*"
_ACCOUNT = re.compile(
    rf"(?<![A-Za-z])(?:{_WECHAT_WORD}{_LINK}(?=[A-Za-z0-9_-]*[\d_-])([A-Za-z][A-Za-z0-9_-]{{5,19}})"
    rf"|{_QQ_WORD}{_LINK}([1-9]\d{{4,11}}))(?![A-Za-z0-9_-])", re.IGNORECASE)

# A number right after "订单号" / "order no." is an order number, not a phone or a card.
_ORDER_WORD = re.compile(
    r"(?:订单号|订单编号|订单|单号|运单号|编号|交易号|流水号|工单号?|货号|发票号码|发票代码|发票号|order\s*(?:no\.?|number|id|#)?|"
    r"tracking\s*(?:no\.?|number|id)?|transaction\s*(?:no\.?|number|id)?|txn\s*(?:id)?|invoice\s*(?:no\.?)?|"
    r"ref(?:erence)?\s*(?:no\.?)?|ticket\s*(?:no\.?)?|item\s*(?:no\.?|id)?|sku)\s*[:：#]?\s*$",
    re.IGNORECASE)

_ZH_NUM = r"[0-9一二三四五六七八九十百零〇]"
_HAN = r"(?:(?![到在寄送住是我的往发至请给从放])[\u4e00-\u9fa5])"  # not the verbs/particles before an address
_ZH_ADDRESS = re.compile(
    rf"(?:{_HAN}{{2,7}}(?:省|自治区))?"
    rf"(?:{_HAN}{{2,4}}市)?"
    rf"(?:{_HAN}{{1,5}}(?:区|县|镇|乡|街道))?"
    rf"(?:{_HAN}|[A-Za-z0-9]){{1,6}}?(?:路|街|大街|大道|巷|胡同)"
    rf"(?:{_ZH_NUM}+段)?[0-9]+(?:-[0-9]+)?(?:号|弄)"  # the house number itself in digits
    r"(?:[\u4e00-\u9fa5A-Za-z0-9-]{0,12}?(?:号楼|号院|栋|幢|座|单元|室|层|楼|号))*"
    r"(?:(?<=[栋幢座元层楼])[0-9]{2,5}(?:室|房)?)?"
)
# "收货地址：xxx" — whatever follows the label up to the next sentence break.
_ZH_ADDRESS_LABEL = re.compile(
    r"(?:收货地址|收件地址|家庭住址|详细地址|地址|住址)\s*[:：]\s*+(?!https?:|www\.)([^，。,;；!！?？\n\ue000]{4,60})")
_EN_WORD = r"(?:[A-Z][A-Za-z'.]*|\d{1,3}(?:st|nd|rd|th)|[NSEW])"
_EN_STREET = re.compile(
    r"(?<![\w$¥€£.])\d{1,5}[A-Za-z]?\s+" rf"(?:{_EN_WORD}\s+){{1,4}}"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Parkway|Pkwy|"
    r"Highway|Hwy|Loop|Circle|Cir|Square|Sq|Plaza|Alley|Crescent|Close|Row)\b\.?"
    r"(?:\s+(?:NW|NE|SW|SE|N|S|E|W)\b)?"
    r"(?:,?\s*(?:Apt|Apartment|Suite|Ste|Unit|Flat|#)\.?\s*#?\w+)?"
)
_EN_STREET_FIRST = re.compile(  # "9 Rue de Rivoli", "12 Calle Mayor", "5 Via Roma"
    r"(?<![\w$¥€£.])\d{1,5}[A-Za-z]?,?\s+(?:Rue|Avenue|Av\.|Boulevard|Bd|Calle|Avenida|Via|Viale|Piazza|Strada|Rua)"
    r"(?:\s+(?:de|du|des|la|le|del|della|di|da|do|dos))*(?:\s+[A-Z][\w'-]*){1,3}")
_PO_BOX = re.compile(r"\b(?:P\.?\s?O\.?\s*Box|Post\s+Office\s+Box)\s+\d{1,6}\b", re.IGNORECASE)


def valid_cn_id(number: str) -> bool:
    """True when an 18-character Chinese resident ID number has a correct check digit."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum used by payment card numbers."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _looks_like_card(digits: str) -> bool:
    if not 13 <= len(digits) <= 19 or not luhn_ok(digits):
        return False
    # Issuer prefixes: Amex/JCB/Diners 3, Visa 4, Mastercard 5 and 2221–2720, UnionPay/Discover 6.
    if digits[0] not in "3456" and not ("2221" <= digits[:4] <= "2720"):
        return False
    # An 18-digit number shaped like a resident ID (region + birth date) that fails the ID
    # check digit is a mistyped ID or a reference number, not a card.
    if len(digits) == 18 and _CN_ID_SHAPE.fullmatch(digits):
        return False
    return True


def _digits(s: str) -> str:
    return re.sub(r"[^0-9Xx]", "", s)


def _before(m: re.Match, n: int = 16, group: int = 0) -> str:
    s = m.start(group)
    return m.string[max(0, s - n):s]


def _after_order_word(m: re.Match, group: int = 0) -> bool:
    return bool(_ORDER_WORD.search(_before(m, 24, group)))


def _id_ok(m: re.Match) -> bool:
    number = _digits(m.group(1))
    if len(number) != 18 or not _CN_ID_SHAPE.fullmatch(number):
        return False
    # A valid check digit is enough; a wrong one only when the text says it is an ID number.
    return valid_cn_id(number) or bool(_ID_CONTEXT.search(_before(m, 14, 1)))


def _card_ok(m: re.Match) -> bool:
    return _looks_like_card(_digits(m.group(1))) and not _after_order_word(m, 1)


def _hidden_email_ok(m: re.Match) -> bool:
    # "(at)" / "[at]" say it; a bare " at " ("I shop at amazon.com") only with an address-like
    # local part (a dot, digit, _ or -: "ann.lee at example.com") or a spelled-out " dot ".
    if re.search(r"[(\[（]", m.group(2)):
        return True
    return bool(re.search(r"[._\d-]", m.group(1))) or bool(re.search(r"\bdot\b", m.group(3), re.IGNORECASE))


def _phone_digits(lo: int, hi: int) -> Callable[[re.Match], bool]:
    return lambda m: lo <= sum(c.isdigit() for c in m.group(0)) <= hi and not _after_order_word(m)


class Redactor:
    """Replaces PII in free text with tags. Stateless, safe to share."""

    def __init__(self, *, addresses: bool = True):
        self.addresses = addresses

    def spans(self, text: str) -> list[Span]:
        """Where the personal data in `text` is (offsets into `text`), in text order."""
        if not text:
            return []
        work = text.translate(_FOLD) if _FOLDABLE.search(text) else text
        found: list[Span] = []

        def take(pattern: re.Pattern, tag: str, check=None, group: int = 0) -> None:
            # group -1: the first group that matched
            nonlocal work
            new: list[tuple[int, int]] = []
            for m in pattern.finditer(work):
                if check is not None and not check(m):
                    continue
                g = group if group != -1 else next(i for i in range(1, pattern.groups + 1) if m.group(i) is not None)
                s, e = m.span(g)
                cut = work.find(_TAKEN, s, e)
                if cut >= 0:  # never re-claim what an earlier pattern took
                    e = cut
                    while e > s and not work[e - 1].isalnum():
                        e -= 1
                if e - s >= 2:
                    new.append((s, e))
            if new:
                parts, pos = [], 0
                for s, e in new:
                    parts += [work[pos:s], _TAKEN * (e - s)]
                    pos = e
                    found.append(Span(s, e, tag))
                work = "".join(parts) + work[pos:]

        if "u_" in work:  # our own pseudonyms are not personal data: hide them from every pattern
            work = _PSEUDONYM_TOKEN.sub(lambda m: _TAKEN * len(m.group(0)), work)
        has_digits = _DIGIT_RUN5.search(work) is not None
        if "@" in work:
            take(_EMAIL, "EMAIL")
        low = work.lower()
        if " at " in low or "(at)" in low or "[at]" in low:
            take(_EMAIL_HIDDEN, "EMAIL", _hidden_email_ok)
        if has_digits:
            take(_CN_ID, "ID", _id_ok, 1)
            take(_CARD, "CARD", _card_ok, 1)
            take(_INTL_PHONE, "PHONE", _phone_digits(7, 15))
            take(_CN_MOBILE, "PHONE", lambda m: not _after_order_word(m))
            take(_CN_MOBILE_SPACED, "PHONE", lambda m: not _after_order_word(m))
            take(_CN_LANDLINE, "PHONE", lambda m: (bool(m.group(1)) and not m.group(1)[-1].isdigit()
                                                  or bool(_PHONE_CONTEXT_BEFORE.search(_before(m, 12))))
                 and not _after_order_word(m))
            take(_NANP_PHONE, "PHONE", lambda m: not _after_order_word(m))
            take(_PHONE_CONTEXT, "PHONE", lambda m: 7 <= len(_digits(m.group(1))) <= 15 and not _INVOICE_BEFORE.search(_before(m, 8)), 1)
        if _HAN_DIGIT_RUN.search(work):  # "电话一三八一二三四五六七八": spelled in Chinese numerals
            take(_PHONE_HAN, "PHONE", None, 1)
        if any(w in low for w in _ACCOUNT_HINTS):
            take(_ACCOUNT, "ACCOUNT", None, -1)
        if self.addresses:
            take(_ZH_ADDRESS_LABEL, "ADDRESS", None, 1)
            if _ROAD_HINT.search(work) and _NUMBER_HINT.search(work):  # cheap pre-check: the full pattern is slow
                take(_ZH_ADDRESS, "ADDRESS")
            if _ANY_DIGIT.search(work):
                take(_EN_STREET, "ADDRESS")
                if _STREET_FIRST_HINT.search(work):
                    take(_EN_STREET_FIRST, "ADDRESS")
                if "Box" in work or "BOX" in work or "box" in work:
                    take(_PO_BOX, "ADDRESS")
        return sorted(found, key=lambda sp: sp.start)

    def redact(self, text: str) -> Redaction:
        """The redacted text and counts per tag (only tags that occurred)."""
        spans = self.spans(text)
        if not spans:
            return Redaction(text or "", {})
        parts, pos = [], 0
        counts: Counter[str] = Counter()
        for sp in spans:
            parts += [text[pos:sp.start], f"[{sp.tag}]"]
            pos = sp.end
            counts[sp.tag] += 1
        parts.append(text[pos:])
        return Redaction("".join(parts), dict(counts))

    def __call__(self, text: str) -> str:
        """The redacted text alone (so a Redactor is a `Callable[[str], str]`)."""
        return self.redact(text).text

    def redact_many(self, texts: Iterable[str]) -> tuple[list[str], dict[str, int]]:
        """Redact a batch; returns the texts and the summed counts."""
        out: list[str] = []
        total: Counter[str] = Counter()
        for t in texts:
            r = self.redact(t)
            out.append(r.text)
            total.update(r.counts)
        return out, dict(total)


_DIGIT_RUN5 = re.compile(r"\d(?:[ \-+().]*\d){4}")  # 5+ digits, separators allowed: any number worth a look
_PSEUDONYM_TOKEN = re.compile(rf"(?<![A-Za-z0-9]){PSEUDONYM_PREFIX}[0-9a-f]{{16}}(?![A-Za-z0-9])")
_FOLDABLE = re.compile("[" + "".join(map(chr, _FOLD)) + "]")
_ACCOUNT_HINTS = ("微信", "威信", "薇信", "v信", "扣扣", "企鹅", "wechat", "weixin", "vx", "wx", "qq", "加v")
_STREET_FIRST_HINT = re.compile(r"Rue|Av|Bd|Boulevard|Calle|Via|Piazza|Strada|Rua")
_PHONE_CONTEXT_BEFORE = re.compile(rf"{_PHONE_WORD}[^\n\d]{{0,4}}$", re.IGNORECASE)
_ANY_DIGIT = re.compile(r"\d")
_ROAD_HINT = re.compile(r"[路街道巷同弄]")
_NUMBER_HINT = re.compile(r"[号弄]")


def redact(text: str, *, addresses: bool = True) -> Redaction:
    """Redact e-mails, phones, Chinese ID numbers, card numbers, messaging accounts and street
    addresses in `text`."""
    return Redactor(addresses=addresses).redact(text)


# --------------------------------------------------------------------------- bundle
@dataclass(frozen=True)
class Privacy:
    """What ingest needs: a pseudonymizer and a redactor."""

    pseudonymizer: Pseudonymizer
    redactor: Redactor

    @classmethod
    def from_settings(cls, settings: PrivacySettings, env: Mapping[str, str] | None = None, *,
                      data_dir: Path | None = None) -> "Privacy":
        return cls(Pseudonymizer.from_settings(settings, env, data_dir=data_dir),
                   Redactor(addresses=settings.redact_addresses))

    @classmethod
    def from_key(cls, key: bytes, *, addresses: bool = True) -> "Privacy":
        return cls(Pseudonymizer(key), Redactor(addresses=addresses))
