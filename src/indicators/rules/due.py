"""When returns are due: which indicators report in a month, the deadline of a month,
and the months that matter on a day.

An indicator reports in the months its frequency names — monthly every month,
quarterly in March, June, September and December, annual in December — and its value
for any other month is the one of the latest such month (a quarterly indicator seen in
November shows September). A derived ratio (Σnumerator / Σdenominator) is computed,
never reported.

A month's return is due by ``deadline_day`` of the following month, end of day (the
5th by default: 2026-10 is due 2026-11-05 23:59:59). Pure functions of a date; the date
itself comes from ``indicators.clock``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from indicators.rules import periods
from indicators.rules.rollup import is_derived_ratio

FREQ_STEP = {"monthly": 1, "quarterly": 3, "annual": 12}  # months between two reports


def step_of(frequency):
    """Months between two reports of ``frequency`` (one word, or a column: an array)."""
    if isinstance(frequency, str):
        return FREQ_STEP[frequency]
    # each distinct word looked up once (a column has a row per indicator × unit; a map
    # over it builds an Arrow index of the words each time)
    codes, words = pd.factorize(np.asarray(frequency, dtype=object))
    if len(codes) and (codes.min() < 0 or not all(w in FREQ_STEP for w in words)):
        return pd.Series(frequency, dtype=object).map(FREQ_STEP).to_numpy(dtype=np.int64)  # its own error
    return np.array([FREQ_STEP[w] for w in words], dtype=np.int64)[codes]


def due_month(frequency, month: int):
    """The latest month ≤ ``month`` in which an indicator of ``frequency`` reports; 0
    when none has come yet this year (quarterly before March, annual before December).
    ``frequency`` is one word or a column of them (then an integer array)."""
    step = step_of(frequency)
    return (month // step) * step


def is_due(frequency, month: int):
    """Does an indicator of ``frequency`` report in ``month`` (1–12)? One word or a column."""
    return due_month(frequency, month) == month


def due_indicators(indicators: pd.DataFrame, period: str) -> pd.DataFrame:
    """The indicators units report for ``period`` (rows of ``indicators``, in their
    order): due in that month by frequency, derived ratios left out."""
    month = periods.parse(period)[1]
    keep = is_due(indicators["frequency"], month) & ~is_derived_ratio(indicators).to_numpy()
    return indicators[keep].reset_index(drop=True)


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


def unreported(rows: pd.DataFrame) -> pd.Series:
    """Which due figures were not sent: status 未报送 (``missing``) without a value. A
    ``missing`` row with a value was sent but cannot be judged (a 年内新增 target without
    last year-end's value, a partial level without a comparable basis): never 未报送 in a
    sentence that says who did not report."""
    value = rows["value"] if "value" in rows.columns else pd.Series(np.nan, index=rows.index)
    return rows["status"].eq("missing") & value.isna()
