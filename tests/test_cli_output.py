"""``--json`` output written a column at a time (``cli.output.json_rows``) is the same text
as a record at a time (``records`` + ``print_json``): same keys, same values, same bytes."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from indicators.cli import output
from indicators.db import connection


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "f": [1830.9699999999998, float("nan"), float("inf"), -0.0, 2.5],
        "i": np.array([1, -2, 0, 7, 10**12], dtype=np.int64),
        "b": [True, False, True, True, False],
        "s": pd.Series(["甲区", 'say "hi"', None, "甲区", "a\\b"], dtype="str"),
        "o": pd.Series([1, 1.0, True, pd.NA, ["x", "y"]], dtype=object),
        "n": pd.array([3, None, 5, 5, 3], dtype="Int64"),
        "d": [dt.date(2026, 10, 1), None, dt.date(2026, 10, 1), None, None],
        # numpy object columns of one type with None between, as the dispatch table keeps them
        "of": pd.Series([0.30000000000000004, None, 2.0, float("nan"), -1.5], dtype=object),
        "oi": pd.Series([2, None, 2, 10**15, -3], dtype=object),
        "os": pd.Series(["东城区", None, "东城区", "", "a\nb"], dtype=object),
        "ob": pd.Series([True, None, False, True, None], dtype=object),
        "oe": pd.Series([None, None, None, None, None], dtype=object),
    })


EXPECTED = [  # written out by hand
    '{"f":1830.97,"i":1,"b":true,"s":"甲区","o":1,"n":3,"d":"2026-10-01","of":0.3,"oi":2,"os":"东城区","ob":true,"oe":null,"x":0}',
    '{"f":null,"i":-2,"b":false,"s":"say \\"hi\\"","o":1.0,"n":null,"d":null,"of":null,"oi":null,"os":null,"ob":null,"oe":null,"x":{"k":1}}',
    '{"f":null,"i":0,"b":true,"s":null,"o":true,"n":5,"d":"2026-10-01","of":2.0,"oi":2,"os":"东城区","ob":false,"oe":null,"x":0}',
    '{"f":-0.0,"i":7,"b":true,"s":"甲区","o":null,"n":5,"d":null,"of":null,"oi":1000000000000000,"os":"","ob":true,"oe":null,"x":0}',
    '{"f":2.5,"i":1000000000000,"b":false,"s":"a\\\\b","o":["x","y"],"n":3,"d":null,"of":-1.5,"oi":-3,"os":"a\\nb","ob":null,"oe":null,"x":0}',
]


@pytest.fixture(scope="module")
def con():
    with connection.connect(connection.MEMORY) as c:
        yield c


def test_rows_are_the_records_text(capsys, con):
    frame = _frame()
    chunks = output.json_rows(con, frame, list(frame.columns), {"x": ["0", '{"k":1}', "0", "0", "0"]})
    assert _rows(chunks) == EXPECTED
    output.print_json_chunks(chunks)
    streamed = capsys.readouterr().out
    assert streamed == "[\n" + ",\n".join(EXPECTED) + "\n]\n"
    output.print_json_rows(iter(EXPECTED), chunk=2)  # the writer of rows made one at a time (print_json)
    assert capsys.readouterr().out == streamed
    # the record-at-a-time path prints the same bytes
    recs = output.records(frame, list(frame.columns))
    for rec, x in zip(recs, [0, {"k": 1}, 0, 0, 0]):
        rec["x"] = x
    output.print_json(recs)
    assert capsys.readouterr().out == streamed
    assert json.loads(streamed)[1]["s"] == 'say "hi"'


def _rows(chunks: list[memoryview]) -> list[str]:
    """``json_rows``' chunks as the rows' texts (compact JSON has no line break inside a row)."""
    text = b"".join(chunks).decode("utf-8")
    assert text.endswith(",\n") and "\n" not in text.replace(",\n", "")
    return text.split(",\n")[:-1]


def test_no_rows(con, capsys):
    assert output.json_rows(con, _frame().iloc[:0], ["f", "s"]) == []
    output.print_json_chunks([])
    assert capsys.readouterr().out == "[]\n"  # as json.dumps writes it, not "[" and "]" on two lines


def test_rows_keep_their_order_and_numbers_their_python_text(con):
    """The doubles are written as Python's ``repr`` of ``round(v, 10)`` writes them, for values of every size and
    sign (whole ones too, and those either side of where repr takes an exponent), and the rows come back in the
    frame's order (200,000 of them)."""
    rng = np.random.default_rng(20261203)
    n = 200_000
    values = rng.random(n) * 10.0 ** rng.integers(-14, 22, n) * rng.choice([-1.0, 1.0], n)
    values[::97] = np.nan
    values[5] = 1e16
    values[6] = 1e-5
    values[7] = 123456789012345.6
    # whole numbers of every size (Arrow writes them without ".0", and from 1e10 with an exponent), and either side
    # of where Python's repr changes to an exponent (1e-4, 1e16)
    values[100:20_100] = np.round(values[100:20_100])
    edges = np.array([1e-4, 1e16, 1e15, 1e10, 1e-7, 0.0, -0.0, 9999999999999998.0, 123456789.0, 1e5])
    values[200:210] = edges
    values[210:220] = np.nextafter(edges, np.inf)
    values[220:230] = -np.nextafter(edges, -np.inf)
    frame = pd.DataFrame({"n": np.arange(n, dtype=np.int64), "v": values})
    rows = _rows(output.json_rows(con, frame, ["n", "v"]))
    want = [f'{{"n":{i},"v":{"null" if np.isnan(v) else float.__repr__(round(v, 10))}}}'
            for i, v in enumerate(values.tolist())]
    assert rows == want
    assert rows[5:8] == ['{"n":5,"v":1e+16}', '{"n":6,"v":1e-05}', '{"n":7,"v":123456789012345.6}']


