"""The app's caches hand out shared results (st.cache_resource): each run gets frames it
may change without changing the cache, and the dispatch table kept with its texts shared
is the same table (ui_data)."""

import dataclasses
import sys

import numpy as np
import pandas as pd

import testdate
from indicators import cache_frames, ui_data
from indicators.db import connection
from indicators.dispatch import dispatch_table


def test_the_dispatch_table_kept_packed_is_the_same_table_in_less_memory(demo_db_master):
    with connection.connect(demo_db_master, read_only=True) as con:
        table = dispatch_table(con, testdate.AS_OF, testdate.SETTINGS)
    packed = cache_frames.pack(table)
    again = cache_frames.unpack(packed)
    pd.testing.assert_frame_equal(again, table, check_exact=True)
    assert list(again.dtypes) == list(table.dtypes)
    names = again["indicator_name"].to_numpy()
    assert len({id(x) for x in names}) == again["indicator_name"].nunique()  # each text held once
    # every object column of the dispatch table is coded: none is left as 8 bytes a cell
    assert [n for n, part in zip(packed.columns, packed.parts) if getattr(part, "dtype", None) == object] == []
    # less than the table with each text once (what the cache held before): a cell of a
    # column with fewer than 127 distinct values costs 1 byte instead of an 8-byte pointer
    objects = int((table.dtypes == object).sum())
    assert cache_frames.packed_bytes(packed) <= cache_frames.nbytes(table) - 7 * len(table) * objects // 2
    mine = cache_frames.unpack(packed)  # each run its own frame: a change never reaches the cache
    mine.loc[0, "indicator_name"] = "改了"
    mine["value"] = 0.0
    pd.testing.assert_frame_equal(cache_frames.unpack(packed), table, check_exact=True)


def test_packing_keeps_none_nan_bools_and_mixed_columns_as_they_were():
    frame = pd.DataFrame({"text": ["甲", None, np.nan, "乙", "甲"], "none": [None] * 5,
                          "flag": [True, None, False, True, True], "mixed": [1, 1.0, None, 2, True],
                          "ints": [3, None, 3, 4, 5]}, dtype=object)
    frame["x"] = [1.5, np.nan, 2.0, 0.0, -1.0]
    frame["n"] = pd.array([1, None, 3, 4, 5], dtype="Int64")
    again = cache_frames.unpack(cache_frames.pack(frame))
    pd.testing.assert_frame_equal(again, frame, check_exact=True)
    assert [type(v).__name__ for v in again["text"]] == ["str", "NoneType", "float", "str", "str"]
    assert [type(v).__name__ for v in again["mixed"]] == ["int", "float", "NoneType", "int", "bool"]
    assert [type(v).__name__ for v in again["ints"]] == ["int", "NoneType", "int", "int", "int"]  # not numpy's
    assert [type(v).__name__ for v in again["flag"]] == ["bool", "NoneType", "bool", "bool", "bool"]
    assert again["text"].iloc[0] is again["text"].iloc[4]


@dataclasses.dataclass(frozen=True)
class _Result:
    frame: pd.DataFrame
    rows: list
    note: str


def test_a_run_changes_its_own_copy_never_the_cached_result():
    cached = _Result(pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]}), [1, 2], "n")
    mine = cache_frames.fresh(cached)
    mine.frame["a"] = 0
    mine.frame.loc[0, "b"] = "changed"
    mine.rows.append(3)
    assert cached.frame["a"].tolist() == [1, 2, 3] and cached.frame["b"].tolist() == ["x", "y", "z"]
    assert cached.rows == [1, 2] and mine.note == "n"
    frame = pd.DataFrame({"a": [1.5]})
    copy = cache_frames.fresh(frame)
    copy.iloc[0, 0] = 9.0
    assert frame.iloc[0, 0] == 1.5


def test_the_packed_table_keeps_nothing_of_the_table_it_was_made_from():
    # a column left as it was (floats, a mixed one) must not be a view of the input's 2-D
    # block: that block keeps every text of the input alive with the cache entry
    table = pd.DataFrame({"name": [f"指标{i % 3}" for i in range(50)], "none": [None] * 50,
                          "mixed": [1, 1.5] * 25, "x": [float(i) for i in range(50)], "y": [1.0] * 50})
    packed = cache_frames.pack(table)
    for name, part in zip(packed.columns, packed.parts):
        arrays = [part.codes, part.uniques, part.odd] if hasattr(part, "codes") else [part.to_numpy()]
        assert not any(np.shares_memory(a, table[name].to_numpy()) for a in arrays), name
        assert not any(np.shares_memory(a, table.values) for a in arrays if a.dtype == object), name


