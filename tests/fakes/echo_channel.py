"""A whole extra channel in one module, for the registry test: answers each line put on `inbox` via the team assistant."""

from __future__ import annotations

import asyncio
import os
import signal

from adapters.service import ChannelSpec, ServeContext
from bot.types import Message

ANSWERS: list[str] = []


class EchoChannel:
    name = "echo"

    def __init__(self, assistant):
        self.assistant = assistant

    async def start(self) -> None:
        reply = await self.assistant.handle(Message(platform="echo", channel="e1", user="u1", text="hello from echo"))
        ANSWERS.append(reply.text)
        asyncio.get_running_loop().call_later(0.05, os.kill, os.getpid(), signal.SIGTERM)  # then stop, as an operator would

    async def stop_intake(self) -> None:
        pass

    async def drain(self, timeout_s: float) -> int:
        return 0

    async def close(self) -> None:
        pass


def _build(ctx: ServeContext) -> EchoChannel:
    return EchoChannel(ctx.assistants["team"])


SPEC = ChannelSpec(name="echo", description="a test channel", credentials=lambda cfg, env: object(),
                   audiences=lambda cfg, creds: {"team"}, build=_build)