def test_an_empty_list_streams_as_brackets(capsys):
    output.print_json_rows(iter([]))
    assert json.loads(capsys.readouterr().out) == []


def test_round_10_is_pythons_round():
    """``round_10`` gives exactly Python's ``round(v, 10)``: written-out cases (binary values just off a decimal tie, the
    sign of zero, past 2⁵³ after scaling) and 560,000 values of every size
    and sign, decimal ties of every size and the doubles either side of them."""
    cases = {1830.9699999999998: 1830.97, 2.5: 2.5, -0.0: -0.0, -4e-11: -0.0, 1e-10: 1e-10,
             0.12345678905: 0.1234567891, 0.00000000015: 1e-10, 123456789.123456789: 123456789.12345679,
             1e300: 1e300, -7.77777777777777: -7.7777777778}
    got = output.round_10(np.array(list(cases)))
    assert [float.__repr__(g) for g in got.tolist()] == [float.__repr__(v) for v in cases.values()]
    rng = np.random.default_rng(20261202)
    values = np.concatenate([
        rng.random(100_000) * 10.0 ** rng.integers(-12, 12, 100_000),
        -rng.random(50_000) * 1e6,
        (rng.integers(-10**12, 10**12, 50_000) + 0.5) / 1e10,  # exact decimal ties (near, in binary)
        rng.integers(0, 10**6, 50_000) / 100.0,  # cents: the usual returns
        rng.integers(-2**62, 2**62, 50_000) / 1e3,
        rng.random(20_000) * 2.0**20,  # either side of 2¹⁹, where a double becomes its own rounding
    ])
    ties = (rng.integers(-10**15, 10**15, 60_000) // 10 ** rng.integers(0, 15, 60_000) + 0.5) / 1e10
    values = np.concatenate([values, ties, np.nextafter(ties, np.inf), np.nextafter(ties, -np.inf),
                             np.nextafter(np.nextafter(ties, np.inf), np.inf)])  # ties of every size, and their neighbours
    want = [float.__repr__(round(v, 10)) for v in values.tolist()]
    assert [float.__repr__(v) for v in output.round_10(values).tolist()] == want
