import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.returns.excel.numbers import parse_number, parse_numbers


@pytest.mark.parametrize("cell, value, percent, ok", [
    ("1,234.5", 1234.5, False, True),
    ("12.3%", 12.3, True, True),
    ("１２３", 123.0, False, True),
    ("１，２３４．５％", 1234.5, True, True),
    ("(1,234)", -1234.0, False, True),
    (" 4 ", 4.0, False, True),
    ("1e3", 1000.0, False, True),
    (3.5, 3.5, False, True),
    (7, 7.0, False, True),
    ("—", None, False, True),
    ("-", None, False, True),
    ("空", None, False, True),
    ("", None, False, True),
    (None, None, False, True),
    (float("nan"), None, False, True),
    ("abc", None, False, False),
    ("12家", None, False, False),
    (True, None, False, False),
    ("#DIV/0!", None, False, False),
])
def test_parse_number_table(cell, value, percent, ok):
    p = parse_number(cell)
    assert (p.value, p.percent, p.ok) == (value, percent, ok)
    v = parse_numbers(pd.Series([cell], dtype=object)).iloc[0]
    assert bool(v["ok"]) == ok
    assert bool(v["percent"]) == percent
    assert (math.isnan(v["value"]) if value is None else v["value"] == value)


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=-10**12, max_value=10**12, places=2, allow_nan=False, allow_infinity=False),
       st.booleans(), st.booleans(), st.booleans())
def test_formatted_numbers_read_back(d, thousands, full_width, pct):
    """A number written with separators / full-width digits / a % sign reads back."""
    text = f"{d:,.2f}" if thousands else f"{d:.2f}"
    if pct:
        text += "%"
    if full_width:
        text = text.translate(str.maketrans("0123456789.,%-", "０１２３４５６７８９．，％－"))
    p = parse_number(text)
    assert p.ok and p.percent == pct
    assert p.value == pytest.approx(float(d), abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=8), st.floats(allow_nan=True), st.integers(-10**9, 10**9),
                          st.none(), st.booleans()), max_size=30))
def test_vectorised_agrees_with_scalar(cells):
    frame = parse_numbers(pd.Series(cells, dtype=object))
    for cell, row in zip(cells, frame.itertuples()):
        p = parse_number(cell)
        assert p.ok == row.ok, cell
        if p.value is None:
            assert math.isnan(row.value), cell
        else:
            assert row.value == pytest.approx(p.value), cell
            assert p.percent == row.percent
