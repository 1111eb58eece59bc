"""Running the Telegram Application: long polling, or a webhook endpoint that checks the secret token."""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from ..settings import TelegramSettings

log = logging.getLogger("growthpilot.telegram")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class TelegramWebhook:
    """POST `path`: refuses (403) a request whose secret-token header does not match, else queues the update."""

    def __init__(self, application: Application, secret: str, *, path: str):
        self.application = application
        self.secret = secret
        self.path = path
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not self.secret or not hmac.compare_digest(given.encode(), self.secret.encode()):
            return web.json_response({"ok": False, "error": "bad secret token"}, status=403)
        try:
            data = json.loads(await request.text())
        except ValueError:
            return web.json_response({"ok": False, "error": "not JSON"}, status=400)
        # an Update is a JSON object with an integer update_id; an array, a string, null… is refused
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int) or isinstance(data.get("update_id"), bool):
            return web.json_response({"ok": False, "error": "not an update object"}, status=400)
        try:
            update = Update.de_json(data, self.application.bot)
        except Exception as exc:  # noqa: BLE001 - any parse failure of the sender's body is the sender's fault
            log.info("webhook body refused: %s", type(exc).__name__)
            return web.json_response({"ok": False, "error": "not an update"}, status=400)
        if update is None:
            return web.json_response({"ok": False, "error": "not an update"}, status=400)
        await self.application.update_queue.put(update)
        return web.json_response({"ok": True})

    async def start(self, host: str, port: int) -> int:
        wa = web.Application()
        wa.router.add_post(self.path, self.handle)
        self._runner = web.AppRunner(wa, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


class TelegramRunner:
    """Start/stop the Application in the current event loop (so it shares it with Slack)."""

    def __init__(self, application: Application, settings: TelegramSettings, *, webhook_secret: str = ""):
        self.application = application
        self.settings = settings
        self.webhook = (
            TelegramWebhook(application, webhook_secret, path=settings.webhook_path) if settings.mode == "webhook" else None
        )

    async def start(self) -> None:
        app = self.application
        await app.initialize()  # getMe: fails early on a wrong token
        await app.start()
        if self.webhook is not None:
            try:
                port = await self.webhook.start(self.settings.webhook_host, self.settings.webhook_port)
            except OSError as exc:
                from ..service import ChannelStartError

                raise ChannelStartError(
                    f"Telegram: cannot listen on {self.settings.webhook_host}:{self.settings.webhook_port} "
                    f"({exc.strerror or exc}); set another [telegram] webhook_port") from exc
            if self.settings.webhook_url:
                await app.bot.set_webhook(url=self.settings.webhook_url, secret_token=self.webhook.secret,
                                          allowed_updates=Update.ALL_TYPES)
            log.info("Telegram webhook listening on port %s%s", port, self.settings.webhook_path)
        else:
            await app.updater.start_polling(timeout=self.settings.poll_timeout_s, allowed_updates=Update.ALL_TYPES)  # type: ignore[union-attr]
            log.info("Telegram long polling started")

    async def stop_intake(self) -> None:
        """Stop receiving new updates (polling or webhook); what is queued still gets processed."""
        if self.webhook is not None:
            await self.webhook.stop()
        elif self.application.updater is not None and self.application.updater.running:
            await self.application.updater.stop()

    async def stop(self) -> None:
        await self.stop_intake()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
