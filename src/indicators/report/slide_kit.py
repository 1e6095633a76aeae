"""Building blocks for the briefing deck: Chinese fonts, text boxes, tables and the
native completion chart (bars by unit with the 序时进度 line).

Fonts: every run names ``theme.PPT_FONT`` (Microsoft YaHei, present on the bureau's
Windows machines) as both its latin and east-asian (``a:ea``) typeface, with the GB2312
charset and ``lang="zh-CN"``; a renderer without YaHei (LibreOffice on Linux) then picks
a simplified-Chinese face — Noto Sans CJK SC via fontconfig — instead of Japanese glyph
shapes. The theme's font scheme carries the same names for anything added later by hand.
"""

from __future__ import annotations

import copy
import math

from lxml import etree
from pptx.chart.data import CategoryChartData

from indicators.report import chart_layout
from indicators.safe_text import neutral
from pptx.dml.color import RGBColor
from pptx.enum.chart import (XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE,
                              XL_TICK_LABEL_POSITION)
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

from indicators.theme import (
    EXPECTED_LINE_COLOR,
    MUTED_COLOR,
    PPT_FONT,
    PPT_FONT_FALLBACK,
    PRIMARY,
    STATUS_COLORS,
    TEXT_COLOR,
    status_text_color,
)

GB2312_CHARSET = "-122"  # 134 as a signed byte, the way PowerPoint writes it
_RPR_TAGS = (qn("a:rPr"), qn("a:defRPr"), qn("a:endParaRPr"))
# children of a:rPr that must come after latin/ea/cs (schema order)
_AFTER_FONTS = {qn("a:sym"), qn("a:hlinkClick"), qn("a:hlinkMouseOver"), qn("a:rtl"), qn("a:extLst")}


def rgb(hex_color: str) -> RGBColor:
    return RGBColor.from_string(hex_color.lstrip("#").upper())


def status_fill(status: str) -> tuple[str, str]:
    """A status cell's (fill, text colour) in a table's ``cell_styles``."""
    return STATUS_COLORS[status], status_text_color(status)


def set_cjk_font(rpr: etree._Element) -> None:
    """Name the Chinese font as latin and east-asian typeface of one run's properties."""
    rpr.set("lang", "zh-CN")
    rpr.set("altLang", "en-US")
    for tag in ("a:latin", "a:ea", "a:cs"):
        for old in rpr.findall(qn(tag)):
            rpr.remove(old)
    anchor = next((c for c in rpr if c.tag in _AFTER_FONTS), None)
    for tag in ("a:latin", "a:ea", "a:cs"):
        el = etree.SubElement(rpr, qn(tag))
        el.set("typeface", PPT_FONT)
        if tag != "a:cs":
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
    for i, para in enumerate(paragraphs):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        runs = para if isinstance(para, list) else [para]
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
    for i, w in enumerate(widths):
        tbl.columns[i].width = Emu(w)
    for r in range(n_rows):
        tbl.rows[r].height = Emu(heights[r])
    cell_styles = cell_styles or {}
    align = align or {}
    for r in range(n_rows):
        values = header if r == 0 else rows[r - 1]
        for c, text in enumerate(values):
            cell = tbl.cell(r, c)
            cell.margin_left = cell.margin_right = CELL_MARGIN
            cell.margin_top = cell.margin_bottom = Pt(2)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            if r == 0:
                fill, color, bold = PRIMARY, "#FFFFFF", True
            else:
                fill, color = cell_styles.get((r - 1, c), ("#F3F5F8" if r % 2 == 0 else "#FFFFFF", TEXT_COLOR))
                bold = (r - 1, c) in cell_styles
            cell.fill.solid()
            cell.fill.fore_color.rgb = rgb(fill)
            tf = cell.text_frame
            tf.word_wrap = True
            p = tf.paragraphs[0]
            p.alignment = PP_ALIGN.CENTER if r == 0 else align.get(c, PP_ALIGN.LEFT)
            run = p.add_run()
            run.text = str(text)
            run.font.size = Pt(font_size)
            run.font.bold = bold
            run.font.color.rgb = rgb(color)
    return shape


