"""Which language to reply in: the person's (knowledge.text.detect_lang), else the configured default."""

from __future__ import annotations

import re

from knowledge.text import detect_lang

_CJK = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_language(text: str, default: str = "zh", locale: str = "") -> str:
    """'zh' or 'en' for a message: the language it is written in; for text with no letters
    at all ("👍", "123") the platform's locale guess, else `default`."""
    if _CJK.search(text) or _LATIN.search(text):
        return "zh" if detect_lang(text) == "zh" else "en"
    if locale.startswith("zh"):
        return "zh"
    if locale.startswith("en"):
        return "en"
    return default


def pick(lang: str, en: str, zh: str) -> str:
    """The string for the reply language."""
    return zh if lang == "zh" else en
