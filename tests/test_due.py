"""When returns are due (indicators.rules.due): the deadline of a month, the latest due
month on a day, the month being reported. Expected values written out by hand."""

import datetime as dt

import pytest

from indicators.rules.due import deadline, latest_due_month, reporting_month


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
