"""Start-up: the intent classifier is fitted once and loaded afterwards, torch threads follow the
load, the converted model is cached once per user in the dtype it runs in."""

import hashlib

import numpy as np

from bot.intents import IntentClassifier
from llm import embedded as emb
from llm.loader import cpu_threads
from llm.settings import ModelSettings


class HashEncoder:
    """A deterministic stand-in for the sentence embedder: character-bigram hashing."""

    name = "hash-encoder-v1"

    def encode(self, texts):
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for i, t in enumerate(texts):
            for a, b in zip(t, t[1:]):
                out[i, int(hashlib.md5((a + b).encode()).hexdigest(), 16) % 64] += 1
        return out


def test_intent_model_is_fitted_once_then_loaded(tmp_path):
    first = IntentClassifier(HashEncoder(), cache_dir=tmp_path).fit()
    assert first.loaded_from_cache is False and list(tmp_path.glob("intent-model-*.npz"))
    second = IntentClassifier(HashEncoder(), cache_dir=tmp_path).fit()
    assert second.loaded_from_cache is True
    texts = ["写一条小红书文案", "which product converts best?", "/report funnel", "转人工"]
    assert first.predict_proba(texts) == second.predict_proba(texts)
    # other examples → another file, fitted anew
    other = IntentClassifier(HashEncoder(), cache_dir=tmp_path, examples={"question": ["a?", "b?"], "copy": ["write x", "write y"]}).fit()
    assert other.loaded_from_cache is False and len(list(tmp_path.glob("intent-model-*.npz"))) == 2


def test_torch_threads_follow_the_load(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert cpu_threads(0, "cpu", load=0.1) == 2  # cores free: both
    assert cpu_threads(0, "cpu", load=1.2) == 1  # shared: one
    assert cpu_threads(0, "cpu", load=5.0) == 1
    assert cpu_threads(3, "cpu", load=5.0) == 3  # asked for: given
    assert cpu_threads(0, "cuda", load=0.0) == 0 and cpu_threads(0, "cpu", for_training=True, load=0.0) == 0


def test_model_cache_is_per_user_and_per_dtype(monkeypatch, tmp_path):
    monkeypatch.delenv("GROWTHPILOT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert emb.default_cache_dir() == tmp_path / "xdg" / "growthpilot" / "models"
    assert ModelSettings().cache_dir == tmp_path / "xdg" / "growthpilot" / "models"  # not under a data dir
    monkeypatch.setenv("GROWTHPILOT_CACHE_DIR", str(tmp_path / "mine"))
    assert emb.default_cache_dir() == tmp_path / "mine"
    m = emb.QWEN_CODER_05B
    assert emb.converted_dir(m, tmp_path, "float32").name == "embedded-1d9614638d18"
    assert emb.converted_dir(m, tmp_path, "bfloat16").name == "embedded-1d9614638d18-bfloat16"
    # a bf16 conversion alone makes the model available offline
    monkeypatch.setattr(emb, "find_parts", lambda model: None)
    assert not emb.is_available(m, tmp_path)
    folder = emb.converted_dir(m, tmp_path, "bfloat16")
    folder.mkdir()
    (folder / emb.MANIFEST_NAME).write_text("{}")
    assert emb.is_available(m, tmp_path)
