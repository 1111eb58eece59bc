"""The channels `growthpilot serve` knows: one line each, "name": "module:SPEC".

A new channel is a package under adapters/ whose module exposes a `ChannelSpec` (see
adapters/service.py) plus one line here — nothing in adapters/service.py or
growthpilot/commands/serve.py names a channel. Its config section is `[name]` (a dataclass field
`name` of growthpilot.config.AppConfig with at least `enabled: bool`).
"""

from __future__ import annotations

import importlib

CHANNELS: dict[str, str] = {
    "slack": "adapters.slack.channel:SPEC",
    "telegram": "adapters.telegram.channel:SPEC",
}


def load(name: str):
    """The ChannelSpec registered as `name` (imported only now: a channel's libraries load when used)."""
    module, _, attr = CHANNELS[name].partition(":")
    return getattr(importlib.import_module(module), attr)


def names() -> list[str]:
    return list(CHANNELS)
