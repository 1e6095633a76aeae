"""The one-page A3 简报: the key numbers, the lagging list and two charts on one sheet —
what a leader takes into the meeting. Built as one A3 landscape slide with the deck's
own parts (``slide_kit``, ``slide_chart``: status tiles' colours, native tables and completion charts) and
turned into a PDF by LibreOffice (``report.pdf``, the one way this product makes PDFs).
"""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
from pptx import Presentation
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Cm, Emu

from indicators import cards
from indicators.formatting import date_label, fmt_pct
from indicators.report import slide_chart
from indicators.report import slide_kit as kit
from indicators.report import status_tiles as tiles
from indicators.report.notice import headline
from indicators.report.pptx_deck import RANKING_ROWS, RANKING_WIDTHS
from indicators.report.summary import Summary, unit_categories
from indicators.rules.ranking import no_ranking_reason
from indicators.theme import MUTED_COLOR, PRIMARY, TEXT_COLOR, status_badge

A3_W, A3_H = Cm(42), Cm(29.7)
EDGE = Cm(1.4)
COL_GAP = Cm(0.8)
LEFT_W = Cm(19.6)
RIGHT_W = A3_W - 2 * EDGE - LEFT_W - COL_GAP
BODY_TOP = Cm(8.2)
TABLE_MAX_H = Cm(19.4)
ROW_H = Emu(330000)
BRIEF_TILE = tiles.TileLayout(height=Cm(2.5), stripe=Cm(0.22), count_box=(Cm(0.3), Cm(1.3)), count_size=34,
                              label_box=(Cm(1.6), Cm(0.8)))
LAG_HEADER = ["指标", "完成率", "序时进度", "差距", "状态", "牵头科室", "滞后区县"]
LAG_WIDTHS = [3.0, 1.1, 1.1, 1.9, 1.3, 2.0, 2.1]
RANK_ROW_H = Emu(280000)  # one line of 10 pt: the ranking's rows never wrap


