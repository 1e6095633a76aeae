"""调度总览: headline cards, status counts, the lagging list, district ranking, completeness."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from indicators import cards
from indicators.cards import card
from indicators.db.connection import Connection
from indicators.formatting import date_label, fmt_pct, fmt_pp
from indicators.returns import completeness
from indicators.returns.completeness import status_moment  # noqa: F401 - the overview's cache moment (pages)
from indicators.rules import due, progress
from indicators.rules.month_change import unit_ranking_moves
from indicators.rules.ranking import no_ranking_reason
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

CARD_COLUMNS = ["code", "name", "unit", "value_text", "target_text", "completion_text", "expected_text",
                "gap_text", "yoy_text", "yoy_arrow", "status", "badge", "color", "provenance", "value_period", "note",
                "partial_text", "review_text", "lines", "caption", "comparable_text", "rank_text", "rank_move_text",
                "gap_change_text", "pace_text"]


def _yoy_arrow(yoy) -> str:
    if yoy is None or pd.isna(yoy) or abs(float(yoy)) < 1e-12:
        return "→"
    return "↑" if float(yoy) > 0 else "↓"


def table_notes(r) -> str:
    """A table's 说明 cell: what it must not leave off — the card's 部分汇总 and 待审核
    (``cards.partial_text``, ``cards.review_text``), without building the rest of the card."""
    return "；".join(t for t in (cards.partial_text(r), cards.review_text(r)) if t)


def headline_cards(table: pd.DataFrame, unit: str | None = None) -> pd.DataFrame:
    """One card per key indicator of ``unit`` (``indicators.cards``): lines (label, text)
    in reading order, caption (the rule giving the status), partial_text (部分汇总，缺：…),
    comparable_text (the like-for-like basis), rank_text, rank_move_text (排名升降),
    gap_change_text (差距较上月), pace_text (序时进度按目标月度节点), yoy_text, note (why there is no number); plus the single texts value_text, target_text, completion_text, expected_text,
    gap_text, badge, color, provenance."""
    rows = unit_rows(table, unit)
    out = []
    for r in rows.to_dict(orient="records"):
        c = card(r)
        out.append({
            "code": r["indicator_code"], "name": r["indicator_name"], "unit": r["unit"],
            "value_text": cards.value_text(r), "target_text": cards.target_text(r),
            "completion_text": cards.completion_text(r), "expected_text": fmt_pct(r["expected"]),
            "gap_text": cards.gap_text(r), "yoy_text": c.yoy.removeprefix("同比 ") or "—",
            "yoy_arrow": _yoy_arrow(r["yoy"]), "status": r["status"],
            "badge": status_badge(r["status"]), "color": STATUS_COLORS.get(r["status"], "#999999"),
            "provenance": PROVENANCE_LABELS.get(r["provenance"], "—") if isinstance(r["provenance"], str) else "—",
            "value_period": r["value_period"], "note": c.note, "partial_text": c.partial, "review_text": c.review, "lines": c.lines,
            "caption": c.caption, "comparable_text": c.comparable, "rank_text": c.rank,
            "rank_move_text": c.rank_move, "gap_change_text": c.gap_change, "pace_text": progress.basis_note(r["expected_basis"], r.get("status_rule")),
        })
    return pd.DataFrame(out, columns=CARD_COLUMNS)


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
    指标, 单位, 本期值, 完成率, 序时进度, 差距 (as on each card), 差距较上月, 状态, 说明
    (部分汇总…), 牵头科室, 分管领导 (+ status, gap_pp raw)."""
    top = unit or top_unit(table)
    rows = _key_rows(table)
    rows = rows[((rows["org_unit_code"] == top) | (rows["parent_code"] == top)) & rows["status"].isin(BEHIND)]
    rows = rows.sort_values(["gap_pp", "level", "unit_order"])
    recs = rows.to_dict(orient="records")
    return pd.DataFrame({
        "指标": rows["indicator_name"], "单位": rows["org_unit_name"],
        "本期值": [cards.value_text(r) for r in recs], "完成率": [cards.completion_text(r) for r in recs],
        "序时进度": rows["expected"].map(fmt_pct), "差距": [cards.gap_text(r) for r in recs],
        "差距较上月": [cards.gap_change_text(r) or "—" for r in recs],
        "状态": rows["status"].map(status_badge), "说明": [table_notes(r) for r in recs],
        "牵头科室": rows["lead_department"].fillna("—"), "分管领导": rows["leader"].fillna("—"),
        "status": rows["status"], "gap_pp": rows["gap_pp"],
    }).reset_index(drop=True)


RANKING_COLUMNS = ["排名", "code", "单位", "考核指标数", "已完成", "达序时", "滞后", "严重滞后", "未报送", "达序时率",
                   "平均差距", "说明", "上月排名", "排名升降", "上月平均差距"]


def district_ranking(table: pd.DataFrame, parent: str | None = None) -> pd.DataFrame:
    """Children of ``parent`` ranked over their key indicators (``rules.ranking.unit_ranking``,
    the same rule as the PPTX and the notice), against last month (``rules.month_change``).
    Columns: 排名 (Int, NA = no rank), code, 单位, 考核指标数, one count per status,
    达序时率 (fraction), 平均差距 (points), 说明, 上月排名, 排名升降 (Int, + = places
    gained), 上月平均差距 (points)."""
    r = unit_ranking_moves(child_rows(table, parent))
    if r.empty:
        return pd.DataFrame(columns=RANKING_COLUMNS)
    return pd.DataFrame({
        "排名": r["rank"], "code": r["org_unit_code"], "单位": r["org_unit_name"], "考核指标数": r["due"],
        "已完成": r["done"], "达序时": r["on_track"], "滞后": r["lagging"], "严重滞后": r["far_behind"],
        "未报送": r["missing"], "达序时率": r["on_track_share"], "平均差距": r["mean_gap_pp"],
        "说明": r["note"].fillna(""), "上月排名": r["rank_last"], "排名升降": r["rank_move"],
        "上月平均差距": r["mean_gap_pp_last"],
    })


