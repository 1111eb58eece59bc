"""`growthpilot report KIND`: a report computed from the data (table, chart, two-line narrative)."""

from __future__ import annotations

from ..output import emit_json


def register(sub, parent) -> None:
    from bot.reports import REPORT_KINDS

    p = sub.add_parser(
        "report",
        parents=[parent],
        help="computed reports: " + ", ".join(REPORT_KINDS),
        description=(
            "Reports whose numbers are computed by the query layer (DuckDB over the stored data; the same queries as the "
            "insights), never by the model: funnel (view → cart/fav → buy, both conversion definitions), top items, trends "
            "(last N days vs the N before, with a warning when a window is incomplete), user segments, review sentiment "
            "(overall, per product and per category, with praised/complained aspects), recs (items bought or viewed together "
            "by the same users), forecast (purchase-propensity campaign with held-out lift), categories, hours (hour of day "
            "and weekday). Each prints a table, a short narrative and a 'how this was computed' line and saves a PNG chart "
            "under the data dir; --json adds every query's spec and SQL."
        ),
    )
    p.add_argument("kind", choices=REPORT_KINDS, help="which report")
    p.add_argument("--product", default="", help="an item id (or catalogue name) to scope funnel/top/trends/sentiment/recs to")
    p.add_argument("--category", default="", help="a category id (or name) to scope funnel/top/trends to")
    p.add_argument("--days", type=int, default=None, help="only the last N days of the log (trends: the window length)")
    p.add_argument("--n", type=int, default=None, help="rows to show (default 10); forecast: the number of users the campaign reaches "
                   "(default 10%% of the users, at most 1,000)")
    p.add_argument("--by", choices=["buys", "views", "conversion"], default="buys", help="top: rank by buys, views or conversion")
    p.add_argument("--lang", choices=["en", "zh"], default=None, help="language of the report (default: [assistant] default_locale)")
    p.add_argument("--no-chart", action="store_true", help="skip the PNG chart")
    p.set_defaults(handler=run)


def run(args, cfg) -> int:
    from bot.reports import ReportRequest

    from ..errors import UserFacingError
    from ..wiring import build_report_engine, open_store

    store = open_store(cfg)
    try:
        engine = build_report_engine(cfg, store)
        engine.make_charts = not args.no_chart
        lang = args.lang or cfg.assistant.default_locale
        if args.n is not None and args.n < 1:
            raise UserFacingError(f"--n must be 1 or more, not {args.n}")
        users = args.n if args.kind == "forecast" else None
        n = args.n if args.n is not None and args.kind != "forecast" else 10
        req = ReportRequest(args.kind, product=args.product, category=args.category, days=args.days, n=n, by=args.by, users=users)
        result = _run(engine, req, lang)
    finally:
        store.close()
    if args.json:
        emit_json({"ok": True, **result.as_dict()})
    else:
        print(result.text)
        if result.chart:
            print(f"\nChart: {result.chart}")
    return 0


def _run(engine, req, lang):
    from bot.errors import BotUserError

    from ..errors import UserFacingError

    try:
        return engine.run(req, lang)
    except BotUserError as exc:
        raise UserFacingError(exc.message, fix=exc.fix or None) from exc
