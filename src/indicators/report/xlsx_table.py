"""The dispatch table as a formatted Excel workbook: the scope unit first, then one sheet
per district.

Values only: numbers are written as numbers with the indicator's decimals, text with
``write_string`` and the workbook is opened with ``strings_to_formulas`` (and friends)
off, so nothing can become a formula. Text starting with ``= + - @`` (or a tab/CR)
additionally gets Excel's quote prefix, so that even after editing the cell in Excel it
stays text.
"""

from __future__ import annotations

import io
import math
import re

import pandas as pd
import xlsxwriter

from indicators import cards
from indicators.report.slide_kit import text_em
from indicators.report.xlsx_cells import Sheet
from indicators.report.summary import Summary
from indicators.rules.progress import difference_unit
from indicators.rules.projection import no_projection_reason
from indicators.safe_text import FORMULA_START, is_formula_like
from indicators.theme import (
    MUTED_COLOR,
    PRIMARY,
    STATUS_COLORS,
    TEXT_COLOR,
    status_badge,
    status_text_color,
)

PROVENANCE_LABELS = {"reported": "报送", "rolled_up": "汇总", "partial": "部分汇总"}
KIND_LABELS = {"cumulative": "累计值", "stock": "期末值", "ratio": "比率"}

# (header, width, kind) — kind picks the writer/format below
COLUMNS = [
    ("序号", 6, "int"),
    ("指标", 30, "text"),
    ("类别", 12, "text"),
    ("计量单位", 9, "text"),
    ("本期值", 14, "value"),
    ("当期值", 12, "value"),
    ("年度目标", 14, "value"),
    ("目标口径", 9, "text"),
    ("上年末", 14, "value"),
    ("完成率", 9, "pct"),
    ("序时进度", 9, "pct"),
    ("序时应达值", 14, "value"),
    ("与序时应达值差", 14, "value"),
    ("差距（百分点）", 12, "pp"),
    ("状态", 11, "status"),
    ("同比", 14, "yoy"),
    ("排名", 8, "text"),
    ("排名升降", 16, "text"),
    ("预计全年", 18, "projection"),
    ("牵头科室", 14, "text"),
    ("分管领导", 10, "text"),
    ("数据来源", 10, "text"),
    ("说明", 36, "text"),
]
BASIS_WORDS = {"total": "全年累计", "level": "年末达到", "increase": "年内新增"}
HEADER_ROW = 3  # 0: title, 1: as-of and source, 2: blank, 3: header


def build_workbook(summary: Summary) -> bytes:
    """XLSX bytes: sheet 1 the scope unit's indicators, then one sheet per child unit."""
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False,
                                   "strings_to_urls": False, "strings_to_numbers": False,
                                   "nan_inf_to_errors": False})
    wb.set_properties({"title": f"{summary.scope_name}重点指标调度表 {summary.period_label}",
                       "company": summary.source})
    wb.worksheet_class = Sheet  # xlsx_cells: a row at a time
    fmts = _Formats(wb)
    used: set[str] = set()
    _sheet(wb, fmts, summary, summary.indicators, summary.scope_name, used)
    for code, name in _children(summary):
        rows = summary.children[summary.children["org_unit_code"] == code]
        _sheet(wb, fmts, summary, rows, name, used)
    from indicators.report.supervision_sheets import add_sheets
    add_sheets(wb, fmts, summary, used)
    wb.close()
    return out.getvalue()


def _children(summary: Summary) -> list[tuple[str, str]]:
    kids = summary.children[["org_unit_code", "org_unit_name", "unit_order"]].drop_duplicates("org_unit_code")
    return list(kids.sort_values("unit_order")[["org_unit_code", "org_unit_name"]].itertuples(index=False, name=None))


def sheet_name(name: str, used: set[str]) -> str:
    """Excel's rules: ≤ 31 characters, none of []:*?/\\, unique, not starting with '."""
    base = re.sub(r"[\[\]:*?/\\]", "_", str(name)).strip("'")[:31] or "Sheet"
    out, n = base, 2
    while out.lower() in used:
        suffix = f"({n})"
        out, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(out.lower())
    return out


