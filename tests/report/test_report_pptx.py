"""report.pptx_deck: open the deck with python-pptx and check it against the numbers."""

from __future__ import annotations

import re

import io
from datetime import date

import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.oxml.ns import qn
from pptx.util import Emu

from indicators.formatting import fmt_pct
from indicators.report.pptx_deck import build_deck
from indicators.theme import PPT_FONT, STATUS_COLORS


@pytest.fixture(scope="module")
def deck(tiny_summary):
    return Presentation(io.BytesIO(build_deck(tiny_summary, issued=date(2026, 11, 23))))


def slide_text(slide) -> str:
    parts = []
    for sh in slide.shapes:
        if sh.has_text_frame:
            parts.append(sh.text_frame.text)
        if sh.has_table:
            parts += [c.text for row in sh.table.rows for c in row.cells]
    return "\n".join(parts)


def charts(deck):
    return [sh.chart for s in deck.slides for sh in s.shapes if sh.has_chart]


def test_sixteen_by_nine(deck):
    assert (deck.slide_width, deck.slide_height) == (Emu(12192000), Emu(6858000))
    assert deck.slide_width / deck.slide_height == pytest.approx(16 / 9, rel=1e-3)


def test_title_and_overview_carry_the_counts(deck, tiny_summary):
    s = tiny_summary
    assert "测试市科技创新重点指标月调度" in slide_text(deck.slides[0])
    assert "2026年10月" in slide_text(deck.slides[0])
    overview = slide_text(deck.slides[1])
    assert f"{s.total}项重点指标，{s.on_track_total}项达到序时进度，{s.lagging_total}项滞后" in overview
    tiles = [sh.text_frame.text for sh in deck.slides[1].shapes if sh.has_text_frame]
    for status in ("done", "on_track", "lagging", "far_behind", "missing", "not_due"):
        assert str(s.counts[status]) in tiles


def test_one_native_combo_chart_per_chart_indicator(deck, tiny_summary):
    cs = charts(deck)
    assert len(cs) == len(tiny_summary.chart_indicators)
    for chart in cs:
        assert chart.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
        kinds = [p.__class__.__name__ for p in chart.plots]
        assert kinds == ["BarPlot", "LinePlot"]
        # progress against 序时进度, or for a ratio its values against 序时应达值
        names = [s.name for s in chart.plots[0].series] + [s.name for s in chart.plots[1].series]
        # the 序时 series is named with its value when all units share it (chart_layout.expected_legend)
        assert names[0] in ("完成进度", "本期值") and names[1].startswith("序时进度" if names[0] == "完成进度" else "序时应达值")
        assert re.fullmatch(r"序时(进度|应达值)( [\d,.]+%?|（各单位不同，见短横线）)?", names[1]), names
        # title, as-of date and source are part of the chart itself
        assert ("完成进度" if names[0] == "完成进度" else "序时应达值") in chart.chart_title.text_frame.text
        stamp = chart.category_axis.axis_title.text_frame.text
        assert "数据截至2026年10月" in stamp and "来源：市科技局指标月调度系统" in stamp


def test_chart_values_and_point_colours_follow_the_status_table(deck, tiny_table):
    chart = charts(deck)[0]  # TC: city first, then the districts
    tc = tiny_table[(tiny_table["indicator_code"] == "TC") & (tiny_table["level"] <= 1)]
    bars = chart.plots[0].series[0]
    assert list(chart.plots[0].categories) == list(tc["org_unit_name"])
    assert list(bars.values) == pytest.approx(list(tc["progress"]))
    assert list(chart.plots[1].series[0].values) == pytest.approx(list(tc["expected"]))
    for i, status in enumerate(tc["status"]):
        colour = bars.points[i].format.fill.fore_color.rgb
        assert "#" + str(colour) == STATUS_COLORS[status].upper()


def test_dispatch_table_slide_matches_the_status_table(deck, tiny_summary):
    tables = [sh.table for s in deck.slides for sh in s.shapes if sh.has_table
              and sh.table.cell(0, 0).text == "序号"]
    assert tables
    assert [c.text for c in tables[0].rows[0].cells] == ["序号", "指标", "本期值", "年度目标", "完成率", "序时进度",
                                                         "差距", "同比", "状态", "牵头科室"]
    cells = {tables[0].cell(r, 1).text.split("（部分汇总")[0]: [tables[0].cell(r, c).text for c in range(10)]
             for r in range(1, len(tables[0].rows))}
    assert set(cells) == set(tiny_summary.key_rows["indicator_name"])  # key indicators, targets or not
    assert cells["技术合同成交额"][7] == "+12.5%"  # 1—10月 (70 + 20) against last year's (50 + 30)
    for r in tiny_summary.key_rows.itertuples():
        row = cells[r.indicator_name]
        assert row[4] == fmt_pct(r.completion) and row[5] == fmt_pct(r.expected)
        assert r.status_label in row[8]
        if r.status == "no_target":
            assert row[3] == "—" and row[4] == "—"


def test_every_run_names_the_chinese_font_as_east_asian_typeface(deck):
    for slide in deck.slides:
        runs = list(slide.shapes._spTree.iter(qn("a:rPr")))
        assert runs
        for rpr in runs:
            assert rpr.find(qn("a:ea")).get("typeface") == PPT_FONT
            assert rpr.get("lang") == "zh-CN"
    for chart in charts(deck):
        for rpr in chart._chartSpace.iter(qn("a:defRPr"), qn("a:rPr")):
            assert rpr.find(qn("a:ea")).get("typeface") == PPT_FONT


def test_the_theme_names_the_chinese_font(deck):
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT
    theme = deck.slide_master.part.part_related_by(RT.THEME).blob.decode()
    assert f'<a:ea typeface="{PPT_FONT}"' in theme
    assert f'script="Hans" typeface="{PPT_FONT}"' in theme


def test_no_chart_slide_when_nothing_lags(tiny_summary):
    from dataclasses import replace
    calm = replace(tiny_summary, chart_indicators=[], lagging=tiny_summary.lagging.iloc[0:0])
    prs = Presentation(io.BytesIO(build_deck(calm, issued=date(2026, 11, 23))))
    assert not charts(prs)
    assert len(prs.slides) >= 3


def test_the_heat_map_slides_end_with_each_districts_ranking_and_its_move(deck):
    matrix = [s for s in deck.slides if any(sh.has_text_frame and sh.text_frame.text.startswith("各区县完成情况")
                                            for sh in s.shapes)]
    assert matrix
    for slide in matrix:
        (table,) = [sh.table for sh in slide.shapes if sh.has_table]
        rows = [[c.text for c in r.cells] for r in table.rows]
        assert rows[0] == ["指标", "甲区", "乙县"]
        # 10月: 甲区 4 of 6 due on track (first), 乙县 none (second); 9月 the same places
        assert rows[-1] == ["综合排名（升降较上月）", "第1名 持平", "第2名 持平"]
