"""Page data for the dispatch pages: small DataFrame-in/DataFrame-out functions over the
dispatch table (see ``indicators.dispatch`` for its columns), plus a few reads.

Every function returns display-ready columns with Chinese headers where the page shows
the frame as it is, and keeps the raw ``status`` next to the label so tables and charts
colour the same way. No streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from indicators import catalog, periods, progress
from indicators.formatting import fmt_pct, fmt_pp, fmt_value, fmt_yoy, month_label  # noqa: F401 (pages use them)
from indicators.rollup import roll_up
from indicators.theme import STATUS_COLORS, STATUS_ORDER, status_badge, status_label

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


# ---------------------------------------------------------------- responsibility

def status_matrix(table: pd.DataFrame, parent: str | None = None) -> pd.DataFrame:
    """Long frame for the unit × indicator heatmap: the top unit and its children.
    Columns: unit, indicator, status, badge, text (completion, '' without one), gap_pp,
    unit_order, indicator_order."""
    top = parent or top_unit(table)
    rows = _key_rows(table)
    rows = rows[(rows["org_unit_code"] == top) | (rows["parent_code"] == top)]
    rows = rows.sort_values(["level", "unit_order", "indicator_order"])
    text = [fmt_pct(c) if pd.notna(c) else "" for c in rows["completion"]]
    return pd.DataFrame({
        "unit": rows["org_unit_name"].to_numpy(), "indicator": rows["indicator_name"].to_numpy(),
        "status": rows["status"].to_numpy(), "badge": rows["status"].map(status_badge).to_numpy(),
        "text": text, "gap_pp": rows["gap_pp"].to_numpy(), "unit_order": rows["level"].to_numpy() * 10_000 + rows["unit_order"].to_numpy(),
        "indicator_order": rows["indicator_order"].to_numpy(),
    })


def by_owner(table: pd.DataFrame, column: str, unit: str | None = None) -> pd.DataFrame:
    """Key indicators of ``unit`` grouped by ``column`` (``lead_department`` or ``leader``):
    负责 (the owner), 指标, 本期值, 完成率, 序时进度, 差距, 状态, status."""
    if column not in ("lead_department", "leader"):
        raise ValueError(column)
    rows = unit_rows(table, unit).copy()
    rows[column] = rows[column].fillna("（未分配）")
    rows = rows.sort_values([column, "indicator_order"])
    return pd.DataFrame({
        "负责": rows[column],
        "指标": rows["indicator_name"],
        "本期值": [fmt_value(v, u, d) for v, u, d in zip(rows["value"], rows["unit"], rows["decimals"])],
        "完成率": rows["completion"].map(fmt_pct), "序时进度": rows["expected"].map(fmt_pct),
        "差距": rows["gap_pp"].map(fmt_pp), "状态": rows["status"].map(status_badge),
        "status": rows["status"],
    }).reset_index(drop=True)


def owner_summary(table: pd.DataFrame, column: str, unit: str | None = None) -> pd.DataFrame:
    """Per owner: 负责, 指标数, then a count per status label present; sorted so the
    owners with most indicators behind come first."""
    detail = by_owner(table, column, unit)
    if detail.empty:
        return pd.DataFrame(columns=["负责", "指标数"])
    counts = pd.crosstab(detail["负责"], detail["status"])
    out = pd.DataFrame({"负责": counts.index, "指标数": counts.sum(axis=1).to_numpy()})
    for s in STATUS_ORDER:
        if s in counts:
            out[status_badge(s)] = counts[s].to_numpy()
    behind = sum(counts[s] for s in BEHIND if s in counts) if any(s in counts for s in BEHIND) else 0
    out["_behind"] = np.asarray(behind) if not np.isscalar(behind) else 0
    return out.sort_values(["_behind", "负责"], ascending=[False, True]).drop(columns="_behind").reset_index(drop=True)


# ---------------------------------------------------------------- indicator drill-down

def indicator_units(table: pd.DataFrame, code: str, parent: str | None = None) -> pd.DataFrame:
    """The indicator for the top unit's children (bar chart and ranking table):
    unit, value, value_text, target_text, completion, expected, gap_pp, status, badge,
    rank, provenance, batch_id, sorted by rank."""
    top = parent or top_unit(table)
    rows = table[(table["indicator_code"] == code) & (table["parent_code"] == top)]
    rows = rows.sort_values(["rank", "unit_order"], na_position="last")
    return pd.DataFrame({
        "unit": rows["org_unit_name"], "code": rows["org_unit_code"], "value": rows["value"],
        "value_text": [fmt_value(v, u, d) for v, u, d in zip(rows["value"], rows["unit"], rows["decimals"])],
        "target_text": [fmt_value(v, u, d) for v, u, d in zip(rows["target"], rows["unit"], rows["decimals"])],
        "completion": rows["completion"], "expected": rows["expected"], "gap_pp": rows["gap_pp"],
        "status": rows["status"], "badge": rows["status"].map(status_badge),
        "rank": rows["rank"], "projection": rows["projection"], "provenance": rows["provenance"],
        "batch_id": rows["batch_id"],
    }).reset_index(drop=True)


def ranking_table(units: pd.DataFrame, unit_name: str, decimals: int = 2) -> pd.DataFrame:
    """``indicator_units`` as the page shows it."""
    return pd.DataFrame({
        "排名": [str(int(r)) if pd.notna(r) else "—" for r in units["rank"]],
        "单位": units["unit"], "本期值": units["value_text"], "目标": units["target_text"],
        "完成率": units["completion"].map(fmt_pct), "序时进度": units["expected"].map(fmt_pct),
        "差距": units["gap_pp"].map(fmt_pp), "状态": units["badge"],
        "预计全年": [fmt_value(v, unit_name, decimals) for v in units["projection"]],
    })


def provenance_table(table: pd.DataFrame, code: str, parent: str | None = None) -> pd.DataFrame:
    """Where each number of the indicator comes from: 单位, 数值所属期, 本期值, 来源, 批次."""
    top = parent or top_unit(table)
    rows = table[(table["indicator_code"] == code) & ((table["org_unit_code"] == top) | (table["parent_code"] == top))]
    rows = rows.sort_values(["level", "unit_order"])
    return pd.DataFrame({
        "单位": rows["org_unit_name"],
        "数值所属期": [periods.label(p) if isinstance(p, str) else "—" for p in rows["value_period"]],
        "本期值": [fmt_value(v, u, d) for v, u, d in zip(rows["value"], rows["unit"], rows["decimals"])],
        "来源": [PROVENANCE_LABELS.get(p, "无数据") if isinstance(p, str) else "无数据" for p in rows["provenance"]],
        "批次": [f"#{int(b)}" if pd.notna(b) else "—" for b in rows["batch_id"]],
    }).reset_index(drop=True)


def headline_row(table: pd.DataFrame, code: str, unit: str | None = None) -> pd.Series | None:
    unit = unit or top_unit(table)
    rows = table[(table["indicator_code"] == code) & (table["org_unit_code"] == unit)]
    return None if rows.empty else rows.iloc[0]


def indicator_info(con: duckdb.DuckDBPyConnection, code: str) -> dict:
    inds = catalog.indicators(con)
    row = inds[inds["code"] == code]
    return {} if row.empty else {k: (None if pd.isna(v) else v) for k, v in row.iloc[0].items()}


def indicator_options(table: pd.DataFrame) -> pd.DataFrame:
    """code, name of the key indicators in display order."""
    rows = _key_rows(table).drop_duplicates("indicator_code").sort_values(["indicator_order", "indicator_code"])
    return rows[["indicator_code", "indicator_name"]].rename(columns={"indicator_code": "code", "indicator_name": "name"})


KIND_LABELS = {"cumulative": "累计值", "stock": "期末值", "ratio": "比率"}
FREQ_LABELS = {"monthly": "月度", "quarterly": "季度", "annual": "年度"}


def _observations(con: duckdb.DuckDBPyConnection, codes: list[str], first: str, last: str) -> pd.DataFrame:
    cur = con.cursor()
    try:
        return cur.execute(
            """SELECT indicator_code, org_unit, period, value, batch_id FROM current_observation
               WHERE list_contains(?, indicator_code) AND period BETWEEN ? AND ?""",
            [codes, first, last],
        ).df()
    finally:
        cur.close()


def indicator_trend(con: duckdb.DuckDBPyConnection, code: str, unit: str, period: str,
                    pacing: str = "last_year") -> pd.DataFrame:
    """Monthly series for the trend chart of one indicator and unit, months 1..12 of the
    as-of year. Columns: month (1..12), label ('1月'), this_year (NaN after the as-of month
    or where not reported), last_year, target_path (the 序时 line: the value expected by that
    month), target (annual), due (bool: the indicator reports that month), partial (bool:
    this year's value is a roll-up with some units missing)."""
    year, month = periods.parse(period)
    inds = catalog.indicators(con)
    ind = inds[inds["code"] == code]
    months = pd.DataFrame({"month": range(1, 13), "label": [f"{m}月" for m in range(1, 13)]})
    if ind.empty:
        return months.assign(this_year=np.nan, last_year=np.nan, target_path=np.nan, target=np.nan, due=False,
                             partial=False)
    ind = ind.iloc[0]
    codes = [code] + [c for c in (ind["numerator_code"], ind["denominator_code"]) if isinstance(c, str)]
    obs = _observations(con, codes, periods.make(year - 2, 12), periods.make(year, 12))
    units = catalog.org_units(con)
    rolled = roll_up(obs, units, inds) if not obs.empty else obs.assign(provenance=None)
    series = rolled[(rolled["indicator_code"] == code) & (rolled["org_unit"] == unit)].set_index("period")["value"]
    this = [series.get(periods.make(year, m), np.nan) if m <= month else np.nan for m in range(1, 13)]
    prov = rolled[(rolled["indicator_code"] == code) & (rolled["org_unit"] == unit)].set_index("period")["provenance"]
    partial = [m <= month and prov.get(periods.make(year, m)) == "partial" for m in range(1, 13)]
    last = [series.get(periods.make(year - 1, m), np.nan) for m in range(1, 13)]
    step = periods.FREQ_STEP[ind["frequency"]]
    due = [m % step == 0 for m in range(1, 13)]
    targets = catalog.current_targets(con, year)
    t = targets[(targets["indicator_code"] == code) & (targets["org_unit"] == unit)]
    target = float(t["value"].iloc[0]) if not t.empty else np.nan
    milestones = t["milestones"].iloc[0] if not t.empty else None
    ly_end = series.get(periods.make(year - 1, 12), np.nan)
    ly2_end = series.get(periods.make(year - 2, 12), np.nan)
    share = progress.last_year_share([ind["kind"]] * 12, last, [ly_end] * 12, [ly2_end] * 12)
    exp = progress.expected_progress(pd.Series(range(1, 13)), [milestones] * 12, share, pacing)["expected"].to_numpy()
    if ind["kind"] == "cumulative" or pd.isna(ly_end):
        path = exp * target
    else:  # levels move from last year's end toward the target
        path = ly_end + exp * (target - ly_end)
    out = months.assign(this_year=this, last_year=last, target_path=path, target=target, due=due, partial=partial)
    for col in ("this_year", "last_year", "target_path"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    return out


def reporting_completeness(table: pd.DataFrame, parent: str | None = None) -> pd.DataFrame:
    """Fallback completeness from the dispatch table: per child unit of ``parent``, how many
    due values (status not 未到期) were reported by that unit itself. Columns: 单位, 应报,
    已报, 未报, 报送率 (text), 未报指标."""
    rows = child_rows(table, parent)
    due = rows[rows["status"] != "not_due"]
    if due.empty:
        return pd.DataFrame(columns=["单位", "应报", "已报", "未报", "报送率", "未报指标"])
    out = []
    for (code, name), g in due.groupby(["org_unit_code", "org_unit_name"], sort=False):
        missing = g[g["status"] == "missing"]
        n, k = len(g), len(g) - len(missing)
        out.append({"单位": name, "应报": n, "已报": k, "未报": len(missing), "报送率": fmt_pct(k / n if n else np.nan),
                    "未报指标": "、".join(missing["indicator_name"]) or "—"})
    return pd.DataFrame(out)


# ---------------------------------------------------------------- whole pages

@dataclass(frozen=True)
class Overview:
    cards: pd.DataFrame
    counts: pd.DataFrame
    lagging: pd.DataFrame
    ranking: pd.DataFrame
    completeness: pd.DataFrame
    completeness_note: str


def completeness_for(con: duckdb.DuckDBPyConnection, table: pd.DataFrame, period: str,
                     parent: str | None = None, settings=None) -> tuple[pd.DataFrame, str]:
    """Reporting completeness of the month per unit: ``indicators.completeness`` (with
    timeliness against the deadline) when available, else a count from the dispatch table.
    Columns: 单位, 应报, 已报, 未报, 报送率, 报送情况 / 未报指标."""
    try:
        from indicators import completeness as comp
    except ImportError:  # pragma: no cover - the module ships with the app
        comp = None
    if comp is not None:
        detail = comp.completeness(con, period, settings=settings)
        if detail.empty:
            return pd.DataFrame(columns=["单位", "应报", "已报", "未报", "报送率", "报送情况", "未报指标"]), \
                "本月没有应报的指标。"
        summary = comp.unit_summary(detail)
        chase = comp.chase_list(detail).set_index("org_unit")["indicators"] if (~detail["reported"].astype(bool)).any() \
            else pd.Series(dtype=object)
        if parent is not None:
            scope = set(table.loc[(table["org_unit_code"] == parent) | (table["parent_code"] == parent), "org_unit_code"])
            if scope:
                summary = summary[summary["org_unit"].isin(scope)]
        deadline = comp.deadline(period, settings)
        return pd.DataFrame({
            "单位": summary["org_unit_name"], "应报": summary["expected"], "已报": summary["reported"],
            "未报": summary["missing"], "报送率": summary["rate"].map(fmt_pct),
            "报送情况": summary["timeliness"], "未报指标": summary["org_unit"].map(chase).astype(object).fillna("—"),
        }).reset_index(drop=True), f"报送截止 {deadline.year}年{deadline.month}月{deadline.day}日；应报 = 本月到期且该单位有目标的指标。"
    return reporting_completeness(table, parent), "应报 = 本期已到报送期的重点指标；已报 = 该单位本期有数值。"


def overview(con: duckdb.DuckDBPyConnection, table: pd.DataFrame, period: str, unit: str | None = None,
             settings=None) -> Overview:
    unit = unit or top_unit(table)
    comp, note = completeness_for(con, table, period, unit, settings)
    return Overview(
        cards=headline_cards(table, unit), counts=status_counts(table, unit),
        lagging=lagging_list(table, unit), ranking=district_ranking(table, unit),
        completeness=comp, completeness_note=note,
    )


@dataclass(frozen=True)
class IndicatorDetail:
    code: str
    name: str
    unit: str | None
    decimals: int
    kind: str
    kind_text: str
    source: str | None
    head: pd.Series | None  # the dispatch row of the selected unit
    card: pd.DataFrame
    summary: str  # one line: projection and status in words
    trend: pd.DataFrame
    units: pd.DataFrame
    ranking: pd.DataFrame
    provenance: pd.DataFrame
    definition: str  # markdown


def indicator_detail_options(table: pd.DataFrame) -> pd.DataFrame:
    return indicator_options(table)


def _summary(head: pd.Series | None, info: dict) -> str:
    if head is None:
        return ""
    parts = []
    unit, dec = info.get("unit"), int(info["decimals"]) if info.get("decimals") is not None else 2
    if head["status"] == "not_due":
        return "本期未到报送期（年度/季度指标在规定月份报送），不计入滞后。"
    if head["status"] == "no_target":
        return "该单位未设定本年度目标，只显示数值，不评价进度。"
    if head["status"] == "missing":
        return "本期应报未报。"
    if pd.notna(head["projection"]):
        reach = head["projection_reaches"]
        verdict = "，**可完成**全年目标" if reach is True else ("，**难以完成**全年目标" if reach is False else "")
        parts.append(f"按去年同期进度推算，预计全年 **{fmt_value(head['projection'], unit, dec)}**{verdict}。")
    basis = {"milestone": "按目标月度节点", "last_year": "按上年同期进度", "linear": "按时间进度（月数/12）"}
    if isinstance(head["expected_basis"], str):
        parts.append(f"序时进度 {fmt_pct(head['expected'])}（{basis.get(head['expected_basis'], head['expected_basis'])}）。")
    if pd.notna(head.get("rank")) and pd.notna(head.get("rank_of")):
        parts.append(f"在同级单位中排第 {int(head['rank'])}/{int(head['rank_of'])} 名。")
    return "".join(parts)


def _definition(info: dict) -> str:
    lines = [
        f"- **指标代码**：{info.get('code')}",
        f"- **类型**：{KIND_LABELS.get(info.get('kind'), info.get('kind'))}；**频度**：{FREQ_LABELS.get(info.get('frequency'), info.get('frequency'))}；"
        f"**方向**：{'越低越好' if info.get('direction') == 'lower' else '越高越好'}；**计量单位**：{info.get('unit') or '—'}",
        f"- **口径说明**：{info.get('description') or '（未填写）'}",
        f"- **数据来源**：{info.get('source') or '（未填写）'}",
        f"- **牵头科室**：{info.get('lead_department') or '—'}；**分管领导**：{info.get('leader') or '—'}"
        + (f"；**配合科室**：{info['support_departments']}" if info.get("support_departments") else ""),
    ]
    if info.get("numerator_code"):
        lines.append(f"- **计算方法**：{info['numerator_code']} ÷ {info['denominator_code']} × {info.get('factor') or 1:g}，"
                     "各级均按分子分母汇总后计算，不对下级比率取平均。")
    return "\n".join(lines)


def indicator_detail(con: duckdb.DuckDBPyConnection, table: pd.DataFrame, code: str, period: str,
                     unit: str | None = None, pacing: str = "last_year") -> IndicatorDetail:
    unit = unit or top_unit(table)
    info = indicator_info(con, code)
    head = headline_row(table, code, unit)
    card = headline_cards(table[table["indicator_code"] == code], unit) if head is not None else headline_cards(table.iloc[0:0])
    units = indicator_units(table, code, unit)
    dec = int(info["decimals"]) if info.get("decimals") is not None else 2
    return IndicatorDetail(
        code=code, name=info.get("name", code), unit=info.get("unit"), decimals=dec, kind=info.get("kind", ""),
        kind_text=f"{KIND_LABELS.get(info.get('kind'), '')} · {FREQ_LABELS.get(info.get('frequency'), '')}",
        source=info.get("source"), head=head, card=card, summary=_summary(head, info),
        trend=indicator_trend(con, code, unit, period, pacing),
        units=units, ranking=ranking_table(units, info.get("unit"), dec),
        provenance=provenance_table(table, code, unit), definition=_definition(info),
    )


@dataclass(frozen=True)
class Responsibility:
    matrix: pd.DataFrame
    dep_summary: pd.DataFrame
    by_department: pd.DataFrame
    leader_summary: pd.DataFrame
    by_leader: pd.DataFrame
    districts: pd.DataFrame  # code, name of the children, in ranking order


def responsibility(table: pd.DataFrame, unit: str | None = None) -> Responsibility:
    unit = unit or top_unit(table)
    ranking = district_ranking(table, unit)
    return Responsibility(
        matrix=status_matrix(table, unit),
        dep_summary=owner_summary(table, "lead_department", unit), by_department=by_owner(table, "lead_department", unit),
        leader_summary=owner_summary(table, "leader", unit), by_leader=by_owner(table, "leader", unit),
        districts=ranking[["code", "单位"]].rename(columns={"单位": "name"}) if not ranking.empty
        else pd.DataFrame(columns=["code", "name"]),
    )


@dataclass(frozen=True)
class Scorecard:
    code: str
    name: str
    rank: int | None
    rank_of: int
    counts: pd.DataFrame
    table: pd.DataFrame

    @property
    def headline_html(self) -> str:
        from indicators.theme import STATUS_MARKS  # noqa: F401 - labels come via status_badge
        parts = [f'<span style="font-size:1.25rem;font-weight:700">{self.name}</span>']
        if self.rank:
            parts.append(f'<span style="margin-left:12px">综合排名 第 <b>{self.rank}</b>/{self.rank_of} 名</span>')
        for c in self.counts[self.counts["count"] > 0].itertuples(index=False):
            parts.append(f'<span style="margin-left:12px;white-space:nowrap">'
                         f'<span style="color:{c.color};font-weight:700">{c.badge}</span> {c.count} 项</span>')
        return '<div style="margin:6px 0 10px 0">' + "".join(parts) + "</div>"


def district_scorecard(table: pd.DataFrame, code: str, parent: str | None = None) -> Scorecard:
    ranking = district_ranking(table, parent)
    row = ranking[ranking["code"] == code]
    rows = unit_rows(table, code)
    name = rows["org_unit_name"].iloc[0] if not rows.empty else (row["单位"].iloc[0] if not row.empty else code)
    return Scorecard(code=code, name=name, rank=int(row["排名"].iloc[0]) if not row.empty else None,
                     rank_of=len(ranking), counts=status_counts(table, code), table=scorecard(table, code))
