"""User segments from behaviour, by explicit rules (so anyone can recompute them).

Rules, applied in this order (first match wins), with `recency_days` counted from the end
of the log (midnight after the last event's day):
  dormant          no event in the last `dormant_days` days (7 on logs of 4 weeks or more,
                   else a quarter of the span measured from the 1st-percentile day)
  loyal_buyers     bought on 2 or more distinct days
  one_time_buyers  bought on exactly 1 day (new / one-time buyers)
  cart_abandoners  no purchase, at least one cart event
  window_shoppers  no purchase, no cart (views and favourites only)

The rules run in SQL in the query layer (knowledge.query.compiler.SEGMENT_SQL, the
`segment` dimension); this module keeps their names.
"""

from __future__ import annotations

from ..query.engine import SEGMENT_LABELS_EN, SEGMENTS
from .prepare import DAY_S, BehaviorData

SEGMENT_LABELS: dict[str, str] = dict(SEGMENT_LABELS_EN)

__all__ = ["SEGMENTS", "SEGMENT_LABELS", "log_end_ts"]


def log_end_ts(data: BehaviorData) -> int:
    """End of the log: midnight (UTC) after the last event's day."""
    return (int(data.day.max()) + 1) * DAY_S
