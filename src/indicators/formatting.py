"""Chinese number formats: 千分位, 亿元/万元, percentages and percentage points."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from indicators.rules.periods import label as month_label  # noqa: F401 (「2026年10月」, re-exported)


def _missing(v) -> bool:
    if v is None:
        return True
    if isinstance(v, float):  # numpy's float64 too
        return math.isnan(v)
    return type(v) is not int and str(v) in ("<NA>", "nan", "NaT")


def shown(x, decimals: int, scale: int = 1) -> float:
    """``x × scale`` rounded as it is printed everywhere: half away from zero on the number as
    written (9.85 → 9.9, 0.0985 as a percent → 9.9, -3.25 → -3.3), which is how Excel and
    PowerPoint round a cell's or a chart label's number format — so a page, its slide, the
    XLSX and the notice show the same digits. Python's own ``round`` works on the binary
    value (9.85 is 9.8499…) and rounds half to even, and would print 9.8. Never a negative
    zero (−0.004 at 2 decimals is "0.00", not "-0.00")."""
    x = float(x)
    if not math.isfinite(x):
        return x
    decimals = int(decimals)
    if 0 <= decimals <= 12:
        # Most numbers are nowhere near a half: x × scale × 10^d as computed (off by far less
        # than the margin, and the decimal x is written as by less than half its spacing)
        # rounds to the same whole k as that decimal does, and k / 10^d (two integers: Python
        # divides them correctly rounded) is the double nearest the decimal. Near a half: the Decimal.
        y = x * scale * _TENS[decimals]
        if abs(y) < 1e15:
            k = round(y)
            if abs(abs(y - k) - 0.5) > 1e-6 + abs(y) * 1e-13:
                return k / _INT_TENS[decimals] + 0.0
    exact = Decimal(repr(x)) * scale  # the shortest decimal that reads back as x
    return float(exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)) + 0.0


_TENS = [10.0 ** d for d in range(13)]
_INT_TENS = [10 ** d for d in range(13)]


def fmt_number(v, decimals: int = 2) -> str:
    if _missing(v):
        return "—"
    decimals = int(decimals) if not _missing(decimals) else 2
    return f"{shown(v, decimals):,.{decimals}f}"


# after a figure that still waits for review (审核): the dispatch table's review = 'pending'
PENDING_MARK = "（待审核）"


def fmt_value(v, unit: str | None = None, decimals: int = 2) -> str:
    """``1234.5, '万元'`` → ``'1,234.50 万元'``; a dash when missing."""
    if _missing(v):
        return "—"
    text = fmt_number(v, decimals)
    if unit in ("%",):
        return text + "%"
    return f"{text} {unit}" if unit else text


def fmt_pct(v, decimals: int = 1) -> str:
    """Fraction → percent: ``0.756`` → ``'75.6%'``."""
    return "—" if _missing(v) else f"{shown(v, decimals, scale=100):.{decimals}f}%"


def fmt_pp(v, decimals: int = 1, signed: bool = True) -> str:
    """Points: ``-3.26`` → ``'-3.3个百分点'``. A signed difference keeps the sign of what it
    rounds: ``-0.004`` is ``'-0.0个百分点'`` — a gap just below 序时 (滞后) never reads "+0.0",
    as the XLSX cell's number format shows it too."""
    if _missing(v):
        return "—"
    x = shown(v, decimals)
    if not signed:
        return f"{x:.{decimals}f}个百分点"
    return f"{_sign(x, v)}{abs(x):.{decimals}f}个百分点"


def _sign(shown_value: float, raw) -> str:
    """The sign of a signed difference as printed: that of the raw value, also when it
    rounds to zero (none for zero itself)."""
    x = shown_value if shown_value != 0 else float(raw)
    return "+" if x > 0 else "-" if x < 0 else "+"


def fmt_signed(v, unit: str | None = None, decimals: int = 2) -> str:
    """A difference in the indicator's unit with its sign: ``+22 家``, ``-0.02%``."""
    if _missing(v):
        return "—"
    x = shown(v, int(decimals) if not _missing(decimals) else 2)
    text = fmt_value(abs(x), unit, decimals)
    return ("" if float(v) == 0 else _sign(x, v)) + text  # -0.004 at 2 decimals: "-0.00" (a gap just below)


def fmt_change(v, change_type: str | None, unit: str | None = None, decimals: int = 2) -> str:
    """同比/环比 in the indicator's own terms: a relative change ``+5.0%`` for cumulative
    and stock indicators; for ratios the difference — ``+0.25个百分点`` for a % indicator,
    ``+4.20 件`` for 每万人发明专利拥有量 (``unit`` is the difference's unit:
    ``rules.progress.difference_unit``)."""
    if _missing(v):
        return "—"
    if change_type == "difference":
        if unit == "个百分点":
            return fmt_pp(v, decimals)
        return fmt_signed(v, unit, decimals)
    x = shown(v, 1, scale=100)
    return f"{_sign(x, v)}{abs(x):.1f}%"  # a fall that rounds to nothing: "-0.0%"


def fmt_yoy(v, is_pp: bool) -> str:
    """同比 when only "is it a difference in points" is known (a % ratio); prefer ``fmt_change``."""
    return fmt_change(v, "difference" if is_pp else "change", "个百分点" if is_pp else None)


def number_text(v) -> str:
    """A value as the user wrote it, with thousands separators: 1234.5 → '1,234.5', None → '—'."""
    if v is None or pd.isna(v):
        return "—"
    v = float(v)
    if v.is_integer() and abs(v) < 1e15:
        return f"{int(v):,}"
    return f"{v:,.6f}".rstrip("0").rstrip(".")


def date_label(d) -> str:
    """A day as the bureau writes it: ``2026-11-05`` → ``2026年11月5日`` (a date or datetime)."""
    return f"{d.year}年{day_label(d)}"


def day_label(d) -> str:
    """A day without its year, where the year is plain from the text around it (a 催报's
    deadline): ``2026-11-05`` → ``11月5日`` (a date or datetime)."""
    return f"{d.month}月{d.day}日"


def time_text(v, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return "—" if v is None or pd.isna(v) else pd.Timestamp(v).strftime(fmt)
