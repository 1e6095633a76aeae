"""Table-driven tests of every rule in DESIGN §4 (indicators.rules.progress).

Expected values are worked out by hand from the rules as the README states them; the
tables cover every (kind × direction × status), see ``test_every_kind_direction_status_has_a_row``.
"""

import math

import numpy as np
import pytest

from indicators.rules import progress as p

nan = float("nan")
E9 = 0.75  # 序时进度 in September (9/12)


def one(series):
    v = series.iloc[0]
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else v


def approx(v):
    return None if v is None else pytest.approx(v, abs=1e-9)


# kind, direction, basis, value, target (as entered), baseline, e, due, frequency →
#   rule, progress, completion, expected_value (序时应达值), gap_value, gap_pp, status
CASES = [
    # ---- cumulative, higher is better: progress = completion = YTD / T
    ("cumulative", "higher", None, 60, 100, nan, E9, 9, "monthly", "cumulative", .6, .6, 75, -15, -15, "far_behind"),
    ("cumulative", "higher", None, 70, 100, nan, E9, 9, "monthly", "cumulative", .7, .7, 75, -5, -5, "lagging"),
    ("cumulative", "higher", None, 80, 100, nan, E9, 9, "monthly", "cumulative", .8, .8, 75, 5, 5, "on_track"),
    ("cumulative", "higher", None, 100, 100, nan, E9, 9, "monthly", "cumulative", 1, 1, 75, 25, 25, "done"),
    # January and December
    ("cumulative", "higher", None, 10, 120, nan, 1 / 12, 1, "monthly", "cumulative", 1 / 12, 1 / 12, 10, 0, 0,
     "on_track"),
    ("cumulative", "higher", None, 95, 100, nan, 1.0, 12, "monthly", "cumulative", .95, .95, 100, -5, -5, "lagging"),
    # zero target: any value meets it
    ("cumulative", "higher", None, 5, 0, nan, E9, 9, "monthly", "cumulative", 1, 1, 0, 5, 25, "done"),
    # quarterly in September, annual in December
    ("cumulative", "higher", None, 300, 400, nan, E9, 9, "quarterly", "cumulative", .75, .75, 300, 0, 0, "on_track"),
    ("cumulative", "higher", None, 88, 100, nan, 1.0, 12, "annual", "cumulative", .88, .88, 100, -12, -12,
     "far_behind"),
    # ---- cumulative, lower is better (an annual limit, e.g. 逾期数): progress = share of the limit used
    ("cumulative", "lower", None, 6, 12, nan, E9, 9, "monthly", "cumulative_limit", .5, .5, 9, -3, 25, "on_track"),
    ("cumulative", "lower", None, 9.6, 12, nan, E9, 9, "monthly", "cumulative_limit", .8, .8, 9, .6, -5, "lagging"),
    ("cumulative", "lower", None, 11, 12, nan, E9, 9, "monthly", "cumulative_limit", 11 / 12, 11 / 12, 9, 2,
     (.75 - 11 / 12) * 100, "far_behind"),
    # past the annual limit before the year is over: 严重滞后 (已超全年控制数)
    ("cumulative", "lower", None, 13, 12, nan, E9, 9, "monthly", "cumulative_limit", 13 / 12, 13 / 12, 9, 4,
     (.75 - 13 / 12) * 100, "far_behind"),
    # 已完成 only once the year is over
    ("cumulative", "lower", None, 11, 12, nan, 1.0, 12, "monthly", "cumulative_limit", 11 / 12, 11 / 12, 12, -1,
     (1 - 11 / 12) * 100, "done"),
    ("cumulative", "lower", None, 13, 12, nan, 1.0, 12, "monthly", "cumulative_limit", 13 / 12, 13 / 12, 12, 1,
     (1 - 13 / 12) * 100, "far_behind"),
    # January: nothing used is on track, not 已完成
    ("cumulative", "lower", None, 0, 12, nan, 1 / 12, 1, "monthly", "cumulative_limit", 0, 0, 1, -1, 100 / 12,
     "on_track"),
    ("cumulative", "lower", None, 2, 12, nan, 1 / 12, 1, "monthly", "cumulative_limit", 2 / 12, 2 / 12, 1, 1,
     -100 / 12, "lagging"),
    # zero tolerance: a limit of 0
    ("cumulative", "lower", None, 0, 0, nan, E9, 9, "monthly", "cumulative_limit", 0, 0, 0, 0, 75, "on_track"),
    ("cumulative", "lower", None, 1, 0, nan, E9, 9, "monthly", "cumulative_limit", None, None, 0, 1, None,
     "far_behind"),
    # ---- stock, 年末达到 (a level): completion = value / T; status on the share of the increase done
    ("stock", "higher", "level", 1425, 1570, 1403, E9, 9, "monthly", "change", 22 / 167, 1425 / 1570, 1528.25,
     -103.25, (22 / 167 - .75) * 100, "far_behind"),
    ("stock", "higher", "level", 116, 120, 100, E9, 9, "monthly", "change", .8, 116 / 120, 115, 1, 5, "on_track"),
    ("stock", "higher", "level", 114, 120, 100, E9, 9, "monthly", "change", .7, .95, 115, -1, -5, "lagging"),
    ("stock", "higher", "level", 121, 120, 100, E9, 9, "monthly", "change", 1.05, 121 / 120, 115, 6, 30, "done"),
    ("stock", "higher", "level", 95, 120, 100, E9, 9, "monthly", "change", -.25, 95 / 120, 115, -20, -100,
     "far_behind"),
    # ---- stock, 年内新增 (an increase I = 167 on B): completion = (value − B) / I
    ("stock", "higher", "increase", 1425, 167, 1403, E9, 9, "monthly", "change", 22 / 167, 22 / 167, 1528.25,
     -103.25, (22 / 167 - .75) * 100, "far_behind"),
    ("stock", "higher", "increase", 1548, 167, 1403, 1.0, 12, "monthly", "change", 145 / 167, 145 / 167, 1570, -22,
     (145 / 167 - 1) * 100, "far_behind"),
    # no baseline: the target's level is unknown, nothing can be judged (waits for B)
    ("stock", "higher", "increase", 1425, 167, nan, E9, 9, "monthly", "no_baseline_increase", None, None, None,
     None, None, "missing"),
    # target equal to (or, higher is better, below) last year-end: met or not, the whole target due
    ("stock", "higher", "level", 100, 100, 100, E9, 9, "monthly", "hold", 1, 1, 100, 0, 0, "done"),
    ("stock", "higher", "level", 95, 100, 100, E9, 9, "monthly", "hold", .95, .95, 100, -5, -5, "lagging"),
    ("stock", "higher", "level", 85, 100, 100, E9, 9, "monthly", "hold", .85, .85, 100, -15, -15, "far_behind"),
    ("stock", "higher", "level", 92, 90, 100, E9, 9, "monthly", "hold", 1, 92 / 90, 90, 2, 0, "done"),
    # no baseline: completion = value / T against 序时 (L = e·T)
    ("stock", "higher", "level", 96, 120, nan, E9, 9, "monthly", "no_baseline", .8, .8, 90, 6, 5, "on_track"),
    # ---- stock, lower is better (逾期数 B 10 → T 5): completion = (B − value) / (B − T)
    ("stock", "lower", "level", 8, 5, 10, E9, 9, "monthly", "change", .4, .4, 6.25, 1.75, -35, "far_behind"),
    ("stock", "lower", "level", 6, 5, 10, E9, 9, "monthly", "change", .8, .8, 6.25, -.25, 5, "on_track"),
    ("stock", "lower", "level", 6.5, 5, 10, E9, 9, "monthly", "change", .7, .7, 6.25, .25, -5, "lagging"),
    ("stock", "lower", "level", 5, 5, 10, E9, 9, "monthly", "change", 1, 1, 6.25, -1.25, 25, "done"),
    ("stock", "lower", "level", 3, 3, 3, E9, 9, "monthly", "hold", 1, None, 3, 0, 0, "done"),
    ("stock", "lower", "level", 4, 5, nan, E9, 9, "monthly", "no_baseline", 1.25, 1.25, None, None, 50, "done"),
    # ---- ratio: value, T, 序时应达值 L = B + e·(T − B) and the gap in its own unit; no 完成率
    ("ratio", "higher", "level", 2.46, 2.5, 2.4, E9, 9, "monthly", "change", .6, None, 2.475, -.015, -15,
     "far_behind"),
    ("ratio", "higher", "level", 2.465, 2.5, 2.4, E9, 9, "monthly", "change", .65, None, 2.475, -.01, -10,
     "lagging"),
    ("ratio", "higher", "level", 2.49, 2.5, 2.4, E9, 9, "monthly", "change", .9, None, 2.475, .015, 15, "on_track"),
    ("ratio", "higher", "level", 52.07, 50.40, 49.07, E9, 9, "monthly", "change", 3 / 1.33, None, 50.0675, 2.0025,
     (3 / 1.33 - .75) * 100, "done"),
    ("ratio", "higher", "increase", 2.49, .1, 2.4, E9, 9, "monthly", "change", .9, None, 2.475, .015, 15, "on_track"),
    ("ratio", "higher", "level", 2.4, 2.5, nan, E9, 9, "monthly", "no_baseline", .96, None, 1.875, .525, 21,
     "on_track"),
    ("ratio", "higher", "level", 2.4, 2.5, 2.5, E9, 9, "monthly", "hold", .96, None, 2.5, -.1, -4, "lagging"),
    ("ratio", "lower", "level", 12, 10, 15, E9, 9, "monthly", "change", .6, None, 11.25, .75, -15, "far_behind"),
    ("ratio", "lower", "level", 11.2, 10, 15, E9, 9, "monthly", "change", .76, None, 11.25, -.05, 1, "on_track"),
    ("ratio", "lower", "level", 11.6, 10, 15, E9, 9, "monthly", "change", .68, None, 11.25, .35, -7, "lagging"),
    ("ratio", "lower", "level", 9.5, 10, 15, 1.0, 12, "annual", "change", 1.1, None, 10, -.5, 10, "done"),
]

