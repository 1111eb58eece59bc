"""The one place that resolves and loads the causal LM, for the assistant and the trainer alike.

`ModelSettings.name` may be:
  * "embedded" / "embedded-small" — the GGUF models carried by pinned wheels (llm/embedded.py);
  * a local folder in transformers format, or with a GGUF file (`gguf_file`, or the only *.gguf
    in it, or a path straight to a .gguf file) — converted once to safetensors in the cache;
  * a hub id — loaded from the local hub cache, or downloaded where a hub can be reached.
When the configured model cannot be had, the embedded default is used with a warning (then the
small one); when no model at all can be had, ModelUnavailable names the install command.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from . import embedded as emb
from .identity import ModelIdentity, folder_fingerprint
from .lora import check_adapter_base, resolve_adapter
from .settings import ModelSettings
from .types import ModelUnavailable

log = logging.getLogger(__name__)

# CPU dtype for "auto" inference, measured with bench/bench_generate.py on the project's 2-core AMD
# EPYC (avx512_bf16), one torch thread, Qwen2.5-0.5B, 512-token prompt (docs/BENCHMARKS.md):
# bfloat16 decodes at batch 1 as fast as float32 (4.5-5.3 vs 4.7 tokens/s, within noise), reaches
# the first token 2.3x sooner, decodes 3 variants 2.5x faster and halves the memory. That needs
# native bf16 instructions; elsewhere bf16 matmuls are emulated and slow, so float32.
_NATIVE_BF16_FLAGS = ("avx512_bf16", "amx_bf16")

Kind = Literal["embedded", "folder", "gguf", "hub"]


@dataclass(frozen=True)
class ResolvedModel:
    """Where the weights come from, before anything heavy is loaded."""

    kind: Kind
    name: str  # what the identity is called (hub id, folder, embedded model name)
    path: Path | None  # folder to load (for "hub": the snapshot in the hub cache, or None to download)
    gguf_file: str = ""  # file inside `path` for kind "gguf"
    identity: ModelIdentity | None = None  # None only for a hub id not downloaded yet
    embedded: emb.EmbeddedModel | None = None
    fell_back_from: str = ""  # the configured name when we fell back to an embedded model
    warnings: tuple[str, ...] = ()


@dataclass
class LoadedModel:
    """A model ready for generation or training (one per process)."""

    model: Any  # transformers PreTrainedModel (or peft.PeftModel when training an adapter)
    tokenizer: Any
    identity: ModelIdentity  # of the BASE model
    device: str
    dtype: str  # "float32" | "bfloat16" | "float16" | "int8" (dynamic int8 Linear layers over float32)
    adapter_name: str = ""
    adapter_path: Path | None = None
    resolved: ResolvedModel | None = None
    load_seconds: float = 0.0
    adapter_metadata: dict | None = field(default=None, repr=False)

    @property
    def model_id(self) -> str:
        """Base identity + adapter, recorded with every reply and feedback."""
        return self.identity.short + (f"+{self.adapter_name}" if self.adapter_name else "")


# ---------------------------------------------------------------- resolution


def _hub_offline() -> bool:
    flag = lambda v: str(os.environ.get(v, "")).lower() in ("1", "true", "yes", "on")
    return flag("HF_HUB_OFFLINE") or flag("TRANSFORMERS_OFFLINE")


def _looks_like_path(name: str) -> bool:
    return name.startswith(("/", "./", "../", "~", ".\\")) or name.count("/") > 1 or name.endswith(".gguf") or "\\" in name


def _find_gguf(folder: Path, gguf_file: str) -> str:
    if gguf_file:
        return gguf_file if (folder / gguf_file).is_file() else ""
    if (folder / "config.json").is_file():
        return ""
    ggufs = sorted(p.name for p in folder.glob("*.gguf"))
    return ggufs[0] if len(ggufs) == 1 else ""


def _gguf_identity(path: Path, cache_dir: Path) -> ModelIdentity:
    """Name + sha256 of a GGUF file; the hash is remembered per (path, size, mtime) in cache_dir,
    so a multi-GB file is read once, not at every start."""
    import json

    stat = path.stat()
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    memo_path = Path(cache_dir) / "gguf-sha256.json"
    try:
        memo = json.loads(memo_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        memo = {}
    sha = memo.get(key)
    if not sha:
        sha = emb.sha256_file(path)
        memo[key] = sha
        try:
            memo_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = memo_path.with_suffix(f".tmp-{os.getpid()}")
            tmp.write_text(json.dumps(memo, indent=1), encoding="utf-8")
            os.replace(tmp, memo_path)
        except OSError:  # a read-only cache only costs the re-hash next time
            pass
    return ModelIdentity(path.stem, sha)


def _embedded_resolution(key: str, cache_dir: Path) -> ResolvedModel | None:
    model = emb.EMBEDDED_MODELS[key]
    if not emb.is_available(model, cache_dir):
        return None
    return ResolvedModel(
        kind="embedded",
        name=model.name,
        path=emb.converted_dir(model, cache_dir),
        identity=ModelIdentity(model.name, model.sha256),
        embedded=model,
    )


def _hub_snapshot(repo_id: str) -> Path | None:
    """The locally cached snapshot of a hub repo with a config and weights, or None."""
    try:
        from huggingface_hub import snapshot_download

        path = Path(snapshot_download(repo_id, local_files_only=True))
    except Exception:  # noqa: BLE001 - any failure means "not cached"
        return None
    has_weights = any(path.glob("*.safetensors")) or any(path.glob("*.bin"))
    return path if (path / "config.json").is_file() and has_weights else None


def _fallback(settings: ModelSettings, reason: str) -> ResolvedModel:
    """The embedded default (then the small one) in place of a model that cannot be had."""
    for key in ("embedded", "embedded-small"):
        found = _embedded_resolution(key, settings.cache_dir)
        if found is not None:
            warning = f"{reason}; using the embedded model {found.name} instead"
            log.warning(warning)
            return replace(found, fell_back_from=settings.name, warnings=(warning,))
    raise ModelUnavailable(
        f"{reason}, and no embedded model is installed. "
        f"Fix: install the offline models with {emb.INSTALL_HINT}"
    )


def resolve_model(settings: ModelSettings) -> ResolvedModel:
    """Decide where the model comes from (cheap: hashes at most a GGUF file, loads nothing)."""
    name = settings.name.strip() or "embedded"
    if name in emb.EMBEDDED_MODELS:
        found = _embedded_resolution(name, settings.cache_dir)
        if found is not None:
            return found
        model = emb.EMBEDDED_MODELS[name]
        if name == "embedded":  # the default is missing: the small one will do, with a warning
            return _fallback(replace(settings, name=name), f"the embedded model {model.name} is not installed ({', '.join(model.packages)})")
        raise ModelUnavailable(
            f"the embedded model {model.name} is not installed ({', '.join(model.packages)}). Fix: {emb.INSTALL_HINT}"
        )

    path = Path(name).expanduser()
    if path.is_file() and path.suffix == ".gguf":
        return ResolvedModel("gguf", path.stem, path.parent, gguf_file=path.name, identity=_gguf_identity(path, settings.cache_dir))
    if path.is_dir():
        gguf = _find_gguf(path, settings.gguf_file)
        if gguf:
            return ResolvedModel("gguf", Path(gguf).stem, path, gguf_file=gguf, identity=_gguf_identity(path / gguf, settings.cache_dir))
        if (path / "config.json").is_file():
            return ResolvedModel("folder", str(path), path, identity=ModelIdentity(path.name, folder_fingerprint(path)))
        return _fallback(settings, f"model folder {path} has neither config.json nor a GGUF file")
    if _looks_like_path(name):
        return _fallback(settings, f"model folder {name} does not exist")

    snapshot = _hub_snapshot(name)
    if snapshot is not None:
        return ResolvedModel("hub", name, snapshot, identity=ModelIdentity(name, folder_fingerprint(snapshot)))
    if _hub_offline():
        return _fallback(settings, f"hub model {name!r} is not in the local hub cache and the hub is offline")
    return ResolvedModel("hub", name, None)  # downloaded by load_model


def model_identity(settings: ModelSettings) -> ModelIdentity:
    """The identity of the base model `settings` resolves to (what adapters are checked against)."""
    resolved = resolve_model(settings)
    if resolved.identity is None:  # a hub id not downloaded yet: the name is all we know
        return ModelIdentity(resolved.name, "")
    return resolved.identity


# ---------------------------------------------------------------- device and dtype


def choose_device(requested: str) -> str:
    import torch

    if requested in ("", "auto"):
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested.startswith("cuda") and not torch.cuda.is_available():
        raise ModelUnavailable(f"[model] device = {requested!r} but no CUDA GPU is visible. Fix: set device = \"auto\" or \"cpu\".")
    return requested


def choose_dtype(requested: str, device: str, *, for_training: bool = False) -> str:
    import torch

    if requested != "auto":
        return requested
    if device.startswith("cuda"):
        return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
    if for_training:  # bf16 gradients on a CPU are slow and lossy
        return "float32"
    return "bfloat16" if cpu_has_native_bf16() else "float32"


def cpu_has_native_bf16() -> bool:
    """True when the CPU has bf16 matmul instructions (Linux /proc/cpuinfo flags)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    flags = set(text.split())
    return any(f in flags for f in _NATIVE_BF16_FLAGS)


