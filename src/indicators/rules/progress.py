"""Completion, expected progress (序时进度), gap, status and comparisons — DESIGN §4.

Pure, vectorised functions over DataFrames/Series; no I/O. Each takes the columns it
needs and returns Series aligned with its input, so the rules can be tested one by one
(see tests/test_progress.py) and composed by ``indicators.dispatch``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

STATUSES = ("done", "on_track", "lagging", "far_behind", "missing", "not_due", "no_target")
STATUS_LABELS = {
    "done": "已完成", "on_track": "达序时", "lagging": "滞后", "far_behind": "严重滞后",
    "missing": "未报送", "not_due": "未到期", "no_target": "无目标",
}


def _arr(values) -> np.ndarray:
    """Floats as a numpy array (NaN for missing); cheap for scalars' lists and Series."""
    if isinstance(values, pd.Series):
        if values.dtype.kind == "f":
            return values.to_numpy()
        return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return pd.to_numeric(pd.Series(list(values)), errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _obj(values) -> np.ndarray:
    return values.to_numpy(dtype=object) if isinstance(values, pd.Series) else np.asarray(values, dtype=object)


def _index(values) -> pd.Index:
    return values.index if isinstance(values, pd.Series) else pd.RangeIndex(len(values))


def completion(kind, direction, value, target, baseline) -> pd.Series:
    """Progress toward the annual target as a fraction (1.0 = done).

    cumulative: value / target.  stock and ratio: (value − B) / (target − B) when a
    baseline B exists and target ≠ B, else value / target.  Lower-is-better flips it:
    (B − value) / (B − target), or target / value without a baseline.  Where the
    denominator is zero the target is either met (1.0) or not (0.0).
    """
    kind = _obj(kind)
    lower = _obj(direction) == "lower"
    v, t, b = _arr(value), _arr(target), _arr(baseline)
    use_base = ((kind == "stock") | (kind == "ratio")) & ~np.isnan(b) & (t != b)
    with np.errstate(divide="ignore", invalid="ignore"):
        num = np.where(use_base, np.where(lower, b - v, v - b), np.where(lower, t, v))
        den = np.where(use_base, np.where(lower, b - t, t - b), np.where(lower, v, t))
        out = num / den
    met = np.where(lower, v <= t, v >= t).astype(float)
    out = np.where(den == 0, met, out)
    out = np.where(np.isnan(v) | np.isnan(t), np.nan, out)
    return pd.Series(out, index=_index(value), dtype="float64")


def parse_milestones(text) -> dict[int, float] | None:
    """``"3:15;6:40;9:70;12:100"`` → {3: 0.15, 6: 0.40, 9: 0.70, 12: 1.0}."""
    if text is None or (isinstance(text, float) and np.isnan(text)) or not str(text).strip():
        return None
    nodes = {}
    for part in re.split(r"[;；,，\s]+", str(text).strip()):
        if not part:
            continue
        month, _, share = re.split(r"([:：])", part, maxsplit=1) if re.search(r"[:：]", part) else (part, "", "")
        month = int(re.sub(r"\D", "", month))
        if not 1 <= month <= 12 or not share:
            raise ValueError(f"月度节点「{text}」格式应为 月:累计进度%，如 3:15;6:40;12:100")
        nodes[month] = float(share.strip().rstrip("%")) / 100
    return nodes or None


def milestone_share(nodes: dict[int, float], month: int) -> float:
    """Expected share at ``month``, interpolating linearly between milestone nodes
    (starting from 0 at month 0 and ending at 100% at month 12 unless given)."""
    points = {0: 0.0, 12: 1.0, **nodes}
    xs = sorted(points)
    return float(np.interp(month, xs, [points[x] for x in xs]))


def expected_progress(due_month, milestones, last_year_share, pacing: str = "last_year") -> pd.DataFrame:
    """Expected progress e(m) and its basis for each row.

    Returns columns ``expected`` (fraction, NaN when nothing is due yet) and
    ``expected_basis``: ``milestone`` (the target's own nodes), ``last_year`` (last
    year's cumulative share of the same unit at the same month) or ``linear`` (m/12).
    """
    due = pd.Series(due_month).to_numpy(dtype=np.int64)
    idx = pd.Series(due_month).index
    texts = pd.Series(list(milestones), index=idx, dtype=object)
    ly = _arr(last_year_share)
    # milestones: parse each distinct text once
    shares = {t: parse_milestones(t) for t in pd.unique(texts.dropna())}
    ms = np.array([milestone_share(shares[t], m) if shares.get(t) else np.nan
                   for t, m in zip(texts.where(texts.notna(), None), due)] if shares else np.full(len(due), np.nan))
    has_ms = ~np.isnan(ms)
    use_ly = ~has_ms & (pacing == "last_year") & ~np.isnan(ly) & (ly >= 0) & (ly <= 1.5)
    expected = np.where(has_ms, ms, np.where(use_ly, np.clip(ly, 0, 1), due / 12))
    basis = np.where(has_ms, "milestone", np.where(use_ly, "last_year", "linear")).astype(object)
    not_due = due <= 0
    expected = np.where(not_due, np.nan, expected)
    basis[not_due] = None
    return pd.DataFrame({"expected": expected, "expected_basis": basis}, index=idx)


def last_year_share(kind, value_ly, value_ly_end, value_ly2_end) -> pd.Series:
    """Share of last year's progress that was done by the same month last year.

    cumulative: YTD_{y-1}(m) / YTD_{y-1}(12).  stock/ratio: (L_{y-1}(m) − L_{y-2}(12)) /
    (L_{y-1}(12) − L_{y-2}(12)).  NaN where history is missing or flat.
    """
    kind = _obj(kind)
    ly, end, end2 = _arr(value_ly), _arr(value_ly_end), _arr(value_ly2_end)
    with np.errstate(divide="ignore", invalid="ignore"):
        cum = np.where(end > 0, ly / end, np.nan)
        lvl = np.where((end - end2) != 0, (ly - end2) / (end - end2), np.nan)
    return pd.Series(np.where(kind == "cumulative", cum, lvl), index=_index(value_ly))


def gap_pp(completion_, expected) -> pd.Series:
    """Gap to expected progress in percentage points."""
    return pd.Series((_arr(completion_) - _arr(expected)) * 100, index=_index(completion_))


def status(frequency, due_month, value, target, completion_, gap, *, done_at: float = 1.0,
           lagging_from_pp: float = -10.0) -> pd.Series:
    """One of STATUSES per row (see DESIGN §4 and the status table there)."""
    freq = _obj(frequency)
    due = np.asarray(due_month)
    v, t = _arr(value), _arr(target)
    c, g = _arr(completion_), _arr(gap)
    conds = [
        due <= 0,
        np.isnan(v) & (freq == "annual"),  # annual figures are published late: not due until they are
        np.isnan(v),
        np.isnan(t),
        c >= done_at,
        g >= 0,
        g >= lagging_from_pp,
    ]
    choices = ["not_due", "not_due", "missing", "no_target", "done", "on_track", "lagging"]
    return pd.Series(np.select(conds, choices, default="far_behind").astype(object), index=_index(value), dtype=object)


def yoy(kind, value, value_ly) -> pd.Series:
    """同比: value / last year − 1 for cumulative and stock; for ratios the difference
    (in the ratio's own unit, i.e. percentage points for a % indicator)."""
    kind = _obj(kind)
    v, ly = _arr(value), _arr(value_ly)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(ly > 0, v / ly - 1, np.nan)
    return pd.Series(np.where(kind == "ratio", v - ly, rel), index=_index(value))


def period_value(kind, value, value_prev, first_of_year) -> pd.Series:
    """当月值 (or 当季值) of a cumulative indicator: YTD(m) − YTD(m−1); YTD itself in the
    first period of the year. NaN for stocks and ratios."""
    kind = _obj(kind)
    v, p = _arr(value), _arr(value_prev)
    first = np.asarray(first_of_year, dtype=bool)
    out = np.where(first, v, v - p)
    return pd.Series(np.where(kind == "cumulative", out, np.nan), index=_index(value))


def mom(kind, current, previous) -> pd.Series:
    """环比: on 当月值 for cumulative, on the level for stocks; difference for ratios."""
    kind = _obj(kind)
    c, p = _arr(current), _arr(previous)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(p > 0, c / p - 1, np.nan)
    return pd.Series(np.where(kind == "ratio", c - p, rel), index=_index(current))


def projection(kind, value, ly_share, due_month) -> pd.Series:
    """预计全年 for cumulative indicators: YTD(m) / last year's share at m (m/12 without it)."""
    kind = _obj(kind)
    v = _arr(value)
    share = _arr(ly_share)
    due = np.asarray(due_month, dtype=float)
    share = np.where(np.isnan(share) | (share <= 0) | (share > 1), due / 12, share)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(share > 0, v / share, np.nan)
    return pd.Series(np.where(kind == "cumulative", out, np.nan), index=_index(value))


def reaches(direction, projected, target) -> pd.Series:
    lower = _obj(direction) == "lower"
    p, t = _arr(projected), _arr(target)
    out = np.where(lower, p <= t, p >= t)
    return pd.Series(np.where(np.isnan(p) | np.isnan(t), None, out), index=_index(projected), dtype=object)


def rank_among_siblings(frame: pd.DataFrame, by: str = "completion", ascending: bool = False) -> pd.Series:
    """Rank within (indicator_code, parent_code); ties share the rank, missing last.
    Units without a parent (the city) get no rank."""
    ranks = frame.groupby(["indicator_code", "parent_code"], dropna=False)[by].rank(
        method="min", ascending=ascending, na_option="bottom")
    return ranks.where(frame["parent_code"].notna()).astype("Int64")
