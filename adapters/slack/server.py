"""Running the Slack app: the HTTP Events API endpoint (aiohttp) or Socket Mode."""

from __future__ import annotations

import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger("growthpilot.slack")


class SlackHttpServer:
    """POST `path` → signature check (401 when bad, missing or older than 5 minutes) → Bolt.

    Bolt verifies the signature too; checking first here turns malformed headers (a
    non-numeric timestamp) into a clean 401 instead of an internal error.
    """

    def __init__(self, app: AsyncApp, signing_secret: str, *, path: str = "/slack/events"):
        self.app = app
        self.path = path
        self.verifier = SignatureVerifier(signing_secret)
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        self.accepting = True  # False while shutting down: 503 so Slack redelivers to the next process

    def web_app(self) -> web.Application:
        wa = web.Application()
        wa.router.add_post(self.path, self.handle)
        wa.router.add_get("/healthz", self._health)
        return wa

    async def handle(self, request: web.Request) -> web.Response:
        if not self.accepting:
            return web.json_response({"error": "shutting down"}, status=503)
        body = await request.text()
        ts = request.headers.get("X-Slack-Request-Timestamp", "")
        sig = request.headers.get("X-Slack-Signature", "")
        try:
            valid = ts.isdigit() and self.verifier.is_valid(body, ts, sig)
        except (ValueError, TypeError):
            valid = False
        if not valid:
            return web.json_response({"error": "invalid request signature"}, status=401)
        if not _well_formed(body, request.headers.get("Content-Type", "")):
            # signed but malformed (not JSON, a JSON array/string/null, a broken `payload=`): the sender's fault
            return web.json_response({"error": "malformed request body: expected a JSON object or a form"}, status=400)
        bolt_req = AsyncBoltRequest(body=body, query=request.query_string, headers=dict(request.headers))
        bolt_resp = await self.app.async_dispatch(bolt_req)
        return await to_aiohttp_response(bolt_resp)

    async def _health(self, _request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def start(self, host: str, port: int) -> int:
        """Listen on host:port (port 0 = any free port); returns the port."""
        self._runner = web.AppRunner(self.web_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        log.info("Slack Events API listening on http://%s:%s%s", host, self.port, self.path)
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


def _well_formed(body: str, content_type: str) -> bool:
    """True when Bolt's parser turns `body` into a non-empty dict (what every Slack request is)."""
    try:
        parsed = parse_body(body, content_type.split(";")[0].strip() or None)
    except (ValueError, TypeError):
        return False
    return isinstance(parsed, dict) and bool(parsed)


class SlackSocketMode:
    """Socket Mode (an outbound websocket; no public URL needed) when SLACK_APP_TOKEN is set."""

    def __init__(self, app: AsyncApp, app_token: str):
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        self.handler = AsyncSocketModeHandler(app, app_token)

    async def start(self) -> None:
        await self.handler.connect_async()
        log.info("Slack Socket Mode connected")

    async def stop(self) -> None:
        await self.handler.close_async()
