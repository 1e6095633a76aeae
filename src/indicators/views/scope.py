"""Which rows of the dispatch table a view is about: a unit, its children, key indicators."""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.db import catalog
from indicators.db.connection import Connection
from indicators.rules import periods

BEHIND = ("far_behind", "lagging")
PROVENANCE_LABELS = {"reported": "直报", "rolled_up": "下级汇总", "partial": "部分汇总（有下级未报）"}

# ---------------------------------------------------------------- scope helpers

def top_unit(table: pd.DataFrame) -> str | None:
    """The unit at the top of the table: the city (level 0), else the shallowest."""
    if table.empty:
        return None
    level, order = table["level"].to_numpy(dtype=float), table["unit_order"].to_numpy(dtype=float)
    if np.isnan(level).any() or np.isnan(order).any():  # sorting puts those last
        return str(table.sort_values(["level", "unit_order"]).iloc[0]["org_unit_code"])
    top = np.flatnonzero(level == level.min())  # no sort of the whole table (≈ 0.1 s on 60,000 rows)
    return str(table["org_unit_code"].iat[top[np.argmin(order[top])]])


def key_indicators(table: pd.DataFrame) -> pd.Index:
    """Indicators the dispatch is about: those with a target or a lead department.
    Components of derived ratios (GDP, R&D经费) without either are left out. A setup with
    neither anywhere (published statistics, a year before its targets are set) is about
    every indicator it has values for: no target is a normal state."""
    has = table["target_given"] if "target_given" in table else table["target"].notna()
    has = has.astype(bool) | table["lead_department"].notna()
    if not has.any():
        has = table["value"].notna()
    return pd.Index(table.loc[has, "indicator_code"].unique())


def _key_rows(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["indicator_code"].isin(key_indicators(table))]


def unit_rows(table: pd.DataFrame, unit: str | None = None) -> pd.DataFrame:
    """The key-indicator rows of one unit (default: the top unit)."""
    unit = unit or top_unit(table)
    return _key_rows(table)[_key_rows(table)["org_unit_code"] == unit]


def child_rows(table: pd.DataFrame, parent: str | None = None) -> pd.DataFrame:
    """Key-indicator rows of the direct children of ``parent`` (default: the top unit)."""
    parent = parent or top_unit(table)
    rows = _key_rows(table)
    return rows[rows["parent_code"] == parent]


def unit_options(con: Connection) -> pd.DataFrame:
    """Units for the filter: code, name, level, label (indented by level)."""
    units = catalog.org_units(con)
    units["label"] = ["　" * int(lv) + str(n) for lv, n in zip(units["level"], units["name"])]
    return units[["code", "name", "level", "parent_code", "label"]]



# ---------------------------------------------------------------- the as-of month


def month_menu(have: list[str], due_month: str) -> tuple[list[str], str | None, str | None]:
    """The as-of months a page offers, the one it opens on, and why (when not the obvious one).

    ``have``: months with data, newest first; ``due_month``: the latest due month
    (``rules.due.latest_due_month``). Months run from January of the first year with data
    to the later of the newest data and ``due_month``, newest first. The page opens on
    ``due_month`` when it has data; otherwise — a real bureau whose returns are late —
    on the newest month with data before it, and the note says so in Chinese.
    """
    if not have:
        return [], None, None
    first_year = periods.parse(have[-1])[0]
    months, p = [], max(have[0], due_month)
    while p >= periods.make(first_year, 1):
        months.append(p)
        p = periods.shift(p, -1)
    if due_month in have:
        return months, due_month, None
    earlier = [m for m in have if m < due_month]
    default = earlier[0] if earlier else have[-1]
    note = (f"{periods.label(due_month)}的报送截止日已过，但还没有任何报送数据，"
            f"这里显示最近有数据的 {periods.label(default)}。催报请到「报送记录」页。")
    return months, default, note


# ---------------------------------------------------------------- URL values that do not exist

def month_from_url(requested: str, months: list[str], have: list[str], default: str | None) -> tuple[str | None, str]:
    """The month a page shows when the URL's ``?month=`` is none of ``months``, and the
    Chinese notice that says so: the month with data nearest to the one asked for (the
    earlier of two equally near), or ``default`` when the text is not a month at all."""
    try:
        y, m = periods.parse(requested)
    except ValueError:
        shown = periods.label(default) if default else "默认月份"
        return default, f"网址中的月份「{requested}」不是有效的月份（应写作 2026-10），已显示{shown}。"
    choices = [p for p in have if p in months]
    if not choices:
        return default, f"{periods.label(requested)}暂无数据。"
    asked = y * 12 + m

    def distance(p: str) -> tuple[int, int]:
        py, pm = periods.parse(p)
        return abs(py * 12 + pm - asked), py * 12 + pm
    nearest = min(choices, key=distance)
    return nearest, f"{periods.label(requested)}暂无数据，已显示最近的{periods.label(nearest)}。"


URL_WHAT = {"unit": "单位", "ind": "指标", "district": "区县", "leader": "分管领导", "dept": "牵头科室",
            "state": "说明状态"}


def unknown_in_url(name: str, requested: str, shown_label: str | None) -> str:
    """The notice for ``?unit=NOPE`` / ``?ind=xxx``: what was asked for and what is shown."""
    what = URL_WHAT.get(name, name)
    then = f"已显示{shown_label}。" if shown_label else "已忽略。"
    return f"网址中的{what}「{requested}」不存在，{then}"
