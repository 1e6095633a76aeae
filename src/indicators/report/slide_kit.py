"""Building blocks for the briefing deck: Chinese fonts, text boxes and tables (the native
completion chart is ``slide_chart``).

Fonts: every run names ``theme.PPT_FONT`` (Microsoft YaHei, present on the bureau's
Windows machines) as both its latin and east-asian (``a:ea``) typeface, with the GB2312
charset and ``lang="zh-CN"``; a renderer without YaHei (LibreOffice on Linux) then picks
a simplified-Chinese face — Noto Sans CJK SC via fontconfig — instead of Japanese glyph
shapes. The theme's font scheme carries the same names for anything added later by hand.
"""

from __future__ import annotations

import math
import re

from lxml import etree
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.text.text import _Paragraph
from pptx.util import Emu, Pt

from indicators.theme import PPT_FONT, PPT_FONT_FALLBACK, PRIMARY, STATUS_COLORS, TEXT_COLOR, status_text_color

GB2312_CHARSET = "-122"  # 134 as a signed byte, the way PowerPoint writes it
_RPR_TAGS = (qn("a:rPr"), qn("a:defRPr"), qn("a:endParaRPr"))
# children of a:rPr that must come after latin/ea/cs (schema order)
_AFTER_FONTS = {qn("a:sym"), qn("a:hlinkClick"), qn("a:hlinkMouseOver"), qn("a:rtl"), qn("a:extLst")}


def rgb(hex_color: str) -> RGBColor:
    return RGBColor.from_string(hex_color.lstrip("#").upper())


def status_fill(status: str) -> tuple[str, str]:
    """A status cell's (fill, text colour) in a table's ``cell_styles``."""
    return STATUS_COLORS[status], status_text_color(status)


_FONT_TAGS = (qn("a:latin"), qn("a:ea"), qn("a:cs"))


def set_cjk_font(rpr: etree._Element) -> None:
    """Name the Chinese font as latin and east-asian typeface of one run's properties."""
    rpr.set("lang", "zh-CN")
    rpr.set("altLang", "en-US")
    for old in [c for c in rpr if c.tag in _FONT_TAGS]:
        rpr.remove(old)
    anchor = next((c for c in rpr if c.tag in _AFTER_FONTS), None)
    for tag in _FONT_TAGS:
        el = etree.SubElement(rpr, tag)
        el.set("typeface", PPT_FONT)
        if tag != _FONT_TAGS[2]:
            el.set("charset", GB2312_CHARSET)
        if anchor is not None:
            anchor.addprevious(el)


def apply_cjk_fonts(root: etree._Element) -> None:
    """``set_cjk_font`` on every run, paragraph default and end-of-paragraph property."""
    for rpr in list(root.iter(*_RPR_TAGS)):
        set_cjk_font(rpr)


def apply_theme_fonts(prs) -> None:
    """Put the Chinese font into the theme's major/minor font scheme (latin and ea, plus
    the ``Hans`` script slot) so text typed later in PowerPoint gets it too."""
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT
    master_part = prs.slide_master.part
    theme_part = master_part.part_related_by(RT.THEME)
    root = etree.fromstring(theme_part.blob)
    for which in ("a:majorFont", "a:minorFont"):
        for font in root.iter(qn(which)):
            font.find(qn("a:latin")).set("typeface", PPT_FONT)
            font.find(qn("a:ea")).set("typeface", PPT_FONT)
            for f in font.findall(qn("a:font")):
                if f.get("script") == "Hans":
                    f.set("typeface", PPT_FONT)
                    break
            else:
                el = etree.SubElement(font, qn("a:font"))
                el.set("script", "Hans")
                el.set("typeface", PPT_FONT)
    theme_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def text_box(slide, left, top, width, height, paragraphs, *, anchor=MSO_ANCHOR.TOP, wrap=True,
             margin=Pt(4)):
    """A text box from ``[(text, size_pt, {bold, color, align, space_after})…]``; a
    paragraph may also be a list of such tuples (several runs)."""
    box = slide.shapes.add_textbox(left, top, width, height)
    tf = box.text_frame
    tf.word_wrap = wrap
    tf.vertical_anchor = anchor
    tf.margin_left = tf.margin_right = margin
    tf.margin_top = tf.margin_bottom = Pt(2)
    fill_paragraphs(tf, paragraphs)
    return box


