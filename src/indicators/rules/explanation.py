"""Who must explain a lagging indicator, and what a valid explanation is — pure.

Every indicator × unit whose status in month m is 滞后 or 严重滞后 needs an explanation
(滞后说明: 滞后原因, 整改措施, 预计赶上月份). The district explains its own figures; the
city's figures (the top of the tree) are explained by the indicator's lead department.
"""

from __future__ import annotations

import pandas as pd

from indicators.rules import periods

NEEDS_EXPLANATION = ("lagging", "far_behind")
STATE_LABELS = {"given": "已说明", "missing": "待补充", "not_required": ""}
MISSING_MARK = "待补充"


def required(status: pd.Series) -> pd.Series:
    """True where the row's status needs an explanation."""
    return status.isin(NEEDS_EXPLANATION)


def responsible(parent_code: pd.Series, org_unit_name: pd.Series, lead_department: pd.Series) -> pd.Series:
    """Who explains: the unit itself, or for a unit without parent (the city) the lead
    department (the unit's name when no lead department is set)."""
    top = parent_code.isna().to_numpy()
    dept = lead_department.where(lead_department.notna(), org_unit_name)
    return pd.Series(dept.where(top, org_unit_name).to_numpy(), index=org_unit_name.index, dtype=object)


def check(period: str, reason: str | None, measures: str | None, catch_up: str | None) -> list[str]:
    """Problems with an explanation for as-of ``period`` (empty when it is valid)."""
    problems = []
    if not (reason or "").strip():
        problems.append("滞后原因不能为空")
    if not (measures or "").strip():
        problems.append("整改措施不能为空")
    if catch_up:
        try:
            periods.parse(catch_up)
        except ValueError:
            problems.append(f"预计赶上月份应为 YYYY-MM，收到「{catch_up}」")
        else:
            if catch_up <= period:
                problems.append(f"预计赶上月份应晚于{periods.label(period)}，收到「{catch_up}」")
    return problems
