"""Marketing-effect prediction: who is likely to buy in the next `label_days` days.

Time-based split, no leakage: features only see events strictly before a cutoff; the label
is "bought anything in [cutoff, cutoff + label_days)". The model is trained at
cutoff_train = cutoff_test - label_days and evaluated (held-out AUC) at
cutoff_test = end of log - label_days, so the test labels lie after everything the model
was trained on. Users are then scored on features up to the end of the log.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from .features import bought_between, user_features, user_features_at
from .prepare import DAY_S, BehaviorData, day_to_date, prepare

Model = Literal["hgb", "logistic"]


@dataclass(frozen=True)
class PropensityResult:
    """A trained propensity model and how it did on the held-out (later) window."""

    auc: float  # NaN when the test window has a single class
    base_rate: float  # share of test users who bought in the test label window
    lift_top_decile: float  # buy rate of the top 10% scored test users / base_rate
    n_train: int
    n_test: int
    label_days: int
    cutoff_train: str  # dates (UTC) of the cutoffs
    cutoff_test: str
    model_name: str
    scores: pd.DataFrame = field(repr=False)  # user, propensity (next label_days days), sorted desc
    model: object = field(repr=False, default=None)
    test_propensity: np.ndarray | None = field(repr=False, default=None)  # held-out scores (test users)
    test_labels: np.ndarray | None = field(repr=False, default=None)  # held-out outcomes (bought in the test window)


def default_label_days(engine) -> int:
    """7 on logs of 4 weeks or more; a quarter of the span (at least 1 day) on shorter ones."""
    b = engine.bounds()
    span = int(b.last_day) - int(b.day_quantile(0.01)) + 1
    return 7 if span >= 28 else max(1, span // 4)


def _engine(behavior):
    """A QueryEngine for a frame (or the engine itself)."""
    from ..query import QueryEngine

    if isinstance(behavior, QueryEngine):
        return behavior
    frame = behavior.frame if isinstance(behavior, BehaviorData) else behavior
    prepare(frame)  # the frame's contract, with a clear error
    return QueryEngine.from_frames(frame, threads=1)


def propensity_features(behavior, cutoff_ts: int) -> pd.DataFrame:
    """Features of users active before `cutoff_ts`, from events strictly before it."""
    return user_features(_engine(behavior), cutoff_ts)


def propensity_labels(engine, users: np.ndarray, cutoff_ts: int, label_days: int) -> np.ndarray:
    """1 where the user bought anything in [cutoff_ts, cutoff_ts + label_days days)."""
    bought = bought_between(engine, cutoff_ts, cutoff_ts + label_days * DAY_S)
    return np.fromiter((u in bought for u in users), dtype=np.int8, count=len(users))


def _make_model(kind: Model, seed: int):
    if kind == "hgb":
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(max_iter=100, learning_rate=0.1, max_leaf_nodes=15, early_stopping=False, random_state=seed)
    if kind == "logistic":
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import FunctionTransformer, StandardScaler

        return make_pipeline(FunctionTransformer(np.log1p), StandardScaler(), LogisticRegression(max_iter=500))
    raise ValueError(f"unknown propensity model {kind!r}: use hgb or logistic")


class _Constant:
    """Stand-in model when the training window has a single class."""

    def __init__(self, p: float):
        self.p = p

    def predict_proba(self, x) -> np.ndarray:
        return np.column_stack([np.full(len(x), 1 - self.p), np.full(len(x), self.p)])


def propensity(
    behavior,
    *,
    label_days: int | None = None,
    model: Model = "logistic",
    seed: int = 0,
    end_features: pd.DataFrame | None = None,
) -> PropensityResult:
    """Train on an earlier window, report AUC on the later one, score everyone for the next window.
    `behavior`: a QueryEngine (features aggregated by DuckDB) or a frame in the store's contract."""
    from sklearn.metrics import roc_auc_score

    eng = _engine(behavior)
    ld = label_days or default_label_days(eng)
    end = (int(eng.bounds().last_day) + 1) * DAY_S  # midnight after the log's last day
    c_test = end - ld * DAY_S
    c_train = c_test - ld * DAY_S
    if end_features is None:
        x_tr, x_te, x_all = user_features_at(eng, [c_train, c_test, end])  # one scan for the three cutoffs
    else:
        x_tr, x_te = user_features_at(eng, [c_train, c_test])
        x_all = end_features
    y_tr = propensity_labels(eng, x_tr.index.to_numpy(), c_train, ld)
    y_te = propensity_labels(eng, x_te.index.to_numpy(), c_test, ld)
    if len(x_tr) and 0 < y_tr.sum() < len(y_tr):
        clf = _make_model(model, seed)
        clf.fit(x_tr.to_numpy(dtype=np.float64), y_tr)
    else:
        clf = _Constant(float(y_tr.mean()) if len(y_tr) else 0.0)
    p_te = clf.predict_proba(x_te.to_numpy(dtype=np.float64))[:, 1] if len(x_te) else np.array([])
    auc = float(roc_auc_score(y_te, p_te)) if len(y_te) and 0 < y_te.sum() < len(y_te) else float("nan")
    base = float(y_te.mean()) if len(y_te) else float("nan")
    if len(y_te) and base > 0:
        top = np.argsort(-p_te, kind="stable")[: max(1, len(p_te) // 10)]
        lift = float(y_te[top].mean() / base)
    else:
        lift = float("nan")
    p_all = clf.predict_proba(x_all.to_numpy(dtype=np.float64))[:, 1] if len(x_all) else np.array([])
    scores = pd.DataFrame({"user": x_all.index.to_numpy(dtype=object), "propensity": p_all})
    scores = scores.sort_values(["propensity", "user"], ascending=[False, True]).reset_index(drop=True)
    return PropensityResult(
        auc=auc, base_rate=base, lift_top_decile=lift, n_train=len(x_tr), n_test=len(x_te), label_days=ld,
        cutoff_train=day_to_date(c_train // DAY_S), cutoff_test=day_to_date(c_test // DAY_S),
        model_name=model if not isinstance(clf, _Constant) else "constant", scores=scores, model=clf,
        test_propensity=p_te, test_labels=y_te,
    )


def rank_users(result: PropensityResult, n: int = 100) -> pd.DataFrame:
    """The `n` users most likely to buy in the next window (user pseudonym, propensity, rank)."""
    top = result.scores.head(n)[["user", "propensity"]].copy()
    top.insert(0, "rank", np.arange(1, len(top) + 1))
    return top.reset_index(drop=True)


def held_out_lift(result: PropensityResult, share: float) -> float:
    """Buy rate of the top `share` of held-out users (by their held-out score) ÷ the held-out
    base rate: what targeting that share actually did on days the model never saw."""
    p, y = result.test_propensity, result.test_labels
    if p is None or y is None or not len(y) or not result.base_rate or math.isnan(result.base_rate):
        return float("nan")
    k = max(1, int(round(share * len(p))))
    top = np.argsort(-p, kind="stable")[:k]
    return float(y[top].mean() / result.base_rate)


def default_target(population: int) -> int:
    """A campaign reaching 10% of the users (at least 1, at most 1,000) — never more than exist."""
    return max(1, min(1000, population // 10)) if population else 0


def campaign_forecast(result: PropensityResult, top_n: int | None = None) -> dict[str, float | int]:
    """Expected buyers in the next window if a campaign reaches the top `top_n` users (capped at
    the population) vs as many users at random, from what targeting that share did on the
    held-out days: random = n × held-out base rate; top = random × held-out lift at that share."""
    population = len(result.scores)
    requested = top_n if top_n is not None else default_target(population)
    k = min(int(requested), population)
    share = k / population if population else float("nan")
    lift = held_out_lift(result, share) if population else float("nan")
    base = result.base_rate
    random_n = k * base if not math.isnan(base) else float("nan")
    return {
        "top_n": int(k), "requested": int(requested), "population": int(population), "capped": int(requested > population),
        "share": share, "lift_held_out": lift, "base_rate": base, "auc": result.auc,
        "expected_buyers_top_n": random_n * lift if not math.isnan(lift) else random_n,
        "expected_buyers_random_n": random_n,
    }


def rank_segments_by_user(result: PropensityResult, user_segment: pd.DataFrame, *, top_n: int) -> pd.DataFrame:
    """rank_segments with segments given per user pseudonym (columns user, segment)."""
    s = result.scores.merge(user_segment[["user", "segment"]], on="user", how="left")
    s["in_top"] = np.arange(len(s)) < top_n
    s["p_top"] = np.where(s["in_top"], s["propensity"], 0.0)
    g = s.groupby("segment", sort=True).agg(
        users=("propensity", "size"), mean_propensity=("propensity", "mean"), expected_buyers=("propensity", "sum"),
        users_in_top=("in_top", "sum"),
    ).reset_index()
    g["segment"] = g["segment"].astype(str)
    return g.sort_values(["mean_propensity", "segment"], ascending=[False, True]).reset_index(drop=True)


@dataclass(frozen=True)
class Campaign:
    """What the forecast report and the propensity insight both say (one computation)."""

    result: PropensityResult
    forecast: dict
    segments: pd.DataFrame


def campaign(engine, *, top_n: int | None = None, model: Model = "logistic", label_days: int | None = None) -> Campaign:
    """Train/evaluate the propensity model on the engine's behaviour log and forecast a campaign
    of `top_n` users (default: 10% of the users, at most 1,000)."""
    res = propensity(engine, model=model, label_days=label_days)
    fc = campaign_forecast(res, top_n)
    engine.ensure_segments()
    segs = pd.DataFrame(engine.sql("SELECT user, segment FROM user_segment"), columns=["user", "segment"])
    return Campaign(res, fc, rank_segments_by_user(res, segs, top_n=fc["top_n"]))
