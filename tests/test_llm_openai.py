"""OpenAIGenerator against a local fake OpenAI-compatible server that records what it was sent."""

from __future__ import annotations

import asyncio
import json
import socket
from dataclasses import replace

import pytest
from aiohttp import web

from llm.factory import make_generator
from llm.openai_backend import OpenAIGenerator
from llm.settings import GenerationSettings, ModelSettings
from llm.types import ModelBusy, ModelUnavailable

ASK = [{"role": "user", "content": "Three slogans for a smartwatch"}]
REPLIES = ["Time, well spent.", "Your wrist, smarter.", "Every beat counts."]


class FakeOpenAI:
    """Records every request; answers chat completions (JSON or SSE), /models, or a forced status."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.replies = list(REPLIES)
        self.status: int | None = None
        self.finish_reason = "stop"
        self.delay_s = 0.0
        self.models = ["qwen-base", "brand-lora"]

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self.chat)
        app.router.add_get("/v1/models", self.list_models)
        return app

    async def list_models(self, request: web.Request) -> web.Response:
        self.requests.append({"method": "GET", "path": request.path, "headers": dict(request.headers)})
        return web.json_response({"object": "list", "data": [{"id": m, "object": "model"} for m in self.models]})

    async def chat(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append({"method": "POST", "path": request.path, "headers": dict(request.headers), "json": body})
        if self.status:
            return web.json_response({"error": {"message": "nope", "code": self.status}}, status=self.status)
        texts = [self.replies[i % len(self.replies)] for i in range(body.get("n", 1))]
        usage = {"prompt_tokens": 42, "completion_tokens": sum(len(t.split()) for t in texts), "total_tokens": 0}
        if not body.get("stream"):
            choices = [
                {"index": i, "message": {"role": "assistant", "content": t}, "finish_reason": self.finish_reason}
                for i, t in enumerate(texts)
            ]
            return web.json_response({"id": "cmpl-1", "object": "chat.completion", "choices": choices, "usage": usage})
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)

        async def send(obj) -> None:
            await response.write(f"data: {json.dumps(obj)}\n\n".encode())

        await send({"choices": [{"index": i, "delta": {"role": "assistant"}} for i in range(len(texts))]})
        words = [t.split(" ") for t in texts]
        for step in range(max(len(w) for w in words)):
            await asyncio.sleep(self.delay_s)
            for i, w in enumerate(words):
                if step < len(w):
                    piece = w[step] if step == 0 else " " + w[step]
                    await send({"choices": [{"index": i, "delta": {"content": piece}, "finish_reason": None}]})
        await send({"choices": [{"index": i, "delta": {}, "finish_reason": self.finish_reason} for i in range(len(texts))]})
        await send({"choices": [], "usage": usage})
        await response.write(b"data: [DONE]\n\n")
        return response


@pytest.fixture
async def server():
    fake = FakeOpenAI()
    runner = web.AppRunner(fake.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    fake.base_url = f"http://127.0.0.1:{port}/v1"
    yield fake
    await runner.cleanup()


def settings(base_url: str, **kw) -> GenerationSettings:
    base = GenerationSettings(
        backend="openai", openai_base_url=base_url, openai_model="brand-lora", system_prompt="Be brief.",
        temperature=0.5, top_p=0.8, max_new_tokens=64, seed=7, timeout_s=10,
    )
    return replace(base, **kw)


async def test_non_streaming_request_and_reply(server):
    gen = OpenAIGenerator(settings(server.base_url), api_key="sk-test-123")
    result = await gen.generate(ASK, stop=["\n\n"])
    assert result.texts == (REPLIES[0],)
    assert (result.prompt_tokens, result.completion_tokens, result.stopped_by) == (42, 3, "eos")
    assert result.model_id == "openai:brand-lora"
    sent = server.requests[-1]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["headers"]["Authorization"] == "Bearer sk-test-123"
    body = sent["json"]
    assert body["model"] == "brand-lora" and body["stream"] is False
    assert body["messages"] == [{"role": "system", "content": "Be brief."}, *ASK]
    assert (body["n"], body["max_tokens"], body["temperature"], body["top_p"], body["seed"]) == (1, 64, 0.5, 0.8, 7)
    assert body["stop"] == ["\n\n"]


async def test_streaming_grows_text_and_n_variants_in_one_request(server):
    gen = OpenAIGenerator(settings(server.base_url), api_key=None)
    seen: list[str] = []

    async def on_text(text: str) -> None:
        seen.append(text)

    result = await gen.generate(ASK, n=3, max_new_tokens=20, temperature=0.9, on_text=on_text)
    assert result.texts == tuple(REPLIES)
    assert seen == ["Time,", "Time, well", "Time, well spent."]
    assert result.prompt_tokens == 42 and result.completion_tokens == 9
    assert len(server.requests) == 1
    body = server.requests[0]["json"]
    assert body["stream"] is True and body["n"] == 3 and body["max_tokens"] == 20 and body["temperature"] == 0.9
    assert body["stream_options"] == {"include_usage": True}
    assert "Authorization" not in server.requests[0]["headers"]
    assert 0 < result.first_token_s <= result.seconds


async def test_length_finish_is_reported_as_max_tokens(server):
    server.finish_reason = "length"
    gen = OpenAIGenerator(settings(server.base_url))
    assert (await gen.generate(ASK)).stopped_by == "max_tokens"
    assert (await gen.generate(ASK, on_text=lambda t: None)).stopped_by == "max_tokens"


async def test_empty_model_name_uses_the_first_served_model(server):
    gen = OpenAIGenerator(settings(server.base_url, openai_model=""))
    await gen.generate(ASK)
    assert [r["method"] for r in server.requests] == ["GET", "POST"]
    assert server.requests[1]["json"]["model"] == "qwen-base"
    assert gen.model_id == "openai:qwen-base"


@pytest.mark.parametrize("status", [429, 503])
async def test_overloaded_server_is_busy(server, status):
    server.status = status
    with pytest.raises(ModelBusy, match=f"HTTP {status}"):
        await OpenAIGenerator(settings(server.base_url)).generate(ASK)


async def test_unknown_model_and_bad_key_are_unavailable(server):
    server.status = 404
    with pytest.raises(ModelUnavailable, match="openai_model"):
        await OpenAIGenerator(settings(server.base_url)).generate(ASK)
    server.status = 401
    with pytest.raises(ModelUnavailable, match="OPENAI_API_KEY"):
        await OpenAIGenerator(settings(server.base_url), api_key="wrong").generate(ASK, on_text=lambda t: None)


async def test_connection_refused_names_the_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    url = f"http://127.0.0.1:{port}/v1"
    with pytest.raises(ModelUnavailable) as info:
        await OpenAIGenerator(settings(url)).generate(ASK)
    assert url in str(info.value) and 'backend = "local"' in str(info.value)


async def test_streaming_timeout_returns_the_partial_reply(server):
    server.delay_s = 0.3
    gen = OpenAIGenerator(settings(server.base_url, timeout_s=0.5))
    result = await gen.generate(ASK, on_text=lambda t: None)
    assert result.stopped_by == "timeout"
    assert REPLIES[0].startswith(result.texts[0]) and result.texts[0] != REPLIES[0]


async def test_factory_builds_the_openai_backend_with_the_env_key(server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    gen = make_generator(ModelSettings(name="/nonexistent/never-loaded"), settings(server.base_url))
    assert isinstance(gen, OpenAIGenerator)
    await gen.generate(ASK)
    assert server.requests[-1]["headers"]["Authorization"] == "Bearer sk-from-env"
    explicit = make_generator(ModelSettings(), settings(server.base_url), api_key="sk-explicit")
    await explicit.generate(ASK)
    assert server.requests[-1]["headers"]["Authorization"] == "Bearer sk-explicit"


async def test_requests_beyond_queue_size_are_busy_at_once(server):
    server.delay_s = 0.2
    gen = OpenAIGenerator(settings(server.base_url, queue_size=1))
    first = asyncio.create_task(gen.generate(ASK, on_text=lambda t: None))
    await asyncio.sleep(0.1)
    with pytest.raises(ModelBusy, match="in flight"):
        await gen.generate(ASK)
    assert (await first).texts == (REPLIES[0],)
    assert len(server.requests) == 1
