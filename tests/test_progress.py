"""Table-driven tests of every rule in DESIGN §4 (indicators.rules.progress)."""

import math

import numpy as np
import pandas as pd
import pytest

from indicators.rules import progress as p

nan = float("nan")


def one(series):
    v = series.iloc[0]
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else v


@pytest.mark.parametrize("kind,direction,value,target,baseline,expected", [
    # cumulative: YTD / target
    ("cumulative", "higher", 75, 100, nan, 0.75),
    ("cumulative", "higher", 120, 100, nan, 1.2),
    ("cumulative", "higher", 0, 100, nan, 0.0),
    # zero target: met or not
    ("cumulative", "higher", 5, 0, nan, 1.0),
    ("cumulative", "higher", 0, 0, nan, 1.0),
    # stock with baseline: (actual − B) / (target − B)
    ("stock", "higher", 110, 120, 100, 0.5),
    ("stock", "higher", 95, 120, 100, -0.25),
    # stock without baseline: actual / target
    ("stock", "higher", 60, 120, nan, 0.5),
    # target equal to the baseline: actual / target
    ("stock", "higher", 100, 100, 100, 1.0),
    ("stock", "higher", 90, 100, 100, 0.9),
    # ratio measured like a stock
    ("ratio", "higher", 2.6, 3.0, 2.4, pytest.approx(1 / 3)),
    # lower is better, with baseline: (B − actual) / (B − target)
    ("stock", "lower", 8, 5, 10, pytest.approx(2 / 5)),
    ("ratio", "lower", 12.0, 10.0, 15.0, 0.6),
    # lower is better, no baseline: target / actual
    ("cumulative", "lower", 50, 40, nan, 0.8),
    ("cumulative", "lower", 0, 40, nan, 1.0),  # nothing used: met
    # missing value or target: no completion
    ("cumulative", "higher", nan, 100, nan, None),
    ("stock", "higher", 100, nan, 90, None),
])
def test_completion(kind, direction, value, target, baseline, expected):
    got = one(p.completion([kind], [direction], [value], [target], [baseline]))
    assert got == expected


@pytest.mark.parametrize("text,month,expected", [
    ("3:15;6:40;9:70;12:100", 6, 0.40),
    ("3:15;6:40;9:70;12:100", 10, pytest.approx(0.80)),
    ("3：15；6：40", 9, pytest.approx(0.70)),  # full-width separators; 12 defaults to 100
    ("6:50", 3, 0.25),
])
def test_milestone_interpolation(text, month, expected):
    assert p.milestone_share(p.parse_milestones(text), month) == expected


def test_bad_milestones_are_refused():
    with pytest.raises(ValueError):
        p.parse_milestones("13:50")


@pytest.mark.parametrize("due,milestones,ly_share,pacing,expected,basis", [
    (10, None, nan, "last_year", pytest.approx(10 / 12), "linear"),
    (10, "9:70;12:100", 0.5, "last_year", pytest.approx(0.8), "milestone"),  # milestones win
    (10, None, 0.55, "last_year", 0.55, "last_year"),
    (10, None, 0.55, "linear", pytest.approx(10 / 12), "linear"),
    (10, None, 1.2, "last_year", 1.0, "last_year"),  # clipped to 100%
    (10, None, 3.0, "last_year", pytest.approx(10 / 12), "linear"),  # implausible history ignored
    (0, None, 0.5, "last_year", None, None),  # nothing due yet
])
def test_expected_progress(due, milestones, ly_share, pacing, expected, basis):
    out = p.expected_progress([due], [milestones], [ly_share], pacing)
    got = out["expected"].iloc[0]
    assert (None if math.isnan(got) else got) == expected
    assert out["expected_basis"].iloc[0] == basis


@pytest.mark.parametrize("kind,ly,end,end2,expected", [
    ("cumulative", 40, 100, nan, 0.4),
    ("cumulative", 40, 0, nan, None),  # no last-year total
    ("stock", 110, 120, 100, 0.5),  # (L(m) − L(y-2,12)) / (L(12) − L(y-2,12))
    ("stock", 110, 100, 100, None),  # flat last year
    ("stock", nan, 120, 100, None),
])
def test_last_year_share(kind, ly, end, end2, expected):
    assert one(p.last_year_share([kind], [ly], [end], [end2])) == expected


