"""When returns are due (indicators.rules.due): which indicators report in a month, the
deadline of a month, the latest due month on a day, the month being reported. Expected values written out by hand."""

import datetime as dt

import pandas as pd
import pytest

from indicators.rules.due import (
    deadline,
    due_indicators,
    due_month,
    is_due,
    latest_due_month,
    reporting_month,
)


@pytest.mark.parametrize("period, day, expected", [
    ("2026-10", 5, dt.datetime(2026, 11, 5, 23, 59, 59)),
    ("2026-12", 10, dt.datetime(2027, 1, 10, 23, 59, 59)),  # December's return is due in January
    ("2027-01", 28, dt.datetime(2027, 2, 28, 23, 59, 59)),
    ("2027-11", 1, dt.datetime(2027, 12, 1, 23, 59, 59)),
])
def test_deadline(period, day, expected):
    assert deadline(period, day) == expected


@pytest.mark.parametrize("today, day, expected", [
    (dt.date(2026, 12, 1), 5, "2026-10"),  # November is due on the 5th: not yet
    (dt.date(2026, 12, 5), 5, "2026-10"),  # the deadline day itself runs to midnight
    (dt.date(2026, 12, 6), 5, "2026-11"),
    (dt.date(2027, 1, 3), 5, "2026-11"),  # across the year: December not yet due
    (dt.date(2027, 1, 6), 5, "2026-12"),
    (dt.date(2027, 2, 1), 5, "2026-12"),
    (dt.date(2027, 3, 10), 5, "2027-02"),
    (dt.date(2027, 6, 30), 5, "2027-05"),
    (dt.date(2027, 12, 20), 5, "2027-11"),
    (dt.date(2027, 12, 31), 5, "2027-11"),
    (dt.date(2027, 3, 10), 10, "2027-01"),  # a later deadline day moves it back
    (dt.date(2027, 3, 11), 10, "2027-02"),
    (dt.date(2027, 3, 2), 1, "2027-02"),
])
def test_latest_due_month(today, day, expected):
    assert latest_due_month(today, day) == expected


@pytest.mark.parametrize("today, expected", [
    (dt.date(2026, 12, 1), "2026-11"),
    (dt.date(2027, 1, 3), "2026-12"),
    (dt.date(2027, 12, 31), "2027-11"),
])
def test_reporting_month(today, expected):
    assert reporting_month(today) == expected


@pytest.mark.parametrize("frequency, month, latest, reports", [
    ("monthly", 1, 1, True),
    ("monthly", 12, 12, True),
    ("quarterly", 1, 0, False),  # January: no quarter has ended yet this year
    ("quarterly", 2, 0, False),
    ("quarterly", 3, 3, True),
    ("quarterly", 5, 3, False),
    ("quarterly", 6, 6, True),
    ("quarterly", 11, 9, False),
    ("quarterly", 12, 12, True),
    ("annual", 1, 0, False),
    ("annual", 11, 0, False),
    ("annual", 12, 12, True),
])
def test_due_month_and_is_due(frequency, month, latest, reports):
    assert due_month(frequency, month) == latest
    assert bool(is_due(frequency, month)) is reports


def test_due_month_on_a_column_of_frequencies():
    freq = pd.Series(["monthly", "quarterly", "annual", "quarterly"])
    assert list(due_month(freq, 11)) == [11, 9, 0, 9]
    assert list(is_due(freq, 9)) == [True, True, False, True]


INDICATORS = pd.DataFrame({
    "code": ["M", "Q", "A", "R", "RD"],
    "kind": ["cumulative", "stock", "cumulative", "ratio", "ratio"],
    "frequency": ["monthly", "quarterly", "annual", "monthly", "monthly"],
    "numerator_code": [None, None, None, None, "M"],
    "denominator_code": [None, None, None, None, "Q"],
})


@pytest.mark.parametrize("period, codes", [
    ("2026-01", ["M", "R"]),  # a reported ratio is filled in; the derived one (RD) never
    ("2026-03", ["M", "Q", "R"]),
    ("2026-11", ["M", "R"]),
    ("2026-12", ["M", "Q", "A", "R"]),
])
def test_due_indicators(period, codes):
    assert due_indicators(INDICATORS, period)["code"].tolist() == codes
