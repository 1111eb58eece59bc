"""Shared test set-up: everything offline, deterministic."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("MPLBACKEND", "Agg")

import pytest


@pytest.fixture
def store(tmp_path):
    """A real knowledge store (SQLite + Parquet parts) in a fresh data dir."""
    from knowledge.store import Store

    s = Store.open(tmp_path / "data")
    yield s
    s.close()


@pytest.fixture
def privacy(request):
    """Pseudonymisation with the test module's KEY (each module keeps its own, so pseudonyms
    asserted there stay what they were)."""
    from knowledge.privacy import Privacy

    return Privacy.from_key(getattr(request.module, "KEY", b"conftest-key-0123456789abcdefghi"))
