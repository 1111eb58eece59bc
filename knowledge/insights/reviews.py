"""Per-review classification the query layer loads: sentiment and aspect mentions.
(Counts, shares and rankings over them are query-layer metrics: knowledge.query.)

Each review gets one sentiment (column "sentiment": pos/neg/neutral) from, in this order:
its `label` (1 pos / 0 neg) when present, else its `rating` (>= 4 pos, <= 2 neg, 3 neutral),
else the SentimentAnalyzer on its text. `sentiment_source` says which.

Aspects: Chinese reviews are segmented with jieba (knowledge.text.tokenize) and the tokens
matched against a lexicon of aspect words (续航, 电池, 物流, 快递, 包装, 价格, 质量, 屏幕, 音质,
客服, 尺寸, ...); English reviews are matched on word n-grams (battery, sound quality, price,
shipping, setup, alexa, ...). A review mentions an aspect at most once; mentions are counted
within positive and within negative reviews.
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np
import pandas as pd

from ..aspects import aspect_concept
from ..sentiment import SentimentAnalyzer
from ..text import tokenize

ZH_ASPECTS: tuple[str, ...] = (
    "续航", "电池", "电量", "充电", "物流", "快递", "发货", "送货", "包装", "价格", "价钱", "性价比", "质量", "做工",
    "屏幕", "音质", "声音", "音效", "客服", "售后", "服务", "态度", "尺寸", "尺码", "大小", "颜色", "外观", "款式",
    "面料", "材质", "味道", "口感", "气味", "香味", "分量", "速度", "系统", "信号", "像素", "拍照", "键盘", "散热",
    "噪音", "重量", "安装", "说明书", "内容", "印刷", "纸张", "房间", "卫生", "早餐", "位置", "设施", "隔音", "效果",
    "保质期", "日期", "新鲜", "正品", "赠品", "发票", "配件", "耳机", "按键", "软件", "网络", "wifi",
)
EN_ASPECTS: tuple[str, ...] = (
    "battery life", "battery", "sound quality", "sound", "speaker", "volume", "bass", "microphone", "voice recognition",
    "price", "value", "shipping", "delivery", "packaging", "setup", "set up", "installation", "alexa", "app", "wifi",
    "connection", "bluetooth", "screen", "display", "camera", "video", "music", "spotify", "smart home", "lights",
    "customer service", "support", "quality", "size", "design", "color", "remote", "charger", "cord", "button",
    "voice", "weather", "timer", "alarm", "skills", "software", "update", "warranty", "refund", "return",
)
_EN_PATTERNS = [(a, re.compile(r"\b" + re.escape(a) + r"s?\b")) for a in EN_ASPECTS]
_ZH_ASPECT_SET = frozenset(ZH_ASPECTS)


def review_sentiment(reviews: pd.DataFrame, analyzer: SentimentAnalyzer | None = None) -> pd.DataFrame:
    """`reviews` plus "sentiment" (pos/neg/neutral), "sentiment_score" and "sentiment_source"
    (label | rating | model). The analyzer runs only on reviews without label and rating."""
    out = reviews.copy()
    n = len(out)
    label = out["label"] if "label" in out.columns else pd.Series(pd.NA, index=out.index, dtype="Int64")
    rating = pd.to_numeric(out["rating"], errors="coerce") if "rating" in out.columns else pd.Series(np.nan, index=out.index)
    sent = np.full(n, "neutral", dtype=object)
    score = np.zeros(n)
    source = np.full(n, "model", dtype=object)
    has_label = label.notna().to_numpy()
    lab = label.fillna(-1).astype(int).to_numpy()
    sent[has_label & (lab == 1)], score[has_label & (lab == 1)] = "pos", 1.0
    sent[has_label & (lab == 0)], score[has_label & (lab == 0)] = "neg", -1.0
    source[has_label] = "label"
    r = rating.to_numpy(dtype=float)
    has_rating = ~has_label & ~np.isnan(r)
    sent[has_rating & (r >= 4)] = "pos"
    sent[has_rating & (r <= 2)] = "neg"
    score[has_rating] = np.clip((r[has_rating] - 3) / 2, -1, 1)
    source[has_rating] = "rating"
    todo = np.flatnonzero(~has_label & ~has_rating)
    if len(todo):
        analyzer = analyzer or SentimentAnalyzer()
        res = analyzer.analyze(out["text"].iloc[todo].fillna("").astype(str).tolist())
        sent[todo] = [x.label for x in res]
        score[todo] = [x.score for x in res]
    out["sentiment"] = pd.Categorical(sent, categories=["pos", "neg", "neutral"])
    out["sentiment_score"] = score
    out["sentiment_source"] = source
    return out


def review_aspects(texts: Sequence[str], langs: Sequence[str], tokenizer: str = "rjieba") -> list[list[str]]:
    """The aspects each review mentions (each concept at most once, in lexicon order), named by
    their concept (knowledge.aspects.ASPECT_GROUPS), so zh and en mentions of one thing count together."""
    out: list[list[str]] = []
    for text, lang in zip(texts, langs):
        text = text if isinstance(text, str) else ""
        if lang == "zh":
            toks = set(tokenize(text, tokenizer))  # type: ignore[arg-type]
            words = [a for a in ZH_ASPECTS if a in toks]
        else:
            low = text.lower()
            words = []
            for a, pat in _EN_PATTERNS:
                if pat.search(low) and not any(a in f for f in words):  # "battery" inside "battery life"
                    words.append(a)
        out.append(list(dict.fromkeys(aspect_concept(w) for w in words)))
    return out
