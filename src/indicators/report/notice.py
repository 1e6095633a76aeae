"""The draft notice (月调度通报) in the bureau's register, written from the numbers.

``notice_blocks`` turns a ``Summary`` into a list of blocks (title, salutation,
headings, paragraphs, signature); ``to_markdown`` and ``to_docx`` render the same
blocks, so the two drafts always say the same thing. The docx follows the usual layout
of official documents (GB/T 9704): 黑体 title and headings, 仿宋 body in 三号 (16 pt), first
line indented by two characters, fixed 28 pt line spacing — ready to edit.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pandas as pd

from indicators import cards, sentences
from indicators.formatting import date_label, fmt_pct
from indicators.report.reporting_words import reporting_paragraphs, reporting_sentence
from indicators.report.summary import Summary
from indicators.rules.due import unreported
from indicators.rules.ranking import MEASURE_LABELS, UNRANKED_WORDS, no_ranking_reason
from indicators.report.supervision import explanation_text, notice_district_paragraphs, notice_task_paragraphs
from indicators.safe_text import md_text

CN_NUM = "一二三四五六七八九十"
TITLE_FONT, HEADING_FONT, BODY_FONT = "黑体", "黑体", "仿宋_GB2312"


@dataclass(frozen=True)
class Block:
    kind: str  # organ | docno | signer | rule (the 红头) | title | salutation | heading | para | signature | date
    text: str


RED = "C00000"  # the 红头's red (GB/T 9704: the issuing organ and the rule under it)
ORGAN_FONT = "方正小标宋简体"


def issuer_of(source: str) -> str:
    """``'市科技局指标月调度系统'`` → ``'市科技局'``."""
    return source.removesuffix("指标月调度系统") or source


def headline(s: Summary) -> str:
    """截至2026年10月，全市N项重点指标中，X项达到序时进度，Y项滞后……"""
    if not s.has_targets:
        later = f"{s.counts['not_due']}项尚未到报送期，" if s.counts["not_due"] else ""
        return (f"截至{s.period_label}，{s.scope_name}{s.untargeted}项指标均未设定年度目标，{later}以下列出数值、同比和排名，"
                "不评价进度。" if s.untargeted else f"截至{s.period_label}，{s.scope_name}暂无应报指标。")
    parts = [f"截至{s.period_label}，{s.scope_name}{s.total}项重点指标中，{s.on_track_total}项达到序时进度"]
    if s.counts["done"]:
        parts[-1] += f"（其中{s.counts['done']}项已完成全年目标）"
    lag = f"{s.lagging_total}项滞后"
    if s.counts["far_behind"]:
        lag += f"（其中{s.counts['far_behind']}项严重滞后，低于序时进度10个百分点以上）"
    parts.append(lag)
    if s.counts["missing"]:  # 未报送 only what was not sent; the rest was sent but cannot be judged
        late = int(unreported(s.indicators).sum())
        if late:
            parts.append(f"{late}项未报送")
        if s.counts["missing"] > late:
            parts.append(f"{s.counts['missing'] - late}项已报送但暂无法评价（缺上年末数或可比口径）")
    if s.counts["not_due"]:
        parts.append(f"{s.counts['not_due']}项尚未到报送期")
    return "，".join(parts) + "。"


def red_header(s: Summary, issued: date) -> list[Block]:
    """The 红头 as the bureau issues it: issuing organ, 文号 (the number left for the
    registry to fill in), 签发人 (left blank for the signing leader), the red rule."""
    return [
        Block("organ", f"{issuer_of(s.source)}文件"),
        Block("docno", f"〔{issued.year}〕　　号"),
        Block("signer", "签发人：　　　　"),
        Block("rule", ""),
    ]


def notice_blocks(s: Summary, *, issued: date, deadline_day: int) -> list[Block]:
    blocks = red_header(s, issued) + [
        Block("title", f"关于{s.period_label}{s.scope_name}科技创新重点指标调度情况的通报"),
        Block("salutation", "各区县科技主管部门，局机关各科室："),
        Block("para", f"为压紧压实工作责任，推动年度重点指标任务落实，按照重点指标月调度工作安排，"
                      f"现将{s.period_label}{s.scope_name}重点指标完成情况通报如下。"),
        Block("heading", "一、总体情况"),
        Block("para", headline(s)),
        *[Block("para", text) for text in reporting_paragraphs(s)],
        Block("heading", "二、主要指标完成情况"),
    ]
    for i, r in enumerate(s.key_rows.to_dict(orient="records")):
        blocks.append(Block("para", f"（{_cn(i + 1)}）{r['indicator_name']}。{sentences.sentence(r)}"))
    blocks.append(Block("heading", "三、滞后指标及牵头单位"))
    if s.lagging.empty:
        blocks.append(Block("para", "本月无滞后于序时进度的指标。"))
    rows = s.indicators.set_index("indicator_code")
    for i, r in enumerate(s.lagging.itertuples(index=False)):
        row = rows.loc[r.indicator_code].to_dict() | {"indicator_code": r.indicator_code}
        head = cards.card(row).headline
        partial = ("部分汇总，" if head.startswith("按可比口径") else f"部分汇总（缺{row['missing_units']}），") \
            if r.partial_text and row.get("missing_units") else ""
        change = f"，差距较上月{r.gap_change_text.replace(' ', '')}" if r.gap_change_text else ""
        pending = sentences.review_words(row)
        pending = f"，{pending}" if pending else ""
        text = (f"{i + 1}. {r.indicator_name}：{partial}{head}{pending}，{sentences.status_phrase(row)}"
                f"（{r.status_label}）{change}；牵头科室：{_text(r.lead_department)}；分管领导：{_text(r.leader)}")
        if r.lagging_units:
            text += f"；滞后区县：{'、'.join(r.lagging_units)}"
        blocks.append(Block("para", text + "。"))
        if s.supervision is not None:
            row = s.supervision.for_scope_indicator(r.indicator_code)
            if row is not None:
                blocks.append(Block("para", f"{row['responsible']}说明：{explanation_text(row, name_who=False)}。"))
    blocks.append(Block("heading", "四、各区县排名"))
    blocks += _ranking_blocks(s)
    blocks += [Block("heading", "五、报送情况"), Block("para", reporting_sentence(s))]
    n = 6
    if s.supervision is not None and notice_district_paragraphs(s.supervision):
        blocks.append(Block("heading", f"{_cn(n)}、区县滞后说明"))
        blocks += [Block("para", p) for p in notice_district_paragraphs(s.supervision)]
        n += 1
    if s.supervision is not None and len(s.supervision.tasks):
        blocks.append(Block("heading", f"{_cn(n)}、重点任务推进情况"))
        blocks += [Block("para", p) for p in notice_task_paragraphs(s.supervision)]
        n += 1
    blocks.append(Block("heading", f"{_cn(n)}、下一步工作要求"))
    blocks += [
        Block("para", "（一）各牵头科室要对照年度目标和序时进度，对滞后指标逐项分析原因，制定针对性措施，"
                      "明确时间节点，确保全年目标按期完成。"),
        Block("para", "（二）各区县要切实履行主体责任，加强对重点企业、重点项目的跟踪服务，"
                      "排名靠后的区县要认真查找差距，加快补齐短板。"),
        Block("para", f"（三）请各单位于每月{deadline_day}日前报送上月数据，确保数据真实、准确、完整；"
                      "未按时报送的单位请及时补报。"),
        Block("signature", issuer_of(s.source)),
        Block("date", date_label(issued)),
    ]
    return blocks


def _ranking_blocks(s: Summary) -> list[Block]:
    rk = s.ranking
    if rk.empty:
        return [Block("para", "本通报范围内无下级区县。")]
    reason = no_ranking_reason(rk)
    if reason:
        return [Block("para", f"{reason}。")] + _value_ranking_blocks(s)
    blocks = [Block("para", "按已完成或达到序时进度的指标占比排名（占比相同时按与序时进度的平均差距排名，"
                            "仍相同的并列）：")]
    for r in rk.itertuples(index=False):
        if pd.isna(r.rank):
            counts = f"（应报{r.due}项，未报{r.missing}项）" if r.note == "未报送" and r.due else ""
            blocks.append(Block("para", f"{r.org_unit_name}：{UNRANKED_WORDS.get(r.note, r.note or '无排名')}{counts}，"
                                        "不参加排名。"))
            continue
        text = (f"第{int(r.rank)}名 {r.org_unit_name}{_rank_move_words(r)}：应报{r.due}项，"
                f"已完成或达序时{r.on_track_total}项"
                f"（{fmt_pct(r.on_track_share, 0)}）")
        behind = [f"滞后{r.lagging}项"] if r.lagging else []
        behind += [f"严重滞后{r.far_behind}项"] if r.far_behind else []
        if behind:
            text += "，" + "、".join(behind)
        if r.missing:
            text += f"，未报送{r.missing}项"
        blocks.append(Block("para", text + "。"))
    return blocks


def _rank_move_words(r) -> str:
    """排名升降 in the notice's words: ``（上月第7名，上升1位）`` / ``（上月第1名，持平）``."""
    if pd.isna(r.rank_move) or pd.isna(r.rank_last):
        return ""
    move = int(r.rank_move)
    words = "持平" if move == 0 else f"上升{move}位" if move > 0 else f"下降{-move}位"
    return f"（上月第{int(r.rank_last)}名，{words}）"


