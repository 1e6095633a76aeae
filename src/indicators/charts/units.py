"""By-unit completion bars with the expected-progress (序时) line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from indicators.charts.base import ChartContext, category_x, finish
from indicators.formatting import fmt_pct
from indicators.theme import (
    EXPECTED_LINE_COLOR,
    STATUS_COLORS,
    TEXT_COLOR,
    status_badge,
)


def completion_bars(units: pd.DataFrame, ctx: ChartContext, *, title: str, source: str | None = None,
                    unit: str | None = None, decimals: int = 2) -> go.Figure:
    """``units`` is ``views.indicator_units``. Bars are the progress compared with 序时进度
    (``progress``: the share of the target done — of the increase for a level) in
    percent, coloured by status and labelled with it and the status text; the expected
    progress of each unit is a dark tick (one dashed line when it is the same for all).
    A ratio is drawn as its values against each unit's 序时应达值 instead (``value_bars``):
    no percentage of a percentage. A partial figure is marked 部分汇总."""
    if len(units) and (units["kind"] == "ratio").all():
        return value_bars(units, ctx, title=title, source=source, unit=unit, decimals=decimals)
    names = _names(units)
    comp = units["progress"].astype("float64") * 100
    labels = [f"{fmt_pct(c / 100) if not np.isnan(c) else '—'}<br>{status_badge(s)}" for c, s in zip(comp, units["status"])]
    fig = go.Figure(go.Bar(
        x=names, y=comp.fillna(0).tolist(), name="完成进度",
        marker={"color": [STATUS_COLORS.get(s, "#999999") for s in units["status"]]},
        text=labels, cliponaxis=False, outsidetextfont={"color": TEXT_COLOR},
        # a negative bar keeps its label inside, clear of the unit names under the axis
        textposition=["inside" if c < 0 else "outside" for c in comp.fillna(0)], insidetextanchor="middle",
        customdata=units["status"].tolist(),
        hovertemplate="%{x}：完成进度 %{y:.1f}%<extra></extra>", showlegend=False,
    ))
    exp = units["expected"].astype("float64") * 100
    if exp.notna().any():
        uniform = float(exp.max() - exp.min()) < 0.05  # within 0.05 points: one line
        if uniform:
            e = float(exp.dropna().iloc[0])
            fig.add_hline(y=e, line={"color": EXPECTED_LINE_COLOR, "width": 2, "dash": "dash"},
                          annotation={"text": f"序时进度 {e:.1f}%", "xanchor": "left",
                                      "font": {"size": ctx.base_font, "color": EXPECTED_LINE_COLOR},
                                      "bgcolor": "rgba(255,255,255,0.8)"},
                          annotation_position="top left")
        else:
            fig.add_trace(_ticks(names, exp, "序时进度", "%{x}：序时进度 %{y:.1f}%<extra></extra>"))
    category_x(fig, categoryorder="array", categoryarray=names)
    top = np.nanmax([comp.max() if comp.notna().any() else 0, exp.max() if exp.notna().any() else 0, 100])
    low = min(0.0, float(comp.min()) if comp.notna().any() else 0.0)
    fig.update_yaxes(title_text="完成进度（%）", ticksuffix="%",
                     range=[low * 1.3 - (12 if low < 0 else 0), top * 1.25], zeroline=True, zerolinecolor="#9AA5B1")
    return finish(fig, title, ctx, source=source, height=440, legend=len(fig.data) > 1)


def _ticks(names: list[str], y: pd.Series, name: str, hover: str) -> go.Scatter:
    """Each unit's own 序时 mark: a dark tick across its bar."""
    return go.Scatter(x=names, y=y.tolist(), mode="markers", name=name, hovertemplate=hover,
                      marker={"symbol": "line-ew-open", "size": 60, "color": EXPECTED_LINE_COLOR,
                              "line": {"width": 3, "color": EXPECTED_LINE_COLOR}})


def _names(units: pd.DataFrame) -> list[str]:
    """Unit names for the axis, 部分汇总 said where a figure lacks units."""
    partial = units["partial_text"] if "partial_text" in units else pd.Series([""] * len(units), index=units.index)
    return [f"{n}（部分汇总）" if p else n for n, p in zip(units["unit"], partial)]


def value_bars(units: pd.DataFrame, ctx: ChartContext, *, title: str, source: str | None = None,
               unit: str | None = None, decimals: int = 2) -> go.Figure:
    """A ratio by unit: its value (bars, coloured by status) and each unit's 序时应达值
    (dark ticks), both in the indicator's own unit."""
    names = _names(units)
    vals = units["value"].astype("float64")
    suffix = "%" if unit == "%" else ""
    labels = [f"{'—' if np.isnan(v) else f'{v:,.{decimals}f}{suffix}'}<br>{status_badge(s)}"
              for v, s in zip(vals, units["status"])]
    fig = go.Figure(go.Bar(
        x=names, y=vals.fillna(0).tolist(), name="本期值",
        marker={"color": [STATUS_COLORS.get(s, "#999999") for s in units["status"]]},
        text=labels, cliponaxis=False, outsidetextfont={"color": TEXT_COLOR}, textposition="outside",
        hovertemplate="%{x}：%{y}<extra></extra>", showlegend=False,
    ))
    path = units["expected_value"].astype("float64")
    if path.notna().any():
        fig.add_trace(_ticks(names, path, "序时应达值", "%{x}：序时应达值 %{y}<extra></extra>"))
    category_x(fig, categoryorder="array", categoryarray=names)
    top = np.nanmax([vals.max() if vals.notna().any() else 0, path.max() if path.notna().any() else 0, 0])
    fig.update_yaxes(title_text=f"{'数值'}（{unit}）" if unit else "数值", ticksuffix=suffix,
                     range=[0, top * 1.25 if top > 0 else 1], zeroline=True, zerolinecolor="#9AA5B1")
    return finish(fig, title, ctx, source=source, height=440, legend=len(fig.data) > 1)
