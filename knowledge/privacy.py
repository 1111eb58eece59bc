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
import os
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .settings import PrivacySettings
from .types import KnowledgeError

PSEUDONYM_PREFIX = "u_"
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
    def from_settings(cls, settings: PrivacySettings, env: Mapping[str, str] | None = None) -> "Pseudonymizer":
        """Key from `env[settings.key_env]` (env defaults to os.environ), else the key file."""
        env = os.environ if env is None else env
        return cls(load_key(env.get(settings.key_env) or None, settings.key_file))

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
TAGS = ("EMAIL", "ID", "CARD", "PHONE", "ADDRESS")


@dataclass(frozen=True)
class Redaction:
    """Redacted text and how many of each kind were replaced."""

    text: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![A-Za-z])", re.ASCII)

# 18-digit resident ID: 6-digit region, birth date (1900–2099), 3-digit sequence, check digit (0-9 or X).
_CN_ID = re.compile(
    r"(?<![0-9A-Za-z])([1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx])(?![0-9A-Za-z])", re.ASCII)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# 13–19 digits, single spaces or dashes allowed between digits (e.g. "6222 0212 3456 7890 128").
_CARD = re.compile(r"(?<![\w.])(\d(?:[ -]?\d){12,18})(?![\w.])", re.ASCII)

_CN_MOBILE = re.compile(r"(?<![\w+])(?:(?:\+|00)86[ -]?|\(\+86\)[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)", re.ASCII)
_CN_LANDLINE = re.compile(r"(?<![\w-])(?:\(0\d{2,3}\)|0\d{2,3}-)[ ]?\d{7,8}(?:-\d{1,5})?(?!\d)", re.ASCII)
_INTL_PHONE = re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?!\d)", re.ASCII)
_NANP_PHONE = re.compile(r"(?<![\w+-])(?:\(\d{3}\) ?|\d{3}[.-])\d{3}[.-]\d{4}(?![\w-])", re.ASCII)

_ZH_NUM = r"[0-9０-９一二三四五六七八九十百零〇]"
_HAN = r"(?:(?![到在寄送住是我的往发至请给从和与])[\u4e00-\u9fa5])"  # not the verbs/particles before an address
_ZH_ADDRESS = re.compile(
    rf"(?:{_HAN}{{2,7}}(?:省|自治区))?"
    rf"(?:{_HAN}{{2,4}}市)?"
    rf"(?:{_HAN}{{1,5}}(?:区|县|镇|乡))?"
    rf"(?:{_HAN}|[A-Za-z0-9]){{1,6}}?(?:路|街|大街|大道|巷|胡同)"
    rf"(?:{_ZH_NUM}+段)?[0-9０-９]+(?:-[0-9０-９]+)?(?:号|弄)"  # the house number itself in digits
    r"(?:[\u4e00-\u9fa5A-Za-z0-9-]{0,12}?(?:号楼|栋|幢|座|单元|室|层|楼))*"
)
# "收货地址：xxx" — whatever follows the label up to the next sentence break.
_ZH_ADDRESS_LABEL = re.compile(
    r"((?:收货地址|收件地址|家庭住址|详细地址|地址|住址)\s*[:：]\s*+)(?!https?:|www\.)([^，。,;；!！?？\n]{4,60})")
# A number right after "订单号" / "order no." is an order number, not a phone or a card.
_ORDER_WORD = re.compile(r"(?:订单号|订单编号|单号|运单号|编号|order\s*(?:no\.?|number|id|#)?|tracking\s*(?:no\.?|number)?)\s*[:：#]?\s*$",
                         re.IGNORECASE)
_EN_STREET = re.compile(
    r"(?<![\w$¥€£.])\d{1,5}[A-Za-z]?\s+(?:[A-Z][A-Za-z'.]*\s+){1,3}"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Parkway|Pkwy|Highway|Hwy)\b\.?"
    r"(?:,?\s*(?:Apt|Apartment|Suite|Unit|Flat|#)\.?\s*#?\w+)?",
    re.ASCII
)


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
    if len(digits) == 18 and _CN_ID.fullmatch(digits):
        return False
    return True


