"""The app's caches hand out shared results (st.cache_resource): each run gets frames it
may change without changing the cache, and the dispatch table kept with its texts shared
is the same table (ui_data)."""

import dataclasses

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
