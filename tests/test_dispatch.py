"""The dispatch table end to end over a small database (indicators.dispatch), on the
DuckDB file and on PostgreSQL."""

import pandas as pd
import pytest

from indicators.dispatch import COLUMNS, dispatch_table, role_periods
from indicators.settings import Settings

pytestmark = pytest.mark.both_stores


def row(table, ind, unit):
    r = table[(table.indicator_code == ind) & (table.org_unit_code == unit)]
    assert len(r) == 1, (ind, unit)
    return r.iloc[0]


@pytest.mark.parametrize("freq,period,expected", [
    ("monthly", "2026-10", {"cur": "2026-10", "prev": "2026-09", "prev2": "2026-08", "ly": "2025-10",
                            "ly_prev": "2025-09", "ly_end": "2025-12", "ly2_end": "2024-12"}),
    # January's previous month is last December (a stock's 环比 in January)
    ("monthly", "2026-01", {"cur": "2026-01", "prev": "2025-12", "prev2": "2025-11", "ly": "2025-01",
                            "ly_prev": None, "ly_end": "2025-12", "ly2_end": "2024-12"}),
    ("quarterly", "2026-03", {"cur": "2026-03", "prev": "2025-12", "prev2": "2025-09", "ly": "2025-03",
                              "ly_prev": None, "ly_end": "2025-12", "ly2_end": "2024-12"}),
    ("annual", "2026-12", {"cur": "2026-12", "prev": None, "prev2": None, "ly": "2025-12", "ly_prev": None,
                           "ly_end": "2025-12", "ly2_end": "2024-12"}),
    ("quarterly", "2026-10", {"cur": "2026-09", "prev": "2026-06", "prev2": "2026-03", "ly": "2025-09",
                              "ly_prev": "2025-06", "ly_end": "2025-12", "ly2_end": "2024-12"}),
    ("annual", "2026-10", {"cur": None, "prev": None, "prev2": None, "ly": None, "ly_prev": None,
                           "ly_end": "2025-12", "ly2_end": "2024-12"}),
])
def test_role_periods(freq, period, expected):
    assert role_periods(freq, period) == expected


def test_columns(tiny_con):
    table = dispatch_table(tiny_con, "2026-10", Settings())
    assert list(table.columns) == COLUMNS


def test_cumulative_row_by_hand(tiny_con):
    t = dispatch_table(tiny_con, "2026-10", Settings())
    a = row(t, "TC", "A")
    assert a.value == 70 and a.target == 100
    assert a.completion == pytest.approx(0.70)
    # last year A had 50 of 80 by October: expected 62.5%
    assert a.expected_basis == "last_year" and a.expected == pytest.approx(50 / 80)
    assert a.gap_pp == pytest.approx((0.70 - 0.625) * 100)
    assert a.status == "on_track"
    assert a.period_value == 10
    assert a.yoy == pytest.approx(70 / 50 - 1)
    assert a.projection == pytest.approx(70 / (50 / 80))
    assert a.projection_reaches is True or a.projection_reaches == True  # noqa: E712
    assert a.provenance == "reported"  # A's own value wins over its zone Z
    assert a.lead_department == "成果转化科" and a.leader == "李副局长"


def test_city_rolls_up_and_ranks(tiny_con):
    t = dispatch_table(tiny_con, "2026-10", Settings())
    c = row(t, "TC", "C")
    assert c.value == 90 and c.provenance == "rolled_up"
    assert c.completion == pytest.approx(90 / 150)
    assert row(t, "TC", "A")["rank"] == 1 and row(t, "TC", "B")["rank"] == 2
    assert row(t, "TC", "A").rank_of == 2


def test_stock_with_baseline_and_missing_child(tiny_con):
    t = dispatch_table(tiny_con, "2026-10", Settings())
    a = row(t, "HT", "A")
    # 年末达到 (level) target: 完成 = 110 / 120; the status reads the share of the increase done
    assert a.baseline == 100 and a.completion == pytest.approx(110 / 120)
    assert a.progress == pytest.approx((110 - 100) / (120 - 100))
    assert a.target_increase == 20 and a.vs_baseline == 10
    b = row(t, "HT", "B")
    assert b.status == "missing" and pd.isna(b.provenance)
    c = row(t, "HT", "C")
    assert c.provenance == "partial" and c.value == 110
    assert c.missing_units == "乙县"
    assert pd.isna(row(t, "TC", "C").missing_units)
    assert c.status == "no_target"