class Redactor:
    """Replaces PII in free text with tags. Stateless, safe to share."""

    def __init__(self, *, addresses: bool = True):
        self.addresses = addresses

    def redact(self, text: str) -> Redaction:
        """The redacted text and counts per tag (only tags that occurred)."""
        if not text:
            return Redaction(text or "", {})
        counts: Counter[str] = Counter()

        def sub(pattern: re.Pattern, tag: str, s: str, check=None) -> str:
            def repl(m: re.Match) -> str:
                if check is not None and not check(m):
                    return m.group(0)
                counts[tag] += 1
                return f"[{tag}]"

            return pattern.sub(repl, s)

        s = text
        if "@" in s:
            s = sub(_EMAIL, "EMAIL", s)
        if _DIGIT_RUN7.search(s):
            s = sub(_CN_ID, "ID", s, lambda m: valid_cn_id(m.group(1)))
            s = sub(_CARD, "CARD", s,
                    lambda m: _looks_like_card(re.sub(r"[ -]", "", m.group(1))) and not _after_order_word(m))
            s = sub(_CN_MOBILE, "PHONE", s, lambda m: not _after_order_word(m))
            s = sub(_INTL_PHONE, "PHONE", s, lambda m: 7 <= sum(c.isdigit() for c in m.group(0)) <= 15)
            s = sub(_CN_LANDLINE, "PHONE", s)
            s = sub(_NANP_PHONE, "PHONE", s)
        if self.addresses:
            s = _ZH_ADDRESS_LABEL.sub(lambda m: (counts.update(["ADDRESS"]) or f"{m.group(1)}[ADDRESS]"), s)
            if _ROAD_HINT.search(s) and _NUMBER_HINT.search(s):  # cheap pre-check: the full pattern is slow
                s = sub(_ZH_ADDRESS, "ADDRESS", s)
            if _ANY_DIGIT.search(s):
                s = sub(_EN_STREET, "ADDRESS", s)
        return Redaction(s, dict(counts))

    def redact_many(self, texts: Iterable[str]) -> tuple[list[str], dict[str, int]]:
        """Redact a batch; returns the texts and the summed counts."""
        out: list[str] = []
        total: Counter[str] = Counter()
        for t in texts:
            r = self.redact(t)
            out.append(r.text)
            total.update(r.counts)
        return out, dict(total)


def _after_order_word(m: re.Match) -> bool:
    return bool(_ORDER_WORD.search(m.string[max(0, m.start() - 16):m.start()]))


_DIGIT_RUN7 = re.compile(r"\d(?:[ \-+()]*\d){6}")  # 7+ digits, separators allowed: any number worth a look
_ANY_DIGIT = re.compile(r"\d")
_ROAD_HINT = re.compile(r"[路街道巷同弄]")
_NUMBER_HINT = re.compile(r"[号弄]")


def redact(text: str, *, addresses: bool = True) -> Redaction:
    """Redact e-mails, phones, Chinese ID numbers, card numbers and street addresses in `text`."""
    return Redactor(addresses=addresses).redact(text)


# --------------------------------------------------------------------------- bundle
@dataclass(frozen=True)
class Privacy:
    """What ingest needs: a pseudonymizer and a redactor."""

    pseudonymizer: Pseudonymizer
    redactor: Redactor

    @classmethod
    def from_settings(cls, settings: PrivacySettings, env: Mapping[str, str] | None = None) -> "Privacy":
        return cls(Pseudonymizer.from_settings(settings, env), Redactor(addresses=settings.redact_addresses))

    @classmethod
    def from_key(cls, key: bytes, *, addresses: bool = True) -> "Privacy":
        return cls(Pseudonymizer(key), Redactor(addresses=addresses))
