"""The monthly briefing deck (16:9 PPTX) from a ``Summary``.

Slides: title; overview (status counts, main figures, district ranking); lagging
indicators with their lead departments; one native chart per indicator that lags at
the scope or in any district (completion by unit against 序时进度); the dispatch table;
the district × indicator matrix; 附表 (the other indicators, most behind first); 附 (what
did not fit, and where it is). Each section has a slide budget (``deck_budget``): at most
30 slides whatever the city's size. Every chart carries its title,
数据截至 and source.
"""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
from pptx import Presentation
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches

from indicators import cards, sentences
from indicators.formatting import date_label, fmt_pct
from indicators.report import deck_budget as budget
from indicators.report import appendix_slides, matrix_slides
from indicators.report import slide_chart
from indicators.report import slide_kit as kit
from indicators.report import status_tiles as tiles
from indicators.report.summary import LAGGING, Summary, key_figures, unit_categories
from indicators.rules.due import unreported
from indicators.rules.ranking import no_ranking_reason
from indicators.theme import (
    MUTED_COLOR,
    PRIMARY,
    STATUS_COLORS,
    STATUS_MARKS,
    TEXT_COLOR,
    status_badge,
    status_text_color,
)

RANKING_WIDTHS = [0.7, 1.4, 1.3, 0.8, 0.8]  # the 区县排名 table's columns (cards.RANKING_HEADER)
RANKING_ROWS = 8  # districts the 区县排名 table shows (overview slide, A3 简报)

SLIDE_W, SLIDE_H = Emu(12192000), Emu(6858000)  # 13.333 in × 7.5 in, 16:9
MARGIN = Inches(0.5)
CONTENT_W = SLIDE_W - 2 * MARGIN
TABLE_TOP = Inches(1.5)
TABLE_MAX_H = Inches(5.3)  # from TABLE_TOP to just above the footer
ROW_H = Emu(370000)
DECK_TILE = tiles.TileLayout(height=Inches(1.3), stripe=Inches(0.1), count_box=(Inches(0.15), Inches(0.7)),
                             count_size=36, label_box=(Inches(0.85), Inches(0.4)))
# how 差距 is computed (rules.progress), said under the tables that show it
GAP_WORDS = "差距：累计值为完成率 − 序时进度（百分点），期末值、比率为本期值 − 序时应达值"


def _tile_label(st: str) -> list:
    """The status's mark in its colour, then its name."""
    return [[(STATUS_MARKS[st] + " ", 14, {"color": STATUS_COLORS[st], "align": PP_ALIGN.CENTER}),
             (status_badge(st).split(" ", 1)[-1], 14, {"color": TEXT_COLOR})]]


