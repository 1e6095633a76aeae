"""A key task (重点任务) as data: the 重点任务 sheet of the setup workbook and its checks.

Columns of a task frame (``TASK_COLUMNS``): code, name, category, lead_department,
leader, support_departments, org_units, annual_goal, nodes, deadline, plan_period,
state, sort_order. Departments, leaders and units are stored as codes; the sheet
accepts codes or names (a bureau's staff write 人才与科普科, not RCKP). ``org_units`` and
``support_departments`` are '；'-joined codes; ``nodes`` is the 月度节点 text
(``3:完成方案;6:开工;12:验收``, see ``indicators.rules.task_status``); ``deadline`` a date.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from indicators.rules.task_status import format_nodes, parse_nodes
from indicators.setup.workbook import Column

TASK_SHEET = "重点任务"
TASK_SHEET_COLUMNS = [
    Column("任务代码", "code", True, "唯一代码，如 RW01；再次导入按代码更新"),
    Column("任务名称", "name", True),
    Column("类别", "category", False, "如 科技招商、高企培育"),
    Column("牵头科室", "lead_department", False, "科室代码或名称"),
    Column("分管领导", "leader", False, "领导代码或姓名"),
    Column("配合科室", "support_departments", False, "科室代码或名称，用；分隔"),
    Column("责任单位", "org_units", False, "可选，单位代码或名称，用；分隔"),
    Column("年度目标", "annual_goal", False, "文字"),
    Column("月度节点", "nodes", False, "月:节点内容，用；分隔，如 3:完成方案;6:开工;12:验收"),
    Column("截止日期", "deadline", False, "如 2026-12-31"),
]
TASK_COLUMNS = [c.name for c in TASK_SHEET_COLUMNS] + ["plan_period", "state", "sort_order"]
STATE_LABELS = {"draft": "待确认", "active": "已确认"}

_SPLIT = re.compile(r"[;；,，、\s]+")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_date(value) -> dt.date | None:
    """A 截止日期 cell: a date, a datetime, or text 2026-12-31 / 2026/12/31 / 2026年12月31日.
    Raises ValueError (Chinese) on anything else."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    m = _DATE.match(text)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            pass
    raise ValueError(f"截止日期「{text}」应为日期，如 2026-12-31")


class Lookup:
    """Codes of departments, leaders and units, found by code or by name."""

    def __init__(self, departments: pd.DataFrame, leaders: pd.DataFrame, units: pd.DataFrame):
        self._maps = {kind: {**dict(zip(f["name"], f["code"])), **{c: c for c in f["code"]}}
                      for kind, f in (("科室", departments), ("领导", leaders), ("单位", units))}

    def one(self, kind: str, value, problems: list[str], where: str) -> str | None:
        if _blank(value):
            return None
        text = str(value).strip()
        code = self._maps[kind].get(text)
        if code is None:
            problems.append(f"{where}：{kind}「{text}」不存在")
        return code

    def many(self, kind: str, value, problems: list[str], where: str) -> str | None:
        if _blank(value):
            return None
        codes = [self.one(kind, part, problems, where) for part in _SPLIT.split(str(value).strip()) if part]
        return "；".join(c for c in codes if c) or None


def normalise_tasks(raw: pd.DataFrame, lookup: Lookup, *, sheet: str = TASK_SHEET,
                    first_row: int = 2) -> tuple[pd.DataFrame, list[str]]:
    """Task rows as read from a sheet (columns named as in ``TASK_SHEET_COLUMNS``) →
    a task frame of ``TASK_COLUMNS`` (state 'active') and a list of Chinese problems,
    each naming the sheet and row."""
    rows, problems, seen = [], [], set()
    for i, r in enumerate(raw.to_dict(orient="records")):
        where = f"工作表「{sheet}」第{i + first_row}行"
        code, name = _text(r.get("code")), _text(r.get("name"))
        if not code or not name:
            problems.append(f"{where}：任务代码和任务名称不能为空")
            continue
        if code in seen:
            problems.append(f"{where}：任务代码 {code} 重复")
        seen.add(code)
        rows.append({
            "code": code, "name": name, "category": _text(r.get("category")),
            "lead_department": lookup.one("科室", r.get("lead_department"), problems, where),
            "leader": lookup.one("领导", r.get("leader"), problems, where),
            "support_departments": lookup.many("科室", r.get("support_departments"), problems, where),
            "org_units": lookup.many("单位", r.get("org_units"), problems, where),
            "annual_goal": _text(r.get("annual_goal")),
            "nodes": _nodes(r.get("nodes"), problems, where),
            "deadline": _deadline(r.get("deadline"), problems, where),
            "plan_period": None, "state": "active", "sort_order": len(rows) + 1,
        })
    return pd.DataFrame(rows, columns=TASK_COLUMNS), problems


def _nodes(value, problems: list[str], where: str) -> str | None:
    try:
        return format_nodes(parse_nodes(_text(value))) or None
    except ValueError as exc:
        problems.append(f"{where}：{exc}")
        return None


def _deadline(value, problems: list[str], where: str) -> dt.date | None:
    try:
        return parse_date(value)
    except ValueError as exc:
        problems.append(f"{where}：{exc}")
        return None


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA or str(v).strip() == ""


def _text(v) -> str | None:
    if _blank(v):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()
