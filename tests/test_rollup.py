"""Roll-up up the territorial tree (indicators.rules.rollup)."""

import pandas as pd
import pytest

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
