"""When a month locks: ``lock_after_days`` after its return deadline — pure.

2026-10 is due 2026-11-05 24:00 (``rules.due.deadline``); with the default 10 days it
locks after 2026-11-15 24:00. From then on district and department users can no longer
upload or roll back values of that month (a 管理员 can, or can unlock it for one unit
for a few hours — ``returns.lock``).
"""

from __future__ import annotations

import datetime as dt

from indicators.rules.due import deadline


def locks_at(period: str, deadline_day: int, lock_after_days: int) -> dt.datetime:
    """The moment ``period`` locks (end of the day ``lock_after_days`` after its deadline)."""
    return deadline(period, deadline_day) + dt.timedelta(days=lock_after_days)


def is_locked(period: str, now: dt.datetime, deadline_day: int, lock_after_days: int) -> bool:
    return now > locks_at(period, deadline_day, lock_after_days)
