"""The status of a key task (重点任务) in an as-of month — pure, no I/O.

A task has optional monthly nodes (月度节点, ``3:完成方案;6:开工;12:验收``: by the end of
March the plan is done, …) and an optional deadline (截止日期). Each month the lead
department reports one of 已完成 / 按计划推进 / 滞后 / 未启动. The words mean:

- 已完成 — the node due this month is reached (or, ahead of time, the next open node; or,
  for a task without nodes, the whole task). The task is 已完成 once its last node — the
  deadline counts as a node — is reached.
- 按计划推进 / 滞后 / 未启动 — the department's own judgement of the month.

The rule, for as-of month m (months are counted across years, so December → January
works like any other step):

1. Walk the months of the task's year up to m; each 已完成 report reaches the earliest
   node not reached yet. All nodes reached (or a 已完成 for a task with no node) → 已完成.
2. A node whose month is ≤ m and that is not reached, or a deadline on or before the
   end of m, makes the task 滞后 *automatically*, whatever the department said; the
   earliest such node is the reason.
3. Otherwise the department's word for m counts; no report for m is 未报送.

Nodes are months of the task's year: the deadline's year when there is one, else the
as-of year (a task that recurs every year).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

STATUS_LABELS = {"done": "已完成", "on_track": "按计划推进", "lagging": "滞后",
                 "not_started": "未启动", "missing": "未报送"}
REPORTED_WORDS = {"已完成": "done", "按计划推进": "on_track", "滞后": "lagging", "未启动": "not_started"}
# The order a task board sorts by: what needs a leader's attention first.
STATUS_ORDER = {"lagging": 0, "missing": 1, "not_started": 2, "on_track": 3, "done": 4}
DEADLINE_NODE = "截止日期前完成"  # the node a deadline stands for when no node falls in its month


@dataclass(frozen=True)
class Node:
    month: int  # 1..12 of the task's year
    text: str


@dataclass(frozen=True)
class TaskStatus:
    status: str  # one of STATUS_LABELS
    overdue: bool  # past a node or the deadline without reaching it
    reason: str  # why 滞后 was set automatically; '' otherwise
    reached: tuple[Node, ...]  # nodes reached by month m
    next_node: Node | None  # the earliest node not reached yet (due or not)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def parse_nodes(text: str | None) -> list[Node]:
    """``"3:完成方案;6:开工;12:验收"`` → nodes by month. Separators ； ; 、 and new lines;
    ``3月:…``, full-width digits and colons are accepted. Raises ValueError (Chinese)."""
    if text is None or not str(text).strip():
        return []
    nodes: dict[int, str] = {}
    for part in re.split(r"[;；\n]+", unicodedata.normalize("NFKC", str(text))):
        part = part.strip()
        if not part:
            continue
        m = re.match(r"^(\d{1,2})\s*月?\s*[:：]\s*(.+)$", part)
        if not m or not 1 <= int(m.group(1)) <= 12:
            raise ValueError(f"月度节点「{text}」格式应为 月:节点内容，用；分隔，如 3:完成方案;6:开工;12:验收")
        nodes[int(m.group(1))] = m.group(2).strip()
    return [Node(k, nodes[k]) for k in sorted(nodes)]


def format_nodes(nodes: list[Node]) -> str:
    return ";".join(f"{n.month}:{n.text}" for n in nodes)


def _index(year: int, month: int) -> int:
    return year * 12 + month - 1


def task_status(period: str, nodes: list[Node], deadline: dt.date | None,
                reports: dict[str, str]) -> TaskStatus:
    """Status of one task at as-of ``period`` ('YYYY-MM'). ``reports`` maps 'YYYY-MM' to
    a reported status code (``done``, ``on_track``, ``lagging``, ``not_started``)."""
    year, month = int(period[:4]), int(period[5:7])
    task_year = deadline.year if deadline else year
    schedule = [(_index(task_year, n.month), n) for n in nodes]
    if deadline and not any(n.month == deadline.month for n in nodes):
        schedule.append((_index(deadline.year, deadline.month), Node(deadline.month, DEADLINE_NODE)))
    schedule.sort(key=lambda s: s[0])
    now = _index(year, month)
    reached = _reached(schedule, reports, task_year, now)
    open_nodes = [(i, n) for i, n in schedule[len(reached):]]
    if (schedule and not open_nodes) or (not schedule and _any_done(reports, task_year, now)):
        return TaskStatus("done", False, "", tuple(reached), None)
    next_node = open_nodes[0][1] if open_nodes else None
    missed = [(i, n) for i, n in open_nodes if i <= now]
    if missed:
        i, n = missed[0]
        return TaskStatus("lagging", True, _reason(i, n, deadline), tuple(reached), next_node)
    said = reports.get(period)
    status = "on_track" if said == "done" else (said or "missing")
    return TaskStatus(status, False, "", tuple(reached), next_node)


def _reached(schedule: list[tuple[int, Node]], reports: dict[str, str], task_year: int, now: int) -> list[Node]:
    """Nodes reached by ``now``: each 已完成 month reaches the earliest open node."""
    done_months = sorted(_index(int(p[:4]), int(p[5:7])) for p, s in reports.items() if s == "done")
    reached: list[Node] = []
    for i in done_months:
        if i < _index(task_year, 1) or i > now or len(reached) == len(schedule):
            continue
        reached.append(schedule[len(reached)][1])
    return reached


def _any_done(reports: dict[str, str], task_year: int, now: int) -> bool:
    return any(s == "done" and _index(task_year, 1) <= _index(int(p[:4]), int(p[5:7])) <= now
               for p, s in reports.items())


def _reason(index: int, node: Node, deadline: dt.date | None) -> str:
    y, m = divmod(index, 12)
    if deadline and node.text == DEADLINE_NODE and (y, m + 1) == (deadline.year, deadline.month):
        return f"已过截止日期 {deadline.isoformat()}，未完成"
    return f"{y}年{m + 1}月节点「{node.text}」未完成"


def on_board(period: str, plan_period: str | None, deadline: dt.date | None, status: str) -> bool:
    """Whether a task belongs on the board of ``period``: from its plan month (a task of
    the setup workbook from the start of its year) until its deadline month — and after
    that for as long as it is not done, so an overdue task never drops off."""
    now = _index(int(period[:4]), int(period[5:7]))
    if plan_period:
        start = _index(int(plan_period[:4]), int(plan_period[5:7]))
    else:
        start = _index(deadline.year, 1) if deadline else now
    if now < start:
        return False
    end = _index(deadline.year, deadline.month) if deadline else now
    return now <= end or status != "done"
