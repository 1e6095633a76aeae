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


RULES = ("cumulative", "cumulative_limit", "change", "hold", "no_baseline", "no_baseline_increase")
"""How a row is judged (``assess``), one caption each on a card (README "How the numbers are computed"):

- ``cumulative``: a 1–m月 total against an annual target (越高越好): progress = value / target.
- ``cumulative_limit``: a 1–m月 total against an annual limit (越低越好, e.g. 逾期数): on track while
  value ≤ e(m) × limit; 已完成 only once the year is over; above the limit before that is 严重滞后.
- ``change``: a level (stock or ratio) moving from last year-end B toward the target T:
  progress = (value − B) / (T − B), the share of the needed change that is done.
- ``hold``: a level whose target asks for no change in its direction (T = B, or below B for
  越高越好): met or not; the whole target is due now.
- ``no_baseline``: a level without last year-end's value: progress = value / T (越低越好: T / value).
- ``no_baseline_increase``: a 年内新增 target without last year-end's value: the level the
  target means (B + increase) is unknown, nothing can be judged.
"""


def _fill(values, index) -> np.ndarray:
    return np.asarray(values, dtype=object) if values is not None else np.full(len(index), None, dtype=object)


def target_level(kind, basis, target, baseline) -> pd.Series:
    """The level a target means: a 年内新增 (increase) target I on last year-end B is the
    level B + I; every other target is its own value (NaN without B for an increase)."""
    t, b = _arr(target), _arr(baseline)
    increase = (_obj(basis) == "increase") & np.isin(_obj(kind), ["stock", "ratio"])
    return pd.Series(np.where(increase, b + t, t), index=_index(target), dtype="float64")


def assess(kind, direction, value, target, baseline, expected, *, basis=None, target_given=None) -> pd.DataFrame:
    """Everything a card shows about progress, per row (DESIGN §4, README).

    ``target`` is the level T (see ``target_level``); ``target_given`` says a target was set
    at all (default: T is a number) so an increase target without a baseline is told apart
    from no target. ``expected`` is e(m) (NaN when nothing is due).

    Columns: rule (see RULES), progress (fraction compared with e(m)), completion (the 完成
    a card shows: value / T for 年末达到 stocks and cumulative totals, (value − B) / (T − B)
    for 年内新增 stocks and for 越低越好 stocks, the share of the limit used for 越低越好
    cumulative; NaN for ratios, which show no percentage of a percentage), expected_value
    (序时应达值 L(m) in the indicator's unit), gap_value (value − L(m)), gap_pp (points;
    ≥ 0 is ahead whatever the direction), met (bool: the target itself is reached).
    """
    idx = _index(value)
    return pd.DataFrame(assess_arrays(kind, direction, value, target, baseline, expected, basis=basis,
                                      target_given=target_given), index=idx)


def assess_arrays(kind, direction, value, target, baseline, expected, *, basis=None, target_given=None) -> dict:
    """``assess``'s columns as numpy arrays (``rule`` and ``met`` objects, None for none),
    for callers that take them apart anyway: no frame, no text column built."""
    idx = _index(value)
    kind, lower = _obj(kind), _obj(direction) == "lower"
    basis = _fill(basis, idx)
    v, t, b, e = _arr(value), _arr(target), _arr(baseline), _arr(expected)
    given = ~np.isnan(t) if target_given is None else np.asarray(target_given, dtype=bool)
    rule = _rule(kind, lower, basis, t, b, given)
    met = np.where(lower, v <= t, v >= t)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio_vt = np.where(t != 0, v / t, np.where(met, 1.0, 0.0))
        ratio_tv = np.where(v != 0, t / v, np.where(met, 1.0, 0.0))
        change = (v - b) / (t - b)
        share = v / np.where(t > 0, t, 1)
    own = np.where(lower, ratio_tv, ratio_vt)
    progress = np.select(
        [rule == "cumulative", rule == "cumulative_limit", rule == "change", (rule == "hold") & met,
         np.isin(rule, ["hold", "no_baseline"])],
        [np.where(t > 0, share, np.where(met, 1.0, 0.0)), np.where(t > 0, share, np.where(met, 0.0, np.nan)),
         change, 1.0, own], default=np.nan)
    expected_value = np.select(
        [np.isin(rule, ["cumulative", "cumulative_limit"]), rule == "change", rule == "hold",
         (rule == "no_baseline") & ~lower],
        [e * t, b + e * (t - b), t, e * t], default=np.nan)
    gap = np.select([rule == "cumulative_limit", rule == "hold"], [(e - progress) * 100, (progress - 1) * 100],
                    default=(progress - e) * 100)
    # decimal inputs carry binary noise (0.065 / 0.1 = 0.6499999…): round before any
    # threshold so a value exactly on 序时 or on −10 points reads as the card shows it
    # (+ 0.0 turns −0.0 — no change on a lower-is-better stock, 0 ÷ −3 — into 0.0, so no
    # card, JSON or slide reads "-0.0%")
    progress, gap = np.round(progress, 12) + 0.0, np.round(gap, 9) + 0.0
    out = {
        "rule": rule, "progress": progress,
        "completion": _card_completion(kind, lower, basis, rule, progress, change, ratio_vt) + 0.0,
        "expected_value": expected_value + 0.0, "gap_value": v - expected_value + 0.0, "gap_pp": gap,
        "met": np.where(np.isnan(v) | np.isnan(t), None, met).astype(object),
    }
    blank = np.isnan(v) | pd.isna(rule)
    for col in ("progress", "completion", "expected_value", "gap_value", "gap_pp"):
        out[col] = np.where(blank, np.nan, np.asarray(out[col], dtype=float))
    return out