def fill_paragraphs(tf, paragraphs) -> None:
    """The paragraphs of ``text_box`` into a text frame. Runs with the usual options (bold,
    color, align, space_after) are written with lxml as python-pptx's run and paragraph API
    writes them (the same elements and attributes, control characters escaped the same
    way); a paragraph with any other option goes through that API."""
    body = tf._txBody
    for i, para in enumerate(paragraphs):
        p = body.p_lst[0] if i == 0 else body.add_p()
        runs = para if isinstance(para, list) else [para]
        if len(p) or any(rest and set(rest[0]) - _QUICK_OPTIONS for _, _, *rest in runs):
            _api_runs(_Paragraph(p, tf), runs)
            continue
        ppr = None
        for text, size, *rest in runs:
            opts = rest[0] if rest else {}
            run = etree.SubElement(p, f"{_A}r")
            rpr = etree.SubElement(run, f"{_A}rPr", sz=str(Pt(size).centipoints), b="1" if opts.get("bold") else "0")
            _solid(rpr, str(rgb(opts.get("color", TEXT_COLOR))))
            etree.SubElement(run, f"{_A}t").text = _CTRL.sub(_ctrl_escape, text)
            if "align" in opts or "space_after" in opts:
                if ppr is None:
                    ppr = etree.Element(f"{_A}pPr")
                    p.insert(0, ppr)
                if "align" in opts:
                    ppr.set("algn", PP_ALIGN.to_xml(opts["align"]))
                if "space_after" in opts:
                    for old in ppr.findall(f"{_A}spcAft"):
                        ppr.remove(old)
                    etree.SubElement(etree.SubElement(ppr, f"{_A}spcAft"), f"{_A}spcPts",
                                     val=str(Pt(opts["space_after"]).centipoints))


_QUICK_OPTIONS = {"bold", "color", "align", "space_after"}
_CTRL = re.compile(r"([\x00-\x08\x0B-\x1F])")  # python-pptx's _escape_ctrl_chars


def _ctrl_escape(match) -> str:
    return "_x%04X_" % ord(match.group(1))


def _api_runs(p, runs) -> None:
    """A paragraph's runs through python-pptx's API."""
    for text, size, *rest in runs:
        opts = rest[0] if rest else {}
        r = p.add_run()
        r.text = text
        r.font.size = Pt(size)
        r.font.bold = bool(opts.get("bold"))
        r.font.color.rgb = rgb(opts.get("color", TEXT_COLOR))
        if "align" in opts:
            p.alignment = opts["align"]
        if "space_after" in opts:
            p.space_after = Pt(opts["space_after"])
        if "line_spacing" in opts:
            p.line_spacing = opts["line_spacing"]


def rect(slide, left, top, width, height, fill: str, line: str | None = None):
    from pptx.enum.shapes import MSO_SHAPE
    shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, left, top, width, height)
    shape.fill.solid()
    shape.fill.fore_color.rgb = rgb(fill)
    if line:
        shape.line.color.rgb = rgb(line)
        shape.line.width = Pt(0.75)
    else:
        shape.line.fill.background()
    shape.shadow.inherit = False
    return shape


CELL_MARGIN = Pt(5)


def text_em(text: str) -> float:
    """Width of ``text`` in em: CJK and full-width characters 1, the rest about 0.55."""
    return sum(1.0 if ord(ch) >= 0x2E80 else 0.55 for ch in str(text))


def row_heights(header: list[str], rows: list[list], widths: list[int], font_size: int,
                min_height: int) -> list[int]:
    """Height of each table row (header first) so that wrapped text fits: the renderer
    (LibreOffice in particular) does not always grow a row by itself."""
    em = Pt(font_size)
    line = int(em * 1.3)
    out = []
    for values in [header] + rows:
        lines = 1
        for text, w in zip(values, widths):
            avail = max(w - 2 * CELL_MARGIN, em)
            lines = max(lines, math.ceil(text_em(text) * em / avail - 1e-9) or 1)
        out.append(max(min_height, lines * line + Pt(8)))
    return out


def paginate(rows: list[list], header: list[str], width: int, col_widths: list[float], *, font_size: int,
             min_height: int, max_height: int) -> list[list[int]]:
    """Split row indices into pages whose tables fit in ``max_height``."""
    widths = _widths(width, col_widths)
    heights = row_heights(header, rows, widths, font_size, min_height)
    pages, page, used = [], [], heights[0]
    for i, h in enumerate(heights[1:]):
        if page and used + h > max_height:
            pages.append(page)
            page, used = [], heights[0]
        page.append(i)
        used += h
    if page or not pages:
        pages.append(page)
    return pages


