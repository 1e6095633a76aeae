"""The 重点任务进展 sheet of the monthly return template: a department's tasks of the month,
to fill in beside its figures, so task progress travels with the Excel return and the
import pipeline reads it back.

Columns: 任务代码, 任务名称, 本月节点, 上月状态（参考）, 状态 (drop-down 已完成 / 按计划推进 /
滞后 / 未启动), 进展情况, 存在问题, 下步措施. The first four are locked. A row whose 状态 is
empty is not reported; a 状态 outside the list or a 任务代码 the bureau does not have is
an error located at its cell, and nothing of the file is imported.
"""

from __future__ import annotations

import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from indicators.db.connection import Connection
from indicators.returns.excel.sources import RawSheet
from indicators.returns.excel.validate import one
from indicators.rules import periods
from indicators.rules.task_status import REPORTED_WORDS, STATUS_LABELS
from indicators.tasks.board import task_board
from indicators.tasks.store import PROGRESS_COLUMNS, tasks

PROGRESS_SHEET = "重点任务进展"
HEADERS = ["任务代码", "任务名称", "本月节点", "上月状态（参考）", "状态", "进展情况", "存在问题", "下步措施"]
WIDTHS = [12, 40, 18, 14, 14, 40, 30, 30]
FIELDS = {"状态": "status", "进展情况": "progress", "存在问题": "problems", "下步措施": "next_steps"}
LOCKED = 4  # the first four columns are pre-filled and locked
HEAD_ROW = 3

_HEAD_FILL = PatternFill("solid", fgColor="DCE6F1")
_LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")


def sheet_tasks(con: Connection, period: str, department: str | None) -> pd.DataFrame:
    """The confirmed tasks on ``period``'s board led by ``department`` (all when None),
    with last month's status for reference."""
    board = task_board(con, period)
    if department:
        board = board[board["lead_department"] == department]
    last = task_board(con, periods.shift(period, -1)).set_index("code")["status_label"]
    return board.assign(last_label=board["code"].map(last).fillna("")).reset_index(drop=True)


def add_progress_sheet(wb, con: Connection, period: str, department: str | None) -> int:
    """Add the sheet to an openpyxl workbook; returns how many tasks it lists (0: no sheet)."""
    rows = sheet_tasks(con, period, department)
    if rows.empty:
        return 0
    ws = wb.create_sheet(PROGRESS_SHEET)
    owner = rows["lead_department_name"].iloc[0] if department else "各牵头科室"
    ws.cell(1, 1, f"{periods.label(period)} 重点任务进展（{owner}）").font = Font(bold=True, size=14)
    ws.cell(2, 1, "在「状态」列选择本月状态并填写进展；已过月度节点或截止日期仍未完成的任务，系统自动判为滞后。")
    for c, (h, w) in enumerate(zip(HEADERS, WIDTHS), start=1):
        cell = ws.cell(HEAD_ROW, c, h)
        cell.font, cell.fill, cell.alignment = Font(bold=True), _HEAD_FILL, Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(c)].width = w
    choices = DataValidation(type="list", formula1='"' + ",".join(REPORTED_WORDS) + '"', allow_blank=True,
                             showErrorMessage=True, errorTitle="状态有误", error="请从下拉框选择状态")
    ws.add_data_validation(choices)
    for r, t in enumerate(rows.itertuples(index=False), start=HEAD_ROW + 1):
        for c, v in enumerate([t.code, t.name, t.node_due or "—", t.last_label or "—"], start=1):
            ws.cell(r, c, v).fill = _LOCKED_FILL
        for c in range(LOCKED + 1, len(HEADERS) + 1):
            ws.cell(r, c).protection = Protection(locked=False)
            ws.cell(r, c).alignment = Alignment(wrap_text=True, vertical="top")
        choices.add(f"{get_column_letter(LOCKED + 1)}{r}")
    ws.freeze_panes = ws.cell(HEAD_ROW + 1, 1)
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    return len(rows)


def known_tasks(con: Connection | None) -> set[str]:
    """Codes of the bureau's tasks (none without a database)."""
    return set(tasks(con)["code"]) if con is not None else set()


def read_progress_sheet(sheets: list[RawSheet], period: str | None, known: set[str]) \
        -> tuple[pd.DataFrame, list[dict]]:
    """The reports of the sheet (``PROGRESS_COLUMNS``) and its problems (validate rows).
    No sheet: an empty frame and no problems."""
    sheet = next((s for s in sheets if s.name == PROGRESS_SHEET), None)
    empty = pd.DataFrame(columns=PROGRESS_COLUMNS)
    if sheet is None:
        return empty, []
    grid = sheet.grid.astype(str).map(str.strip)
    head = next((r for r in range(min(len(grid), 20)) if {"任务代码", "状态"} <= set(grid.iloc[r])), None)
    if head is None:
        return empty, [one("missing_column", f"工作表「{PROGRESS_SHEET}」缺少「任务代码」「状态」表头",
                           sheet=PROGRESS_SHEET)]
    if period is None:
        return empty, [one("missing_period", f"工作表「{PROGRESS_SHEET}」无法确定月份：请使用系统生成的模板",
                           sheet=PROGRESS_SHEET)]
    cols = {h: list(grid.iloc[head]).index(h) for h in ["任务代码", *FIELDS] if h in list(grid.iloc[head])}
    rows, problems = [], []
    for r in range(head + 1, len(grid)):
        code, said = grid.iat[r, cols["任务代码"]], grid.iat[r, cols["状态"]]
        if not said:
            continue
        at = dict(sheet=PROGRESS_SHEET, row=r + 1)
        if said not in REPORTED_WORDS:
            problems.append(one("task_status", f"状态「{said}」无效", value=said,
                                column=get_column_letter(cols["状态"] + 1), **at))
            continue
        if code not in known:
            problems.append(one("unknown_task", f"任务代码「{code}」不存在", value=code,
                                column=get_column_letter(cols["任务代码"] + 1), **at))
            continue
        rows.append({"task_code": code, "period": period, "status": REPORTED_WORDS[said],
                     **{f: (grid.iat[r, cols[h]] or None) if h in cols else None
                        for h, f in FIELDS.items() if f != "status"}})
    return pd.DataFrame(rows, columns=PROGRESS_COLUMNS), problems


def summary_text(progress: pd.DataFrame) -> str:
    """``重点任务进展 3 项（已完成 1、按计划推进 2）``, '' when none."""
    if progress.empty:
        return ""
    counts = progress["status"].map(STATUS_LABELS).value_counts()
    return f"重点任务进展 {len(progress)} 项（" + "、".join(f"{k} {v}" for k, v in counts.items()) + "）"