def completion_chart(slide, left, top, width, height, *, title: str, subtitle: str,
                     categories: list[str], completion: list[float | None], expected: list[float | None],
                     statuses: list[str], values_unit: str | None = None):
    """A native, editable column chart: progress by unit, one colour per status, with
    序时进度 as a line series on the same axes (a bar + line combination chart).

    Values are fractions (1.0 = 100%); with ``values_unit`` they are a ratio's values in
    that unit against its 序时应达值 instead. ``title`` is the chart title; ``subtitle``
    (as-of date and source) is the category axis title, so both travel with the chart.
    """
    fmt = "0.0%" if values_unit is None else ('0.00"%"' if values_unit == "%" else "#,##0.00")
    data = CategoryChartData(number_format=fmt)
    # python-pptx writes the chart's data sheet with xlsxwriter's defaults, which turn a
    # category like "=HYPERLINK(…)" into a formula there: give such a name its apostrophe
    data.categories = [neutral(c) for c in categories]
    data.add_series("完成进度" if values_unit is None else "本期值", [chart_layout.as_number(v) for v in completion])
    data.add_series(chart_layout.expected_legend(expected, values_unit), [chart_layout.as_number(v) for v in expected])
    frame = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, left, top, width, height, data)
    chart = frame.chart
    _move_series_to_line(chart)
    fitted = chart_layout.layout(completion, expected, chart_layout.plot_height_pt(height), values_unit is None)
    _status_bars(chart.plots[0], statuses, fmt, fitted.positions)
    _expected_ticks(chart.plots[1].series[0], expected)
    _value_axis(chart.value_axis, fitted, values_unit, fmt)
    _category_axis(chart.category_axis, subtitle)
    _legend_and_title(chart, title)
    apply_cjk_fonts(chart._chartSpace)
    return frame


_LABEL_POSITIONS = {p: getattr(XL_LABEL_POSITION, p.upper()) for p in chart_layout.POSITIONS}


def _status_bars(bar_plot, statuses: list[str], fmt: str, positions: list[str | None]) -> None:
    """One colour per status; each value label where ``chart_layout`` keeps it clear of the 序时 dash."""
    bar_plot.gap_width = 60
    bar_plot.vary_by_categories = False
    bars = bar_plot.series[0]
    bars.format.fill.solid()
    bars.format.fill.fore_color.rgb = rgb(PRIMARY)
    for i, status in enumerate(statuses):
        point = bars.points[i]
        point.format.fill.solid()
        point.format.fill.fore_color.rgb = rgb(STATUS_COLORS.get(status, PRIMARY))
    labels = bars.data_labels  # on the series: a point's own label would switch off the plot's
    labels.show_value, labels.number_format = True, fmt
    labels.number_format_is_linked = False
    labels.position = XL_LABEL_POSITION.OUTSIDE_END
    labels.font.size = Pt(11)
    labels.font.color.rgb = rgb(TEXT_COLOR)
    for i, (position, status) in enumerate(zip(positions, statuses)):
        if position in (None, "outside_end"):
            continue
        label = bars.points[i].data_label
        label.position, label.font.size = _LABEL_POSITIONS[position], Pt(11)
        label.font.color.rgb = rgb(status_text_color(status))  # on the bar's colour
        # schema order: idx, numFmt, spPr, txPr, dLblPos, show…
        label._dLbl.find(qn("c:idx")).addnext(etree.Element(qn("c:numFmt"), formatCode=fmt, sourceLinked="0"))


