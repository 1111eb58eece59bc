"""The config section that bot/ reads."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AssistantSettings:
    """[assistant] behaviour of the assistant core."""

    memory_turns: int = 10  # turns kept per conversation
    copy_variants: int = 3
    support_handover_after_failures: int = 2
    # support answers quote the passage; true lets the model rephrase them under the faithfulness check
    support_rephrase: bool = False
    brand_name: str = "Lumi"
    default_locale: str = "zh"
