"""A local fake of the Slack Web API: an aiohttp server on 127.0.0.1 (random port) that answers
like Slack and records every call (method, params, headers, time).

Point the SDK at it with `AsyncWebClient(token=..., base_url=fake.base_url)`. It serves what the
adapter and the SDK call: auth.test, chat.postMessage/update/postEphemeral, the v2 file upload
(files.getUploadURLExternal → POST to the returned upload URL → files.completeUploadExternal),
conversations.replies, users.info, and response_url endpoints for slash commands/buttons.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from aiohttp import web

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0001"


@dataclass
class Call:
    method: str  # "chat.postMessage", "upload", "response_url", ...
    params: dict[str, Any]
    headers: dict[str, str]
    t: float = field(default_factory=time.monotonic)
    wall: float = field(default_factory=time.time)  # for cross-process latencies (benchmark)
    path: str = ""
    body: bytes = b""
    response: dict[str, Any] | None = None  # what the fake answered (e.g. the ts of a posted message)


class FakeSlackAPI:
    def __init__(self, *, latency_s: float = 0.0):
        self.calls: list[Call] = []
        self.latency_s = latency_s
        self.fail: dict[str, str] = {}  # method → Slack error code returned once
        self._seq = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.root = ""
        self.uploads: dict[str, bytes] = {}
        self.threads: dict[tuple[str, str], list[dict]] = {}
        self._changed = asyncio.Event()
        self.sockets: list[web.WebSocketResponse] = []  # Socket Mode connections
        self.socket_acks: list[dict] = []  # what the app answered to each envelope
        self._envelopes = itertools.count(1)

    # ----------------------------------------------------------- lifecycle
    async def start(self) -> "FakeSlackAPI":
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/response/{key}", self._response_url)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.root = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"{self.root}/api/"

    def response_url(self, key: str = "cmd") -> str:
        return f"{self.root}/response/{key}"

    # ----------------------------------------------------------- queries for tests
    def calls_to(self, *methods: str) -> list[Call]:
        return [c for c in self.calls if c.method in methods]

    def count(self, method: str) -> int:
        return len(self.calls_to(method))

    async def wait_for(self, predicate: Callable[["FakeSlackAPI"], bool], timeout: float = 5.0) -> None:
        """Wait until predicate(self) holds (raises TimeoutError with the calls seen)."""
        deadline = time.monotonic() + timeout
        while not predicate(self):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"condition not met; calls: {[c.method for c in self.calls]}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=min(remaining, 0.05))
            except asyncio.TimeoutError:
                pass

    async def wait_calls(self, method: str, n: int = 1, timeout: float = 5.0) -> list[Call]:
        await self.wait_for(lambda f: f.count(method) >= n, timeout)
        return self.calls_to(method)

    # ----------------------------------------------------------- handlers
    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self._changed.set()

    def _next_ts(self) -> str:
        n = next(self._seq)
        return f"{1700000000 + n}.{n:06d}"

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        ctype = request.content_type or ""
        if ctype == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
        for key in ("blocks", "files", "attachments"):
            if isinstance(params.get(key), str):
                try:
                    params[key] = json.loads(params[key])
                except ValueError:
                    pass
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        call = Call(method, params, dict(request.headers), path=request.path)
        self._record(call)
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        if method in self.fail:
            return web.json_response({"ok": False, "error": self.fail.pop(method)})
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") and "token" not in params:
            return web.json_response({"ok": False, "error": "not_authed"})
        call.response = self._answer(method, params)
        return web.json_response(call.response)

    def _answer(self, method: str, p: dict[str, Any]) -> dict[str, Any]:
        if method == "apps.connections.open":
            return {"ok": True, "url": f"{self.root.replace('http://', 'ws://')}/socket"}
        if method == "auth.test":
            return {"ok": True, "url": "https://fake.slack.test/", "team": "Fake", "user": "growthpilot",
                    "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "is_enterprise_install": False}
        if method == "chat.postMessage":
            ts = self._next_ts()
            msg = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "text": p.get("text", ""), "ts": ts,
                   "thread_ts": p.get("thread_ts")}
            self.threads.setdefault((p.get("channel", ""), p.get("thread_ts") or ts), []).append(msg)
            return {"ok": True, "channel": p.get("channel"), "ts": ts, "message": msg}
        if method == "chat.update":
            return {"ok": True, "channel": p.get("channel"), "ts": p.get("ts"), "text": p.get("text", "")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._seq):08d}"
            return {"ok": True, "upload_url": f"{self.root}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = p.get("files") or []
            return {"ok": True, "files": [{"id": f.get("id"), "title": f.get("title", ""), "name": f.get("title", "")} for f in files]}
        if method == "conversations.replies":
            return {"ok": True, "messages": self.threads.get((p.get("channel", ""), p.get("ts", "")), []), "has_more": False}
        if method == "users.info":
            uid = p.get("user", "")
            return {"ok": True, "user": {"id": uid, "name": uid.lower(), "is_bot": False, "locale": "en-US", "tz": "Asia/Shanghai"}}
        return {"ok": True}

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, then relay envelopes (send_envelope) and record the acks."""
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0001"}}))
        self._changed.set()
        async for msg in ws:
            if msg.type.name == "TEXT":
                self.socket_acks.append(json.loads(msg.data))
                self._record(Call("socket_ack", json.loads(msg.data), {}))
        return ws

    async def send_envelope(self, kind: str, payload: dict, *, retry_attempt: int = 0) -> str:
        """Push an envelope ("events_api", "slash_commands", "interactive") to the connected app."""
        envelope_id = f"env-{next(self._envelopes)}"
        await self.sockets[-1].send_str(json.dumps({
            "envelope_id": envelope_id, "type": kind, "payload": payload, "accepts_response_payload": kind != "events_api",
            "retry_attempt": retry_attempt, "retry_reason": "timeout" if retry_attempt else ""}))
        return envelope_id

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        file_id = request.match_info["file_id"]
        self.uploads[file_id] = data
        self._record(Call("upload", {"file_id": file_id, "size": len(data)}, dict(request.headers), path=request.path, body=data))
        return web.Response(text=f"OK - {len(data)}")

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._record(Call("response_url", body, dict(request.headers), path=request.path))
        return web.Response(text="ok")


