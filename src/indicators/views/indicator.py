"""指标详情: one indicator across units, its trend, ranking, provenance and definition."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators import cards, sentences
from indicators.cards import card
from indicators.db import catalog, observations
from indicators.db.connection import Connection
from indicators.dispatch import month_by_month, roll_up_as_of
from indicators.formatting import fmt_pct, fmt_value
from indicators.rules import periods, progress, ranking
from indicators.rules.month_change import RERANKED, rank_with_moves
from indicators.rules.projection import no_projection_reason
from indicators.safe_text import md_text
from indicators.rules.due import is_due
from indicators.theme import status_badge
from indicators.views.overview import headline_cards
from indicators.views.scope import PROVENANCE_LABELS, _key_rows, top_unit

# ---------------------------------------------------------------- indicator drill-down

def indicator_units(table: pd.DataFrame, code: str, parent: str | None = None,
                    rank_by: str | None = None) -> pd.DataFrame:
    """The indicator for the top unit's children (bar chart and ranking table), ranked by
    ``rank_by`` (``rules.ranking.MEASURES``; None: the default measure) in display order
    (ranked, then 未报送, then 未到期): unit, code, kind, value, value_text, target_text,
    completion, completion_text, progress, expected, expected_value, gap_pp, gap_text,
    yoy_text, status, badge, rank, rank_text, rank_move_text (排名升降), gap_change_text
    (差距较上月), partial_text, projection, projection_basis_text, no_projection (why none),
    provenance, batch_id."""
    top = parent or top_unit(table)
    rows = table[(table["indicator_code"] == code) & (table["parent_code"] == top)].copy()
    if rank_by is not None and not rows.empty:
        rows[RERANKED] = rank_with_moves(rows, rank_by)[RERANKED]
    rows = ranking.ranked_order(rows)
    recs = rows.to_dict(orient="records")
    made = [card(r) for r in recs]
    return pd.DataFrame({
        "unit": rows["org_unit_name"], "code": rows["org_unit_code"], "kind": rows["kind"], "value": rows["value"],
        "value_text": [cards.value_text(r) for r in recs], "target_text": [cards.target_text(r) for r in recs],
        "completion": rows["completion"], "completion_text": [cards.completion_text(r) for r in recs],
        "progress": rows["progress"], "expected": rows["expected"], "expected_value": rows["expected_value"],
        "gap_pp": rows["gap_pp"], "gap_text": [cards.gap_text(r) for r in recs],
        "yoy_text": [c.yoy.removeprefix("同比 ") or "—" for c in made],
        "status": rows["status"], "badge": rows["status"].map(status_badge),
        "rank": rows["rank"], "rank_text": [c.rank or ("未报送" if pd.isna(r["value"]) else "—")
                                            for c, r in zip(made, recs)],
        "rank_move_text": [c.rank_move or "—" for c in made], "gap_change_text": [c.gap_change or "—" for c in made],
        "partial_text": [c.partial for c in made], "projection": rows["projection"],
        "projection_basis_text": [sentences.projection_basis_text(r) for r in recs],
        "no_projection": [no_projection_reason(r["projection_none"], r["status"], r.get("missing_units"))
                          for r in recs],
        "provenance": rows["provenance"], "batch_id": rows["batch_id"],
    }).reset_index(drop=True)


def ranking_table(units: pd.DataFrame, unit_name: str, decimals: int = 2) -> pd.DataFrame:
    """``indicator_units`` as the page shows it; 预计全年 with its basis (``上年同期进度 83.0%``)."""
    out = pd.DataFrame({
        "排名": units["rank_text"], "单位": units["unit"], "本期值": units["value_text"], "目标": units["target_text"],
        "排名升降": units["rank_move_text"],
        "完成率": units["completion_text"], "序时进度": units["expected"].map(fmt_pct), "差距": units["gap_text"],
        "差距较上月": units["gap_change_text"], "同比": units["yoy_text"], "状态": units["badge"], "说明": units["partial_text"],
        "预计全年": [f"{fmt_value(v, unit_name, decimals)}（{basis}）" if pd.notna(v) else why
                     for v, why, basis in zip(units["projection"], units["no_projection"],
                                              units["projection_basis_text"])],
    })
    return out.drop(columns="说明") if not out["说明"].astype(bool).any() else out  # no empty column


def units_chartable(units: pd.DataFrame) -> bool:
    """Whether the by-unit chart has a bar to draw: some unit's progress (a ratio: its value
    against a 序时应达值)."""
    if units.empty:
        return False
    if (units["kind"] == "ratio").all():
        return bool((units["value"].notna() & units["expected_value"].notna()).any())
    return bool(units["progress"].notna().any())


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


def indicator_info(con: Connection, code: str) -> dict:
    inds = catalog.indicators(con)
    row = inds[inds["code"] == code]
    return {} if row.empty else {k: (None if pd.isna(v) else v) for k, v in row.iloc[0].items()}


def indicator_options(table: pd.DataFrame) -> pd.DataFrame:
    """code, name of the key indicators in display order."""
    rows = _key_rows(table).drop_duplicates("indicator_code").sort_values(["indicator_order", "indicator_code"])
    return rows[["indicator_code", "indicator_name"]].rename(columns={"indicator_code": "code", "indicator_name": "name"})


RANK_OPTIONS = ["default", *ranking.MEASURES]


def rank_option_label(option: str) -> str:
    """The ranking choice as the page words it."""
    return "默认：有目标按完成率，否则按数值" if option == "default" else f"按{ranking.MEASURE_LABELS[option]}"


def rank_measure(option: str | None) -> str | None:
    return None if option in (None, "default") else option


def department_names(con: Connection, codes: str | None) -> str | None:
    """'ZCFG；ZYPZ' → '政策法规与创新体系科、资源配置与管理科': a reader sees names, never codes
    (an unknown code is shown as it stands)."""
    if not codes:
        return None
    names = dict(zip(*catalog.departments(con)[["code", "name"]].T.values))
    parts = [p for p in re.split(r"[；;，,、\s]+", str(codes)) if p]
    return "、".join(names.get(p, p) for p in parts) or None


KIND_LABELS = {"cumulative": "累计值", "stock": "期末值", "ratio": "比率"}
FREQ_LABELS = {"monthly": "月度", "quarterly": "季度", "annual": "年度"}


TREND_COLUMNS = ["month", "label", "this_year", "last_year", "target_path", "target", "due", "partial"]


def indicator_trend(con: Connection, code: str, unit: str, period: str,
                    pacing: str = "last_year", counted: str = "pending") -> pd.DataFrame:
    """Monthly series for the trend chart of one indicator and unit, months 1..12 of the
    as-of year. Columns: month (1..12), label ('1月'), this_year (NaN after the as-of month
    or where not reported), last_year, target_path (the 序时 line: the value expected by that
    month), target (annual), due (bool: the indicator reports that month), partial (bool:
    this year's value is a roll-up with some units missing — exactly where that month's
    dispatch table says ``partial``: ``dispatch.month_by_month``). ``counted``
    (``Settings.review_counts``) picks the values as the dispatch table does."""
    year, month = periods.parse(period)
    inds = catalog.indicators(con)
    ind = inds[inds["code"] == code]
    months = pd.DataFrame({"month": range(1, 13), "label": [f"{m}月" for m in range(1, 13)]})
    if ind.empty:
        return months.assign(this_year=np.nan, last_year=np.nan, target_path=np.nan, target=np.nan, due=False,
                             partial=False)
    ind = ind.iloc[0]
    targets = catalog.current_targets(con, year)
    this, partial, last, ly_ends = _trend_values(con, inds, ind, unit, targets, year, month, counted)
    t = targets[(targets["indicator_code"] == code) & (targets["org_unit"] == unit)]
    # a 年内新增 target is an increase on last year-end: the level it means is B + I
    target = float(progress.target_level([ind["kind"]], [t["basis"].iloc[0]], [t["value"].iloc[0]],
                                         [ly_ends[0]]).iloc[0]) if not t.empty else np.nan
    path = _target_path(ind["kind"], target, t["milestones"].iloc[0] if not t.empty else None, last, ly_ends, pacing)
    due = [bool(is_due(ind["frequency"], m)) for m in range(1, 13)]
    out = months.assign(this_year=this, last_year=last, target_path=path, target=target, due=due, partial=partial)
    for col in ("this_year", "last_year", "target_path"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    return out[TREND_COLUMNS]


def _trend_values(con: Connection, inds: pd.DataFrame, ind: pd.Series, unit: str, targets: pd.DataFrame,
                  year: int, month: int, counted: str) -> tuple[list, list, list, tuple]:
    """This year's values and 部分汇总 flags month by month as each month's dispatch
    table has them, last year's values, and the two year-ends before (ly_end, ly2_end)."""
    code = ind["code"]
    codes = [code] + [c for c in (ind["numerator_code"], ind["denominator_code"]) if isinstance(c, str)]
    obs = observations.current_values(con, codes, periods.make(year - 2, 12), periods.make(year, 12), counted)
    if obs.empty:
        return [np.nan] * 12, [False] * 12, [np.nan] * 12, (np.nan, np.nan)
    units = catalog.org_units(con)
    inds = inds[inds["code"].isin(codes)]  # the roll-up of one indicator needs only it and its components
    this_year = _one_series(month_by_month(obs, units, inds, targets, year, month), code, unit)
    earlier = _one_series(roll_up_as_of(obs, units, inds, targets).astype({"period": object}), code, unit)["value"]
    this = [this_year["value"].get(periods.make(year, m), np.nan) for m in range(1, 13)]
    partial = [this_year["provenance"].get(periods.make(year, m)) == "partial" for m in range(1, 13)]
    last = [earlier.get(periods.make(year - 1, m), np.nan) for m in range(1, 13)]
    return this, partial, last, (earlier.get(periods.make(year - 1, 12), np.nan),
                                 earlier.get(periods.make(year - 2, 12), np.nan))


