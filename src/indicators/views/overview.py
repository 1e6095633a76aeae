"""调度总览: headline cards, status counts, the lagging list, district ranking, completeness."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.db.connection import Connection
from indicators.formatting import fmt_pct, fmt_pp, fmt_value, fmt_yoy
from indicators.returns import completeness
from indicators.rules import due
from indicators.settings import Settings
from indicators.theme import STATUS_COLORS, STATUS_ORDER, status_badge, status_label
from indicators.views.scope import (
    BEHIND,
    PROVENANCE_LABELS,
    _key_rows,
    child_rows,
    top_unit,
    unit_rows,
)

# ---------------------------------------------------------------- overview

def _yoy_arrow(yoy, is_pp) -> str:
    if yoy is None or pd.isna(yoy) or abs(float(yoy)) < 1e-12:
        return "→"
    return "↑" if float(yoy) > 0 else "↓"


def headline_cards(table: pd.DataFrame, unit: str | None = None) -> pd.DataFrame:
    """One card per key indicator of ``unit``: code, name, value_text, target_text,
    completion_text, expected_text, gap_text, yoy_text, yoy_arrow, status, badge, color,
    note (why there is no number, when there is none), partial_text (for a partial
    roll-up: which units are missing)."""
    rows = unit_rows(table, unit)
    out = []
    for r in rows.itertuples(index=False):
        note = {
            "missing": "本期未报送", "not_due": "本期未到报送期", "no_target": "未设定年度目标",
        }.get(r.status, "")
        if r.status == "missing" and r.provenance is None and r.level == 0:
            note = "下级单位均未报送"
        out.append({
            "code": r.indicator_code, "name": r.indicator_name, "unit": r.unit,
            "value_text": fmt_value(r.value, r.unit, r.decimals),
            "target_text": fmt_value(r.target, r.unit, r.decimals),
            "completion_text": fmt_pct(r.completion), "expected_text": fmt_pct(r.expected),
            "gap_text": fmt_pp(r.gap_pp), "yoy_text": fmt_yoy(r.yoy, bool(r.yoy_pp)),
            "yoy_arrow": _yoy_arrow(r.yoy, r.yoy_pp), "status": r.status,
            "badge": status_badge(r.status), "color": STATUS_COLORS.get(r.status, "#999999"),
            "provenance": PROVENANCE_LABELS.get(r.provenance, "—") if r.provenance else "—",
            "value_period": r.value_period, "note": note,
            # a partial roll-up never goes out without saying what it lacks
            "partial_text": f"部分汇总，缺：{r.missing_units}" if r.provenance == "partial" and r.missing_units else "",
        })
    cols = ["code", "name", "unit", "value_text", "target_text", "completion_text", "expected_text",
            "gap_text", "yoy_text", "yoy_arrow", "status", "badge", "color", "provenance", "value_period", "note",
            "partial_text"]
    return pd.DataFrame(out, columns=cols)


def status_counts(table: pd.DataFrame, unit: str | None = None) -> pd.DataFrame:
    """Key indicators of ``unit`` by status, every status listed (zeros too):
    status, label, badge, count, color."""
    rows = unit_rows(table, unit)
    counts = rows["status"].value_counts()
    return pd.DataFrame({
        "status": STATUS_ORDER,
        "label": [status_label(s) for s in STATUS_ORDER],
        "badge": [status_badge(s) for s in STATUS_ORDER],
        "count": [int(counts.get(s, 0)) for s in STATUS_ORDER],
        "color": [STATUS_COLORS[s] for s in STATUS_ORDER],
    })


def lagging_list(table: pd.DataFrame, unit: str | None = None) -> pd.DataFrame:
    """Rows of ``unit`` and its children that lag, furthest behind first. Columns:
    指标, 单位, 完成率, 序时进度, 差距, 状态, 牵头科室, 分管领导 (+ status, gap_pp raw)."""
    top = unit or top_unit(table)
    rows = _key_rows(table)
    rows = rows[((rows["org_unit_code"] == top) | (rows["parent_code"] == top)) & rows["status"].isin(BEHIND)]
    rows = rows.sort_values(["gap_pp", "level", "unit_order"])
    return pd.DataFrame({
        "指标": rows["indicator_name"], "单位": rows["org_unit_name"],
        "完成率": rows["completion"].map(fmt_pct), "序时进度": rows["expected"].map(fmt_pct),
        "差距": rows["gap_pp"].map(fmt_pp), "状态": rows["status"].map(status_badge),
        "牵头科室": rows["lead_department"].fillna("—"), "分管领导": rows["leader"].fillna("—"),
        "status": rows["status"], "gap_pp": rows["gap_pp"],
    }).reset_index(drop=True)


def district_ranking(table: pd.DataFrame, parent: str | None = None) -> pd.DataFrame:
    """Children of ``parent`` ranked by the share of their due, targeted indicators that are
    done or on track, then by the mean gap. Columns: code, 单位, 考核指标数, one count per
    status label, 达序时率 (fraction), 平均差距 (points), 排名."""
    rows = child_rows(table, parent)
    if rows.empty:
        return pd.DataFrame(columns=["code", "单位", "考核指标数", "达序时率", "平均差距", "排名"])
    counted = rows[~rows["status"].isin(["not_due", "no_target"])]
    g = rows.groupby(["org_unit_code", "org_unit_name", "unit_order"], sort=False)
    out = g.size().rename("all").reset_index()
    for s in ("done", "on_track", "lagging", "far_behind", "missing"):
        out[status_label(s)] = out["org_unit_code"].map(rows[rows["status"] == s].groupby("org_unit_code").size()).fillna(0).astype(int)
    n = out["org_unit_code"].map(counted.groupby("org_unit_code").size()).fillna(0).astype(int)
    out["考核指标数"] = n
    good = out[status_label("done")] + out[status_label("on_track")]
    out["达序时率"] = np.where(n > 0, good / n.where(n > 0, 1), np.nan)
    out["平均差距"] = out["org_unit_code"].map(counted.groupby("org_unit_code")["gap_pp"].mean())
    out = out.sort_values(["达序时率", "平均差距", "unit_order"], ascending=[False, False, True], na_position="last")
    keys = list(zip(out["达序时率"].round(6).fillna(-1), out["平均差距"].round(6).fillna(-1e9)))
    out["排名"] = [keys.index(k) + 1 for k in keys]  # sorted already: ties share the first rank
    out = out.rename(columns={"org_unit_code": "code", "org_unit_name": "单位"})
    labels = [status_label(s) for s in ("done", "on_track", "lagging", "far_behind", "missing")]
    return out[["排名", "code", "单位", "考核指标数", *labels, "达序时率", "平均差距"]].reset_index(drop=True)


def scorecard(table: pd.DataFrame, unit: str) -> pd.DataFrame:
    """One district's key indicators: 指标, 本期值, 目标, 完成率, 序时进度, 差距, 同比, 排名, 状态."""
    rows = unit_rows(table, unit)
    return pd.DataFrame({
        "指标": rows["indicator_name"],
        "本期值": [fmt_value(v, u, d) for v, u, d in zip(rows["value"], rows["unit"], rows["decimals"])],
        "目标": [fmt_value(v, u, d) for v, u, d in zip(rows["target"], rows["unit"], rows["decimals"])],
        "完成率": rows["completion"].map(fmt_pct), "序时进度": rows["expected"].map(fmt_pct),
        "差距": rows["gap_pp"].map(fmt_pp),
        "同比": [fmt_yoy(v, bool(p)) for v, p in zip(rows["yoy"], rows["yoy_pp"])],
        "排名": [f"{r}/{n}" if pd.notna(r) and pd.notna(n) else "—" for r, n in zip(rows["rank"], rows["rank_of"])],
        "状态": rows["status"].map(status_badge), "status": rows["status"],
    }).reset_index(drop=True)


