"""LoRA training on a tiny random Qwen2: loss goes down, the adapter folder, reload, resume, early stop."""

from __future__ import annotations

import dataclasses
import json

import pytest
import torch
from test_train_tiny import TinyIdentity, tiny_model, tiny_tokenizer

from llm.identity import ModelIdentity
from llm.lora import ADAPTER_METADATA_FILE, check_adapter_base, read_adapter_metadata
from llm.types import AdapterMismatch
from training.collate import encode_all
from training.datasets import Example
from training.errors import TrainingError
from training.settings import TrainingSettings
from training.trainer import evaluate_loss, latest_checkpoint, train_lora

PRODUCTS = ["smart watch", "running shoes", "牛仔外套", "连衣裙", "coffee", "backpack", "headphones", "lamp"]


def toy(response: str = "Time, well spent.") -> list[Example]:
    return [Example(({"role": "user", "content": f"Write a slogan for {p}."},), response) for p in PRODUCTS]


def settings(tmp_path, **kw) -> TrainingSettings:
    base = dict(output_dir=tmp_path / "adapters", max_steps=12, batch_size=4, grad_accum=1, learning_rate=1e-2,
                lora_dropout=0.0, eval_every=4, save_every=100, warmup_ratio=0.0, max_length=128)
    base.update(kw)
    return TrainingSettings(**base)


def lora_state(model) -> dict[str, torch.Tensor]:
    from peft import get_peft_model_state_dict

    return {k: v.detach().clone() for k, v in get_peft_model_state_dict(model).items()}


def test_training_lowers_the_loss_and_saves_a_complete_adapter(tmp_path):
    tok = tiny_tokenizer()
    model = tiny_model(tok)
    train, val = toy(), toy()[:2]
    val_rows, _ = encode_all(tok, val, 128)
    before = evaluate_loss(model, val_rows, 4, tok.pad_token_id)
    s = settings(tmp_path, max_steps=16, learning_rate=5e-2)
    result = train_lora(model, tok, TinyIdentity(), train, val, s, name="brand-en", progress=False)
    assert result.steps == 16 and result.val_loss < before - 1.0, (before, result.history)
    assert result.history[-1]["loss"] < result.history[0]["loss"]
    folder = tmp_path / "adapters" / "brand-en"
    assert {"adapter_config.json", "adapter_model.safetensors", ADAPTER_METADATA_FILE} <= {p.name for p in folder.iterdir()}
    meta = read_adapter_metadata(folder)
    assert meta["adapter_name"] == "brand-en" and meta["base_model"] == {"name": "tiny-qwen2", "sha256": "0" * 64}
    assert meta["hyperparameters"]["lora_r"] == 16 and meta["hyperparameters"]["target_modules"] == []
    assert meta["metrics"]["val_loss"] == pytest.approx(result.val_loss)
    assert meta["metrics"]["val_perplexity"] == pytest.approx(torch.exp(torch.tensor(result.val_loss)).item(), rel=1e-3)
    assert meta["dataset"]["train_examples"] == 8 and meta["dataset"]["val_examples"] == 2
    assert len(meta["prompt_format"]["chat_template_sha256"]) == 64 and meta["created"] and meta["growthpilot_version"]
    config = json.loads((folder / "adapter_config.json").read_text())
    assert sorted(config["target_modules"]) == ["k_proj", "o_proj", "q_proj", "v_proj"] and config["r"] == 16


def test_saved_adapter_reloads_with_identical_logits(tmp_path):
    from peft import PeftModel

    tok = tiny_tokenizer()
    model = tiny_model(tok)
    train_lora(model, tok, TinyIdentity(), toy(), [], settings(tmp_path, max_steps=4), name="a", progress=False)
    model.eval()
    ids = torch.tensor([tok("<|im_start|>user\nWrite a slogan for lamp.<|im_end|>\n")["input_ids"]])
    with torch.no_grad():
        trained = model(input_ids=ids).logits
    reloaded = PeftModel.from_pretrained(tiny_model(tok), str(tmp_path / "adapters" / "a"))
    reloaded.eval()
    with torch.no_grad():
        again = reloaded(input_ids=ids).logits
    torch.testing.assert_close(again, trained)
    with reloaded.disable_adapter(), torch.no_grad():
        assert not torch.allclose(reloaded(input_ids=ids).logits, trained, atol=1e-4)


