"""report.summary: counts, lagging list, district ranking — against the dispatch table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from indicators import views
from indicators.errors import RejectedInput
from indicators.report.summary import COUNTED, district_ranking, key_figures, summarize

PERIOD = "2026-10"


def test_counts_match_the_city_rows_of_the_dispatch_table(tiny_table, tiny_summary):
    city = tiny_table[tiny_table["level"] == 0]
    expected = city["status"].value_counts()
    assert tiny_summary.counts == {s: int(expected.get(s, 0)) for s in COUNTED}
    assert tiny_summary.total == int((city["status"] != "no_target").sum())
    assert tiny_summary.on_track_total == int(city["status"].isin(["done", "on_track"]).sum())
    assert tiny_summary.lagging_total == int(city["status"].isin(["lagging", "far_behind"]).sum())
    assert tiny_summary.scope_code == "C" and tiny_summary.scope_name == "测试市"


def test_lagging_list_is_worst_first_with_lead_department_and_lagging_districts(tiny_summary):
    lag = tiny_summary.lagging
    assert list(lag["indicator_code"]) == ["R", "TC"]  # R is 61 points behind, TC 6.7
    assert lag["gap_pp"].is_monotonic_increasing
    tc = lag.set_index("indicator_code").loc["TC"]
    assert tc["lead_department"] == "成果转化科" and tc["leader"] == "李副局长"
    assert tc["lagging_units"] == ["乙县"]


def test_chart_indicators_cover_every_lagging_indicator_and_district(tiny_table, tiny_summary):
    kids = tiny_table[tiny_table["parent_code"] == "C"]
    lagging_anywhere = set(kids.loc[kids["status"].isin(["lagging", "far_behind"]), "indicator_code"])
    lagging_anywhere |= set(tiny_summary.lagging["indicator_code"])
    assert set(tiny_summary.chart_indicators) == lagging_anywhere


def test_ranking_agrees_with_the_overview_page(tiny_table, tiny_summary):
    mine = tiny_summary.ranking.set_index("org_unit_code")
    page = views.district_ranking(tiny_table, "C").set_index("code")
    assert mine["rank"].astype(int).to_dict() == page["排名"].astype(int).to_dict()
    assert mine["due"].to_dict() == page["考核指标数"].to_dict()


def test_a_unit_scope_reports_on_that_unit_and_its_children(tiny_table):
    s = summarize(tiny_table[(tiny_table["org_unit_code"] == "A") | (tiny_table["parent_code"] == "A")],
                  PERIOD, unit="A")
    assert s.scope_name == "甲区"
    assert set(s.children["org_unit_code"]) == {"Z"}


@pytest.mark.parametrize("unit", ["NOPE", None])
def test_unknown_unit_or_empty_table_is_rejected(tiny_table, unit):
    table = tiny_table if unit else tiny_table.iloc[0:0]
    with pytest.raises(RejectedInput):
        summarize(table, PERIOD, unit=unit)


def _kids(rows):
    cols = ["org_unit_code", "org_unit_name", "unit_order", "status", "gap_pp"]
    kids = pd.DataFrame(rows, columns=cols).assign(parent_code="C", indicator_code="X", target=1.0,
                                                   lead_department=None)
    city = pd.DataFrame([{"org_unit_code": "C", "org_unit_name": "市", "unit_order": 0, "status": "on_track",
                          "gap_pp": 0.0, "parent_code": None, "indicator_code": "X", "target": 1.0,
                          "lead_department": None}])
    return pd.concat([city, kids], ignore_index=True)


@pytest.mark.parametrize("rows, ranks", [
    # share first
    ([("A", "甲", 1, "on_track", 5.0), ("B", "乙", 2, "lagging", -5.0)], {"A": 1, "B": 2}),
    # equal share: the mean gap breaks the tie
    ([("A", "甲", 1, "lagging", -8.0), ("B", "乙", 2, "lagging", -2.0)], {"A": 2, "B": 1}),
    # a full tie shares the rank
    ([("A", "甲", 1, "done", 5.0), ("B", "乙", 2, "done", 5.0), ("C", "丙", 3, "lagging", -1.0)],
     {"A": 1, "B": 1, "C": 3}),
    # done counts as reaching 序时; a unit that reported nothing due gets no rank (未报送)
    ([("A", "甲", 1, "done", 50.0), ("B", "乙", 2, "missing", np.nan)], {"A": 1, "B": None}),
    # nothing due (not_due / no_target only): no rank, listed last
    ([("A", "甲", 1, "not_due", np.nan), ("B", "乙", 2, "far_behind", -30.0)], {"A": None, "B": 1}),
])
def test_district_ranking_rules(rows, ranks):
    out = district_ranking(_kids(rows), "C").set_index("org_unit_code")
    got = {k: (None if pd.isna(v) else int(v)) for k, v in out["rank"].items()}
    assert got == ranks
    assert out.index[-1] == max(ranks, key=lambda k: (ranks[k] is None, ranks[k] or 0))


def test_key_figures_leave_out_indicators_without_target_or_not_due(tiny_summary):
    figs = key_figures(tiny_summary)
    assert not figs["status"].isin(["no_target", "not_due"]).any()
    assert list(figs["indicator_code"]) == ["TC", "R", "PAT"]


def test_report_and_overview_rank_districts_with_the_same_function(tiny_table):
    """The notice and the slides read ``Summary.ranking``; 调度总览 reads
    ``views.district_ranking``: the same ranks, shares and notes for every district."""
    from indicators import views
    page = views.district_ranking(tiny_table, "C").set_index("code")
    report = summarize(tiny_table, PERIOD).ranking.set_index("org_unit_code")
    assert list(page.index) == list(report.index)
    assert page["排名"].astype("float").fillna(0).tolist() == report["rank"].astype("float").fillna(0).tolist()
    assert page["达序时率"].fillna(-1).tolist() == report["on_track_share"].fillna(-1).tolist()
