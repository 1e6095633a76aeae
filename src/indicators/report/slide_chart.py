"""The briefing's native completion chart: bars by unit, one colour per status, with
序时进度 as a tick per bar (a bar + line combination chart), each value label placed by
``chart_layout`` clear of its tick. Editable in PowerPoint; LibreOffice draws the same.
"""

from __future__ import annotations

import copy

from lxml import etree
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import (
    XL_CHART_TYPE,
    XL_LABEL_POSITION,
    XL_LEGEND_POSITION,
    XL_MARKER_STYLE,
    XL_TICK_LABEL_POSITION,
)
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.oxml.ns import qn
from pptx.util import Pt

from indicators.report import chart_layout
from indicators.report.slide_kit import apply_cjk_fonts, fill_paragraphs, rgb
from indicators.safe_text import neutral
from indicators.theme import EXPECTED_LINE_COLOR, MUTED_COLOR, PRIMARY, STATUS_COLORS, TEXT_COLOR, status_text_color


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
    _labels_beyond_dash(chart, completion, fitted.positions, values_unit)
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
        if position in (None, "outside_end", chart_layout.BEYOND_DASH):
            continue
        label = bars.points[i].data_label
        label.position, label.font.size = _LABEL_POSITIONS[position], Pt(11)
        label.font.color.rgb = rgb(status_text_color(status))  # on the bar's colour
        # schema order: idx, numFmt, spPr, txPr, dLblPos, show…
        label._dLbl.find(qn("c:idx")).addnext(etree.Element(qn("c:numFmt"), formatCode=fmt, sourceLinked="0"))


def _labels_beyond_dash(chart, completion: list, positions: list[str | None], values_unit: str | None) -> None:
    """A bar whose label has no clear place of its own (``chart_layout.BEYOND_DASH``): its
    own label deleted, its value written on its 序时 point's label, past the dash."""
    bars, line = chart.plots[0].series[0], chart.plots[1].series[0]
    for i, position in enumerate(positions):
        if position != chart_layout.BEYOND_DASH:
            continue
        v = chart_layout.as_number(completion[i])
        hidden = bars.points[i].data_label._get_or_add_dLbl()
        for child in list(hidden)[1:]:  # keep c:idx; a deleted label has nothing else
            hidden.remove(child)
        etree.SubElement(hidden, qn("c:delete")).set("val", "1")
        label = line.points[i].data_label
        label.position = XL_LABEL_POSITION.ABOVE if v >= 0 else XL_LABEL_POSITION.BELOW
        label.text_frame.text = chart_layout.value_text(v, values_unit)
        run = label.text_frame.paragraphs[0].runs[0]
        run.font.size, run.font.color.rgb = Pt(11), rgb(TEXT_COLOR)


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


__all__ = ["completion_chart"]
