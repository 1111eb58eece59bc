"""Reading fine-tuning data: JSONL in several shapes → one `Example` type (prompt messages + response).

Accepted shapes, one JSON object per line (detected per line, shapes may be mixed):
- instruction:  {"instruction": str, "input": str?, "output": str, "system": str?}   (Alpaca)
- chat:         {"messages": [{"role": "system"|"user"|"assistant", "content": str}, ...]}
                the LAST assistant message is the response; everything before it is the prompt
- AdvertiseGen: {"content": "类型#上衣*材质#牛仔布*...", "summary": str}
- preference:   {"prompt": str | messages, "chosen": str | messages, "rejected": ...}  (SFT on `chosen`)
- completion:   {"prompt": str | messages, "completion": str}
Blank lines are skipped. A malformed line is a DatasetError naming the file and the line.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from .errors import DatasetError

ROLES = ("system", "user", "assistant")
ADGEN_INSTRUCTION = "根据以下商品属性写一段广告文案："


@dataclass(frozen=True)
class Example:
    """One supervised example: the prompt as chat messages, and the response the model should learn."""

    prompt: tuple[dict[str, str], ...]
    response: str
    shape: str = "instruction"  # instruction | chat | adgen | preference | completion
    line: int = 0  # 1-based line in its file (0: built in code)

    def messages(self) -> list[dict[str, str]]:
        """The whole conversation, response included."""
        return [*map(dict, self.prompt), {"role": "assistant", "content": self.response}]


def adgen_instruction(content: str) -> str:
    """"类型#上衣*材质#牛仔布" → "根据以下商品属性写一段广告文案：类型：上衣；材质：牛仔布".
    Repeated keys are merged in order ("风格#复古*风格#文艺" → "风格：复古、文艺")."""
    merged: dict[str, list[str]] = {}
    for pair in content.split("*"):
        pair = pair.strip()
        if not pair:
            continue
        key, sep, value = pair.partition("#")
        if not sep:
            raise ValueError(f"attribute '{pair}' is not KEY#VALUE")
        values = merged.setdefault(key.strip(), [])
        if value.strip() and value.strip() not in values:
            values.append(value.strip())
    if not merged:
        raise ValueError("'content' has no KEY#VALUE attributes")
    return ADGEN_INSTRUCTION + "；".join(f"{k}：{'、'.join(v)}" for k, v in merged.items())


def example_from_record(record: Any, line: int = 0) -> Example:
    """Turn one parsed JSON record into an Example; ValueError (with a short reason) if it fits no shape."""
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {type(record).__name__}")
    if "messages" in record:
        return _from_messages(record["messages"], line)
    if "instruction" in record or ("output" in record and "input" in record):
        instruction = _text(record, "instruction", required=False)
        extra = _text(record, "input", required=False)
        user = "\n\n".join(p for p in (instruction, extra) if p.strip())
        if not user.strip():
            raise ValueError("'instruction' and 'input' are both empty")
        prompt = [{"role": "user", "content": user}]
        system = _text(record, "system", required=False)
        if system.strip():
            prompt.insert(0, {"role": "system", "content": system})
        return Example(tuple(prompt), _text(record, "output"), "instruction", line)
    if "content" in record and "summary" in record:
        content = _text(record, "content")
        return Example(
            ({"role": "user", "content": adgen_instruction(content)},), _text(record, "summary"), "adgen", line
        )
    if "prompt" in record and ("chosen" in record or "completion" in record):
        shape = "preference" if "chosen" in record else "completion"
        prompt = _prompt_messages(record["prompt"])
        response = _response_text(record["chosen" if shape == "preference" else "completion"])
        return Example(prompt, response, shape, line)
    keys = ", ".join(sorted(record)) or "none"
    raise ValueError(
        f"unknown shape (keys: {keys}); expected instruction/output, messages, content/summary or prompt/chosen"
    )


def read_jsonl(path: Path) -> list[Example]:
    """All examples of a JSONL file. DatasetError for a missing/empty file or a malformed line."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"dataset not found: {path}")
    examples: list[Example] = []
    with path.open(encoding="utf-8-sig") as f:
        for no, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise DatasetError(f"{path}:{no}: not valid JSON ({exc.msg} at column {exc.colno})") from exc
            try:
                examples.append(example_from_record(record, no))
            except ValueError as exc:
                raise DatasetError(f"{path}:{no}: {exc}") from exc
    if not examples:
        raise DatasetError(f"{path}: no examples (the file is empty)")
    return examples


def split_train_val(
    examples: Sequence[Example], val_fraction: float, seed: int
) -> tuple[list[Example], list[Example]]:
    """A seeded shuffle split. At least one validation example when val_fraction > 0 and there are ≥ 2."""
    items = list(examples)
    if val_fraction <= 0 or len(items) < 2:
        return items, []
    order = list(range(len(items)))
    random.Random(seed).shuffle(order)
    n_val = min(len(items) - 1, max(1, round(len(items) * val_fraction)))
    val_idx = set(order[:n_val])
    train = [e for i, e in enumerate(items) if i not in val_idx]
    val = [e for i, e in enumerate(items) if i in val_idx]
    return train, val


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with Path(path).open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def shape_counts(examples: Iterable[Example]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for e in examples:
        counts[e.shape] = counts.get(e.shape, 0) + 1
    return counts


# ---------------------------------------------------------------------------------
def _text(record: dict, key: str, *, required: bool = True) -> str:
    value = record.get(key)
    if value is None:
        if required:
            raise ValueError(f"missing '{key}'")
        return ""
    if not isinstance(value, str):
        raise ValueError(f"'{key}' must be a string, got {type(value).__name__}")
    if required and not value.strip():
        raise ValueError(f"'{key}' is empty")
    return value


def _check_messages(messages: Any) -> list[dict[str, str]]:
    if not isinstance(messages, list) or not messages:
        raise ValueError("'messages' must be a non-empty list")
    out = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ROLES or not isinstance(m.get("content"), str):
            raise ValueError(f"messages[{i}] must be {{role: system|user|assistant, content: str}}")
        out.append({"role": m["role"], "content": m["content"]})
    return out


def _from_messages(messages: Any, line: int) -> Example:
    msgs = _check_messages(messages)
    last = max((i for i, m in enumerate(msgs) if m["role"] == "assistant"), default=-1)
    if last < 0:
        raise ValueError("'messages' has no assistant message to learn")
    if not any(m["role"] == "user" for m in msgs[:last]):
        raise ValueError("'messages' has no user message before the last assistant message")
    if not msgs[last]["content"].strip():
        raise ValueError("the last assistant message is empty")
    return Example(tuple(msgs[:last]), msgs[last]["content"], "chat", line)


def _prompt_messages(prompt: Any) -> tuple[dict[str, str], ...]:
    if isinstance(prompt, str):
        if not prompt.strip():
            raise ValueError("'prompt' is empty")
        return ({"role": "user", "content": prompt},)
    msgs = _check_messages(prompt)
    if msgs[-1]["role"] == "assistant":
        raise ValueError("'prompt' messages must not end with an assistant message")
    return tuple(msgs)


def _response_text(value: Any) -> str:
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("the response is empty")
        return value
    msgs = _check_messages(value)
    answers = [m["content"] for m in msgs if m["role"] == "assistant"]
    if not answers or not answers[-1].strip():
        raise ValueError("the response has no assistant message")
    return answers[-1]
