"""config.toml → typed, frozen sections, read once at start-up.

Each part of growthpilot defines the dataclass of its own section next to its code
(`knowledge.settings`, `llm.settings`, ...) and receives only that section. This
module parses the file with `tomllib`, checks every key against those dataclasses
and fails with an error naming the file, the line and the key. Fields typed `Path`
are resolved relative to the folder of the config file. Secrets are never read
from here: see `growthpilot.secrets`.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args, get_origin, get_type_hints

from adapters.settings import SlackSettings, TelegramSettings, ServeSettings
from bot.settings import AssistantSettings
from knowledge.settings import (
    DataSettings,
    EmbeddingSettings,
    IndexSettings,
    IngestSettings,
    PrivacySettings,
    SearchSettings,
)
from llm.settings import GenerationSettings, ModelSettings
from training.settings import TrainingSettings

from .errors import ConfigError

DEFAULT_CONFIG = Path("config.toml")


@dataclass(frozen=True)
class AppConfig:
    """All sections. `source` is the file they came from (None: built-in defaults)."""

    data: DataSettings = field(default_factory=DataSettings)
    ingest: IngestSettings = field(default_factory=IngestSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    embeddings: EmbeddingSettings = field(default_factory=EmbeddingSettings)
    index: IndexSettings = field(default_factory=IndexSettings)
    search: SearchSettings = field(default_factory=SearchSettings)
    model: ModelSettings = field(default_factory=ModelSettings)
    generation: GenerationSettings = field(default_factory=GenerationSettings)
    training: TrainingSettings = field(default_factory=TrainingSettings)
    assistant: AssistantSettings = field(default_factory=AssistantSettings)
    slack: SlackSettings = field(default_factory=SlackSettings)
    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    serve: ServeSettings = field(default_factory=ServeSettings)
    source: Path | None = None


def load_config(path: str | Path | None = None, *, required: bool | None = None) -> AppConfig:
    """Read `path` (default ./config.toml). A missing default file gives built-in defaults
    (relative paths then resolve against the current folder); a missing explicit file is an error."""
    explicit = path is not None
    path = Path(path) if path is not None else DEFAULT_CONFIG
    if required is None:
        required = explicit
    if not path.exists():
        if required:
            raise ConfigError(f"config file not found: {path}", fix="pass --config PATH or create config.toml")
        return _resolve_paths(AppConfig(), Path.cwd())
    text = path.read_text(encoding="utf-8-sig")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    locator = _Locator(path, text)
    cfg = _build(AppConfig, raw, locator, prefix="", skip={"source"})
    cfg = dataclasses.replace(cfg, source=path.resolve())
    return _resolve_paths(cfg, path.resolve().parent)


def parse_config_text(text: str, *, base_dir: Path, name: str = "<config>") -> AppConfig:
    """Parse TOML text (for tests and `growthpilot config check`)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: not valid TOML: {exc}") from exc
    cfg = _build(AppConfig, raw, _Locator(Path(name), text), prefix="", skip={"source"})
    return _resolve_paths(cfg, base_dir)


# ---------------------------------------------------------------------------------
class _Locator:
    """Finds the line of `section.key` in the TOML text, for error messages."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.lines = text.splitlines()

    def where(self, dotted: str) -> str:
        parts = dotted.split(".")
        key = parts[-1]
        section = ".".join(parts[:-1])
        current = ""
        for no, line in enumerate(self.lines, 1):
            s = line.strip()
            m = re.match(r"^\[\s*([^\]]+?)\s*\]$", s)
            if m:
                current = m.group(1)
                if current == dotted:
                    return f"{self.path}:{no}"
                continue
            if current == section and re.match(rf"^\"?{re.escape(key)}\"?\s*=", s):
                return f"{self.path}:{no}"
        return str(self.path)


def _build(cls: type, table: Any, loc: _Locator, prefix: str, skip: set[str] = frozenset()):
    if not isinstance(table, dict):
        raise ConfigError(f"{loc.where(prefix)}: '{prefix}' must be a table, got {type(table).__name__}")
    hints = get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name not in skip}
    unknown = [k for k in table if k not in fields]
    if unknown:
        k = unknown[0]
        dotted = f"{prefix}.{k}" if prefix else k
        known = ", ".join(sorted(fields))
        raise ConfigError(f"{loc.where(dotted)}: unknown key '{dotted}' (known here: {known})")
    values = {}
    for name, value in table.items():
        dotted = f"{prefix}.{name}" if prefix else name
        values[name] = _convert(hints[name], value, loc, dotted)
    return cls(**values)


def _convert(tp: Any, value: Any, loc: _Locator, dotted: str):
    origin = get_origin(tp)
    if dataclasses.is_dataclass(tp):
        return _build(tp, value, loc, dotted)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        errors = []
        for a in args:
            try:
                return _convert(a, value, loc, dotted)
            except ConfigError as exc:
                errors.append(str(exc))
        raise ConfigError(errors[0])
    if origin is Literal:
        allowed = get_args(tp)
        if value not in allowed:
            raise ConfigError(f"{loc.where(dotted)}: '{dotted}' must be one of {', '.join(map(repr, allowed))}, got {value!r}")
        return value
    if origin is tuple:
        (item_tp, *_rest) = get_args(tp)
        if not isinstance(value, list):
            raise ConfigError(f"{loc.where(dotted)}: '{dotted}' must be a list, got {type(value).__name__}")
        return tuple(_convert(item_tp, v, loc, f"{dotted}") for v in value)
    if origin is dict or tp is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{loc.where(dotted)}: '{dotted}' must be a table")
        return types.MappingProxyType(dict(value))
    if tp is Path:
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{loc.where(dotted)}: '{dotted}' must be a non-empty path string")
        return Path(value).expanduser()
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{loc.where(dotted)}: '{dotted}' must be true or false, got {value!r}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{loc.where(dotted)}: '{dotted}' must be an integer, got {value!r}")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{loc.where(dotted)}: '{dotted}' must be a number, got {value!r}")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"{loc.where(dotted)}: '{dotted}' must be a string, got {value!r}")
        return value
    raise ConfigError(f"{loc.where(dotted)}: unsupported type for '{dotted}'")  # pragma: no cover


def _resolve_paths(obj: Any, base: Path):
    """Return a copy where every relative Path field is made absolute against `base`."""
    if not dataclasses.is_dataclass(obj):
        return obj
    changes = {}
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        if isinstance(v, Path) and f.name != "source":
            v = v.expanduser()  # "~/.config/growthpilot/pseudonym.key"
            changes[f.name] = v if v.is_absolute() else (base / v)
        elif dataclasses.is_dataclass(v):
            changes[f.name] = _resolve_paths(v, base)
    return dataclasses.replace(obj, **changes)


def describe(cfg: AppConfig) -> dict:
    """The effective configuration as plain data (for `growthpilot config show --json`)."""

    def plain(v):
        if dataclasses.is_dataclass(v):
            return {f.name: plain(getattr(v, f.name)) for f in dataclasses.fields(v)}
        if isinstance(v, Path):
            return str(v)
        if isinstance(v, tuple):
            return [plain(x) for x in v]
        if isinstance(v, types.MappingProxyType):
            return dict(v)
        return v

    return plain(cfg)
