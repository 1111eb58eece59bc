"""Insights from behaviour logs and reviews: funnels, top products, trends, segments,
recommendations, purchase propensity, review sentiment and aspects.

Each function returns a DataFrame (the report commands use the same ones); `compute_all`
turns them into `Insight`s with their numbers and stable ids.
"""

from .compose import compute_all
from .funnel import funnel_by, top_products
from .prepare import BEHAVIORS, BehaviorData, prepare
from .propensity import PropensityResult, campaign_forecast, propensity, propensity_features, rank_segments, rank_users
from .recommend import co_occurrence, promote_to_segments
from .reviews import aspects, review_aspects, review_sentiment, sentiment_by_product
from .segments import SEGMENT_LABELS, SEGMENTS, segments, user_segments
from .trends import weekly_trends
from .types import TOPICS, Insight

__all__ = [
    "BEHAVIORS", "BehaviorData", "Insight", "PropensityResult", "SEGMENTS", "SEGMENT_LABELS", "TOPICS",
    "aspects", "campaign_forecast", "co_occurrence", "compute_all", "funnel_by", "prepare", "promote_to_segments",
    "propensity", "propensity_features", "rank_segments", "rank_users", "review_aspects", "review_sentiment",
    "segments", "sentiment_by_product", "top_products", "user_segments", "weekly_trends",
]
