import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.returns.excel.periods import find_in_text, parse_period, parse_periods
from indicators.rules.periods import shift


@pytest.mark.parametrize("cell, default_year, expected", [
    ("2026年10月", None, "2026-10"),
    ("2026-10", None, "2026-10"),
    ("202610", None, "2026-10"),
    (202610, None, "2026-10"),
    ("2026.10", None, "2026-10"),
    ("2026/10", None, "2026-10"),
    ("2026-10-31", None, "2026-10"),
    ("2026年1-10月", None, "2026-10"),
    # 1–10月 written after a year with a point or a slash: not January (it overwrote it)
    ("2026.1-10", None, "2026-10"), ("2026/1-10", None, "2026-10"), ("2026.1-10月", None, "2026-10"),
    ("2026-1-10", None, None), ("2026.1.10", None, None),  # 10 January or 1–10月: not guessed
    ("2026-01-10", None, "2026-01"), ("2026-1-31", None, "2026-01"), ("2026/10/31", None, "2026-10"),
    # the parts of a year that run from January, as statistics publish them
    ("2026年上半年", None, "2026-06"), ("上半年", 2026, "2026-06"), ("2026年前三季度", None, "2026-09"),
    ("前三季度", 2026, "2026-09"), ("一季度", 2026, "2026-03"), ("2026年1-3季度", None, "2026-09"),
    ("一至三季度", 2026, "2026-09"), ("下半年", 2026, None), ("三季度", 2026, None),
    ("全年", 2026, None), ("2025年全年", None, "2025-12"),  # a bare 全年 heads the year's target
    ("2026年1—10月累计", None, "2026-10"),
    ("10月", 2026, "2026-10"),
    ("1-10月", 2026, "2026-10"),
    ("１０月", 2026, "2026-10"),
    ("十月", 2026, "2026-10"),
    ("10月", None, None),
    (dt.date(2026, 10, 1), None, "2026-10"),
    (dt.datetime(2026, 10, 3, 12), None, "2026-10"),
    (pd.Timestamp("2026-10-05"), None, "2026-10"),
    (46296, None, "2026-10"),  # Excel serial of 2026-10-01
    (2026.11, None, "2026-11"),
    (2026.1, None, None),  # Excel's 2026.10 or January: refused
    ("2026年第三季度", None, "2026-09"),
    ("2026年度", None, "2026-12"),
    ("2026", None, None),
    ("13月", 2026, None),
    ("abc", 2026, None),
    (None, 2026, None),
])
def test_parse_period_table(cell, default_year, expected):
    assert parse_period(cell, default_year=default_year) == expected


@settings(max_examples=200, deadline=None)
@given(st.integers(1990, 2099), st.integers(1, 12),
       st.sampled_from(["{y}年{m}月", "{y}-{m:02d}", "{y}{m:02d}", "{y}.{m:02d}", "{y}/{m}", "{y}年1-{m}月",
                        "{m}月", "1-{m}月", "{y}-{m:02d}-01"]))
def test_formats_round_trip(y, m, fmt):
    assert parse_period(fmt.format(y=y, m=m), default_year=y) == f"{y:04d}-{m:02d}"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["2026年10月", "10月", "x", None, 202609, "2026-1"]), max_size=20))
def test_vectorised_agrees(cells):
    out = parse_periods(pd.Series(cells, dtype=object), default_year=2026)
    for cell, got in zip(cells, out):
        want = parse_period(cell, default_year=2026)
        assert (pd.isna(got) and want is None) or got == want


@pytest.mark.parametrize("title, year, period", [
    ("2026年1-10月全市科技指标完成情况", 2026, "2026-10"),
    ("科技指标月报（2026年10月）", 2026, "2026-10"),
    ("2026年重点指标", 2026, None),
    ("重点指标", None, None),
    # the day the form was filled in, sent or printed is not its period
    ("填报单位：高新区    填报日期：2026年11月5日", None, None),
    ("填报日期：2026-11-05", None, None),
    ("报送时间：2026年11月", None, None),
    ("科技指标月报（2026年11月5日报送）", None, None),
    ("填报日期：2026年11月5日   2026年1-10月科技指标", 2026, "2026-10"),
    ("2026年10月报送表", 2026, "2026-10"),  # 10月's return, not a day
    ("截至2026年10月31日", 2026, "2026-10"),
    ("2026年上半年全市科技指标完成情况", 2026, "2026-06"), ("青山市2026年前三季度科技统计", 2026, "2026-09"),
    ("2026年一季度科技指标", 2026, "2026-03"), ("2026年度上半年", 2026, "2026-06"),
])
def test_find_in_title(title, year, period):
    assert find_in_text(title) == (year, period)


def test_shift():
    assert shift("2026-01", -1) == "2025-12"
    assert shift("2026-12", 1) == "2027-01"
