"""The returns import pipeline: read → locate table → normalise → validate → store.

Each step returns data; nothing is written until ``commit``, and then in one
transaction through ``db.batches.write_batch``. A page does::

    reading = read_return(uploaded.getvalue(), uploaded.name, con, today=clock.today(settings))
    show(reading.problems)                  # tidy table, Chinese, located
    show(preview_diff(con, reading))        # 新增 / 修改 / 不变
    batch_id = commit(con, reading, who=user, at=clock.now(settings), confirm_warnings=ticked)
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.db import batches
from indicators.db.connection import Connection
from indicators.errors import RejectedInput
from indicators.tasks.progress_sheet import PROGRESS_SHEET, known_tasks, read_progress_sheet, summary_text
from indicators.tasks.store import PROGRESS_COLUMNS, record_progress
from indicators.returns.excel import history
from indicators.returns.excel.header import locate
from indicators.returns.excel.layouts import LAYOUT_NAMES, to_long
from indicators.returns.excel.matching import (
    Catalog,
    conversion_factor,
    is_percent_unit,
    is_total,
)
from indicators.returns.excel.numbers import FORMULA_ERRORS, parse_numbers
from indicators.returns.excel.periods import month_of, parse_periods
from indicators.returns.excel.sources import (
    Background,
    RawSheet,
    column_letter,
    read_sheets,
)
from indicators.returns.excel.validate import (
    PROBLEM_COLUMNS,
    cell_text,
    check_cells,
    check_duplicates,
    check_keys,
    check_periods,
    check_totals,
    empty_problems,
    one,
    where,
)

META_SHEET = "_meta"  # hidden sheet of the generated template: key / value rows
VALUE_COLUMNS = ["indicator_code", "org_unit", "period", "value", "sheet", "row", "column", "cell"]
CONVERSION_COLUMNS = ["indicator_code", "from_unit", "to_unit", "factor", "rows"]


@dataclass
class ReturnReading:
    """A return read and checked, not yet stored.

    - ``values``: indicator_code, org_unit, period ('YYYY-MM'), value (float, in the
      indicator's own unit, after conversion), sheet, row (Excel row), column (letter),
      cell (the raw cell as read: number or text). Empty cells and 合计 rows are not in it.
      Strings are object dtype (cheaper than Arrow strings at 100k rows).
    - ``problems``: see ``indicators.returns.excel.validate.PROBLEM_COLUMNS``.
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

    @property
    def errors(self) -> pd.DataFrame:
        return self.problems[self.problems["severity"] == "error"]

    @property
    def warnings(self) -> pd.DataFrame:
        return self.problems[self.problems["severity"] == "warning"]

    @property
    def ok(self) -> bool:
        return self.errors.empty

    @property
    def layout_name(self) -> str:
        return "、".join(LAYOUT_NAMES.get(p, p) for p in self.layout.split("+") if p)

    def summary(self) -> dict:
        """Plain data for ``--json`` and page captions."""
        return {"file": self.file_name, "sha256": self.sha256, "layout": self.layout, "sheets": self.sheets,
                "rows": int(len(self.values)), "periods": sorted(self.values["period"].unique().tolist()),
                "units": int(self.values["org_unit"].nunique()),
                "indicators": int(self.values["indicator_code"].nunique()),
                "errors": int(len(self.errors)), "warnings": int(len(self.warnings)),
                "task_progress": int(len(self.task_progress))}


def read_return(source: str | Path | bytes, file_name: str | None = None, con: Connection | None = None,
                *, today: dt.date, expected_period: str | None = None,
                catalog: Catalog | None = None) -> ReturnReading:
    """Read and validate one return file (path or bytes). Writes nothing.

    ``con`` supplies the catalogue (unless ``catalog`` is given) and the history used for
    warnings; ``today`` (``indicators.clock.today``) fixes "the future"; ``expected_period``
    makes any other period an error (a generated template sets it by itself).
    """
    if isinstance(source, (str, Path)):
        file_name = file_name or Path(source).name
        data = Path(source).read_bytes()
    else:
        data = bytes(source)
    file_name = file_name or "上传文件"
    sha = hashlib.sha256(data).hexdigest()
    # calamine reads in a thread (it parses with the GIL released) while the catalogue and
    # the earlier-upload check are fetched here
    sheets_read = Background(read_sheets, data, file_name)
    catalog = catalog or Catalog.from_db(con)
    same_file = history.same_file(con, sha, file_name)
    problems: list = []
    try:
        sheets = sheets_read.result()
    except RejectedInput as exc:
        return _rejected(file_name, sha, str(exc))
    meta = _template_meta(sheets)
    expected_period = expected_period or meta.get("period")
    chosen = [s for s in sheets if s.name == meta.get("data_sheet")] if meta.get("data_sheet") else \
        [s for s in sheets if s.visible and s.name not in (META_SHEET, PROGRESS_SHEET)]
    default_year = int(expected_period[:4]) if expected_period else today.year
    task_progress, task_problems = read_progress_sheet(sheets, expected_period, known_tasks(con))
    problems.extend(task_problems)

    frames, layouts, used = [], [], []
    for sheet in chosen:
        problems.extend(_sheet_problems(sheet))
        table = locate(sheet, catalog)
        if table is None:
            continue
        shaped = to_long(table, catalog)
        problems.extend(shaped.problems)
        if shaped.frame.empty:
            continue
        frame = shaped.frame
        frame["period"] = parse_periods(frame["period_text"], default_year=table.title_year or default_year)
        frames.append(frame)
        layouts.append(shaped.layout)
        used.append(sheet.name)
    if not frames:
        if not any(p["severity"] == "error" for p in problems) and task_progress.empty:
            problems.append(one("no_table", "文件中没有找到可识别的数据表（表头应含 期间、单位、指标、数值 "
                                "或指标名称、月份等列名）"))
        reading = _finish(file_name, sha, _empty_values(), problems, pd.DataFrame(columns=CONVERSION_COLUMNS), "",
                          used, expected_period)
        reading.task_progress = task_progress
        return reading

    w = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(drop=True)
    w, conversions, unit_problems = _normalise(w, catalog)
    problems.append(unit_problems)
    for part in (check_cells(w, catalog), check_keys(w, catalog),
                 check_periods(w, current_month=month_of(today), expected=expected_period), check_duplicates(w)):
        problems.extend(part)

    keep = (~w["empty"].to_numpy(dtype=bool) & w["ok"].to_numpy(dtype=bool)
            & ~pd.isna(w["indicator_code"].to_numpy(dtype=object)) & ~pd.isna(w["period"].to_numpy(dtype=object)))
    is_total_row = w["is_total"].to_numpy(dtype=bool)
    narrow = w[VALUE_COLUMNS + ["percent"]]  # only what is kept: row selection copies every column
    total_rows = narrow[keep & is_total_row]
    w_values = narrow[keep & ~is_total_row & ~pd.isna(w["org_unit"].to_numpy(dtype=object))]
    problems.extend(check_totals(total_rows, w_values, catalog))
    values = w_values.reset_index(drop=True)

    stats = history.history_stats(con, values) if con is not None and not values.empty else None
    values, pct_conv, pct_problems = history.percent_fractions(values, stats, catalog)
    problems.append(pct_problems)
    if stats is not None:
        problems.append(history.outliers(values, stats, catalog))
    if not pct_conv.empty:
        conversions = pd.concat([conversions, pct_conv], ignore_index=True)
    if not values.empty:
        problems.append(history.cumulative_fell(con, values, catalog))
    problems.extend(same_file)
    reading = _finish(file_name, sha, values[VALUE_COLUMNS], problems, conversions, "+".join(dict.fromkeys(layouts)),
                      used, expected_period)
    reading.totals = total_rows[["indicator_code", "period", "value", "sheet", "row"]].reset_index(drop=True)
    reading.task_progress = task_progress
    return reading


def _sheet_problems(sheet: RawSheet) -> list[dict]:
    out = []
    if sheet.truncated:
        out.append(one("xls_truncated", f"工作表「{sheet.name}」正好有 65,536 行，超出部分可能已丢失",
                       sheet=sheet.name, severity="warning"))
    for (r, c), err in sorted(sheet.errors.items()):
        out.append(one("formula_error", f"单元格为公式错误值 {err}，按空值处理", sheet=sheet.name, row=r + 1,
                       column=column_letter(c), value=err, severity="warning"))
    return out


def _template_meta(sheets: list[RawSheet]) -> dict[str, str]:
    meta = next((s for s in sheets if s.name == META_SHEET), None)
    if meta is None or meta.grid.shape[1] < 2:
        return {}
    return {str(k): str(v) for k, v in zip(meta.grid[0], meta.grid[1]) if str(k)}


def _normalise(w: pd.DataFrame, catalog: Catalog) -> tuple[pd.DataFrame, pd.DataFrame, list]:
    """Numbers, keys and units of measure.

    Each key column is factorized once and every look-up (indicator, org unit, 合计,
    unit of measure, conversion factor) is made on its distinct texts; per-row results
    are spread back by integer codes, and new text columns are kept as numpy object
    arrays (pandas 3 would infer Arrow strings for each, at a cost)."""
    nums = parse_numbers(w["cell"])
    # a formula error value (#DIV/0! as text) reads as not a number; it counts as empty
    formula_error = ~nums["ok"].to_numpy(dtype=bool)
    if formula_error.any():
        formula_error[formula_error] = w["cell"][formula_error].isin(FORMULA_ERRORS).to_numpy(dtype=bool)
        nums.loc[formula_error, ["value", "percent", "empty", "ok"]] = [np.nan, False, True, True]
    empty = nums["empty"].to_numpy(dtype=bool)

    # indicators: code and the unit written in a bracket, per distinct text
    ti, ind_texts = pd.factorize(w["indicator_text"].to_numpy(dtype=object))
    matched = [catalog.indicator_code(t) for t in ind_texts] + [(None, None)]
    ind_code = np.array([m[0] for m in matched], dtype=object)
    bracket = [m[1] for m in matched]
    # org units and 合计 rows, per distinct text
    tu, unit_texts = pd.factorize(w["unit_text"].to_numpy(dtype=object))
    org_code = np.array([catalog.unit_code(t) for t in unit_texts] + [None], dtype=object)
    total = np.array([is_total(t) and c is None for t, c in zip(unit_texts, org_code)] + [False], dtype=bool)
    # the unit of measure written: bracket in the indicator cell, else measure column/header/title
    tm, measures = pd.factorize(w["measure_text"].to_numpy(dtype=object))
    measures = list(measures) + [""]

    # one conversion per (indicator text, measure text) combination, spread back by codes
    m1 = len(measures)
    combo = (ti.astype("int64") + 1) * m1 + tm  # tm == -1 picks measures[-1] == ''
    combo_keys, inverse = _dense_unique(combo, (len(ind_texts) + 1) * m1)
    target = catalog.indicators["unit"]
    pct_units = target.map(is_percent_unit)
    k_code, k_written, k_to, k_factor, k_pct = [], [], [], [], []
    for k in combo_keys.tolist():
        i, u = divmod(k, m1)
        i -= 1  # -1: no indicator text
        code = ind_code[i]
        written = bracket[i] if bracket[i] is not None else measures[u]
        dst = target.get(code) if code is not None else None
        k_code.append(code)
        k_written.append(written)
        k_to.append(dst)
        k_factor.append(conversion_factor(written, dst) if code is not None else 1.0)
        k_pct.append(bool(pct_units.get(code, False)) if code is not None else False)
    k_code = np.array(k_code, dtype=object)
    k_to = np.array(k_to, dtype=object)
    k_factor = np.array([np.nan if f is None else f for f in k_factor], dtype="float64")
    has_code = np.array([c is not None for c in k_code], dtype=bool)
    to_named = np.array([t is not None and not (isinstance(t, float) and np.isnan(t)) and t != "" for t in k_to],
                        dtype=bool)

    indicator_code = ind_code[ti]
    org_unit = org_code[tu]
    factor = k_factor[inverse]
    value = nums["value"].to_numpy(dtype="float64") * np.where(np.isnan(factor), 1.0, factor)
    percent = nums["percent"].to_numpy(dtype=bool)
    added = [pd.Series(col, index=w.index, dtype=col.dtype, name=name, copy=False) for name, col in (
        ("value", value), ("percent", percent), ("empty", empty), ("ok", nums["ok"].to_numpy(dtype=bool)),
        ("formula_error", formula_error), ("indicator_code", indicator_code), ("org_unit", org_unit),
        ("is_total", total[tu]), ("written_unit", np.array(k_written, dtype=object)[inverse]),
        ("to_unit", k_to[inverse]), ("factor", factor), ("pair", inverse))]
    w = pd.concat([w.drop(columns=[c.name for c in added if c.name in w.columns]), *added], axis=1)

    live = has_code[inverse] & ~empty
    mismatch = live & np.isnan(factor)
    pct_wrong = percent & has_code[inverse] & ~np.array(k_pct, dtype=bool)[inverse] & to_named[inverse]
    problems = [
        where(w, mismatch, "unit_mismatch", lambda s: "填写的计量单位「" + s["written_unit"]
              + "」无法换算为指标的计量单位「" + s["to_unit"].astype("str") + "」"),
        where(w, pct_wrong, "unit_mismatch", lambda s: "指标计量单位为「" + s["to_unit"].astype("str")
              + "」，不能填写百分数 " + cell_text(s["cell"])),
    ]
    conversions = _conversions(k_code, k_written, k_to, k_factor, inverse, empty)
    return w, conversions, pd.concat([p for p in problems if len(p)] or [empty_problems()], ignore_index=True)


def _dense_unique(keys: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_inverse=True)`` for small non-negative integer keys,
    by counting instead of sorting."""
    if size > 4 * len(keys) + 1024:
        uniq, inverse = np.unique(keys, return_inverse=True)
        return uniq, inverse.reshape(-1)
    present = np.bincount(keys, minlength=size) > 0
    uniq = np.flatnonzero(present)
    lookup = np.zeros(size, dtype="int64")
    lookup[uniq] = np.arange(len(uniq))
    return uniq, lookup[keys]


def _conversions(codes, written, to, factors, inverse, empty) -> pd.DataFrame:
    """Unit changes applied: one row per (indicator, unit written), with the number of
    non-empty cells converted, in the order the indicators and units first appear."""
    applied = np.flatnonzero(np.array([c is not None for c in codes], dtype=bool) & ~np.isnan(factors)
                             & (factors != 1.0))
    if not len(applied):
        return pd.DataFrame({"indicator_code": pd.Series(dtype=object), "from_unit": pd.Series(dtype=object),
                             "to_unit": pd.Series(dtype=object), "factor": pd.Series(dtype="float64"),
                             "rows": pd.Series(dtype="int64")})
    counts = np.bincount(inverse[~empty], minlength=len(codes))
    _, first = np.unique(inverse, return_index=True)  # first row of each combination
    combos = pd.DataFrame({"indicator_code": pd.Series(codes, dtype=object),
                           "from_unit": pd.Series([w if w is not None else "" for w in written], dtype=object),
                           "to_unit": pd.Series(to, dtype=object), "factor": factors, "rows": counts, "first": first})
    code_first = combos.groupby("indicator_code", sort=False)["first"].transform("min")
    unit_first = combos.groupby("from_unit", sort=False)["first"].transform("min")
    picked = combos.iloc[applied].assign(_c=code_first.iloc[applied], _u=unit_first.iloc[applied])
    out = picked.groupby(["_c", "_u"], sort=True).agg(
        indicator_code=("indicator_code", "first"), from_unit=("from_unit", "first"), to_unit=("to_unit", "first"),
        factor=("factor", "first"), rows=("rows", "sum"))
    return out.reset_index(drop=True)[CONVERSION_COLUMNS]


def _empty_values() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64" if c == "value" else ("Int64" if c == "row" else "str"))
                         for c in VALUE_COLUMNS})


def _rejected(file_name: str, sha: str, message: str) -> ReturnReading:
    return _finish(file_name, sha, _empty_values(), [one("no_table", message)],
                   pd.DataFrame(columns=CONVERSION_COLUMNS), "", [], None)


def _finish(file_name, sha, values, problems, conversions, layout, sheets, expected) -> ReturnReading:
    frames = [pd.DataFrame([p]) if isinstance(p, dict) else p for p in problems]
    frames = [f for f in frames if len(f)]
    table = pd.concat(frames, ignore_index=True) if frames else empty_problems()
    table["file"] = file_name
    table = table.reindex(columns=PROBLEM_COLUMNS)
    table["row"] = table["row"].astype("Int64")
    order = table["severity"].map({"error": 0, "warning": 1})
    table = table.assign(_o=order).sort_values(["_o", "sheet", "row", "column"], kind="stable", na_position="first")
    table = table.drop(columns="_o").reset_index(drop=True)
    for c in ("sheet", "column", "value", "rule", "rule_name", "message", "fix", "severity", "file"):
        table[c] = table[c].fillna("").astype("str")
    return ReturnReading(file_name, sha, values.reset_index(drop=True), table,
                         conversions.reset_index(drop=True), layout, sheets=sheets, expected_period=expected)


# --- after reading -----------------------------------------------------------------------

def preview_diff(con: Connection, reading: ReturnReading) -> pd.DataFrame:
    """What committing would change. Columns: indicator_code, indicator_name, org_unit,
    org_unit_name, period, old_value, new_value, change ('新增' | '修改' | '不变')."""
    v = reading.values[["indicator_code", "org_unit", "period", "value"]]
    with con.registered("_new", v):
        return con.execute("""
            SELECT n.indicator_code, i.name AS indicator_name, n.org_unit, u.name AS org_unit_name, n.period,
                   c.value AS old_value, n.value AS new_value,
                   CASE WHEN c.indicator_code IS NULL THEN '新增'
                        WHEN c.value IS NOT DISTINCT FROM n.value
                             OR abs(c.value - n.value) <= 1e-9 * greatest(abs(c.value), 1) THEN '不变'
                        ELSE '修改' END AS change
            FROM _new n
            LEFT JOIN current_observation c USING (indicator_code, org_unit, period)
            LEFT JOIN indicator i ON i.code = n.indicator_code
            LEFT JOIN org_unit u ON u.code = n.org_unit
            ORDER BY CASE change WHEN '修改' THEN 0 WHEN '新增' THEN 1 ELSE 2 END, n.period,
                     i.sort_order, n.indicator_code, u.sort_order, n.org_unit""").df()


def diff_counts(diff: pd.DataFrame) -> dict[str, int]:
    counts = diff["change"].value_counts()
    return {k: int(counts.get(k, 0)) for k in ("新增", "修改", "不变")}


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
        lines.append(f"……另有 {len(reading.problems) - limit} 条问题未列出")
    return lines


def commit(con: Connection, reading: ReturnReading, *, who: str | None = None,
           at: dt.datetime, confirm_warnings: bool = False, note: str | None = None) -> int:
    """Store the reading as one batch uploaded at ``at`` (``indicators.clock.now``) and
    return its id. Refuses (RejectedInput, nothing
    written) when the reading has errors, unconfirmed warnings, or no values."""
    if not reading.ok:
        raise RejectedInput(f"文件「{reading.file_name}」有 {len(reading.errors)} 处错误，未导入任何数据。")
    if len(reading.warnings) and not confirm_warnings:
        raise RejectedInput(f"文件「{reading.file_name}」有 {len(reading.warnings)} 条警告，需确认后才能导入。")
    if reading.values.empty and reading.task_progress.empty:
        raise RejectedInput(f"文件「{reading.file_name}」没有可导入的数值。")
    if len(reading.warnings):
        note = ((note + "；") if note else "") + f"已确认 {len(reading.warnings)} 条警告"
    progress = reading.task_progress
    if len(progress):
        note = ((note + "；") if note else "") + summary_text(progress)

    def batch_with_progress(tx: Connection) -> int:
        batch_id = batches.write_batch(tx, reading.values, file_name=reading.file_name, sha256=reading.sha256,
                                       uploaded_by=who, note=note, at=at)
        if len(progress):  # the 重点任务进展 sheet: in the batch's transaction, rolled back with it
            record_progress(tx, progress, who=who, source=f"报表：{reading.file_name}", at=at, batch_id=batch_id)
        return batch_id

    return con.write(batch_with_progress)


def rollback(con: Connection, batch_id: int, *, who: str | None = None, at: dt.datetime) -> int:
    """Undo a batch (its values stop counting; the ones it replaced count again)."""
    try:
        return batches.rollback_batch(con, int(batch_id), who=who, at=at)
    except ValueError as exc:
        raise RejectedInput(str(exc)) from None
