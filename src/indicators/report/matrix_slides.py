"""The deck's 各区县完成情况 slides: indicators × districts, each cell the completion
coloured by its status. They use the deck's frame (``pptx_deck._Deck.new_slide``); a city
with more units than fit the section's budget (``deck_budget``) shows those with the most
lagging indicators and says how many are left out."""

from __future__ import annotations

import pandas as pd
from pptx.enum.text import PP_ALIGN
from pptx.util import Emu, Inches

from indicators import cards
from indicators.report import deck_budget as budget
from indicators.report import slide_kit as kit
from indicators.theme import MUTED_COLOR, status_badge

MATRIX_ROWS_PER_SLIDE = 11
MATRIX_MAX_UNITS = 10


def matrix_slides(deck) -> None:
    """Indicators × districts, each cell the completion coloured by its status."""
    from indicators.report.pptx_deck import CONTENT_W, MARGIN, TABLE_TOP, _legend_runs
    s = deck.s
    kids = s.children
    units = (kids[["org_unit_code", "org_unit_name", "unit_order"]].drop_duplicates("org_unit_code")
             .sort_values("unit_order"))
    inds = kids[kids["status"] != "not_due"][["indicator_code", "indicator_name", "indicator_order"]]
    inds = inds.drop_duplicates("indicator_code").sort_values("indicator_order")
    fits_rows = MATRIX_ROWS_PER_SLIDE * budget.SLIDES["matrix"]  # 44 indicators fill the budget with one unit chunk
    inds_left = max(0, len(inds) - fits_rows)
    if inds_left:  # the most behind (the charts' rule), in display order
        inds = inds[inds["indicator_code"].isin(budget.most_behind(s, inds["indicator_code"].tolist())[:fits_rows])]
    ind_chunks = [inds.iloc[i:i + MATRIX_ROWS_PER_SLIDE] for i in range(0, len(inds), MATRIX_ROWS_PER_SLIDE)]
    fits = MATRIX_MAX_UNITS * max(1, budget.SLIDES["matrix"] // max(1, len(ind_chunks)))
    units, left = budget.matrix_units(kids, units, fits)
    shown = kids[kids["indicator_code"].isin(inds["indicator_code"]) & kids["org_unit_code"].isin(units["org_unit_code"])]
    cell = {(r["indicator_code"], r["org_unit_code"]): r for r in shown.to_dict(orient="records")}
    kicker = ([("单元格为完成率（比率、无目标的为本期值），颜色为状态：", 13, {"color": MUTED_COLOR})]
              + _legend_runs(["done", "on_track", "lagging", "far_behind", "missing"], 13)
              + [(f"· 数据截至{s.period_label}", 13, {"color": MUTED_COLOR})])
    cut = []  # said in the title (the kicker's line is full); the 附 slide counts the rest
    if inds_left:
        deck.left.append(budget.Left("各区县完成情况（指标）", inds_left, f"{budget.XLSX}各单位表"))
        cut.append(f"差距最大的{len(inds)}项指标")
    if left:
        deck.left.append(budget.Left("各区县完成情况", left, f"{budget.XLSX}各单位表", unit="个单位"))
        cut.append(f"滞后最多的{len(units)}个单位")
    unit_chunks = [units.iloc[i:i + MATRIX_MAX_UNITS] for i in range(0, len(units), MATRIX_MAX_UNITS)]
    total = len(unit_chunks) * len(ind_chunks)
    n = 0
    for uc in unit_chunks:
        for ic in ind_chunks:
            n += 1
            slide = deck.new_slide(f"各区县完成情况{f'（{n}/{total}）' if total > 1 else ''}"
                                   + (f"：{'、'.join(cut)}" if cut else ""), kicker)
            rows, styles = _cells(ic, uc, cell)
            rows.append(_ranking_row(uc, s.ranking))
            width = min(CONTENT_W, Inches(3.4) + Inches(1.15) * len(uc))
            kit.table(slide, MARGIN, TABLE_TOP, width, ["指标"] + uc["org_unit_name"].tolist(), rows,
                      [3.4] + [1.15] * len(uc), row_height=Emu(370000), font_size=11, cell_styles=styles,
                      align={j + 1: PP_ALIGN.CENTER for j in range(len(uc))})


def _cells(ic: pd.DataFrame, uc: pd.DataFrame, cell: dict) -> tuple[list[list[str]], dict]:
    """One slide's rows (an indicator each, a unit per column) and their status colours."""
    rows, styles = [], {}
    for i, ind in enumerate(ic.itertuples(index=False)):
        row = [ind.indicator_name]
        for j, u in enumerate(uc.itertuples(index=False)):
            r = cell.get((ind.indicator_code, u.org_unit_code))
            if r is None:
                row.append("—")
                continue
            st = r["status"]
            shown = cards.completion_text(r) if pd.notna(r["completion"]) else cards.value_text(r)
            row.append(shown if st not in ("missing", "not_due") else status_badge(st).split(" ", 1)[-1])
            if st != "no_target":
                styles[(i, j + 1)] = kit.status_fill(st)
        rows.append(row)
    return rows, styles


RANKING_LABEL = "综合排名（升降较上月）"


def _ranking_row(uc: pd.DataFrame, ranking: pd.DataFrame) -> list[str]:
    """The last row: each unit's 综合排名 and 排名升降 (``summary.ranking``, the overview
    slide's and the page's rule) in the heat maps' words: ``第6名 ↑1``; — unranked."""
    by_code = {r["org_unit_code"]: cards.rank_and_move(r["rank"], r["rank_move"])
               for r in ranking.to_dict(orient="records")}
    return [RANKING_LABEL] + [by_code.get(code) or "—" for code in uc["org_unit_code"]]
