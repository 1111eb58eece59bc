"""A tiny random Qwen2 chat model + a BPE tokenizer trained here: no download, builds in a second.

Shared by the tests/test_llm_*.py files (and free for other areas' tests to use)."""

from __future__ import annotations

from pathlib import Path

CHATML = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
CORPUS = [
    "Our new smartwatch tracks sleep, steps and heart rate.",
    "Customers love the battery life and the bright screen.",
    "Free shipping on orders over fifty dollars this week only.",
    "The summer sale starts on Monday: twenty percent off everything.",
    "Write a short slogan for a coffee brand that wakes you up.",
    "You are growthpilot, a concise marketing assistant for a startup team.",
    "system user assistant hello thanks please reply",
]


def build_tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=300, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(CORPUS * 3, trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>", bos_token=None, unk_token=None
    )
    fast.chat_template = CHATML
    return fast


def build_model(tokenizer, *, seed: int = 0, hidden: int = 64, layers: int = 2):
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(seed)
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        intermediate_size=hidden * 2,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=1024,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,  # tied random weights just echo the last token
    )
    model = Qwen2ForCausalLM(config).eval()
    # Random weights would often pick special tokens (decoded to ""); keep their logits at zero so
    # the tiny model writes visible text and never ends by itself (replies end on length/stop/time).
    with torch.no_grad():
        for token in ("<|endoftext|>", "<|im_start|>", "<|im_end|>"):
            model.get_output_embeddings().weight[tokenizer.convert_tokens_to_ids(token)] = 0.0
    return model


def save_tiny_model(folder: Path, *, seed: int = 0, hidden: int = 64) -> Path:
    """Write a tiny model + tokenizer in transformers format into `folder`."""
    tokenizer = build_tokenizer()
    model = build_model(tokenizer, seed=seed, hidden=hidden)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
