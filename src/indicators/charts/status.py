"""Overview charts: indicators by status, and the district ranking."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from indicators.charts.base import ChartContext, category_x, finish
from indicators.formatting import fmt_pct
from indicators.theme import STATUS_COLORS, TEXT_COLOR


def status_count_bars(counts: pd.DataFrame, ctx: ChartContext, title: str = "重点指标完成状态") -> go.Figure:
    """One bar per status (``views.status_counts``), coloured and labelled with the
    mark and the Chinese label so colour is never the only cue."""
    counts = counts[counts["count"] > 0] if (counts["count"] > 0).any() else counts
    fig = go.Figure(go.Bar(
        x=counts["badge"].tolist(), y=counts["count"].tolist(),
        marker={"color": [STATUS_COLORS[s] for s in counts["status"]]},
        text=[f"{n} 项" for n in counts["count"]], textposition="outside", cliponaxis=False,
        textfont={"color": TEXT_COLOR},
        customdata=counts["status"].tolist(), hovertemplate="%{x}：%{y} 项<extra></extra>",
    ))
    category_x(fig)
    fig.update_yaxes(title_text="指标数（项）", rangemode="tozero", dtick=1 if counts["count"].max() <= 10 else None)
    return finish(fig, title, ctx, height=360, legend=False)


def district_ranking_bars(ranking: pd.DataFrame, ctx: ChartContext,
                          title: str = "区县达序时率排名（已完成或达序时的指标占比）") -> go.Figure:
    """Horizontal bars of each district's share of indicators done or on track
    (``views.district_ranking``), best at the top."""
    r = ranking.iloc[::-1]  # ranked best first, the unranked last: bars read top-down
    share = r["达序时率"].astype("float64").fillna(0) * 100
    colors = [STATUS_COLORS["on_track"] if v >= 80 else STATUS_COLORS["lagging"] if v >= 50
              else STATUS_COLORS["far_behind"] for v in share]
    # a district without a rank (sent nothing, nothing due) says why rather than showing "0%"
    unranked = r["排名"].isna().to_numpy()
    notes = r["说明"].fillna("").tolist() if "说明" in r else [""] * len(r)
    labels = [(n or "无排名") if no else f"第{int(k)}名　{fmt_pct(v / 100, 0)}"
              for k, v, no, n in zip(r["排名"], share, unranked, notes)]
    colors = [STATUS_COLORS["missing"] if no else c for c, no in zip(colors, unranked)]
    fig = go.Figure(go.Bar(
        y=r["单位"].tolist(), x=share.tolist(), orientation="h", marker={"color": colors},
        text=labels, textposition="outside", cliponaxis=False, textfont={"color": TEXT_COLOR},
        hovertemplate="%{y}：达序时率 %{x:.1f}%<extra></extra>",
    ))
    fig.update_yaxes(type="category", automargin=True)
    fig.update_xaxes(range=[0, 125], ticksuffix="%")
    return finish(fig, title, ctx, height=max(360, 120 + 44 * len(r)), legend=False)