def build_deck(summary: Summary, *, issued: date) -> bytes:
    """The deck as PPTX bytes (``issued``: the date on the title slide)."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    kit.apply_theme_fonts(prs)
    deck = _Deck(prs, summary)
    charted, uncharted = budget.chart_picks(summary)
    deck.charted = set(charted)
    deck.title_slide(issued)
    deck.overview_slide()
    if not summary.lagging.empty:
        deck.lagging_slides()
    if summary.supervision is not None:
        from indicators.report import supervision_slides
        supervision_slides.district_explanation_slides(deck, summary.supervision)
        supervision_slides.task_slides(deck, summary.supervision)
    for code in charted:
        deck.chart_slide(code)
    deck.table_slides()
    if uncharted:
        rest = set(uncharted)
        deck.left.append(budget.Left("指标完成情况图", len(uncharted), deck.where(rest, [
            ("滞后指标、调度表页", rest & deck.shown), (budget.APPENDIX, rest - deck.shown)], "各单位表")))
    if not summary.children.empty:
        matrix_slides.matrix_slides(deck)
    appendix_slides.appendix_slides(deck, budget.appendix_codes(summary, deck.shown | set(charted)))
    if deck.left:
        deck.appendix_slide()
    deck.finish()
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


class _Deck:
    def __init__(self, prs, summary: Summary):
        self.prs, self.s = prs, summary
        self.blank = prs.slide_layouts[6]
        self.footers = []
        self.left: list[budget.Left] = []  # what sections could not show (deck_budget), for the 附 slide
        self.shown: set[str] = set()  # indicators with a row of their own (滞后指标, 调度表): not on the 附表
        self.charted: set[str] = set()  # indicators with a chart slide (deck_budget.chart_picks)

    # ---- frame shared by content slides -------------------------------------------------
    def new_slide(self, title: str, kicker: str | None = None):
        slide = self.prs.slides.add_slide(self.blank)
        kit.rect(slide, 0, 0, SLIDE_W, Inches(0.12), PRIMARY)
        kit.rect(slide, MARGIN, Inches(0.42), Inches(0.08), Inches(0.5), PRIMARY)
        kit.text_box(slide, MARGIN + Inches(0.2), Inches(0.3), CONTENT_W - Inches(0.2), Inches(0.75),
                     [(title, 24, {"bold": True})], anchor=MSO_ANCHOR.MIDDLE)
        if kicker:
            runs = kicker if isinstance(kicker, list) else [(kicker, 13, {"color": MUTED_COLOR})]
            kit.text_box(slide, MARGIN + Inches(0.2), Inches(0.98), CONTENT_W - Inches(0.2), Inches(0.4), [runs])
        self.footers.append(slide)
        return slide

    def finish(self) -> None:
        total = len(self.prs.slides)
        s = self.s
        for slide in self.footers:
            n = list(self.prs.slides).index(slide) + 1
            kit.rect(slide, MARGIN, Inches(7.0), CONTENT_W, Emu(9525), "#D1D5DB")
            kit.text_box(slide, MARGIN, Inches(7.03), Inches(9), Inches(0.35),
                         [(f"{s.scope_name}重点指标月调度 · 数据截至{s.period_label} · 来源：{s.source}", 10,
                           {"color": MUTED_COLOR})])
            kit.text_box(slide, SLIDE_W - MARGIN - Inches(2), Inches(7.03), Inches(2), Inches(0.35),
                         [(f"{n} / {total}", 10, {"color": MUTED_COLOR, "align": PP_ALIGN.RIGHT})])
        for slide in self.prs.slides:
            kit.apply_cjk_fonts(slide.shapes._spTree)

    def where(self, rest: set[str], places: list[tuple[str, set[str]]], sheet: str | None = None) -> str:
        """Where the rows a section left out are: those of ``places`` that hold some of
        ``rest`` (a section's indicators not on its slides), and every row in the XLSX."""
        here = "、".join(words for words, codes in places if codes)
        return (f"本材料{here}，全部见" if here else "") + budget.XLSX + (sheet or f"「{self.s.scope_name}」表")

    # ---- slides ---------------------------------------------------------------------------
    def title_slide(self, issued: date) -> None:
        s = self.s
        slide = self.prs.slides.add_slide(self.blank)
        kit.rect(slide, 0, 0, SLIDE_W, SLIDE_H, PRIMARY)
        kit.rect(slide, Inches(0.9), Inches(2.2), Inches(0.12), Inches(2.3), "#FFFFFF")
        kit.text_box(slide, Inches(1.25), Inches(2.0), Inches(11), Inches(1.3),
                     [(f"{s.scope_name}科技创新重点指标月调度", 40, {"bold": True, "color": "#FFFFFF"})],
                     anchor=MSO_ANCHOR.BOTTOM)
        kit.text_box(slide, Inches(1.25), Inches(3.3), Inches(11), Inches(0.8),
                     [(f"{s.period_label}", 32, {"color": "#FFFFFF"})])
        kit.text_box(slide, Inches(1.25), Inches(4.2), Inches(11), Inches(0.5),
                     [(f"数据截至{s.period_label}　·　{s.total if s.has_targets else s.total + s.untargeted}项重点指标"
                       f"　·　{len(s.ranking)}个区县", 16,
                       {"color": "#D6E4F0"})])
        kit.text_box(slide, Inches(1.25), Inches(6.3), Inches(11), Inches(0.5),
                     [(f"{s.source}　{date_label(issued)}", 14, {"color": "#D6E4F0"})])

    def overview_slide(self) -> None:
        s = self.s
        title = (f"总体情况：{s.total}项重点指标，{s.on_track_total}项达到序时进度，{s.lagging_total}项滞后"
                 if s.has_targets or not s.untargeted
                 else f"总体情况：{s.untargeted}项指标均未设定年度目标（列出数值、同比和排名）")
        slide = self.new_slide(title, f"{s.scope_name} · 数据截至{s.period_label}")
        tiles.status_tiles(slide, MARGIN, Inches(1.5), CONTENT_W, Inches(0.18), s.counts, DECK_TILE, _tile_label)
        # main figures
        top2 = Inches(3.1)
        left_w = Inches(7.6)
        kit.text_box(slide, MARGIN, top2, left_w, Inches(0.4), [("主要指标完成情况", 15, {"bold": True})])
        figs = key_figures(s, limit=5)
        rows, styles, partial = [], {}, set()
        for i, r in enumerate(figs.to_dict(orient="records")):
            mark = "※" if r["provenance"] == "partial" else ""
            if mark:
                partial.add(r["missing_units"] or "")
            rows.append([r["indicator_name"] + mark, cards.value_text(r), cards.completion_text(r), cards.gap_text(r),
                         status_badge(r["status"])])
            styles[(i, 4)] = kit.status_fill(r["status"])
        if partial:  # a partial figure never goes out without saying what it lacks
            kit.text_box(slide, MARGIN, Inches(6.62), left_w, Inches(0.3),
                         [(f"※ 部分汇总，缺：{'、'.join(sorted(n for n in partial if n))}；按可比口径评价", 10,
                           {"color": MUTED_COLOR})])
        if rows:
            kit.table(slide, MARGIN, top2 + Inches(0.45), left_w, ["指标", "本期值", "完成率", "差距", "状态"],
                      rows, [3.2, 1.9, 1.0, 1.2, 1.2], row_height=Emu(338000), font_size=11, cell_styles=styles,
                      align={1: PP_ALIGN.RIGHT, 2: PP_ALIGN.RIGHT, 3: PP_ALIGN.RIGHT, 4: PP_ALIGN.CENTER})
        # district ranking
        right_l = MARGIN + left_w + Inches(0.35)
        right_w = CONTENT_W - left_w - Inches(0.35)
        kit.text_box(slide, right_l, top2, right_w, Inches(0.4), [("区县排名（按达序时指标占比）", 15, {"bold": True})])
        rank_rows = [cards.ranking_cells(r) for r in s.ranking.head(RANKING_ROWS).to_dict(orient="records")]
        reason = no_ranking_reason(s.ranking)
        if reason:
            kit.text_box(slide, right_l, top2 + Inches(0.45), right_w, Inches(0.8), [(f"{reason}。", 13, {})])
        elif rank_rows:
            kit.table(slide, right_l, top2 + Inches(0.45), right_w, cards.RANKING_HEADER,
                      rank_rows, RANKING_WIDTHS, row_height=Emu(300000), font_size=11,
                      align={0: PP_ALIGN.CENTER, 2: PP_ALIGN.CENTER, 3: PP_ALIGN.RIGHT, 4: PP_ALIGN.CENTER})

    def lagging_slides(self) -> None:
        s = self.s
        lag = s.lagging
        header = ["指标", "完成率", "序时进度", "差距", "状态", "牵头科室", "分管领导", "滞后区县", "牵头科室说明"]
        widths = [2.2, 0.9, 0.9, 1.1, 1.2, 1.7, 0.9, 1.9, 3.5]
        rows, statuses = [], []
        sup = s.supervision
        from indicators.report.supervision_slides import MISSING_FILL, explanation_cell
        explained = []
        for r in lag.head(budget.row_cap("lagging", ROW_H, TABLE_MAX_H)).itertuples(index=False):
            units = "、".join(r.lagging_units[:4]) + (f"等{len(r.lagging_units)}个" if len(r.lagging_units) > 4 else "")
            why = sup.for_scope_indicator(r.indicator_code) if sup is not None else None
            name = r.indicator_name + (f"（{r.partial_text}）" if r.partial_text else "")
            change = f"（较上月{r.gap_change_text.split('（')[0].replace(' ', '')}）" if r.gap_change_text else ""
            rows.append([name, r.completion_text, fmt_pct(r.expected), r.gap_text + change,
                         status_badge(r.status), _text(r.lead_department), _text(r.leader), units or "—",
                         explanation_cell(why)])
            statuses.append(r.status)
            explained.append(why is None or why["explanation_state"] == "given")
        pages = kit.paginate(rows, header, CONTENT_W, widths, font_size=11, min_height=ROW_H, max_height=TABLE_MAX_H)
        pages, left = budget.keep_pages(pages, "lagging", len(lag))  # sorted by gap: the most behind are kept
        self.shown.update(lag["indicator_code"].iloc[j] for p in pages for j in p)
        kicker = f"按与序时进度的差距排序；{GAP_WORDS}（本指标单位）"
        if left:
            rest = set(lag["indicator_code"]) - self.shown
            self.left.append(budget.Left("滞后指标", left, self.where(rest, [
                ("指标图页", rest & self.charted), (f"调度表页或{budget.APPENDIX}", rest - self.charted)])))
            kicker = f"按与序时进度的差距排序，列出差距最大的{len(lag) - left}项；{self.left[-1].kicker()}"
        for n, idx in enumerate(pages, start=1):
            suffix = kit.page_suffix(n, len(pages))
            slide = self.new_slide(f"滞后指标及牵头单位：{len(lag)}项指标低于序时进度{suffix}", kicker)
            styles = {(i, 4): kit.status_fill(statuses[j]) for i, j in enumerate(idx)}
            styles.update({(i, 8): (MISSING_FILL, status_text_color("lagging"))
                           for i, j in enumerate(idx) if not explained[j]})
            kit.table(slide, MARGIN, TABLE_TOP, CONTENT_W, header, [rows[j] for j in idx], widths, font_size=11,
                      row_height=ROW_H, cell_styles=styles,
                      align={1: PP_ALIGN.RIGHT, 2: PP_ALIGN.RIGHT, 3: PP_ALIGN.RIGHT, 4: PP_ALIGN.CENTER})

    def chart_slide(self, code: str) -> None:
        s = self.s
        scope_row = s.indicators[s.indicators["indicator_code"] == code]
        kids = s.children[s.children["indicator_code"] == code]
        ref = (scope_row if not scope_row.empty else kids).iloc[0].to_dict()
        name = ref["indicator_name"]
        lagging_kids = kids[kids["status"].isin(LAGGING)]
        head = scope_row.iloc[0].to_dict() if not scope_row.empty else None
        if head is not None and head["status"] not in ("no_target", "not_due", "missing"):
            phrase = sentences.status_phrase(head)
            partial = "（部分汇总）" if head["provenance"] == "partial" else ""
            title = f"{name}：{s.scope_name}{partial}{phrase or cards.card(head).headline}"
        else:
            title = f"{name}：{len(lagging_kids)}个区县低于序时进度"
        slide = self.new_slide(_clip(title, 46))
        self._units_chart(slide, name, pd.concat([scope_row[scope_row["status"] != "no_target"], kids]), kids)
        self._facts(slide, head, ref, kids, lagging_kids)

    def _units_chart(self, slide, name: str, rows: pd.DataFrame, kids: pd.DataFrame) -> None:
        """Progress toward the target by unit against 序时进度; a ratio's values against
        each unit's 序时应达值 (no percentage of a percentage). Partial figures say so."""
        s = self.s
        cats = unit_categories(rows)
        chart_w = Inches(8.9)
        ratio = bool(len(rows)) and rows["kind"].eq("ratio").all()
        scope = "区县" if not kids.empty else "单位"
        slide_chart.completion_chart(
            slide, MARGIN, Inches(1.2), chart_w, Inches(5.3),
            title=f"{name}{'数值与序时应达值' if ratio else '完成进度'}（按{scope}）",
            subtitle=f"数据截至{s.period_label} · 来源：{s.source}",
            categories=cats, completion=(rows["value"] if ratio else rows["progress"]).tolist(),
            expected=(rows["expected_value"] if ratio else rows["expected"]).tolist(),
            statuses=rows["status"].tolist(), values_unit=rows["unit"].iloc[0] if ratio else None)
        # status legend under the chart's own legend: colours are never alone (theme)
        present = [st for st in ("done", "on_track", "lagging", "far_behind") if st in set(rows["status"])]
        if present:
            kit.text_box(slide, MARGIN + Inches(0.5), Inches(6.55), chart_w - Inches(0.5), Inches(0.32),
                         [_legend_runs(present)])

    def _facts(self, slide, head: dict | None, ref: dict, kids: pd.DataFrame, lagging_kids: pd.DataFrame) -> None:
        """The scope's card (the same lines as on 调度总览), owners, lagging and late units."""
        chart_w = Inches(8.9)
        left = MARGIN + chart_w + Inches(0.3)
        width = CONTENT_W - chart_w - Inches(0.3)
        kit.rect(slide, left, Inches(1.3), width, Inches(5.5), "#F7F8FA", line="#E5E7EB")
        facts = []
        if head is not None:
            c = cards.card(head)
            facts += [(label, text) for label, text in c.lines[:5]]
            facts += [(label, text) for label, text in (("部分汇总", c.partial.removeprefix("部分汇总，")),
                                                         ("状态", status_badge(head["status"]))) if text]
        facts += [("牵头科室 · 分管领导", f"{_text(ref['lead_department'])} · {_text(ref['leader'])}")]
        if not lagging_kids.empty:
            worst = lagging_kids.sort_values("gap_pp")  # the three most behind are named, the rest counted
            names = [f"{r['org_unit_name']}（{cards.gap_text(r)}）" for r in worst.head(3).to_dict(orient="records")]
            more = f"等{len(worst)}个" if len(worst) > 3 else ""
            facts.append(("滞后区县（差距）", "、".join(names) + more))
        missing = kids[unreported(kids)]["org_unit_name"].tolist()
        if missing:
            facts.append(("未报送", "、".join(missing)))
        paras = []
        for label, value in facts:
            paras.append((label, 9, {"color": MUTED_COLOR}))
            paras.append((value, 12, {"bold": True, "space_after": 3}))
        kit.text_box(slide, left + Inches(0.15), Inches(1.4), width - Inches(0.3), Inches(5.3), paras)

    def table_slides(self) -> None:
        s = self.s
        rows_df = s.key_rows
        header = ["序号", "指标", "本期值", "年度目标", "完成率", "序时进度", "差距", "同比", "状态", "牵头科室"]
        widths = [0.5, 2.6, 1.45, 1.45, 0.85, 0.9, 1.2, 1.05, 1.15, 1.65]
        rows, statuses = [], []
        for i, r in enumerate(rows_df.head(budget.row_cap("table", ROW_H, TABLE_MAX_H)).to_dict(orient="records")):
            rows.append([str(i + 1), _name(r), cards.value_text(r), _target(r),
                         cards.completion_text(r), fmt_pct(r["expected"]), cards.gap_text(r), cards.yoy_cell(r),
                         status_badge(r["status"]), _text(r["lead_department"])])
            statuses.append(r["status"])
        pages = kit.paginate(rows, header, CONTENT_W, widths, font_size=12, min_height=ROW_H, max_height=TABLE_MAX_H)
        pages, left = budget.keep_pages(pages, "table", len(rows_df))
        shown = {rows_df["indicator_code"].iloc[j] for p in pages for j in p}
        kicker = f"数据截至{s.period_label} · {GAP_WORDS}"
        if left:
            rest = set(rows_df["indicator_code"]) - shown
            self.left.append(budget.Left("重点指标调度表", left, self.where(rest, [
                ("指标图页", rest & self.charted), ("滞后指标页", (rest & self.shown) - self.charted),
                (budget.APPENDIX, rest - self.shown - self.charted)])))
            kicker = f"数据截至{s.period_label}；{self.left[-1].kicker()}"
        self.shown |= shown
        for n, idx in enumerate(pages, start=1):
            suffix = kit.page_suffix(n, len(pages))
            slide = self.new_slide(f"{s.scope_name}重点指标调度表{suffix}", kicker)
            styles = {(i, 8): kit.status_fill(statuses[j]) for i, j in enumerate(idx)}
            kit.table(slide, MARGIN, TABLE_TOP, CONTENT_W, header, [rows[j] for j in idx], widths, font_size=12,
                      row_height=ROW_H, cell_styles=styles,
                      align={0: PP_ALIGN.CENTER, 2: PP_ALIGN.RIGHT, 3: PP_ALIGN.RIGHT, 4: PP_ALIGN.RIGHT,
                             5: PP_ALIGN.RIGHT, 6: PP_ALIGN.RIGHT, 7: PP_ALIGN.RIGHT, 8: PP_ALIGN.CENTER})

    def appendix_slide(self) -> None:
        """附: what the sections could not show within the deck's budget, and where it is."""
        slide = self.new_slide("附：未列入幻灯片的内容",
                               f"为控制篇幅（全套不超过{budget.MAX_SLIDES}页），各部分只列差距最大或滞后最多的内容；"
                               f"全部数据见{budget.XLSX}")
        kit.table(slide, MARGIN, TABLE_TOP, CONTENT_W, ["内容", "未列出", "见"], budget.appendix_rows(self.left),
                  [2.4, 6.4, 3.5], font_size=12, row_height=ROW_H)


def _legend_runs(statuses: list[str], size: int = 11) -> list[tuple]:
    """Coloured squares with their labels — colour is never shown alone."""
    runs = []
    for st in statuses:
        runs.append(("■", size + 1, {"color": STATUS_COLORS[st]}))
        runs.append((f" {status_badge(st).split(' ', 1)[-1]}　", size, {"color": MUTED_COLOR}))
    return runs


def _name(r: dict) -> str:
    """An indicator's name, with 部分汇总 said where its figure lacks units (and the
    official target where the row is judged on a comparable one)."""
    partial = cards.partial_text(r)  # the card's, without building the card
    if partial and _comparable(r):
        partial += f"；全年目标{cards.amount(r['target'], r).replace(' ', '')}"
    return f"{r['indicator_name']}（{partial}）" if partial else r["indicator_name"]


def _comparable(r: dict) -> bool:
    return r.get("completion_basis") == "like_for_like" and pd.notna(r.get("comparable_target")) \
        and abs(float(r["comparable_target"]) - float(r["target"])) > 1e-9


def _target(r: dict) -> str:
    """The target the row's 完成率 is on: the comparable one, marked (可比)."""
    return f"{cards.amount(r['comparable_target'], r)}（可比）" if _comparable(r) else cards.amount(r["target"], r)


def _text(v) -> str:
    return "—" if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA else str(v)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
