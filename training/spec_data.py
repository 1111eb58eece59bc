"""(question → query spec) pairs for the spec adapter, and the entities they name.

`catalogue_entities(path)` reads a catalogue CSV (item_id, name, name_zh, category_id, category,
category_zh) into the query layer's `Entities`; the generator (below) writes questions in zh and
en from templates and paraphrases over those entities and over generic ones.
"""

from __future__ import annotations

import csv
from pathlib import Path

from knowledge.query import Entities, Entity

# The review categories of the public Chinese review set (online_shopping_10_cats).
REVIEW_CATEGORIES_ZH = ("洗发水", "书籍", "平板", "手机", "水果", "衣服", "计算机", "酒店", "蒙牛", "热水器")


def catalogue_entities(path: Path, *, brands: tuple[str, ...] = ("Lumi",), review_categories: tuple[str, ...] = REVIEW_CATEGORIES_ZH,
                       extra: dict | None = None) -> Entities:
    with Path(path).open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    items = tuple(Entity(r["item_id"].strip(), r.get("name", "").strip(), r.get("name_zh", "").strip()) for r in rows)
    cats: dict[str, Entity] = {}
    for r in rows:
        cid = (r.get("category_id") or "").strip()
        if cid and cid not in cats:
            cats[cid] = Entity(cid, (r.get("category") or "").strip(), (r.get("category_zh") or "").strip())
    rcats = tuple(Entity(c, name_zh=c) for c in review_categories)
    rprods = tuple(Entity(e.id, e.name_en, e.name_zh) for e in items)  # the demo reviews name catalogue items
    return Entities(items=items, categories=tuple(cats.values()), review_categories=rcats, review_products=rprods,
                    brands=tuple(brands), extra=dict(extra or {}))
