"""By-unit completion bars with the expected progress (序时) as a marker on every bar.

Laid out for slides: each bar's label (value and status) is placed where it collides with
neither its bar's 序时 marker nor the axis edge, the 序时 value is in the legend (not a
label across the bars), and the value axis is fitted to the data and the labels — not
stretched to 100 % when the best unit stands at 15 %.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from indicators.charts.base import ChartContext, category_x, finish, plot_height
from indicators.formatting import fmt_pct
from indicators.theme import EXPECTED_LINE_COLOR, STATUS_COLORS, TEXT_COLOR, status_badge

LABEL_LINES = 2  # value, status
MARKER_PX = 4  # the 序时 dash's thickness
GAP_PX = 6  # air between a label and a marker, a bar or the plot's edge
PAGE_HEIGHT = 440


@dataclass(frozen=True)
class LabelLayout:
    """Where each bar's label sits (data units) and the fitted value axis."""

    y: list[float]  # the label's anchor
    below: list[bool]  # True: hangs below y (a negative bar), else stands on y
    low: float
    top: float
    label_px: float


def label_px(font: int) -> float:
    return LABEL_LINES * font * 1.3 + 2


def layout_labels(comp: np.ndarray, exp: np.ndarray, plot_px: float, font: int) -> LabelLayout:
    """Label anchors and axis range such that no label overlaps its 序时 marker and every
    label fits inside the axis: iterate, as the data height of a pixel depends on the range."""
    c = np.nan_to_num(comp.astype("float64"), nan=0.0)
    e = exp.astype("float64")
    lab = label_px(font)
    high = max(float(np.nanmax(c)) if len(c) else 0.0, float(np.nanmax(e)) if np.isfinite(e).any() else 0.0)
    high = high if high > 0 else 1.0  # nothing above zero: an axis of one percent
    low = min(0.0, float(c.min()) if len(c) else 0.0)
    top = high * 1.2
    below = [bool(v < 0) for v in c]
    for _ in range(12):
        u = (top - low) / plot_px  # data units per pixel
        ys = []
        for v, x, neg in zip(c, e, below):
            if neg:
                ys.append(v - GAP_PX * u / 2)  # hangs below the bar's end
                continue
            y = v + GAP_PX * u / 2
            clear = x + (MARKER_PX / 2 + GAP_PX) * u
            if np.isfinite(x) and y < clear and y + lab * u > x - (MARKER_PX / 2 + GAP_PX) * u:
                y = clear  # the label would cover the marker: stand it on the marker instead
            ys.append(y)
        tops = [y + lab * u for y, neg in zip(ys, below) if not neg] + [high]
        bottoms = [y - lab * u for y, neg in zip(ys, below) if neg] + [0.0]
        new_top = max(tops) + GAP_PX * u
        new_low = min(low, min(bottoms) - GAP_PX * u) if any(below) else 0.0
        if abs(new_top - top) < 1e-9 and abs(new_low - low) < 1e-9:
            break
        top, low = new_top, new_low
    return LabelLayout(ys, below, low, top, lab)


def completion_bars(units: pd.DataFrame, ctx: ChartContext, *, title: str, source: str | None = None,
                    unit: str | None = None, decimals: int = 2) -> go.Figure:
    """``units`` is ``views.indicator_units``. Bars are the progress compared with 序时进度
    (``progress``: the share of the target done — of the increase for a level) in
    percent, coloured by status and labelled with it and the status text; each unit's
    expected progress is a dark dash on its bar, named with its value in the legend.
    A ratio is drawn as its values against each unit's 序时应达值 instead (``value_bars``):
    no percentage of a percentage. A partial figure is marked 部分汇总."""
    if len(units) and "kind" in units and (units["kind"] == "ratio").all():
        return value_bars(units, ctx, title=title, source=source, unit=unit, decimals=decimals)
    comp = (units["progress"].astype("float64") * 100).to_numpy()
    exp = (units["expected"].astype("float64") * 100).to_numpy()
    texts = [f"{fmt_pct(c / 100) if not np.isnan(c) else '—'}<br>{status_badge(s)}" for c, s in zip(comp, units["status"])]
    known = exp[np.isfinite(exp)]
    mark = (f"序时进度 {fmt_pct(known[0] / 100)}" if float(known.max() - known.min()) < 0.05
            else "序时进度（各单位不同，见短横线）") if len(known) else None
    return _labelled_bars(units, comp, exp, texts, ctx, title=title, source=source, bar_name="完成进度",
                          mark_name=mark, axis="完成进度（%）", suffix="%", hover="完成进度 %{y:.1f}%",
                          mark_hover="序时进度 %{y:.1f}%")


