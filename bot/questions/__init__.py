"""A team question → a typed query spec of the query layer (knowledge.query), or "not in the data",
or not a data question at all.

    parser = QuestionParser(SemanticLayer(), engine.entities(), model=generator)
    parsed = parser.parse("上周转化率是上升还是下降？", lang="zh")
    parsed.kind, parsed.spec   # "query", QuerySpec(metric="conversion_users", op="change", period=last_week)

rules.py     the fast path: words → spec (zh and en), follow-ups edit the previous spec
periods.py   "last 7 days", "上周", "10月", dates
resolve.py   names → catalogue items, categories, review categories (partial names too)
model.py     the model path: grammar-constrained decoding of the spec, checked by the rules
"""

from .parser import QuestionParser
from .settings import QuestionSettings
from .types import ParsedQuestion

__all__ = ["ParsedQuestion", "QuestionParser", "QuestionSettings"]
