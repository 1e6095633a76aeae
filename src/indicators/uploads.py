"""Page data for 数据报送, 报送记录 and 设置管理: the template and setup workbooks as bytes,
a return reading summarised for display, duplicate uploads, the batch list, the
completeness grid (unit × month), the audit log, and the target editor's frames.

Display frames carry Chinese headers and are shown as they are. No streamlit here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import tempfile
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from indicators import catalog, completeness, imports, periods, setup_book, template
from indicators.imports import ReturnReading
from indicators.settings import Settings

SEVERITY_LABELS = {"error": "错误", "warning": "警告"}
BATCH_STATUS_LABELS = {"active": "有效", "rolled_back": "已撤回"}
AUDIT_ACTION_LABELS = {"import": "导入报送", "rollback": "撤回批次", "setup": "导入设置", "targets": "调整目标"}
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_TYPES = ["xlsx", "xlsm", "xls", "csv"]

# ---------------------------------------------------------------- template download


def template_periods(today: dt.date, back: int = 12) -> tuple[list[str], int]:
    """Months offered for a template, newest first (this month back ``back`` months),
    and the index of the default: last month, the one being reported now."""
    this = periods.make(today.year, today.month)
    return [periods.shift(this, -i) for i in range(back + 1)], 1


def template_file_name(period: str, unit_name: str | None = None) -> str:
    return f"月调度报送模板_{period}_{unit_name or '全部单位'}.xlsx"


def template_bytes(con: duckdb.DuckDBPyConnection, period: str, unit: str | None = None,
                   settings: Settings | None = None, today: dt.date | None = None) -> bytes:
    """The return template of ``period`` (one unit, or all) as .xlsx bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = template.write_template(con, Path(tmp) / "template.xlsx", period=period, unit=unit,
                                       settings=settings, today=today)
        return path.read_bytes()


# ---------------------------------------------------------------- a reading, for display


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def duplicate_of(con: duckdb.DuckDBPyConnection, sha256: str) -> dict | None:
    """The newest active batch whose file had exactly these bytes: id, file_name,
    uploaded_at, uploaded_by; None when the file is new (or its batch was rolled back)."""
    row = con.execute("""SELECT id, file_name, uploaded_at, uploaded_by FROM batch
                         WHERE sha256 = ? AND status = 'active' ORDER BY id DESC LIMIT 1""", [sha256]).fetchall()
    if not row:
        return None
    return dict(zip(("id", "file_name", "uploaded_at", "uploaded_by"), row[0]))


def duplicate_text(dup: dict) -> str:
    when = pd.Timestamp(dup["uploaded_at"]).strftime("%Y-%m-%d %H:%M")
    who = f"（{dup['uploaded_by']}）" if dup.get("uploaded_by") else ""
    return (f"这个文件与已导入的批次 {dup['id']}「{dup['file_name']}」内容完全相同（{when}{who}），"
            "不需要再次导入。如确需重新导入，请勾选下方的警告确认。")


def reading_facts(reading: ReturnReading) -> pd.DataFrame:
    """Two columns 项目 / 内容: layout, sheets, counts of values, periods, units, problems."""
    s = reading.summary()
    months = "、".join(periods.label(p) for p in s["periods"]) or "—"
    rows = [("识别格式", reading.layout_name or "未识别"), ("读取的工作表", "、".join(s["sheets"]) or "—"),
            ("数值条数", f"{s['rows']:,}"), ("期间", months), ("单位数", str(s["units"])),
            ("指标数", str(s["indicators"])), ("错误", str(s["errors"])), ("警告", str(s["warnings"]))]
    if reading.expected_period:
        rows.insert(2, ("模板期间", periods.label(reading.expected_period)))
    return pd.DataFrame(rows, columns=["项目", "内容"])


