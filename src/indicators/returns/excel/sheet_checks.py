"""Checks on a whole sheet or a located table, beside the cell rules of ``validate``:
sheets not read that hold numbers, a CSV row wider than its header, a title month no row
has, a cumulative figure labelled with one quarter, and which values come from cells
formatted as a percentage. Each returns problems
(``validate.one``) or a mask; nothing here writes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.returns.excel.header import locate
from indicators.returns.excel.matching import Catalog
from indicators.returns.excel.periods import single_quarters
from indicators.returns.excel.sources import RawSheet, column_letter
from indicators.returns.excel.validate import one
from indicators.returns.limits import clip
from indicators.returns.template import META_SHEET
from indicators.tasks.progress_sheet import PROGRESS_SHEET


def title_month_unused(table, frame: pd.DataFrame) -> list[dict]:
    """A warning when the title names a month no row of the period column has (title
    2026年9月 over rows of 2026-10: which one is the return's?)."""
    if not table.title_period or table.title_annual or (frame["period_column"] == "").all():
        return []
    seen = set(frame["period"].dropna())
    if not seen or table.title_period in seen:
        return []
    shown = "、".join(sorted(seen)[:3]) + ("…" if len(seen) > 3 else "")
    return [one("title_period_differs", f"标题写的是 {table.title_period}，期间列却是 {shown}：已按期间列读取",
                sheet=table.sheet.name, row=table.header_row + 1, severity="warning")]


def overflowing_rows(table) -> list[dict]:
    """In a CSV, data rows with more fields than the header: an unquoted comma inside a
    number (1,600.5 split into 1 and 600.5) — the figure would be read as 1."""
    if not table.sheet.delimited or not table.columns:
        return []
    width = table.columns[-1].index + 1
    grid = table.sheet.grid
    extra = grid.iloc[table.data_start:table.data_end, width:]
    if extra.empty:
        return []
    cells = extra.to_numpy(dtype=object)  # one pass over the flat cells: a row may be 400,000 fields wide
    filled = pd.Series(cells.ravel(), dtype=object).astype(str).str.strip().ne("").to_numpy(dtype=bool)
    rows = np.flatnonzero(filled.reshape(cells.shape).any(axis=1))
    return [one("extra_fields", f"第 {table.data_start + r + 1} 行的字段比表头多（表头 {width} 列）：数字中的逗号"
                "（如 1,600.5）未加引号，数值会被拆开", sheet=table.sheet.name, row=table.data_start + r + 1)
            for r in rows[:20].tolist()]


_SKIPPED_ROWS_LOOKED = 5_000


def skipped_sheets(sheets: list[RawSheet], chosen: list[RawSheet], catalog: Catalog) -> list[dict]:
    """A warning for each sheet not read that holds a table with numbers: a hidden sheet,
    or one beside the generated template's data sheet (a 补报 sheet would be lost)."""
    out = []
    for sheet in sheets:
        if sheet in chosen or sheet.name in (META_SHEET, PROGRESS_SHEET) or sheet.unreadable:
            continue
        table = locate(sheet, catalog)
        if table is None:
            continue
        block = table.block()
        looked = block.iloc[:_SKIPPED_ROWS_LOOKED]  # counted, not read: a bound on a huge hidden sheet
        numbers = looked.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v == v)
        rows = int(numbers.to_numpy(dtype=bool).any(axis=1).sum())
        if rows:
            why = "隐藏的工作表" if not sheet.visible else "填报模板数据表之外的工作表"
            more = "以上" if len(block) > len(looked) else ""
            out.append(one("ignored_sheet", f"{why}「{clip(sheet.name, 31)}」未读取，其中有 {rows:,} 行{more}数值",
                           sheet=sheet.name, severity="warning"))
    return out


def shown_as_percent(values: pd.DataFrame, sheets: list[RawSheet]) -> np.ndarray | None:
    """Which values come from a number cell formatted as a percentage (``SheetScan.percent``)."""
    cells = {(sheet.name, r + 1, column_letter(c)) for sheet in sheets if sheet.scan is not None
             for r, c in sheet.scan.percent}
    if not cells or values.empty:
        return None
    keys = zip(values["sheet"].tolist(), values["row"].tolist(), values["column"].tolist())
    return np.fromiter((k in cells for k in keys), dtype=bool, count=len(values))


def quarter_labels(w: pd.DataFrame, catalog: Catalog) -> list[dict]:
    """A warning, once per sheet and indicator, where a cumulative figure is labelled with
    one quarter (2026年第三季度): it is stored as 1–9月, and would be wrong if it is the
    quarter's own 7–9月."""
    if w.empty:
        return []
    cumulative = w["indicator_code"].map(catalog.indicators["kind"]).eq("cumulative").to_numpy(dtype=bool)
    rows = w[cumulative & single_quarters(w["period_text"]) & ~w["empty"].to_numpy(dtype=bool)]
    names = catalog.indicators["name"]
    return [one("quarter_as_ytd", f"「{names.get(r.indicator_code, r.indicator_code)}」的「{clip(r.period_text, 20)}」"
                f"按 1–{int(str(r.period)[5:7])}月累计读取：如填的是该季度当季数，请改为年初至季末的累计数",
                sheet=r.sheet, row=int(r.row), column=str(r.column), severity="warning")
            for r in rows.drop_duplicates(["sheet", "indicator_code"]).itertuples(index=False)]
