"""report.png: any figure to PNG through kaleido, Noto Sans CJK SC first."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest
from needs import need

from indicators.report import png
from indicators.report.png import (
    ChartExportUnavailable,
    cjk_font_family,
    completion_figure,
    figure_png,
    with_cjk_fonts,
)


@pytest.mark.parametrize("family, first", [
    (None, "Noto Sans CJK SC"),
    ("Arial", "Noto Sans CJK SC"),
    ('"Noto Sans CJK JP", sans-serif', "Noto Sans CJK SC"),
    ('"Noto Sans CJK SC", sans-serif', "Noto Sans CJK SC"),
])
def test_cjk_font_family_puts_simplified_chinese_first(family, first):
    out = cjk_font_family(family)
    assert out.split(",")[0].strip().strip('"') == first
    assert out.count("Noto Sans CJK SC") == 1


def test_with_cjk_fonts_leaves_the_original_alone():
    fig = go.Figure(go.Bar(x=["甲区"], y=[1]))
    fig.update_layout(font_family="Arial", title={"text": "标题", "font": {"family": "Arial"}})
    fig.add_annotation(text="数据截至", font={"family": "Arial"})
    out = with_cjk_fonts(fig)
    assert out.layout.font.family.startswith('"Noto Sans CJK SC"')
    assert out.layout.title.font.family.startswith('"Noto Sans CJK SC"')
    assert out.layout.annotations[0].font.family.startswith('"Noto Sans CJK SC"')
    assert fig.layout.font.family == "Arial"


def test_a_clear_message_without_a_browser(monkeypatch):
    monkeypatch.setattr(png, "find_browser", lambda configured: None)
    with pytest.raises(ChartExportUnavailable, match="未找到 Chromium"):
        figure_png(go.Figure(), browser=None)


def test_completion_figure_png(tiny_table):
    if png.find_browser(None) is None:
        need("chromium（图表 PNG 导出）")
    fig = completion_figure(tiny_table, "2026-10", "TC")
    assert list(fig.data[0].x) == ["甲区", "乙县"]
    data = figure_png(fig, scale=1, browser=None)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    import struct
    w, h = struct.unpack(">II", data[16:24])
    assert (w, h) == (1280, 720)
