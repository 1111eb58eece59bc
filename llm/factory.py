"""Build the configured `Generator`: the local transformers worker or an OpenAI-compatible server."""

from __future__ import annotations

import os

from .settings import GenerationSettings, ModelSettings
from .types import Generator

API_KEY_ENV = "OPENAI_API_KEY"


def make_generator(
    model: ModelSettings,
    gen: GenerationSettings,
    *,
    api_key: str | None = None,
    progress: bool = True,
) -> Generator:
    """The generator [generation] backend asks for.

    "local": loads the model (llm.loader.load_model) behind one worker thread (LocalGenerator).
    "openai": talks to `gen.openai_base_url`; the key is `api_key`, else the OPENAI_API_KEY
    environment variable, else none (a local vLLM usually needs none).
    """
    if gen.backend == "openai":
        from .openai_backend import OpenAIGenerator

        key = api_key if api_key is not None else os.environ.get(API_KEY_ENV) or None
        return OpenAIGenerator(gen, key)
    from .loader import load_model
    from .worker import LocalGenerator

    return LocalGenerator(load_model(model, progress=progress), gen)
