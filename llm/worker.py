"""LocalGenerator: the transformers model behind ONE worker thread and a bounded queue.

Why a thread: `model.generate` is blocking and the model must not be used by two requests at
once (one model in memory). Async callers put a request on a bounded queue and await its
result; a full queue answers ModelBusy at once instead of hanging. Streaming text and the
result travel back to the caller's event loop with `call_soon_threadsafe`.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from .loader import LoadedModel
from .settings import GenerationSettings
from .types import ChatMessage, GenerationResult, ModelBusy, ModelUnavailable, OnText

log = logging.getLogger(__name__)

# Special tokens that end a chat turn in the common templates (ChatML, Llama 3, Gemma, Mistral).
_END_OF_TURN_TOKENS = ("<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|end_of_text|>", "<end_of_turn>", "</s>")
# Temperature used when several variants are asked for at temperature 0 (greedy would repeat one text).
VARIANT_TEMPERATURE = 0.7


@dataclass
class _Request:
    messages: list[ChatMessage]
    n: int
    max_new_tokens: int
    temperature: float
    stop: tuple[str, ...]
    stream: bool
    schema: dict | None
    post: Callable[[tuple[str, Any]], None]  # thread-safe: hands an item to the caller's loop
    submitted: float = field(default_factory=time.monotonic)
    cancel: threading.Event = field(default_factory=threading.Event)


def cut_at_stop(text: str, stop: Sequence[str]) -> tuple[str, bool]:
    """`text` up to the first stop string (and whether one was found)."""
    cut = min((i for i in (text.find(s) for s in stop if s) if i >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)


def end_token_ids(tokenizer) -> list[int]:
    """Token ids that end a reply: the tokenizer's eos plus the known end-of-turn specials it has."""
    ids: list[int] = []
    if tokenizer.eos_token_id is not None:
        ids.append(int(tokenizer.eos_token_id))
    vocab = tokenizer.get_vocab()
    specials = set(getattr(tokenizer, "all_special_tokens", []) or []) | {
        str(t) for t in (getattr(tokenizer, "added_tokens_decoder", {}) or {}).values()
    }
    for token in _END_OF_TURN_TOKENS:
        if token in vocab and token in specials and vocab[token] not in ids:
            ids.append(int(vocab[token]))
    return ids