def value_bars(units: pd.DataFrame, ctx: ChartContext, *, title: str, source: str | None = None,
               unit: str | None = None, decimals: int = 2) -> go.Figure:
    """A ratio by unit: its value (bars, coloured by status) and each unit's 序时应达值
    (dark dashes), both in the indicator's own unit."""
    vals = units["value"].astype("float64").to_numpy()
    path = units["expected_value"].astype("float64").to_numpy()
    suffix = "%" if unit == "%" else ""
    texts = [f"{'—' if np.isnan(v) else f'{v:,.{decimals}f}{suffix}'}<br>{status_badge(s)}"
             for v, s in zip(vals, units["status"])]
    known = path[np.isfinite(path)]
    mark = (f"序时应达值 {known[0]:,.{decimals}f}{suffix}" if float(known.max() - known.min()) < 10 ** -(decimals + 1)
            else "序时应达值（各单位不同，见短横线）") if len(known) else None
    return _labelled_bars(units, vals, path, texts, ctx, title=title, source=source, bar_name="本期值",
                          mark_name=mark, axis=f"数值（{unit}）" if unit else "数值", suffix=suffix,
                          hover="%{y}", mark_hover="序时应达值 %{y}")


def _names(units: pd.DataFrame) -> list[str]:
    """Unit names for the axis, 部分汇总 said where a figure lacks units."""
    partial = units["partial_text"] if "partial_text" in units else pd.Series([""] * len(units), index=units.index)
    return [f"{n}（部分汇总）" if p else n for n, p in zip(units["unit"], partial)]


def _labelled_bars(units: pd.DataFrame, bars: np.ndarray, marks: np.ndarray, texts: list[str], ctx: ChartContext, *,
                   title: str, source: str | None, bar_name: str, mark_name: str | None, axis: str, suffix: str,
                   hover: str, mark_hover: str) -> go.Figure:
    """Status-coloured bars, a dash per bar for 序时, and labels laid out by ``layout_labels``."""
    names = _names(units)
    fig = go.Figure(go.Bar(
        x=names, y=np.nan_to_num(bars, nan=0.0).tolist(), name=bar_name, text=texts, textposition="none",
        marker={"color": [STATUS_COLORS.get(s, "#999999") for s in units["status"]]},
        customdata=units["status"].tolist(), hovertemplate=f"%{{x}}：{hover}<extra></extra>", showlegend=False,
    ))
    if mark_name:
        fig.add_trace(go.Scatter(
            x=names, y=marks.tolist(), mode="markers", name=mark_name,
            marker={"symbol": "line-ew-open", "size": 44 if ctx.briefing else 36, "color": EXPECTED_LINE_COLOR,
                    "line": {"width": MARKER_PX, "color": EXPECTED_LINE_COLOR}},
            hovertemplate=f"%{{x}}：{mark_hover}<extra></extra>",
        ))
    category_x(fig, categoryorder="array", categoryarray=names)
    fig = finish(fig, title, ctx, source=source, height=PAGE_HEIGHT, legend=len(fig.data) > 1)
    lay = layout_labels(bars, marks, plot_height(fig), ctx.base_font)
    for name, text, y, below in zip(names, texts, lay.y, lay.below):
        fig.add_annotation(x=name, y=y, text=text, showarrow=False, yanchor="top" if below else "bottom",
                           font={"size": ctx.base_font, "color": TEXT_COLOR}, name="bar_label")
    fig.update_yaxes(title_text=axis, ticksuffix=suffix, range=[lay.low, lay.top], zeroline=True,
                     zerolinecolor="#9AA5B1")
    return fig
