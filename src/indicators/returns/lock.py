"""Period lock in the database: which (month, unit) pairs a write may still change, and
admins' time-limited unlocks.

A month locks ``Settings.lock_after_days`` after its deadline (``rules.lock``). After
that, uploads, rollbacks and 退回 touching the month are refused for district and
department users — unless a 管理员 has unlocked that month for that unit, for a limited
number of hours (``unlock``, audited). A 管理员's own writes are not blocked (they are
how a locked month is corrected), and the audit says the month was locked.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from indicators.accounts import permissions
from indicators.accounts.roles import Actor
from indicators.db.audit import audit
from indicators.db.connection import Connection
from indicators.errors import PeriodLocked, RejectedInput
from indicators.rules import periods
from indicators.rules.lock import is_locked, locks_at
from indicators.settings import Settings

MAX_UNLOCK_HOURS = 72


def locked_pairs(con: Connection, pairs: pd.DataFrame, *, settings: Settings,
                 now: dt.datetime) -> pd.DataFrame:
    """The rows of ``pairs`` (columns org_unit, period) whose month is locked and not
    unlocked for that unit at ``now`` (distinct pairs, sorted)."""
    distinct = pairs[["org_unit", "period"]].astype(object).drop_duplicates()
    months = [p for p in distinct["period"].unique() if is_locked(p, now, settings.deadline_day,
                                                                  settings.lock_after_days)]
    locked = distinct[distinct["period"].isin(months)]
    if locked.empty:
        return locked.reset_index(drop=True)
    open_now = con.execute("SELECT DISTINCT org_unit, period FROM period_unlock WHERE until > ? AND granted_at <= ?",
                           [now, now]).df()
    keys = set(zip(open_now["org_unit"], open_now["period"]))
    keep = [(u, p) not in keys for u, p in zip(locked["org_unit"], locked["period"])]
    return locked[keep].sort_values(["period", "org_unit"]).reset_index(drop=True)


def refuse_locked(con: Connection, actor: Actor, pairs: pd.DataFrame, *, settings: Settings,
                  now: dt.datetime, what: str = "报送") -> str | None:
    """Raise ``PeriodLocked`` when a non-admin would change a locked (unit, month). For an
    admin, returns a note for the audit ('已锁定月份：…') or None."""
    locked = locked_pairs(con, pairs, settings=settings, now=now)
    if locked.empty:
        return None
    names = dict(con.execute("SELECT code, name FROM org_unit").fetchall())
    by_month = locked.groupby("period", sort=True)["org_unit"].agg(list)
    parts = [f"{periods.label(p)}（{'、'.join(names.get(u, u) for u in us[:6])}{' 等' if len(us) > 6 else ''}）"
             for p, us in by_month.items()]
    if actor.role == "admin":
        return "改动已锁定月份：" + "；".join(parts)
    first = by_month.index[0]
    since = locks_at(first, settings.deadline_day, settings.lock_after_days)
    raise PeriodLocked(f"{'；'.join(parts)}已锁定（{periods.label(first)}于 {since:%Y-%m-%d %H:%M} 锁定），"
                       f"不能再{what}。如需更正，请联系管理员为该单位临时解锁。未做任何改动。")


def unlock(con: Connection, actor: Actor, *, period: str, unit: str, hours: float,
           settings: Settings, now: dt.datetime, reason: str | None = None) -> dt.datetime:
    """Open a locked month for one unit for ``hours`` (1–72); returns until when."""
    permissions.require(actor, "unlock")
    name = con.execute("SELECT name FROM org_unit WHERE code = ?", [unit]).fetchone()
    if name is None:
        raise RejectedInput(f"单位代码「{unit}」不存在。未解锁。")
    if not 0 < hours <= MAX_UNLOCK_HOURS:
        raise RejectedInput(f"解锁时长应为 1–{MAX_UNLOCK_HOURS} 小时，收到 {hours:g}。未解锁。")
    if not is_locked(period, now, settings.deadline_day, settings.lock_after_days):
        when = locks_at(period, settings.deadline_day, settings.lock_after_days)
        raise RejectedInput(f"{periods.label(period)}尚未锁定（将于 {when:%Y-%m-%d %H:%M} 锁定），无需解锁。")
    until = now + dt.timedelta(hours=hours)
    def work(tx: Connection) -> None:
        tx.execute("INSERT INTO period_unlock (period, org_unit, granted_at, until, login, reason) VALUES (?, ?, ?, ?, ?, ?)",
                    [period, unit, now, until, actor.login, reason])
        audit(tx, actor, "unlock", f"{periods.label(period)} · {name[0]} 解锁至 {until:%Y-%m-%d %H:%M}"
              + (f"（{reason}）" if reason else ""), at=now)
    con.write(work)  # one write unit: run again whole if another writer got there first
    return until


def unlocks(con: Connection, *, now: dt.datetime) -> pd.DataFrame:
    """Unlocks still open at ``now``: period, org_unit, unit_name, until, login, reason."""
    return con.execute("""SELECT l.period, l.org_unit, u.name AS unit_name, l.until, l.login, l.reason
                          FROM period_unlock l LEFT JOIN org_unit u ON u.code = l.org_unit
                          WHERE l.until > ? ORDER BY l.until""", [now]).df()
