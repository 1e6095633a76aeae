"""The deck's 附表 slides: every indicator a leader needs that has neither a slide nor a
row of its own elsewhere in the deck (``deck_budget.appendix_codes``), most behind first,
three to a table row — 指标, 完成率, 差距, 状态 — on at most ``SLIDES["appendix"]``
slides. What even these cannot hold is counted on the slides and on the 附 slide, with
where it is (the XLSX): nothing is dropped without saying so."""

from __future__ import annotations

from pptx.enum.text import PP_ALIGN
from pptx.util import Emu

from indicators import cards
from indicators.report import deck_budget as budget
from indicators.report import slide_kit as kit
from indicators.report.summary import LAGGING
from indicators.theme import status_badge

PER_ROW = 3  # indicators side by side in one table row
FONT = 8
ROW_H = Emu(234000)  # one line at 8 pt (slide_kit.row_heights): 19 rows, 57 indicators a slide
GROUP = ["指标", "完成率", "差距", "状态"]
GROUP_WIDTHS = [1.45, 0.55, 1.05, 0.85]  # 差距 «-88.0个百分点» and 状态 «▼ 严重滞后» on one line


def appendix_slides(deck, codes: list[str]) -> None:
    """The 附表 pages for ``codes`` (most behind first), read left to right, then down."""
    if not codes:
        return
    from indicators.report.pptx_deck import CONTENT_W, MARGIN, TABLE_MAX_H, TABLE_TOP
    s = deck.s
    listed = codes[:budget.row_cap("appendix", ROW_H, TABLE_MAX_H, PER_ROW)]
    scope = {r["indicator_code"]: r for r in s.indicators[s.indicators["indicator_code"].isin(listed)]
             .to_dict(orient="records")}
    cells = [_cells(s, c, scope.get(c)) for c in listed]
    rows = [sum((cells[i + k][0] if i + k < len(cells) else ["", "", "", ""] for k in range(PER_ROW)), [])
            for i in range(0, len(cells), PER_ROW)]
    header, widths = GROUP * PER_ROW, GROUP_WIDTHS * PER_ROW
    pages, _ = budget.keep_pages(kit.paginate(rows, header, CONTENT_W, widths, font_size=FONT, min_height=ROW_H,
                                              max_height=TABLE_MAX_H), "appendix")
    shown = min(len(cells), PER_ROW * sum(len(p) for p in pages))
    kicker = (f"为控制篇幅，以下{len(codes)}项指标未单独成页，按与序时进度的差距从大到小排列"
              f"（严重滞后、滞后在前；从左到右、自上而下）；各区县数据见{budget.XLSX}各单位表")
    if shown < len(codes):
        deck.left.append(budget.Left("其余指标", len(codes) - shown, f"{budget.XLSX}「{s.scope_name}」表"))
        kicker = (f"为控制篇幅，{len(codes)}项指标未单独成页，列出差距最大的{shown}项（从左到右、自上而下），"
                  f"{deck.left[-1].kicker()}")
    for n, idx in enumerate(pages, start=1):
        slide = deck.new_slide(f"附表：其余{len(codes)}项指标（第 {n} / {len(pages)} 页）", kicker)
        styles = {}
        for i, j in enumerate(idx):
            for k in range(PER_ROW):
                if j * PER_ROW + k < len(cells) and cells[j * PER_ROW + k][1]:
                    styles[(i, k * len(GROUP) + 3)] = kit.status_fill(cells[j * PER_ROW + k][1])
        align = {k * len(GROUP) + c: a for k in range(PER_ROW)
                 for c, a in ((1, PP_ALIGN.RIGHT), (2, PP_ALIGN.RIGHT), (3, PP_ALIGN.CENTER))}
        kit.table(slide, MARGIN, TABLE_TOP, CONTENT_W, header, [rows[j] for j in idx], widths, font_size=FONT,
                  row_height=ROW_H, cell_styles=styles, align=align)


def _cells(s, code: str, r: dict | None) -> tuple[list[str], str | None]:
    """One indicator's four cells and the status its 状态 cell is coloured by: the scope's
    row ``r`` (the 调度表's words), or — with none — how many districts lag."""
    from indicators.report.pptx_deck import _name
    if r is not None:
        colour = r["status"] if r["status"] != "no_target" else None
        return [_name(r), cards.completion_text(r), cards.gap_text(r), status_badge(r["status"])], colour
    kids = s.children[s.children["indicator_code"] == code]
    lagging = int(kids["status"].isin(LAGGING).sum())
    return [str(kids["indicator_name"].iloc[0]), "—", "—", f"{lagging}个区县滞后"], None
