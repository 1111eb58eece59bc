"""Synthetic behaviour logs with planted structure, for tests, benchmarks and demos.

Users differ in activity and in a hidden purchase intent that persists over time (so past
carts and purchases predict future purchases: a propensity model has something to learn).
Items follow a long-tailed popularity; item i belongs to category i % n_categories.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .prepare import BEHAVIORS, DAY_S

START_TS = 1_700_000_000 - 1_700_000_000 % DAY_S  # a UTC midnight (2023-11-14)


def make_behavior(
    n_rows: int = 10_000,
    *,
    n_users: int | None = None,
    n_items: int | None = None,
    n_categories: int = 50,
    n_days: int = 21,
    seed: int = 0,
    drop_item: int | None = None,
    drop_share: float = 0.8,
) -> pd.DataFrame:
    """A frame in the store's behaviour contract (user, item_id, category_id, behavior, ts).

    `drop_item`: that item loses `drop_share` of its events in the last 7 days (a planted drop).
    """
    rng = np.random.default_rng(seed)
    n_users = n_users or max(10, n_rows // 50)
    n_items = n_items or max(20, n_rows // 20)
    activity = rng.lognormal(0.0, 1.0, n_users)
    intent = rng.beta(0.6, 6.0, n_users)
    # a quarter of the users stop early (dormant)
    last_day = np.where(rng.random(n_users) < 0.25, rng.integers(0, n_days // 2 + 1, n_users), n_days - 1)
    user = rng.choice(n_users, size=n_rows, p=activity / activity.sum())
    pop = 1.0 / np.arange(1, n_items + 1) ** 0.9
    item = rng.choice(n_items, size=n_rows, p=pop / pop.sum())
    day = np.minimum((rng.random(n_rows) * (last_day[user] + 1)).astype(np.int64), last_day[user])
    p_buy = 0.004 + 0.10 * intent[user]
    p_cart = 0.02 + 0.12 * intent[user]
    p_fav = np.full(n_rows, 0.03)
    r = rng.random(n_rows)
    b = np.zeros(n_rows, dtype=np.int8)
    b[r < p_buy + p_cart + p_fav] = 2
    b[r < p_buy + p_cart] = 1
    b[r < p_buy] = 3
    ts = START_TS + day * DAY_S + rng.integers(0, DAY_S, n_rows)
    df = pd.DataFrame({
        "user": pd.Series([f"u{u:07d}" for u in range(n_users)]).to_numpy(dtype=object)[user],
        "item_id": (item + 1000).astype(np.int64),
        "category_id": ((item % n_categories) + 100).astype(np.int64),
        "behavior": pd.Categorical.from_codes(b, categories=list(BEHAVIORS)),
        "ts": ts.astype(np.int64),
    })
    if drop_item is not None:
        last_week = day >= n_days - 7
        kill = (df["item_id"].to_numpy() == drop_item) & last_week & (rng.random(n_rows) < drop_share)
        df = df[~kill].reset_index(drop=True)
    return df


def make_reviews(n: int = 200, *, seed: int = 0, products: tuple[str, ...] = ("1000", "1001", "1002")) -> pd.DataFrame:
    """Small bilingual reviews in the store's reviews contract; product "1001" has planted
    complaints about 续航 / battery, "1000" praise for 物流 / shipping."""
    rng = np.random.default_rng(seed)
    zh_pos = ["物流很快，包装完好，很满意", "质量不错，价格实惠", "屏幕清晰，音质很好，推荐", "客服态度很好，物流也快"]
    zh_neg = ["续航太差了，一天要充三次电", "电池续航不行，很失望", "质量很差，客服也不理人", "尺寸偏小，退货了"]
    en_pos = ["Love it, shipping was fast", "Great sound quality and easy setup", "Alexa works great, good price"]
    en_neg = ["Battery life is terrible", "The battery died after a week, very disappointed", "Setup was a nightmare, poor sound"]
    rows = []
    for i in range(n):
        product = products[i % len(products)]
        zh = rng.random() < 0.5
        pos = rng.random() < (0.25 if product == "1001" else 0.8)
        if product == "1001" and not pos:
            text = (zh_neg[rng.integers(0, 2)] if zh else en_neg[rng.integers(0, 2)])
        elif product == "1000" and pos:
            text = zh_pos[0] if zh else en_pos[0]
        else:
            pool = (zh_pos if pos else zh_neg) if zh else (en_pos if pos else en_neg)
            text = pool[rng.integers(0, len(pool))]
        rows.append({
            "id": f"review:{i:06x}", "text": text, "rating": float(rng.integers(4, 6) if pos else rng.integers(1, 3)),
            "label": pd.NA, "product": product, "category": "gadgets", "date": "2026-11-01", "user": f"p{i % 37}",
            "lang": "zh" if zh else "en",
        })
    df = pd.DataFrame(rows)
    df["label"] = df["label"].astype("Int64")
    return df
