"""The 督办 list of 责任分解: per lead department or per leader, the indicators *and* the
key tasks they own, with where each lagging indicator's explanation stands — what a
leader reads before the meeting. No streamlit; built from the dispatch table with its
explanations attached (``indicators.explanations.attach``) and the task board.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from indicators import explanations
from indicators.db.connection import Connection
from indicators.theme import task_badge, task_tone
from indicators.views.responsibility import by_owner
from indicators.views.scope import BEHIND, top_unit

BOARD_OWNER = {"lead_department": "lead_department_name", "leader": "leader_name"}
UNASSIGNED = "（未分配）"


@dataclass(frozen=True)
class SupervisionList:
    summary: pd.DataFrame  # 负责, 指标数, 滞后指标, 说明待补充, 任务数, 滞后任务 — most to chase first
    indicators: pd.DataFrame  # by_owner's columns + 滞后说明, 区县说明
    tasks: pd.DataFrame  # 负责, 状态, 任务, 节点 / 说明, 进展情况, tone

    @property
    def owners(self) -> list[str]:
        return self.summary["负责"].tolist()


def supervision_list(attached: pd.DataFrame, board: pd.DataFrame, column: str,
                     unit: str | None = None) -> SupervisionList:
    """``column``: 'lead_department' or 'leader'; ``unit``: whose indicators (default the city)."""
    if column not in BOARD_OWNER:
        raise ValueError(column)
    unit = unit or top_unit(attached)
    inds = _indicators(attached, column, unit)
    tasks = _tasks(board, BOARD_OWNER[column])
    return SupervisionList(_summary(inds, tasks), inds, tasks)


def supervision_lists(con: Connection, table: pd.DataFrame, board: pd.DataFrame,
                      unit: str | None = None) -> tuple[SupervisionList, SupervisionList]:
    """The 督办 lists of ``unit`` by lead department and by leader, the explanations of
    ``table``'s month attached (``explanations.attach``) for these two only: what a cache
    keeps is the two lists, never a second copy of the month's table."""
    attached = explanations.attach(con, table)
    return (supervision_list(attached, board, "lead_department", unit), supervision_list(attached, board, "leader", unit))


def _indicators(attached: pd.DataFrame, column: str, unit: str) -> pd.DataFrame:
    detail = by_owner(attached, column, unit)
    own = attached[attached["org_unit_code"] == unit].set_index("indicator_name")
    kids = attached[(attached["parent_code"] == unit) & attached["explanation_required"].astype(bool)]
    per_kid = kids.groupby("indicator_name", sort=False).apply(_district_note, include_groups=False)
    detail["滞后说明"] = [own["explanation_state_label"].get(name, "") or "—" for name in detail["指标"]]
    detail["区县说明"] = [per_kid.get(name, "—") for name in detail["指标"]]
    kids_missing = kids["explanation_state"].eq("missing").groupby(kids["indicator_name"], sort=False).sum()
    detail["_missing"] = [int(own["explanation_state"].get(n) == "missing") + int(kids_missing.get(n, 0))
                          for n in detail["指标"]]
    return detail


def _district_note(g: pd.DataFrame) -> str:
    """``5个区县滞后，已说明3，待补充：北山县、经开区`` — the names a leader must chase."""
    missing = g.loc[g["explanation_state"] == "missing", "org_unit_name"].tolist()
    note = f"{len(g)}个区县滞后，已说明{len(g) - len(missing)}"
    return note + (f"，待补充：{'、'.join(missing)}" if missing else "")


def _tasks(board: pd.DataFrame, owner: str) -> pd.DataFrame:
    if board.empty:
        return pd.DataFrame(columns=["负责", "状态", "任务", "节点 / 说明", "进展情况", "tone", "status"])
    return pd.DataFrame({
        "负责": board[owner].fillna(UNASSIGNED), "状态": [task_badge(s, o) for s, o in zip(board["status"], board["overdue"])],
        "任务": board["name"], "节点 / 说明": board["why"],
        "进展情况": [p if isinstance(p, str) else "未报送" for p in board["progress"]],
        "tone": [task_tone(s, o) for s, o in zip(board["status"], board["overdue"])], "status": board["status"],
    })


def _summary(inds: pd.DataFrame, tasks: pd.DataFrame) -> pd.DataFrame:
    owners = list(dict.fromkeys([*inds["负责"], *tasks["负责"]]))
    rows = []
    for o in owners:
        mine, theirs = inds[inds["负责"] == o], tasks[tasks["负责"] == o]
        rows.append({"负责": o, "指标数": len(mine), "滞后指标": int(mine["status"].isin(BEHIND).sum()),
                     "说明待补充": int(mine["_missing"].sum()), "任务数": len(theirs),
                     "滞后任务": int((theirs["status"] == "lagging").sum())})
    out = pd.DataFrame(rows, columns=["负责", "指标数", "滞后指标", "说明待补充", "任务数", "滞后任务"])
    behind = out["滞后指标"] + out["滞后任务"] + out["说明待补充"]
    return out.assign(_b=behind).sort_values(["_b", "负责"], ascending=[False, True]).drop(columns="_b") \
        .reset_index(drop=True)


def owner_indicators(sl: SupervisionList, owner: str) -> pd.DataFrame:
    return sl.indicators[sl.indicators["负责"] == owner].drop(columns=["负责", "_missing"]).reset_index(drop=True)


def owner_tasks(sl: SupervisionList, owner: str) -> pd.DataFrame:
    return sl.tasks[sl.tasks["负责"] == owner].drop(columns=["负责", "status"]).reset_index(drop=True)
