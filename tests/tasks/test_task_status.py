"""The task status rule: nodes, deadlines, the department's word — written out by hand."""

import datetime as dt

import pytest

from indicators.rules.task_status import Node, format_nodes, parse_nodes, task_status

D = dt.date
PLAN = "3:完成方案;6:开工;12:验收"


@pytest.mark.parametrize("text, expected", [
    ("3:完成方案;6:开工;12:验收", [(3, "完成方案"), (6, "开工"), (12, "验收")]),
    ("１２：验收；３月：完成方案", [(3, "完成方案"), (12, "验收")]),
    ("6:开工\n3:方案", [(3, "方案"), (6, "开工")]),
    ("", []),
    (None, []),
])
def test_parse_nodes(text, expected):
    assert [(n.month, n.text) for n in parse_nodes(text)] == expected


@pytest.mark.parametrize("text", ["13:年后", "三月:方案", "3-方案"])
def test_parse_nodes_rejects(text):
    with pytest.raises(ValueError, match="月度节点"):
        parse_nodes(text)


def test_format_nodes_round_trips():
    assert format_nodes(parse_nodes(PLAN)) == PLAN


# (as-of period, nodes, deadline, reports, status, overdue, reason)
CASES = [
    # before the first node the department's word counts
    ("2026-02", PLAN, D(2026, 12, 31), {"2026-02": "on_track"}, "on_track", False, ""),
    ("2026-02", PLAN, D(2026, 12, 31), {"2026-02": "not_started"}, "not_started", False, ""),
    ("2026-02", PLAN, D(2026, 12, 31), {"2026-02": "lagging"}, "lagging", False, ""),
    ("2026-02", PLAN, D(2026, 12, 31), {}, "missing", False, ""),
    # the node month: 已完成 reaches the node, anything else is late automatically
    ("2026-03", PLAN, D(2026, 12, 31), {"2026-03": "done"}, "on_track", False, ""),
    ("2026-03", PLAN, D(2026, 12, 31), {"2026-03": "on_track"}, "lagging", True, "2026年3月节点「完成方案」未完成"),
    ("2026-03", PLAN, D(2026, 12, 31), {}, "lagging", True, "2026年3月节点「完成方案」未完成"),
    # a missed node stays late until a 已完成 catches it up
    ("2026-04", PLAN, D(2026, 12, 31), {"2026-03": "on_track", "2026-04": "on_track"}, "lagging", True,
     "2026年3月节点「完成方案」未完成"),
    ("2026-05", PLAN, D(2026, 12, 31), {"2026-03": "lagging", "2026-04": "done", "2026-05": "on_track"},
     "on_track", False, ""),
    # early completion of the next node counts
    ("2026-06", PLAN, D(2026, 12, 31), {"2026-03": "done", "2026-05": "done", "2026-06": "on_track"},
     "on_track", False, ""),
    # all nodes reached: done, and it stays done
    ("2026-12", PLAN, D(2026, 12, 31), {"2026-03": "done", "2026-06": "done", "2026-12": "done"}, "done", False, ""),
    # December: the last node and the deadline fall due together
    ("2026-12", PLAN, D(2026, 12, 31), {"2026-03": "done", "2026-06": "done", "2026-12": "on_track"},
     "lagging", True, "2026年12月节点「验收」未完成"),
    # January of the next year: a task that was not finished is still late
    ("2027-01", PLAN, D(2026, 12, 31), {"2026-03": "done", "2026-06": "done"}, "lagging", True,
     "2026年12月节点「验收」未完成"),
    ("2027-01", PLAN, D(2026, 12, 31), {"2026-03": "done", "2026-06": "done", "2026-12": "done"}, "done", False, ""),
    # a deadline without a node of its month is a node of its own
    ("2026-06", "", D(2026, 6, 15), {"2026-06": "on_track"}, "lagging", True, "已过截止日期 2026-06-15，未完成"),
    ("2026-05", "", D(2026, 6, 15), {"2026-05": "on_track"}, "on_track", False, ""),
    ("2026-06", "3:完成方案", D(2026, 6, 30), {"2026-03": "done", "2026-06": "done"}, "done", False, ""),
    ("2026-07", "3:完成方案", D(2026, 6, 30), {"2026-03": "done"}, "lagging", True, "已过截止日期 2026-06-30，未完成"),
    # a deadline in January, seen in January (a monthly plan item of January)
    ("2027-01", "", D(2027, 1, 31), {"2027-01": "done"}, "done", False, ""),
    ("2027-01", "", D(2027, 1, 31), {"2027-01": "on_track"}, "lagging", True, "已过截止日期 2027-01-31，未完成"),
    # before the task's year nothing is due
    ("2026-12", "1:启动", D(2027, 12, 31), {"2026-12": "not_started"}, "not_started", False, ""),
    # no nodes, no deadline: the department's word, 已完成 once said
    ("2026-08", "", None, {"2026-08": "lagging"}, "lagging", False, ""),
    ("2026-09", "", None, {"2026-08": "done"}, "done", False, ""),
    # recurring (no deadline): nodes are months of the as-of year; last year's 已完成 does not count
    ("2027-01", "1:启动", None, {"2026-01": "done"}, "lagging", True, "2027年1月节点「启动」未完成"),
    ("2027-01", "1:启动;12:总结", None, {"2027-01": "done"}, "on_track", False, ""),
    # a report after the as-of month is not counted
    ("2026-03", PLAN, D(2026, 12, 31), {"2026-04": "done"}, "lagging", True, "2026年3月节点「完成方案」未完成"),
]


@pytest.mark.parametrize("period, nodes, deadline, reports, status, overdue, reason", CASES)
def test_task_status(period, nodes, deadline, reports, status, overdue, reason):
    got = task_status(period, parse_nodes(nodes), deadline, reports)
    assert (got.status, got.overdue, got.reason) == (status, overdue, reason)


def test_next_and_reached_nodes():
    got = task_status("2026-04", parse_nodes(PLAN), D(2026, 12, 31), {"2026-03": "done", "2026-04": "on_track"})
    assert got.reached == (Node(3, "完成方案"),)
    assert got.next_node == Node(6, "开工")
    assert got.label == "按计划推进"


@pytest.mark.parametrize("period, plan_period, deadline, status, shown", [
    ("2026-03", "2026-03", D(2026, 3, 31), "on_track", True),   # its own month
    ("2026-02", "2026-03", D(2026, 3, 31), "missing", False),   # not before
    ("2026-04", "2026-03", D(2026, 3, 31), "lagging", True),    # overdue: stays
    ("2026-04", "2026-03", D(2026, 3, 31), "done", False),      # done late last month: gone
    ("2026-01", None, D(2026, 12, 31), "missing", True),        # a year's task from January
    ("2025-12", None, D(2026, 12, 31), "missing", False),
    ("2026-12", None, D(2026, 12, 31), "done", True),           # done in its last month
    ("2027-01", None, D(2026, 12, 31), "done", False),
    ("2027-01", None, D(2026, 12, 31), "lagging", True),        # unfinished last year
    ("2030-05", None, None, "on_track", True),                  # no deadline: always
])
def test_on_board(period, plan_period, deadline, status, shown):
    from indicators.rules.task_status import on_board
    assert on_board(period, plan_period, deadline, status) is shown