def _rule(kind, lower, basis, t, b, given) -> np.ndarray:
    """Which of RULES judges each row (None without a target)."""
    cum = kind == "cumulative"
    level = ~cum
    toward = np.where(lower, t < b, t > b)  # the target asks for a change in the indicator's direction
    rule = np.select(
        [cum & ~lower, cum & lower, level & np.isnan(t) & given & (basis == "increase"),
         level & np.isnan(b), level & toward, level],
        ["cumulative", "cumulative_limit", "no_baseline_increase", "no_baseline", "change", "hold"],
        default=None).astype(object)
    rule[~given | (np.isnan(t) & (rule != "no_baseline_increase"))] = None
    return rule


def _card_completion(kind, lower, basis, rule, progress, change, ratio_vt) -> np.ndarray:
    """完成 as a card shows it: the progress for totals and limits, value / T for 年末达到
    stocks, the share of the needed change for 年内新增 and 越低越好 stocks; none for ratios."""
    stock = kind == "stock"
    return np.select(
        [kind == "cumulative", stock & (rule == "change") & (lower | (basis == "increase")),
         stock & (rule == "change"), stock & (rule == "hold") & ~lower & (basis != "increase"),
         stock & (rule == "no_baseline")],
        [progress, np.round(change, 12), ratio_vt, ratio_vt, progress], default=np.nan)


def progress_share(kind, direction, value, target, baseline) -> pd.Series:
    """``assess``'s progress alone: the fraction of the target done that is compared with
    序时进度 (cumulative: value / T; levels: (value − B) / (T − B), or value / T without B)."""
    return assess(kind, direction, value, target, baseline, np.full(len(_index(value)), np.nan))["progress"]


# The name this rule had before cards showed their own 完成 (kept for the demo's aiming).
completion = progress_share


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


def format_milestones(nodes: dict[int, float] | None) -> str | None:
    """The inverse of ``parse_milestones``: {3: 0.15, 6: 0.4} → ``"3:15;6:40"`` (months in
    order; shares as percentages without trailing zeros); None for no nodes."""
    if not nodes:
        return None
    return ";".join(f"{m}:{round(share * 100, 4):g}" for m, share in sorted(nodes.items()))


def milestone_share(nodes: dict[int, float], month: int) -> float:
    """Expected share at ``month``, interpolating linearly between milestone nodes
    (starting from 0 at month 0 and ending at 100% at month 12 unless given)."""
    points = {0: 0.0, 12: 1.0, **nodes}
    xs = sorted(points)
    return float(np.interp(month, xs, [points[x] for x in xs]))


# how pages and cards name an ``expected_basis`` (指标详情's summary, the cards' note)
BASIS_WORDS = {"milestone": "按目标月度节点", "last_year": "按上年同期进度", "linear": "按时间进度（月数/12）"}
PACED_RULES = frozenset({"cumulative", "cumulative_limit", "change", "no_baseline"})  # status rules judged on e(m)


def basis_note(basis, status_rule) -> str:
    """``序时进度按目标月度节点``: what a card says of its 序时 unless it is the even share of
    the year (an October 序时 of 8.0% reads as a bug without the target's own nodes named)."""
    if status_rule not in PACED_RULES or basis not in BASIS_WORDS or basis == "linear":
        return ""
    return f"序时进度{BASIS_WORDS[basis]}"