def ranking_reason(ranking: pd.DataFrame) -> str | None:
    """Why ``district_ranking`` ranks nobody (``rules.ranking.no_ranking_reason``, as the
    slide and the notice say it), or None."""
    return no_ranking_reason(ranking.rename(columns={"排名": "rank", "说明": "note", "考核指标数": "due"}))


def ranking_display(ranking: pd.DataFrame) -> pd.DataFrame:
    """``district_ranking`` as a table shows it: 排名 as text (— without one), 排名升降
    (``↑1（上月第7名）``), shares in percent, the mean gap in points and 平均差距较上月."""
    moves = [cards.rank_move_text({"rank_move": m, "rank_last": last}) or "—"
             for m, last in zip(ranking["排名升降"], ranking["上月排名"])]
    gap_moves = [cards.points_change_text(now, last) or "—"
                 for now, last in zip(ranking["平均差距"], ranking["上月平均差距"])]
    shown = ranking.assign(
        排名=[str(int(r)) if pd.notna(r) else "—" for r in ranking["排名"]],
        达序时率=ranking["达序时率"].map(fmt_pct), 平均差距=ranking["平均差距"].map(fmt_pp))
    shown = shown.drop(columns=["排名升降"])
    shown.insert(shown.columns.get_loc("排名") + 1, "排名升降", moves)
    shown.insert(shown.columns.get_loc("平均差距") + 1, "平均差距较上月", gap_moves)
    return shown.drop(columns=["上月排名", "上月平均差距"])


def scorecard(table: pd.DataFrame, unit: str) -> pd.DataFrame:
    """One district's key indicators: 指标, 本期值, 目标, 完成率, 序时进度, 差距, 差距较上月, 同比,
    排名, 排名升降, 状态, 说明."""
    rows = unit_rows(table, unit)
    recs = rows.to_dict(orient="records")
    made = [card(r) for r in recs]
    return pd.DataFrame({
        "指标": rows["indicator_name"], "本期值": [cards.value_text(r) for r in recs],
        "目标": [cards.target_text(r) for r in recs], "完成率": [cards.completion_text(r) for r in recs],
        "序时进度": rows["expected"].map(fmt_pct), "差距": [cards.gap_text(r) for r in recs],
        "差距较上月": [c.gap_change or "—" for c in made],
        "同比": [c.yoy.removeprefix("同比 ") or "—" for c in made],
        "排名": [c.rank or "—" for c in made], "排名升降": [c.rank_move or "—" for c in made],
        "状态": rows["status"].map(status_badge), "说明": [table_notes(r) or c.note for r, c in zip(recs, made)], "status": rows["status"],
    }).reset_index(drop=True)


@dataclass(frozen=True)
class Overview:
    cards: pd.DataFrame
    counts: pd.DataFrame
    lagging: pd.DataFrame
    ranking: pd.DataFrame
    completeness: pd.DataFrame
    completeness_note: str
    ranking_reason: str | None = None  # why nobody is ranked (no targets this year, …)


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
    return frame, f"报送截止 {date_label(deadline)}；应报 = 本月到期且该单位须自行报送的指标。"


@dataclass(frozen=True)
class OverviewHead:
    """What 调度总览 draws before its first chart: the cards and the status counts."""
    cards: pd.DataFrame
    counts: pd.DataFrame


@dataclass(frozen=True)
class OverviewRest:
    """The rest of 调度总览: the lagging list, the ranking and completeness."""
    lagging: pd.DataFrame
    ranking: pd.DataFrame
    completeness: pd.DataFrame
    completeness_note: str
    ranking_reason: str | None = None


def overview_head(table: pd.DataFrame, unit: str | None) -> OverviewHead:
    unit = unit or top_unit(table)
    return OverviewHead(cards=headline_cards(table, unit), counts=status_counts(table, unit))


def overview_rest(con: Connection, table: pd.DataFrame, period: str, unit: str | None,
                  settings: Settings, now: dt.datetime) -> OverviewRest:
    unit = unit or top_unit(table)
    comp, note = completeness_for(con, table, period, unit, settings, now)
    ranking = district_ranking(table, unit)
    return OverviewRest(lagging=lagging_list(table, unit), ranking=ranking, completeness=comp,
                        completeness_note=note, ranking_reason=ranking_reason(ranking))


def overview(con: Connection, table: pd.DataFrame, period: str, unit: str | None,
             settings: Settings, now: dt.datetime) -> Overview:
    """The whole of 调度总览 (the page computes it in two parts, ``overview_head`` first,
    so its first chart is drawn before the rest is computed)."""
    head, rest = overview_head(table, unit), overview_rest(con, table, period, unit, settings, now)
    return Overview(cards=head.cards, counts=head.counts, lagging=rest.lagging, ranking=rest.ranking,
                    completeness=rest.completeness, completeness_note=rest.completeness_note,
                    ranking_reason=rest.ranking_reason)
