"""[model] quantize = "int8": torch dynamic int8 on the Linear layers, loaded by llm/loader.py only."""

from __future__ import annotations

import pytest
import torch

from llm.loader import load_model
from llm.settings import ModelSettings
from llm_tiny import save_tiny_model


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return save_tiny_model(tmp_path_factory.mktemp("tiny") / "tiny-qwen2")


def _logits(loaded):
    ids = loaded.tokenizer("Free shipping on orders", return_tensors="pt")["input_ids"]
    with torch.no_grad():
        return loaded.model(ids).logits[0, -1].float()


def test_int8_quantises_every_linear_layer_and_stays_close(tmp_path, tiny_dir):
    plain = load_model(ModelSettings(name=str(tiny_dir), cache_dir=tmp_path / "c", adapters_dir=tmp_path / "a", dtype="float32", device="cpu"))
    q = load_model(ModelSettings(name=str(tiny_dir), cache_dir=tmp_path / "c", adapters_dir=tmp_path / "a", device="cpu", quantize="int8"))
    assert q.dtype == "int8"
    kinds = {type(m).__module__ + "." + type(m).__name__ for m in q.model.modules() if "Linear" in type(m).__name__}
    assert kinds and all("quantized" in k for k in kinds), kinds  # no float Linear left
    a, b = _logits(plain), _logits(q)
    assert torch.argmax(a) == torch.argmax(b) or torch.nn.functional.cosine_similarity(a, b, dim=0) > 0.98


def test_training_never_quantises(tmp_path, tiny_dir):
    loaded = load_model(ModelSettings(name=str(tiny_dir), cache_dir=tmp_path / "c", adapters_dir=tmp_path / "a", device="cpu", quantize="int8"),
                        for_training=True)
    assert loaded.dtype == "float32"
    assert any(type(m).__name__ == "Linear" and type(m).__module__.startswith("torch.nn.modules") for m in loaded.model.modules())
