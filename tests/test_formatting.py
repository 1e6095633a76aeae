"""Chinese number formats (indicators.formatting): 千分位, units, points — and never a
negative zero ("-0.0%" for a lower-is-better stock that has not moved); days as the
bureau writes them."""

import datetime as dt

import pytest

from indicators import formatting as f

nan = float("nan")


@pytest.mark.parametrize("call,expected", [
    (lambda: f.fmt_value(1234.5, "万元"), "1,234.50 万元"),
    (lambda: f.fmt_value(52.07, "%"), "52.07%"),
    (lambda: f.fmt_value(nan, "家"), "—"),
    (lambda: f.fmt_number(-0.004, 2), "0.00"),
    (lambda: f.fmt_pct(0.756), "75.6%"),
    (lambda: f.fmt_pct(-0.0), "0.0%"),
    (lambda: f.fmt_pct(-0.0004), "0.0%"),
    (lambda: f.fmt_pct(-0.5), "-50.0%"),
    # half away from zero on the number as written — what Excel/PowerPoint's "0.0%" shows on
    # the slide and the XLSX (Python's round: 9.8, -3.2, 2.67, 12)
    (lambda: f.fmt_pp(-3.25), "-3.3个百分点"),
    (lambda: f.fmt_pct(0.0985), "9.9%"),
    (lambda: f.fmt_pct(0.125, 0), "13%"),
    (lambda: f.fmt_pct(0.0575), "5.8%"),
    (lambda: f.fmt_number(2.675, 2), "2.68"),
    (lambda: f.fmt_value(9.85, "件", 1), "9.9 件"),
    (lambda: f.fmt_pp(-0.05), "-0.1个百分点"),
    (lambda: f.fmt_pp(0.0499), "+0.0个百分点"),
    (lambda: f.fmt_change(-0.00049, "change"), "-0.0%"),
    (lambda: f.fmt_number(12345678.005, 2), "12,345,678.01"),
    (lambda: f.fmt_pp(-0.04), "-0.0个百分点"),  # just below 序时: never "+0.0"
    (lambda: f.fmt_signed(22, "家", 0), "+22 家"),
    (lambda: f.fmt_signed(-0.001, "家", 2), "-0.00 家"),
    (lambda: f.fmt_signed(-0.02, "%", 2), "-0.02%"),
    (lambda: f.fmt_signed(0.0, "家", 2), "0.00 家"),
    (lambda: f.fmt_pp(0.0), "+0.0个百分点"),
    (lambda: f.fmt_change(0.0, "change"), "+0.0%"),
    (lambda: f.fmt_change(0.05, "change"), "+5.0%"),
    (lambda: f.fmt_change(-0.0001, "change"), "-0.0%"),
    (lambda: f.fmt_change(4.2, "difference", "件"), "+4.20 件"),
    (lambda: f.fmt_change(0.25, "difference", "个百分点"), "+0.25个百分点"),
    (lambda: f.fmt_change(-0.001, "difference", "个百分点"), "-0.00个百分点"),
])
def test_formats(call, expected):
    assert call() == expected


@pytest.mark.parametrize("day,text", [
    (dt.date(2026, 11, 5), "2026年11月5日"),
    (dt.date(2027, 1, 1), "2027年1月1日"),
    (dt.datetime(2026, 12, 31, 23, 59, 59), "2026年12月31日"),  # a deadline: the end of its day
])
def test_date_label(day, text):
    assert f.date_label(day) == text


@pytest.mark.parametrize("day,text", [
    (dt.date(2026, 11, 5), "11月5日"),
    (dt.date(2027, 1, 1), "1月1日"),
    (dt.datetime(2026, 12, 31, 23, 59, 59), "12月31日"),  # a 催报's deadline: the end of its day
])
def test_day_label(day, text):
    assert f.day_label(day) == text


def _decimal_shown(x: float, decimals: int, scale: int = 1) -> float:
    """The rule itself, the slow way: half away from zero on the shortest decimal of x."""
    from decimal import ROUND_HALF_UP, Decimal
    return float((Decimal(repr(x)) * scale).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)) + 0.0


def test_shown_is_the_decimal_rule_for_numbers_of_every_size_and_at_every_tie():
    """``shown`` skips the Decimal where the product is clearly off a half: the same digits as
    the Decimal rule on 150,000 values of every size and sign, on the decimal ties and the
    doubles either side of them, at 0–4 decimals, as numbers and as percentages."""
    import math
    import random
    rng = random.Random(20261203)
    values = [rng.uniform(-1, 1) * 10.0 ** rng.randint(-8, 14) for _ in range(60_000)]
    values += [rng.randint(-10**7, 10**7) / 100 for _ in range(30_000)]  # cents, as returns have them
    for _ in range(20_000):
        tie = (rng.randint(-10**9, 10**9) + 0.5) / 10 ** rng.randint(0, 6)
        values += [tie, math.nextafter(tie, math.inf), math.nextafter(tie, -math.inf)]
    values += [0.0, -0.0, 9.85, 0.0985, -3.25, 2.675, 1e15, -1e15, 1e-300, 123456789.125]
    for decimals in range(5):
        for scale in (1, 100):
            got = [repr(f.shown(v, decimals, scale)) for v in values]
            assert got == [repr(_decimal_shown(v, decimals, scale)) for v in values], (decimals, scale)


def test_missing_values_are_none_nan_and_pandas_gaps_only():
    import numpy as np
    import pandas as pd
    for gone in (None, nan, np.float64("nan"), pd.NA, pd.NaT, "nan", "<NA>", "NaT"):
        assert f._missing(gone), gone
    for there in (0, -1, 10**20, 0.0, -0.0, np.int64(3), np.float64(2.5), True, False, "", "0", "na"):
        assert not f._missing(there), there


def test_a_withheld_yoy_is_said_once():
    """同比 withheld for want of any comparable child: the note is said as it is, not wrapped in a second 暂无可比数据."""
    from indicators.sentences import _yoy_words
    assert _yoy_words({"yoy": None, "yoy_note": "无可比数据（下级单位上年同期均无数据）"}) == \
        "同比无可比数据（下级单位上年同期均无数据）"
    assert _yoy_words({"yoy": None, "yoy_note": "比较期为部分汇总，不可比"}) == "同比暂无可比数据（比较期为部分汇总，不可比）"
    assert _yoy_words({"yoy": None, "yoy_note": None}) == ""
