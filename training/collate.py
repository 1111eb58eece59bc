"""Examples → token ids with the loss on the response only, truncation, packing, and batch padding.

The prompt length comes from tokenising the chat-templated prompt with add_generation_prompt=True;
it must be a prefix of the ids of the whole templated conversation. When a template or tokenizer
breaks that (a merge across the boundary, a template that rewrites earlier turns), the example is
encoded as prompt ids + ids of the rest of the text, which is exactly what the model sees at
inference (prompt ids, then the tokens it generates).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any, Sequence

import torch

from .datasets import Example
from .errors import TrainingError

IGNORE_INDEX = -100
log = logging.getLogger(__name__)


@dataclass
class Encoded:
    """One training row: ids, labels (-100 where no loss), and position ids when packed."""

    input_ids: list[int]
    labels: list[int]
    position_ids: list[int] | None = None
    n_examples: int = 1
    truncated: bool = False

    def __len__(self) -> int:
        return len(self.input_ids)


@dataclass
class EncodeStats:
    examples: int = 0
    truncated: int = 0
    boundary_fallbacks: int = 0  # prompt ids were not a prefix of the full ids
    dropped: int = 0  # nothing of the response left to learn
    tokens: int = 0
    response_tokens: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def chat_template_sha256(tokenizer) -> str:
    """Hash of the tokenizer's chat template (recorded with an adapter: its prompt format)."""
    template = getattr(tokenizer, "chat_template", None) or ""
    if isinstance(template, dict):  # several named templates
        template = "\n".join(f"{k}\n{v}" for k, v in sorted(template.items()))
    return hashlib.sha256(template.encode("utf-8")).hexdigest()


def prompt_messages(example: Example, system_prompt: str | None) -> list[dict[str, str]]:
    """The prompt with `system_prompt` in front when the example has no system message of its own."""
    msgs = [dict(m) for m in example.prompt]
    if system_prompt and not any(m["role"] == "system" for m in msgs):
        msgs.insert(0, {"role": "system", "content": system_prompt})
    return msgs


def encode_example(
    tokenizer,
    example: Example,
    max_length: int,
    *,
    system_prompt: str | None = None,
    stats: EncodeStats | None = None,
) -> Encoded | None:
    """Template, tokenise and mask one example. Returns None when no response token would be left."""
    if getattr(tokenizer, "chat_template", None) in (None, ""):
        raise TrainingError("the tokenizer has no chat template; use an instruction-tuned (chat) base model")
    prompt = prompt_messages(example, system_prompt)
    prompt_text = tokenizer.apply_chat_template(prompt, tokenize=False, add_generation_prompt=True)
    full_text = tokenizer.apply_chat_template(
        [*prompt, {"role": "assistant", "content": example.response}], tokenize=False
    )
    prompt_ids = _ids(tokenizer, prompt_text)
    full_ids = _ids(tokenizer, full_text)
    if full_ids[: len(prompt_ids)] == prompt_ids and len(full_ids) > len(prompt_ids):
        response_ids = full_ids[len(prompt_ids) :]
    else:
        if not full_text.startswith(prompt_text):
            raise TrainingError(
                f"line {example.line}: the chat template renders the prompt differently with and without "
                "the response; this template cannot be used for masking the prompt"
            )
        response_ids = _ids(tokenizer, full_text[len(prompt_text) :])
        if stats is not None:
            stats.boundary_fallbacks += 1
    truncated = False
    if len(prompt_ids) + len(response_ids) > max_length:
        truncated = True
        # Keep the response: the prompt gives way first (its tail, next to the answer, is kept),
        # but keeps at least a quarter of the budget so the model still sees what it answers.
        keep_prompt = max(max_length - len(response_ids), min(len(prompt_ids), max_length // 4))
        prompt_ids = prompt_ids[len(prompt_ids) - keep_prompt :] if keep_prompt else []
        response_ids = response_ids[: max_length - len(prompt_ids)]
    if stats is not None:
        stats.examples += 1
        stats.truncated += int(truncated)
    if not response_ids:
        if stats is not None:
            stats.dropped += 1
        return None
    if stats is not None:
        stats.tokens += len(prompt_ids) + len(response_ids)
        stats.response_tokens += len(response_ids)
    return Encoded(
        input_ids=prompt_ids + response_ids,
        labels=[IGNORE_INDEX] * len(prompt_ids) + list(response_ids),
        truncated=truncated,
    )


def encode_all(
    tokenizer, examples: Sequence[Example], max_length: int, *, system_prompt: str | None = None
) -> tuple[list[Encoded], EncodeStats]:
    stats = EncodeStats()
    rows = [encode_example(tokenizer, e, max_length, system_prompt=system_prompt, stats=stats) for e in examples]
    if stats.boundary_fallbacks:
        log.info("%d examples: prompt ids were not a prefix of the full ids; encoded by segments", stats.boundary_fallbacks)
    return [r for r in rows if r is not None], stats


def pack(rows: Sequence[Encoded], max_length: int) -> list[Encoded]:
    """Concatenate consecutive rows into sequences of at most max_length tokens. Position ids restart
    at 0 for every example: the model (transformers' packed-sequence masks) then lets no token attend
    across an example boundary, and each example's first token is a prompt token (label -100), so no
    loss is computed across a boundary either."""
    packed: list[Encoded] = []
    current: Encoded | None = None
    for row in rows:
        if current is not None and len(current) + len(row) <= max_length:
            current.input_ids += row.input_ids
            current.labels += row.labels
            current.position_ids += list(range(len(row)))
            current.n_examples += 1
            continue
        if current is not None:
            packed.append(current)
        current = Encoded(list(row.input_ids), list(row.labels), list(range(len(row))), 1, row.truncated)
    if current is not None:
        packed.append(current)
    return packed


def collate(rows: Sequence[Encoded], pad_token_id: int) -> dict[str, torch.Tensor]:
    """Right-pad a batch. Unpacked rows get an attention mask; packed rows get position ids (and no
    attention mask, so that transformers builds the block-diagonal causal mask from them)."""
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_token_id, dtype=torch.long)
    labels = torch.full((len(rows), width), IGNORE_INDEX, dtype=torch.long)
    packed = rows[0].position_ids is not None
    if packed:
        # Padding continues as its own segment (positions restart at 0), attended by nothing real.
        positions = torch.arange(width, dtype=torch.long).repeat(len(rows), 1)
    else:
        mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        n = len(r)
        ids[i, :n] = torch.tensor(r.input_ids, dtype=torch.long)
        labels[i, :n] = torch.tensor(r.labels, dtype=torch.long)
        if packed:
            positions[i, :n] = torch.tensor(r.position_ids, dtype=torch.long)
            positions[i, n:] = torch.arange(width - n, dtype=torch.long)
        else:
            mask[i, :n] = 1
    batch = {"input_ids": ids, "labels": labels}
    if packed:
        batch["position_ids"] = positions
    else:
        batch["attention_mask"] = mask
    return batch


def _ids(tokenizer, text: str) -> list[int]:
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])
