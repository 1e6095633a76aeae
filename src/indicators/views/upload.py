"""数据报送 page data: the template as bytes, a return reading summarised for display,
duplicate uploads, the diff and the verdict before confirming. No streamlit here."""

from __future__ import annotations

from collections.abc import Collection

import datetime as dt
import hashlib
import tempfile
from pathlib import Path

import pandas as pd

from indicators.db import batches, catalog
from indicators.db.connection import Connection
from indicators.formatting import number_text, time_text  # noqa: F401 (pages use them via views)
from indicators.returns import pipeline, template
from indicators.returns.excel.validate import RULES
from indicators.returns.reading import ReturnReading
from indicators.rules import due, periods
from indicators.settings import Settings
from indicators.tasks.progress_sheet import summary_text

SEVERITY_LABELS = {"error": "错误", "warning": "警告"}
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_TYPES = ["xlsx", "xlsm", "xls", "csv", "txt"]  # .txt: Excel's 「Unicode 文本」 (UTF-16, tab-separated)

# ---------------------------------------------------------------- template download


def template_periods(today: dt.date, back: int = 12) -> tuple[list[str], int]:
    """Months offered for a template, newest first (this month back ``back`` months),
    and the index of the default: the month being reported now (``rules.due.reporting_month``)."""
    this = periods.make(today.year, today.month)
    months = [periods.shift(this, -i) for i in range(back + 1)]
    return months, months.index(due.reporting_month(today))


def department_options(con: Connection) -> pd.DataFrame:
    """Departments (code, name) for the template's 重点任务进展 choice."""
    return catalog.departments(con)


def template_file_name(period: str, unit_name: str | None = None) -> str:
    return f"月调度报送模板_{period}_{unit_name or '全部单位'}.xlsx"


