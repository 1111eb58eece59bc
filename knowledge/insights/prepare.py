"""Check and encode a behaviour frame once, so every insight works on integer arrays."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from ..types import KnowledgeError

BEHAVIORS: tuple[str, ...] = ("pv", "cart", "fav", "buy")
PV, CART, FAV, BUY = 0, 1, 2, 3
DAY_S = 86_400
REQUIRED = ("user", "item_id", "category_id", "behavior", "ts")


@dataclass(frozen=True)
class BehaviorData:
    """A behaviour log as aligned numpy arrays (one entry per event).

    user: int codes into `users`; b: 0 pv, 1 cart, 2 fav, 3 buy; day: UTC day number (ts // 86400).
    """

    frame: pd.DataFrame
    user: np.ndarray  # int64 codes
    users: np.ndarray  # user pseudonyms, indexed by code
    item: np.ndarray  # int64 item ids
    category: np.ndarray  # int64 category ids
    b: np.ndarray  # int8 behaviour codes
    ts: np.ndarray  # int64 unix seconds
    day: np.ndarray  # int64 day numbers

    @property
    def n_users(self) -> int:
        return len(self.users)

    def __len__(self) -> int:
        return len(self.ts)

    @cached_property
    def item_codes(self) -> tuple[np.ndarray, np.ndarray]:
        """(dense codes, unique item ids), computed once."""
        codes, uniq = pd.factorize(self.item)
        return codes.astype(np.int64), np.asarray(uniq)

    @cached_property
    def category_codes(self) -> tuple[np.ndarray, np.ndarray]:
        codes, uniq = pd.factorize(self.category)
        return codes.astype(np.int64), np.asarray(uniq)


def behavior_codes(values: pd.Series) -> np.ndarray:
    """pv/cart/fav/buy → 0..3 (a category with exactly those categories is used as is)."""
    if isinstance(values.dtype, pd.CategoricalDtype) and tuple(values.cat.categories) == BEHAVIORS:
        codes = values.cat.codes.to_numpy()
    else:
        codes = pd.Index(list(BEHAVIORS)).get_indexer(values.astype(str))
    if (codes < 0).any():
        bad = pd.Series(values)[codes < 0].astype(str).unique()[:5]
        raise KnowledgeError(f"behaviour frame: unknown behaviour values {list(bad)} (expected pv, cart, fav, buy)")
    return codes.astype(np.int8)


def prepare(behavior: pd.DataFrame | BehaviorData) -> BehaviorData:
    """Validate the contract columns and encode them (idempotent on a BehaviorData)."""
    if isinstance(behavior, BehaviorData):
        return behavior
    missing = [c for c in REQUIRED if c not in behavior.columns]
    if missing:
        raise KnowledgeError(f"behaviour frame is missing columns {missing} (expected {list(REQUIRED)})")
    user_codes, users = pd.factorize(behavior["user"], sort=True)
    ts = behavior["ts"].to_numpy(dtype=np.int64)
    return BehaviorData(
        frame=behavior,
        user=user_codes.astype(np.int64),
        users=np.asarray(users, dtype=object),
        item=behavior["item_id"].to_numpy(dtype=np.int64),
        category=behavior["category_id"].to_numpy(dtype=np.int64),
        b=behavior_codes(behavior["behavior"]),
        ts=ts,
        day=ts // DAY_S,
    )


def day_to_date(day: int | np.integer) -> str:
    """UTC day number → "YYYY-MM-DD"."""
    return str(np.datetime64(int(day), "D"))


def subset(data: BehaviorData, mask: np.ndarray) -> BehaviorData:
    """The events where `mask` is true (user codes keep the same meaning)."""
    return BehaviorData(
        frame=data.frame,
        user=data.user[mask],
        users=data.users,
        item=data.item[mask],
        category=data.category[mask],
        b=data.b[mask],
        ts=data.ts[mask],
        day=data.day[mask],
    )
