"""Page data for 重点任务 (the task board, progress entry, plan import) and 滞后说明.
No streamlit here; every write goes through ``indicators.tasks`` or
``indicators.explanations``."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from indicators.accounts.roles import Actor
from indicators.db import catalog
from indicators.db.connection import Connection
from indicators.rules import periods
from indicators.rules.task_status import STATUS_LABELS
from indicators.tasks import drafts
from indicators.tasks.board import status_counts, task_board
from indicators.tasks.plan import PlanReading, read_plan
from indicators.tasks.store import latest_progress, tasks
from indicators.theme import TASK_STATUS_COLORS, task_badge, task_tone

ALL = "全部"


@dataclass
class TaskBoardView:
    board: pd.DataFrame  # indicators.tasks.board.BOARD_COLUMNS, filtered
    table: pd.DataFrame  # display columns (Chinese) + tone (colour key)
    counts: dict[str, int]  # status label → tasks
    leaders: list[str]  # filter options (names), ALL first
    departments: list[str]


def task_board_view(con: Connection, period: str) -> TaskBoardView:
    """The whole board of ``period`` with its filter options (leader and department names)."""
    board = task_board(con, period)
    leaders = [ALL] + sorted(board["leader_name"].dropna().unique().tolist())
    departments = [ALL] + sorted(board["lead_department_name"].dropna().unique().tolist())
    return TaskBoardView(board, board_table(board), status_counts(board), leaders, departments)


def filter_board(view: TaskBoardView, leader: str = ALL, department: str = ALL) -> TaskBoardView:
    """``view`` narrowed to a leader and a department (names; ``ALL``: no filter)."""
    board = view.board
    if leader != ALL:
        board = board[board["leader_name"] == leader]
    if department != ALL:
        board = board[board["lead_department_name"] == department]
    board = board.reset_index(drop=True)
    return TaskBoardView(board, board_table(board), status_counts(board), view.leaders, view.departments)


def board_table(board: pd.DataFrame) -> pd.DataFrame:
    """状态, 任务, 牵头科室, 分管领导, 节点 / 说明 (why 滞后 was set by the rule, else the node),
    科室填报, 进展情况, 存在问题, 下步措施, 类别, and ``tone`` for the colour."""
    return pd.DataFrame({
        "状态": [task_badge(s, o) for s, o in zip(board["status"], board["overdue"])],
        "任务": [f"{c} {n}" for c, n in zip(board["code"], board["name"])],
        "牵头科室": board["lead_department_name"].fillna("（未分配）"), "分管领导": board["leader_name"].fillna("—"),
        "节点 / 说明": board["why"], "科室填报": board["reported_label"].replace("", "未报送"),
        "进展情况": board["progress"].fillna(""), "存在问题": board["problems"].fillna(""),
        "下步措施": board["next_steps"].fillna(""), "类别": board["category"],
        "tone": [task_tone(s, o) for s, o in zip(board["status"], board["overdue"])],
    })


TONE_COLORS = TASK_STATUS_COLORS


# ---------------------------------------------------------------- progress entry

REPORT_CHOICES = [label for code, label in STATUS_LABELS.items() if code != "missing"]


def progress_defaults(con: Connection, task_code: str, period: str) -> dict:
    """What the progress form starts with: this month's report when there is one, else
    last month's text (status 按计划推进) so the department edits rather than retypes."""
    got = latest_progress(con, period)
    mine = got[got["task_code"] == task_code]
    this = mine[mine["period"] == period]
    row, basis = (this.iloc[-1], "本月已填报") if len(this) else \
        ((mine.iloc[-1], f"取自{periods.label(mine.iloc[-1]['period'])}") if len(mine) else (None, ""))
    if row is None:
        return {"status": "按计划推进", "progress": "", "problems": "", "next_steps": "", "basis": ""}
    status = STATUS_LABELS[row["status"]] if len(this) else "按计划推进"
    return {"status": status, "basis": basis,
            **{k: "" if pd.isna(row[k]) else str(row[k]) for k in ("progress", "problems", "next_steps")}}


def progress_row(code: str, period: str, status: str, progress: str, problems: str, steps: str) -> pd.DataFrame:
    """One report as ``record_progress`` takes it (blank texts stored as nothing)."""
    return pd.DataFrame([dict(task_code=code, period=period, status=status, progress=progress.strip() or None,
                              problems=problems.strip() or None, next_steps=steps.strip() or None)])


# ---------------------------------------------------------------- plan import

def read_plan_upload(data: bytes, file_name: str) -> PlanReading:
    return read_plan(data, file_name)


def plan_preview(reading: PlanReading) -> pd.DataFrame:
    """部分, 序号, 条目 — what the reader found, in order."""
    return pd.DataFrame({"部分": [i.section for i in reading.items],
                         "序号": [i.number if i.number is not None else "（未编号）" for i in reading.items],
                         "条目": [i.text for i in reading.items]}).astype({"序号": str})


def skipped_table(reading: PlanReading) -> pd.DataFrame:
    return pd.DataFrame(reading.skipped, columns=["行", "文字", "未采用的原因"])


def pending_drafts(con: Connection, period: str) -> pd.DataFrame:
    """Draft tasks of ``period`` for the confirm editor: 代码, 类别, 任务名称, 牵头科室,
    分管领导 (names; the suggestion prefilled)."""
    d = tasks(con, state="draft")
    d = d[d["plan_period"] == period]
    return pd.DataFrame({"代码": d["code"], "类别": d["category"], "任务名称": d["name"],
                         "牵头科室": d["lead_department_name"], "分管领导": d["leader_name"]}).reset_index(drop=True)


def owner_names(con: Connection) -> tuple[list[str], list[str]]:
    """Department names and leader names, for the editor's choices."""
    return catalog.departments(con)["name"].tolist(), catalog.leaders(con)["name"].tolist()


def confirm_edits(con: Connection, edited: pd.DataFrame) -> pd.DataFrame:
    """The editor's rows (names) as ``confirm_tasks`` edits (codes)."""
    deps = dict(zip(catalog.departments(con)["name"], catalog.departments(con)["code"]))
    leaders = dict(zip(catalog.leaders(con)["name"], catalog.leaders(con)["code"]))
    return pd.DataFrame({"code": edited["代码"], "name": edited["任务名称"],
                         "lead_department": edited["牵头科室"].map(deps), "leader": edited["分管领导"].map(leaders)})


def plan_months(around: str) -> list[str]:
    """Months a plan can be imported for: two ahead of ``around`` back to a year before."""
    return [periods.shift(around, k) for k in range(2, -13, -1)]


def draft_plan(con, reading: PlanReading, period: str, *, actor: Actor, at) -> pd.DataFrame:
    return drafts.draft_plan(con, reading, period, actor=actor, at=at)
