"""`growthpilot serve` in a child process with a real model worker (llm.worker.LocalGenerator over
the tiny random Qwen2 of tests/llm_tiny.py, slowed to ~20 ms per token) and the real Assistant over
a one-document retriever — for the SIGTERM-mid-answer test. Everything else is the real `serve`.

    python tests/fakes/serve_child.py CONFIG [serve options...]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS.parent), str(TESTS)]


def main(argv: list[str]) -> int:
    from growthpilot import wiring
    from growthpilot.cli import main as cli_main

    def build_generator(cfg, **_kw):
        from llm.identity import ModelIdentity
        from llm.loader import LoadedModel
        from llm.worker import LocalGenerator
        from llm_tiny import build_model, build_tokenizer

        tokenizer = build_tokenizer()
        model = build_model(tokenizer)
        model.register_forward_hook(lambda *_a: time.sleep(0.02))  # a slow model: ~50 tokens/s
        loaded = LoadedModel(model=model, tokenizer=tokenizer, identity=ModelIdentity("tiny", "ab" * 32), device="cpu", dtype="float32")
        return LocalGenerator(loaded, cfg.generation)

    def build_assistant(cfg, audience="team", *, notify_handover=None, generator=None, embedder=None, progress=True):
        from bot.assistant import Assistant
        from fakes.real_assistant import NeutralSentiment, OneDocRetriever

        return Assistant(cfg.assistant, generator=generator, team_retriever=OneDocRetriever(), public_retriever=OneDocRetriever(),
                         store_path=Path(cfg.data.dir) / f"bot-{audience}.sqlite", reports=None, notify_handover=notify_handover,
                         sentiment=NeutralSentiment())

    from growthpilot.commands import serve as serve_cmd

    serve_cmd.warm_up = lambda assistants: None  # the test asks with /ask: no intent model needed, save the CPU
    wiring.build_generator = build_generator
    wiring.build_assistant = build_assistant
    wiring.build_embedder = lambda cfg: None
    code = cli_main(["serve", "--config", argv[0], *argv[1:]])
    import threading

    alive = [t.name for t in threading.enumerate() if t.name == "growthpilot-llm-worker" and t.is_alive()]
    print(f"model worker threads alive at exit: {len(alive)}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