# rows whose status does not come from the numbers: nothing due, no value, no target
# kind, direction, value, target, due, frequency → status
STATE_CASES = [
    (kind, direction, value, target, due, freq, status)
    for kind in ("cumulative", "stock", "ratio") for direction in ("higher", "lower")
    for value, target, due, freq, status in [
        (nan, 100, 0, "quarterly", "not_due"),  # nothing due before March
        (nan, 100, 12, "annual", "not_due"),  # an annual figure not yet published
        (nan, 100, 9, "monthly", "missing"),
        (50, nan, 9, "monthly", "no_target"),
    ]
]


def _assess(kind, direction, basis, value, target, baseline, e):
    level = p.target_level([kind], [basis], [target], [baseline])
    return p.assess([kind], [direction], [value], level, [baseline], [e], basis=[basis],
                    target_given=[not math.isnan(target)])


@pytest.mark.parametrize("kind,direction,basis,value,target,baseline,e,due,freq,rule,prog,comp,lm,gv,gpp,status",
                         CASES)
def test_assess_and_status(kind, direction, basis, value, target, baseline, e, due, freq, rule, prog, comp, lm, gv,
                           gpp, status):
    a = _assess(kind, direction, basis, value, target, baseline, e)
    assert one(a["rule"]) == rule
    assert one(a["progress"]) == approx(prog)
    assert one(a["completion"]) == approx(comp)
    assert one(a["expected_value"]) == approx(lm)
    assert one(a["gap_value"]) == approx(gv)
    assert one(a["gap_pp"]) == approx(gpp)
    level = p.target_level([kind], [basis], [target], [baseline])
    got = p.status([freq], [due], [value], level, a["progress"], a["gap_pp"], rule=a["rule"], met=a["met"],
                   year_over=[due == 12], target_given=[not math.isnan(target)])
    assert one(got) == status


