"""What each role may do — the one table — and the scope checks of bound users.

Every write path calls ``require(actor, action)`` before it writes, and the scoped ones
check the rows they would touch (``rows_outside``, ``batch_outside``…); a refusal is
``PermissionDenied``, one Chinese line naming what was refused, and nothing is written.
Pages only *show* what ``allowed`` says (a leader sees no upload page); hiding a widget
is never the protection.

Scopes: a 区县填报员 (district) is bound to one org unit and writes only that unit's
values; a 科室 (department) is bound to one department and writes, reviews and explains
only the indicators (and key tasks) it leads. 管理员 may do everything and is the only
role that manages users, setup, targets and locks, and migrates the database.
"""

from __future__ import annotations

import pandas as pd

from indicators.accounts.roles import ROLE_NAMES, Actor
from indicators.errors import PermissionDenied

# action → what it is called in messages and on the pages
ACTIONS: dict[str, str] = {
    "import": "导入报送数据",
    "rollback": "撤回报送批次",
    "review": "审核报送（通过或退回）",
    "target_edit": "调整目标",
    "setup_import": "导入设置工作簿",
    "unlock": "解锁已锁定的月份",
    "user_admin": "管理用户",
    "task_plan": "导入工作安排、确认重点任务",
    "task_progress": "填报重点任务进展",
    "explain": "填写滞后说明",
    "send": "发送催报和月度材料",
    "migrate": "迁移数据库",
}

# role × action: the whole permission model in one place (README「角色与权限」mirrors it)
MATRIX: dict[str, frozenset[str]] = {
    "admin": frozenset(ACTIONS),
    "office": frozenset({"review", "send"}),
    "department": frozenset({"import", "rollback", "review", "task_progress", "explain"}),
    "district": frozenset({"import", "rollback", "explain"}),
    "leader": frozenset(),
}


def allowed(actor: Actor | None, action: str) -> bool:
    """May ``actor`` perform ``action`` at all (before any scope check)?"""
    if action not in ACTIONS:
        raise KeyError(action)
    return actor is not None and action in MATRIX[actor.role]


def require(actor: Actor | None, action: str) -> None:
    """Raise ``PermissionDenied`` unless the role of ``actor`` has ``action``."""
    if actor is None:
        raise PermissionDenied(f"请先登录后再{ACTIONS[action]}。")
    if not allowed(actor, action):
        raise PermissionDenied(f"{actor.display}无权{ACTIONS[action]}（{ROLE_NAMES[actor.role]}"
                               f"可做：{can_do_text(actor.role)}）。未做任何改动。")


def can_do_text(role: str) -> str:
    names = [ACTIONS[a] for a in ACTIONS if a in MATRIX[role]]
    return "、".join(names) if names else "只读查看"


# ---------------------------------------------------------------- scopes

def led_indicators(indicators: pd.DataFrame, department: str | None) -> set[str]:
    """Codes of the indicators ``department`` leads (``catalog.indicators`` columns)."""
    if department is None:
        return set()
    led = indicators[indicators["lead_department_code"] == department]
    return set(led["code"].astype(str))


def out_of_scope(actor: Actor, values: pd.DataFrame, indicators: pd.DataFrame) -> pd.Series:
    """Boolean mask of the rows of ``values`` (columns org_unit, indicator_code) that
    ``actor`` may not write. Nothing is out of scope for an unbound role."""
    if actor.role == "district":
        return values["org_unit"].astype(object) != actor.unit
    if actor.role == "department":
        return ~values["indicator_code"].astype(object).isin(led_indicators(indicators, actor.department))
    return pd.Series(False, index=values.index)


