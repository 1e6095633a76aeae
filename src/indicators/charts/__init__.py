"""Plotly figure builders (no streamlit): one module per chart family.

Every builder returns a ``plotly.graph_objects.Figure`` already themed by
``charts.base.finish`` — CJK font family, category axes for months, a title and a footer
with 数据截至 and 来源 — so the page, the PNG export and the slides all look the same.
"""

from indicators.charts.base import ChartContext, export_config
from indicators.charts.matrix import status_heatmap
from indicators.charts.status import district_ranking_bars, status_count_bars
from indicators.charts.trend import trend_figure
from indicators.charts.units import completion_bars

__all__ = ["ChartContext", "export_config", "status_heatmap", "district_ranking_bars", "status_count_bars",
           "trend_figure", "completion_bars"]
