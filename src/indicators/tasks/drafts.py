"""A monthly work plan → draft tasks of that month, and their confirmation.

``draft_plan`` stores every item of a read plan as a draft task (state 'draft') of the
plan's month: code ``YYYYMM-NN``, 类别 = its section, one node in that month (the item
is due by its end) and the last day of the month as deadline, with a suggested lead
department and leader. Importing the same month again keeps the tasks already there
(matched by 类别 and 任务名称) and adds only new items. The admin then assigns
departments and confirms (``indicators.tasks.store.confirm_tasks``).
"""

from __future__ import annotations

import calendar
import datetime as dt

import pandas as pd

from indicators.accounts import permissions
from indicators.accounts.roles import Actor
from indicators.db import catalog
from indicators.db.audit import audit
from indicators.db.connection import Connection
from indicators.errors import RejectedInput
from indicators.rules import periods
from indicators.tasks.model import TASK_COLUMNS
from indicators.tasks.plan import PlanReading
from indicators.tasks.store import save_tasks, tasks
from indicators.tasks.suggest import suggest

DRAFT_COLUMNS = TASK_COLUMNS + ["suggestion_basis", "is_new"]


def month_end(period: str) -> dt.date:
    year, month = periods.parse(period)
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def plan_drafts(con: Connection, reading: PlanReading, period: str) -> pd.DataFrame:
    """The drafts the plan would give (``DRAFT_COLUMNS``), writing nothing; ``is_new`` is
    False for items already stored for that month."""
    if not reading.items:
        raise RejectedInput("计划中没有找到任何条目（应有「一、…」标题和「1.」编号条目）")
    existing = tasks(con)
    of_month = existing[existing["plan_period"] == period]
    known = set(zip(of_month["category"], of_month["name"]))
    taken = {int(c.split("-")[-1]) for c in of_month["code"] if str(c).split("-")[-1].isdigit()}
    past = existing[existing["state"] == "active"]
    inds, deps = catalog.indicators(con), catalog.departments(con)
    prefix, deadline, month = period.replace("-", ""), month_end(period), int(period[5:7])
    rows, n = [], 0
    for item in reading.items:
        is_new = (item.section, item.text) not in known
        if is_new:
            n += 1
            while n in taken:
                n += 1
        s = suggest(item.section, item.text, past, inds, deps)
        rows.append({
            "code": f"{prefix}-{n:02d}" if is_new else None, "name": item.text, "category": item.section,
            "lead_department": s.lead_department, "leader": s.leader, "support_departments": None,
            "org_units": None, "annual_goal": None, "nodes": f"{month}:{_short(item.text)}",
            "deadline": deadline, "plan_period": period, "state": "draft", "sort_order": len(rows) + 1,
            "suggestion_basis": s.basis, "is_new": is_new,
        })
    return pd.DataFrame(rows, columns=DRAFT_COLUMNS)


def draft_plan(con: Connection, reading: PlanReading, period: str, *,
               actor: Actor, at: dt.datetime) -> pd.DataFrame:
    """Store the plan's new items as drafts; returns all its drafts (new and kept)."""
    permissions.require(actor, "task_plan")
    drafts = plan_drafts(con, reading, period)
    new = drafts[drafts["is_new"]]
    def unit(tx: Connection) -> None:
        save_tasks(tx, new, actor=actor, how="plan", at=at)
        audit(tx, actor, "tasks", f"导入{periods.label(period)}工作安排：{len(reading.items)} 项，新增草稿 {len(new)} 项",
              at=at)
    con.write(unit)  # a write unit: run again if another writer got there first
    return drafts


def _short(text: str, limit: int = 20) -> str:
    """A node text: the item's first clause, at most ``limit`` characters."""
    head = text.replace(";", "；").split("；")[0].split("，")[0].split(",")[0]
    return head if len(head) <= limit else head[:limit] + "…"