def refuse_rows(actor: Actor, values: pd.DataFrame, indicators: pd.DataFrame, units: pd.DataFrame,
                what: str = "文件") -> None:
    """Refuse a whole return when any of its rows is outside the actor's scope, naming
    the rows (sheet, row, unit or indicator). ``values`` as in ``ReturnReading.values``."""
    bad = values[out_of_scope(actor, values, indicators).to_numpy(dtype=bool)]
    if bad.empty:
        return
    names = dict(zip(units["code"], units["name"])) | dict(zip(indicators["code"], indicators["name"]))
    key = "org_unit" if actor.role == "district" else "indicator_code"
    places = _places(bad, key, names)
    mine = (f"{actor.scope_name}的数据" if actor.role == "district"
            else f"{actor.scope_name}牵头指标的数据")
    other = "其他单位" if actor.role == "district" else "非本科室牵头指标"
    raise PermissionDenied(f"{actor.display}只能报送{mine}；{what}中有 {len(bad)} 行属于{other}：{places}。"
                           "整份未导入，请删去这些行或由相应单位报送。")


def _places(bad: pd.DataFrame, key: str, names: dict, limit: int = 8) -> str:
    """'报送数据 第 4–9、12 行（西城区）、…': rows grouped by sheet and unit (or indicator)."""
    sheet = bad["sheet"].astype(object).where(bad["sheet"].notna(), "") if "sheet" in bad else pd.Series("", index=bad.index)
    rows = bad["row"] if "row" in bad else pd.Series(pd.NA, index=bad.index)
    groups = []
    for (sh, code), part in pd.DataFrame({"sheet": sheet, "code": bad[key].astype(object), "row": rows}) \
            .groupby(["sheet", "code"], sort=False):
        numbers = sorted(int(r) for r in part["row"] if not pd.isna(r))
        where = (f"{sh} " if sh else "") + (f"第 {_ranges(numbers)} 行" if numbers else f"{len(part)} 行")
        groups.append(f"{where}（{names.get(code, code)}）")
    return "、".join(groups[:limit]) + (f" 等 {len(groups)} 处" if len(groups) > limit else "")


def _ranges(numbers: list[int]) -> str:
    spans, start, prev = [], None, None
    for n in numbers:
        if start is None:
            start = prev = n
        elif n == prev + 1:
            prev = n
        else:
            spans.append((start, prev))
            start = prev = n
    if start is not None:
        spans.append((start, prev))
    return "、".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def refuse_batch(actor: Actor, action: str, batch_id: int, units: set[str], indicator_codes: set[str],
                 indicators: pd.DataFrame) -> None:
    """A district user may act on a batch only when every value in it is their unit's;
    a department user only when every indicator in it is one they lead."""
    require(actor, action)
    if actor.role == "district" and not units <= {actor.unit}:
        raise PermissionDenied(f"批次 {batch_id} 含有其他单位的数据，{actor.display}不能{ACTIONS[action]}。未做任何改动。")
    if actor.role == "department" and not indicator_codes <= led_indicators(indicators, actor.department):
        raise PermissionDenied(f"批次 {batch_id} 含有非{actor.scope_name}牵头的指标，{actor.display}"
                               f"不能{ACTIONS[action]}。未做任何改动。")


def reviewable_indicators(actor: Actor, indicator_codes: set[str], indicators: pd.DataFrame) -> set[str]:
    """The indicators of a batch ``actor`` may approve: all of them for 综合科 and 管理员,
    the ones it leads for a 科室 (its part of the batch), none otherwise."""
    if not allowed(actor, "review"):
        return set()
    if actor.role == "department":
        return indicator_codes & led_indicators(indicators, actor.department)
    return set(indicator_codes)


def may_explain(actor: Actor, org_unit: str, is_top: bool, lead_department: str | None) -> bool:
    """Who explains a lagging row (``rules.explanation.responsible``): the district for its
    own unit, the lead department for the city's row; 管理员 for any."""
    if not allowed(actor, "explain"):
        return False
    if actor.role == "district":
        return org_unit == actor.unit
    if actor.role == "department":
        return is_top and lead_department == actor.department
    return True


def may_report_task(actor: Actor, lead_department: str | None) -> bool:
    """A department reports progress on the key tasks it leads; 管理员 on any."""
    if not allowed(actor, "task_progress"):
        return False
    return actor.role != "department" or lead_department == actor.department
