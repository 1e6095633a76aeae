"""The monthly return template (.xlsx, openpyxl): the easy path of DESIGN §5.

Sheets: 填报说明 (instructions and the indicator list), 报送数据 (one row per unit ×
due indicator: period, unit, indicator with its unit of measure, 口径, last month's
value for reference, the value to fill, a note), and two hidden sheets: ``_lists``
(drop-down sources) and ``_meta`` (period, unit, data sheet — the importer reads it
and holds the file to its period). Headers and pre-filled cells are locked; only
填报值 / 备注 and spare rows are editable; numbers are validated (≥ 0 where negatives
make no sense).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from indicators.db import catalog, observations
from indicators.db.connection import Connection
from indicators.accounts.roles import Actor
from indicators.safe_text import openpyxl_text
from indicators.errors import PermissionDenied, RejectedInput
from indicators.formatting import date_label
from indicators.rules.due import deadline, due_indicators
from indicators.rules.periods import label, shift
from indicators.settings import Settings

DATA_SHEET = "报送数据"
META_SHEET = "_meta"
LIST_SHEET = "_lists"
HEADERS = ["期间", "单位", "指标", "口径", "上月值（参考）", "填报值", "备注"]
WIDTHS = [10, 16, 34, 16, 16, 14, 24]
VALUE_COL, NOTE_COL = 6, 7  # 1-based
SPARE_ROWS = 30
KIND_TEXT = {"cumulative": "1至本月累计", "stock": "月末数", "ratio": "比率"}

_HEAD_FILL = PatternFill("solid", fgColor="DCE6F1")
_LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
_THIN = Side(style="thin", color="BFBFBF")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def indicator_label(name: str, unit: str | None) -> str:
    """``技术合同成交额（亿元）``: the importer reads the bracket as the unit written."""
    return f"{name}（{unit}）" if unit else name


def _due_indicators(con: Connection, period: str) -> pd.DataFrame:
    """The indicators to fill in for ``period`` (``rules.due.due_indicators``)."""
    ind = due_indicators(catalog.indicators(con), period)
    return ind.assign(allow_negative=ind["allow_negative"].fillna(False).astype(bool))


def unit_for(actor: Actor, unit: str | None) -> str | None:
    """The unit a template is made for: a 区县填报员's own unit, always (asking for
    another is refused); otherwise ``unit`` (None: all units)."""
    if actor.role != "district":
        return unit
    if unit is not None and unit != actor.unit:
        raise PermissionDenied(f"{actor.display}只能下载本单位（{actor.scope_name}）的报送模板。")
    return actor.unit


def template_rows(con: Connection, period: str, unit: str | None = None) -> pd.DataFrame:
    """The pre-filled rows: period, org_unit, unit_name, indicator_code, label, kind_text,
    allow_negative, last_value (current value of the month before, for reference)."""
    units = catalog.org_units(con)[["code", "name"]]
    if unit is not None:
        units = units[units["code"] == unit]
        if units.empty:
            raise RejectedInput(f"单位代码 {unit} 不存在")
    ind = _due_indicators(con, period)[["code", "name", "unit", "kind", "allow_negative"]]
    if ind.empty or units.empty:
        raise RejectedInput(f"{label(period)} 没有需要报送的指标或单位：请先导入设置。")
    rows = units.merge(ind, how="cross", suffixes=("_unit", ""))
    rows = rows.rename(columns={"code_unit": "org_unit", "name_unit": "unit_name", "code": "indicator_code"})
    prev = observations.values_of_month(con, shift(period, -1)).rename(columns={"value": "last_value"})
    rows = rows.merge(prev, on=["indicator_code", "org_unit"], how="left")
    rows["period"] = period
    rows["label"] = [indicator_label(n, u) for n, u in zip(rows["name"], rows["unit"])]
    rows["kind_text"] = rows["kind"].map(KIND_TEXT).fillna("")
    return rows[["period", "org_unit", "unit_name", "indicator_code", "label", "kind_text", "allow_negative",
                 "last_value"]]


def write_template(con: Connection, out: str | Path, *, period: str, unit: str | None = None,
                   settings: Settings, today: dt.date, department: str | None = None) -> Path:
    """Write the template for ``period`` (one unit, or all units when ``unit`` is None);
    ``today`` (``indicators.clock.today``) is recorded as its generation date. For a
    ``department`` (or the all-units template) it also holds the 重点任务进展 sheet of the
    tasks that department leads (``indicators.tasks.progress_sheet``)."""
    out = Path(out)
    rows = template_rows(con, period, unit)
    ind = _due_indicators(con, period)
    units = rows[["org_unit", "unit_name"]].drop_duplicates()
    wb = Workbook()
    _instructions(wb.active, period, unit and units["unit_name"].iloc[0], ind, settings)
    ws = wb.create_sheet(DATA_SHEET)
    lists = wb.create_sheet(LIST_SHEET)
    # a unit's template lists only that unit: a district's file cannot name another
    all_units = units["unit_name"] if unit else catalog.org_units(con)["name"]
    for i, name in enumerate(all_units, start=1):
        openpyxl_text(lists.cell(i, 1), name)
    for i, text in enumerate((indicator_label(n, u) for n, u in zip(ind["name"], ind["unit"])), start=1):
        openpyxl_text(lists.cell(i, 2), text)
    lists.sheet_state = "hidden"
    meta = wb.create_sheet(META_SHEET)
    for r, (k, v) in enumerate([("template", "indicators-return"), ("version", "1"), ("period", period),
                                ("unit", unit or ""), ("data_sheet", DATA_SHEET),
                                ("generated_at", today.isoformat())], start=1):
        meta.cell(r, 1, k)
        meta.cell(r, 2, v)
    meta.sheet_state = "hidden"
    _data_sheet(ws, rows, period, unit and units["unit_name"].iloc[0], len(all_units), len(ind), settings)
    if department or unit is None:
        from indicators.tasks.progress_sheet import add_progress_sheet
        add_progress_sheet(wb, con, period, department)
    wb.active = 1
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def _instructions(ws, period: str, unit_name: str | None, ind: pd.DataFrame, settings: Settings) -> None:
    ws.title = "填报说明"
    lines = [
        f"{label(period)} 科技重点指标月调度 · 填报说明",
        "",
        f"报送期间：{label(period)}" + (f"　　填报单位：{unit_name}" if unit_name else "　　填报单位：各单位（每行一个单位）"),
        f"报送截止：{date_label(deadline(period, settings.deadline_day))}",
        "1. 在「报送数据」表的「填报值」列填写数字；表头和灰色单元格已锁定。",
        "2. 数值按「指标」列括号中的计量单位填写（如 亿元、家、%）；百分比填 25 或 25% 均可。",
        "3. 累计值指标填写1月至本月的累计数；月末数指标填写本月末的数量。",
        "4. 无数据请留空或填“—”；不要合并单元格、不要改动表头。",
        "5. 需要补报其他单位或指标时，在表格下方的空行中用下拉框选择单位和指标。",
        "6. 上传后系统会逐格校验：有错误的文件整份不导入，并指出工作表、行、列和修改方法。",
        "",
        "本期需报送的指标：",
    ]
    for r, text in enumerate(lines, start=1):
        ws.cell(r, 1, text)
    ws.cell(1, 1).font = Font(bold=True, size=14)
    start = len(lines) + 1
    for c, h in enumerate(["指标代码", "指标名称", "计量单位", "口径", "说明"], start=1):
        ws.cell(start, c, h).font = Font(bold=True)
        ws.cell(start, c).fill = _HEAD_FILL
    for i, r in enumerate(ind.itertuples(index=False), start=start + 1):
        for c, v in enumerate([r.code, r.name, r.unit, KIND_TEXT.get(r.kind, ""), r.description], start=1):
            openpyxl_text(ws.cell(i, c), None if pd.isna(v) else v)
    for c, w in enumerate([12, 30, 10, 14, 50], start=1):
        ws.column_dimensions[get_column_letter(c)].width = w


def _data_sheet(ws, rows: pd.DataFrame, period: str, unit_name: str | None, n_units: int, n_inds: int,
                settings: Settings) -> None:
    ws.cell(1, 1, f"{label(period)} 科技重点指标月调度报送表").font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws.cell(2, 1, f"填报单位：{unit_name}" if unit_name else "填报单位：各单位（见“单位”列）")
    ws.cell(2, 5, f"报送截止：{date_label(deadline(period, settings.deadline_day))}")
    head = 3
    for c, (h, w) in enumerate(zip(HEADERS, WIDTHS), start=1):
        cell = ws.cell(head, c, h)
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
        cell.alignment = Alignment(horizontal="center")
        cell.border = _BOX
        ws.column_dimensions[get_column_letter(c)].width = w
    first = head + 1
    unlocked = Protection(locked=False)
    nonneg = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, errorTitle="数值有误", error="请填写不小于 0 的数字")
    anynum = DataValidation(type="decimal", operator="between", formula1="-1E+15", formula2="1E+15",
                            allow_blank=True, showErrorMessage=True, errorTitle="数值有误", error="请填写数字")
    unit_list = DataValidation(type="list", formula1=f"={LIST_SHEET}!$A$1:$A${max(n_units, 1)}", allow_blank=True)
    ind_list = DataValidation(type="list", formula1=f"={LIST_SHEET}!$B$1:$B${max(n_inds, 1)}", allow_blank=True)
    for dv in (nonneg, anynum, unit_list, ind_list):
        ws.add_data_validation(dv)
    r = first
    for row in rows.itertuples(index=False):
        values = [row.period, row.unit_name, row.label, row.kind_text,
                  None if pd.isna(row.last_value) else float(row.last_value)]
        for c, v in enumerate(values, start=1):
            cell = ws.cell(r, c)
            openpyxl_text(cell, v)
            cell.fill = _LOCKED_FILL
            cell.border = _BOX
        for c in (VALUE_COL, NOTE_COL):
            ws.cell(r, c).protection = unlocked
            ws.cell(r, c).border = _BOX
        (anynum if row.allow_negative else nonneg).add(f"{get_column_letter(VALUE_COL)}{r}")
        r += 1
    last = r - 1
    spare_from, spare_to = r, r + SPARE_ROWS - 1
    for rr in range(spare_from, spare_to + 1):
        for c in range(1, len(HEADERS) + 1):
            ws.cell(rr, c).protection = unlocked
    if spare_to >= spare_from:
        unit_list.add(f"B{spare_from}:B{spare_to}")
        ind_list.add(f"C{spare_from}:C{spare_to}")
        nonneg.add(f"{get_column_letter(VALUE_COL)}{spare_from}:{get_column_letter(VALUE_COL)}{spare_to}")
    ws.freeze_panes = ws.cell(first, 1)
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # widths may still be changed
    ws.protection.formatRows = False
    ws.protection.autoFilter = False
    ws.auto_filter.ref = f"A{head}:{get_column_letter(len(HEADERS))}{max(last, head)}"
