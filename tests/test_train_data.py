"""Datasets (shapes, errors with line numbers, AdvertiseGen, split) and collation (masking, packing)."""

from __future__ import annotations

import json

import pytest
import torch
from test_train_tiny import tiny  # noqa: F401 - fixture
from test_train_tiny import tiny_tokenizer

from training.collate import IGNORE_INDEX, collate, encode_example, pack
from training.datasets import Example, adgen_instruction, read_jsonl, split_train_val
from training.errors import DatasetError


def write_jsonl(path, rows):
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    return path


def test_all_shapes_become_prompt_and_response(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", [
        {"instruction": "Write a slogan", "input": "smart watch", "output": "Time, well spent."},
        {"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "hi"},
                      {"role": "assistant", "content": "first"}, {"role": "user", "content": "again"},
                      {"role": "assistant", "content": "second"}]},
        {"content": "类型#上衣*材质#牛仔布", "summary": "牛仔外套"},
        {"prompt": "Slogan?", "chosen": "Good one", "rejected": "Bad one"},
        "",
        {"prompt": [{"role": "user", "content": "Q"}], "completion": "A"},
    ])
    ex = read_jsonl(path)
    assert [e.shape for e in ex] == ["instruction", "chat", "adgen", "preference", "completion"]
    assert ex[0].prompt == ({"role": "user", "content": "Write a slogan\n\nsmart watch"},)
    assert ex[0].response == "Time, well spent."
    assert ex[1].response == "second" and [m["content"] for m in ex[1].prompt] == ["S", "hi", "first", "again"]
    assert ex[2].prompt[0]["content"] == "根据以下商品属性写一段广告文案：类型：上衣；材质：牛仔布"
    assert ex[3].response == "Good one" and ex[3].prompt[0]["content"] == "Slogan?"
    assert ex[4].line == 6 and ex[4].response == "A"


def test_adgen_instruction_merges_repeated_keys():
    content = "类型#裙*材质#针织*风格#复古*风格#文艺*风格#简约*图案#格子"
    assert adgen_instruction(content) == "根据以下商品属性写一段广告文案：类型：裙；材质：针织；风格：复古、文艺、简约；图案：格子"


@pytest.mark.parametrize(
    "bad, reason",
    [
        ('{"instruction": "x", "output": ', "not valid JSON"),
        ('{"foo": 1}', "unknown shape"),
        ('{"instruction": "x", "output": 3}', "'output' must be a string"),
        ('{"messages": [{"role": "user", "content": "hi"}]}', "no assistant message"),
        ('{"content": "类型上衣", "summary": "s"}', "KEY#VALUE"),
        ("[1, 2]", "expected a JSON object"),
    ],
)
def test_malformed_line_names_file_and_line(tmp_path, bad, reason):
    path = write_jsonl(tmp_path / "bad.jsonl", [{"instruction": "a", "output": "b"}, "", bad])
    with pytest.raises(DatasetError) as err:
        read_jsonl(path)
    assert f"{path}:3:" in str(err.value) and reason in str(err.value)
    assert err.value.user_facing is True


def test_missing_and_empty_files_are_user_errors(tmp_path):
    with pytest.raises(DatasetError, match="not found"):
        read_jsonl(tmp_path / "nope.jsonl")
    (tmp_path / "empty.jsonl").write_text("\n\n", "utf-8")
    with pytest.raises(DatasetError, match="no examples"):
        read_jsonl(tmp_path / "empty.jsonl")


def test_split_is_seeded_and_disjoint():
    ex = [Example(({"role": "user", "content": str(i)},), str(i)) for i in range(20)]
    train, val = split_train_val(ex, 0.2, seed=1)
    assert len(val) == 4 and len(train) == 16 and not set(map(id, train)) & set(map(id, val))
    assert split_train_val(ex, 0.2, seed=1) == (train, val)
    assert split_train_val(ex, 0.2, seed=2)[1] != val
    assert split_train_val(ex[:1], 0.5, seed=1) == (ex[:1], [])


