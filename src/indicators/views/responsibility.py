"""责任分解: the unit × indicator status matrix, views by department and leader, scorecards."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators import cards
from indicators.formatting import fmt_pct
from indicators.rules.month_change import RERANKED, rank_with_moves
from indicators.safe_text import html_text
from indicators.theme import STATUS_ORDER, status_badge
from indicators.views.overview import district_ranking, scorecard, status_counts, table_notes
from indicators.views.scope import BEHIND, _key_rows, top_unit, unit_rows

# ---------------------------------------------------------------- responsibility

def status_matrix(table: pd.DataFrame, parent: str | None = None) -> pd.DataFrame:
    """Long frame for the unit × indicator heatmap: the top unit and its children.
    Columns: unit, unit_label (a district's name with its 综合排名 and 排名升降 against
    last month, ``西城区<br>第6名 ↑1`` — ``district_ranking``, as the heat-map slides), indicator,
    status, badge, text (completion, '' without one), gap_pp, unit_order, indicator_order."""
    top = parent or top_unit(table)
    rows = _key_rows(table)
    rows = rows[(rows["org_unit_code"] == top) | (rows["parent_code"] == top)]
    rows = rows.sort_values(["level", "unit_order", "indicator_order"])
    # the completion where the card has one; a ratio shows its value (no percentage of a percentage)
    text = [cards.completion_text(r) if pd.notna(r["completion"]) else
            (cards.value_text(r) if r["kind"] == "ratio" and pd.notna(r["value"]) else "")
            for r in rows.to_dict(orient="records")]
    ranked = district_ranking(table, top)
    moves = {c: cards.rank_and_move(k, m) for c, k, m in zip(ranked["code"], ranked["排名"], ranked["排名升降"])}
    labels = [name + (f"<br>{moves[c]}" if moves.get(c) else "")
              for c, name in zip(rows["org_unit_code"], rows["org_unit_name"])]
    return pd.DataFrame({
        "unit": rows["org_unit_name"].to_numpy(), "unit_label": labels, "indicator": rows["indicator_name"].to_numpy(),
        "status": rows["status"].to_numpy(), "badge": rows["status"].map(status_badge).to_numpy(),
        "text": text, "gap_pp": rows["gap_pp"].to_numpy(), "unit_order": rows["level"].to_numpy() * 10_000 + rows["unit_order"].to_numpy(),
        "indicator_order": rows["indicator_order"].to_numpy(),
    })


MATRIX_ROWS = 25  # indicators the heatmap shows at once: what fits a 1080-pixel screen


@dataclass(frozen=True)
class MatrixPage:
    matrix: pd.DataFrame  # ``status_matrix`` rows of the page's indicators, indicator_order = the order drawn
    first: int  # 1-based number of the first indicator shown
    last: int
    total: int  # indicators in the matrix
    pages: int


def matrix_page(matrix: pd.DataFrame, page: int = 1, per_page: int = MATRIX_ROWS) -> MatrixPage:
    """The indicators of ``status_matrix`` that fit one screen. When all fit, all of them in
    their order; else the most behind first — most units 滞后 or 严重滞后, then the worst
    gap, then their order — and ``page`` (1-based; out of range = the nearest) of them."""
    inds = matrix.drop_duplicates("indicator").sort_values("indicator_order")["indicator"].tolist()
    total = len(inds)
    if total <= per_page:
        return MatrixPage(matrix, 1 if total else 0, total, total, 1)
    per = matrix.assign(behind=matrix["status"].isin(BEHIND)).groupby("indicator", sort=False).agg(
        behind=("behind", "sum"), worst=("gap_pp", "min"), order=("indicator_order", "min"))
    per = per.sort_values(["behind", "worst", "order"], ascending=[False, True, True], na_position="last")
    pages = -(-total // per_page)
    page = min(max(page, 1), pages)
    chosen = per.index[(page - 1) * per_page: page * per_page]
    rank = {ind: i for i, ind in enumerate(chosen)}
    part = matrix[matrix["indicator"].isin(list(chosen))]
    part = part.assign(indicator_order=part["indicator"].map(rank).to_numpy())
    return MatrixPage(part.reset_index(drop=True), (page - 1) * per_page + 1, (page - 1) * per_page + len(chosen),
                      total, pages)


def by_owner(table: pd.DataFrame, column: str, unit: str | None = None) -> pd.DataFrame:
    """Key indicators of ``unit`` grouped by ``column`` (``lead_department`` or ``leader``):
    负责 (the owner), 指标, 本期值, 完成率, 序时进度, 差距, 状态, status."""
    if column not in ("lead_department", "leader"):
        raise ValueError(column)
    rows = unit_rows(table, unit).copy()
    rows[column] = rows[column].fillna("（未分配）")
    rows = rows.sort_values([column, "indicator_order"])
    recs = rows.to_dict(orient="records")
    return pd.DataFrame({
        "负责": rows[column],
        "指标": rows["indicator_name"],
        "本期值": [cards.value_text(r) for r in recs],
        "完成率": [cards.completion_text(r) for r in recs], "序时进度": rows["expected"].map(fmt_pct),
        "差距": [cards.gap_text(r) for r in recs], "状态": rows["status"].map(status_badge),
        "说明": [table_notes(r) for r in recs], "status": rows["status"],
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


def district_choices(table: pd.DataFrame, unit: str | None = None) -> pd.DataFrame:
    """The children of ``unit`` a scorecard can be opened for: code, name, in ranking order.
    (责任分解 takes this and ``status_matrix`` on their own: the heatmap is drawn before
    anything else is computed.)"""
    ranking = district_ranking(table, unit or top_unit(table))
    return ranking[["code", "单位"]].rename(columns={"单位": "name"}) if not ranking.empty \
        else pd.DataFrame(columns=["code", "name"])


@dataclass(frozen=True)
class Scorecard:
    code: str
    name: str
    rank: int | None
    rank_of: int
    counts: pd.DataFrame
    table: pd.DataFrame
    note: str = ""  # why there is no rank (未报送 / 本月无应报指标)

    @property
    def headline_html(self) -> str:
        from indicators.theme import STATUS_MARKS  # noqa: F401 - labels come via status_badge
        parts = [f'<span style="font-size:1.25rem;font-weight:700">{html_text(self.name)}</span>']
        if self.rank:
            parts.append(f'<span style="margin-left:12px">综合排名 第 <b>{self.rank}</b>/{self.rank_of} 名</span>')
        elif self.note:
            parts.append(f'<span style="margin-left:12px">综合排名 —（{self.note}）</span>')
        for c in self.counts[self.counts["count"] > 0].itertuples(index=False):
            parts.append(f'<span style="margin-left:12px;white-space:nowrap">'
                         f'<span style="color:{c.color};font-weight:700">{html_text(c.badge)}</span> {c.count} 项</span>')
        return '<div style="margin:6px 0 10px 0">' + "".join(parts) + "</div>"


def district_scorecard(table: pd.DataFrame, code: str, parent: str | None = None,
                       rank_by: str | None = None) -> Scorecard:
    """One district's scorecard; each indicator's rank among its siblings by ``rank_by``
    (``rules.ranking.MEASURES``; None: the table's default measure). The 综合排名 is the
    district ranking of 调度总览, whatever the measure."""
    if rank_by is not None:
        table = table.copy()
        table[RERANKED] = rank_with_moves(table, rank_by)[RERANKED]
    ranking = district_ranking(table, parent)
    row = ranking[ranking["code"] == code]
    rows = unit_rows(table, code)
    name = rows["org_unit_name"].iloc[0] if not rows.empty else (row["单位"].iloc[0] if not row.empty else code)
    rank = row["排名"].iloc[0] if not row.empty else None
    ranked = int(ranking["排名"].notna().sum())
    return Scorecard(code=code, name=name, rank=None if rank is None or pd.isna(rank) else int(rank),
                     rank_of=ranked, counts=status_counts(table, code), table=scorecard(table, code),
                     note=row["说明"].iloc[0] if not row.empty else "")
