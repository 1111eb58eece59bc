"""What every generation backend promises (local transformers worker, OpenAI-compatible server, test fake)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable, Protocol, Sequence

ChatMessage = dict  # {"role": "system"|"user"|"assistant", "content": str}
# Called with the text generated so far (the whole of it, not the delta) as it grows.
OnText = Callable[[str], Awaitable[None] | None]


@dataclass(frozen=True)
class GenerationResult:
    texts: tuple[str, ...]  # n variants
    model_id: str  # base model identity + adapter name, recorded with feedback
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    first_token_s: float = 0.0
    stopped_by: str = "eos"  # "eos" | "max_tokens" | "stop" | "timeout"


class Generator(Protocol):
    """An async text generator over chat messages."""

    @property
    def model_id(self) -> str: ...

    async def generate(
        self,
        messages: Sequence[ChatMessage],
        *,
        n: int = 1,
        max_new_tokens: int | None = None,
        temperature: float | None = None,
        stop: Sequence[str] = (),
        on_text: OnText | None = None,
        schema: dict | None = None,
    ) -> GenerationResult: ...
    # `schema`: a JSON schema the reply must follow (grammar-constrained decoding, llm/constrained.py);
    # the text is then compact JSON the schema accepts (unless cut short by max_new_tokens).


class ModelError(Exception):
    """Base of the errors meant for the person (the CLI maps user_facing errors to exit 2)."""

    user_facing = True


class ModelUnavailable(ModelError):
    """No model could be loaded; the message names the command that installs one."""


class ModelBusy(ModelError):
    """The generation queue is full: an explicit 'busy' answer instead of a hang."""


class AdapterMismatch(ModelError):
    """A LoRA adapter was trained on a different base model."""
