"""The real bot.assistant.Assistant over llm.fake.FakeGenerator and a one-document retriever (for e2e tests)."""

from __future__ import annotations

from pathlib import Path

from knowledge.types import Hit

FAQ = Hit(id="doc:faq.md#1", kind="doc", text="Returns are accepted within 7 days of delivery.", score=0.9,
          title="Returns FAQ", metadata={"similarity": 0.9})


class OneDocRetriever:
    def __init__(self, hit: Hit = FAQ):
        self.hit = hit
        self.queries: list[str] = []

    def search(self, query, k=8, *, kinds=None, filters=None):
        self.queries.append(query)
        return [self.hit]


class NeutralSentiment:
    """Stands in for knowledge.sentiment (whose first call loads a model for seconds) where a test is not about it."""

    def analyze(self, texts):
        from knowledge.sentiment import Sentiment

        return [Sentiment(label="neutral", score=0.0, lang="en") for _ in texts]


def real_assistant(tmp: Path, replies=(), notify_handover=None, *, sentiment=None, generator=None, rephrase=False):
    """`rephrase=True`: support replies go through the model (the tests that use the model as their
    vehicle); by default support answers extractively from the passage, without the model."""
    from bot.assistant import Assistant
    from bot.settings import AssistantSettings
    from llm.fake import FakeGenerator

    generator = generator or FakeGenerator(replies)
    assistant = Assistant(AssistantSettings(default_locale="en", support_rephrase=rephrase), generator=generator, team_retriever=OneDocRetriever(),
                          public_retriever=OneDocRetriever(), store_path=tmp / "bot.sqlite", reports=None,
                          notify_handover=notify_handover, sentiment=sentiment)
    return assistant, generator
