"""When returns are due: the deadline of a month and the months that matter on a day.

A month's return is due by ``deadline_day`` of the following month, end of day (the
5th by default: 2026-10 is due 2026-11-05 23:59:59). Pure functions of a date; the date
itself comes from ``indicators.clock``.
"""

from __future__ import annotations

import datetime as dt

from indicators.rules import periods


def deadline(period: str, deadline_day: int) -> dt.datetime:
    """End of the deadline day in the month after ``period`` (2026-10, 5 → 2026-11-05 23:59:59)."""
    year, month = periods.parse(periods.shift(period, 1))
    return dt.datetime.combine(dt.date(year, month, deadline_day), dt.time(23, 59, 59))


def latest_due_month(today: dt.date, deadline_day: int) -> str:
    """The newest month whose deadline has passed on ``today`` — the month worth chasing
    and the one the pages and ``indicators status`` open on (2026-12-01 → 2026-10,
    2026-12-06 → 2026-11 with the 5th as deadline)."""
    this_month = periods.make(today.year, today.month)
    last_month_passed = today.day > deadline_day  # last month's deadline is this month's day D
    return periods.shift(this_month, -1 if last_month_passed else -2)


def reporting_month(today: dt.date) -> str:
    """The newest month that has ended — the one analysts are filling in now and the
    template the 数据报送 page offers first (2026-12-01 → 2026-11)."""
    return periods.shift(periods.make(today.year, today.month), -1)
