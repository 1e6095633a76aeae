"""The task board of a month: every confirmed task on it with its status by the rule.

Columns (``BOARD_COLUMNS``): code, name, category, lead_department (code),
lead_department_name, leader (code), leader_name, support_departments, org_units,
annual_goal, nodes, deadline, plan_period, period, status, status_label, overdue
(bool), reason (why 滞后 was set automatically), reported_status, reported_label (what
the department said this month, '' when nothing), progress, problems, next_steps,
reported_by, reported_at, node_due (this month's node text or ''), next_node
('6月「开工」' or ''), why (the one line a board shows: the rule's reason, else this
month's node, else the next one), sort key ``board_order`` (lagging and overdue first).
"""

from __future__ import annotations

import pandas as pd

from indicators.db.connection import Connection
from indicators.rules.task_status import (
    STATUS_LABELS,
    STATUS_ORDER,
    on_board,
    parse_nodes,
    task_status,
)
from indicators.tasks.store import latest_progress, tasks

BOARD_COLUMNS = [
    "code", "name", "category", "lead_department", "lead_department_name", "leader", "leader_name",
    "support_departments", "org_units", "annual_goal", "nodes", "deadline", "plan_period", "period",
    "status", "status_label", "overdue", "reason", "reported_status", "reported_label", "progress",
    "problems", "next_steps", "reported_by", "reported_at", "node_due", "next_node", "why", "board_order",
]


def task_board(con: Connection, period: str) -> pd.DataFrame:
    """Confirmed tasks on the board of ``period``, lagging and overdue first."""
    return board_from(tasks(con, state="active"), latest_progress(con, period), period)


def board_from(task_frame: pd.DataFrame, progress: pd.DataFrame, period: str) -> pd.DataFrame:
    """The pure part of ``task_board``: tasks and their reports → the board."""
    by_task = {code: dict(zip(g["period"], g["status"])) for code, g in progress.groupby("task_code")}
    this_month = progress[progress["period"] == period].set_index("task_code")
    rows = []
    for t in task_frame.to_dict(orient="records"):
        t = {k: (None if _missing(v) else v) for k, v in t.items()}
        deadline = _date(t["deadline"])
        nodes = parse_nodes(t["nodes"])
        got = task_status(period, nodes, deadline, by_task.get(t["code"], {}))
        if not on_board(period, t["plan_period"], deadline, got.status):
            continue
        report = this_month.loc[t["code"]] if t["code"] in this_month.index else None
        said = report["status"] if report is not None else None
        month = int(period[5:7])
        rows.append({
            **{k: t.get(k) for k in BOARD_COLUMNS if k in t}, "deadline": deadline, "period": period,
            "status": got.status, "status_label": got.label, "overdue": got.overdue, "reason": got.reason,
            "reported_status": said, "reported_label": STATUS_LABELS.get(said, "") if said else "",
            **{k: (report[k] if report is not None else None)
               for k in ("progress", "problems", "next_steps", "reported_by", "reported_at")},
            "node_due": next((n.text for n in nodes if n.month == month and _node_year(deadline, period)), ""),
            "next_node": f"{got.next_node.month}月「{got.next_node.text}」" if got.next_node else "",
            "board_order": (STATUS_ORDER[got.status] - (0.5 if got.overdue else 0)),
        })
        rows[-1]["why"] = _why(rows[-1])
    board = pd.DataFrame(rows, columns=BOARD_COLUMNS)
    return board.sort_values(["board_order", "plan_period", "code"], kind="stable",
                             na_position="first").reset_index(drop=True)


def _why(row: dict) -> str:
    if row["reason"]:
        return row["reason"]
    if row["node_due"]:
        return f"本月节点「{row['node_due']}」"
    return f"下一节点 {row['next_node']}" if row["next_node"] else "—"


def _missing(v) -> bool:
    return v is None or v is pd.NaT or v is pd.NA or (isinstance(v, float) and pd.isna(v))


def _date(v):
    if _missing(v):
        return None
    return v.date() if isinstance(v, pd.Timestamp) else v


def _node_year(deadline, period: str) -> bool:
    return deadline is None or deadline.year == int(period[:4])


def status_counts(board: pd.DataFrame) -> dict[str, int]:
    """How many tasks of each status label, in the order of ``STATUS_LABELS``."""
    counts = board["status"].value_counts()
    return {label: int(counts.get(code, 0)) for code, label in STATUS_LABELS.items()}