def problems_table(reading: ReturnReading, severity: str | None = None) -> pd.DataFrame:
    """The problems, errors first, with Chinese headers: 级别, 工作表, 行, 列, 单元格内容,
    问题类型, 说明, 修改方法."""
    p = reading.problems
    if severity is not None:
        p = p[p["severity"] == severity]
    return pd.DataFrame({
        "级别": p["severity"].map(SEVERITY_LABELS).fillna(p["severity"]),
        "工作表": p["sheet"], "行": p["row"], "列": p["column"], "单元格内容": p["value"],
        "问题类型": p["rule_name"], "说明": p["message"], "修改方法": p["fix"],
    }).reset_index(drop=True)


def conversions_table(con: duckdb.DuckDBPyConnection, reading: ReturnReading) -> pd.DataFrame:
    """Units of measure converted on reading: 指标, 填写的单位, 换算为, 系数, 涉及行数."""
    c = reading.conversions
    if c.empty:
        return pd.DataFrame(columns=["指标", "填写的单位", "换算为", "系数", "涉及行数"])
    names = _indicator_names(con)
    return pd.DataFrame({
        "指标": c["indicator_code"].map(names).fillna(c["indicator_code"]),
        "填写的单位": c["from_unit"], "换算为": c["to_unit"],
        "系数": c["factor"].map(lambda f: f"×{f:g}"), "涉及行数": c["rows"].astype("Int64"),
    })


def diff_table(diff: pd.DataFrame, *, include_unchanged: bool = False) -> pd.DataFrame:
    """``imports.preview_diff`` for display: 变化, 期间, 单位, 指标, 原值, 新值."""
    d = diff if include_unchanged else diff[diff["change"] != "不变"]
    return pd.DataFrame({
        "变化": d["change"], "期间": d["period"].map(periods.label), "单位": d["org_unit_name"].fillna(d["org_unit"]),
        "指标": d["indicator_name"].fillna(d["indicator_code"]),
        "原值": d["old_value"].map(number_text), "新值": d["new_value"].map(number_text),
    }).reset_index(drop=True)


def number_text(v) -> str:
    """A value as the user wrote it, with thousands separators: 1234.5 → '1,234.5', None → '—'."""
    if v is None or pd.isna(v):
        return "—"
    v = float(v)
    if v.is_integer() and abs(v) < 1e15:
        return f"{int(v):,}"
    return f"{v:,.6f}".rstrip("0").rstrip(".")