def cpu_threads(requested: int, device: str, *, for_training: bool = False, load: float | None = None) -> int:
    """Threads to give torch (0 = leave its default). Auto for CPU inference: the cores the load
    leaves free (cores − 1-minute load average, rounded, at least 1): on 2 cores, 2 threads decode
    1.5× faster when the cores are free and 4× slower when another busy process shares them
    (issue 9, docs/BENCHMARKS.md), so the thread count follows the load at start-up."""
    if requested > 0:
        return requested if device == "cpu" else 0
    if device != "cpu" or for_training:
        return 0
    cores = os.cpu_count() or 1
    if load is None:
        try:
            load = os.getloadavg()[0]
        except (OSError, AttributeError):  # no load average (Windows): leave one core free
            return max(1, cores - 1)
    return max(1, min(cores, int(cores - load + 0.5)))


# ---------------------------------------------------------------- loading


def quantize_int8(model: Any) -> Any:
    """torch's built-in dynamic int8 quantisation of the Linear layers (weights int8, activations
    quantised per batch at run time); CPU only. The tied output head is an nn.Linear too."""
    import torch

    # in place: a copy would hold the float32 model twice (6.3 GB peak measured with the copy, docs/BENCHMARKS.md)
    return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)


def _materialise(resolved: ResolvedModel, settings: ModelSettings, progress: bool, dtype: str = "float32") -> tuple[ResolvedModel, Path | str]:
    """A folder (or hub id) transformers can load fast: converts embedded/GGUF weights once (the
    embedded model in the dtype it will run in)."""
    if resolved.kind == "embedded":
        assert resolved.embedded is not None
        return resolved, emb.ensure_embedded(resolved.embedded, settings.cache_dir, progress=progress, dtype=dtype)
    if resolved.kind == "gguf":
        assert resolved.path is not None and resolved.identity is not None
        target = Path(settings.cache_dir) / f"gguf-{resolved.identity.sha256[:12]}"
        if not emb.is_converted(target):
            manifest = {"name": resolved.name, "sha256": resolved.identity.sha256, "source_gguf": str(resolved.path / resolved.gguf_file)}
            emb.convert_gguf_to_safetensors(resolved.path / resolved.gguf_file, target, manifest=manifest, progress=progress)
        return resolved, target
    if resolved.kind == "hub" and resolved.path is None:
        return resolved, resolved.name  # from_pretrained downloads just the files it needs
    assert resolved.path is not None
    return resolved, resolved.path


