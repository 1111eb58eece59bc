"""Errors of training/ meant for the person (the CLI maps `user_facing = True` to exit code 2)."""

from __future__ import annotations


class TrainingError(Exception):
    """Something the person can fix: a bad dataset, a missing adapter, an impossible setting."""

    user_facing = True


class DatasetError(TrainingError):
    """A dataset file is missing, empty, or has a malformed line (the message names file and line)."""
