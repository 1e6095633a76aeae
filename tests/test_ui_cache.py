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


def test_the_dispatch_table_with_shared_texts_is_the_same_table(demo_db_master):
    with connection.connect(demo_db_master, read_only=True) as con:
        table = dispatch_table(con, testdate.AS_OF, testdate.SETTINGS)
    shared = cache_frames.shared_values(table)
    pd.testing.assert_frame_equal(shared, table, check_exact=True)
    assert list(shared.dtypes) == list(table.dtypes)
    names = shared["indicator_name"].to_numpy()
    assert len({id(x) for x in names}) == shared["indicator_name"].nunique()  # each text held once


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


def test_the_shared_table_keeps_nothing_of_the_table_it_was_made_from():
    # a column left unshared (all None, bools) must not be a view of the input's 2-D
    # block of object columns: that block keeps every unshared text alive with the cache
    table = pd.DataFrame({"name": [f"指标{i % 3}" for i in range(50)], "none": [None] * 50,
                          "flag": [True, None] * 25, "x": [float(i) for i in range(50)]})
    shared = cache_frames.shared_values(table)
    pd.testing.assert_frame_equal(shared, table, check_exact=True)
    for name in table.columns:
        assert not np.shares_memory(shared[name].to_numpy(), table[name].to_numpy()), name


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
    # one table of ≈ 38 MiB on the 7.2 M-observation database and at most 48 MiB of page
    # data, whatever the number of months and units viewed (issue 15: the app under ~400 MiB;
    # the server itself and what computing a table leaves behind take the rest)
    assert ui_data.DISPATCH_BYTES == 48 * 2**20 and ui_data.CACHED_BYTES + ui_data.COMPUTED_BYTES <= 48 * 2**20


def test_a_shared_table_is_sized_as_its_arrays_and_each_distinct_value_once():
    names = ["高新技术企业数", "研发投入强度", None] * 400
    frame = cache_frames.shared_values(pd.DataFrame({
        "name": pd.Series([None if n is None else "".join(n) for n in names], dtype=object),  # 800 separate texts
        "unit": pd.Series(["区"] * 1200, dtype=object), "v": np.arange(1200, dtype="float64")}))
    arrays = int(frame.memory_usage(index=True, deep=False).sum())
    distinct = sum(map(sys.getsizeof, ["高新技术企业数", "研发投入强度", None, "区"]))
    assert cache_frames.shared_frame_bytes(frame) == arrays + distinct == cache_frames.nbytes(frame)
