"""Indicator × unit status matrix (heatmap with the status mark and completion in every cell)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from indicators.charts.base import ChartContext, finish
from indicators.theme import STATUS_COLORS, STATUS_MARKS, STATUS_ORDER, status_badge


def _discrete_scale() -> list:
    n = len(STATUS_ORDER)
    scale = []
    for i, s in enumerate(STATUS_ORDER):
        scale += [[i / n, STATUS_COLORS[s]], [(i + 1) / n, STATUS_COLORS[s]]]
    return scale


def legend_html(statuses) -> str:
    """A colour key written out in words, so the colours are never the only cue."""
    return "　".join(f'<span style="color:{STATUS_COLORS[s]}">■</span> {status_badge(s)}'
                    for s in STATUS_ORDER if s in set(statuses))


def cell_text(status: str, text: str) -> str:
    """``'▲ 71.6%'`` where there is a completion, else the mark and the label."""
    return f"{STATUS_MARKS.get(status, '')} {text}" if text else status_badge(status)


def status_heatmap(matrix: pd.DataFrame, ctx: ChartContext, title: str = "指标 × 单位 完成状态") -> go.Figure:
    """``matrix`` is ``views.status_matrix`` (long). Rows are indicators (many, with long
    names), columns units (top unit first)."""
    units = matrix.sort_values("unit_order")["unit"].drop_duplicates().tolist()
    inds = matrix.sort_values("indicator_order")["indicator"].drop_duplicates().tolist()
    idx = {s: i for i, s in enumerate(STATUS_ORDER)}
    grid = matrix.pivot_table(index="indicator", columns="unit", values="status", aggfunc="first").reindex(index=inds, columns=units)
    cells = matrix.assign(cell=[cell_text(s, t) for s, t in zip(matrix["status"], matrix["text"])])
    text = cells.pivot_table(index="indicator", columns="unit", values="cell", aggfunc="first").reindex(index=inds, columns=units)
    z = grid.map(lambda s: idx[s] + 0.5 if isinstance(s, str) else None)
    n = len(STATUS_ORDER)
    row_px = max(26, round(ctx.base_font * 1.7))
    fig = go.Figure(go.Heatmap(
        z=z.values.tolist(), x=units, y=inds, zmin=0, zmax=n, colorscale=_discrete_scale(), showscale=False,
        text=text.fillna("").values.tolist(), texttemplate="%{text}", xgap=2, ygap=2,
        textfont={"size": max(11, ctx.base_font - (6 if len(inds) > 12 else 3))},
        hovertemplate="%{y} · %{x}<br>%{text}<extra></extra>",
    ))
    # a district's column is headed by its 综合排名 and 排名升降 (views.status_matrix's unit_label)
    labels = matrix.drop_duplicates("unit").set_index("unit")["unit_label"] if "unit_label" in matrix else None
    # more than a dozen columns are too narrow for «第16名 ↓1» on one line: rank and move on lines of their own
    narrow = len(units) > 12
    ticktext = units if labels is None else [labels[u].replace(" ", "<br>") if narrow else labels[u] for u in units]
    fig.update_xaxes(type="category", side="top", tickangle=0, automargin=True, tickmode="array", tickvals=units,
                     ticktext=ticktext, tickfont={"size": max(10, ctx.base_font - 4)} if narrow else None)
    fig.update_yaxes(type="category", autorange="reversed", automargin=True, tickmode="array", tickvals=inds,
                     tickfont={"size": max(11, ctx.base_font - (5 if len(inds) > 12 else 2))})
    two_lines = labels is not None and labels.str.contains("<br>").any()  # a ranking under the names
    lines = 1 + (two_lines and (2 if narrow else 1))
    fig.add_annotation(text=legend_html(matrix["status"]), xref="paper", yref="paper", x=1, y=1,
                       yshift=ctx.base_font * {1: 2.4, 2: 3.8, 3: 4.8}[lines],
                       xanchor="right", yanchor="bottom", showarrow=False, name="key",
                       font={"size": round(ctx.base_font * 0.85)})
    fig = finish(fig, title, ctx, height=max(360, 190 + row_px * len(inds)), legend=False)
    fig.update_layout(margin={"t": round(ctx.base_font * {1: 7.2, 2: 8.6, 3: 9.6}[lines])})
    return fig