def test_resume_continues_from_the_checkpoint_and_matches_an_uninterrupted_run(tmp_path):
    tok = tiny_tokenizer()
    s = settings(tmp_path, max_steps=6, save_every=3, eval_every=100)
    straight = tiny_model(tok)
    train_lora(straight, tok, TinyIdentity(), toy(), [], s, name="straight", progress=False)

    class Crash(Exception):
        pass

    def crash_at_4(step, loss):
        if step == 4:
            raise Crash

    with pytest.raises(Crash):
        train_lora(tiny_model(tok), tok, TinyIdentity(), toy(), [], s, name="resumed", progress=False, on_step=crash_at_4)
    assert latest_checkpoint(tmp_path / "adapters" / "resumed").name == "step-3"
    with pytest.raises(TrainingError, match="--resume"):
        train_lora(tiny_model(tok), tok, TinyIdentity(), toy(), [], s, name="resumed", progress=False)
    resumed = tiny_model(tok)
    result = train_lora(resumed, tok, TinyIdentity(), toy(), [], s, name="resumed", resume=True, progress=False)
    assert result.resumed_from == 3 and result.steps == 6
    assert [h["step"] for h in result.history] == [1, 2, 3, 4, 5, 6]
    a, b = lora_state(straight), lora_state(resumed)
    assert a.keys() == b.keys()
    for k in a:
        torch.testing.assert_close(a[k], b[k])


def test_resume_refuses_changed_hyperparameters(tmp_path):
    tok = tiny_tokenizer()
    s = settings(tmp_path, max_steps=3, save_every=2, eval_every=100)

    def stop(step, loss):
        if step == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train_lora(tiny_model(tok), tok, TinyIdentity(), toy(), [], s, name="x", progress=False, on_step=stop)
    with pytest.raises(TrainingError, match="lora_r changed"):
        train_lora(tiny_model(tok), tok, TinyIdentity(), toy(), [], dataclasses.replace(s, lora_r=4), name="x",
                   resume=True, progress=False)


def test_early_stopping_stops_and_keeps_the_best_weights(tmp_path):
    tok = tiny_tokenizer()
    model = tiny_model(tok)
    # Validation wants another answer than training: validation loss rises once the model learns.
    val = toy("简约而不简单的牛仔外套。")[:4]
    s = settings(tmp_path, max_steps=60, eval_every=2, early_stopping_patience=2, learning_rate=3e-2)
    result = train_lora(model, tok, TinyIdentity(), toy(), val, s, name="es", progress=False)
    assert result.stopped_early and result.steps < 60
    vals = [h["val_loss"] for h in result.history if "val_loss" in h]
    assert result.val_loss == pytest.approx(min(vals), abs=1e-4)
    assert result.steps - result.best_step == 2 * 2  # patience × eval_every
    val_rows, _ = encode_all(tok, val, 128)
    assert evaluate_loss(model, val_rows, 4, tok.pad_token_id) == pytest.approx(min(vals), abs=1e-3)


def test_packing_trains_too(tmp_path):
    tok = tiny_tokenizer()
    result = train_lora(tiny_model(tok), tok, TinyIdentity(), toy() * 2, toy()[:2], settings(tmp_path, packing=True, max_steps=4, batch_size=1),
                        name="p", progress=False)
    assert result.steps == 4 and result.val_loss is not None


def test_adapter_on_another_base_is_a_clear_error(tmp_path):
    tok = tiny_tokenizer()
    train_lora(tiny_model(tok), tok, TinyIdentity(), toy(), [], settings(tmp_path, max_steps=1), name="a", progress=False)
    folder = tmp_path / "adapters" / "a"
    assert check_adapter_base(folder, ModelIdentity("tiny-qwen2", "0" * 64))["adapter_name"] == "a"
    with pytest.raises(AdapterMismatch, match="trained on tiny-qwen2"):
        check_adapter_base(folder, ModelIdentity("Qwen/Qwen2.5-0.5B-Instruct", "f" * 64))


def test_the_accelerate_path_trains_the_same_way(tmp_path):
    tok = tiny_tokenizer()
    s = settings(tmp_path, max_steps=3, eval_every=3)
    plain = train_lora(tiny_model(tok), tok, TinyIdentity(), toy(), toy()[:2], s, name="plain", progress=False)
    accel = train_lora(tiny_model(tok), tok, TinyIdentity(), toy(), toy()[:2], s, name="accel", progress=False,
                       use_accelerate=True)
    assert accel.steps == 3 and (tmp_path / "adapters" / "accel" / "adapter_model.safetensors").is_file()
    assert accel.val_loss == pytest.approx(plain.val_loss, rel=1e-4)