# --------------------------------------------------------------------------- Events API requests
def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """Headers of a request signed like Slack does (v0 HMAC-SHA256 over 'v0:ts:body')."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def event_body(event: dict, *, event_id: str, team_id: str = TEAM_ID) -> str:
    return json.dumps({
        "token": "legacy", "team_id": team_id, "api_app_id": "A0001", "type": "event_callback",
        "event_id": event_id, "event_time": int(time.time()), "event": event,
        "authorizations": [{"team_id": team_id, "user_id": BOT_USER_ID, "is_bot": True}],
    })


def mention(text: str, *, user: str = "U123", channel: str = "C100", ts: str = "1700000000.000100", thread_ts: str | None = None) -> dict:
    ev = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER_ID}> {text}", "ts": ts, "channel": channel, "event_ts": ts}
    if thread_ts:
        ev["thread_ts"] = thread_ts
    return ev


def slash_form(text: str, *, response_url: str, user: str = "U123", channel: str = "C100", command: str = "/growth") -> str:
    from urllib.parse import urlencode

    return urlencode({"token": "legacy", "team_id": TEAM_ID, "channel_id": channel, "user_id": user, "command": command,
                      "text": text, "response_url": response_url, "trigger_id": f"trig-{time.monotonic_ns()}", "api_app_id": "A0001"})


def action_form(action_id: str, value: str, *, response_url: str, user: str = "U123", channel: str = "C100", thread_ts: str | None = None) -> str:
    from urllib.parse import urlencode

    payload = {"type": "block_actions", "team": {"id": TEAM_ID}, "user": {"id": user}, "api_app_id": "A0001",
               "channel": {"id": channel}, "container": {"type": "message", "channel_id": channel},
               "message": {"ts": "1700000000.000200", "thread_ts": thread_ts}, "response_url": response_url,
               "trigger_id": f"trig-{time.monotonic_ns()}", "actions": [{"action_id": action_id, "block_id": "b1", "value": value, "type": "button"}]}
    return urlencode({"payload": json.dumps(payload)})
