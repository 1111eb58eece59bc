"""Reviews through ingest + refresh: each text is embedded once and shared by sentiment and search;
the summary's time is the whole run split into its parts."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from growthpilot.cli import main
from growthpilot.pipeline import refresh
from knowledge.embeddings import USE_NAME, CachedEmbedder, USEEmbedder
from knowledge.ingest import ingest_reviews
from knowledge.privacy import Privacy
from knowledge.settings import EmbeddingSettings, IndexSettings, IngestSettings, PrivacySettings, SearchSettings
from knowledge.store import Store

REVIEWS = [
    "物流很快，质量很好，非常满意",
    "用了两天就坏了，要求退货",
    "电池续航太短，很失望",
    "Works great, easy to set up",
    "Stopped working after a week, waste of money",
]


class CountingUSE:
    name, dim, normalized = USE_NAME, 512, True

    def __init__(self):
        self.inner = USEEmbedder()
        self.seen: Counter = Counter()

    def encode(self, texts, progress=False):
        self.seen.update(texts)
        return self.inner.encode(texts)


def _csv(tmp_path):
    f = tmp_path / "reviews.csv"
    f.write_text("review,product\n" + "".join(f'"{t}",P{i % 2}\n' for i, t in enumerate(REVIEWS)), encoding="utf-8")
    return f


def test_each_review_is_embedded_once_for_sentiment_and_search(tmp_path, monkeypatch):
    monkeypatch.setenv("GROWTHPILOT_PSEUDONYM_KEY", "5e" * 32)
    store = Store.open(tmp_path / "state")
    privacy = Privacy.from_settings(PrivacySettings())
    assert ingest_reviews(_csv(tmp_path), store, privacy, IngestSettings(), progress=False).accepted == len(REVIEWS)
    inner = CountingUSE()
    emb = CachedEmbedder(inner, tmp_path / "cache")
    res = refresh(store, tmp_path / "state", EmbeddingSettings(), IndexSettings(use_gpu="never"), SearchSettings(),
                  embedder=emb, progress=False)
    for text in REVIEWS:
        assert inner.seen[text] == 1, text  # sentiment (insights) and the index share one vector
    internal = res["indexes"]["internal"]
    assert internal["sentiment_scored"] == len(REVIEWS)
    items = [json.loads(line) for line in next((tmp_path / "state" / "indexes" / "internal").glob("items*.jsonl"))
             .read_text(encoding="utf-8").splitlines()]
    by_text = {it["text"]: it["metadata"] for it in items if it["kind"] == "review"}
    assert by_text["用了两天就坏了，要求退货"]["sentiment"] == "neg"
    assert by_text["Works great, easy to set up"]["sentiment"] == "pos"
    store.close()


def test_ingest_summary_time_is_the_whole_run_split(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("GROWTHPILOT_PSEUDONYM_KEY", raising=False)
    cfg = tmp_path / "config.toml"
    cfg.write_text('[data]\ndir = "state"\n[privacy]\nkey_file = "state/keys/pseudonym.key"\n', encoding="utf-8")
    assert main(["ingest", "reviews", str(_csv(tmp_path)), "--config", str(cfg), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    s = out["seconds"]
    assert set(s) == {"total", "read_store", "insights", "index"}
    assert s["total"] >= s["read_store"] + s["insights"] + s["index"] - 0.01
    assert s["index"] > 0 and s["insights"] > 0
    f2 = tmp_path / "more.csv"
    f2.write_text("review\n东西不错，下次还来\n", encoding="utf-8")
    assert main(["ingest", "reviews", str(f2), "--config", str(cfg)]) == 0
    text = capsys.readouterr().out
    line = next(ln for ln in text.splitlines() if ln.strip().startswith("time"))
    assert "s in all (read+store" in line and "insights" in line and "index" in line


def test_refresh_shows_a_progress_bar_with_rate_and_eta_while_embedding_reviews(tmp_path, monkeypatch, capsys):
    import re

    monkeypatch.setenv("GROWTHPILOT_PSEUDONYM_KEY", "5e" * 32)
    f = tmp_path / "many.csv"
    f.write_text("review\n" + "".join(f"第{i}条评论：物流很快，质量不错\n" if i % 2 else f"review {i}: arrived late and the box was damaged\n"
                                      for i in range(150)), encoding="utf-8")
    store = Store.open(tmp_path / "state")
    assert ingest_reviews(f, store, Privacy.from_settings(PrivacySettings()), IngestSettings(), progress=False).accepted == 150
    capsys.readouterr()
    emb = CachedEmbedder(USEEmbedder(), tmp_path / "cache")
    refresh(store, tmp_path / "state", EmbeddingSettings(), IndexSettings(use_gpu="never"), SearchSettings(),
            embedder=emb, progress=True)
    err = capsys.readouterr().err
    # the unlabelled reviews are embedded once (for sentiment, then shared with the index): one bar over all 150
    assert re.search(r"embedding \(USE v3\).*150/150 \[\d\d:\d\d<\d\d:\d\d, +[\d.]+text/s\]", err), err[-500:]
    store.close()