def time_text(v, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return "—" if v is None or pd.isna(v) else pd.Timestamp(v).strftime(fmt)


def import_verdict(reading: ReturnReading, duplicate: dict | None) -> tuple[str, str]:
    """What the page says before the confirm button: (kind, message), kind ∈ error |
    empty | duplicate | warning | ready."""
    if not reading.ok:
        return "error", (f"发现 {len(reading.errors)} 处错误：整份文件未导入，数据库没有任何改动。"
                         "请按下表逐格修改后重新上传。")
    if reading.values.empty:
        return "empty", "文件中没有填写任何数值，无可导入的数据。请在「填报值」列填写后重新上传。"
    if duplicate is not None:
        return "duplicate", duplicate_text(duplicate)
    if len(reading.warnings):
        return "warning", f"有 {len(reading.warnings)} 条警告：请逐条核对，确认无误后勾选确认再导入。"
    return "ready", "校验通过，可以导入。"


# ---------------------------------------------------------------- 报送记录


def batches_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The upload history, newest first: 批次, 文件, 报送人, 报送时间, 条数, 期间, 单位数,
    状态, 备注 (plus the raw ``status``)."""
    b = imports.batches(con)
    return pd.DataFrame({
        "批次": b["id"].astype("int64"), "文件": b["file_name"], "报送人": b["uploaded_by"].fillna("—"),
        "报送时间": pd.to_datetime(b["uploaded_at"]), "条数": b["rows"].astype("int64"),
        "期间": b["periods"].fillna("—"), "单位数": b["units"].astype("int64"),
        "状态": b["status"].map(BATCH_STATUS_LABELS).fillna(b["status"]), "备注": b["note"].fillna(""),
        "status": b["status"],
    })


def batch_label(row: pd.Series) -> str:
    when = pd.Timestamp(row["报送时间"]).strftime("%Y-%m-%d %H:%M")
    return f"批次 {row['批次']} · {row['文件']} · {row['报送人']} · {when} · {row['条数']} 条"


def recent_periods(con: duckdb.DuckDBPyConnection, today: dt.date, n: int = 6) -> list[str]:
    """The ``n`` months up to the later of last month (due now) and the newest data, newest first."""
    due = periods.shift(periods.make(today.year, today.month), -1)
    latest = catalog.latest_period(con)
    last = max(due, latest) if latest else due
    return [periods.shift(last, -i) for i in range(n)]


def _cell(r) -> str:
    if r.expected == 0:
        return "—"
    if r.reported == 0:
        return "未报" if r.overdue else "待报"
    if r.reported < r.expected:
        return f"部分 {r.reported}/{r.expected}" + ("·逾期" if r.late else "")
    return "已报·逾期" if r.late else "已报·按时"


def completeness_grid(con: duckdb.DuckDBPyConnection, months: list[str], *, settings: Settings | None = None,
                      now: dt.datetime | None = None) -> pd.DataFrame:
    """Unit × month, one cell per unit and month: 已报·按时 | 已报·逾期 | 部分 r/e(·逾期) |
    未报 (past the deadline) | 待报 (not yet due) | — (nothing expected). Rows are units
    (column 单位), columns month labels oldest first."""
    units = catalog.org_units(con)[["code", "name"]]
    grid = pd.DataFrame({"单位": units["name"].to_numpy()}, index=units["code"].to_numpy())
    for p in sorted(months):
        d = completeness.completeness(con, p, settings=settings, now=now)
        if d.empty:
            grid[periods.label(p)] = "—"
            continue
        g = d.assign(late=d["status"].eq("逾期报送"), overdue=d["status"].eq("未报送"),
                     reported=d["reported"].astype(bool)).groupby("org_unit")
        s = g.agg(expected=("indicator_code", "size"), reported=("reported", "sum"), late=("late", "any"),
                  overdue=("overdue", "any"))
        cells = pd.Series([_cell(r) for r in s.itertuples()], index=s.index, dtype=object)
        grid[periods.label(p)] = cells.reindex(grid.index).fillna("—")
    return grid.reset_index(drop=True)


GRID_COLORS = {"已报·按时": "#DCFCE7", "已报·逾期": "#FEF3C7", "部分": "#FFEDD5", "未报": "#FEE2E2", "待报": "#F3F4F6"}


def grid_cell_style(text: str) -> str:
    """CSS for a grid cell (Styler.map)."""
    for key, color in GRID_COLORS.items():
        if isinstance(text, str) and text.startswith(key):
            return f"background-color: {color}"
    return ""


def completeness_detail(con: duckdb.DuckDBPyConnection, period: str, *, settings: Settings | None = None,
                        now: dt.datetime | None = None) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """For one month: the per-unit summary (Chinese headers), the 催报 list and the 催报 text."""
    d = completeness.completeness(con, period, settings=settings, now=now)
    s = completeness.unit_summary(d)
    summary = pd.DataFrame({
        "单位": s["org_unit_name"], "应报": s["expected"].astype("int64"), "已报": s["reported"].astype("int64"),
        "未报": s["missing"].astype("int64"), "报送率": s["rate"].map(lambda v: "—" if pd.isna(v) else f"{v:.0%}"),
        "报送时间": s["last_upload"].map(time_text), "及时性": s["timeliness"],
    })
    c = completeness.chase_list(d)
    chase = pd.DataFrame({"单位": c["org_unit_name"], "缺报项数": c["missing"], "缺报指标": c["indicators"],
                          "牵头科室": c["lead_departments"]})
    return summary, chase, completeness.chase_text(d, period, settings)


def audit_log(con: duckdb.DuckDBPyConnection, limit: int = 50) -> pd.DataFrame:
    """The newest ``limit`` audit entries: 时间, 操作人, 操作, 详情."""
    a = con.execute("SELECT logged_at, who, action, detail FROM audit ORDER BY logged_at DESC LIMIT ?",
                    [int(limit)]).df()
    return pd.DataFrame({"时间": pd.to_datetime(a["logged_at"]), "操作人": a["who"].fillna("—"),
                         "操作": a["action"].map(AUDIT_ACTION_LABELS).fillna(a["action"]),
                         "详情": a["detail"].fillna("")})


# ---------------------------------------------------------------- 设置管理


def setup_frames(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """The current setup as frames keyed like ``setup_book.SHEETS`` with its internal
    column names (targets: the latest one per indicator, unit and year)."""
    cols = {t: [c.name for c in spec[1]] for t, spec in setup_book.SHEETS.items()}
    ind = catalog.indicators(con)
    resp = ind.drop(columns=["lead_department", "leader"]).rename(columns={"code": "indicator_code", "lead_department_code": "lead_department",
                               "leader_code": "leader", "responsibility_note": "note"})
    resp = resp[resp[["lead_department", "leader", "support_departments", "note"]].notna().any(axis=1)]
    targets = catalog.current_targets(con).sort_values(["year", "indicator_code", "org_unit"])
    frames = {"org_unit": catalog.org_units(con), "department": catalog.departments(con),
              "leader": catalog.leaders(con), "indicator": ind, "responsibility": resp, "target": targets}
    return {t: frames[t].reindex(columns=cols[t]).reset_index(drop=True) for t in cols}


def setup_workbook_bytes(frames: dict[str, pd.DataFrame] | None = None) -> bytes:
    """A setup workbook (blank when ``frames`` is None) as .xlsx bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        return setup_book.write_workbook(Path(tmp) / "setup.xlsx", frames).read_bytes()


def read_setup(data: bytes) -> dict[str, pd.DataFrame]:
    """``setup_book.read_workbook`` on uploaded bytes (raises RejectedInput)."""
    return setup_book.read_workbook(io.BytesIO(data))


_KEYS = {"org_unit": ["code"], "department": ["code"], "leader": ["code"], "indicator": ["code"],
         "responsibility": ["indicator_code"]}


def setup_preview(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """What loading ``frames`` would do, per sheet: 工作表, 行数, 新增, 覆盖已有, 说明.
    Targets: 新增 = keys without a target yet, 覆盖已有 = targets that differ from the
    current one (recorded as a new version; the old one stays in the history)."""
    now = setup_frames(con)
    rows = []
    for table, (sheet, _) in setup_book.SHEETS.items():
        f = frames.get(table, pd.DataFrame())
        if table == "target":
            cur = now["target"].set_index(["indicator_code", "org_unit", "year"])
            keys = list(zip(f["indicator_code"], f["org_unit"], f["year"].astype("int64")))
            new = sum(k not in cur.index for k in keys)
            changed = sum(k in cur.index and (not np.isclose(cur.loc[k, "value"], v)
                                              or (_blank(cur.loc[k, "milestones"]) != _blank(m))
                                              or (not _blank(m) and cur.loc[k, "milestones"] != m))
                          for k, v, m in zip(keys, f["value"], f["milestones"]))
        else:
            key = _KEYS[table][0]
            have = set(now[table][key])
            new = int((~f[key].isin(have)).sum())
            changed = int(len(f) - new)
        note = (f"与当前目标相同的 {len(f) - new - changed} 条不重复记录" if table == "target"
                else "按代码覆盖同名记录，库中其他记录保留")
        rows.append({"工作表": sheet, "行数": int(len(f)), "新增": int(new), "覆盖已有": int(changed), "说明": note})
    return pd.DataFrame(rows)


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or str(v).strip() == ""


TARGET_EDIT_COLUMNS = ["indicator_code", "indicator_name", "org_unit", "org_unit_name", "year", "unit", "value",
                       "milestones", "reason", "set_at", "set_by"]
TARGET_EDITABLE = ["value", "milestones", "reason"]


def target_years(con: duckdb.DuckDBPyConnection, today: dt.date) -> list[int]:
    years = {r[0] for r in con.execute("SELECT DISTINCT year FROM target").fetchall()} | {today.year}
    return sorted(years, reverse=True)


def target_editor_frame(con: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """The current targets of ``year`` in indicator and unit order (``TARGET_EDIT_COLUMNS``)."""
    t = catalog.current_targets(con, year)
    ind = catalog.indicators(con)[["code", "name", "unit", "sort_order"]].rename(
        columns={"code": "indicator_code", "name": "indicator_name", "sort_order": "_io"})
    units = catalog.org_units(con)[["code", "name", "level", "sort_order"]].rename(
        columns={"code": "org_unit", "name": "org_unit_name", "sort_order": "_uo", "level": "_lv"})
    t = t.merge(ind, on="indicator_code", how="left").merge(units, on="org_unit", how="left")
    t = t.sort_values(["_io", "indicator_code", "_lv", "_uo", "org_unit"])
    for col in ("milestones", "reason"):  # text cells the editor shows blank, not "None"
        t[col] = t[col].astype(object).where(t[col].notna(), "")
    return t[TARGET_EDIT_COLUMNS].reset_index(drop=True)


def changed_targets(before: pd.DataFrame, after: pd.DataFrame, reason: str | None = None
                    ) -> tuple[pd.DataFrame, list[str]]:
    """Rows of the target editor whose value or milestones changed, as target-sheet rows
    (indicator_code, org_unit, year, value, milestones, set_by, reason), and problems
    (Chinese) that stop saving: a value left empty or not a number. A changed reason alone
    is not a new target (the history records changes of value and milestones). A row whose
    reason was not edited takes ``reason`` (the old one described the old target)."""
    a = after.reset_index(drop=True)
    b = before.reset_index(drop=True)
    value = pd.to_numeric(a["value"], errors="coerce")
    old = pd.to_numeric(b["value"], errors="coerce")
    ms_new = a["milestones"].map(lambda v: None if _blank(v) else str(v).strip())
    ms_old = b["milestones"].map(lambda v: None if _blank(v) else str(v).strip())
    problems = [f"{r.indicator_name}（{r.org_unit_name}）的目标值为空或不是数字"
                for r, v in zip(a.itertuples(index=False), value) if pd.isna(v)]
    # None != None is True in pandas: compare the texts with blanks as ''
    changed = ~np.isclose(value.fillna(np.inf), old.fillna(np.inf)) | (ms_new.fillna("") != ms_old.fillna(""))
    changed = pd.Series(changed, index=a.index) & value.notna()
    rows = a[changed.to_numpy(dtype=bool)]
    out = pd.DataFrame({"indicator_code": rows["indicator_code"], "org_unit": rows["org_unit"],
                        "year": rows["year"].astype("int64"), "value": value[changed],
                        "milestones": ms_new[changed], "set_by": None,
                        "reason": [str(r).strip() if not _blank(r) and r != o else (reason or None)
                                   for r, o in zip(rows["reason"], b.loc[rows.index, "reason"])]})
    return out.reset_index(drop=True), problems


def target_history_table(con: duckdb.DuckDBPyConnection, indicator_code: str, org_unit: str) -> pd.DataFrame:
    """Every target ever set for (indicator, unit), newest first: 年度, 目标值, 月度节点,
    设定时间, 设定人, 调整原因, 当前 (✓ on the one that counts)."""
    h = catalog.target_history(con, indicator_code, org_unit)
    if h.empty:
        return pd.DataFrame(columns=["年度", "目标值", "月度节点", "设定时间", "设定人", "调整原因", "当前"])
    latest = h.groupby("year")["set_at"].transform("max")
    h = h.assign(current=np.where(h["set_at"] == latest, "✓", "")).sort_values(["year", "set_at"],
                                                                             ascending=False)
    return pd.DataFrame({"年度": h["year"].astype("int64"), "目标值": h["value"], "月度节点": h["milestones"].fillna(""),
                         "设定时间": pd.to_datetime(h["set_at"]), "设定人": h["set_by"].fillna("—"),
                         "调整原因": h["reason"].fillna(""), "当前": h["current"]}).reset_index(drop=True)


# ---------------------------------------------------------------- helpers


def _indicator_names(con: duckdb.DuckDBPyConnection) -> pd.Series:
    return pd.Series(dict(con.execute("SELECT code, name FROM indicator").fetchall()), dtype=object)