def _value_ranking_blocks(s: Summary) -> list[Block]:
    """Without a district ranking (no targets this year): each key indicator's districts
    in the order ``status`` ranks them (``rank``, by value where no sibling has a target),
    those without a value named after them."""
    kids = s.children[s.children["indicator_code"].isin(s.key_codes)]
    blocks = []
    for _, g in sorted(kids.groupby("indicator_code", sort=False), key=lambda kv: kv[1]["indicator_order"].iloc[0]):
        ranked = g[g["rank"].notna()].sort_values(["rank", "unit_order"])
        if ranked.empty:
            continue
        by = MEASURE_LABELS.get(ranked["rank_by"].iloc[0], "数值")
        text = "、".join(f"第{int(r['rank'])}名{r['org_unit_name']}（{cards.value_text(r)}）"
                        for r in ranked.to_dict(orient="records"))
        late = g.loc[unreported(g), "org_unit_name"].tolist()
        tail = f"；{'、'.join(late)}未报送" if late else ""
        blocks.append(Block("para", f"{g['indicator_name'].iloc[0]}（按{by}排名）：{text}{tail}。"))
    return blocks


def to_markdown(blocks: list[Block]) -> str:
    """Markdown of the blocks; their text (names typed by someone) is shown as written:
    markup characters escaped, HTML as entities."""
    out = []
    for b in blocks:
        b = Block(b.kind, md_text(b.text)) if b.text else b
        if b.kind == "organ":
            out.append(f"**{b.text}**\n")
        elif b.kind in ("docno", "signer"):
            out.append(f"{b.text}  ")
        elif b.kind == "rule":
            out.append("\n---\n")
        elif b.kind == "title":
            out.append(f"# {b.text}\n")
        elif b.kind == "heading":
            out.append(f"\n## {b.text}\n")
        elif b.kind == "signature":
            out.append(f"\n{b.text}  ")  # two spaces: a line break before the date
        elif b.kind == "date":
            out.append(f"{b.text}\n")
        else:
            out.append(f"{b.text}\n")
    return "\n".join(out).rstrip() + "\n"


