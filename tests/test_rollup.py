"""Roll-up up the territorial tree (indicators.rules.rollup)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.rules.rollup import roll_up

UNITS = pd.DataFrame({"code": ["C", "A", "B", "Z"], "parent_code": [None, "C", "C", "A"], "level": [0, 1, 1, 2]})
INDS = pd.DataFrame({
    "code": ["S", "N", "D", "R", "P"],
    "kind": ["cumulative", "cumulative", "cumulative", "ratio", "ratio"],
    "numerator_code": [None, None, None, "N", None],
    "denominator_code": [None, None, None, "D", None],
    "factor": [1, 1, 1, 100, 1],
})


def obs(rows):
    f = pd.DataFrame(rows, columns=["indicator_code", "org_unit", "period", "value"])
    f["batch_id"] = 1
    return f


def get(result, ind, unit):
    row = result[(result.indicator_code == ind) & (result.org_unit == unit)]
    return (None, None) if row.empty else (row.value.iloc[0], row.provenance.iloc[0])


@pytest.mark.parametrize("rows,expected,ind,unit,value,provenance", [
    # parent = sum of children
    ([("S", "A", "p", 3), ("S", "B", "p", 4)], None, "S", "C", 7, "rolled_up"),
    # a reported parent wins
    ([("S", "A", "p", 3), ("S", "B", "p", 4), ("S", "C", "p", 10)], None, "S", "C", 10, "reported"),
    # a missing expected child makes the parent partial
    ([("S", "A", "p", 3)], [("S", "A"), ("S", "B")], "S", "C", 3, "partial"),
    # three levels: Z rolls into A, A into C
    ([("S", "Z", "p", 2), ("S", "B", "p", 4)], None, "S", "C", 6, "rolled_up"),
    # partial propagates upwards
    ([("S", "B", "p", 4)], [("S", "Z"), ("S", "B")], "S", "C", 4, "partial"),
    # a ratio without components does not roll up
    ([("P", "A", "p", 3), ("P", "B", "p", 4)], None, "P", "C", None, None),
])
def test_roll_up(rows, expected, ind, unit, value, provenance):
    exp = None if expected is None else pd.DataFrame(expected, columns=["indicator_code", "org_unit"])
    assert get(roll_up(obs(rows), UNITS, INDS, exp), ind, unit) == (value, provenance)


def test_derived_ratio_is_sum_over_sum_not_mean_of_children():
    rows = [("N", "A", "p", 10), ("D", "A", "p", 20), ("N", "B", "p", 1), ("D", "B", "p", 80)]
    result = roll_up(obs(rows), UNITS, INDS)
    assert get(result, "R", "A") == (50.0, "reported")
    assert get(result, "R", "B") == (1.25, "reported")
    city, prov = get(result, "R", "C")
    assert city == pytest.approx(11.0)  # 11 / 100 × 100
    assert city != pytest.approx((50 + 1.25) / 2)
    assert prov == "rolled_up"


def test_derived_ratio_reported_directly_wins():
    rows = [("N", "A", "p", 10), ("D", "A", "p", 20), ("R", "A", "p", 42)]
    assert get(roll_up(obs(rows), UNITS, INDS), "R", "A") == (42, "reported")


def test_derived_ratio_with_zero_denominator_is_missing():
    rows = [("N", "A", "p", 10), ("D", "A", "p", 0)]
    assert get(roll_up(obs(rows), UNITS, INDS), "R", "A") == (None, None)


# ---------------------------------------------------------------- derived ratios over both components

@pytest.mark.parametrize("rows,expected,value,provenance,missing", [
    # both children sent both components: Σ numerator / Σ denominator
    ([("N", "A", "p", 10), ("D", "A", "p", 20), ("N", "B", "p", 30), ("D", "B", "p", 60)], None, 50.0,
     "rolled_up", None),
    # B has a target for the ratio and sent nothing: the city is partial, over A alone
    ([("N", "A", "p", 10), ("D", "A", "p", 20)], [("R", "B")], 50.0, "partial", ("B",)),
    # B sent only the numerator: left out of both sums (not 40 / 20), and named
    ([("N", "A", "p", 10), ("D", "A", "p", 20), ("N", "B", "p", 30)], None, 50.0, "partial", ("B",)),
    # B sent only the denominator: the same
    ([("N", "A", "p", 10), ("D", "A", "p", 20), ("D", "B", "p", 60)], None, 50.0, "partial", ("B",)),
    # expected for a component counts as expected for the ratio
    ([("N", "A", "p", 10), ("D", "A", "p", 20)], [("D", "B")], 50.0, "partial", ("B",)),
    # a grandchild (Z under A) sent both, A nothing itself: A is Z's, the city both
    ([("N", "Z", "p", 1), ("D", "Z", "p", 4), ("N", "B", "p", 3), ("D", "B", "p", 4)], None, 50.0,
     "rolled_up", None),
])
def test_derived_ratio_over_children_that_sent_both(rows, expected, value, provenance, missing):
    exp = None if expected is None else pd.DataFrame(expected, columns=["indicator_code", "org_unit"])
    out = roll_up(obs(rows), UNITS, INDS, exp)
    city = out[(out.indicator_code == "R") & (out.org_unit == "C")].iloc[0]
    assert city.value == pytest.approx(value) and city.provenance == provenance
    assert city.missing == missing


def test_partial_roll_up_names_what_it_lacks_at_every_depth():
    rows = [("S", "B", "p", 4)]
    exp = pd.DataFrame([("S", "Z"), ("S", "B")], columns=["indicator_code", "org_unit"])
    out = roll_up(obs(rows), UNITS, INDS, exp)
    city = out[(out.indicator_code == "S") & (out.org_unit == "C")].iloc[0]
    # A has nothing (its only child Z is late), so the city lacks A
    assert city.missing == ("A",)
    rows = [("S", "B", "p", 4), ("S", "A", "p", 1)]
    out = roll_up(obs(rows), UNITS, INDS, exp)
    assert out[(out.indicator_code == "S") & (out.org_unit == "C")].iloc[0].provenance == "rolled_up"


# ---------------------------------------------------------------- properties

TREE = pd.DataFrame({"code": ["C"] + [f"D{i}" for i in range(6)] + [f"T{i}" for i in range(6)],
                     "parent_code": [None] + ["C"] * 6 + [f"D{i // 2}" for i in range(6)],
                     "level": [0] + [1] * 6 + [2] * 6})
LEAVES = ["D3", "D4", "D5"] + [f"T{i}" for i in range(6)]  # D0–D2 have towns under them


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 10_000), min_size=len(LEAVES), max_size=len(LEAVES)))
def test_full_roll_up_of_a_cumulative_is_the_sum_of_the_children(values):
    rows = [("S", u, "p", float(v)) for u, v in zip(LEAVES, values)]
    out = roll_up(obs(rows), TREE, INDS)
    city = out[(out.indicator_code == "S") & (out.org_unit == "C")].iloc[0]
    assert city.value == pytest.approx(sum(values)) and city.provenance == "rolled_up"
    d0 = out[(out.indicator_code == "S") & (out.org_unit == "D0")].iloc[0]
    assert d0.value == values[3] + values[4]  # T0 + T1


from indicators.rules.comparable import comparable  # noqa: E402
from indicators.rules.rollup import Tree  # noqa: E402

LEAF_POS = {u: i for i, u in enumerate(TREE["code"])}


def _yoy_city(cur: dict, ly: dict) -> tuple[float, float, tuple]:
    own = pd.DataFrame([(0, LEAF_POS[u], role, v) for role, vals in (("cur", cur), ("ly", ly))
                        for u, v in vals.items()], columns=["ind", "unit", "role", "value"])
    rows = pd.DataFrame({"ind": [0], "unit": [0]})
    c = comparable(rows, own, ["cur", "ly"], Tree(TREE)).iloc[0]
    return c["cur"], c["ly"], c["excluded"]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.integers(1, 500)), st.one_of(st.none(), st.integers(1, 500))),
                min_size=len(LEAVES), max_size=len(LEAVES)),
       st.integers(0, len(LEAVES) - 1), st.integers(1, 500))
def test_like_for_like_yoy_ignores_a_late_return_for_a_year_excluded_on_both_sides(pairs, late, amount):
    """A child left out of both sides (it lacks this year or last) does not move the
    comparison when its return for the other year arrives or changes."""
    cur = {u: float(c) for u, (c, _) in zip(LEAVES, pairs) if c is not None}
    ly = {u: float(v) for u, (_, v) in zip(LEAVES, pairs) if v is not None}
    u = LEAVES[late]
    if u in cur and u in ly:
        del cur[u]  # make the late child lack this year's figure: excluded on both sides
    before = _yoy_city(cur, ly)
    ly_after = {**ly, u: float(amount)} if u not in cur else ly  # last year's return arrives (or changes)
    cur_after = {**cur, u: float(amount)} if u not in ly_after else cur
    if u in cur_after and u in ly_after:
        return  # it became comparable: then the comparison rightly changes
    after = _yoy_city(cur_after, ly_after)
    assert (np.isnan(before[0]) and np.isnan(after[0])) or before[:2] == pytest.approx(after[:2])
    # and the comparison is the sum over exactly the units with both years
    both = [x for x in LEAVES if x in cur and x in ly]
    if both:
        assert before[:2] == pytest.approx((sum(cur[x] for x in both), sum(ly[x] for x in both)))
    else:
        assert np.isnan(before[0])
