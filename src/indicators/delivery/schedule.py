"""What is due when (pure: dates in, periods out; the deadline rule is ``rules.due``'s).

- **Reminders** (催报) for month P run every day from ``remind_days_before`` days before
  P's deadline, at or after ``remind_at``, to each unit that has still not reported —
  until the window of the next month begins. The windows tile the calendar, so any day
  belongs to exactly one month's reminders.
- **The pack** of P goes out once, the day after P's deadline at ``pack_at``. A machine
  that was down then still sends it within ``PACK_CATCH_UP``; one that starts a month
  later does not send a stale pack to the leaders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from indicators.rules.due import deadline
from indicators.rules import periods
from indicators.settings import Settings

PACK_CATCH_UP = dt.timedelta(days=3)


@dataclass(frozen=True)
class Due:
    reminder_period: str | None  # the month whose late units are chased now
    reminder_slot: str | None  # the day (YYYY-MM-DD): one reminder per unit and channel per day
    pack_period: str | None  # the month whose pack is due now


def reminders_start(period: str, s: Settings) -> dt.date:
    return deadline(period, s.deadline_day).date() - dt.timedelta(days=s.remind_days_before)


def reminder_period(day: dt.date, s: Settings) -> str:
    """The month whose reminder window contains ``day``."""
    here = periods.make(day.year, day.month)
    for offset in (1, 0, -1, -2, -3):
        p = periods.shift(here, offset)
        if reminders_start(p, s) <= day < reminders_start(periods.shift(p, 1), s):
            return p
    raise ValueError(f"no reminder window holds {day}")  # only with a window longer than a month


def pack_time(period: str, s: Settings) -> dt.datetime:
    """The day after the deadline of ``period`` at ``pack_at`` (local time)."""
    return dt.datetime.combine(deadline(period, s.deadline_day).date() + dt.timedelta(days=1), s.pack_at)


def pack_period(now: dt.datetime, s: Settings) -> str | None:
    here = periods.make(now.year, now.month)
    for offset in (0, -1, -2):
        p = periods.shift(here, offset)
        if pack_time(p, s) <= now < pack_time(p, s) + PACK_CATCH_UP:
            return p
    return None


def due_at(now: dt.datetime, s: Settings) -> Due:
    """What ``indicators send due`` sends at ``now`` (the bureau's local time)."""
    remind = now.time() >= s.remind_at
    period = reminder_period(now.date(), s)
    return Due(reminder_period=period if remind else None,
               reminder_slot=now.date().isoformat() if remind else None,
               pack_period=pack_period(now, s))


def describe(due: Due, now: dt.datetime, s: Settings) -> list[str]:
    """Chinese lines: what is due now and when the next things are."""
    lines = []
    if due.reminder_period:
        lines.append(f"催报：{periods.label(due.reminder_period)}（今天 {now:%Y-%m-%d} 每个未报单位每个渠道一次）")
    else:
        p = reminder_period(now.date(), s)
        lines.append(f"催报：今天 {s.remind_at:%H:%M} 起催 {periods.label(p)} 未报单位")
    if due.pack_period:
        lines.append(f"月调度材料：{periods.label(due.pack_period)}（{pack_time(due.pack_period, s):%Y-%m-%d %H:%M} 起，"
                     "每个收件人一次）")
    else:
        nxt = next(p for p in (periods.shift(periods.make(now.year, now.month), k) for k in (-1, 0, 1))
                   if pack_time(p, s) > now)
        lines.append(f"月调度材料：下次 {pack_time(nxt, s):%Y-%m-%d %H:%M} 发送 {periods.label(nxt)} 的材料")
    return lines