def to_docx(blocks: list[Block]) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Cm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(3.7), Cm(3.5)
    sec.left_margin, sec.right_margin = Cm(2.8), Cm(2.6)
    _style_font(doc.styles["Normal"], BODY_FONT, 16)
    for b in blocks:
        p = doc.add_paragraph()
        fmt = p.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(28)
        fmt.space_after = Pt(0)
        font, size, bold = BODY_FONT, 16, False
        if b.kind in ("organ", "docno", "signer", "rule"):
            _red_header_paragraph(p, b)
            continue
        if b.kind == "title":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            font, size, bold = TITLE_FONT, 22, False
            fmt.line_spacing = Pt(36)
            fmt.space_after = Pt(16)
        elif b.kind == "heading":
            font = HEADING_FONT
            fmt.first_line_indent = Pt(32)
        elif b.kind == "para":
            fmt.first_line_indent = Pt(32)
        elif b.kind in ("signature", "date"):
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            fmt.right_indent = Pt(32)
            if b.kind == "signature":
                fmt.space_before = Pt(28)
        run = p.add_run(b.text)
        _run_font(run, font, size, bold)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _red_header_paragraph(p, b: Block) -> None:
    """One paragraph of the 红头: the organ large and red, 文号 centred, 签发人 right, the rule."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor
    fmt = p.paragraph_format
    if b.kind == "organ":
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.line_spacing = Pt(60)
        fmt.space_before, fmt.space_after = Pt(12), Pt(18)
        run = p.add_run(b.text)
        _run_font(run, ORGAN_FONT, 42, False)
        run.font.color.rgb = RGBColor.from_string(RED)
        run.font.spacing = Pt(4)
        return
    if b.kind == "rule":  # the red line under the 文号: a bottom border, 2.25 pt
        fmt.line_spacing = Pt(8)
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for k, v in (("w:val", "single"), ("w:sz", "18"), ("w:space", "1"), ("w:color", RED)):
            bottom.set(qn(k), v)
        borders.append(bottom)
        p._p.get_or_add_pPr().append(borders)
        return
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER if b.kind == "docno" else WD_ALIGN_PARAGRAPH.RIGHT
    if b.kind == "signer":
        fmt.right_indent = Pt(16)
    _run_font(p.add_run(b.text), BODY_FONT, 16, False)


def _style_font(style, name: str, size: int) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt
    from docx.oxml import OxmlElement
    style.font.name = name
    style.font.size = Pt(size)
    rpr = style.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), name)
    # Simplified Chinese: where 仿宋/黑体 are missing, LibreOffice substitutes a zh-CN font
    # (not a Japanese one, whose glyphs differ) and embeds it in the PDF
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(lang)


def _run_font(run, name: str, size: int, bold: bool) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _cn(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, 25 → 二十五 (enough for any indicator list)."""
    if n <= 10:
        return CN_NUM[n - 1]
    tens, ones = divmod(n, 10)
    return (CN_NUM[tens - 1] if tens > 1 else "") + "十" + (CN_NUM[ones - 1] if ones else "")


def _text(v) -> str:
    return "—" if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)) else str(v)


__all__ = ["Block", "headline", "notice_blocks", "to_docx", "to_markdown"]