@pytest.mark.parametrize("kind,direction,value,target,due,freq,status", STATE_CASES)
def test_states_without_numbers(kind, direction, value, target, due, freq, status):
    a = _assess(kind, direction, "level", value, target, 100.0, 0.5 if due else nan)
    got = p.status([freq], [due], [value], [target], a["progress"], a["gap_pp"], rule=a["rule"], met=a["met"],
                   year_over=[due == 12], target_given=[not math.isnan(target)])
    assert one(got) == status
    assert one(a["progress"]) is None and one(a["completion"]) is None and one(a["gap_pp"]) is None


def test_every_kind_direction_status_has_a_row():
    """Meta-test: each (kind × direction × status) has at least one row in the tables above."""
    covered = {(c[0], c[1], c[-1]) for c in CASES} | {(c[0], c[1], c[-1]) for c in STATE_CASES}
    wanted = {(k, d, s) for k in ("cumulative", "stock", "ratio") for d in ("higher", "lower") for s in p.STATUSES}
    assert wanted - covered == set()


def test_status_thresholds_are_settings():
    a = _assess("cumulative", "higher", None, 70, 100, nan, 0.8333)
    kw = dict(rule=a["rule"], met=a["met"], year_over=[False])
    assert one(p.status(["monthly"], [10], [70], [100], a["progress"], a["gap_pp"], **kw, lagging_from_pp=-15)) \
        == "lagging"
    a = _assess("cumulative", "higher", None, 95, 100, nan, 0.8)
    assert one(p.status(["monthly"], [10], [95], [100], a["progress"], a["gap_pp"], rule=a["rule"], met=a["met"],
                        done_at=0.95)) == "done"