def template_bytes(con: Connection, period: str, unit: str | None = None,
                   *, settings: Settings, today: dt.date, department: str | None = None) -> bytes:
    """The return template of ``period`` (one unit, or all; with ``department`` its
    重点任务进展 sheet) as .xlsx bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = template.write_template(con, Path(tmp) / "template.xlsx", period=period, unit=unit,
                                       settings=settings, today=today, department=department)
        return path.read_bytes()


# ---------------------------------------------------------------- a reading, for display


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def duplicate_of(con: Connection, sha256: str) -> dict | None:
    """The newest active batch whose file had exactly these bytes: id, file_name,
    uploaded_at, uploaded_by; None when the file is new (or its batch was rolled back)."""
    return batches.active_batch_with_file(con, sha256)


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
    if len(reading.task_progress):
        rows.insert(3, ("重点任务进展", summary_text(reading.task_progress)))
    return pd.DataFrame(rows, columns=["项目", "内容"])


def problems_table(reading: ReturnReading, severity: str | None = None) -> pd.DataFrame:
    """The problems, errors first, with Chinese headers: 级别, 工作表, 行, 列, 单元格内容,
    问题类型, 说明, 修改方法."""
    p = reading.problems
    if severity is not None:
        p = p[p["severity"] == severity]
    table = pd.DataFrame({
        "级别": p["severity"].map(SEVERITY_LABELS).fillna(p["severity"]),
        "工作表": p["sheet"], "行": p["row"], "列": p["column"], "单元格内容": p["value"],
        "问题类型": p["rule_name"], "说明": p["message"], "修改方法": p["fix"],
    }).reset_index(drop=True)
    more = [{"级别": SEVERITY_LABELS.get(sev, sev), "工作表": "", "行": pd.NA, "列": "", "单元格内容": "",
             "问题类型": RULES[rule][0], "说明": f"同类问题还有 {n:,} 处未列出（每类最多列出前 {reading.listed_per_rule} 条）",
             "修改方法": RULES[rule][1]}
            for rule, (sev, n) in reading.omitted.items() if severity in (None, sev)]
    return pd.concat([table, pd.DataFrame(more)], ignore_index=True) if more else table


def conversions_table(con: Connection, reading: ReturnReading) -> pd.DataFrame:
    """Units of measure converted on reading: 指标, 填写的单位, 换算为, 系数, 涉及行数."""
    c = reading.conversions
    if c.empty:
        return pd.DataFrame(columns=["指标", "填写的单位", "换算为", "系数", "涉及行数"])
    names = catalog.indicators(con).set_index("code")["name"]
    return pd.DataFrame({
        "指标": c["indicator_code"].map(names).fillna(c["indicator_code"]),
        "填写的单位": c["from_unit"], "换算为": c["to_unit"],
        "系数": c["factor"].map(lambda f: f"×{f:g}"), "涉及行数": c["rows"].astype("Int64"),
    })


def diff_table(diff: pd.DataFrame, *, include_unchanged: bool = False) -> pd.DataFrame:
    """``pipeline.preview_diff`` for display: 变化, 期间, 单位, 指标, 原值, 新值."""
    d = diff if include_unchanged else diff[diff["change"] != "不变"]
    return pd.DataFrame({
        "变化": d["change"], "期间": d["period"].map(periods.label), "单位": d["org_unit_name"].fillna(d["org_unit"]),
        "指标": d["indicator_name"].fillna(d["indicator_code"]),
        "原值": d["old_value"].map(number_text), "新值": d["new_value"].map(number_text),
    }).reset_index(drop=True)


def import_verdict(reading: ReturnReading, duplicate: dict | None) -> tuple[str, str]:
    """What the page says before the confirm button: (kind, message), kind ∈ error |
    empty | duplicate | warning | ready."""
    if not reading.ok:
        return "error", (f"发现 {reading.count('error'):,} 处错误：整份文件未导入，数据库没有任何改动。"
                         "请按下表逐格修改后重新上传。")
    if reading.values.empty and reading.task_progress.empty:
        return "empty", "文件中没有填写任何数值，无可导入的数据。请在「填报值」列填写后重新上传。"
    if duplicate is not None:
        return "duplicate", duplicate_text(duplicate)
    if len(reading.warnings):
        return "warning", f"有 {reading.count('warning'):,} 条警告：请逐条核对，确认无误后勾选确认再导入。"
    return "ready", "校验通过，可以导入。"


def upload_verdict(readings: list[ReturnReading], refused: Collection[str] = ()) -> tuple[str, str, int]:
    """What the page says above the one confirm button of an upload: (kind, message,
    warnings to tick), kind ∈ blocked | warning | ready. The files of one upload are one
    unit (``pipeline.commit_all``): a file with errors or without values, or one the
    signed-in user may not store (``refused``: file names, ``pipeline.check_allowed``),
    holds them all; so do two files giving one figure two values (``pipeline.disagreement``)."""
    names = "、".join(f"「{r.file_name}」" for r in readings
                     if not r.ok or (r.values.empty and r.task_progress.empty) or r.file_name in refused)
    if names:
        return "blocked", (f"{names}不能导入：一次上传的 {len(readings)} 个文件要么全部导入，要么都不导入，"
                           "数据库没有任何改动。请修改后重新上传，或在上方上传框中移除该文件。"), 0
    disagreement = pipeline.disagreement(readings)  # two files, one figure, two values
    if disagreement:
        return "blocked", disagreement + "请在上方上传框中移除有误的文件。", 0
    warnings = sum(r.count("warning") for r in readings)
    if len(readings) == 1:
        if warnings:
            return "warning", f"共有 {warnings:,} 条警告：逐条核对后勾选确认，再导入。", warnings
        return "ready", "校验通过，可以导入。", 0
    files = f"这 {len(readings)} 个文件"
    if warnings:
        return "warning", f"{files}共有 {warnings:,} 条警告：逐条核对后勾选确认，{files}将一起导入。", warnings
    return "ready", f"{files}校验通过，确认后一起导入（一次写入：全部成功，或都不写入）。", 0
