"""Which rows of the dispatch table a view is about: a unit, its children, key indicators."""

from __future__ import annotations

import duckdb
import pandas as pd

from indicators.db import catalog

BEHIND = ("far_behind", "lagging")
PROVENANCE_LABELS = {"reported": "直报", "rolled_up": "下级汇总", "partial": "部分汇总（有下级未报）"}

# ---------------------------------------------------------------- scope helpers

def top_unit(table: pd.DataFrame) -> str | None:
    """The unit at the top of the table: the city (level 0), else the shallowest."""
    if table.empty:
        return None
    row = table.sort_values(["level", "unit_order"]).iloc[0]
    return str(row["org_unit_code"])


def key_indicators(table: pd.DataFrame) -> pd.Index:
    """Indicators the dispatch is about: those with a target or a lead department.
    Components of derived ratios (GDP, R&D经费) without either are left out."""
    has = table["target"].notna() | table["lead_department"].notna()
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


def unit_options(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Units for the filter: code, name, level, label (indented by level)."""
    units = catalog.org_units(con)
    units["label"] = ["　" * int(lv) + str(n) for lv, n in zip(units["level"], units["name"])]
    return units[["code", "name", "level", "parent_code", "label"]]

