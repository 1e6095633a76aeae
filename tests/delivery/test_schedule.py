"""What is due when: hand-written dates, January and December included."""

import datetime as dt

import pytest

from indicators.delivery import schedule
from indicators.settings import Settings

S = Settings()  # deadline the 5th, reminders from 2 days before at 09:00, the pack at 08:30


@pytest.mark.parametrize("day, deadline_day, period", [
    ("2026-11-02", 5, "2026-09"),  # 2026-10's reminders start on 11-03
    ("2026-11-03", 5, "2026-10"),
    ("2026-11-05", 5, "2026-10"),  # the deadline itself
    ("2026-11-30", 5, "2026-10"),  # still chasing until the next month's window
    ("2026-12-02", 5, "2026-10"),
    ("2026-12-03", 5, "2026-11"),
    ("2027-01-02", 5, "2026-11"),
    ("2027-01-03", 5, "2026-12"),  # December's returns, chased in January
    ("2026-12-29", 1, "2026-11"),  # deadline on the 1st: reminders start in the month itself
    ("2026-12-30", 1, "2026-12"),
    ("2027-02-25", 28, "2026-12"),
    ("2027-02-26", 28, "2027-01"),
])
def test_reminder_period(day, deadline_day, period):
    s = S.with_(deadline_day=deadline_day)
    assert schedule.reminder_period(dt.date.fromisoformat(day), s) == period


@pytest.mark.parametrize("now, deadline_day, period", [
    ("2026-11-06 08:29", 5, None),
    ("2026-11-06 08:30", 5, "2026-10"),
    ("2026-11-09 08:29", 5, "2026-10"),  # three days to catch up (a machine that was off)
    ("2026-11-09 08:30", 5, None),  # a month-old pack is not sent by itself
    ("2026-11-05 23:59", 5, None),
    ("2027-01-06 08:30", 5, "2026-12"),
    ("2026-12-06 10:00", 5, "2026-11"),
    ("2027-03-01 09:00", 28, "2027-01"),  # deadline 2027-02-28: the pack on 1 March
    ("2027-01-02 08:30", 1, "2026-12"),
])
def test_pack_period(now, deadline_day, period):
    s = S.with_(deadline_day=deadline_day)
    assert schedule.pack_period(dt.datetime.fromisoformat(now), s) == period


@pytest.mark.parametrize("now, reminder, slot, pack", [
    ("2026-11-06 08:45", None, None, "2026-10"),  # the pack before the reminders' hour
    ("2026-11-06 09:00", "2026-10", "2026-11-06", "2026-10"),
    ("2026-11-04 09:30", "2026-10", "2026-11-04", None),
    ("2026-12-31 23:00", "2026-11", "2026-12-31", None),
])
def test_due_at(now, reminder, slot, pack):
    due = schedule.due_at(dt.datetime.fromisoformat(now), S)
    assert (due.reminder_period, due.reminder_slot, due.pack_period) == (reminder, slot, pack)


def test_times_are_settings():
    s = S.with_(remind_at=dt.time(7, 0), pack_at=dt.time(18, 0), remind_days_before=4)
    due = schedule.due_at(dt.datetime(2026, 11, 1, 7, 0), s)
    assert (due.reminder_period, due.pack_period) == ("2026-10", None)  # 11-05 minus 4 days
    assert schedule.pack_period(dt.datetime(2026, 11, 6, 17, 59), s) is None
    assert schedule.pack_period(dt.datetime(2026, 11, 6, 18, 0), s) == "2026-10"


def test_describe_names_what_is_next():
    now = dt.datetime(2026, 11, 4, 8, 0)
    lines = schedule.describe(schedule.due_at(now, S), now, S)
    assert lines == ["催报：今天 09:00 起催 2026年10月 未报单位",
                     "月调度材料：下次 2026-11-06 08:30 发送 2026年10月 的材料"]
