"""The 重点任务 sheet of the setup workbook: written beside the other sheets, read when
present (a workbook from before tasks existed still loads), checked against the
departments, leaders and units of the same workbook."""

from __future__ import annotations

import pandas as pd

from indicators.tasks.model import (
    TASK_SHEET,
    TASK_SHEET_COLUMNS,
    Lookup,
    normalise_tasks,
)


def task_notes() -> list[dict]:
    """Rows of the 说明 sheet for the 重点任务 columns."""
    return [{"工作表": TASK_SHEET, "列": c.header, "必填": "是" if c.required else "", "说明": c.help}
            for c in TASK_SHEET_COLUMNS]


def task_sheet_frame(frame: pd.DataFrame | None, names: dict[str, dict[str, str]] | None = None) -> pd.DataFrame:
    """The sheet as written: Chinese headers; departments and leaders by name when
    ``names`` ({'department': {code: name}, 'leader': {...}}) is given, else by code."""
    frame = frame if frame is not None else pd.DataFrame(columns=[c.name for c in TASK_SHEET_COLUMNS])
    names = names or {}
    out = {}
    for c in TASK_SHEET_COLUMNS:
        col = frame[c.name] if c.name in frame else pd.Series([None] * len(frame), dtype=object)
        table = {"lead_department": "department", "leader": "leader"}.get(c.name)
        if table and names.get(table):
            col = col.map(lambda v, m=names[table]: m.get(v, v))
        if c.name == "deadline":
            col = col.map(_date_text)
        out[c.header] = col.to_numpy(dtype=object)
    return pd.DataFrame(out)


def _date_text(v):
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    return v if isinstance(v, str) else pd.Timestamp(v).date().isoformat()


def write_task_sheet(xw: pd.ExcelWriter, frame: pd.DataFrame | None) -> None:
    sheet = task_sheet_frame(frame)
    sheet.to_excel(xw, sheet_name=TASK_SHEET, index=False)
    xw.sheets[TASK_SHEET].freeze_panes(1, 0)
    xw.sheets[TASK_SHEET].set_column(0, len(TASK_SHEET_COLUMNS) - 1, 16)
    xw.sheets[TASK_SHEET].set_column(1, 1, 40)


def read_task_sheet(book: dict[str, pd.DataFrame], frames: dict[str, pd.DataFrame]) \
        -> tuple[pd.DataFrame | None, list[str]]:
    """The task frame from a workbook read with ``sheet_name=None`` (None when the
    workbook has no 重点任务 sheet) and its problems."""
    if TASK_SHEET not in book:
        return None, []
    raw = book[TASK_SHEET]
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c.header for c in TASK_SHEET_COLUMNS if c.required and c.header not in raw.columns]
    if missing:
        return None, [f"工作表「{TASK_SHEET}」缺少列：{'、'.join(missing)}"]
    renamed = pd.DataFrame({c.name: raw[c.header] if c.header in raw.columns else None for c in TASK_SHEET_COLUMNS})
    renamed = renamed[renamed.notna().any(axis=1)].reset_index(drop=True)
    empty = pd.DataFrame(columns=["code", "name"])
    lookup = Lookup(frames.get("department", empty), frames.get("leader", empty), frames.get("org_unit", empty))
    return normalise_tasks(renamed, lookup)