def _one_series(rolled: pd.DataFrame, code: str, unit: str) -> pd.DataFrame:
    return rolled[(rolled["indicator_code"] == code) & (rolled["org_unit"] == unit)].set_index("period")


def _target_path(kind: str, target: float, milestones, last: list, ly_ends: tuple, pacing: str) -> np.ndarray:
    """The 序时 line: the value expected by each month's end."""
    ly_end, ly2_end = ly_ends
    share = progress.last_year_share([kind] * 12, last, [ly_end] * 12, [ly2_end] * 12)
    exp = progress.expected_progress(pd.Series(range(1, 13)), [milestones] * 12, share, pacing)["expected"].to_numpy()
    if kind == "cumulative" or pd.isna(ly_end):
        return exp * target
    return ly_end + exp * (target - ly_end)  # levels move from last year's end toward the target


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
    rank_by: str | None = None  # the measure of the ranking table (None: the default)
    units_title: str = "各单位完成率与序时进度"


def indicator_detail_options(table: pd.DataFrame) -> pd.DataFrame:
    return indicator_options(table)


def _summary(head: pd.Series | None, info: dict) -> str:
    if head is None:
        return ""
    parts = []
    if head["status"] == "not_due":
        return "本期未到报送期（年度/季度指标在规定月份报送），不计入滞后。"
    if head["status"] == "no_target":
        return "该单位未设定本年度目标，只显示数值，不评价进度。"
    if head["status"] == "missing":
        return "本期应报未报。"
    if pd.notna(head["projection"]):
        reach = head["projection_reaches"]
        verdict = "，**可完成**全年目标" if reach is True else ("，**难以完成**全年目标" if reach is False else "")
        parts.append(f"{md_text(sentences.projection_text(head.to_dict()))}{verdict}。")
    else:
        why = no_projection_reason(head["projection_none"], head["status"], head.get("missing_units"))
        parts.append(f"预计全年：{md_text(why)}。")
    if isinstance(head["expected_basis"], str):
        parts.append(f"序时进度 {fmt_pct(head['expected'])}（{progress.BASIS_WORDS.get(head['expected_basis'], head['expected_basis'])}）。")
    rank = card(head).rank
    if rank:
        parts.append(f"在同级单位中{rank}。")
    return "".join(parts)


