"""Periods in a question: "last 7 days", "最近3天", "上周", "this week vs last week", "10月", dates.

"Now" is the end of the log, never the wall clock (knowledge.query.spec). Dates without a year
take the year of the log's last day when the entities know it (`Entities.extra["last_day"]`),
else the current year, and the notes say so.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from knowledge.query import Period

from .vocab import NUM, _en, rx, to_int


@dataclass(frozen=True)
class PeriodHit:
    period: Period
    compare: bool = False  # the period is compared with the one before it ("vs the week before", "环比")
    notes: tuple[str, ...] = ()


_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m} | {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_MONTH = r"(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)"
_MONTHS["sept"] = 9

_ISO = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")
_ZH_MD = re.compile(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
_EN_MD = re.compile(_en(_MONTH + r"\.? (\d{1,2})(?:st|nd|rd|th)?") + r"|" + _en(r"(\d{1,2})(?:st|nd|rd|th)? (?:of )?" + _MONTH))
_ZH_MONTH = re.compile(r"(?<![\d月])(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月(?:份)?(?!\s*\d{1,2}\s*[日号])")
_EN_MONTH = re.compile(_en(r"(?:in |during |for |of )?" + _MONTH + r"(?: (\d{4}))?"))
_RANGE_SEP = r"\s*(?:to|until|till|through|-|–|~|到|至|和)\s*"

LAST_DAYS = rx(_en(r"(?:the )?(?:last|past|previous|recent|prior) " + NUM + r" days?"), r"(?:最近|近|过去|前|这)\s*" + NUM + r"\s*(?:天|日)")
LAST_WEEKS = rx(_en(r"(?:the )?(?:last|past|previous|recent|prior) " + NUM + r" weeks?"), r"(?:最近|近|过去|这)\s*" + NUM + r"\s*(?:个)?(?:周|星期|礼拜)")
LAST_MONTH = rx(_en(r"(?:the )?past (?:30 days|month)"), _en(r"the last (?:30 days|month)(?! of)"), _en(r"last 30 days"),
                r"(?:最近|近|过去)\s*(?:一个|1个|一|1)?\s*(?:个)?月")
# calendar months of the log ("now" is its last day): "last month" alone is the month before, as "last week" is the week before
THIS_MONTH = rx(_en(r"this month"), _en(r"(?:the )?current month"), _en(r"month[- ]to[- ]date"), _en(r"mtd"), r"本月", r"这个月", r"这月", r"当月")
PREV_MONTH = rx(_en(r"last month"), _en(r"(?:the )?previous month"), _en(r"(?:the )?prior month"), _en(r"(?:the )?month before"),
                r"上个月", r"上一个月", r"上月")
# "in the last week" is the last 7 days; "last week" alone is the calendar week before this one (LAST_WEEK)
PAST_WEEK = rx(_en(r"(?:the )?past week"), _en(r"the last week(?! of)"), _en(r"the latest week"), _en(r"(?:the )?last seven days"), r"最近一周", r"近一周", r"过去一周", r"最近7天", r"这一周以来")
LAST_DAY = rx(_en(r"today"), _en(r"(?:the )?last day"), r"今天", r"今日", r"最后一天")
YESTERDAY = rx(_en(r"yesterday"), r"昨天", r"昨日")
LAST_WEEK = rx(_en(r"last week"), _en(r"(?:the )?previous week"), _en(r"(?:the )?prior week"), r"上周", r"上星期", r"上个星期", r"上一周", r"上礼拜", r"上个礼拜")
THIS_WEEK = rx(_en(r"this week"), _en(r"(?:the )?current week"), _en(r"so far this week"), r"本周", r"这周", r"这一周", r"这个星期", r"本星期", r"这星期", r"这礼拜")
WEEK_BEFORE = rx(_en(r"(?:the )?week before(?: (?:that|it))?"), _en(r"(?:the )?previous one"), _en(r"(?:the )?one before"), _en(r"(?:the )?prior one"),
                 r"上上周", r"前一周", r"再上一周")
# the period before another ("and the week before?", "那前一周呢", "the 3 days before that"): a follow-up moves its period back
BEFORE = rx(_en(r"(?:the )?(?:" + NUM + r" )?(?:days?|weeks?|months?|period) before(?: (?:that|it|then))?"), _en(r"before that"), _en(r"(?:the )?previous (?:one|period)"),
            _en(r"(?:the )?one before"), _en(r"(?:the )?prior (?:one|period)"), r"前一(?:周|天|段|期|个时段|个星期)", r"再往前", r"上一期", r"之前那(?:一)?(?:周|段|几天)")
WEEK_BEFORE_LAST = rx(_en(r"(?:the )?week before last"), r"上上周", r"上上个?星期", r"上上个?礼拜")
COMPARE = rx(_en(r"vs\.?"), _en(r"versus"), _en(r"compared? (?:to|with)"), _en(r"than"), _en(r"week[- ]over[- ]week"), _en(r"wow"), _en(r"against"),
             r"环比", r"比上周", r"相比", r"对比", r"比起", r"较上周", r"和上周比")
ALL_TIME = rx(_en(r"all[- ]time"), _en(r"overall"), _en(r"in total"), _en(r"whole (?:log|period|data)"), _en(r"ever"), _en(r"so far"),
              r"整体", r"总体", r"全部", r"总共", r"历史", r"累计", r"一共", r"所有时间")


def _year(extra: dict) -> tuple[int, bool]:
    for key in ("last_day", "end", "max_day"):
        v = str((extra or {}).get(key) or "")
        if re.match(r"^\d{4}-\d{2}-\d{2}", v):
            return int(v[:4]), True
    return dt.datetime.now(dt.timezone.utc).year, False


def _date(y: int, m: int, d: int) -> str | None:
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def _dates(text: str, year: int) -> list[tuple[int, str]]:
    """(position, YYYY-MM-DD) of every date written in the text."""
    out: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for m in _ISO.finditer(text):
        d = _date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            out.append((m.start(), d))
            taken.append(m.span())
    for m in _ZH_MD.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        d = _date(year, int(m.group(1)), int(m.group(2)))
        if d:
            out.append((m.start(), d))
            taken.append(m.span())
    for m in _EN_MD.finditer(text):
        month, day = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        d = _date(year, _MONTHS[month], int(day))
        if d:
            out.append((m.start(), d))
    return sorted(out)


def parse_period(text: str, extra: dict | None = None) -> PeriodHit | None:
    """The period the (normalised) question names, or None when it names none."""
    year, known = _year(extra or {})
    year_note = () if known else (f"dates without a year read as {year}",)
    compare = bool(COMPARE.search(text)) or bool(WEEK_BEFORE.search(text))

    if WEEK_BEFORE_LAST.search(text):
        back = shift_back(Period("last_week"), str((extra or {}).get("last_day") or ""))
        if back is not None:
            return PeriodHit(back, bool(COMPARE.search(text)))
    dates = _dates(text, year)
    if dates:
        start, end = dates[0][1], dates[-1][1]
        if start > end:
            start, end = end, start
        has_year = bool(_ISO.search(text))
        return PeriodHit(Period("between", start=start, end=end), compare, () if has_year else year_note)

    m = LAST_DAYS.search(text)
    if m:
        n = to_int(next(g for g in m.groups() if g))
        if n:
            return PeriodHit(Period("last_days", n=min(n, 3660)), compare)
    m = LAST_WEEKS.search(text)
    if m:
        n = to_int(next(g for g in m.groups() if g))
        if n:
            return PeriodHit(Period("last_days", n=7) if n == 1 else Period("last_weeks", n=min(n, 520)), compare)
    if PAST_WEEK.search(text):
        return PeriodHit(Period("last_days", n=7), compare)
    if LAST_MONTH.search(text):
        return PeriodHit(Period("last_days", n=30), compare)
    this_month, prev_month = THIS_MONTH.search(text), PREV_MONTH.search(text)
    if this_month or prev_month:
        last_day = str((extra or {}).get("last_day") or "")
        if not re.match(r"^\d{4}-\d{2}-\d{2}$", last_day):
            return PeriodHit(Period("last_days", n=30), compare, ("'this/last month' read as the last 30 days (the log's last day is not known here)",))
        end = dt.date.fromisoformat(last_day)
        first = end.replace(day=1)
        if this_month:  # "this month vs last month" too: this month, compared with the period before it
            return PeriodHit(Period("between", start=first.isoformat(), end=end.isoformat()), compare or bool(prev_month))
        prev_end = first - dt.timedelta(days=1)
        return PeriodHit(Period("between", start=prev_end.replace(day=1).isoformat(), end=prev_end.isoformat()), compare)
    this_week, last_week = THIS_WEEK.search(text), LAST_WEEK.search(text)
    if this_week and last_week:  # "this week vs last week"
        return PeriodHit(Period("this_week"), True)
    if last_week:
        return PeriodHit(Period("last_week"), compare)
    if this_week:
        return PeriodHit(Period("this_week"), compare)
    if re.search(r"比上周|较上周|和上周比|环比", text):  # "本周转化率环比" with no other period: this week vs last week
        return PeriodHit(Period("this_week"), True)
    m = _ZH_MONTH.search(text) or _EN_MONTH.search(text)
    if m:
        raw = m.group(1)
        month = _MONTHS.get(raw) if raw in _MONTHS else to_int(raw)
        y = int(m.group(2)) if m.re is _EN_MONTH and m.group(2) else year
        if month and 1 <= month <= 12:
            last = calendar.monthrange(y, month)[1]
            note = () if (known or (m.re is _EN_MONTH and m.group(2))) else year_note
            return PeriodHit(Period("between", start=f"{y:04d}-{month:02d}-01", end=f"{y:04d}-{month:02d}-{last:02d}"), compare, note)
    if LAST_DAY.search(text):
        return PeriodHit(Period("last_days", n=1), compare)
    if YESTERDAY.search(text):
        last_day = str((extra or {}).get("last_day") or "")
        if re.match(r"^\d{4}-\d{2}-\d{2}$", last_day):
            d = (dt.date.fromisoformat(last_day) - dt.timedelta(days=1)).isoformat()
            return PeriodHit(Period("between", start=d, end=d), compare)
        return PeriodHit(Period("last_days", n=2), compare, ("'yesterday' read as the log's last 2 days (its last day is not known here)",))
    if ALL_TIME.search(text):
        return PeriodHit(Period("all"), compare)
    return None


def _day(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def dates_of(period: Period, last_day: str) -> tuple[dt.date, dt.date] | None:
    """(first, last) day of a period as the engine resolves it (knowledge.query.engine.resolve_period), "now" being
    the log's last day; None for the whole log or when the last day is not known."""
    if period.kind == "between":
        return _day(period.start), _day(period.end)
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", last_day or "") or period.kind == "all":
        return None
    last = _day(last_day)
    monday = last - dt.timedelta(days=last.weekday())
    if period.kind == "last_days":
        return last - dt.timedelta(days=period.n - 1), last
    if period.kind == "last_weeks":
        return monday - dt.timedelta(days=7 * (period.n - 1)), monday + dt.timedelta(days=6)
    if period.kind == "last_week":
        return monday - dt.timedelta(days=7), monday - dt.timedelta(days=1)
    if period.kind == "this_week":
        return monday, monday + dt.timedelta(days=6)
    return None


