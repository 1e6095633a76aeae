"""Page data for 滞后说明 and for the missing-explanation list of 报告导出: the dispatch
table with its explanations attached (``indicators.explanations.attach``). No streamlit."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from indicators.accounts import permissions
from indicators.accounts.roles import Actor
from indicators.formatting import fmt_pp
from indicators.rules import periods
from indicators.theme import status_badge

ALL = "全部"
STATES = [ALL, "待补充", "已说明"]


@dataclass
class ExplanationView:
    rows: pd.DataFrame  # the required rows of the attached table, filtered
    table: pd.DataFrame  # display columns
    required: int
    given: int
    missing: int
    leaders: list[str]


def explanation_view(attached: pd.DataFrame, leader: str = ALL, state: str = ALL) -> ExplanationView:
    """The rows that need an explanation, missing ones first; counts before filtering by state."""
    rows = attached[attached["explanation_required"]]
    leaders = [ALL] + sorted(rows["leader"].dropna().unique().tolist())
    if leader != ALL:
        rows = rows[rows["leader"] == leader]
    given = int(rows["explanation_state"].eq("given").sum())
    counts = (len(rows), given, len(rows) - given)
    if state != ALL:
        rows = rows[rows["explanation_state_label"] == state]
    rows = rows.sort_values(["explanation_state", "indicator_order", "level", "unit_order"],
                            ascending=[False, True, True, True]).reset_index(drop=True)
    return ExplanationView(rows, explanation_table(rows), *counts, leaders)


def explanation_table(rows: pd.DataFrame) -> pd.DataFrame:
    """说明, 指标, 单位, 调度状态, 差距, 说明责任方, 分管领导, 滞后原因, 整改措施, 预计赶上, 填写人,
    and the raw ``status``."""
    return pd.DataFrame({
        "说明": rows["explanation_state_label"], "指标": rows["indicator_name"], "单位": rows["org_unit_name"],
        "调度状态": rows["status"].map(status_badge), "差距": rows["gap_pp"].map(fmt_pp),
        "说明责任方": rows["responsible"], "分管领导": rows["leader"].fillna("—"),
        "滞后原因": rows["reason"].fillna(""), "整改措施": rows["measures"].fillna(""),
        "预计赶上": [periods.label(c) if isinstance(c, str) and c else "" for c in rows["catch_up"]],
        "填写人": rows["explained_by"].fillna(""), "status": rows["status"],
    })


def row_label(row: dict) -> str:
    state = "已说明" if row["explanation_state"] == "given" else "待补充"
    return f"【{state}】{row['indicator_name']} · {row['org_unit_name']}（{row['status_label']}，{fmt_pp(row['gap_pp'])}）"


def explanation_defaults(row: dict) -> dict:
    """The form's starting text: this month's explanation, else the one last given
    (``basis`` says which), else empty."""
    if row.get("explanation_state") == "given":
        return {"reason": row["reason"], "measures": row["measures"], "catch_up": row.get("catch_up") or "",
                "basis": "本月已填写，可修改后重新保存"}
    if isinstance(row.get("prev_reason"), str):
        return {"reason": row["prev_reason"], "measures": row["prev_measures"] or "",
                "catch_up": row.get("prev_catch_up") if isinstance(row.get("prev_catch_up"), str) else "",
                "basis": f"已带入{periods.label(row['prev_period'])}的说明，请按本月情况修改"}
    return {"reason": "", "measures": "", "catch_up": "", "basis": ""}


def missing_by_leader(attached: pd.DataFrame) -> pd.DataFrame:
    """For 报告导出: one row per missing explanation — 分管领导, 指标, 单位, 调度状态, 说明责任方 —
    leaders with most missing first (a leader's items together)."""
    rows = attached[attached["explanation_state"].eq("missing")]
    cols = ["分管领导", "指标", "单位", "调度状态", "说明责任方", "status"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    leader = rows["leader"].fillna("（未分配）")
    out = pd.DataFrame({"分管领导": leader, "指标": rows["indicator_name"], "单位": rows["org_unit_name"],
                        "调度状态": rows["status"].map(status_badge), "说明责任方": rows["responsible"],
                        "status": rows["status"], "_n": leader.map(leader.value_counts())})
    return out.sort_values(["_n", "分管领导"], ascending=[False, True], kind="stable") \
        .drop(columns="_n").reset_index(drop=True)[cols]


def explainable_rows(rows: pd.DataFrame, actor: Actor, indicators: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``rows`` (``ExplanationView.rows``) that ``actor`` may explain
    (``accounts.permissions.may_explain``): a 区县填报员 its own unit's, a 科室 the city's
    rows of the indicators it leads, a 管理员 all; ``indicators``: ``db.catalog.indicators``."""
    lead = indicators.set_index("code")["lead_department_code"]
    keep = [permissions.may_explain(actor, unit, pd.isna(parent), None if pd.isna(dep := lead.get(code)) else dep)
            for code, unit, parent in zip(rows["indicator_code"], rows["org_unit_code"], rows["parent_code"])]
    return rows[pd.Series(keep, index=rows.index, dtype=bool)].reset_index(drop=True)
