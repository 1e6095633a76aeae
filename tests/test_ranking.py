"""Ranking (indicators.rules.ranking): one rule, a chosen measure, ties share the rank."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.rules import ranking

nan = float("nan")


def rows(values, *, direction="higher", kind="cumulative", target=None, completion=None, gap=None, yoy=None,
         status=None, parent="P"):
    n = len(values)
    return pd.DataFrame({
        "indicator_code": ["X"] * n, "parent_code": [parent] * n, "org_unit_code": [f"U{i}" for i in range(n)],
        "unit_order": list(range(n)), "direction": [direction] * n, "kind": [kind] * n,
        "value": values, "target": target if target is not None else [nan] * n,
        "completion": completion if completion is not None else [nan] * n,
        "gap_pp": gap if gap is not None else [nan] * n, "yoy": yoy if yoy is not None else [nan] * n,
        "status": status if status is not None else ["no_target"] * n,
    })


def ranks(frame, measure=None):
    out = ranking.rank(frame, measure)
    return [None if pd.isna(r) else int(r) for r in out["rank"]]


@pytest.mark.parametrize("values,direction,expected", [
    # by value, higher is better; ties share the rank (1, 2, 2, 4)
    ([2.41, 1.95, 1.95, 0.88], "higher", [1, 2, 2, 4]),
    ([3.0, 3.0, 3.0], "higher", [1, 1, 1]),
    # lower is better: the smallest first
    ([5, 2, 9, 2], "lower", [3, 1, 4, 1]),
    # no value: no rank (the others ranked among themselves)
    ([10, nan, 30, 20], "higher", [3, None, 1, 2]),
    # float noise does not split a tie
    ([0.1 + 0.2, 0.3, 0.2], "higher", [1, 1, 3]),
])
def test_rank_by_value(values, direction, expected):
    assert ranks(rows(values, direction=direction), "value") == expected


def test_rank_of_counts_the_ranked_siblings():
    out = ranking.rank(rows([10, nan, 30, 20]), "value")
    assert list(out["rank_of"].astype("float").fillna(0)) == [3, 0, 3, 3]
    assert list(out["rank_by"]) == ["value", None, "value", "value"]


def test_default_is_completion_when_every_sibling_has_a_target_else_value():
    with_targets = rows([50, 80, 30], target=[100, 200, 40], completion=[.5, .4, .75],
                        status=["lagging", "far_behind", "on_track"])
    assert ranks(with_targets) == [2, 3, 1]
    assert set(ranking.rank(with_targets)["rank_by"]) == {"completion"}
    one_without = with_targets.assign(target=[100, nan, 40], completion=[.5, nan, .75],
                                      status=["lagging", "no_target", "on_track"])
    assert ranks(one_without) == [2, 1, 3]  # by value
    assert set(ranking.rank(one_without)["rank_by"]) == {"value"}


def test_ratios_have_no_completion_so_rank_by_value():
    r = rows([2.4, 2.6, 2.5], kind="ratio", target=[2.5, 2.5, 2.5], gap=[-10, 5, 0],
             status=["lagging", "on_track", "on_track"])
    assert ranks(r) == [3, 1, 2]
    assert ranks(r, "completion") == [None, None, None]
    assert ranks(r, "gap") == [3, 1, 2]


@pytest.mark.parametrize("measure,column,direction,values,expected", [
    ("gap", "gap", "higher", [-5, 3, 3, nan], [3, 1, 1, None]),
    ("yoy", "yoy", "higher", [0.1, -0.2, 0.3, nan], [2, 3, 1, None]),
    ("yoy", "yoy", "lower", [0.1, -0.2, 0.3, 0.0], [3, 1, 4, 2]),  # a fall is good when lower is better
    ("completion", "completion", "higher", [0.5, 0.9, 0.9, 0.2], [3, 1, 1, 4]),
])
def test_rank_by_chosen_measure(measure, column, direction, values, expected):
    frame = rows([1, 2, 3, 4], direction=direction, **{column: values}, target=[1] * 4,
                 status=["on_track"] * 4)
    assert ranks(frame, measure) == expected


def test_a_smaller_share_of_a_limit_ranks_first():
    frame = rows([6, 3, 9], direction="lower", kind="cumulative", target=[12, 12, 12], completion=[.5, .25, .75],
                 status=["on_track"] * 3)
    assert ranks(frame) == [2, 1, 3]


def test_nothing_due_or_nothing_reported_gets_no_rank():
    frame = rows([nan, nan, 5, 7], status=["not_due", "missing", "no_target", "no_target"])
    assert ranks(frame, "value") == [None, None, 2, 1]
    nothing_due = rows([nan, nan], status=["not_due", "not_due"])
    assert ranks(nothing_due) == [None, None]


def test_a_unit_without_siblings_has_no_rank_and_groups_are_separate():
    a = rows([5], parent="city")
    b = rows([1, 2], parent="P").assign(indicator_code="Y")
    frame = pd.concat([a, b], ignore_index=True)
    assert ranks(frame, "value") == [None, 2, 1]


def test_top_level_units_rank_among_themselves():
    """Provinces with no parent in the setup are siblings too."""
    frame = rows([2.1, 3.4, 1.2], parent=None)
    assert ranks(frame, "value") == [2, 1, 3]


def test_unknown_measure_is_refused():
    with pytest.raises(ValueError, match="排名依据"):
        ranking.rank(rows([1, 2]), "average")


def test_ranked_order_puts_unreported_after_ranked_and_not_due_last():
    frame = rows([nan, 5, nan, 7], status=["not_due", "no_target", "missing", "no_target"])
    frame[["rank", "rank_of", "rank_by"]] = ranking.rank(frame, "value")
    assert ranking.ranked_order(frame)["org_unit_code"].tolist() == ["U3", "U1", "U2", "U0"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-50, 50).map(lambda v: v / 4)), min_size=2, max_size=16),
       st.sampled_from(["higher", "lower"]))
def test_ranks_agree_with_sorting_by_the_measure(values, direction):
    """Property: a better value never has a worse rank, equal values share a rank, the
    rank is 1 + the number of strictly better siblings, and no value means no rank."""
    vals = [nan if v is None else v for v in values]
    got = ranking.rank(rows(vals, direction=direction), "value")["rank"]
    sign = -1 if direction == "lower" else 1
    for i, v in enumerate(vals):
        if math.isnan(v):
            assert pd.isna(got.iloc[i])
            continue
        better = sum(1 for w in vals if not math.isnan(w) and sign * w > sign * v)
        assert int(got.iloc[i]) == 1 + better


# ---------------------------------------------------------------- districts over all indicators

def district_rows():
    """Districts over three indicators, hand-made: 东城 2 of 3 on track, 西城 2 of 3
    (worse mean gap), 南湖 nothing reported, 北山 a figure without a target, 南山 nothing due."""
    data = [
        ("东城", 1, "A", "on_track", 2.0), ("东城", 1, "B", "done", 10.0), ("东城", 1, "C", "lagging", -4.0),
        ("西城", 2, "A", "on_track", 1.0), ("西城", 2, "B", "on_track", 0.5), ("西城", 2, "C", "far_behind", -20.0),
        ("南湖", 3, "A", "missing", nan), ("南湖", 3, "B", "missing", nan), ("南湖", 3, "C", "missing", nan),
        ("北山", 4, "A", "not_due", nan), ("北山", 4, "B", "no_target", nan),
        ("南山", 5, "A", "not_due", nan), ("南山", 5, "B", "not_due", nan),
    ]
    return pd.DataFrame([{"org_unit_code": n, "org_unit_name": n, "unit_order": o, "indicator_code": i,
                          "status": s, "gap_pp": g} for n, o, i, s, g in data])


def test_unit_ranking_by_share_then_mean_gap_and_the_unranked_last():
    out = ranking.unit_ranking(district_rows())
    assert out["org_unit_name"].tolist() == ["东城", "西城", "南湖", "北山", "南山"]
    assert [None if pd.isna(r) else int(r) for r in out["rank"]] == [1, 2, None, None, None]
    east = out.iloc[0]
    assert (east["due"], east["done"], east["on_track"], east["lagging"]) == (3, 1, 1, 1)
    assert east["on_track_share"] == pytest.approx(2 / 3) and east["mean_gap_pp"] == pytest.approx(8 / 3)
    assert list(out["note"]) == [None, None, "未报送", "未设定目标", "本月无应报指标"]
    assert out["rank_of"].dropna().tolist() == [2, 2]
    # no share, no mean gap beside 未报送 (never "0%"): only the ranked have them
    assert out["on_track_share"].isna().tolist() == [False, False, True, True, True]
    assert out["mean_gap_pp"].isna().tolist() == [False, False, True, True, True]


def test_without_targets_no_district_is_ranked_and_each_says_why():
    """A year without targets: every figure is 无目标 (ranked by value indicator by
    indicator), the one that sent nothing is 未报送 — its 未报送 rows without a target
    are not counted as 考核指标."""
    frame = pd.DataFrame([
        {"org_unit_code": u, "org_unit_name": u, "unit_order": o, "indicator_code": i, "status": s,
         "gap_pp": nan, "target_basis": None, "period": "2026-10", "value_period": "2026-10"}
        for u, o, s in (("东城", 1, "no_target"), ("西城", 2, "no_target"), ("青溪", 3, "missing"))
        for i in ("A", "B")])
    out = ranking.unit_ranking(frame)
    assert out["rank"].isna().all()
    assert list(out["note"]) == ["未设定目标", "未设定目标", "未报送"]
    assert out["due"].tolist() == [0, 0, 0] and out["missing"].tolist() == [0, 0, 0]


@pytest.mark.parametrize("notes,due,ranks,reason", [
    (["未设定目标", "未设定目标", "未报送"], [0, 0, 0], [None] * 3, "各区县均未设定本年目标，本月不做综合排名（各项指标按数值排名）"),
    (["未报送", "未报送"], [0, 0], [None] * 2, "各区县均未设定本年目标，本月不做综合排名（各项指标按数值排名）"),
    (["未报送", "未报送"], [3, 3], [None] * 2, "各区县本月均未报送，不做综合排名"),
    (["本月无应报指标"] * 2, [0, 0], [None] * 2, "本月各区县均无应报指标，不做综合排名"),
    ([None, "未报送"], [3, 3], [1, None], None),
    ([], [], [], None),
])
def test_why_nobody_is_ranked(notes, due, ranks, reason):
    frame = pd.DataFrame({"note": pd.Series(notes, dtype=object), "due": pd.Series(due, dtype=int),
                          "rank": pd.array(ranks, dtype="Int64")})
    assert ranking.no_ranking_reason(frame) == reason


def test_a_missing_figure_counts_as_due_only_where_a_target_was_set():
    frame = district_rows().assign(target_basis="total")
    # 南湖's C has no target this year: 2 figures due, both missing
    frame.loc[(frame["org_unit_code"] == "南湖") & (frame["indicator_code"] == "C"), "target_basis"] = None
    out = ranking.unit_ranking(frame).set_index("org_unit_code")
    assert (out.loc["南湖", "due"], out.loc["南湖", "missing"], out.loc["南湖", "note"]) == (2, 2, "未报送")
    assert out.loc["东城", "due"] == 3


def test_unit_ranking_ties_share_the_rank():
    frame = district_rows()
    frame.loc[frame["org_unit_code"] == "西城", ["status", "gap_pp"]] = \
        frame.loc[frame["org_unit_code"] == "东城", ["status", "gap_pp"]].to_numpy()
    out = ranking.unit_ranking(frame)
    assert [None if pd.isna(r) else int(r) for r in out["rank"]][:2] == [1, 1]


def test_unit_ranking_of_nothing_is_empty():
    assert ranking.unit_ranking(district_rows().iloc[0:0]).empty
    assert list(ranking.unit_ranking(district_rows().iloc[0:0]).columns) == ranking.UNIT_RANKING_COLUMNS


def test_scores_flip_for_lower_is_better():
    frame = rows([3, 1], direction="lower")
    np.testing.assert_allclose(ranking.score(frame, "value").to_numpy(), [-3, -1])


def test_a_district_that_sent_nothing_this_month_is_unranked_even_with_last_quarters_figure():
    frame = district_rows().assign(period="2026-10", value_period="2026-10")
    # 南湖 sent nothing in October but its quarterly figure of September stands (lagging)
    frame.loc[(frame["org_unit_code"] == "南湖") & (frame["indicator_code"] == "C"),
              ["status", "gap_pp", "value_period"]] = ["lagging", -3.0, "2026-09"]
    out = ranking.unit_ranking(frame).set_index("org_unit_code")
    assert pd.isna(out.loc["南湖", "rank"]) and out.loc["南湖", "note"] == "未报送"
    assert out.loc["南湖", "reported"] == 1


def test_a_figure_sent_but_not_judged_is_not_unreported():
    """云山县 sent its count, but its 年内新增 target has no last year-end to stand on
    (status missing, with a value): it reported, and is not told to 补报."""
    import pandas as pd

    from indicators.report.summary import reporting
    from indicators.rules.due import unreported
    from indicators.rules.ranking import unit_ranking
    rows = pd.DataFrame([
        {"org_unit_code": "Y", "org_unit_name": "云山县", "unit_order": 1, "indicator_code": "GQ", "indicator_name": "高企数",
         "indicator_order": 1, "status": "missing", "target_basis": "increase", "value": 80.0, "gap_pp": None},
        {"org_unit_code": "Y", "org_unit_name": "云山县", "unit_order": 1, "indicator_code": "JS", "indicator_name": "技术合同",
         "indicator_order": 2, "status": "on_track", "target_basis": "total", "value": 5.0, "gap_pp": 2.0},
        {"org_unit_code": "Q", "org_unit_name": "青溪县", "unit_order": 2, "indicator_code": "JS", "indicator_name": "技术合同",
         "indicator_order": 2, "status": "missing", "target_basis": "total", "value": None, "gap_pp": None},
    ])
    rows["period"] = rows["value_period"] = "2026-10"
    assert unreported(rows).tolist() == [False, False, True]
    ranked = unit_ranking(rows).set_index("org_unit_code")
    assert ranked.loc["Y", "missing"] == 0 and ranked.loc["Y", "due"] == 2 and ranked.loc["Y", "rank"] == 1
    assert ranked.loc["Q", "missing"] == 1 and ranked.loc["Q", "note"] == "未报送"
    rep = reporting(rows).set_index("org_unit_code")
    assert rep.loc["Y", "missing"] == 0 and rep.loc["Q", "missing_indicators"] == ["技术合同"]