def _definition(info: dict) -> str:
    """Markdown of the indicator's definition; every field from the setup is text, not markup."""
    info = {k: md_text(v) if isinstance(v, str) else v for k, v in info.items()}
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


def indicator_detail(con: Connection, table: pd.DataFrame, code: str, period: str,
                     unit: str | None = None, pacing: str = "last_year", rank_by: str | None = None,
                     counted: str = "pending") -> IndicatorDetail:
    unit = unit or top_unit(table)
    info = indicator_info(con, code)
    info["support_departments"] = department_names(con, info.get("support_departments"))
    head = headline_row(table, code, unit)
    card = headline_cards(table[table["indicator_code"] == code], unit) if head is not None else headline_cards(table.iloc[0:0])
    units = indicator_units(table, code, unit, rank_by)
    dec = int(info["decimals"]) if info.get("decimals") is not None else 2
    return IndicatorDetail(
        code=code, name=info.get("name", code), unit=info.get("unit"), decimals=dec, kind=info.get("kind", ""),
        kind_text=f"{KIND_LABELS.get(info.get('kind'), '')} · {FREQ_LABELS.get(info.get('frequency'), '')}",
        source=info.get("source"), head=head, card=card, summary=_summary(head, info),
        trend=indicator_trend(con, code, unit, period, pacing, counted),
        units=units, ranking=ranking_table(units, info.get("unit"), dec),
        provenance=provenance_table(table, code, unit), definition=_definition(info), rank_by=rank_by,
        units_title="各单位数值与序时应达值" if info.get("kind") == "ratio" else "各单位完成进度与序时进度",
    )


