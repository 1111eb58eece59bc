"""A local fake of the Telegram Bot API, driven through python-telegram-bot's `base_url`.

Serves getMe, getUpdates (long polling over queued updates), sendMessage, editMessageText,
sendChatAction, sendPhoto (multipart), answerCallbackQuery, deleteWebhook/setWebhook; records
every call; answers 429 with retry_after on demand (`fail_next_with_429`) or whenever a chat
is sent to faster than `strict_interval_s` (Telegram's flood control, for the benchmark).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "123456:TEST-token"
BOT = {"id": 42, "is_bot": True, "first_name": "Growthpilot", "username": "growthpilot_bot",
       "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
SEND_METHODS = ("sendMessage", "sendPhoto")


@dataclass
class TgCall:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    t: float = field(default_factory=time.monotonic)
    status: int = 200


class FakeTelegramAPI:
    def __init__(self, *, strict_interval_s: float | None = None):
        self.calls: list[TgCall] = []
        self.updates: list[dict] = []
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self._changed = asyncio.Event()
        self._pending_429: list[tuple[str, int]] = []  # (method, retry_after)
        self.strict_interval_s = strict_interval_s
        self._last_send: dict[str, float] = {}
        self._runner: web.AppRunner | None = None
        self.root = ""

    async def start(self) -> "FakeTelegramAPI":
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._api)
        app.router.add_get("/bot{token}/{method}", self._api)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.root = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"{self.root}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.root}/file/bot"

    # ----------------------------------------------------------- driving
    def fail_next_with_429(self, method: str = "sendMessage", retry_after: int = 1) -> None:
        self._pending_429.append((method, retry_after))

    def push_update(self, update: dict) -> dict:
        update = {"update_id": next(self._update_ids), **update}
        self.updates.append(update)
        self._new_update.set()
        return update

    def text_update(self, text: str, *, chat_id: int = 555, user_id: int = 777, chat_type: str = "private",
                    language_code: str = "en", message_id: int | None = None) -> dict:
        return self.push_update({"message": message(text, chat_id=chat_id, user_id=user_id, chat_type=chat_type,
                                                    language_code=language_code, message_id=message_id)})

    def callback_update(self, data: str, *, chat_id: int = 555, user_id: int = 777, language_code: str = "en") -> dict:
        return self.push_update({"callback_query": {
            "id": f"cbq{next(self._message_ids)}", "chat_instance": "ci", "data": data,
            "from": {"id": user_id, "is_bot": False, "first_name": "Ann", "language_code": language_code},
            "message": {"message_id": 9, "date": int(time.time()), "chat": {"id": chat_id, "type": "private"}, "text": "answer"},
        }})

    # ----------------------------------------------------------- queries
    def calls_to(self, *methods: str, ok_only: bool = True) -> list[TgCall]:
        return [c for c in self.calls if c.method in methods and (c.status == 200 or not ok_only)]

    def count_429(self) -> int:
        return sum(1 for c in self.calls if c.status == 429)

    async def wait_for(self, predicate, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate(self):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"condition not met; calls: {[(c.method, c.status) for c in self.calls]}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=min(remaining, 0.05))
            except asyncio.TimeoutError:
                pass

    async def wait_calls(self, method: str, n: int = 1, timeout: float = 5.0) -> list[TgCall]:
        await self.wait_for(lambda f: len(f.calls_to(method)) >= n, timeout)
        return self.calls_to(method)

    # ----------------------------------------------------------- the API
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != TOKEN:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        params: dict[str, Any] = dict(request.query)
        files: dict[str, bytes] = {}
        if request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                form = await request.post()
                for k, v in form.items():
                    if isinstance(v, str):
                        params[k] = v
                    else:  # a file part
                        files[k] = v.file.read()
        for k in ("reply_markup", "reply_parameters", "allowed_updates"):
            if isinstance(params.get(k), str):
                try:
                    params[k] = json.loads(params[k])
                except ValueError:
                    pass
        call = TgCall(method, params, files)
        status, payload = await self._answer(method, params, call)
        call.status = status
        self.calls.append(call)
        self._changed.set()
        return web.json_response(payload, status=status)

    def _too_many(self, method: str, params: dict[str, Any]) -> int | None:
        for i, (m, retry_after) in enumerate(self._pending_429):
            if m == method:
                del self._pending_429[i]
                return retry_after
        if self.strict_interval_s and method in SEND_METHODS:
            chat, now = str(params.get("chat_id")), time.monotonic()
            last = self._last_send.get(chat)
            if last is not None and now - last < self.strict_interval_s:
                return max(1, math.ceil(self.strict_interval_s - (now - last)))
            self._last_send[chat] = now
        return None

    async def _answer(self, method: str, p: dict[str, Any], call: TgCall) -> tuple[int, dict]:
        retry_after = self._too_many(method, p)
        if retry_after is not None:
            return 429, {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {retry_after}",
                         "parameters": {"retry_after": retry_after}}
        if method == "getMe":
            return 200, {"ok": True, "result": BOT}
        if method == "getUpdates":
            return 200, {"ok": True, "result": await self._get_updates(p)}
        if method in ("sendMessage", "editMessageText"):
            return 200, {"ok": True, "result": self._message(p, text=p.get("text", ""))}
        if method == "sendPhoto":
            msg = self._message(p, text=None)
            msg["photo"] = [{"file_id": "photo1", "file_unique_id": "u1", "width": 640, "height": 480}]
            if p.get("caption"):
                msg["caption"] = p["caption"]
            return 200, {"ok": True, "result": msg}
        return 200, {"ok": True, "result": True}  # sendChatAction, answerCallbackQuery, set/deleteWebhook, ...

    def _message(self, p: dict[str, Any], *, text: str | None) -> dict:
        chat_id = int(p.get("chat_id", 0))
        msg = {"message_id": int(p.get("message_id") or next(self._message_ids)), "date": int(time.time()),
               "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"}, "from": BOT}
        if text is not None:
            msg["text"] = text
        return msg

    async def _get_updates(self, p: dict[str, Any]) -> list[dict]:
        offset = int(p.get("offset") or 0)
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates:
            self._new_update.clear()
            try:  # long polling, kept short so tests stay fast
                await asyncio.wait_for(self._new_update.wait(), timeout=min(float(p.get("timeout") or 0), 0.5))
            except asyncio.TimeoutError:
                pass
        return list(self.updates)


def message(text: str, *, chat_id: int = 555, user_id: int = 777, chat_type: str = "private", language_code: str = "en",
            message_id: int | None = None) -> dict:
    entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}] if text.startswith("/") else []
    msg = {"message_id": message_id or 100, "date": int(time.time()), "text": text,
           "chat": {"id": chat_id, "type": chat_type, **({"title": "Team"} if chat_type != "private" else {"first_name": "Ann"})},
           "from": {"id": user_id, "is_bot": False, "first_name": "Ann", "language_code": language_code}}
    if entities:
        msg["entities"] = entities
    return msg
