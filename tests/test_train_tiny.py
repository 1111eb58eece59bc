"""A tiny random Qwen2 model + a tokenizer trained here (no download), shared by the training tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import torch

CHATML = (
    "{% for message in messages %}"
    "{% if loop.first and message['role'] != 'system' %}<|im_start|>system\nYou are a test model.<|im_end|>\n{% endif %}"
    "<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
CORPUS = [
    "system user assistant You are a test model.",
    "Write a slogan for a smart watch. Time, well spent.",
    "Write a slogan for running shoes. Run further, feel lighter.",
    "根据以下商品属性写一段广告文案：类型：上衣；材质：牛仔布；颜色：白色",
    "简约而不简单的牛仔外套，白色的衣身十分百搭。这款连衣裙优雅大方，复古格纹很文艺。",
    "the quick brown fox jumps over the lazy dog 0123456789 ,.;:!?",
]


@dataclass(frozen=True)
class TinyIdentity:
    name: str = "tiny-qwen2"
    sha256: str = "0" * 64


def tiny_tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400, special_tokens=SPECIALS, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False
    )
    tok.train_from_iterator(CORPUS * 3, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>", additional_special_tokens=SPECIALS[1:]
    )
    fast.chat_template = CHATML
    return fast


def tiny_model(tokenizer, seed: int = 0):
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(seed)
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        tie_word_embeddings=True,
        initializer_range=0.3,  # large enough that LoRA on attention can move the logits
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    model = Qwen2ForCausalLM(config)
    model.eval()
    return model


@pytest.fixture
def tiny():
    tokenizer = tiny_tokenizer()
    return tiny_model(tokenizer), tokenizer


def test_tiny_tokenizer_round_trips_chinese_and_special_tokens():
    tok = tiny_tokenizer()
    text = "<|im_start|>user\n牛仔外套<|im_end|>\n"
    ids = tok(text, add_special_tokens=False)["input_ids"]
    assert tok.convert_ids_to_tokens(ids[0]) == "<|im_start|>"
    assert tok.decode(ids) == text


def test_target_modules_found_per_architecture(tiny):
    from transformers import GPT2Config, GPT2LMHeadModel

    from training.trainer import find_target_modules

    model, _ = tiny
    assert find_target_modules(model) == ["q_proj", "k_proj", "v_proj", "o_proj"]
    gpt2 = GPT2LMHeadModel(GPT2Config(n_layer=1, n_embd=32, n_head=2, vocab_size=50, n_positions=64))
    assert find_target_modules(gpt2) == ["c_attn", "c_proj"]
