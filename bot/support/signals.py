"""Per-message signals of the support path: sentiment, urgency, anger, asking for a person,
"that didn't help", small talk, and attempts to read internal data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol, Sequence

_ASK_HUMAN = re.compile(
    r"转人工|人工客服|人工服务|找人工|真人|客服人员|\b(talk|speak|chat)\s+(to|with)\s+(a|an|some)?\s*(human|person|agent|representative|someone)|\b(real|live)\s+(person|agent|human)|\bhuman\s+agent|\bagent\s+please",
    re.I,
)
_ANGER = re.compile(
    r"太过分|气死|垃圾|骗子|投诉|差劲|无语|什么破|坑人|忍无可忍|气人|受够了|太差了|搞什么|unacceptable|ridiculous|furious|angry|scam|terrible service|worst|disgusting|fed up|sue you|lawyer|wtf|\bf+u+c+k",
    re.I,
)
_URGENT = re.compile(r"紧急|急用|马上|立刻|立即|尽快|赶紧|十万火急|urgent|asap|immediately|right now|emergency|today!", re.I)
_FAILED = re.compile(
    r"没用|没有用|没解决|还是不行|还是没|答非所问|不是我问的|看不懂|didn'?t help|not helpful|doesn'?t help|still (not|doesn'?t|isn'?t) (help|helping|helpful|solved|answered|what i)|still (can'?t|won'?t) (get|find) an answer|you (didn'?t|did not) answer|that'?s not what i asked|useless|you'?re not helping",
    re.I,
)
_SMALL_TALK = re.compile(r"^\s*(hi|hello|hey|thanks?|thank you|ok(ay)?|bye|good (morning|evening)|你好|您好|谢谢|好的|嗯|再见|哈喽|在吗)[\s!！.。?？~]*$", re.I)
# Asking for other people's data or the bot's instructions: refused before any retrieval.
_INJECTION = re.compile(
    r"ignore (all |your |the |previous |prior )*(instructions|rules|prompt)|system prompt|developer mode|jailbreak|"
    r"(customer|user|other (customers|users)'?s?)\s+(data|list|records|emails?|phones?|orders|information|info)|database|admin|internal (data|insights|reports)|"
    r"忽略(你的|之前的|以上|所有)?(指令|规则|设定)|系统提示|后台|数据库|用户数据|客户数据|其他(顾客|用户|客户)的|内部数据|管理员",
    re.I,
)


# words of saying something again ("I said …", "again", "still") that are not what is asked
_AGAIN_WORDS = frozenset("said say saying asked ask again still already repeat told tell not no yet here now".split())


def repeats(text: str, previous: str) -> bool:
    """`text` asks what `previous` (the customer's last message) asked: most of their content words are
    the same ("where is my refund" / "I said where is my refund" / "refund still not here";
    "快递到哪了" / "快递到哪了？？"). A new question on the same topic ("how long does the refund take?"
    after "how do I get a refund?") shares a word or two, not most."""
    from .lexicon import tokens

    a = tokens(text) - _AGAIN_WORDS
    b = tokens(previous) - _AGAIN_WORDS
    if not a or not b:
        return False
    return len(a & b) / len(a | b) >= 0.5


class SentimentLike(Protocol):
    def analyze(self, texts: Sequence[str]) -> list: ...


@dataclass(frozen=True)
class MessageSignals:
    sentiment: str  # pos | neg | neutral
    score: float
    urgency: str  # high | normal
    angry: bool
    asked_for_human: bool
    says_failed: bool


def read_signals(text: str, sentiment: SentimentLike | None) -> MessageSignals:
    label, score = "neutral", 0.0
    if sentiment is not None and text.strip():
        s = sentiment.analyze([text])[0]
        label, score = str(getattr(s, "label", "neutral")), float(getattr(s, "score", 0.0))
    bangs = text.count("!") + text.count("！")
    # anger needs an anger word, or strong negativity said loudly: plain complaints are not anger
    angry = bool(_ANGER.search(text)) or (label == "neg" and (bangs >= 2 or (score <= -0.8 and bangs >= 1)))
    urgent = bool(_URGENT.search(text)) or (angry and bangs >= 3)
    return MessageSignals(label, score, "high" if urgent else "normal", angry, bool(_ASK_HUMAN.search(text)), bool(_FAILED.search(text)))
