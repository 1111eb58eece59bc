"""OpenAIGenerator: a `Generator` over any OpenAI-compatible chat completions server (vLLM, TGI,
llama.cpp server, OpenAI itself). vLLM serves the base model plus LoRA adapters, each adapter under
its own model name: set [generation] openai_model to the adapter's name to use it.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import threading
import time
from typing import Any, Sequence

import httpx

from .settings import GenerationSettings
from .types import ChatMessage, GenerationResult, ModelBusy, ModelUnavailable, OnText
from .worker import VARIANT_TEMPERATURE

_BUSY_STATUSES = (429, 503)


class OpenAIGenerator:
    """Speaks POST {base_url}/chat/completions, streaming (SSE) when a callback wants text as it grows."""

    def __init__(self, gen: GenerationSettings, api_key: str | None = None, *, transport: httpx.AsyncBaseTransport | None = None):
        self._gen = gen
        self._key = api_key
        self._base = gen.openai_base_url.rstrip("/")
        self._model = gen.openai_model
        self._transport = transport
        self._inflight = 0
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return f"openai:{self._model or '?'}"

    @property
    def base_url(self) -> str:
        return self._base

    # ------------------------------------------------------------ public

    async def generate(
        self,
        messages: Sequence[ChatMessage],
        *,
        n: int = 1,
        max_new_tokens: int | None = None,
        temperature: float | None = None,
        stop: Sequence[str] = (),
        on_text: OnText | None = None,
    ) -> GenerationResult:
        """One chat completion with `n` choices; streamed to `on_text` (first choice) when given."""
        with self._lock:
            if self._inflight >= max(1, self._gen.queue_size):
                raise ModelBusy(f"the model server at {self._base} already has {self._inflight} requests from us in flight; try again in a moment")
            self._inflight += 1
        try:
            async with self._client() as client:
                if not self._model:
                    self._model = await self._first_served_model(client)
                body = self._body(messages, n, max_new_tokens, temperature, stop, stream=on_text is not None)
                if on_text is None:
                    return await self._complete(client, body)
                return await self._stream(client, body, on_text)
        finally:
            with self._lock:
                self._inflight -= 1

    # ------------------------------------------------------------ request

    def _client(self) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {self._key}"} if self._key else {}
        timeout = httpx.Timeout(self._gen.timeout_s, connect=min(10.0, self._gen.timeout_s))
        return httpx.AsyncClient(headers=headers, timeout=timeout, transport=self._transport)

    def _body(self, messages, n, max_new_tokens, temperature, stop, *, stream: bool) -> dict[str, Any]:
        msgs = [dict(m) for m in messages]
        if self._gen.system_prompt and (not msgs or msgs[0].get("role") != "system"):
            msgs.insert(0, {"role": "system", "content": self._gen.system_prompt})
        temp = self._gen.temperature if temperature is None else float(temperature)
        if n > 1 and temp <= 0:
            temp = self._gen.temperature if self._gen.temperature > 0 else VARIANT_TEMPERATURE
        body: dict[str, Any] = {
            "model": self._model,
            "messages": msgs,
            "n": n,
            "max_tokens": int(max_new_tokens or self._gen.max_new_tokens),
            "temperature": temp,
            "top_p": self._gen.top_p,
            "seed": self._gen.seed,
            "stream": stream,
        }
        if stop:
            body["stop"] = list(stop)
        if stream:
            body["stream_options"] = {"include_usage": True}
        return body

    async def _first_served_model(self, client: httpx.AsyncClient) -> str:
        response = await self._send(client, "GET", "/models")
        models = [m.get("id") for m in response.json().get("data", []) if m.get("id")]
        if not models:
            raise ModelUnavailable(f"the model server at {self._base} serves no model. Fix: set [generation] openai_model.")
        return models[0]

    async def _send(self, client: httpx.AsyncClient, method: str, path: str, body: dict | None = None, *, stream: bool = False) -> httpx.Response:
        url = self._base + path
        try:
            request = client.build_request(method, url, json=body)
            response = await client.send(request, stream=stream)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise ModelUnavailable(
                f"cannot reach the model server at {self._base} ({type(exc).__name__}). Fix: start it "
                "(e.g. `vllm serve MODEL --enable-lora`), correct [generation] openai_base_url, or set backend = \"local\"."
            ) from exc
        except httpx.TimeoutException as exc:
            raise ModelBusy(f"the model server at {self._base} did not answer within {self._gen.timeout_s:g} s") from exc
        if response.status_code >= 400:
            text = (await response.aread()).decode("utf-8", "replace")[:300]
            await response.aclose()
            raise self._http_error(response.status_code, text)
        return response

    def _http_error(self, status: int, text: str) -> Exception:
        where = f"the model server at {self._base}"
        if status in _BUSY_STATUSES:
            return ModelBusy(f"{where} is busy (HTTP {status}); try again in a moment")
        if status in (401, 403):
            return ModelUnavailable(f"{where} refused our credentials (HTTP {status}). Fix: set OPENAI_API_KEY in the environment.")
        if status == 404:
            return ModelUnavailable(f"{where} has no model {self._model!r} (HTTP 404: {text}). Fix: set [generation] openai_model to a served model or LoRA name.")
        return ModelUnavailable(f"{where} answered HTTP {status}: {text}")

    # ------------------------------------------------------------ responses

    async def _complete(self, client: httpx.AsyncClient, body: dict) -> GenerationResult:
        started = time.monotonic()
        response = await self._send(client, "POST", "/chat/completions", body)
        data = response.json()
        choices = sorted(data.get("choices", []), key=lambda c: c.get("index", 0))
        if not choices:
            raise ModelUnavailable(f"the model server at {self._base} returned no choices: {json.dumps(data)[:300]}")
        texts = tuple((c.get("message") or {}).get("content") or "" for c in choices)
        usage = data.get("usage") or {}
        seconds = time.monotonic() - started
        return GenerationResult(
            texts=tuple(t.strip() for t in texts),
            model_id=self.model_id,
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            completion_tokens=int(usage.get("completion_tokens", 0)),
            seconds=seconds,
            first_token_s=seconds,
            stopped_by=_stopped_by(choices[0]),
        )

    async def _stream(self, client: httpx.AsyncClient, body: dict, on_text: OnText) -> GenerationResult:
        started = time.monotonic()
        texts: dict[int, str] = {}
        finals: dict[int, dict] = {}
        usage: dict = {}
        first_token_at: float | None = None
        timed_out = False
        response = await self._send(client, "POST", "/chat/completions", body, stream=True)
        try:
            async with asyncio.timeout(self._gen.timeout_s):
                async for line in response.aiter_lines():
                    if not line.startswith("data:"):
                        continue
                    payload = line[5:].strip()
                    if payload == "[DONE]":
                        break
                    chunk = json.loads(payload)
                    if "error" in chunk:
                        raise ModelUnavailable(f"the model server at {self._base} failed mid-reply: {json.dumps(chunk['error'])[:300]}")
                    usage = chunk.get("usage") or usage
                    for choice in chunk.get("choices") or []:
                        index = int(choice.get("index", 0))
                        delta = (choice.get("delta") or {}).get("content") or ""
                        if choice.get("finish_reason"):
                            finals[index] = choice
                        if not delta:
                            continue
                        first_token_at = first_token_at or time.monotonic()
                        texts[index] = texts.get(index, "") + delta
                        if index == 0 and texts[0].strip():
                            await _call(on_text, texts[0].strip())
        except TimeoutError:
            timed_out = True
        finally:
            await response.aclose()
        n = max(body["n"], len(texts))
        now = time.monotonic()
        return GenerationResult(
            texts=tuple(texts.get(i, "").strip() for i in range(n)),
            model_id=self.model_id,
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            completion_tokens=int(usage.get("completion_tokens", 0)),
            seconds=now - started,
            first_token_s=(first_token_at or now) - started,
            stopped_by="timeout" if timed_out else _stopped_by(finals.get(0, {})),
        )


def _stopped_by(choice: dict) -> str:
    reason = choice.get("finish_reason")
    if reason == "length":
        return "max_tokens"
    if isinstance(choice.get("stop_reason"), str):  # vLLM names the stop string that matched
        return "stop"
    return "eos"


async def _call(callback: OnText, text: str) -> None:
    result = callback(text)
    if inspect.isawaitable(result):
        await result
