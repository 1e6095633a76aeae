"""预计全年 (year-end projection) — one rule for every kind of indicator, with the basis it
rests on, so that a reader can redo it from the numbers shown beside it. Pure; no I/O.

The share *s* is how much of the year's progress was done by the as-of month *m*:
last year's share at *m* (``rules.progress.last_year_share``: 上年同期进度) where it lies in
(0, 1], else the time share m/12 (时间进度).

- cumulative (累计值): YTD(m) / s — DESIGN §4.
- stock (期末值): B + (V − B) / s, B = 上年末 — the change since last year-end continued at
  the pace of last year's change (or evenly through the year). A stock without B has no
  projection (缺上年末数).
- ratio (比率): none — a ratio follows its numerator and denominator, not a pace of its own.
- annual (年度) indicators: none — reported once, for the year itself.
- a partial roll-up (部分汇总): none — a sum that lacks units projects the wrong year.
- a pace that would carry a count or an amount below zero (a falling stock): none.
- December: the value is the year's (全年已结束: basis ``year_end``).

``basis`` is ``last_year``, ``linear`` or ``year_end``; without a projection ``none`` says
why (``WHY_NONE``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BASES = ("last_year", "linear", "year_end")


def projection(kind, frequency, value, baseline, ly_share, due_month, partial=None,
               baseline_partial=None) -> pd.DataFrame:
    """``projection``, ``projection_basis``, ``projection_share`` (the *s* used) and
    ``projection_none`` (why none: a key of ``WHY_NONE``) per row; ``partial`` (bool per
    row) marks partial roll-ups, ``baseline_partial`` levels whose last year-end is one."""
    index = value.index if isinstance(value, pd.Series) else None
    kind = np.asarray(kind, dtype=object)
    freq = np.asarray(frequency, dtype=object)
    v, b, share = _floats(value), _floats(baseline), _floats(ly_share)
    due = np.asarray(due_month, dtype=float)
    from_last_year = np.isfinite(share) & (share > 0) & (share <= 1)
    s = np.where(from_last_year, share, due / 12)
    year_end = due >= 12
    s = np.where(year_end, 1.0, s)
    with np.errstate(divide="ignore", invalid="ignore"):
        cumulative = v / s
        stock = b + (v - b) / s
    out = np.where(kind == "cumulative", cumulative, np.where(kind == "stock", stock, np.nan))
    part = np.zeros(len(v), dtype=bool) if partial is None else np.asarray(partial, dtype=bool)
    base_part = np.zeros(len(v), dtype=bool) if baseline_partial is None else np.asarray(baseline_partial, dtype=bool)
    with np.errstate(invalid="ignore"):
        below_zero = (out < 0) & (v >= 0)
    none = np.select([due <= 0, ~np.isfinite(v), freq == "annual", kind == "ratio", (kind == "stock") & ~np.isfinite(b),
                      part, (kind == "stock") & base_part, below_zero, ~np.isfinite(out)],
                     ["not_due", "no_value", "annual", "ratio", "no_baseline", "partial", "baseline_partial",
                      "below_zero", "no_data"],
                     default="")
    made = none == ""
    basis = np.where(year_end, "year_end", np.where(from_last_year, "last_year", "linear"))
    return pd.DataFrame({
        "projection": np.where(made, out, np.nan),
        "projection_basis": pd.Series(np.where(made, basis, None), dtype=object).to_numpy(),
        "projection_share": np.where(made & ~year_end, s, np.nan),
        "projection_none": pd.Series(np.where(made, None, none), dtype=object).to_numpy(),
    }, index=index)


def _floats(values) -> np.ndarray:
    """Numbers as floats, anything else NaN; a float column is taken as it is."""
    if getattr(values, "dtype", None) == np.float64:
        return np.asarray(values, dtype=float)
    return pd.to_numeric(pd.Series(np.asarray(values, dtype=object)), errors="coerce").to_numpy(dtype=float)


WHY_NONE = {"not_due": "未到报送期", "no_value": "未报送，无法推算", "annual": "年度指标：全年只报一次，不做推算",
            "ratio": "比率：随分子、分母变化，不单独推算", "no_baseline": "缺上年末数，无法推算",
            "partial": "部分汇总，不作全年预计", "baseline_partial": "上年末为部分汇总，不作全年预计",
            "below_zero": "推算为负，不推算", "no_data": "数据不足，无法推算"}


def no_projection_reason(none: str | None, status: str = "", missing_units: str | None = None) -> str:
    """Why a row has no 预计全年 (``projection_none``), in a table cell's words; a figure
    not sent (未报送) or not due says so whatever else. A partial roll-up names who is
    missing (``missing_units``, the dispatch table's 、-joined names):
    ``部分汇总（缺 北山县），不作全年预计``."""
    if status == "not_due":
        return WHY_NONE["not_due"]
    if status == "missing":
        return WHY_NONE["no_value"]
    if none == "partial" and isinstance(missing_units, str) and missing_units:
        return f"部分汇总（缺 {missing_units}），不作全年预计"
    return WHY_NONE.get(none or "no_data", WHY_NONE["no_data"])


def reaches(direction, projected, target) -> pd.Series:
    """Whether the projection reaches the target (a lower-is-better one: stays within it);
    None without either."""
    index = projected.index if isinstance(projected, pd.Series) else None
    lower = np.asarray(direction, dtype=object) == "lower"
    p = np.asarray(projected, dtype=float)
    t = _floats(target)
    out = np.where(lower, p <= t, p >= t)
    return pd.Series(np.where(np.isnan(p) | np.isnan(t), None, out), index=index, dtype=object)
