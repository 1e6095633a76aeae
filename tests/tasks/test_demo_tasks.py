"""The demo city's tasks have their mix in any month, January and December included."""

import pytest

from indicators.demo.tasks import demo_progress, task_frame
from indicators.tasks.board import board_from


@pytest.mark.parametrize("period", ["2027-01", "2026-03", "2026-06", "2026-10", "2026-12"])
def test_demo_board_mix(period):
    frame = task_frame().assign(deadline=f"{period[:4]}-12-31", plan_period=None, state="active")
    frame["deadline"] = frame["deadline"].map(lambda s: __import__("datetime").date.fromisoformat(s))
    progress = demo_progress(frame, period).assign(reported_by="示例数据", reported_at=None)
    board = board_from(frame, progress, period)
    assert len(board) == 24
    counts = board["status"].value_counts()
    assert counts.get("lagging", 0) >= 3  # two past a node, one said 滞后 (December: the last one too)
    assert int(board["overdue"].sum()) >= 2
    assert counts.get("lagging", 0) + counts.get("missing", 0) == 4
    assert counts.get("on_track", 0) + counts.get("done", 0) + counts.get("not_started", 0) == 20
    assert list(board["status"][:3]) == ["lagging"] * 3