class _Formats:
    def __init__(self, wb):
        base = {"font_name": "Microsoft YaHei", "font_size": 10, "valign": "vcenter", "border": 1,
                "border_color": "#D1D5DB", "font_color": TEXT_COLOR}
        self.wb, self.base = wb, base
        self.title = wb.add_format({"font_name": "Microsoft YaHei", "font_size": 14, "bold": True,
                                    "font_color": TEXT_COLOR})
        self.title_q = wb.add_format({"font_name": "Microsoft YaHei", "font_size": 14, "bold": True,
                                      "font_color": TEXT_COLOR, "quote_prefix": True})
        self.note = wb.add_format({"font_name": "Microsoft YaHei", "font_size": 9, "font_color": MUTED_COLOR})
        self.header = wb.add_format({**base, "bold": True, "font_color": "#FFFFFF", "bg_color": PRIMARY,
                                     "align": "center", "text_wrap": True})
        self.text = wb.add_format({**base})
        self.text_q = wb.add_format({**base, "quote_prefix": True})
        self.center = wb.add_format({**base, "align": "center"})
        self.reason = wb.add_format({**base, "font_size": 9, "font_color": MUTED_COLOR})
        self.int = wb.add_format({**base, "num_format": "0", "align": "center"})
        self.pct = wb.add_format({**base, "num_format": "0.0%"})
        self.pp = wb.add_format({**base, "num_format": "+0.0;-0.0;0.0"})
        self.yoy_pct = wb.add_format({**base, "num_format": "+0.0%;-0.0%;0.0%"})
        self._yoy_diff: dict[tuple, object] = {}
        self._values: dict[int, object] = {}
        self._status: dict[str, object] = {}

    def value(self, decimals) -> object:
        d = 2 if decimals is None or pd.isna(decimals) else max(0, min(int(decimals), 6))
        if d not in self._values:
            num = "#,##0" + ("." + "0" * d if d else "")
            self._values[d] = self.wb.add_format({**self.base, "num_format": num})
        return self._values[d]

    def yoy(self, change_type, unit, decimals) -> object:
        """同比 as a percent change, or for a ratio a difference in its own unit
        (个百分点 for a % indicator, 件 for 每万人发明专利拥有量)."""
        if change_type != "difference":
            return self.yoy_pct
        d = 2 if decimals is None or pd.isna(decimals) else max(0, min(int(decimals), 6))
        word = re.sub(r'["\\]', "", str(unit or ""))
        key = (word, d)
        if key not in self._yoy_diff:
            num = "0" + ("." + "0" * d if d else "")
            self._yoy_diff[key] = self.wb.add_format(
                {**self.base, "num_format": f'+{num}"{word}";-{num}"{word}";{num}"{word}"'})
        return self._yoy_diff[key]

    def status(self, status: str) -> object:
        if status not in self._status:
            self._status[status] = self.wb.add_format({
                **self.base, "align": "center", "bold": True, "bg_color": STATUS_COLORS.get(status, "#FFFFFF"),
                "font_color": status_text_color(status)})
        return self._status[status]


def _sheet(wb, f: _Formats, summary: Summary, rows: pd.DataFrame, unit_name: str, used: set[str]) -> None:
    ws = wb.add_worksheet(sheet_name(unit_name, used))
    write_text(ws, 0, 0, f"{unit_name}重点指标调度表（{summary.period_label}）", f.title, f.title_q)
    write_text(ws, 1, 0, f"数据截至{summary.period_label}；来源：{summary.source}；本期值为累计或期末值，当期值为当月（季）值；"
               "年度目标为年末应达到的水平（年内新增目标已加上年末数）；完成率：累计值 = 本期 ÷ 目标，年末达到 = 本期 ÷ 目标，"
               "年内新增 = 较上年末新增 ÷ 目标新增，比率不计完成率；差距（百分点）= 完成进度 − 序时进度（期末值按增量），"
               "比率以“与序时应达值差”（本指标单位）为准；说明列注明部分汇总和可比口径。", f.note, f.note)
    for c, (header, width, _) in enumerate(COLUMNS):
        write_text(ws, HEADER_ROW, c, header, f.header, f.header)
        ws.set_column(c, c, width)
    ws.set_row(HEADER_ROW, 30)
    ws.freeze_panes(HEADER_ROW + 1, 2)
    recs = row_dicts(rows)
    reasons = [_projection_reason(r) for r in recs]
    for i, (rec, why) in enumerate(zip(recs, reasons)):
        _row(ws, f, HEADER_ROW + 1 + i, i + 1, rec, why)
    _fit_projection_column(ws, reasons)
    last = HEADER_ROW + len(rows)
    if len(rows):
        ws.autofilter(HEADER_ROW, 0, last, len(COLUMNS) - 1)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(HEADER_ROW)


