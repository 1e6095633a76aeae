"""排名升降 and 差距较上月 (indicators.rules.month_change, the words in indicators.cards):
this month against last month's own ranks and gaps. Expected values written out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from indicators import cards
from indicators.rules import month_change

nan = float("nan")


def table(ranks, *, by="completion", gaps=None, rule="cumulative", period="2026-10", value_period=None,
          units=None):
    n = len(ranks)
    units = units or [f"U{i}" for i in range(n)]
    return pd.DataFrame({
        "indicator_code": ["X"] * n, "org_unit_code": units, "org_unit_name": units, "parent_code": ["P"] * n,
        "unit_order": list(range(n)), "direction": ["higher"] * n, "kind": ["cumulative"] * n,
        "unit": ["亿元"] * n, "decimals": [2] * n,
        "status": ["on_track"] * n, "status_rule": [rule] * n, "value": [10.0] * n, "target": [20.0] * n,
        "target_basis": ["total"] * n, "completion": [0.5] * n,
        "gap_pp": gaps if gaps is not None else [0.0] * n, "gap_value": [0.0] * n, "yoy": [nan] * n,
        "rank": pd.array(ranks, dtype="Int64"), "rank_of": pd.array([n] * n, dtype="Int64"),
        "rank_by": [by if r is not None else None for r in ranks],
        "value_period": [value_period or period] * n, "period": [period] * n,
    })


@pytest.mark.parametrize("now,last,expected", [
    ([1, 2, 3], [3, 1, 2], [2, -1, -1]),  # the third last month is first now: ↑2
    ([1, 2, 2], [1, 2, 2], [0, 0, 0]),  # ties kept
    ([1, None, 2], [2, 1, None], [1, None, None]),  # no rank this month or last: no move
])
def test_rank_move_is_last_months_rank_minus_this_months(now, last, expected):
    out = month_change.with_last_month(table(now), table(last, period="2026-09"))
    assert [None if pd.isna(m) else int(m) for m in out["rank_move"]] == expected


def test_no_move_between_ranks_by_different_measures():
    out = month_change.with_last_month(table([1, 2]), table([2, 1], by="value", period="2026-09"))
    assert out["rank_move"].isna().all()


def test_the_same_quarterly_figure_again_has_no_move_and_no_gap_change():
    now = table([1, 2], gaps=[5.0, -3.0], period="2026-10", value_period="2026-09")
    last = table([1, 2], gaps=[5.0, -3.0], period="2026-09", value_period="2026-09")
    out = month_change.with_last_month(now, last)
    assert out["rank_move"].isna().all() and out["gap_change_pp"].isna().all()


@pytest.mark.parametrize("now,last,rule_last,expected", [
    ([-6.7, 7.5], [-23.0, -15.0], "cumulative", [16.3, 22.5]),
    ([-6.7, 7.5], [-23.0, nan], "cumulative", [16.3, None]),  # no gap last month (未报送)
    ([-6.7, 7.5], [-23.0, -15.0], "change", [None, None]),  # judged by another rule last month
])
def test_gap_change_is_this_months_gap_minus_last_months(now, last, rule_last, expected):
    out = month_change.with_last_month(table([1, 2], gaps=now),
                                       table([1, 2], gaps=last, rule=rule_last, period="2026-09"))
    got = [None if pd.isna(v) else round(float(v), 6) for v in out["gap_change_pp"]]
    assert got == expected


def test_january_has_no_last_month():
    assert month_change.last_period("2026-01") is None
    assert month_change.last_period("2026-03") == "2026-02"
    assert month_change.last_period("2027-12") == "2027-11"
    out = month_change.with_last_month(table([1, 2], period="2026-01"), None)
    assert out["rank_last"].isna().all() and out["rank_move"].isna().all() and out["gap_change_pp"].isna().all()
    assert list(out.columns[-len(month_change.LAST_COLUMNS):]) == month_change.LAST_COLUMNS


def test_a_unit_absent_last_month_has_no_move():
    out = month_change.with_last_month(table([1, 2, 3], units=["A", "B", "C"]),
                                       table([1, 2], units=["A", "B"], period="2026-09"))
    assert [None if pd.isna(m) else int(m) for m in out["rank_move"]] == [0, 0, None]


def test_a_chosen_measure_is_compared_with_last_month_ranked_by_it_too():
    # by value: now A 30 > B 20 > C 10; last month C 25 > A 15 > B 5
    frame = month_change.with_last_month(table([1, 2, 3], units=["A", "B", "C"]),
                                         table([1, 2, 3], units=["A", "B", "C"], period="2026-09"))
    frame["value"] = [30.0, 20.0, 10.0]
    frame["value_last"] = [15.0, 5.0, 25.0]
    out = month_change.rank_with_moves(frame, "value")
    assert out["rank"].tolist() == [1, 2, 3]
    assert out["rank_last"].tolist() == [2, 3, 1]
    assert out["rank_move"].tolist() == [1, 1, -2]
    assert set(out["rank_by"]) == {"value"}


def districts(shares_now: dict, shares_last: dict) -> pd.DataFrame:
    """Each district with two targeted monthly indicators: the statuses given (on_track /
    lagging) and gaps, this month and last."""
    rows = []
    for unit, (now, last) in {u: (shares_now[u], shares_last[u]) for u in shares_now}.items():
        for i, ((st, gap), (st_l, gap_l)) in enumerate(zip(now, last)):
            rows.append({"indicator_code": f"I{i}", "org_unit_code": unit, "org_unit_name": unit,
                         "unit_order": ord(unit[0]), "status": st, "gap_pp": gap, "target_basis": "total",
                         "value_period": "2026-10", "period": "2026-10",
                         "status_last": st_l, "gap_pp_last": gap_l, "target_basis_last": "total",
                         "value_period_last": "2026-09", "period_last": "2026-09"})
    return pd.DataFrame(rows)


def test_district_ranking_against_last_month():
    on, lag = "on_track", "lagging"
    kids = districts(
        {"甲": [(on, 2.0), (on, 4.0)], "乙": [(on, 1.0), (lag, -3.0)], "丙": [(lag, -1.0), (lag, -5.0)]},
        {"甲": [(lag, -2.0), (lag, -4.0)], "乙": [(on, 0.0), (on, 3.0)], "丙": [(on, 1.0), (lag, -2.0)]})
    out = month_change.unit_ranking_moves(kids).set_index("org_unit_code")
    # now: 甲 2/2, 乙 1/2, 丙 0/2; last month: 乙 2/2, 丙 1/2, 甲 0/2
    assert out["rank"].to_dict() == {"甲": 1, "乙": 2, "丙": 3}
    assert out["rank_last"].to_dict() == {"甲": 3, "乙": 1, "丙": 2}
    assert out["rank_move"].to_dict() == {"甲": 2, "乙": -1, "丙": -1}
    # mean gaps: 甲 3.0 (last −3.0), 乙 −1.0 (last 1.5), 丙 −3.0 (last −0.5)
    assert out["gap_change_pp"].round(6).to_dict() == {"甲": 6.0, "乙": -2.5, "丙": -2.5}
    assert [cards.rank_move_text({"rank_move": out.at[u, "rank_move"], "rank_last": out.at[u, "rank_last"]})
            for u in "甲乙丙"] == ["↑2（上月第3名）", "↓1（上月第1名）", "↓1（上月第2名）"]


def row(**kw):
    base = {"kind": "cumulative", "direction": "higher", "unit": "亿元", "decimals": 2, "status_rule": "cumulative",
            "target_basis": "total", "gap_pp": -1.44, "gap_value": nan, "gap_pp_last": 0.86, "gap_value_last": nan,
            "gap_change_pp": -2.30, "gap_change_value": nan, "rank_move": 2, "rank_last": 5}
    return base | kw


@pytest.mark.parametrize("r,expected", [
    (row(), "-2.3个百分点（上月 +0.9个百分点）"),
    # the change is the difference of the gaps as printed: 1.0 − 1.0, not +0.08 → "+0.1"
    (row(gap_pp=1.04, gap_pp_last=0.96, gap_change_pp=0.08), "+0.0个百分点（上月 +1.0个百分点）"),
    # a 年末达到 stock: its 差距 is in its own unit (value − 序时应达值), so is the change
    (row(kind="stock", status_rule="change", target_basis="level", unit="家", decimals=0, gap_value=66.8,
         gap_value_last=61.3, gap_change_value=5.5), "+5.5 家（上月 +61.3 家）"),
    (row(gap_change_pp=nan), ""),  # none counted (January, another rule last month, …)
])
def test_gap_change_words(r, expected):
    assert cards.gap_change_text(r) == expected


@pytest.mark.parametrize("move,last,expected", [
    (2, 5, "↑2（上月第5名）"), (-1, 2, "↓1（上月第2名）"), (0, 3, "持平（上月第3名）"), (pd.NA, pd.NA, ""),
])
def test_rank_move_words(move, last, expected):
    assert cards.rank_move_text({"rank_move": move, "rank_last": last}) == expected