class LocalGenerator:
    """`Generator` over a loaded transformers model. Construct once per process; `close()` at exit."""

    def __init__(self, loaded: LoadedModel, gen: GenerationSettings):
        self._loaded = loaded
        self._gen = gen
        self._queue: queue.Queue[_Request | None] = queue.Queue(maxsize=max(1, gen.queue_size))
        self._closed = threading.Event()
        self._served = 0
        self._current: _Request | None = None
        self._end_ids = end_token_ids(loaded.tokenizer)
        self._thread = threading.Thread(target=self._serve, name="growthpilot-llm-worker", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------ public

    @property
    def model_id(self) -> str:
        return self._loaded.model_id

    @property
    def loaded(self) -> LoadedModel:
        return self._loaded

    @property
    def waiting(self) -> int:
        """Requests waiting for the model (not counting the one being generated)."""
        return self._queue.qsize()

    async def generate(
        self,
        messages: Sequence[ChatMessage],
        *,
        n: int = 1,
        max_new_tokens: int | None = None,
        temperature: float | None = None,
        stop: Sequence[str] = (),
        on_text: OnText | None = None,
        schema: dict | None = None,
    ) -> GenerationResult:
        """Generate `n` replies to `messages` (one batched call). `on_text` receives the first
        variant's text so far as it grows; its last call carries the final text. With `schema`
        (a JSON schema) the replies are grammar-constrained JSON (llm/constrained.py), greedy
        unless n > 1, without repetition penalty (JSON repeats quotes and braces)."""
        if self._closed.is_set():
            raise ModelUnavailable("the local generator was closed")
        if n < 1:
            raise ValueError("n must be >= 1")
        loop = asyncio.get_running_loop()
        updates: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

        def post(item: tuple[str, Any]) -> None:
            try:
                loop.call_soon_threadsafe(updates.put_nowait, item)
            except RuntimeError:  # the caller's loop is gone; nothing to deliver to
                pass

        request = _Request(
            messages=[dict(m) for m in messages],
            n=n,
            max_new_tokens=max(1, int(max_new_tokens or self._gen.max_new_tokens)),
            temperature=self._gen.temperature if temperature is None else float(temperature),
            stop=tuple(s for s in stop if s),
            stream=on_text is not None,
            schema=schema,
            post=post,
        )
        try:
            self._queue.put_nowait(request)
        except queue.Full:
            raise ModelBusy(
                f"the model is busy: {self._queue.maxsize} requests are already waiting. Please try again in a moment."
            ) from None
        streamed = ""
        try:
            while True:
                kind, value = await updates.get()
                while kind == "text" and not updates.empty():  # a slow callback skips stale texts
                    kind, value = updates.get_nowait()
                if kind == "text":
                    streamed = value
                    await _call(on_text, value)
                elif kind == "error":
                    raise value
                else:
                    result: GenerationResult = value
                    if on_text is not None and result.texts and result.texts[0] != streamed:
                        await _call(on_text, result.texts[0])
                    return result
        except BaseException:  # cancelled, or the callback failed: stop generating at the next token
            request.cancel.set()
            raise

    def close(self, timeout: float = 5.0) -> None:
        """Stop the worker: the request being generated stops at its next token, waiting ones get an error."""
        if self._closed.is_set():
            return
        self._closed.set()
        current = self._current
        if current is not None:
            current.cancel.set()
        try:
            self._queue.put(None, timeout=timeout)
        except queue.Full:
            pass
        self._thread.join(timeout)

    def __enter__(self) -> "LocalGenerator":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------ worker thread

    def _serve(self) -> None:
        while True:
            request = self._queue.get()
            if request is None:
                self._drain()
                return
            if request.cancel.is_set():
                continue
            self._current = request
            try:
                request.post(("done", self._run(request)))
            except Exception as exc:  # noqa: BLE001 - delivered to the awaiting caller
                log.debug("generation failed", exc_info=exc)
                request.post(("error", exc))
            finally:
                self._current = None

    def _drain(self) -> None:
        """Answer the requests still waiting when the generator closes."""
        while True:
            try:
                request = self._queue.get_nowait()
            except queue.Empty:
                return
            if request is not None:
                request.post(("error", ModelUnavailable("the local generator was closed")))

    def _prompt_text(self, messages: list[ChatMessage]) -> str:
        if not messages or messages[0].get("role") != "system":
            if self._gen.system_prompt:
                messages = [{"role": "system", "content": self._gen.system_prompt}, *messages]
        tok = self._loaded.tokenizer
        if getattr(tok, "chat_template", None):
            return tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        # A base model without a template: a plain transcript it can continue.
        lines = [f"{m['role'].capitalize()}: {m['content']}" for m in messages]
        return "\n\n".join(lines) + "\n\nAssistant:"

    def _run(self, req: _Request) -> GenerationResult:
        import torch
        from transformers import StoppingCriteriaList

        tok, model = self._loaded.tokenizer, self._loaded.model
        started = time.monotonic()
        enc = tok(self._prompt_text(req.messages), return_tensors="pt", add_special_tokens=False)
        input_ids = enc["input_ids"]
        max_new = req.max_new_tokens
        context = getattr(model.config, "max_position_embeddings", None)
        if context and input_ids.shape[1] + max_new > context:
            # Shorten the reply first; cut the prompt's oldest tokens only when it alone nearly fills the context.
            room = min(max_new, max(context // 4, 16))
            if input_ids.shape[1] + room > context:
                keep = context - room
                log.warning("prompt of %d tokens truncated to its last %d (context %d)", input_ids.shape[1], keep, context)
                input_ids = input_ids[:, -keep:]
            max_new = context - int(input_ids.shape[1])
        prompt_len = int(input_ids.shape[1])
        input_ids = input_ids.to(model.device)
        attention_mask = torch.ones_like(input_ids)

        deadline = _Deadline(started + self._gen.timeout_s, req.cancel)
        criteria = StoppingCriteriaList([deadline])
        if req.stop:
            criteria.append(_StopStrings(tok, req.stop, prompt_len))
        streamer = _Streamer(tok, self._end_ids, req)

        temperature = 0.0 if req.schema is not None and req.n == 1 else req.temperature
        extra: dict[str, Any] = {}
        repetition_penalty = self._gen.repetition_penalty
        if req.schema is not None:
            from transformers import LogitsProcessorList

            from .constrained import JsonSchemaLogitsProcessor

            extra["logits_processor"] = LogitsProcessorList(
                [JsonSchemaLogitsProcessor(tok, req.schema, rows=req.n, eos_ids=self._end_ids)]
            )
            repetition_penalty = 1.0
        if req.n > 1 and temperature <= 0:
            temperature = self._gen.temperature if self._gen.temperature > 0 else VARIANT_TEMPERATURE
        sampling: dict[str, Any] = {"do_sample": False}
        if temperature > 0:
            sampling = {"do_sample": True, "temperature": temperature, "top_p": self._gen.top_p}
        self._served += 1
        torch.manual_seed(self._gen.seed + self._served)
        with torch.inference_mode():
            out = model.generate(
                input_ids=input_ids,
                attention_mask=attention_mask,
                max_new_tokens=max_new,
                num_return_sequences=req.n,
                repetition_penalty=repetition_penalty,
                eos_token_id=self._end_ids or None,
                pad_token_id=tok.pad_token_id if tok.pad_token_id is not None else (self._end_ids or [0])[0],
                stopping_criteria=criteria,
                streamer=streamer,
                **sampling,
                **extra,
            )
        texts, completion, first_reason = [], 0, "eos"
        for row in range(out.shape[0]):
            ids = out[row, prompt_len:].tolist()
            ended = next((i for i, t in enumerate(ids) if t in self._end_ids), None)
            if ended is not None:
                ids = ids[:ended]
            completion += len(ids) + (1 if ended is not None else 0)
            text, stopped = cut_at_stop(tok.decode(ids, skip_special_tokens=True), req.stop)
            texts.append(text.strip())
            if row == 0:
                first_reason = "stop" if stopped else "eos" if ended is not None else "max_tokens"
        if deadline.fired:
            first_reason = "timeout"
        now = time.monotonic()
        log.info(
            "generated n=%d: %d prompt + %d completion tokens, first token %.2f s, %.2f s, stopped by %s",
            req.n, prompt_len, completion, (streamer.first_token_at or now) - req.submitted, now - req.submitted, first_reason,
        )
        return GenerationResult(
            texts=tuple(texts),
            model_id=self.model_id,
            prompt_tokens=prompt_len,
            completion_tokens=completion,
            seconds=now - req.submitted,
            first_token_s=(streamer.first_token_at or now) - req.submitted,
            stopped_by=first_reason,
        )


class _Deadline:
    """StoppingCriteria: stop every row when the time bound passes or the caller cancelled."""

    def __init__(self, deadline: float, cancel: threading.Event):
        self.deadline, self.cancel, self.fired = deadline, cancel, False

    def __call__(self, input_ids, scores, **kwargs):
        import torch

        if time.monotonic() >= self.deadline or self.cancel.is_set():
            self.fired = True
        return torch.full((input_ids.shape[0],), self.fired, dtype=torch.bool, device=input_ids.device)


class _StopStrings:
    """StoppingCriteria: a row is done once its generated text contains a stop string.

    Only the tail of each row is decoded (enough tokens to hold the longest stop string)."""

    def __init__(self, tokenizer, stop: Sequence[str], prompt_len: int):
        self.tokenizer, self.stop, self.prompt_len = tokenizer, tuple(stop), prompt_len
        self.tail = max(len(s) for s in stop) + 4

    def __call__(self, input_ids, scores, **kwargs):
        import torch

        done = []
        for row in input_ids:
            generated = row[self.prompt_len :][-self.tail :]
            text = self.tokenizer.decode(generated, skip_special_tokens=True)
            done.append(any(s in text for s in self.stop))
        return torch.tensor(done, dtype=torch.bool, device=input_ids.device)


class _Streamer:
    """transformers streamer: follows the first variant, posts its text so far to the caller."""

    def __init__(self, tokenizer, end_ids: list[int], req: _Request):
        self.tokenizer, self.end_ids, self.req = tokenizer, set(end_ids), req
        self.ids: list[int] = []
        self.first_token_at: float | None = None
        self._prompt_seen = False
        self._done = False
        self._last = ""

    def put(self, value) -> None:
        if not self._prompt_seen:  # generate() first hands over the prompt itself
            self._prompt_seen = True
            return
        if self.first_token_at is None:
            self.first_token_at = time.monotonic()
        if self._done:
            return
        token = int(value.reshape(-1)[0])
        if token in self.end_ids:
            self._done = True
            return
        self.ids.append(token)
        if not self.req.stream:
            return
        text = self.tokenizer.decode(self.ids, skip_special_tokens=True)
        if text.endswith("\ufffd"):  # half of a multi-byte character: wait for the rest
            return
        text, stopped = cut_at_stop(text, self.req.stop)
        self._done = stopped
        text = text.strip()
        if text and text != self._last:
            self._last = text
            self.req.post(("text", text))

    def end(self) -> None:
        pass


async def _call(callback: OnText | None, text: str) -> None:
    if callback is None:
        return
    result = callback(text)
    if inspect.isawaitable(result):
        await result