def page_suffix(n: int, total: int) -> str:
    """What a table's slide title ends with when its rows take ``total`` slides: 「（2/3）」."""
    return f"（{n}/{total}）" if total > 1 else ""


def _widths(width: int, col_widths: list[float]) -> list[int]:
    total = sum(col_widths)
    return [int(width * w / total) for w in col_widths]


def table(slide, left, top, width, header: list[str], rows: list[list], col_widths: list[float], *,
          row_height=Emu(380000), font_size=12, cell_styles=None, align=None):
    """A native table: header row in the primary colour, zebra body rows.

    ``rows`` hold display strings; ``cell_styles[(r, c)] = (fill, text_color)`` colours
    single cells (status pills); ``align[c]`` is a PP_ALIGN per column. ``row_height``
    is the minimum: rows with wrapped text get taller (``row_heights``).
    """
    n_rows = len(rows) + 1
    widths = _widths(width, col_widths)
    heights = row_heights(header, rows, widths, font_size, row_height)
    shape = slide.shapes.add_table(n_rows, len(header), left, top, width, sum(heights))
    tbl = shape.table
    # no built-in style banding: every fill is set below
    tbl.first_row = True
    tbl.horz_banding = False
    # what setting each column's width and row's height through python-pptx does, without
    # its resizing the frame after every one: the frame is as wide as the columns together
    for grid_col, w in zip(tbl._tbl.tblGrid.gridCol_lst, widths):
        grid_col.w = Emu(w)
    for tr, h in zip(tbl._tbl.tr_lst, heights):
        tr.h = Emu(h)
    shape.width, shape.height = Emu(sum(widths)), Emu(sum(heights))
    cell_styles = cell_styles or {}
    align = align or {}
    size = str(int(Pt(font_size).centipoints))
    for r, tr in enumerate(tbl._tbl.tr_lst):
        values = header if r == 0 else rows[r - 1]
        for c, (tc, text) in enumerate(zip(tr.tc_lst, values)):
            if r == 0:
                fill, color, bold = PRIMARY, "#FFFFFF", True
            else:
                fill, color = cell_styles.get((r - 1, c), ("#F3F5F8" if r % 2 == 0 else "#FFFFFF", TEXT_COLOR))
                bold = (r - 1, c) in cell_styles
            _fill_cell(tc, str(text), fill, color, bold, size,
                       PP_ALIGN.CENTER if r == 0 else align.get(c, PP_ALIGN.LEFT))
    return shape


_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_MARGINS = {"marL": str(int(CELL_MARGIN)), "marR": str(int(CELL_MARGIN)), "marT": str(int(Pt(2))),
            "marB": str(int(Pt(2))), "anchor": "ctr"}


def _fill_cell(tc, text: str, fill: str, color: str, bold: bool, size: str, alignment) -> None:
    """One table cell written as python-pptx writes it through its cell API (text, font
    size, bold, colour, alignment, fill, margins, middle anchor, wrap) — built with lxml
    directly: the API's per-property lookups were most of a big deck's build time."""
    for child in list(tc):
        tc.remove(child)
    body = etree.SubElement(tc, f"{_A}txBody")
    etree.SubElement(body, f"{_A}bodyPr", wrap="square")
    etree.SubElement(body, f"{_A}lstStyle")
    para = etree.SubElement(body, f"{_A}p")
    etree.SubElement(para, f"{_A}pPr", algn=PP_ALIGN.to_xml(alignment))
    run = etree.SubElement(para, f"{_A}r")
    rpr = etree.SubElement(run, f"{_A}rPr", sz=size, b="1" if bold else "0")
    _solid(rpr, color)
    etree.SubElement(run, f"{_A}t").text = text
    _solid(etree.SubElement(tc, f"{_A}tcPr", _MARGINS), fill)


def _solid(parent, color: str) -> None:
    etree.SubElement(etree.SubElement(parent, f"{_A}solidFill"), f"{_A}srgbClr", val=color.lstrip("#").upper())


__all__ = ["apply_cjk_fonts", "apply_theme_fonts", "paginate", "rect", "rgb", "row_heights",
           "set_cjk_font", "status_fill", "table", "text_box", "PPT_FONT_FALLBACK"]
