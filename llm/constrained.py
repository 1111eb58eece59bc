"""Grammar-constrained decoding on transformers: the model can only write text a JSON schema accepts.

Library: llguidance (Microsoft's low-level guidance engine, Rust, one wheel with no dependencies;
chosen over lm-format-enforcer, xgrammar and outlines because it needs nothing else — xgrammar
pulls in triton and apache-tvm-ffi, outlines a stack of packages — and computes a token mask for a
150k vocabulary in well under a millisecond). The schema is compiled to an llguidance grammar once
per schema and cached; at every step a `LogitsProcessor` lets through only the tokens the grammar
allows, and only the end-of-turn token once the JSON is complete. The JSON is written compactly (no
free whitespace) with the properties in the schema's order, so it is short (a query spec is tens of
tokens) and the output always parses.

Used by llm/worker.py when `generate(..., schema=...)` is given; llm/ knows nothing of the query
layer: the caller passes a plain JSON-schema dict.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any, Sequence

log = logging.getLogger(__name__)

_lock = threading.Lock()
_TOKENIZERS: dict[int, Any] = {}  # id(hf tokenizer) → (hf tokenizer, LLTokenizer)
_GRAMMARS: dict[str, str] = {}  # schema JSON → compiled grammar


class ConstraintError(ValueError):
    """The schema cannot be compiled into a grammar (the message says why)."""


def available() -> bool:
    try:
        import llguidance  # noqa: F401
    except ImportError:
        return False
    return True


def ll_tokenizer(tokenizer, eos_ids: Sequence[int] = ()):
    """The llguidance tokenizer of a fast Hugging Face tokenizer (built once per tokenizer, ~1 s for 150k tokens)."""
    from llguidance import LLTokenizer

    key = id(tokenizer)
    with _lock:
        hit = _TOKENIZERS.get(key)
        if hit is not None and hit[0] is tokenizer:
            return hit[1]
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise ConstraintError("constrained decoding needs a fast (tokenizers-backed) tokenizer")
    from copy import copy

    backend = copy(backend)
    backend.no_padding()
    backend.no_truncation()
    eos = list(eos_ids) or ([tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else [])
    llt = LLTokenizer(backend.to_str(), eos_token=eos[0] if len(eos) == 1 else eos)
    with _lock:
        _TOKENIZERS[key] = (tokenizer, llt)
    return llt


def compile_schema(schema: dict) -> str:
    """The llguidance grammar of a JSON schema: compact JSON, properties in schema order."""
    from llguidance import LLMatcher

    key = json.dumps(schema, sort_keys=True, ensure_ascii=False)
    with _lock:
        hit = _GRAMMARS.get(key)
    if hit is not None:
        return hit
    grammar = LLMatcher.grammar_from_json_schema(
        schema, defaults={"whitespace_flexible": False, "item_separator": ",", "key_separator": ":"}
    )
    error = LLMatcher.validate_grammar(grammar)
    if error and not error.startswith("WARNING"):
        raise ConstraintError(f"the JSON schema cannot be used for constrained decoding: {error}")
    with _lock:
        _GRAMMARS[key] = grammar
    return grammar


class JsonSchemaLogitsProcessor:
    """transformers LogitsProcessor: masks every token the grammar does not allow next, row by row.

    One llguidance matcher per row (n variants each follow the grammar on their own). Rows whose
    JSON is complete may only end (their end-of-turn token; after it, generate() pads them)."""

    def __init__(self, tokenizer, schema: dict, *, rows: int = 1, eos_ids: Sequence[int] = ()):
        from llguidance import LLMatcher

        self.llt = ll_tokenizer(tokenizer, eos_ids)
        grammar = compile_schema(schema)
        self.matchers = [LLMatcher(self.llt, grammar, log_level=0) for _ in range(rows)]
        for m in self.matchers:
            if m.is_error():
                raise ConstraintError(f"constrained decoding could not start: {m.get_error()}")
        self.eos_ids = list(eos_ids) or [self.llt.eos_token]
        self.prompt_len: int | None = None
        self.errors: list[str] = []

    def __call__(self, input_ids, scores):
        import torch

        if self.prompt_len is None:
            self.prompt_len = int(input_ids.shape[1])
        elif input_ids.shape[1] > self.prompt_len:
            for row, m in enumerate(self.matchers):
                if m.is_stopped() or m.is_error():
                    continue
                token = int(input_ids[row, -1])
                if not m.consume_token(token) and m.is_error():
                    self.errors.append(m.get_error())
        vocab = scores.shape[-1]
        for row, m in enumerate(self.matchers):
            if m.is_stopped() or m.is_error():
                allowed = torch.zeros(vocab, dtype=torch.bool)
                allowed[[t for t in self.eos_ids if t < vocab]] = True
            else:
                bias = torch.frombuffer(bytearray(m.compute_logit_bias()), dtype=torch.uint8)
                allowed = torch.zeros(vocab, dtype=torch.bool)
                n = min(vocab, bias.shape[0])
                allowed[:n] = bias[:n] > 0
                if not bool(allowed.any()):  # nothing allowed: the grammar is done, so end
                    allowed[[t for t in self.eos_ids if t < vocab]] = True
            scores[row] = scores[row].masked_fill(~allowed.to(scores.device), float("-inf"))
        return scores

    def complete(self, row: int = 0) -> bool:
        """Whether row `row` finished a whole JSON value the schema accepts."""
        m = self.matchers[row]
        return (m.is_accepting() or m.is_stopped()) and not m.is_error()


def parse_json(text: str) -> Any:
    """The JSON a constrained generation wrote (ValueError when it was cut short)."""
    return json.loads(text)


# ---------------------------------------------------------------- the spec task's prompt
# One prompt for the model path (bot/questions/model.py) and the adapter's training data
# (training/spec_data.py), so that the adapter sees at inference exactly what it learned on.
SPEC_SYSTEM = "Write the query spec (JSON) that answers the question from the shop's data."


def spec_messages(question: str, previous: str = "", *, glossary: str = "") -> list[dict]:
    """Chat messages asking for the spec of `question`; `previous` is the last spec's JSON for a follow-up."""
    system = SPEC_SYSTEM + (f"\n{glossary}" if glossary else "")
    user = (f"Previous: {previous}\n" if previous else "") + f"Question: {question.strip()}"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]
