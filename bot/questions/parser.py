"""QuestionParser: a team question → a ParsedQuestion (a typed spec, "not in the data", or none).

The rules (bot/questions/rules.py) answer first; when they are not confident and a model is
given, the model writes the spec under grammar-constrained decoding (bot/questions/model.py,
llm/constrained.py), and the rules check what it wrote (the metric exists and fits its
dimensions, every entity it names exists) before it is used.

`parse` is synchronous (rules, and the model where no event loop runs in this thread);
async callers use `await aparse(...)`, which never blocks their loop.
"""

from __future__ import annotations

import asyncio
import threading

from knowledge.query import Entities, QuerySpec, SemanticLayer

from .model import ModelSpecWriter
from .resolve import Resolver
from .rules import RuleResult, parse_rules
from .settings import QuestionSettings
from .types import ParsedQuestion


MAX_CHARS = 1000  # a question longer than this is read by its first 1000 characters (bounded work on hostile input)


class QuestionParser:
    def __init__(self, layer: SemanticLayer, entities: Entities, *, model=None, settings: QuestionSettings | None = None):
        self.layer = layer
        self.entities = entities
        self.settings = settings or QuestionSettings()
        self.resolver = Resolver(entities)
        self.model = model
        self._writer = ModelSpecWriter(layer, entities, model, self.settings, self.resolver) if model is not None else None

    # ------------------------------------------------------------------ public
    def parse(self, text: str, *, lang: str, previous: QuerySpec | None = None) -> ParsedQuestion:
        ruled = self._rules(text, lang, previous)
        if not self._wants_model(ruled):
            return self._finish(ruled)
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self._with_model(text, lang, previous, ruled))
        # called from inside an event loop: run the model in a thread with its own loop
        box: dict = {}

        def work() -> None:
            box["r"] = asyncio.run(self._with_model(text, lang, previous, ruled))

        th = threading.Thread(target=work, name="growthpilot-spec-parse")
        th.start()
        th.join()
        return box["r"]

    async def aparse(self, text: str, *, lang: str, previous: QuerySpec | None = None) -> ParsedQuestion:
        ruled = self._rules(text, lang, previous)
        if not self._wants_model(ruled):
            return self._finish(ruled)
        return await self._with_model(text, lang, previous, ruled)

    def parse_rules_only(self, text: str, *, lang: str, previous: QuerySpec | None = None) -> ParsedQuestion:
        """What the rules alone make of the question (benchmarks, tests)."""
        return self._finish(self._rules(text, lang, previous))

    # ------------------------------------------------------------------ internals
    def _rules(self, text: str, lang: str, previous: QuerySpec | None) -> RuleResult:
        return parse_rules((text or "")[:MAX_CHARS], lang, self.layer, self.resolver, self.entities, previous, self.settings)

    def _wants_model(self, ruled: RuleResult) -> bool:
        return self._writer is not None and self.settings.use_model and ruled.kind == "unsure" and ruled.data_cue

    async def _with_model(self, text: str, lang: str, previous: QuerySpec | None, ruled: RuleResult) -> ParsedQuestion:
        assert self._writer is not None
        spec, notes = await self._writer.write((text or "")[:MAX_CHARS], lang=lang, previous=previous)
        if spec is None:
            return self._finish(ruled, extra=notes)
        return ParsedQuestion("query", spec, source="model", notes=tuple(ruled.notes + notes))

    @staticmethod
    def _finish(ruled: RuleResult, extra: list[str] | None = None) -> ParsedQuestion:
        notes = tuple(ruled.notes + (extra or []))
        if ruled.kind == "unsure":
            return ParsedQuestion("none", None, source="rules", notes=notes + ("no metric recognised",))
        return ParsedQuestion(ruled.kind, ruled.spec, missing=ruled.missing, source=ruled.source, notes=notes)
