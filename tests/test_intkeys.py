"""``rules.intkeys``: the flat-array sets and lookups the roll-up rests on give what pandas' hashing gives."""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.rules import intkeys


def test_first_seen_marks_each_keys_first_place():
    keys = np.array([5, 3, 5, 0, 3, 3, 9, 0], dtype=np.int64)
    assert intkeys.first_seen(keys).tolist() == [True, True, False, True, False, False, True, False]
    assert intkeys.first_seen(np.zeros(0, dtype=np.int64)).tolist() == []


def test_first_seen_is_pandas_duplicated_on_many_keys():
    rng = np.random.default_rng(20261203)
    for n, top in ((1, 1), (1000, 10), (300_000, 50_000), (300_000, 3_000_000)):
        keys = rng.integers(0, top, n)
        assert np.array_equal(intkeys.first_seen(keys), ~pd.Index(keys).duplicated())


def test_keys_beyond_the_dense_limit_or_negative_fall_back_to_hashing():
    keys = np.array([intkeys._DENSE_LIMIT + 7, 2, intkeys._DENSE_LIMIT + 7, -1, 2, -1], dtype=np.int64)
    assert intkeys.first_seen(keys).tolist() == [True, True, False, True, False, False]


def test_key_set_and_positions():
    s = intkeys.KeySet(np.array([0, 9]))
    s.add(np.array([2, 9]))
    assert s.has(np.array([2, 3, 9, 50])).tolist() == [True, False, True, False]
    s.add(np.array([50]))  # beyond the mask made at first: the set spills into an index
    assert s.has(np.array([2, 3, 9, 50])).tolist() == [True, False, True, True]
    assert intkeys.positions(np.array([7, 1, 4]), np.array([4, 7, 5, 1])).tolist() == [2, 0, -1, 1]
