"""The one chart theme: fonts, colours, title, the 数据截至/来源 stamp, export options."""

from __future__ import annotations

import re
from dataclasses import dataclass

import plotly.graph_objects as go
import plotly.io as pio

from indicators.charts.locale_zh import ZH_CN
from indicators.formatting import month_label
from indicators.theme import FONT_FAMILY, MUTED_COLOR, TEXT_COLOR

# Every chart is plotly_white. As plotly's default it is applied once, when a figure is
# made; named again in ``finish`` plotly copied and validated a second template over the
# default's (≈ 0.1 s a figure, two or three figures a page run) — the same figure.
pio.templates.default = "plotly_white"

# 16:9 at a size that reads well on a slide; PNG export doubles it
BRIEFING_SIZE = (1280, 720)
EXPORT_SCALE = 2


@dataclass(frozen=True)
class ChartContext:
    """What every chart is stamped with. ``briefing`` switches to large type and a fixed
    16:9 canvas for screenshots."""

    as_of: str | None  # YYYY-MM
    source: str = "市科技局指标月调度系统"
    briefing: bool = False

    @property
    def as_of_label(self) -> str:
        return f"数据截至 {month_label(self.as_of)}" if self.as_of else "数据截至 —"

    @property
    def base_font(self) -> int:
        return 20 if self.briefing else 14


def stamp_text(ctx: ChartContext, source: str | None = None) -> str:
    return f"{ctx.as_of_label}　·　来源：{source or ctx.source}"


def finish(fig: go.Figure, title: str, ctx: ChartContext, *, source: str | None = None,
           height: int | None = None, legend: bool = True) -> go.Figure:
    """Apply the theme and stamp the chart with its title, as-of month and source."""
    f = ctx.base_font
    fig.update_layout(
        font={"family": FONT_FAMILY, "size": f, "color": TEXT_COLOR},
        title={"text": f"<b>{title}</b>", "x": 0.01, "xanchor": "left", "y": 0.97, "yanchor": "top",
               "font": {"family": FONT_FAMILY, "size": round(f * 1.45), "color": TEXT_COLOR}},
        margin={"l": 20, "r": 30, "t": round(f * 4.6), "b": round(f * 6.5)},
        showlegend=legend,
        legend={"orientation": "h", "x": 0.99, "xanchor": "right", "y": 1.0, "yanchor": "bottom",
                "font": {"size": round(f * 0.9)}},
        hoverlabel={"font": {"family": FONT_FAMILY}},
        separators=".,",  # 千分位 with commas
        paper_bgcolor="white", plot_bgcolor="white",
    )
    fig.add_annotation(
        text=stamp_text(ctx, source), xref="paper", yref="paper", x=0, y=0, yshift=-(round(f * 6.5) - 6),
        xanchor="left", yanchor="bottom", showarrow=False, name="stamp",
        font={"family": FONT_FAMILY, "size": round(f * 0.8), "color": MUTED_COLOR},
    )
    if ctx.briefing:
        fig.update_layout(width=BRIEFING_SIZE[0], height=BRIEFING_SIZE[1], autosize=False)
    elif height:
        fig.update_layout(height=height)
    return fig


def plot_height(fig: go.Figure) -> float:
    """The plot area's height in pixels (the figure's height less its top and bottom margins)."""
    m = fig.layout.margin
    return float(fig.layout.height) - float(m.t or 0) - float(m.b or 0)


def category_x(fig: go.Figure, **kw) -> None:
    """Months and unit names are categories: never let plotly turn YYYY-MM into dates."""
    fig.update_xaxes(type="category", **kw)


def safe_filename(text: str) -> str:
    """A file name from a chart title: Chinese kept, path characters dropped."""
    return re.sub(r'[\\/:*?"<>|\s_]+', "_", text).strip("_") or "chart"


def export_config(title: str, ctx: ChartContext) -> dict:
    """Plotly config: PNG button exports 16:9 at 2× with a Chinese file name; the mode
    bar speaks Chinese (the shipped zh-CN locale) and is hidden in briefing mode, where
    the chart is a picture for a slide."""
    name = safe_filename(f"{title}_{month_label(ctx.as_of)}" if ctx.as_of else title)
    return {
        "displaylogo": False,
        "displayModeBar": not ctx.briefing,
        "responsive": True,
        "locale": "zh-CN",
        "locales": {"zh-CN": ZH_CN},
        "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
        "toImageButtonOptions": {"format": "png", "filename": name, "scale": EXPORT_SCALE,
                                 "width": BRIEFING_SIZE[0], "height": BRIEFING_SIZE[1]},
    }
