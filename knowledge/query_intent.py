"""The topic of a search query, without the words that only ask for a polarity or for reviews.

"牛奶的差评", "complaints about the water heater", "what people love about the Echo": the topic is
牛奶 / water heater / Echo; "差评", "complaints about", "what people love about" say which
reviews are wanted (the polarity, handled by knowledge.sentiment_query and the re-rank), not what
they are about. Searched as they stand, such words pull in every review that says "差评" or
"complaint", whatever its product. Words that describe the thing itself ("dirty", "烂了", "slow")
are topic and stay.
"""

from __future__ import annotations

import re

_ZH_INTENT = re.compile(
    r"(?:用户|顾客|客户|买家|大家|网友)?(?:的|对)?"
    r"(?:差评|好评|中评|负面评价|正面评价|评价|评论|投诉|吐槽|抱怨|口碑|反馈)"
    r"(?:有哪些|是什么|怎么样|多吗|如何)?"
)
_EN_INTENT = re.compile(
    r"\b(?:what\s+(?:do\s+)?(?:people|customers|users|buyers|guests)\s+(?:say|said|love|like|hate|dislike|think)"
    r"(?:\s+about)?|(?:positive|negative|good|bad|critical|customer|user)\s+(?:reviews?|feedback|comments?)"
    r"(?:\s+(?:about|of|for|on))?|(?:complaints?|complaining|praise|reviews?|feedback|comments?)"
    r"(?:\s+(?:about|of|for|on|regarding))?)\b",
    re.IGNORECASE,
)
_FILLER = re.compile(r"^[\s,，.。!！?？:：;；]*(?:(?:the|a|an|our)\b|关于)?\s*|[\s,，.。!！?？:：;；的]*$", re.IGNORECASE)


def topic_text(query: str) -> str:
    """`query` without its review/polarity intent words; the query itself when nothing else is left."""
    rest = _EN_INTENT.sub(" ", _ZH_INTENT.sub(" ", query or ""))
    rest = re.sub(r"\s+", " ", _FILLER.sub("", rest)).strip()
    return rest if re.search(r"[\w\u4e00-\u9fff]", rest) else (query or "").strip()