def _frame(rows: int, tag: int) -> pd.DataFrame:
    return pd.DataFrame({"v": np.full(rows, float(tag)), "i": np.arange(rows, dtype="int64")})


def test_an_entry_costs_its_arrays_and_each_object_once():
    text = "滞后" * 500  # one text on every row: held once, counted once
    frame = pd.DataFrame({"s": pd.Series([text] * 1000, dtype=object), "x": np.zeros(1000)})
    got = cache_frames.nbytes(frame)
    arrays = int(frame.memory_usage(index=True, deep=False).sum())
    assert arrays + sys.getsizeof(text) <= got < arrays + 2 * sys.getsizeof(text)
    both = cache_frames.nbytes((frame, frame, {"note": "n"}))  # the same frame twice: once
    assert got <= both < got + 1000


def test_a_cell_that_is_a_container_costs_what_it_holds_once():
    """A tuple in a cell (a partial row's missing units) counts with its items; the same
    tuple in many cells, once."""
    units = tuple(f"单位{i:03d}" for i in range(200))
    frame = pd.DataFrame({"missing": pd.Series([units] * 500 + [None] * 500, dtype=object)})
    arrays = int(frame.memory_usage(index=True, deep=False).sum())
    held = sys.getsizeof(units) + sum(map(sys.getsizeof, units)) + sys.getsizeof(None)
    assert cache_frames.nbytes(frame) == arrays + held


def test_the_page_data_cache_holds_no_more_bytes_than_its_bound():
    each = cache_frames.nbytes(_frame(10_000, 0))  # ≈ 160 kB
    cache = cache_frames.SizedCache(max_bytes=10 * each)
    made = []

    def make(n):
        made.append(n)
        return _frame(10_000, n)

    for n in range(100):  # a hundred months viewed
        cache.get(("month", n), lambda n=n: make(n))
        assert cache.bytes <= cache.max_bytes
    assert len(cache) == 10 and made == list(range(100))
    assert cache.get(("month", 99), lambda: make(-1))["v"].iloc[0] == 99.0  # kept: not computed again
    cache.get(("month", 90), lambda: make(-1))  # the least recently used is dropped first
    cache.get(("month", 100), lambda: make(100))
    assert made[-1] == 100 and cache.get(("month", 90), lambda: make(-1)) is not None and -1 not in made
    cache.get(("month", 0), lambda: make(0))  # a dropped one is computed again
    assert made[-1] == 0 and cache.bytes <= cache.max_bytes
    alone = cache_frames.SizedCache(max_bytes=1)  # an entry over the bound alone is still served
    assert alone.get("big", lambda: _frame(10, 1)) is not None and len(alone) == 1


def test_the_app_keeps_page_data_in_caches_bounded_by_bytes():
    assert ui_data._store("cached", ui_data.CACHED_BYTES).max_bytes == ui_data.CACHED_BYTES
    assert ui_data._store("computed", ui_data.COMPUTED_BYTES).max_bytes == ui_data.COMPUTED_BYTES
    assert ui_data._tables().max_bytes == ui_data.DISPATCH_BYTES
    # two tables of ≈ 20 MiB (packed) on the 7.2 M-observation database and at most 48 MiB of page
    # data, whatever the number of months and units viewed (issue 15: the app under ~400 MiB;
    # the server itself and what computing a table leaves behind take the rest)
    assert ui_data.DISPATCH_BYTES == 48 * 2**20 and ui_data.CACHED_BYTES + ui_data.COMPUTED_BYTES <= 48 * 2**20


def test_a_packed_table_is_sized_as_its_codes_arrays_and_each_distinct_value_once():
    names = ["高新技术企业数", "研发投入强度", None] * 400
    frame = pd.DataFrame({
        "name": pd.Series([None if n is None else "".join(n) for n in names], dtype=object),  # 800 separate texts
        "unit": pd.Series(["区"] * 1200, dtype=object), "v": np.arange(1200, dtype="float64")})
    packed = cache_frames.pack(frame)
    index = frame.index.memory_usage()
    name = 1200 + 2 * 8 + sys.getsizeof("高新技术企业数") + sys.getsizeof("研发投入强度")  # int8 codes, 2 distinct
    unit = 1200 + 8 + sys.getsizeof("区")
    v = 1200 * 8 + index  # a column kept as it is: nbytes of the Series
    assert cache_frames.packed_bytes(packed) == index + name + unit + v