def row_dicts(frame: pd.DataFrame) -> list[dict]:
    """``frame.to_dict(orient="records")`` — the same keys and values (a nullable column's
    missing as None) — built a column at a time: a quarter of the time at 6,000 rows."""
    columns = []
    for name in frame.columns:
        column = frame[name]
        values = column.tolist()
        if isinstance(column.dtype, pd.api.extensions.ExtensionDtype) and column.hasnans:
            values = [None if v is pd.NA else v for v in values]
        columns.append(values)
    keys = list(frame.columns)
    return [dict(zip(keys, row)) for row in zip(*columns)]


_KINDS = [kind for _, _, kind in COLUMNS]


def _row(ws, f: _Formats, row: int, number: int, r: dict, why: str | None) -> None:
    """One indicator row; the numbers are the dispatch table's, the words the card's
    (``cards``: the remarks only — a row prints its own numbers, so no card is built).
    ``why``: the row's ``_projection_reason``."""
    rank = "" if pd.isna(r["rank"]) else f"{int(r['rank'])}/{int(r['rank_of'])}"
    ratio = r["kind"] == "ratio"
    notes = "；".join(t for t in (cards.partial_text(r), cards.review_text(r), cards.comparable_text(r),
                                  cards.note_text(r), cards.change_text(r, "yoy").removeprefix("同比 ")
                                  if r.get("yoy_basis") == "like_for_like" else "") if t)
    cells = [
        number, r["indicator_name"], r["category"], r["unit"], r["value"], r["period_value"], r["target"],
        BASIS_WORDS.get(r["target_basis"], "") if isinstance(r["target_basis"], str) else "", r["baseline"],
        r["completion"], r["expected"], r["expected_value"], r["gap_value"], None if ratio else r["gap_pp"],
        status_badge(r["status"]), r["yoy"], rank, cards.rank_move_text(r), r["projection"], r["lead_department"],
        r["leader"], PROVENANCE_LABELS.get(r["provenance"], "") if isinstance(r["provenance"], str) else "", notes,
    ]
    value = f.value(r["decimals"])
    numbers = {"int": f.int, "value": value, "projection": value, "pct": f.pct, "pp": f.pp,
               "yoy": f.yoy("difference" if ratio else "change", difference_unit(r["unit"]), r["decimals"])}
    out = []
    for kind, v in zip(_KINDS, cells):
        missing = v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))  # _missing, inline
        if kind == "text":
            text = "" if missing else str(v)
            out.append((text, f.text_q if text.startswith(FORMULA_START) else f.text))  # text_cell, inline
        elif kind == "status":
            out.append(text_cell(v, f.status(r["status"]), f.status(r["status"])))
        elif kind == "projection" and missing:  # none: say why (部分汇总 names who is missing)
            out.append(text_cell(why, f.reason, f.reason))
        else:  # a missing number: an empty cell that keeps the column's number format
            out.append((None if missing else float(v), numbers[kind]))
    ws.put_row(row, out)


PROJECTION_COL = [h for h, _, _ in COLUMNS].index("预计全年")


def _projection_reason(r: dict) -> str | None:
    """Why a row has no 预计全年 (``rules.projection``; a partial sum names who is missing)."""
    if not _missing(r["projection"]):
        return None
    return no_projection_reason(r.get("projection_none"), r["status"], r.get("missing_units"))


def _fit_projection_column(ws, reasons: list[str | None]) -> None:
    """预计全年 wide enough for its longest reason on one line (a wrapped cell does not grow
    its row in every spreadsheet: the lines ran over the next rows); ``reasons``: each
    row's ``_projection_reason``."""
    ems = [text_em(why) for why in reasons if why]
    width = COLUMNS[PROJECTION_COL][1]
    ws.set_column(PROJECTION_COL, PROJECTION_COL, max(width, min(60, round(max(ems, default=0) * 1.7 + 2))))


def write_text(ws, row: int, col: int, text: str, fmt, risky_fmt) -> None:
    """Always a string cell; text that Excel could read as a formula gets the quote prefix."""
    ws.write_string(row, col, *text_cell(text, fmt, risky_fmt))


def text_cell(text, fmt, risky_fmt) -> tuple[str, object]:
    """``write_text``'s cell for ``Sheet.put_row``: the text and its format."""
    text = str(text)
    return text, risky_fmt if is_formula_like(text) else fmt


def _missing(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))