def load_model(settings: ModelSettings, *, for_training: bool = False, progress: bool = True) -> LoadedModel:
    """Resolve, (convert once,) and load the base model and the configured LoRA adapter.

    for_training=False: eval mode, adapter merged into the weights (faster decoding).
    for_training=True: float32 on CPU, the adapter (if configured) loaded trainable, not merged.
    """
    import time

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    t0 = time.perf_counter()
    device = choose_device(settings.device)
    dtype = choose_dtype(settings.dtype, device, for_training=for_training)
    quantize = settings.quantize if (not for_training and device == "cpu") else "none"
    cache_dtype = dtype
    if quantize == "int8":  # dynamic int8 quantises float32 Linear layers: load float32 from the cache of the default dtype
        cache_dtype, dtype = choose_dtype("auto", device), "float32"
    threads = cpu_threads(settings.threads, device, for_training=for_training)
    if threads:
        torch.set_num_threads(threads)  # process-wide: torch has one intra-op pool
    resolved, folder = _materialise(resolve_model(settings), settings, progress, cache_dtype)
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder)
        model = AutoModelForCausalLM.from_pretrained(folder, dtype=getattr(torch, dtype))
    except OSError as exc:
        if not isinstance(folder, str):
            raise ModelUnavailable(f"could not load the model from {folder}: {exc}. Fix: check [model] name, or {emb.INSTALL_HINT}") from exc
        # A hub id that could not be downloaded (no hub, no such repo, no permission ...).
        fallback = _fallback(settings, f"hub model {folder!r} could not be downloaded ({type(exc).__name__}: {exc})")
        resolved, folder = _materialise(fallback, settings, progress)
        tokenizer = AutoTokenizer.from_pretrained(folder)
        model = AutoModelForCausalLM.from_pretrained(folder, dtype=getattr(torch, dtype))
    if resolved.identity is None:  # downloaded just now: fingerprint the snapshot
        snapshot = _hub_snapshot(resolved.name)
        fingerprint = folder_fingerprint(snapshot) if snapshot else ""
        resolved = replace(resolved, path=snapshot, identity=ModelIdentity(resolved.name, fingerprint))
    assert resolved.identity is not None
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token

    adapter_name, adapter_path, meta = "", None, None
    if settings.adapter:
        adapter_path = resolve_adapter(settings.adapter, settings.adapters_dir)
        meta = check_adapter_base(adapter_path, resolved.identity)
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(adapter_path), is_trainable=for_training)
        if not for_training:
            model = model.merge_and_unload()
        adapter_name = (meta or {}).get("adapter_name") or adapter_path.name

    model.to(device)
    if not for_training:
        model.eval()
    if quantize == "int8":
        model = quantize_int8(model)
        dtype = "int8"
    return LoadedModel(
        model=model,
        tokenizer=tokenizer,
        identity=resolved.identity,
        device=device,
        dtype=dtype,
        adapter_name=adapter_name,
        adapter_path=adapter_path,
        resolved=resolved,
        load_seconds=time.perf_counter() - t0,
        adapter_metadata=meta,
    )