def test_derived_ratio_differs_from_mean(tiny_con):
    t = dispatch_table(tiny_con, "2026-10", Settings())
    assert row(t, "R", "A").value == pytest.approx(50)
    assert row(t, "R", "B").value == pytest.approx(1.25)
    assert row(t, "R", "C").value == pytest.approx(11.0)
    assert row(t, "R", "C").yoy_pp


def test_quarterly_uses_last_quarter(tiny_con):
    a = row(dispatch_table(tiny_con, "2026-10", Settings()), "GDP", "A")
    assert a.value_period == "2026-09" and a.value == 300
    assert a.expected == pytest.approx(9 / 12)
    assert row(dispatch_table(tiny_con, "2026-02", Settings()), "GDP", "A").status == "not_due"


def test_lower_is_better(tiny_con):
    a = row(dispatch_table(tiny_con, "2026-10", Settings()), "LOW", "A")
    # a ratio shows no percentage of a percentage: its value against the 序时 path instead
    assert pd.isna(a.completion)
    assert a.progress == pytest.approx((15 - 12) / (15 - 10))
    assert a.expected_value == pytest.approx(15 + a.expected * (10 - 15))
    assert a.gap_value == pytest.approx(12 - a.expected_value)


def test_ratio_reported_at_every_level(tiny_con):
    c = row(dispatch_table(tiny_con, "2026-10", Settings()), "PAT", "C")
    assert c.value == 18 and c.provenance == "reported"


def test_unit_filter_keeps_unit_and_children(tiny_con):
    t = dispatch_table(tiny_con, "2026-10", Settings(), unit="A")
    assert set(t.org_unit_code) == {"A", "Z"}


def test_linear_pacing_setting(tiny_con):
    a = row(dispatch_table(tiny_con, "2026-10", Settings(pacing="linear")), "TC", "A")
    assert a.expected == pytest.approx(10 / 12) and a.status == "far_behind"


def test_empty_database_gives_empty_table(new_db):
    from indicators.db import connection
    with connection.connect(new_db, create=True) as con:
        assert dispatch_table(con, "2026-10", Settings()).empty


def test_partial_stock_is_compared_like_for_like(tiny_con):
    # the city gets a target; B (baseline 50, target 60) has not reported 2026-10
    con = tiny_con
    con.execute("INSERT INTO target (indicator_code, org_unit, year, value) VALUES ('HT', 'C', 2026, 200)")
    c = row(dispatch_table(con, "2026-10", Settings()), "HT", "C")
    # reported: A 110 and its zone Z 15 (A's own value wins) → city 110 of a 2025 base 150
    assert c.provenance == "partial" and c.value == 110 and c.baseline == 150 and c.target == 200
    # like for like, without B: the comparable basis is 上年末 100 / 目标 200 − 60 = 140
    assert c.completion_basis == "like_for_like"
    assert (c.comparable_value, c.comparable_baseline, c.comparable_target) == (110, 100, 140)
    assert c.completion == pytest.approx(110 / 140)
    assert c.progress == pytest.approx(10 / 40)  # not (110 − 150) / (200 − 150)
    assert c.comparable_note == "按可比口径（缺乙县）"
    assert c.missing_units == "乙县"


def test_a_gap_two_months_back_withholds_only_the_mom(tiny_con):
    """August has 甲区's 技术合同成交额 (50) but not 乙县's. The city's October 当月值 needs only September and
    October, which both districts sent: (70 + 20) − (60 + 18) = 12, as reported. Its 环比 needs August's 当月值
    too, so it is taken like for like without 乙县: 甲区's October (70 − 60 = 10) against its September
    (60 − 50 = 10), +0%."""
    import datetime as dt

    from actors import ADMIN

    from indicators.db import batches
    aug = pd.DataFrame([("TC", "A", "2026-08", 50.0)], columns=["indicator_code", "org_unit", "period", "value"])
    batches.write_batch(tiny_con, aug, file_name="aug.xlsx", actor=ADMIN, at=dt.datetime(2026, 11, 24, 9, 0))
    c = row(dispatch_table(tiny_con, "2026-10", Settings()), "TC", "C")
    assert c.value == 90 and c.provenance == "rolled_up"
    assert c.period_value == 12
    assert c.mom == 0 and c.mom_basis == "like_for_like" and c.mom_note == "按可比口径（不含乙县：其上月或前月无数据）"
