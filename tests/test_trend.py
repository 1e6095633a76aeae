"""The trend chart's 部分汇总 marks are the dispatch table's: ``views.indicator_trend``
takes each month from ``dispatch.month_by_month``, the roll-up the table of that month
rests on, with the same expected reporters (units with a target)."""

from __future__ import annotations

import testdate
from actors import ADMIN
from builders import AT, tiny_observations, tiny_setup

from indicators import views
from indicators.db import batches, catalog, connection
from indicators.dispatch import dispatch_table
from indicators.rules import periods
from indicators.setup import workbook


def table_partial(con, code: str, unit: str, period: str) -> bool:
    table = dispatch_table(con, period, testdate.SETTINGS)
    row = table[(table["indicator_code"] == code) & (table["org_unit_code"] == unit)]
    return bool(len(row)) and row["provenance"].iloc[0] == "partial" and row["value_period"].iloc[0] == period


def test_demo_with_one_district_missing_marks_the_months_the_table_marks(demo_db):
    year, month = periods.parse(testdate.AS_OF)
    with connection.connect(demo_db, read_only=True) as con:
        city = catalog.org_units(con)["code"].iloc[0]
        missing = con.execute("""SELECT count(*) FROM org_unit u WHERE level = 1 AND NOT EXISTS (
                                     SELECT 1 FROM current_observation o WHERE o.org_unit = u.code AND o.period = ?)""",
                              [testdate.AS_OF]).fetchone()[0]
        assert missing == 1  # the demo city's as-of month: one district has sent nothing yet
        tables = {m: dispatch_table(con, periods.make(year, m), testdate.SETTINGS) for m in range(1, month + 1)}
        marked = 0
        for code in catalog.indicators(con)["code"]:
            trend = views.indicator_trend(con, code, city, testdate.AS_OF).set_index("month")
            for m, table in tables.items():
                row = table[(table["indicator_code"] == code) & (table["org_unit_code"] == city)]
                in_table = bool(len(row)) and row["provenance"].iloc[0] == "partial" \
                    and row["value_period"].iloc[0] == periods.make(year, m)
                assert bool(trend.loc[m, "partial"]) == in_table, (code, m)
                marked += in_table
    assert marked > 0  # the comparison is not vacuous: some months are partial


def test_a_district_with_a_target_that_never_reported_makes_the_total_partial():
    """A new district 新区 has a TC target but has sent nothing: the table calls the city's
    total partial, and so must the trend (a roll-up over who reported would not)."""
    setup = tiny_setup()
    setup["org_unit"].loc[len(setup["org_unit"])] = {**setup["org_unit"].iloc[2].to_dict(), "code": "N",
                                                      "name": "新区", "aliases": None, "sort_order": 9}
    setup["target"].loc[len(setup["target"])] = {**setup["target"].iloc[0].to_dict(), "org_unit": "N", "value": 10}
    with connection.connect(":memory:") as con:
        workbook.load_setup(con, setup, actor=ADMIN, at=AT)
        batches.write_batch(con, tiny_observations(), file_name="tiny.xlsx", actor=ADMIN, at=AT)
        trend = views.indicator_trend(con, "TC", "C", "2026-10").set_index("month")
        for m in (9, 10):
            assert table_partial(con, "TC", "C", periods.make(2026, m))
            assert trend.loc[m, "partial"]
        assert not trend.loc[8, "partial"]  # nothing reported, nothing rolled up
