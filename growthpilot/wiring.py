"""The one place that wires config → knowledge → model → assistant (used by ask, chat, report, serve).

`build_assistant(cfg, "customer")` builds the public retriever on its own
(knowledge.search.open_public_retriever): a customer-facing assistant never even opens the
internal collection, and gets no report engine.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

from bot.assistant import Assistant
from bot.intents import IntentClassifier
from bot.protocols import HandoverNotifier
from bot.reports import ReportEngine

from .config import AppConfig
from .errors import UserFacingError

log = logging.getLogger("growthpilot.wiring")

Audience = Literal["team", "customer"]


def assistant_db_path(cfg: AppConfig) -> Path:
    """The assistant's SQLite file (conversation memory + feedback)."""
    return Path(cfg.data.dir) / "assistant.sqlite"


def audit_log_path(cfg: AppConfig) -> Path:
    """The append-only audit log (bot/audit.py)."""
    return Path(cfg.data.dir) / "audit" / "audit.jsonl"


def build_audit_log(cfg: AppConfig):
    """The audit log with the store's pseudonym key and the PII redactor."""
    from bot.audit import AuditLog
    from knowledge.privacy import Pseudonymizer, Redactor

    return AuditLog(audit_log_path(cfg), Pseudonymizer.from_settings(cfg.privacy, data_dir=cfg.data.dir).one,
                    Redactor(addresses=cfg.privacy.redact_addresses))


def charts_dir(cfg: AppConfig) -> Path:
    return Path(cfg.data.dir) / "charts"


def open_store(cfg: AppConfig):
    from knowledge.store import Store

    return Store.open(Path(cfg.data.dir))


def build_query_engine(cfg: AppConfig, store=None):
    """The query layer (knowledge.query.QueryEngine): DuckDB in-process over the store's
    behaviour Parquet parts, with its reviews and catalogue; spills to <data_dir>/cache/duckdb."""
    from knowledge.query import QueryEngine

    store = store if store is not None else open_store(cfg)
    return QueryEngine.from_store(store, temp_directory=Path(cfg.data.dir) / "cache" / "duckdb")


def build_report_engine(cfg: AppConfig, store=None) -> ReportEngine:
    """Reports as named queries on the query layer (built on first use, rebuilt after invalidate)."""
    store = store if store is not None else open_store(cfg)
    return ReportEngine(store, charts_dir(cfg), query_factory=lambda: build_query_engine(cfg, store))


def build_embedder(cfg: AppConfig):
    from knowledge.embeddings import make_embedder
    from knowledge.search import embedding_cache_dir

    return make_embedder(cfg.embeddings, cache_dir=embedding_cache_dir(Path(cfg.data.dir)))


def build_generator(cfg: AppConfig, *, progress: bool = True, lazy: bool = True):
    """The configured generator. `lazy` (default): a llm.lazy.LazyGenerator that loads the model
    on the first request that needs it (spec fallback, interpretation, copy, support), so a data
    question answered by the rules and code-written facts never waits on the load."""
    from llm.factory import make_generator

    if not lazy:
        return make_generator(cfg.model, cfg.generation, progress=progress)
    from llm.lazy import LazyGenerator

    return LazyGenerator(lambda: make_generator(cfg.model, cfg.generation, progress=progress))


def build_assistant(
    cfg: AppConfig,
    audience: Audience = "team",
    *,
    notify_handover: HandoverNotifier | None = None,
    generator=None,
    embedder=None,
    progress: bool = True,
) -> Assistant:
    """An Assistant for one audience. Pass `generator` to share one model worker between the
    team and the customer assistants (serve does)."""
    from knowledge.search import KnowledgeBase, open_public_retriever

    if audience not in ("team", "customer"):
        raise UserFacingError(f"unknown audience {audience!r}", fix="use team or customer")
    data_dir = Path(cfg.data.dir)
    embedder = embedder if embedder is not None else build_embedder(cfg)
    if audience == "customer":
        team_retriever = None
        public_retriever = open_public_retriever(data_dir, embedder, cfg.index, cfg.search)
        reports = None
        product_names = catalog = None
        query = None
    else:
        kb = KnowledgeBase.open(data_dir, embedder, cfg.index, cfg.search)
        team_retriever = kb.retriever("internal")
        public_retriever = kb.retriever("public")
        store = open_store(cfg)
        reports = build_report_engine(cfg, store)
        query = LazyQuery(reports.query_engine)  # one DuckDB engine for reports and answers

        def product_names() -> list[str]:
            cat = reports.frame("catalog")
            return [str(n) for n in cat["name"]] if len(cat) and "name" in cat.columns else []

        def catalog() -> list[dict]:
            cat = reports.frame("catalog")
            return cat.to_dict("records") if len(cat) else []

    if not public_retriever.available and (team_retriever is None or not team_retriever.available):
        raise UserFacingError("no data yet: the knowledge base has no index", fix="run `growthpilot demo` or `growthpilot ingest behavior|reviews|catalog|docs PATH`")
    if generator is None:
        generator = build_generator(cfg, progress=progress)
    if query is not None:
        query.parser_model = generator  # writes a spec (grammar-constrained) where the rules are unsure
    intents = IntentClassifier(getattr(embedder, "uncached", embedder), cache_dir=data_dir / "cache" / "intents")
    return Assistant(
        cfg.assistant,
        generator=generator,
        team_retriever=team_retriever,
        public_retriever=public_retriever,
        store_path=assistant_db_path(cfg),
        reports=reports,
        notify_handover=notify_handover,
        intents=intents,
        min_similarity=cfg.search.min_similarity,
        k=min(cfg.search.k, 5),
        product_names=product_names,
        audit=build_audit_log(cfg),
        catalog=catalog,
        question_parser=query,
        query_engine=query,
    )


class LazyQuery:
    """The query engine (DuckDB over the store) and the question parser, opened on the first data
    question, not at start-up (a /copy or a help request never pays for them). Acts as both:
    `.parse(text, lang=, previous=)` and `.run(spec)` / `.entities()` / `.explain(result, lang)`."""

    def __init__(self, engine_factory, parser_model=None):
        self.engine_factory = engine_factory
        self.parser_model = parser_model
        self._engine = None
        self._parser = None

    def _open(self):
        if self._engine is None:
            from bot.questions import QuestionParser
            from knowledge.query import SemanticLayer

            self._engine = self.engine_factory()
            self._parser = QuestionParser(SemanticLayer(), self._engine.entities(), model=self.parser_model)
        return self._engine, self._parser

    def parse(self, text: str, *, lang: str, previous=None):
        return self._open()[1].parse(text, lang=lang, previous=previous)

    def parse_rules_only(self, text: str, *, lang: str, previous=None):
        return self._open()[1].parse_rules_only(text, lang=lang, previous=previous)

    def run(self, spec):
        return self._open()[0].run(spec)

    def entities(self):
        return self._open()[0].entities()

    def explain(self, result, lang: str = "en") -> str:
        return self._open()[0].explain(result, lang)


