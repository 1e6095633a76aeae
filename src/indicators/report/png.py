"""PNG export of any Plotly figure through kaleido (which drives a system Chromium).

The figure's font family is forced to start with ``Noto Sans CJK SC``: without it
Chromium draws Chinese with Japanese glyph shapes. Without a Chromium the export fails
with one clear Chinese message (``ChartExportUnavailable``), never a traceback.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from indicators.errors import IndicatorsError
from indicators.theme import FONT_FAMILY

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
DEFAULT_SIZE = (1280, 720)  # 16:9
CJK_FIRST = "Noto Sans CJK SC"


class ChartExportUnavailable(IndicatorsError):
    """No browser for kaleido: the PNG cannot be made on this machine."""


def find_browser(configured: Path | None) -> str | None:
    """The browser kaleido will use: ``Settings.browser_path`` (``BROWSER_PATH``) when
    set, else a Chromium/Chrome on PATH."""
    if configured is not None:
        return str(configured) if Path(configured).exists() else None
    for name in BROWSER_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def cjk_font_family(family: str | None) -> str:
    """Put Noto Sans CJK SC first in a CSS font-family list (once)."""
    if not family:
        return FONT_FAMILY
    rest = [f.strip() for f in family.split(",") if f.strip().strip('"\'') != CJK_FIRST]
    return ", ".join([f'"{CJK_FIRST}"'] + rest)


def with_cjk_fonts(fig: go.Figure) -> go.Figure:
    """A copy of ``fig`` whose layout font and every explicit font family start with
    Noto Sans CJK SC."""
    fig = go.Figure(fig)
    fig.update_layout(font_family=cjk_font_family(fig.layout.font.family))
    if fig.layout.title and fig.layout.title.font and fig.layout.title.font.family:
        fig.layout.title.font.family = cjk_font_family(fig.layout.title.font.family)
    for ann in fig.layout.annotations or ():
        if ann.font and ann.font.family:
            ann.font.family = cjk_font_family(ann.font.family)
    return fig


def figure_png(fig: go.Figure, width: int | None = None, height: int | None = None, scale: float = 2, *,
               browser: Path | None) -> bytes:
    """PNG bytes of ``fig`` (16:9 at 1280×720 unless the figure or the caller sets a size),
    drawn by ``find_browser(browser)``."""
    path = find_browser(browser)
    if path is None:
        raise ChartExportUnavailable(
            "无法导出图片：未找到 Chromium 浏览器（图片导出由 kaleido 调用浏览器完成）。"
            "请安装 chromium（Debian/Ubuntu：apt-get install chromium），"
            "或设置环境变量 BROWSER_PATH 指向已安装的 Chrome/Chromium。")
    fig = with_cjk_fonts(fig)
    width = width or fig.layout.width or DEFAULT_SIZE[0]
    height = height or fig.layout.height or DEFAULT_SIZE[1]
    try:
        import kaleido  # plotly's to_image cannot be told which browser to use
        return kaleido.calc_fig_sync(fig.to_dict(), opts=dict(format="png", width=int(width), height=int(height),
                                                              scale=scale), kopts={"path": path})
    except Exception as exc:  # kaleido/choreographer failures: one message, not a traceback
        raise ChartExportUnavailable(f"图片导出失败（浏览器未能完成渲染）：{exc}") from exc


def indicator_sources(con) -> dict[str, str]:
    """Each indicator's own 数据来源 from the setup: its charts carry it on the page, in the
    PNG export and on the page header alike (the system's label where none is set)."""
    from indicators.db import catalog
    inds = catalog.indicators(con)
    return {c: s.strip() for c, s in zip(inds["code"], inds["source"]) if isinstance(s, str) and s.strip()}


def completion_figure(table: pd.DataFrame, period: str, code: str, *, parent: str | None = None,
                      source: str = "市科技局指标月调度系统") -> go.Figure:
    """The completion-by-unit chart of one indicator (the page's chart builder), 16:9."""
    from indicators import views
    from indicators.charts import ChartContext, completion_bars
    rows = table[table["indicator_code"] == code]
    if rows.empty:
        raise IndicatorsError(f"指标 {code} 在该月没有数据")
    units = views.indicator_units(table, code, parent)
    name = rows["indicator_name"].iloc[0]
    ctx = ChartContext(as_of=period, source=source, briefing=True)
    return completion_bars(units, ctx, title=f"{name}完成率（按区县）", source=source)
