"""Secrets come from the environment only; a missing one names its variable."""

from __future__ import annotations


class MissingCredential(Exception):
    """A token the enabled channel needs is not in the environment (names the variable)."""

    user_facing = True

    def __init__(self, variable: str, why: str):
        super().__init__(f"{variable} is not set: {why}")
        self.variable = variable
