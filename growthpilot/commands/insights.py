"""`growthpilot insights`: list the insights computed from your data (funnels, trends, segments, …)."""

from __future__ import annotations

from ..errors import UserFacingError
from ..output import emit_json

TOPICS = ("funnel", "trend", "top", "category", "hour", "segment", "recommendation", "propensity", "sentiment", "aspect")
NO_DATA_FIX = "run `growthpilot ingest behavior PATH` (and `growthpilot ingest reviews PATH`) or `growthpilot demo`"


def register(sub, parent) -> None:
    p = sub.add_parser(
        "insights",
        parents=[parent],
        help="list insights (funnels, trends, top, categories, hours, segments, recommendations, propensity, sentiment, aspects)",
        description=(
            "List the insights computed from the ingested behaviour log and reviews. Each has a stable id, "
            "a short text with its numbers (English; --json adds the Chinese text), the numbers themselves and the query "
            "specs they came from (shown with --json). Every number comes from the query layer (DuckDB)."
        ),
    )
    p.add_argument("--topic", choices=TOPICS, help="only insights of this topic")
    p.add_argument("--product", metavar="ID", help="only insights about this product (item id or name)")
    p.add_argument("--category", metavar="C", help="only insights about this category (id or name)")
    p.add_argument("--limit", type=int, default=50, metavar="N", help="show at most N insights (default 50; 0 = all)")
    p.set_defaults(handler=run)


def select(insights: list, *, topic: str | None = None, product: str | None = None, category: str | None = None, limit: int = 0) -> list:
    """Filter by topic / product / category and cut to `limit` (0 = all), keeping the stored order."""
    out = [
        i for i in insights
        if (topic is None or i.topic == topic)
        and (product is None or i.product == str(product))
        and (category is None or i.category == str(category))
    ]
    return out[:limit] if limit and limit > 0 else out


def run(args, cfg) -> int:
    from knowledge.store import Store

    if args.limit < 0:
        raise UserFacingError(f"--limit must be 0 or more, not {args.limit}")
    data_dir = cfg.data.dir
    if not (data_dir / "store.sqlite").exists():
        raise UserFacingError(f"no data yet in {data_dir}", fix=NO_DATA_FIX)
    store = Store.open(data_dir)
    try:
        all_insights = store.insights()
    finally:
        store.close()
    if not all_insights:
        raise UserFacingError(f"no data yet: no insights in {data_dir}", fix=NO_DATA_FIX)
    shown = select(all_insights, topic=args.topic, product=args.product, category=args.category, limit=args.limit)
    if args.json:
        emit_json({
            "ok": True,
            "total": len(all_insights),
            "shown": len(shown),
            "insights": [
                {"id": i.id, "topic": i.topic, "title": i.title, "text": i.text, "text_zh": getattr(i, "text_zh", ""),
                 "numbers": i.numbers, "specs": list(getattr(i, "specs", ())),
                 "product": i.product, "category": i.category, "date": i.date}
                for i in shown
            ],
        })
        return 0
    if not shown:
        print(f"no insights match (of {len(all_insights)} in total); try without --topic/--product/--category")
        return 0
    for i in shown:
        print(f"[{i.topic}] {i.id}")
        print(f"  {i.text}")
    print(f"\n{len(shown)} of {len(all_insights)} insights shown" + ("" if len(shown) == len(all_insights) else " (use --limit 0 for all)"))
    return 0