def expected_progress(due_month, milestones, last_year_share, pacing: str = "last_year") -> pd.DataFrame:
    """Expected progress e(m) and its basis for each row.

    Returns columns ``expected`` (fraction, NaN when nothing is due yet) and
    ``expected_basis``: ``milestone`` (the target's own nodes), ``last_year`` (last
    year's cumulative share of the same unit at the same month) or ``linear`` (m/12).
    """
    idx = pd.Series(due_month).index
    expected, basis = expected_arrays(due_month, milestones, last_year_share, pacing)
    return pd.DataFrame({"expected": expected, "expected_basis": basis}, index=idx)


def expected_arrays(due_month, milestones, last_year_share, pacing: str = "last_year") -> tuple[np.ndarray, np.ndarray]:
    """``expected_progress`` as two numpy arrays (float, object; None where not due), for
    callers that take the columns apart anyway: no frame, no text column built."""
    due = pd.Series(due_month).to_numpy(dtype=np.int64)
    idx = pd.RangeIndex(len(due))
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
    return expected, basis


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
    """Gap to expected progress in percentage points (progress − e(m)) × 100."""
    return pd.Series((_arr(completion_) - _arr(expected)) * 100, index=_index(completion_))


def status(frequency, due_month, value, target, completion_, gap, *, rule=None, met=None, year_over=None,
           target_given=None, done_at: float = 1.0, lagging_from_pp: float = -10.0) -> pd.Series:
    """One of STATUSES per row (DESIGN §4 and the status table there).

    ``completion_`` is ``assess``'s progress and ``gap`` its gap_pp. With ``rule`` (and
    ``met``, ``year_over`` = the as-of month is December) the rules of ``assess`` apply: a
    limit is 已完成 only once the year is over and 严重滞后 as soon as it is exceeded; a
    level that only has to hold its target is done when met and otherwise behind.
    """
    freq = _obj(frequency)
    idx = _index(value)
    due = np.asarray(due_month)
    v, t = _arr(value), _arr(target)
    c, g = _arr(completion_), _arr(gap)
    rule = _fill(rule, idx)
    met = np.array([m is True or m is np.True_ for m in _fill(met, idx)], dtype=bool)
    over = np.zeros(len(idx), dtype=bool) if year_over is None else np.broadcast_to(np.asarray(year_over, dtype=bool), len(idx))
    given = ~np.isnan(t) if target_given is None else np.asarray(target_given, dtype=bool)
    limit, hold = rule == "cumulative_limit", rule == "hold"
    conds = [
        due <= 0,
        np.isnan(v) & (freq == "annual"),  # annual figures are published late: not due until they are
        np.isnan(v),
        ~given,
        rule == "no_baseline_increase",  # the year-end level is what is missing
        limit & ~met,  # past the annual limit (已超全年控制数)
        limit & over,
        limit,
        hold & met,
        ~limit & ~hold & (c >= done_at),
        ~hold & (g >= 0),
        g >= lagging_from_pp,
    ]
    choices = ["not_due", "not_due", "missing", "no_target", "missing", "far_behind", "done", "_gap",
               "done", "done", "on_track", "lagging"]
    out = np.select(conds, choices, default="far_behind").astype(object)
    gap_only = out == "_gap"
    out[gap_only] = np.where(g[gap_only] >= 0, "on_track",
                             np.where(g[gap_only] >= lagging_from_pp, "lagging", "far_behind"))
    return pd.Series(out, index=idx, dtype=object)


def difference_unit(unit) -> str | None:
    """The unit a ratio's 同比/环比 difference is in: 个百分点 for a % indicator, else the
    indicator's own unit (每万人发明专利拥有量: 件)."""
    return "个百分点" if unit == "%" else (unit or None)


def comparison_type(kind) -> np.ndarray:
    """``change`` (a relative change, fraction) for cumulative and stock indicators,
    ``difference`` (in the indicator's own unit) for ratios."""
    return np.where(_obj(kind) == "ratio", "difference", "change").astype(object)


def yoy(kind, value, value_ly) -> pd.Series:
    """同比: value / last year − 1 for cumulative and stock; for ratios the difference
    (in the ratio's own unit, i.e. percentage points for a % indicator)."""
    return _change(kind, value, value_ly, _index(value))


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
    return _change(kind, current, previous, _index(current))


def _change(kind, current, previous, index: pd.Index) -> pd.Series:
    """``current`` against ``previous`` as ``comparison_type`` says: the relative change
    (NaN unless ``previous`` > 0), or for ratios the difference."""
    c, p = _arr(current), _arr(previous)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(p > 0, c / p - 1, np.nan)
    return pd.Series(np.where(comparison_type(kind) == "difference", c - p, rel), index=index)