def build_brief(summary: Summary, *, issued: date) -> bytes:
    """The 简报 as a one-slide A3 PPTX (``report.render(summary, "brief")`` makes the PDF)."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = A3_W, A3_H
    kit.apply_theme_fonts(prs)
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _masthead(slide, summary, issued)
    _key_numbers(slide, summary)
    _district_ranking(slide, summary, _lagging_table(slide, summary) + Cm(0.6))
    for i, code in enumerate(chart_codes(summary)):
        _units_chart(slide, summary, code, top=BODY_TOP + i * Cm(10.1))
    _footer(slide, summary)
    kit.apply_cjk_fonts(slide.shapes._spTree)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def chart_codes(s: Summary) -> list[str]:
    """The two indicators charted: the pack's chart indicators (most behind first), then
    the other lagging ones, then any with units — never more than two."""
    codes = list(dict.fromkeys([*s.chart_indicators, *s.lagging["indicator_code"].tolist()]))
    if len(codes) < 2 and not s.children.empty:
        codes += [c for c in dict.fromkeys(s.children["indicator_code"]) if c not in codes]
    return codes[:2]


def _masthead(slide, s: Summary, issued: date) -> None:
    kit.rect(slide, 0, 0, A3_W, Cm(0.5), PRIMARY)
    kit.text_box(slide, EDGE, Cm(0.9), A3_W - 2 * EDGE, Cm(1.6),
                 [(f"{s.scope_name}科技创新重点指标月调度简报（{s.period_label}）", 30, {"bold": True})],
                 anchor=MSO_ANCHOR.MIDDLE)
    kit.text_box(slide, EDGE, Cm(2.5), A3_W - 2 * EDGE, Cm(0.9),
                 [(f"数据截至{s.period_label}　·　来源：{s.source}　·　{date_label(issued)}",
                   13, {"color": MUTED_COLOR})])


def _key_numbers(slide, s: Summary) -> None:
    gap = Cm(0.4)
    width = A3_W - 2 * EDGE
    tiles.status_tiles(slide, EDGE, Cm(3.6), width, gap, s.counts, BRIEF_TILE,
                       lambda status: [(status_badge(status), 14, {"color": TEXT_COLOR, "align": PP_ALIGN.CENTER})])
    kit.text_box(slide, EDGE, Cm(6.3), width, Cm(1.6), [(headline(s), 15, {"color": TEXT_COLOR})])


def _ranking_rows(s: Summary) -> list[list[str]]:
    return [cards.ranking_cells(r) for r in s.ranking.head(RANKING_ROWS).to_dict(orient="records")]


def _ranking_height(s: Summary) -> int:
    """What the 区县排名 block under the lagging list takes: its title and table (or reason)."""
    rows = _ranking_rows(s)
    if no_ranking_reason(s.ranking) or not rows:
        return Cm(2.4) if len(s.ranking) else 0
    widths = [int(LEFT_W * w / sum(RANKING_WIDTHS)) for w in RANKING_WIDTHS]
    return Cm(1.6) + sum(kit.row_heights(cards.RANKING_HEADER, rows, widths, 10, RANK_ROW_H))


def _district_ranking(slide, s: Summary, top) -> None:
    """The deck's 区县排名 (``summary.ranking``, the page's rule) with 升降 against last month."""
    if not len(s.ranking):
        return
    kit.text_box(slide, EDGE, top, LEFT_W, Cm(0.9), [("区县排名（按达序时指标占比，升降较上月）", 16, {"bold": True})])
    reason = no_ranking_reason(s.ranking)
    if reason:
        kit.text_box(slide, EDGE, top + Cm(1.0), LEFT_W, Cm(1.2), [(f"{reason}。", 13, {})])
        return
    kit.table(slide, EDGE, top + Cm(1.0), LEFT_W, cards.RANKING_HEADER, _ranking_rows(s), RANKING_WIDTHS,
              font_size=10, row_height=RANK_ROW_H,
              align={0: PP_ALIGN.CENTER, 2: PP_ALIGN.CENTER, 3: PP_ALIGN.RIGHT, 4: PP_ALIGN.CENTER})


def _lagging_table(slide, s: Summary) -> int:
    """The lagging list, clear of the ranking block below it; returns where it ends."""
    kit.text_box(slide, EDGE, BODY_TOP - Cm(0.1), LEFT_W, Cm(0.9),
                 [(f"滞后指标及牵头单位（{len(s.lagging)}项，按差距排序）", 16, {"bold": True})])
    if s.lagging.empty:
        kit.text_box(slide, EDGE, BODY_TOP + Cm(1.0), LEFT_W, Cm(1), [("本月没有滞后于序时进度的指标。", 14, {})])
        return BODY_TOP + Cm(2.0)
    rows, statuses = [], []
    for r in s.lagging.itertuples(index=False):
        units = "、".join(r.lagging_units[:3]) + (f"等{len(r.lagging_units)}个" if len(r.lagging_units) > 3 else "")
        rows.append([r.indicator_name, r.completion_text, fmt_pct(r.expected), r.gap_text, status_badge(r.status),
                     str(r.lead_department or "—"), units or "—"])
        statuses.append(r.status)
    room = TABLE_MAX_H - _ranking_height(s)
    first = kit.paginate(rows, LAG_HEADER, LEFT_W, LAG_WIDTHS, font_size=10, min_height=ROW_H,
                         max_height=room - Cm(1.2))[0]
    styles = {(i, 4): kit.status_fill(statuses[j]) for i, j in enumerate(first)}
    shape = kit.table(slide, EDGE, BODY_TOP + Cm(0.9), LEFT_W, LAG_HEADER, [rows[j] for j in first], LAG_WIDTHS,
                      font_size=10, row_height=ROW_H, cell_styles=styles,
                      align={1: PP_ALIGN.RIGHT, 2: PP_ALIGN.RIGHT, 3: PP_ALIGN.RIGHT, 4: PP_ALIGN.CENTER})
    end = BODY_TOP + Cm(0.9) + shape.height
    if len(first) < len(rows):  # the sheet is one page: say what is left out, and where it is
        kit.text_box(slide, EDGE, end + Cm(0.1), LEFT_W, Cm(0.8),
                     [(f"另有{len(rows) - len(first)}项滞后指标未列出，详见通报与调度表。", 11, {"color": MUTED_COLOR})])
        end += Cm(0.9)
    return end


def _units_chart(slide, s: Summary, code: str, *, top) -> None:
    """The same native completion chart as the deck's: progress by unit against 序时进度
    (a ratio's values against its 序时应达值); late units and partial figures say so."""
    rows = pd.concat([s.indicators[(s.indicators["indicator_code"] == code) & (s.indicators["status"] != "no_target")],
                      s.children[s.children["indicator_code"] == code]])
    if rows.empty:
        return
    name = rows["indicator_name"].iloc[0]
    ratio = rows["kind"].eq("ratio").all()
    cats = unit_categories(rows)
    slide_chart.completion_chart(
        slide, EDGE + LEFT_W + COL_GAP, top, RIGHT_W, Cm(9.6),
        title=f"{name}{'数值与序时应达值' if ratio else '完成进度'}（按区县）",
        subtitle=f"数据截至{s.period_label} · 来源：{s.source}",
        categories=cats, completion=(rows["value"] if ratio else rows["progress"]).tolist(),
        expected=(rows["expected_value"] if ratio else rows["expected"]).tolist(),
        statuses=rows["status"].tolist(), values_unit=rows["unit"].iloc[0] if ratio else None)


def _footer(slide, s: Summary) -> None:
    kit.rect(slide, EDGE, A3_H - Cm(1.3), A3_W - 2 * EDGE, Emu(9525), "#D1D5DB")
    kit.text_box(slide, EDGE, A3_H - Cm(1.2), A3_W - 2 * EDGE, Cm(0.8),
                 [(f"{s.scope_name}重点指标月调度 · 数据截至{s.period_label} · 来源：{s.source}", 10,
                   {"color": MUTED_COLOR})])
