"""Review (审核): per-indicator approval, 退回 that stops a batch counting, the 待审核 mark
on the dispatch table, and the setting that counts only approved values."""

from __future__ import annotations

import datetime as dt

import pytest
from test_permission_matrix import NOW, SETTINGS, read, world, world_master  # noqa: F401 (fixtures)

from indicators.accounts import users
from indicators.dispatch import dispatch_table
from indicators.errors import PermissionDenied, RejectedInput
from indicators.returns import review


def state(con, batch_id):
    return con.execute("SELECT status, review FROM batch WHERE id = ?", [batch_id]).fetchone()


def rows(table, indicator, unit):
    return table[(table["indicator_code"] == indicator) & (table["org_unit_code"] == unit)].iloc[0]


def test_a_district_batch_waits_and_each_department_passes_its_part(world):
    assert state(world, 2) == ("active", "pending")
    done = review.approve(world, users.actor_for(world, "dep1"), 2, at=NOW)  # D1 leads HT
    assert done == {"batch_id": 2, "state": "pending", "approved": 1, "remaining": 1}
    with pytest.raises(RejectedInput, match="都已通过"):
        review.approve(world, users.actor_for(world, "dep1"), 2, at=NOW)
    table = dispatch_table(world, "2026-10", SETTINGS)
    assert rows(table, "HT", "A")["review"] == "approved" and rows(table, "TC", "A")["review"] == "pending"
    assert rows(table, "TC", "C")["review"] == "pending"  # the city's roll-up: a value under it waits
    done = review.approve(world, users.actor_for(world, "dep2"), 2, at=NOW)
    assert done["state"] == "approved" and state(world, 2) == ("active", "approved")
    table = dispatch_table(world, "2026-10", SETTINGS)
    assert set(table.loc[table["value"].notna(), "review"]) == {"approved"}
    assert world.execute("SELECT login, decision, indicators FROM batch_review ORDER BY decided_at, login").fetchall() \
        == [("dep1", "approved", 1), ("dep2", "approved", 1)]


def test_office_passes_a_whole_batch(world):
    done = review.approve(world, users.actor_for(world, "off"), 2, at=NOW)
    assert done == {"batch_id": 2, "state": "approved", "approved": 2, "remaining": 0}


def test_what_the_uploader_may_approve_is_approved_on_upload(world):
    assert state(world, 3) == ("active", "approved")  # the admin's batch Q
    dep1 = users.actor_for(world, "dep1")
    from indicators.returns import pipeline
    b = pipeline.commit(world, read(world, [("2026-10", "B", "HT", 57)]), actor=dep1, settings=SETTINGS, at=NOW,
                        confirm_warnings=True)
    assert state(world, b) == ("active", "approved")  # a 科室's own figures of its indicator


def test_a_return_stops_the_batch_counting_and_tells_the_district_why(world):
    before = rows(dispatch_table(world, "2026-10", SETTINGS), "TC", "A")
    assert before["value"] == 72 and before["batch_id"] == 2
    done = review.return_batch(world, users.actor_for(world, "off"), 2, "与统计快报不一致", settings=SETTINGS, at=NOW)
    assert done["state"] == "returned" and done["restored"] == 2  # TC: the tiny city's 70; HT: Q's 112
    assert state(world, 2) == ("rolled_back", "returned")
    after = dispatch_table(world, "2026-10", SETTINGS)
    assert rows(after, "TC", "A")["value"] == 70 and rows(after, "TC", "A")["batch_id"] == 1
    back = review.returned_to(world, users.actor_for(world, "dist_a"))
    assert back[["batch_id", "reason", "decided_by"]].values.tolist() == [[2, "与统计快报不一致", "off 测试（综合科）"]]
    assert review.returned_to(world, users.actor_for(world, "dist_b")).empty
    with pytest.raises(RejectedInput, match="已退回"):
        review.approve(world, users.actor_for(world, "off"), 2, at=NOW)


def test_a_return_needs_a_reason_and_a_reviewer(world):
    with pytest.raises(RejectedInput, match="须写明原因"):
        review.return_batch(world, users.actor_for(world, "off"), 2, "  ", settings=SETTINGS, at=NOW)
    with pytest.raises(PermissionDenied):
        review.return_batch(world, users.actor_for(world, "dist_a"), 2, "自己退回", settings=SETTINGS, at=NOW)
    assert state(world, 2) == ("active", "pending")


def test_queue_shows_each_reviewer_their_part(world):
    assert review.queue(world, users.actor_for(world, "off"))[["batch_id", "mine", "indicators"]].values.tolist() \
        == [[2, 2, 2]]
    assert review.queue(world, users.actor_for(world, "dep1"))[["batch_id", "mine"]].values.tolist() == [[2, 1]]
    assert review.queue(world, users.actor_for(world, "dist_a")).empty


def test_only_approved_values_count_when_the_setting_says_so(world):
    only_approved = SETTINGS.with_(review_counts="approved")
    t = dispatch_table(world, "2026-10", only_approved)
    # P (72, pending) does not count: the last approved value, the tiny city's 70, does
    assert rows(t, "TC", "A")["value"] == 70 and rows(t, "TC", "A")["review"] == "pending"  # a newer one waits
    assert rows(dispatch_table(world, "2026-10", SETTINGS), "TC", "A")["value"] == 72  # counted by default
    review.approve(world, users.actor_for(world, "off"), 2, at=NOW + dt.timedelta(minutes=1))
    t = dispatch_table(world, "2026-10", only_approved)
    assert rows(t, "TC", "A")["value"] == 72 and rows(t, "TC", "A")["review"] == "approved"


def test_the_trend_chart_counts_what_the_dispatch_table_counts(world):
    """指标详情's trend reads the same values as the table: with only approved values
    counting, district A's pending 72 is not in October's point either."""
    from indicators import views

    def october(counted):
        trend = views.indicator_trend(world, "TC", "A", "2026-10", counted=counted).set_index("month")
        return trend.loc[10, "this_year"]

    assert october("approved") == 70 and october("pending") == 72
    review.approve(world, users.actor_for(world, "off"), 2, at=NOW + dt.timedelta(minutes=1))
    assert october("approved") == 72
