"""督办 in the briefing pack: the lagging explanations and the key tasks of the month.

A ``Supervision`` is built once per pack (``supervise``) from the dispatch table with
its explanations attached (``indicators.explanations.attach``) and the task board
(``indicators.tasks.board.task_board``); the notice, the slides and the Excel table read
it, so all three say the same. An explanation that is still missing is printed as
【待补充】 with who must give it; ``require_complete`` refuses a pack that would carry one.

Frames:
- ``explanations`` — every row of the scope unit and its direct children that needs an
  explanation: indicator_code, indicator_name, org_unit_code, org_unit_name, level,
  status, status_label, gap_pp, responsible, leader, explanation_state, reason,
  measures, catch_up (scope row first per indicator, then the children).
- ``tasks`` — the task board (``indicators.tasks.board.BOARD_COLUMNS``), lagging first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from indicators.errors import RejectedInput
from indicators.formatting import fmt_pp
from indicators.rules import periods
from indicators.rules.explanation import MISSING_MARK
from indicators.tasks.board import status_counts

EXPLANATION_COLUMNS = ["indicator_code", "indicator_name", "org_unit_code", "org_unit_name", "level", "status",
                       "status_label", "gap_pp", "responsible", "leader", "explanation_state", "reason",
                       "measures", "catch_up"]


@dataclass(frozen=True)
class Supervision:
    scope_code: str
    explanations: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=EXPLANATION_COLUMNS))
    tasks: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def missing(self) -> pd.DataFrame:
        return self.explanations[self.explanations["explanation_state"] == "missing"]

    @property
    def complete(self) -> bool:
        return self.missing.empty

    @property
    def task_counts(self) -> dict[str, int]:
        return status_counts(self.tasks) if len(self.tasks) else {}

    def for_scope_indicator(self, code: str) -> dict | None:
        """The scope unit's explanation row of indicator ``code`` (None when it needs none)."""
        rows = self._scope_rows[self._scope_rows["indicator_code"] == code]
        return rows.iloc[0].to_dict() if len(rows) else None

    @cached_property
    def _scope_rows(self) -> pd.DataFrame:
        """The scope unit's explanation rows (a deck asks for one per lagging indicator)."""
        return self.explanations[self.explanations["org_unit_code"] == self.scope_code]

    @property
    def children(self) -> pd.DataFrame:
        return self.explanations[self.explanations["org_unit_code"] != self.scope_code]


def supervision_from(attached: pd.DataFrame, board: pd.DataFrame, scope_code: str) -> Supervision:
    """The pack's 督办 part for ``scope_code`` and its direct children."""
    rows = attached[(attached["org_unit_code"] == scope_code) | (attached["parent_code"] == scope_code)]
    rows = rows[rows["explanation_required"].astype(bool)]
    rows = rows.sort_values(["indicator_order", "indicator_code", "level", "unit_order"], kind="stable")
    return Supervision(scope_code, rows.reindex(columns=EXPLANATION_COLUMNS).reset_index(drop=True),
                       board.reset_index(drop=True))


def explanation_text(row: dict, *, name_who: bool = True) -> str:
    """``原因：…；措施：…；预计2026年12月赶上`` or ``【待补充】（说明责任方：北山县）``
    (without the bracket when ``name_who`` is False: the sentence already names them)."""
    if row.get("explanation_state") != "given":
        return f"【{MISSING_MARK}】" + (f"（说明责任方：{row['responsible']}）" if name_who else "")
    text = f"原因：{row['reason']}；措施：{row['measures']}"
    catch_up = row.get("catch_up")
    if isinstance(catch_up, str) and catch_up:
        text += f"；预计{periods.label(catch_up)}赶上序时进度"
    return text


def missing_lines(sup: Supervision) -> list[str]:
    """One line per leader: ``分管领导 王建国（2项）：奖补资金兑现 · 示例市（资源配置…科）；…``."""
    lines = []
    miss = sup.missing.assign(leader=sup.missing["leader"].fillna("（未分配）"))
    for leader, g in miss.groupby("leader", sort=True):
        items = "；".join(f"{i} · {u}（{r}）" for i, u, r in zip(g["indicator_name"], g["org_unit_name"],
                                                                 g["responsible"]))
        lines.append(f"分管领导 {leader}（{len(g)}项）：{items}")
    return lines


def require_complete(sup: Supervision) -> None:
    """Refuse (RejectedInput) a pack with missing explanations, naming them by leader."""
    if not sup.complete:
        raise RejectedInput(f"还有 {len(sup.missing)} 项滞后说明待补充，按要求未生成（不要求齐全时，缺的说明标"
                            f"【{MISSING_MARK}】照常生成）：\n" + "\n".join(missing_lines(sup)))


# ---------------------------------------------------------------- notice

def notice_district_paragraphs(sup: Supervision) -> list[str]:
    """Paragraphs of the districts' explanations, one per district, in tree order."""
    kids = sup.children
    if kids.empty:
        return []
    out = []
    for unit, g in kids.groupby("org_unit_name", sort=False):
        parts = [f"{r['indicator_name']}（{r['status_label']}，差距{fmt_pp(r['gap_pp'])}）："
                 f"{explanation_text(r, name_who=False)}" for r in g.to_dict(orient="records")]
        out.append(f"{unit}：" + "。".join(parts) + "。")
    return out


def notice_task_paragraphs(sup: Supervision) -> list[str]:
    """The key tasks: the counts, then each lagging task with its reason and next steps."""
    board = sup.tasks
    if board.empty:
        return ["本月无已确认的重点任务。"]
    counts = sup.task_counts
    overdue = int(board["overdue"].sum())
    said = "、".join(f"{k}{v}项" for k, v in counts.items() if v)
    out = [f"{len(board)}项重点任务中，{said}" + (f"（其中逾期{overdue}项，已过节点或截止日期仍未完成）" if overdue else "")
           + "。"]
    lagging = board[board["status"] == "lagging"]
    for i, r in enumerate(lagging.to_dict(orient="records"), start=1):
        why = r["reason"] or "牵头科室报告进度滞后"
        text = (f"{i}. {r['name']}（牵头科室：{r['lead_department_name'] or '—'}；分管领导：{r['leader_name'] or '—'}）："
                f"{why}")
        if isinstance(r.get("problems"), str) and r["problems"]:
            text += f"；存在问题：{r['problems']}"
        if isinstance(r.get("next_steps"), str) and r["next_steps"]:
            text += f"；下步措施：{r['next_steps']}"
        out.append(text + "。")
    missing = board[board["status"] == "missing"]
    if len(missing):
        out.append("本月未报送进展的任务：" + "、".join(f"{n}（{d or '—'}）" for n, d in
                                                zip(missing["name"], missing["lead_department_name"])) + "。")
    return out