def _expected_ticks(line, expected: list[float | None]) -> None:
    """序时进度 as a tick per unit; joined by a dashed line when every unit has the same."""
    line.smooth = False
    known = chart_layout.distinct_expected(expected)
    if len(known) <= 1:  # one 序时进度 for all: a dashed line across the units
        line.format.line.color.rgb = rgb(EXPECTED_LINE_COLOR)
        line.format.line.width = Pt(2)
        line.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
    else:  # each unit paced by its own history: a tick per unit, no connecting line
        line.format.line.fill.background()
    line.marker.style = XL_MARKER_STYLE.DASH
    line.marker.size = 20
    line.marker.format.fill.solid()
    line.marker.format.fill.fore_color.rgb = rgb(EXPECTED_LINE_COLOR)
    line.marker.format.line.color.rgb = rgb(EXPECTED_LINE_COLOR)


def _value_axis(axis, fitted, values_unit: str | None, fmt: str) -> None:
    """Ticks on round numbers from below the lowest to above the highest value and label."""
    axis.major_unit = fitted.major
    axis.maximum_scale = fitted.high
    axis.minimum_scale = fitted.low
    axis.has_major_gridlines = True
    axis.major_gridlines.format.line.color.rgb = rgb("#E5E7EB")
    axis.format.line.fill.background()
    axis.tick_labels.number_format = "0%" if values_unit is None else fmt
    axis.tick_labels.number_format_is_linked = False
    axis.tick_labels.font.size = Pt(11)
    axis.tick_labels.font.color.rgb = rgb(MUTED_COLOR)


def _category_axis(cat, subtitle: str) -> None:
    cat.tick_label_position = XL_TICK_LABEL_POSITION.LOW  # below the plot, clear of negative bars
    cat.tick_labels.font.size = Pt(12)
    cat.tick_labels.font.color.rgb = rgb(TEXT_COLOR)
    cat.format.line.color.rgb = rgb("#9CA3AF")
    # as-of date and source as the category axis title: part of the chart (it travels when
    # the chart is copied) and, unlike a second title paragraph, styled on its own everywhere
    cat.has_title = True
    tf = cat.axis_title.text_frame
    tf.text = ""
    fill_paragraphs(tf, [(subtitle, 10, {"color": MUTED_COLOR})])


def _legend_and_title(chart, title: str) -> None:
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.TOP
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(11)
    _hide_legend_entry(chart, 0)  # the bars' colours are the statuses, explained beside the chart
    chart.has_title = True
    tf = chart.chart_title.text_frame
    tf.text = ""
    fill_paragraphs(tf, [(title, 15, {"bold": True})])


def _hide_legend_entry(chart, idx: int) -> None:
    legend = chart._chartSpace.chart.find(qn("c:legend"))
    entry = etree.Element(qn("c:legendEntry"))
    etree.SubElement(entry, qn("c:idx")).set("val", str(idx))
    etree.SubElement(entry, qn("c:delete")).set("val", "1")
    legend.find(qn("c:legendPos")).addnext(entry)


def _move_series_to_line(chart) -> None:
    """Turn the bar chart's second series into a line chart sharing the same axes."""
    plot_area = chart._chartSpace.chart.plotArea
    bar = plot_area.find(qn("c:barChart"))
    ser = bar.findall(qn("c:ser"))[1]
    bar.remove(ser)
    for tag in ("c:invertIfNegative", "c:shape"):
        for el in ser.findall(qn(tag)):
            ser.remove(el)
    line = etree.SubElement(plot_area, qn("c:lineChart"))
    etree.SubElement(line, qn("c:grouping")).set("val", "standard")
    etree.SubElement(line, qn("c:varyColors")).set("val", "0")
    line.append(ser)
    etree.SubElement(line, qn("c:marker")).set("val", "1")
    for ax in bar.findall(qn("c:axId")):
        line.append(copy.deepcopy(ax))
    bar.addnext(line)  # plot elements come before the axes in the plot area




__all__ = ["apply_cjk_fonts", "apply_theme_fonts", "completion_chart", "paginate", "rect", "rgb", "row_heights",
           "set_cjk_font", "status_text_color", "table", "text_box", "PPT_FONT_FALLBACK"]