def test_prompt_is_masked_token_by_token():
    tok = tiny_tokenizer()
    ex = Example(({"role": "user", "content": "Write a slogan for a smart watch."},), "Time, well spent.")
    row = encode_example(tok, ex, max_length=256)
    prompt_text = tok.apply_chat_template(list(ex.prompt), tokenize=False, add_generation_prompt=True)
    n_prompt = len(tok(prompt_text, add_special_tokens=False)["input_ids"])
    assert row.labels[:n_prompt] == [IGNORE_INDEX] * n_prompt
    assert row.labels[n_prompt:] == row.input_ids[n_prompt:]
    assert tok.decode(row.input_ids[:n_prompt]) == prompt_text
    assert tok.decode(row.labels[n_prompt:]) == "Time, well spent.<|im_end|>\n"
    assert prompt_text.endswith("<|im_start|>assistant\n")


def test_system_prompt_is_added_only_when_missing():
    tok = tiny_tokenizer()
    ex = Example(({"role": "user", "content": "hi"},), "ok")
    row = encode_example(tok, ex, 256, system_prompt="Be brief.")
    assert tok.decode(row.input_ids).startswith("<|im_start|>system\nBe brief.<|im_end|>")
    own = Example(({"role": "system", "content": "Mine."}, {"role": "user", "content": "hi"}), "ok")
    assert "Be brief." not in tok.decode(encode_example(tok, own, 256, system_prompt="Be brief.").input_ids)


def test_truncation_keeps_the_response_and_cuts_the_prompt_start():
    tok = tiny_tokenizer()
    ex = Example(({"role": "user", "content": "the quick brown fox " * 30},), "Run further, feel lighter.")
    full = encode_example(tok, ex, 10_000)
    row = encode_example(tok, ex, 48)
    n_resp = sum(1 for x in full.labels if x != IGNORE_INDEX)
    assert len(row) == 48 and row.truncated
    assert row.labels[-n_resp:] == full.labels[-n_resp:]  # the whole response survived
    assert row.input_ids[: 48 - n_resp] == full.input_ids[len(full) - 48 : len(full) - n_resp]  # prompt tail kept


def test_collate_pads_with_ignored_labels():
    rows = [encode_example(tiny_tokenizer(), Example(({"role": "user", "content": t},), "ok"), 256) for t in ("a", "a b c d e f")]
    batch = collate(rows, pad_token_id=0)
    short = len(rows[0])
    assert batch["input_ids"].shape == (2, len(rows[1]))
    assert batch["attention_mask"][0].tolist() == [1] * short + [0] * (len(rows[1]) - short)
    assert (batch["labels"][0, short:] == IGNORE_INDEX).all()


def test_packing_masks_across_example_boundaries(tiny):
    model, tok = tiny
    a = encode_example(tok, Example(({"role": "user", "content": "Write a slogan for running shoes."},), "Run further."), 256)
    b = encode_example(tok, Example(({"role": "user", "content": "牛仔外套"},), "简约而不简单。"), 256)
    packed = pack([a, b], max_length=len(a) + len(b))
    assert len(packed) == 1 and packed[0].n_examples == 2
    row = packed[0]
    assert row.position_ids == list(range(len(a))) + list(range(len(b)))
    assert row.labels == a.labels + b.labels and row.labels[len(a)] == IGNORE_INDEX  # no loss across the seam
    batch = collate(packed, tok.pad_token_id)
    assert "attention_mask" not in batch
    with torch.no_grad():
        packed_logits = model(**{k: batch[k] for k in ("input_ids", "position_ids")}, use_cache=False).logits[0]
        alone_b = model(input_ids=torch.tensor([b.input_ids])).logits[0]
        alone_a = model(input_ids=torch.tensor([a.input_ids])).logits[0]
    # b's tokens see nothing of a: same logits as b on its own
    torch.testing.assert_close(packed_logits[len(a):], alone_b, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(packed_logits[: len(a)], alone_a, atol=1e-5, rtol=1e-4)
    assert len(pack([a, b], max_length=len(a) + len(b) - 1)) == 2
