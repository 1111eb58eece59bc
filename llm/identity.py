"""Model identity: a name and a sha256 that pin exactly which base weights an adapter belongs to."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".gguf")


@dataclass(frozen=True)
class ModelIdentity:
    """`sha256` is the sha256 of the GGUF file for GGUF/embedded models, and a fingerprint
    of config.json + each weight file's name, size and header for transformers folders."""

    name: str
    sha256: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "sha256": self.sha256}

    @property
    def short(self) -> str:
        return f"{self.name}@{self.sha256[:12]}"


def folder_fingerprint(folder: Path) -> str:
    """A cheap, deterministic sha256 for a transformers folder (no need to read gigabytes).

    Covers config.json and, per weight file, its name, size and header (a safetensors file's
    header lists every tensor's name, dtype, shape and byte offsets; other formats: first MiB)."""
    folder = Path(folder)
    digest = hashlib.sha256()
    config = folder / "config.json"
    if config.is_file():
        digest.update(b"config.json\0" + config.read_bytes())
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith(_WEIGHT_SUFFIXES)):
        size = path.stat().st_size
        digest.update(f"\0{path.name}\0{size}\0".encode())
        with open(path, "rb") as f:
            if path.suffix == ".safetensors":
                (n,) = struct.unpack("<Q", f.read(8))
                digest.update(f.read(min(n, 100_000_000)))
            else:
                digest.update(f.read(1 << 20))
    return digest.hexdigest()
