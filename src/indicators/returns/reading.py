"""Reading a return: one file (path or bytes) read and checked into a ``ReturnReading``
— read → locate table → normalise → validate, against the catalogue and what the
database already holds. Writes nothing; what happens after reading (diff, permission
and lock checks, commit, rollback) is :mod:`indicators.returns.pipeline`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.db.connection import Connection
from indicators.errors import RejectedInput
from indicators.returns.excel import history, sheet_checks
from indicators.returns.excel.header import locate
from indicators.returns.excel.layouts import LAYOUT_NAMES, to_long
from indicators.returns.excel.matching import Catalog
from indicators.returns.excel.normalise import CONVERSION_COLUMNS, normalise, pick_flavours, place_years
from indicators.returns.excel.periods import latest_periods, month_of, parse_periods
from indicators.returns.excel.sources import DEFAULT_LIMITS, Background, RawSheet, column_letter, read_file, read_sheets
from indicators.returns.excel.validate import (
    RULES,
    cap_problems,
    check_cells,
    check_duplicates,
    check_frequency,
    check_keys,
    check_periods,
    check_totals,
    one,
    problem_table,
)
from indicators.returns.limits import Limits, clip
from indicators.returns.template import META_SHEET  # the generated template's hidden key / value sheet
from indicators.tasks.progress_sheet import PROGRESS_SHEET, known_tasks, read_progress_sheet
from indicators.tasks.store import PROGRESS_COLUMNS

VALUE_COLUMNS = ["indicator_code", "org_unit", "period", "value", "sheet", "row", "column", "cell"]


@dataclass
class ReturnReading:
    """A return read and checked, not yet stored.

    - ``values``: indicator_code, org_unit, period ('YYYY-MM'), value (float, in the
      indicator's own unit, after conversion), sheet, row (Excel row), column (letter),
      cell (the raw cell as read: number or text). Empty cells and 合计 rows are not in it.
      Strings are object dtype (cheaper than Arrow strings at 100k rows).
    - ``problems``: see ``indicators.returns.excel.validate.PROBLEM_COLUMNS``; at most
      ``Limits.max_problems`` per rule, the rest counted in ``omitted``.
    - ``omitted``: rule → (severity, how many more problems of that rule were not listed).
    - ``conversions``: indicator_code, from_unit, to_unit, factor, rows — unit changes applied.
    - ``totals``: the 合计 rows read (indicator_code, period, value, sheet, row), never stored.
    - ``layout``: 'long' | 'wide_by_indicator' | 'wide_by_month' ('+'-joined if sheets differ).
    """

    file_name: str
    sha256: str
    values: pd.DataFrame
    problems: pd.DataFrame
    conversions: pd.DataFrame
    layout: str = ""
    totals: pd.DataFrame = field(default_factory=pd.DataFrame)
    sheets: list[str] = field(default_factory=list)
    expected_period: str | None = None
    # the 重点任务进展 sheet (indicators.tasks.progress_sheet): PROGRESS_COLUMNS
    task_progress: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROGRESS_COLUMNS))
    omitted: dict[str, tuple[str, int]] = field(default_factory=dict)
    listed_per_rule: int = DEFAULT_LIMITS.max_problems

    @property
    def errors(self) -> pd.DataFrame:
        return self.problems[self.problems["severity"] == "error"]

    @property
    def warnings(self) -> pd.DataFrame:
        return self.problems[self.problems["severity"] == "warning"]

    @property
    def ok(self) -> bool:
        return self.errors.empty

    def count(self, severity: str) -> int:
        """Problems of ``severity``, listed or not."""
        listed = int((self.problems["severity"] == severity).sum())
        return listed + sum(n for sev, n in self.omitted.values() if sev == severity)

    @property
    def layout_name(self) -> str:
        return "、".join(LAYOUT_NAMES.get(p, p) for p in self.layout.split("+") if p)

    def summary(self) -> dict:
        """Plain data for ``--json`` and page captions."""
        return {"file": self.file_name, "sha256": self.sha256, "layout": self.layout, "sheets": self.sheets,
                "rows": int(len(self.values)), "periods": sorted(self.values["period"].unique().tolist()),
                "units": int(self.values["org_unit"].nunique()),
                "indicators": int(self.values["indicator_code"].nunique()),
                "errors": self.count("error"), "warnings": self.count("warning"),
                "problems_omitted": {rule: n for rule, (_sev, n) in self.omitted.items()},
                "task_progress": int(len(self.task_progress))}


def read_return(source: str | Path | bytes, file_name: str | None = None, con: Connection | None = None,
                *, today: dt.date, expected_period: str | None = None,
                catalog: Catalog | None = None, limits: Limits = DEFAULT_LIMITS) -> ReturnReading:
    """Read and validate one return file (path or bytes). Writes nothing.

    ``con`` supplies the catalogue (unless ``catalog`` is given) and the history used for
    warnings; ``today`` (``indicators.clock.today``) fixes "the future" and the month not
    yet over; ``expected_period`` makes any other period an error (a generated template
    sets it by itself); ``limits`` bound what the file may cost (a file past one is a
    reading with one error).
    """
    try:
        data, file_name = _bytes_of(source, file_name, limits)
    except RejectedInput as exc:
        return _rejected(file_name or str(source), "", str(exc))
    sha = hashlib.sha256(data).hexdigest()
    # calamine reads in a thread (it parses with the GIL released) while the catalogue and
    # the earlier-upload check are fetched here
    sheets_read = Background(read_sheets, data, file_name, limits)
    catalog = catalog or Catalog.from_db(con)
    same_file = history.same_file(con, sha, file_name)
    try:
        sheets = sheets_read.result()
    except RejectedInput as exc:
        return _rejected(file_name, sha, str(exc))
    meta = _template_meta(sheets)
    expected_period = expected_period or meta.get("period")
    default_year = int(expected_period[:4]) if expected_period else None  # else the latest such month
    chosen = _chosen_sheets(sheets, meta)
    problems, unlisted = _all_sheet_problems(chosen)
    problems.extend(sheet_checks.skipped_sheets(sheets, chosen, catalog))
    task_progress, task_problems = read_progress_sheet(sheets, expected_period, known_tasks(con))
    problems.extend(task_problems)
    w, layouts, used, shape_problems = _shape(chosen, catalog, default_year, file_name, expected_period, today)
    problems.extend(shape_problems)
    if w is None:
        if not any(p["severity"] == "error" for p in problems) and task_progress.empty:
            problems.append(one("no_table", "文件中没有找到可识别的数据表（表头应含 期间、单位、指标、数值 "
                                "或指标名称、月份等列名）"))
        reading = _finish(file_name, sha, _empty_values(), problems, pd.DataFrame(columns=CONVERSION_COLUMNS), "",
                          used, expected_period, limits, unlisted)
        reading.task_progress = task_progress
        return reading
    w, conversions, unit_problems = normalise(w, catalog)
    w = pick_flavours(w, catalog)
    problems.append(unit_problems)
    problems.extend(_checks(w, catalog, today, expected_period))
    values, totals = _kept(w)
    problems.extend(check_totals(totals, values, catalog))
    values, conversions, history_problems = _against_history(con, values, conversions, catalog,
                                                             sheet_checks.shown_as_percent(values, chosen))
    problems.extend(history_problems + same_file)
    reading = _finish(file_name, sha, values[VALUE_COLUMNS], problems, conversions, "+".join(dict.fromkeys(layouts)),
                      used, expected_period, limits, unlisted)
    reading.totals = totals[["indicator_code", "period", "value", "sheet", "row"]].reset_index(drop=True)
    reading.task_progress = task_progress
    return reading


def _bytes_of(source, file_name: str | None, limits: Limits) -> tuple[bytes, str]:
    if isinstance(source, (str, Path)):
        return read_file(source, limits), file_name or Path(source).name
    return bytes(source), file_name or "上传文件"


def _chosen_sheets(sheets: list[RawSheet], meta: dict[str, str]) -> list[RawSheet]:
    """The generated template's data sheet, else every visible sheet."""
    if meta.get("data_sheet"):
        return [s for s in sheets if s.name == meta.get("data_sheet")]
    return [s for s in sheets if s.visible and s.name not in (META_SHEET, PROGRESS_SHEET)]


def _shape(chosen: list[RawSheet], catalog: Catalog, default_year: int | None, file_name: str = "",
           period: str | None = None, today: dt.date | None = None):
    """Locate each sheet's table and turn it into the raw long frame (periods parsed).
    Returns (frame or None when no sheet had a table, layouts, sheet names, problems).
    ``file_name`` and ``period`` (declared) say what a sheet leaves open (``locate``)."""
    frames, layouts, used, problems = [], [], [], []
    for sheet in chosen:
        table = locate(sheet, catalog, file_name, period)
        if table is None:
            continue
        problems.extend(sheet_checks.overflowing_rows(table))
        shaped = to_long(table, catalog)
        problems.extend(shaped.problems)
        if shaped.frame.empty:
            continue
        frame = shaped.frame
        year = table.title_year or default_year
        frame["period"] = (parse_periods(frame["period_text"], default_year=year) if year or today is None
                           else latest_periods(frame["period_text"], today))
        problems.extend(sheet_checks.title_month_unused(table, frame))
        frames.append(place_years(frame))
        layouts.append(shaped.layout)
        used.append(sheet.name)
    if not frames:
        return None, layouts, used, problems
    w = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(drop=True)
    return w, layouts, used, problems


def _checks(w: pd.DataFrame, catalog: Catalog, today: dt.date, expected_period: str | None) -> list:
    return [*check_cells(w, catalog), *check_keys(w, catalog),
            *check_periods(w, current_month=month_of(today), expected=expected_period),
            *check_frequency(w, catalog), *check_duplicates(w), *sheet_checks.quarter_labels(w, catalog)]


def _kept(w: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(values to store, 合计 rows): non-empty numbers with an indicator and a period."""
    keep = (~w["empty"].to_numpy(dtype=bool) & w["ok"].to_numpy(dtype=bool)
            & w["has_indicator"].to_numpy(dtype=bool) & ~pd.isna(w["period"].to_numpy(dtype=object)))
    is_total_row = w["is_total"].to_numpy(dtype=bool)
    narrow = w[VALUE_COLUMNS + ["percent"]]  # only what is kept: row selection copies every column
    totals = narrow[keep & is_total_row]
    values = narrow[keep & ~is_total_row & w["has_org_unit"].to_numpy(dtype=bool)]
    return values.reset_index(drop=True), totals


def _against_history(con, values: pd.DataFrame, conversions: pd.DataFrame, catalog: Catalog,
                     shown_as_percent: np.ndarray | None = None):
    """Percentages written as fractions, outliers and falling cumulative values, against
    what the database holds. Returns (values, conversions, problems)."""
    problems = []
    stats = history.history_stats(con, values) if con is not None and not values.empty else None
    values, pct_conv, pct_problems = history.percent_fractions(values, stats, catalog, shown_as_percent)
    problems.append(pct_problems)
    if stats is not None:
        problems.append(history.outliers(values, stats, catalog))
    if not pct_conv.empty:
        conversions = pd.concat([conversions, pct_conv], ignore_index=True)
    if not values.empty:
        problems.append(history.cumulative_fell(con, values, catalog))
    return values, conversions, problems


def _all_sheet_problems(chosen: list[RawSheet]) -> tuple[list, dict[str, tuple[str, int]]]:
    """Every chosen sheet's own problems, and how many error cells and uncached formulas
    the scans counted beyond the ones they kept."""
    problems, unlisted = [], {}
    for sheet in chosen:
        problems.extend(_sheet_problems(sheet))
        scan = sheet.scan
        if scan is None:
            continue
        for rule, total, kept in (("formula_error", scan.errors_total, len(scan.errors)),
                                  ("formula_uncached", scan.uncached_total, len(scan.uncached))):
            if total > kept:
                unlisted[rule] = ("error", unlisted.get(rule, ("error", 0))[1] + total - kept)
    return problems, unlisted


def _sheet_problems(sheet: RawSheet) -> list[dict]:
    """What the sheet says before its table is read: unreadable, cut at 65,536 rows,
    error results and formulas (see ``xlsx_scan``)."""
    out = []
    if sheet.unreadable:
        out.append(one("sheet_unreadable", f"工作表「{clip(sheet.name, 31)}」无法读取（{sheet.unreadable}）",
                       sheet=sheet.name))
    if sheet.truncated:
        out.append(one("xls_truncated", f"工作表「{sheet.name}」正好有 65,536 行，超出部分可能已丢失",
                       sheet=sheet.name, severity="warning"))
    scan = sheet.scan
    if scan is None:
        return out
    for (r, c), err in sorted(scan.errors.items()):
        out.append(one("formula_error", f"单元格为公式错误值 {err}，没有可用的数值", sheet=sheet.name, row=r + 1,
                       column=column_letter(c), value=err))
    for (r, c), formula in sorted(scan.uncached.items()):
        out.append(one("formula_uncached", "公式没有保存计算结果，读不到它的数值", sheet=sheet.name, row=r + 1,
                       column=column_letter(c), value=formula))
    if scan.cached_formulas:
        r, c = scan.first_cached
        out.append(one("formula_cached", f"工作表「{clip(sheet.name, 31)}」有 {scan.cached_formulas:,} 个公式单元格"
                       f"（如 {column_letter(c)}{r + 1}），已按文件中保存的计算结果读取", sheet=sheet.name,
                       row=r + 1, column=column_letter(c), severity="warning"))
    return out


def _template_meta(sheets: list[RawSheet]) -> dict[str, str]:
    meta = next((s for s in sheets if s.name == META_SHEET), None)
    if meta is None or meta.grid.shape[1] < 2:
        return {}
    return {str(k): str(v) for k, v in zip(meta.grid[0], meta.grid[1]) if str(k)}


def _empty_values() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64" if c == "value" else ("Int64" if c == "row" else "str"))
                         for c in VALUE_COLUMNS})


def _rejected(file_name: str, sha: str, message: str) -> ReturnReading:
    return _finish(file_name, sha, _empty_values(), [one("file_refused", message)],
                   pd.DataFrame(columns=CONVERSION_COLUMNS), "", [], None, DEFAULT_LIMITS)


def _finish(file_name, sha, values, problems, conversions, layout, sheets, expected, limits: Limits,
            unlisted: dict[str, tuple[str, int]] | None = None) -> ReturnReading:
    table, counted = problem_table(problems, file_name)
    table, omitted = cap_problems(table, limits.max_problems)
    for rule, n in counted.items():  # problems a check counted without building them
        severity = omitted.get(rule, (str(table.loc[table["rule"] == rule, "severity"].iloc[0]), 0))[0]
        omitted[rule] = (severity, omitted.get(rule, (severity, 0))[1] + n)
    for rule, (severity, n) in (unlisted or {}).items():  # cells the scan counted but did not keep
        omitted[rule] = (severity, omitted.get(rule, (severity, 0))[1] + n)
    return ReturnReading(file_name, sha, values.reset_index(drop=True), table,
                         conversions.reset_index(drop=True), layout, sheets=sheets, expected_period=expected,
                         omitted=omitted, listed_per_rule=limits.max_problems)


def problem_lines(reading: ReturnReading, limit: int | None = 50) -> list[str]:
    """One located line per problem: 【错误】文件 › 工作表 C5：message（值：x）→ fix."""
    lines = []
    for p in reading.problems.head(limit).itertuples(index=False):
        where_ = f"{p.file}"
        if p.sheet:
            where_ += f" › {p.sheet}"
        if p.column or not pd.isna(p.row):
            where_ += f" {p.column}{'' if pd.isna(p.row) else int(p.row)}"
        tag = "错误" if p.severity == "error" else "警告"
        seen = f"（值：{p.value}）" if p.value else ""
        lines.append(f"【{tag}】{where_}：{p.message}{seen} → {p.fix}")
    if limit is not None and len(reading.problems) > limit:
        lines.append(f"……另有 {len(reading.problems) - limit} 条问题未列出（加 --all 列出全部）")
    for rule, (severity, n) in reading.omitted.items():
        tag = "错误" if severity == "error" else "警告"
        lines.append(f"【{tag}】{reading.file_name}：「{RULES[rule][0]}」还有 {n:,} 处同类问题未列出"
                     f"（每类最多列出前 {reading.listed_per_rule} 条）")
    return lines
