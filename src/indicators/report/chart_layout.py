"""Where a native completion chart's value labels go (``slide_chart.completion_chart``): clear
of each bar's 序时 marker and inside a value axis fitted to the data — the slide's version
of ``charts.units.layout_labels`` (a native chart cannot place a label at any height, only
outside the bar's end, inside its end or inside its base — or, as the last resort, the
bar's value written out on its 序时 point's label, past the dash).

The geometry is a model in points of the plot area: ``plot_height_pt`` of a chart frame,
one 11-pt line per label, a 序时 dash ``MARKER_PT`` high. ``label_boxes`` gives each label's
and marker's extent in axis units, so a test can check the demo's charts. Pure; no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from indicators.formatting import fmt_number, fmt_pct

LABEL_PT = 11 * 1.25  # one line of an 11-pt label
MARKER_PT = 5.0  # the 序时 dash (marker size 20, drawn about 4 pt high) and its outline
PAD_PT = 3.0  # between a label and what it must not touch
CHROME_PT = 120.0  # title, legend, category names and the axis title inside the chart frame
POSITIONS = ("outside_end", "inside_end", "inside_base")  # a bar's own label
# the last resort, for a bar too short to hold its label inside while its dash sits just
# past its end: the bar's value written on the 序时 point's label, past the dash (above it
# for a bar going up) — a native position every renderer draws, unlike a manual offset
BEYOND_DASH = "beyond_dash"
DASH_GAP_PT = 12.0  # from a line point to its label (marker size 20; LibreOffice drew ~13 pt)


@dataclass(frozen=True)
class ChartLayout:
    low: float  # the value axis, on round ticks
    high: float
    major: float
    positions: list[str | None]  # per bar; None: no bar, no label


def plot_height_pt(frame_height_emu: int) -> float:
    return max(frame_height_emu / 12700 - CHROME_PT, 60.0)


def as_number(v) -> float | None:
    """A chart value as a float; None for a missing or non-numeric one."""
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def distinct_expected(expected: list) -> set[float]:
    """The different 序时 values among the units (one: all share it; the legend says it
    and the chart joins the ticks)."""
    return {round(v, 6) for v in (as_number(e) for e in expected) if v is not None}


def nice_step(span: float, fraction: bool) -> float:
    """A tick step giving 4–8 ticks over ``span``: 10 %, 20 %, 50 % … for fractions."""
    span = span if span > 0 else 1.0
    raw = span / 6
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    return max(step, 0.05) if fraction else step


def _boxes(v: float, e: float | None, u: float, position: str) -> tuple[float, float]:
    """The label's extent in axis units for a bar of value ``v`` at ``position``."""
    lab, pad = LABEL_PT * u, PAD_PT * u
    up = v >= 0
    if position == BEYOND_DASH:
        gap = DASH_GAP_PT * u
        return (e + gap, e + gap + lab) if up else (e - gap - lab, e - gap)
    if position == "outside_end":
        return (v + pad, v + pad + lab) if up else (v - pad - lab, v - pad)
    if position == "inside_end":
        return (v - pad - lab, v - pad) if up else (v + pad, v + pad + lab)
    return (pad, pad + lab) if up else (-pad - lab, -pad)  # inside_base


def _fits(v: float, box: tuple[float, float], position: str) -> bool:
    """An inside label must stay inside its bar."""
    if position == "outside_end":
        return True
    lo, hi = box
    return (lo >= 0 and hi <= v) if v >= 0 else (hi <= 0 and lo >= v)


def _clear(box: tuple[float, float], e: float | None, u: float, pad: float = PAD_PT) -> bool:
    if e is None:
        return True
    half = (MARKER_PT / 2 + pad) * u
    return box[1] <= e - half or box[0] >= e + half


def choose(v: float, e: float | None, u: float) -> str:
    """The first of the bar's positions whose label keeps clear of the marker by ``PAD_PT``
    (and fits in its bar); else outside the bar if it at least misses the dash (in open
    space; inside, it would be wedged between the bar's end and the dash); else past the
    dash (only ever with a dash: without one, outside the bar is clear)."""
    for position in POSITIONS:
        box = _boxes(v, e, u, position)
        if _fits(v, box, position) and _clear(box, e, u):
            return position
    if _clear(_boxes(v, e, u, "outside_end"), e, u, pad=0.0):
        return "outside_end"
    return BEYOND_DASH


def layout(values: list, expected: list, plot_pt: float, fraction: bool = True) -> ChartLayout:
    """Positions and a value axis such that each label keeps clear of its marker and every
    label lies inside the axis — iterated, as the points per axis unit depend on the range."""
    vs, es = [as_number(v) for v in values], [as_number(e) for e in expected]
    known = [x for x in vs + es if x is not None]
    low, high = min([0.0] + known), max([0.0] + known)
    high = high if high > low else low + (1.0 if fraction else 1.0)
    major = nice_step(high - low, fraction)
    lo_axis, hi_axis = math.floor(low / major + 1e-9) * major, math.ceil(high / major - 1e-9) * major
    positions: list[str | None] = []
    for _ in range(10):
        u = (hi_axis - lo_axis) / plot_pt
        positions = [None if v is None else choose(v, e, u) for v, e in zip(vs, es)]
        extents = [_boxes(v, e, u, p) for v, e, p in zip(vs, es, positions) if p is not None]
        top = max([high] + [b[1] for b in extents]) + PAD_PT * u
        bottom = min([low] + [b[0] for b in extents]) - (PAD_PT * u if low < 0 else 0.0)
        major = nice_step(top - min(bottom, 0.0), fraction)
        new_hi = math.ceil(top / major - 1e-9) * major
        new_lo = math.floor(min(bottom, 0.0) / major + 1e-9) * major
        if abs(new_hi - hi_axis) < 1e-12 and abs(new_lo - lo_axis) < 1e-12:
            break
        lo_axis, hi_axis = new_lo, new_hi
    return ChartLayout(round(lo_axis, 9), round(hi_axis, 9), round(major, 9), positions)


def label_boxes(values: list, expected: list, chart: ChartLayout, plot_pt: float):
    """(label extent, marker extent or None) per bar with a label, in axis units."""
    u = (chart.high - chart.low) / plot_pt
    out = []
    for v, e, p in zip(values, expected, chart.positions):
        v, e = as_number(v), as_number(e)
        if p is None or v is None:
            continue
        half = MARKER_PT / 2 * u
        out.append((_boxes(v, e, u, p), None if e is None else (e - half, e + half)))
    return out


def expected_legend(expected: list, values_unit: str | None) -> str:
    """The 序时 series' legend entry: with its value when every unit has the same one
    (``序时进度 79.0%``), else ``序时进度（各单位不同，见短横线）``."""
    known = distinct_expected(expected)
    word = "序时进度" if values_unit is None else "序时应达值"
    if len(known) != 1:
        return f"{word}（各单位不同，见短横线）" if known else word
    return f"{word} " + value_text(known.pop(), values_unit)


def value_text(v: float, values_unit: str | None) -> str:
    """A chart value as its label reads (the charts' number formats ``0.0%`` / ``0.00"%"``
    / ``#,##0.00``): for a label whose text is written out (``BEYOND_DASH``) and the legend."""
    if values_unit is None:
        return fmt_pct(v)
    return fmt_number(v) + ("%" if values_unit == "%" else "")

