"""Chart builders, asserted on the figure data (DESIGN §7.4)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from indicators import charts
from indicators.charts.base import BRIEFING_SIZE, ChartContext, export_config
from indicators.theme import STATUS_COLORS

CTX = ChartContext(as_of="2026-10", source="测试来源")


def stamp(fig: go.Figure) -> str:
    return next(a.text for a in fig.layout.annotations if a.name == "stamp")


def assert_themed(fig: go.Figure, title: str):
    assert title in fig.layout.title.text
    assert fig.layout.font.family.startswith('"Noto Sans CJK SC"')
    assert "数据截至 2026年10月" in stamp(fig) and "来源：" in stamp(fig)


def test_status_count_bars():
    counts = pd.DataFrame({"status": ["done", "lagging", "missing"], "badge": ["✔ 已完成", "▲ 滞后", "✕ 未报送"],
                           "count": [2, 3, 0], "color": ["", "", ""]})
    fig = charts.status_count_bars(counts, CTX, title="状态")
    bar = fig.data[0]
    assert list(bar.x) == ["✔ 已完成", "▲ 滞后"]  # zero counts left out
    assert list(bar.y) == [2, 3]
    assert list(bar.marker.color) == [STATUS_COLORS["done"], STATUS_COLORS["lagging"]]
    assert fig.layout.xaxis.type == "category"
    assert_themed(fig, "状态")


def test_district_ranking_bars_best_on_top():
    ranking = pd.DataFrame({"排名": [1, 2], "单位": ["东城区", "西城区"], "达序时率": [0.9, np.nan]})
    fig = charts.district_ranking_bars(ranking, CTX)
    bar = fig.data[0]
    assert list(bar.y) == ["西城区", "东城区"]  # plotly draws bottom-up
    assert list(bar.x) == [0, 90]
    assert bar.text[-1].startswith("第1名")


def test_district_that_sent_nothing_says_so():
    # ``views.district_ranking``: a district that reported nothing due has no rank, and a note
    ranking = pd.DataFrame({"排名": pd.array([1, pd.NA], dtype="Int64"), "单位": ["东城区", "青溪县"],
                            "达序时率": [0.9, 0.0], "考核指标数": [15, 15], "未报送": [0, 15], "说明": ["", "未报送"]})
    bar = charts.district_ranking_bars(ranking, CTX).data[0]
    assert list(bar.text) == ["未报送", "第1名　90%"]
    assert bar.marker.color[0] == STATUS_COLORS["missing"]


def test_trend_marks_partial_months():
    trend = _trend().assign(partial=[m == 10 for m in range(1, 13)])
    names = [tr.name for tr in charts.trend_figure(trend, CTX, title="t").data]
    assert "部分汇总（有单位未报）" in names
    assert "部分汇总（有单位未报）" not in [tr.name for tr in charts.trend_figure(_trend(), CTX, title="t").data]


def _trend(kind_due=None):
    months = range(1, 13)
    return pd.DataFrame({
        "month": list(months), "label": [f"{m}月" for m in months],
        "this_year": [m * 10.0 if m <= 10 else np.nan for m in months],
        "last_year": [m * 9.0 for m in months], "target_path": [m * 12.5 for m in months],
        "target": 150.0, "due": kind_due if kind_due is not None else [True] * 12,
    })


def test_trend_figure_series_and_category_axis():
    fig = charts.trend_figure(_trend(), CTX, title="技术合同成交额", unit="亿元")
    names = [t.name for t in fig.data]
    assert names == ["上年同期", "序时目标", "本年"]
    this = fig.data[2]
    assert list(this.x)[:3] == ["1月", "2月", "3月"]
    assert this.y[9] == 100 and np.isnan(this.y[10])
    assert fig.layout.xaxis.type == "category"
    assert any("全年目标 150.00 亿元" in (a.text or "") for a in fig.layout.annotations)
    assert_themed(fig, "技术合同成交额")


def test_trend_figure_quarterly_shows_due_months_only():
    fig = charts.trend_figure(_trend([m % 3 == 0 for m in range(1, 13)]), CTX, title="R&D", unit="%", kind="ratio")
    assert list(fig.data[0].x) == ["3月", "6月", "9月", "12月"]
    assert fig.layout.yaxis.rangemode == "normal"


def labels(fig: go.Figure) -> list[str]:
    return [a.text for a in fig.layout.annotations if a.name == "bar_label"]


def test_completion_bars_status_colours_and_expected_marker():
    units = pd.DataFrame({"unit": ["东城区", "西城区", "高新区"], "kind": "cumulative", "progress": [0.9, 0.5, np.nan],
                          "expected": [0.8333, 0.8333, 0.8333], "status": ["done", "far_behind", "missing"],
                          "partial_text": ["", "", ""]})
    fig = charts.completion_bars(units, CTX, title="各单位")
    bar = fig.data[0]
    assert list(bar.x) == ["东城区", "西城区", "高新区"]
    assert list(bar.y) == pytest.approx([90, 50, 0])
    assert list(bar.marker.color) == [STATUS_COLORS[s] for s in ("done", "far_behind", "missing")]
    assert labels(fig) == ["90.0%<br>✔ 已完成", "50.0%<br>▼ 严重滞后", "—<br>✕ 未报送"]  # colour travels with its label
    assert not fig.layout.shapes  # no line across the bars and their labels
    assert fig.data[1].name == "序时进度 83.3%" and list(fig.data[1].y) == pytest.approx([83.33] * 3)


def test_completion_bars_per_unit_expected_ticks():
    units = pd.DataFrame({"unit": ["甲", "乙"], "kind": "stock", "progress": [0.5, 0.6], "expected": [0.4, 0.7],
                          "status": ["on_track", "lagging"], "partial_text": ["", "部分汇总，缺：丙镇"]})
    fig = charts.completion_bars(units, CTX, title="x")
    assert fig.data[1].name == "序时进度（各单位不同，见短横线）" and list(fig.data[1].y) == pytest.approx([40, 70])
    assert list(fig.data[0].x) == ["甲", "乙（部分汇总）"]


def test_ratio_bars_show_values_against_the_path_not_a_percentage_of_a_percentage():
    units = pd.DataFrame({"unit": ["甲", "乙"], "kind": "ratio", "value": [2.46, 2.52], "progress": [0.6, 1.2],
                          "expected_value": [2.475, 2.475], "status": ["far_behind", "done"], "partial_text": ""})
    fig = charts.completion_bars(units, CTX, title="x", unit="%", decimals=2)
    assert list(fig.data[0].y) == pytest.approx([2.46, 2.52])
    assert labels(fig)[0].startswith("2.46%")
    assert fig.data[1].name == "序时应达值 2.48%" and list(fig.data[1].y) == pytest.approx([2.475, 2.475])


def test_completion_axis_is_fitted_to_the_data():
    units = pd.DataFrame({"unit": ["甲", "乙", "丙"], "kind": "cumulative", "progress": [0.157, 0.08, 0.02],
                          "expected": [0.08] * 3, "status": ["done", "on_track", "lagging"], "partial_text": ""})
    low, top = charts.completion_bars(units, CTX, title="x").layout.yaxis.range
    assert low == 0 and 15.7 < top < 40  # room for the labels, not a run to 100 % or 120 %


def test_status_heatmap_cells_carry_labels():
    m = pd.DataFrame({"unit": ["市", "市", "东城区", "东城区"], "indicator": ["甲", "乙", "甲", "乙"],
                      "status": ["done", "not_due", "lagging", "no_target"],
                      "badge": ["✔ 已完成", "○ 未到期", "▲ 滞后", "– 无目标"], "text": ["101.0%", "", "70.0%", ""],
                      "gap_pp": [1, np.nan, -3, np.nan], "unit_order": [0, 0, 10001, 10001], "indicator_order": [1, 2, 1, 2]})
    fig = charts.status_heatmap(m, CTX)
    hm = fig.data[0]
    assert list(hm.x) == ["市", "东城区"] and list(hm.y) == ["甲", "乙"]
    assert hm.text[0][0] == "✔ 101.0%" and hm.text[1][1] == "– 无目标" and hm.text[1][0] == "○ 未到期"
    assert hm.z[0][0] == 0.5 and hm.z[0][1] == 2.5  # done, lagging in STATUS_ORDER
    key = next(a.text for a in fig.layout.annotations if a.name == "key")
    assert "▲ 滞后" in key and "✕ 未报送" not in key
    # a district's column is headed by its 综合排名 and 排名升降 (views.status_matrix's unit_label)
    fig = charts.status_heatmap(m.assign(unit_label=m["unit"].map({"市": "市", "东城区": "东城区<br>第2名 ↑1"})), CTX)
    assert list(fig.layout.xaxis.ticktext) == ["市", "东城区<br>第2名 ↑1"] and list(fig.layout.xaxis.tickvals) == ["市", "东城区"]


def test_briefing_is_16_9_with_large_type():
    ctx = ChartContext(as_of="2026-10", briefing=True)
    fig = charts.status_count_bars(pd.DataFrame({"status": ["done"], "badge": ["✔ 已完成"], "count": [1],
                                                 "color": [""]}), ctx)
    assert (fig.layout.width, fig.layout.height) == BRIEFING_SIZE
    assert BRIEFING_SIZE[0] * 9 == BRIEFING_SIZE[1] * 16
    assert fig.layout.font.size >= 20


def test_export_config_png_2x_chinese_name():
    cfg = export_config("区县达序时率排名", CTX)
    opts = cfg["toImageButtonOptions"]
    assert opts["format"] == "png" and opts["scale"] == 2
    assert opts["filename"] == "区县达序时率排名_2026年10月"
    assert export_config('a/b:c "d"', CTX)["toImageButtonOptions"]["filename"] == "a_b_c_d_2026年10月"
