"""Indicator trend: this year against last year and the target path (序时 line)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from indicators.charts.base import ChartContext, category_x, finish
from indicators.formatting import fmt_number
from indicators.theme import EXPECTED_LINE_COLOR, PRIMARY, SERIES_COLORS, STATUS_COLORS


def trend_figure(trend: pd.DataFrame, ctx: ChartContext, *, title: str, unit: str | None = None,
                 decimals: int = 2, source: str | None = None, kind: str = "cumulative") -> go.Figure:
    """``trend`` is ``views.indicator_trend``: one row per month. Only the months the
    indicator reports on are drawn (a quarterly indicator shows 3/6/9/12月)."""
    t = trend[trend["due"]] if trend["due"].any() else trend
    x = t["label"].tolist()
    fmt = f",.{int(decimals)}f"
    suffix = f" {unit}" if unit and unit != "%" else (unit or "")
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=x, y=t["last_year"].tolist(), name="上年同期", mode="lines+markers",
        line={"color": SERIES_COLORS[1], "width": 2.5, "dash": "dash"}, marker={"size": 7},
        hovertemplate=f"上年 %{{x}}：%{{y:{fmt}}}{suffix}<extra></extra>",
    ))
    if t["target_path"].notna().any():
        fig.add_trace(go.Scatter(
            x=x, y=t["target_path"].tolist(), name="序时目标", mode="lines",
            line={"color": EXPECTED_LINE_COLOR, "width": 2, "dash": "dot"},
            hovertemplate=f"序时目标 %{{x}}：%{{y:{fmt}}}{suffix}<extra></extra>",
        ))
    this = t["this_year"].astype("float64")
    last_idx = this.last_valid_index()
    fig.add_trace(go.Scatter(
        x=x, y=this.tolist(), name="本年", mode="lines+markers+text",
        line={"color": PRIMARY, "width": 4}, marker={"size": 10},
        text=[fmt_number(v, decimals) if (i == last_idx and not np.isnan(v)) else "" for i, v in zip(this.index, this)],
        textposition="top center", textfont={"color": PRIMARY, "size": ctx.base_font + 2},
        hovertemplate=f"本年 %{{x}}：%{{y:{fmt}}}{suffix}<extra></extra>",
    ))
    if "partial" in t and t["partial"].any():  # say so where a month's total lacks units
        gaps = t[t["partial"].astype(bool)]
        fig.add_trace(go.Scatter(
            x=gaps["label"].tolist(), y=gaps["this_year"].tolist(), name="部分汇总（有单位未报）",
            mode="markers", marker={"size": 16, "symbol": "circle-open", "color": STATUS_COLORS["lagging"],
                                    "line": {"width": 3}},
            hovertemplate=f"%{{x}}：%{{y:{fmt}}}{suffix}，部分单位未报送<extra></extra>",
        ))
    target = t["target"].dropna()
    if len(target):
        fig.add_hline(y=float(target.iloc[0]), line={"color": EXPECTED_LINE_COLOR, "width": 1, "dash": "longdash"},
                      annotation={"text": f"全年目标 {fmt_number(target.iloc[0], decimals)}{suffix}", "xanchor": "left",
                                  "font": {"size": ctx.base_font, "color": EXPECTED_LINE_COLOR}},
                      annotation_position="top left")
    category_x(fig, categoryorder="array", categoryarray=x)
    # cumulative values start at zero each year; levels are read against their own range
    fig.update_yaxes(title_text=unit or "", rangemode="tozero" if kind == "cumulative" else "normal", tickformat=",")
    return finish(fig, title, ctx, source=source, height=420)
