"""The names a question or a sentence may use for things in the data: items (catalogue names in
en and zh), behaviour categories, review categories and products, segments, languages.

The query engine builds this from the store (`QueryEngine.entities()`); the question parser
resolves "Lumi Buds Pro" / "降噪耳机" / "1003" to ids with it, and the claim checker refuses a
sentence that names an item, category or brand not in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entity:
    id: str  # item id / category id as text; for review categories and products the value itself
    name_en: str = ""
    name_zh: str = ""
    aliases: tuple[str, ...] = ()

    def name(self, lang: str) -> str:
        return (self.name_zh or self.name_en or self.id) if lang == "zh" else (self.name_en or self.name_zh or self.id)

    def names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.id, self.name_en, self.name_zh, *self.aliases) if n)


@dataclass(frozen=True)
class Entities:
    items: tuple[Entity, ...] = ()
    categories: tuple[Entity, ...] = ()
    review_categories: tuple[Entity, ...] = ()
    review_products: tuple[Entity, ...] = ()
    segments: tuple[Entity, ...] = ()
    brands: tuple[str, ...] = ()  # brand words seen in catalogue names (e.g. "Lumi")
    extra: dict = field(default_factory=dict)

    def all_names(self) -> set[str]:
        out: set[str] = set(self.brands)
        for group in (self.items, self.categories, self.review_categories, self.review_products, self.segments):
            for e in group:
                out.update(e.names())
        return out