def test_status_without_rules_keeps_its_old_signature():
    """The demo aims statuses with progress_share + status(…) positionally."""
    c = p.progress_share(["stock"], ["higher"], [110], [120], [100])
    assert one(c) == pytest.approx(0.5)
    gap = p.gap_pp(c, [0.4])
    assert one(p.status(["monthly"], [10], [110], [120], c, gap)) == "on_track"
    assert p.completion is p.progress_share


@pytest.mark.parametrize("kind,basis,target,baseline,level", [
    ("stock", "increase", 167, 1403, 1570),
    ("stock", "level", 1570, 1403, 1570),
    ("stock", None, 1570, 1403, 1570),
    ("ratio", "increase", 0.1, 2.4, 2.5),
    ("stock", "increase", 167, nan, None),
    ("cumulative", "increase", 100, nan, 100),  # a cumulative target is the year's total
])
def test_target_level(kind, basis, target, baseline, level):
    assert one(p.target_level([kind], [basis], [target], [baseline])) == approx(level)


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
    (1, None, nan, "last_year", pytest.approx(1 / 12), "linear"),  # January
    (12, None, 0.9, "last_year", 0.9, "last_year"),  # December: last year's December share is 100%…
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


@pytest.mark.parametrize("kind,value,ly,expected", [
    ("cumulative", 110, 100, pytest.approx(0.10)),
    ("stock", 90, 100, pytest.approx(-0.10)),
    ("ratio", 2.65, 2.40, pytest.approx(0.25)),  # a difference, in the ratio's own unit
    ("cumulative", 10, 0, None),  # no relative change from nothing
    ("stock", 10, nan, None),
])
def test_yoy(kind, value, ly, expected):
    assert one(p.yoy([kind], [value], [ly])) == expected


@pytest.mark.parametrize("unit,expected", [("%", "个百分点"), ("件", "件"), ("‰", "‰"), (None, None)])
def test_difference_unit(unit, expected):
    assert p.difference_unit(unit) == expected


def test_comparison_type():
    assert list(p.comparison_type(["cumulative", "stock", "ratio"])) == ["change", "change", "difference"]


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


def test_assess_is_vectorised_and_aligned():
    a = p.assess(["cumulative", "stock"], ["higher", "higher"], [80, 116], [100, 120], [nan, 100], [E9, E9],
                 basis=[None, "level"])
    assert list(a["rule"]) == ["cumulative", "change"]
    np.testing.assert_allclose(a["gap_pp"].to_numpy(), [5, 5])


@pytest.mark.parametrize("nodes,text", [
    ({3: 0.15, 6: 0.4, 9: 0.7, 12: 1.0}, "3:15;6:40;9:70;12:100"),
    ({12: 1.0, 3: 0.02}, "3:2;12:100"),
    ({6: 0.455}, "6:45.5"),
    ({}, None),
    (None, None),
])
def test_format_milestones(nodes, text):
    assert p.format_milestones(nodes) == text
    if text:
        assert p.parse_milestones(text) == pytest.approx(nodes)