@dataclass(frozen=True)
class Overview:
    cards: pd.DataFrame
    counts: pd.DataFrame
    lagging: pd.DataFrame
    ranking: pd.DataFrame
    completeness: pd.DataFrame
    completeness_note: str


def completeness_for(con: Connection, table: pd.DataFrame, period: str,
                     parent: str | None, settings: Settings, now: dt.datetime) -> tuple[pd.DataFrame, str]:
    """Reporting completeness of the month per unit under ``parent``, with timeliness
    against the deadline (``indicators.returns.completeness``), and a note saying what counts.
    Columns: 单位, 应报, 已报, 未报, 报送率, 报送情况, 未报指标."""
    columns = ["单位", "应报", "已报", "未报", "报送率", "报送情况", "未报指标"]
    detail = completeness.completeness(con, period, settings=settings, now=now)
    if detail.empty:
        return pd.DataFrame(columns=columns), "本月没有应报的指标。"
    summary = completeness.unit_summary(detail)
    missing = ~detail["reported"].astype(bool)
    chase = (completeness.chase_list(detail).set_index("org_unit")["indicators"] if missing.any()
             else pd.Series(dtype=object))
    if parent is not None:
        scope = set(table.loc[(table["org_unit_code"] == parent) | (table["parent_code"] == parent), "org_unit_code"])
        if scope:
            summary = summary[summary["org_unit"].isin(scope)]
    deadline = due.deadline(period, settings.deadline_day)
    frame = pd.DataFrame({
        "单位": summary["org_unit_name"], "应报": summary["expected"], "已报": summary["reported"],
        "未报": summary["missing"], "报送率": summary["rate"].map(fmt_pct),
        "报送情况": summary["timeliness"], "未报指标": summary["org_unit"].map(chase).astype(object).fillna("—"),
    }).reset_index(drop=True)
    return frame, f"报送截止 {deadline.year}年{deadline.month}月{deadline.day}日；应报 = 本月到期且该单位须自行报送的指标。"


def overview(con: Connection, table: pd.DataFrame, period: str, unit: str | None,
             settings: Settings, now: dt.datetime) -> Overview:
    unit = unit or top_unit(table)
    comp, note = completeness_for(con, table, period, unit, settings, now)
    return Overview(
        cards=headline_cards(table, unit), counts=status_counts(table, unit),
        lagging=lagging_list(table, unit), ranking=district_ranking(table, unit),
        completeness=comp, completeness_note=note,
    )