@pytest.mark.parametrize("freq,due,value,target,completion,expected,status", [
    ("monthly", 10, 100, 100, 1.0, 0.8, "done"),
    ("monthly", 10, 85, 100, 0.85, 0.8333, "on_track"),
    ("monthly", 10, 80, 100, 0.8, 0.8333, "lagging"),  # gap −3.3
    ("monthly", 10, 73.4, 100, 0.734, 0.8333, "lagging"),  # gap −9.9
    ("monthly", 10, 70, 100, 0.70, 0.8333, "far_behind"),  # gap −13.3
    ("monthly", 10, nan, 100, nan, 0.8333, "missing"),
    ("quarterly", 0, nan, 100, nan, nan, "not_due"),  # nothing due before March
    ("annual", 0, nan, 100, nan, nan, "not_due"),
    ("annual", 12, nan, 100, nan, 1.0, "not_due"),  # annual figure not yet published
    ("monthly", 10, 50, nan, nan, 0.8333, "no_target"),
])
def test_status(freq, due, value, target, completion, expected, status):
    gap = p.gap_pp([completion], [expected])
    assert one(p.status([freq], [due], [value], [target], [completion], gap)) == status


def test_status_thresholds_are_settings():
    gap = p.gap_pp([0.70], [0.8333])
    assert one(p.status(["monthly"], [10], [70], [100], [0.70], gap, lagging_from_pp=-15)) == "lagging"
    assert one(p.status(["monthly"], [10], [95], [100], [0.95], p.gap_pp([0.95], [0.8]), done_at=0.95)) == "done"


def test_gap_in_points():
    assert one(p.gap_pp([0.75], [0.8333333])) == pytest.approx(-8.33333, rel=1e-4)


@pytest.mark.parametrize("kind,value,ly,expected", [
    ("cumulative", 110, 100, pytest.approx(0.10)),
    ("stock", 90, 100, pytest.approx(-0.10)),
    ("ratio", 2.65, 2.40, pytest.approx(0.25)),  # percentage points
    ("cumulative", 10, 0, None),
    ("stock", 10, nan, None),
])
def test_yoy(kind, value, ly, expected):
    assert one(p.yoy([kind], [value], [ly])) == expected


@pytest.mark.parametrize("kind,value,prev,first,expected", [
    ("cumulative", 70, 60, False, 10),
    ("cumulative", 7, nan, True, 7),  # January: YTD is the month
    ("cumulative", 70, nan, False, None),  # last month missing
    ("stock", 70, 60, False, None),
])
def test_period_value(kind, value, prev, first, expected):
    assert one(p.period_value([kind], [value], [prev], [first])) == expected


@pytest.mark.parametrize("kind,cur,prev,expected", [
    ("cumulative", 12, 10, pytest.approx(0.2)),
    ("stock", 99, 100, pytest.approx(-0.01)),
    ("ratio", 3.1, 3.0, pytest.approx(0.1)),
])
def test_mom(kind, cur, prev, expected):
    assert one(p.mom([kind], [cur], [prev])) == expected


@pytest.mark.parametrize("kind,value,share,due,projected", [
    ("cumulative", 80, 0.8, 10, pytest.approx(100)),
    ("cumulative", 50, nan, 6, pytest.approx(100)),  # m/12 fallback
    ("stock", 80, 0.8, 10, None),
])
def test_projection(kind, value, share, due, projected):
    assert one(p.projection([kind], [value], [share], [due])) == projected


def test_projection_reaches_respects_direction():
    out = p.reaches(["higher", "lower", "higher"], [100, 100, nan], [90, 90, 90])
    assert list(out) == [True, False, None]


def test_rank_ties_share_and_missing_last():
    frame = pd.DataFrame({
        "indicator_code": ["a"] * 5, "parent_code": ["C", "C", "C", "C", None],
        "completion": [0.9, 0.9, 0.5, np.nan, 0.7],
    })
    assert list(p.rank_among_siblings(frame)) == [1, 1, 3, 4, pd.NA]