def shift_back(period: Period, last_day: str) -> Period | None:
    """The period of the same length just before `period` (as dates), or None when it cannot be placed."""
    got = dates_of(period, last_day)
    if got is None:
        return None
    start, end = got
    n = (end - start).days + 1
    return Period("between", start=(start - dt.timedelta(days=n)).isoformat(), end=(start - dt.timedelta(days=1)).isoformat())


_STRIP = (WEEK_BEFORE_LAST, BEFORE, LAST_DAYS, LAST_WEEKS, LAST_MONTH, THIS_MONTH, PREV_MONTH, PAST_WEEK, LAST_WEEK, THIS_WEEK, WEEK_BEFORE, LAST_DAY, YESTERDAY, _ISO, _ZH_MD, _EN_MD, _ZH_MONTH)


def strip_periods(text: str) -> str:
    """The text with its period phrases blanked out (so "last 7 days" is no "by day" and "最近" no "最")."""
    for p in _STRIP:
        text = p.sub(lambda m: " " * len(m.group(0)), text)
    text = re.sub(r"最近|近期|近来", lambda m: " " * len(m.group(0)), text)
    return _EN_MONTH.sub(lambda m: " " * len(m.group(0)) if m.group(0).strip() not in ("may", "mar", "jun", "dec") else m.group(0), text)
