"""No chart label collides with a 序时 marker or leaves its axis, for every key indicator
of the demo city, on the page and in briefing mode (the PPTX PNGs use the briefing size).
Geometry: the plot area's height in pixels and the axis range give each label's box."""

from __future__ import annotations

import pytest
from testdate import AS_OF, SETTINGS

from indicators import charts, views
from indicators.charts.base import ChartContext, plot_height
from indicators.charts.units import GAP_PX, MARKER_PX, label_px
from indicators.db import connection
from indicators.dispatch import dispatch_table


@pytest.fixture(scope="module")
def demo_units(demo_db_master):
    """Every key indicator's units frame at the demo's as-of month, for the city and a district."""
    with connection.connect(demo_db_master) as con:
        table = dispatch_table(con, AS_OF, SETTINGS)
        codes = views.indicator_detail_options(table)["code"].tolist()
        return {code: views.indicator_units(table, code, None) for code in codes}


def boxes(fig, font: int):
    """(label boxes, marker boxes, axis range) in data units."""
    low, top = fig.layout.yaxis.range
    u = (top - low) / plot_height(fig)
    lab = label_px(font) * u
    labels = {}
    for a in fig.layout.annotations:
        if a.name == "bar_label":
            labels[a.x] = (a.y - lab, a.y) if a.yanchor == "top" else (a.y, a.y + lab)
    markers = {}
    if len(fig.data) > 1:
        for x, y in zip(fig.data[1].x, fig.data[1].y):
            if y is not None and y == y:  # (NaN: no 序时 for that unit)
                markers[x] = (y - MARKER_PX / 2 * u, y + MARKER_PX / 2 * u)
    return labels, markers, (low, top), u


@pytest.mark.parametrize("briefing", [False, True])
def test_demo_completion_labels_never_collide(demo_units, briefing):
    ctx = ChartContext(as_of=AS_OF, briefing=briefing)
    checked = 0
    for code, units in demo_units.items():
        if units.empty:
            continue
        fig = charts.completion_bars(units, ctx, title=code)
        labels, markers, (low, top), u = boxes(fig, ctx.base_font)
        assert set(labels) == set(fig.data[0].x)
        for unit, (b0, b1) in labels.items():
            assert low <= b0 and b1 <= top, (code, unit, "label outside the axis")
            if unit in markers:
                m0, m1 = markers[unit]
                assert b1 <= m0 or b0 >= m1, (code, unit, "label on the 序时 marker")
        bars = [v for v in fig.data[0].y]
        highest = max([b1 for _, b1 in labels.values()] + bars)
        if any(bars) or markers:  # (nothing due anywhere: a one-percent axis under the 未到期 labels)
            assert top - highest <= 2 * GAP_PX * u + 1e-9, (code, "axis not fitted to the data")
        checked += 1
    assert checked >= 10  # the demo's key indicators with units


def test_labels_never_collide_in_the_hard_cases():
    """Bars just under, on and over the 序时 line, a missing unit at 0, a negative bar."""
    import pandas as pd
    units = pd.DataFrame({"unit": list("ABCDEF"), "kind": "cumulative", "partial_text": "",
                          "progress": [0.079, 0.08, 0.085, None, -0.5, 1.57], "expected": [0.08] * 6,
                          "status": ["lagging", "on_track", "on_track", "missing", "far_behind", "done"]})
    for briefing in (False, True):
        ctx = ChartContext(as_of=AS_OF, briefing=briefing)
        fig = charts.completion_bars(units, ctx, title="x")
        labels, markers, (low, top), _ = boxes(fig, ctx.base_font)
        for unit, (b0, b1) in labels.items():
            m0, m1 = markers[unit]
            assert (b1 <= m0 or b0 >= m1) and low <= b0 and b1 <= top, unit
