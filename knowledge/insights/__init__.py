"""Insights from behaviour logs and reviews: funnels, top products and categories, hours,
trends, segments, recommendations, purchase propensity, review sentiment and aspects.

Every figure comes from the query layer (knowledge.query: DuckDB, metrics defined once);
`compute_all` turns the results into `Insight`s (en + zh) with their numbers, specs and
stable ids. The propensity model (pandas/sklearn features) is the one thing computed here.
"""

from .compose import compute_all
from .prepare import BEHAVIORS, BehaviorData, prepare
from .propensity import Campaign, PropensityResult, campaign, campaign_forecast, propensity, propensity_features, rank_users
from .reviews import review_aspects, review_sentiment
from .segments import SEGMENT_LABELS, SEGMENTS
from .types import TOPICS, Insight

__all__ = [
    "BEHAVIORS", "BehaviorData", "Campaign", "Insight", "PropensityResult", "SEGMENTS", "SEGMENT_LABELS", "TOPICS",
    "campaign", "campaign_forecast", "compute_all", "prepare", "propensity", "propensity_features", "rank_users",
    "review_aspects", "review_sentiment",
]
