"""The two tiers of errors.

A `UserFacingError` carries a message meant for the person (bad command, no data
yet, model not installed), ideally with the command that fixes it. Anything else
is an internal error: logged with an id, and the person sees a short apology with
that id. Layers that may not import this module (knowledge/) raise their own
exception types, which the CLI maps to this tier.
"""

from __future__ import annotations

import logging
import uuid


class UserFacingError(Exception):
    """An error whose message is written for the person who caused it."""

    def __init__(self, message: str, *, fix: str | None = None, exit_code: int = 2):
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message if not self.fix else f"{self.message}\n  fix: {self.fix}"


class ConfigError(UserFacingError):
    """config.toml is missing, malformed or has a wrong key/value (names file, line and key)."""


def log_internal(exc: BaseException, logger: logging.Logger | None = None) -> str:
    """Log an unexpected exception with a fresh id and return the id (shown to the person)."""
    error_id = uuid.uuid4().hex[:8]
    (logger or logging.getLogger("growthpilot")).error("internal error %s", error_id, exc_info=exc)
    return error_id


def apology(error_id: str) -> str:
    return f"Sorry, something went wrong on our side (error id {error_id}). The team can look it up in the logs."
