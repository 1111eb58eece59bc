"""Language detection and tokenisation for Chinese and English (and mixed) text.

`tokenize` segments Chinese with jieba (or rjieba, the Rust port with the same
dictionary) and splits everything else into lower-cased word tokens. Both
tokenisers are normalised the same way, so their outputs are interchangeable
(an index built with one can be queried with the other).

jieba is initialised quietly: its prefix-dictionary cache lives under a
growthpilot cache folder and its log lines are silenced.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Callable, Literal

Lang = Literal["zh", "en"]
TokenizerName = Literal["jieba", "rjieba"]

# CJK Unified Ideographs (+ extension A, compatibility ideographs).
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")
_LATIN_WORD_RE = re.compile(r"[A-Za-z]+")
# A non-Chinese token: words, numbers with decimals, English contractions ("don't").
_WORD_RE = re.compile(r"[a-z0-9]+(?:[.'’][a-z0-9]+)*")

EN_STOPWORDS: frozenset[str] = frozenset(
    """a an the and or but if then else of to in on at by for with from as is are was were be been being
    am do does did doing have has had having i me my myself we our ours you your yours he him his she her
    it its they them their what which who whom this that these those there here so than too very can will
    just would should could shall may might must about into over under again further once all any both each
    few more most other some such only own same s t d ll m re ve up down out off also get got one""".split()
)
# Function words only: negations (不, 没, 没有) and degree adverbs (很, 太) are kept
# on purpose: they carry sentiment and aspect polarity.
ZH_STOPWORDS: frozenset[str] = frozenset(
    """的 了 是 在 我 你 他 她 它 我们 你们 他们 这 那 这个 那个 这些 那些 就 也 都 和 与 及 而 并 或 被 把
    给 对 从 向 吗 呢 吧 啊 呀 哦 嗯 哈 么 之 其 着 过 得 地 个 又 还 等 一个 一下 一些 有 自己 什么 因为 所以
    然后 如果 已经 这样 那样 还是 就是 以及 啦 嘛 哎 呃""".split()
)


def detect_lang(text: str) -> Lang:
    """"zh" when Chinese characters make up a real part of the text, else "en".

    A Chinese sentence with an English brand name ("这个iPhone很好") is "zh"; an
    English sentence quoting one Chinese word is "en". Empty text is "en".
    """
    n_cjk = len(_CJK_RE.findall(text))
    if n_cjk == 0:
        return "en"
    n_latin_words = len(_LATIN_WORD_RE.findall(text))
    # One Chinese word is ~2 characters; compare in "words".
    return "zh" if n_cjk / 2 >= n_latin_words * 0.5 else "en"


def cache_dir() -> Path:
    """Where jieba keeps its prefix-dictionary cache (GROWTHPILOT_CACHE_DIR, XDG cache or temp)."""
    base = os.environ.get("GROWTHPILOT_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    root = Path(base) / "growthpilot" if base else Path.home() / ".cache" / "growthpilot"
    path = root / "jieba"
    try:
        path.mkdir(parents=True, exist_ok=True)
        if os.access(path, os.W_OK):
            return path
    except OSError:
        pass
    path = Path(tempfile.gettempdir()) / "growthpilot-jieba"
    path.mkdir(parents=True, exist_ok=True)
    return path


@lru_cache(maxsize=1)
def jieba_tokenizer():
    """A private, initialised `jieba.Tokenizer` (quiet; cache under `cache_dir()`)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.tmp_dir = str(cache_dir())
    tk.initialize()
    return tk


@lru_cache(maxsize=1)
def jieba_pos_tokenizer():
    """jieba's part-of-speech tagger over the private tokenizer (for aspect nouns)."""
    import jieba.posseg

    return jieba.posseg.POSTokenizer(jieba_tokenizer())


@lru_cache(maxsize=1)
def _rjieba_cut() -> Callable[[str], list[str]]:
    import rjieba

    seg = rjieba.Jieba()
    return lambda text: seg.cut(text, hmm=True)


def _segmenter(tokenizer: TokenizerName) -> Callable[[str], list[str]]:
    if tokenizer == "jieba":
        tk = jieba_tokenizer()
        return lambda text: tk.lcut(text, HMM=True)
    if tokenizer == "rjieba":
        return _rjieba_cut()
    raise ValueError(f"unknown tokenizer {tokenizer!r}: use 'jieba' or 'rjieba'")


def tokenize(text: str, tokenizer: TokenizerName = "jieba", *, remove_stopwords: bool = False) -> list[str]:
    """Split `text` into tokens: jieba words for Chinese, lower-cased word tokens for the rest.

    Punctuation and whitespace are dropped. With `remove_stopwords`, common function
    words of both languages are dropped too (negations and degree adverbs are kept).
    The "jieba" and "rjieba" tokenisers give the same tokens for the same text.
    """
    if not text:
        return []
    tokens: list[str] = []
    if _CJK_RE.search(text) is None:
        tokens = _WORD_RE.findall(text.lower())
    else:
        # jieba and rjieba split non-Chinese runs differently ("e-mail", URLs): glue
        # consecutive non-Chinese pieces back together and split them one way.
        pending: list[str] = []
        for piece in _segmenter(tokenizer)(text):
            if _CJK_RE.search(piece):
                if pending:
                    tokens.extend(_WORD_RE.findall("".join(pending).lower()))
                    pending = []
                tokens.append(piece.lower())
            else:
                pending.append(piece)
        if pending:
            tokens.extend(_WORD_RE.findall("".join(pending).lower()))
    if remove_stopwords:
        tokens = [t for t in tokens if t not in EN_STOPWORDS and t not in ZH_STOPWORDS]
    return tokens


def pos_tag_zh(text: str) -> list[tuple[str, str]]:
    """(word, jieba POS flag) pairs for Chinese text, e.g. [("电池", "n"), ("不行", "v")]."""
    return [(w.word, w.flag) for w in jieba_pos_tokenizer().lcut(text)]


def one_edit(a: str, b: str) -> bool:
    """a and b differ by one insertion, deletion, substitution or swap of neighbours (a typo)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    if len(a) > len(b):
        a, b = b, a
    return any(b[:i] + b[i + 1:] == a for i in range(len(b)))
