"""Period lock: a month locks N days after its deadline; uploads and rollbacks of district
and department users are refused then, until an admin unlocks it for one unit."""

from __future__ import annotations

import datetime as dt

import pytest
from test_permission_matrix import SETTINGS, read, snapshot, world, world_master  # noqa: F401 (fixtures)

from indicators.accounts import users
from indicators.errors import PeriodLocked, PermissionDenied, RejectedInput
from indicators.returns import lock, pipeline, review
from indicators.rules.lock import is_locked, locks_at

LOCKED = dt.datetime(2026, 11, 16, 9, 0)  # October locked after 2026-11-15 24:00


@pytest.mark.parametrize("period,day,days,now,locked", [
    ("2026-10", 5, 10, dt.datetime(2026, 11, 15, 23, 59), False),
    ("2026-10", 5, 10, dt.datetime(2026, 11, 16, 0, 0), True),
    ("2026-10", 5, 0, dt.datetime(2026, 11, 6, 0, 0), True),
    ("2026-12", 5, 10, dt.datetime(2027, 1, 15, 12, 0), False),  # December: into the next year
    ("2026-12", 5, 10, dt.datetime(2027, 1, 16, 0, 1), True),
    ("2027-01", 28, 10, dt.datetime(2027, 3, 10, 12, 0), False),  # the 28th of February + 10 days
    ("2027-01", 28, 10, dt.datetime(2027, 3, 11, 0, 0, 1), True),
])
def test_when_a_month_locks(period, day, days, now, locked):
    assert is_locked(period, now, day, days) is locked


def test_locks_at_is_the_end_of_the_day(period="2026-10"):
    assert locks_at(period, 5, 10) == dt.datetime(2026, 11, 15, 23, 59, 59)


def test_a_locked_month_refuses_uploads_and_rollbacks_of_districts(world):
    dist_a = users.actor_for(world, "dist_a")
    before = snapshot(world)
    with pytest.raises(PeriodLocked, match="2026年10月（甲区）已锁定"):
        pipeline.commit(world, read(world, [("2026-10", "A", "HT", 114)]), actor=dist_a, settings=SETTINGS,
                        at=LOCKED, confirm_warnings=True)
    with pytest.raises(PeriodLocked, match="不能再撤回"):
        pipeline.rollback(world, 2, actor=dist_a, settings=SETTINGS, at=LOCKED)
    assert snapshot(world) == before


def test_an_admin_unlocks_one_unit_for_some_hours(world):
    adm, dist_a, dist_b = (users.actor_for(world, x) for x in ("adm", "dist_a", "dist_b"))
    until = lock.unlock(world, adm, period="2026-10", unit="A", hours=4, settings=SETTINGS, now=LOCKED,
                        reason="更正统计口径")
    assert until == LOCKED + dt.timedelta(hours=4)
    b = pipeline.commit(world, read(world, [("2026-10", "A", "HT", 114)]), actor=dist_a, settings=SETTINGS,
                        at=LOCKED + dt.timedelta(hours=1), confirm_warnings=True)
    assert b > 3
    with pytest.raises(PeriodLocked):  # only for A (B's HT is 55)
        pipeline.commit(world, read(world, [("2026-10", "B", "HT", 56)]), actor=dist_b, settings=SETTINGS,
                        at=LOCKED + dt.timedelta(hours=1), confirm_warnings=True)
    with pytest.raises(PeriodLocked):  # and only for a while
        pipeline.rollback(world, b, actor=dist_a, settings=SETTINGS, at=LOCKED + dt.timedelta(hours=5))
    audit = world.execute("SELECT login, detail FROM audit WHERE action = 'unlock'").fetchall()
    assert audit == [("adm", "2026年10月 · 甲区 解锁至 2026-11-16 13:00（更正统计口径）")]


def test_unlock_is_an_admins_and_only_of_a_locked_month(world):
    with pytest.raises(PermissionDenied):
        lock.unlock(world, users.actor_for(world, "off"), period="2026-10", unit="A", hours=4, settings=SETTINGS,
                    now=LOCKED)
    adm = users.actor_for(world, "adm")
    with pytest.raises(RejectedInput, match="尚未锁定"):
        lock.unlock(world, adm, period="2026-10", unit="A", hours=4, settings=SETTINGS,
                    now=dt.datetime(2026, 11, 10))
    with pytest.raises(RejectedInput, match="1–72 小时"):
        lock.unlock(world, adm, period="2026-10", unit="A", hours=100, settings=SETTINGS, now=LOCKED)
    with pytest.raises(RejectedInput, match="不存在"):
        lock.unlock(world, adm, period="2026-10", unit="NOPE", hours=4, settings=SETTINGS, now=LOCKED)


def test_an_admins_change_to_a_locked_month_goes_through_and_says_so(world):
    b = pipeline.commit(world, read(world, [("2026-10", "B", "HT", 57)]), actor=users.actor_for(world, "adm"),
                        settings=SETTINGS, at=LOCKED, confirm_warnings=True)
    note = world.execute("SELECT note FROM batch WHERE id = ?", [b]).fetchone()[0]
    assert note.endswith("改动已锁定月份：2026年10月（乙县）")


def test_a_locked_month_still_takes_first_late_figures_and_unchanged_ones(world):
    """The lock freezes reported figures; B's first LOW of October (新增) and A's HT
    resent unchanged (112) come in after the lock, 待审核 like any district return."""
    late = pipeline.commit(world, read(world, [("2026-10", "B", "LOW", 3)]), actor=users.actor_for(world, "dist_b"),
                           settings=SETTINGS, at=LOCKED, confirm_warnings=True)
    same = pipeline.commit(world, read(world, [("2026-10", "A", "HT", 112)]), actor=users.actor_for(world, "dist_a"),
                           settings=SETTINGS, at=LOCKED, confirm_warnings=True)
    rows = world.execute("SELECT id, review FROM batch WHERE id IN (?, ?) ORDER BY id", [late, same]).fetchall()
    assert rows == [(late, "pending"), (same, "pending")]
    with pytest.raises(PeriodLocked, match="2026年10月（甲区）已锁定"):  # but not a changed one
        pipeline.commit(world, read(world, [("2026-10", "A", "HT", 113), ("2026-10", "A", "TC", 1)]),
                        actor=users.actor_for(world, "dist_a"), settings=SETTINGS, at=LOCKED, confirm_warnings=True)


def test_review_may_send_back_what_waits_in_a_locked_month_but_not_what_was_approved(world):
    off = users.actor_for(world, "off")
    before = snapshot(world)
    with pytest.raises(PeriodLocked, match="不能再退回"):  # Q: the admin's, approved on upload
        review.return_batch(world, off, 3, "数据有误", settings=SETTINGS, at=LOCKED)
    assert snapshot(world) == before
    got = review.return_batch(world, off, 2, "数据有误", settings=SETTINGS, at=LOCKED)  # P: 待审核
    assert got["state"] == "returned"
