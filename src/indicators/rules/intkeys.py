"""Sets and lookups of small non-negative integer keys as flat arrays (no hashing).

Pure functions; no I/O. Used by the roll-up (``rules.rollup``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Keys here are group × n_units + unit: small non-negative integers (a few million at most
# for a dispatch table), so sets and lookups of them are flat arrays indexed by the key,
# not hash tables; a key space too big for that falls back to pandas' hashing.
_DENSE_LIMIT = 1 << 26


class KeySet:
    def __init__(self, like: np.ndarray):
        top = int(like.max()) + 1 if len(like) else 1
        self.mask = np.zeros(top, dtype=bool) if top <= _DENSE_LIMIT else None
        self.index = pd.Index([], dtype=np.int64)

    def add(self, keys: np.ndarray) -> None:
        if self.mask is not None and (not len(keys) or keys.max() < len(self.mask)):
            self.mask[keys] = True
        else:
            self._spill()
            self.index = self.index.append(pd.Index(keys))

    def has(self, keys: np.ndarray) -> np.ndarray:
        if self.mask is not None:
            inside = keys < len(self.mask)
            return np.where(inside, self.mask[np.where(inside, keys, 0)], False)
        return pd.Index(keys).isin(self.index)

    def _spill(self) -> None:
        if self.mask is not None:
            self.index = pd.Index(np.flatnonzero(self.mask).astype(np.int64))
            self.mask = None


def first_seen(keys: np.ndarray) -> np.ndarray:
    """True at the first occurrence of each key (``~pd.Index(keys).duplicated()``)."""
    if not len(keys):
        return np.zeros(0, dtype=bool)
    top = int(keys.max()) + 1
    if keys.min() < 0 or top > _DENSE_LIMIT:
        return ~pd.Index(keys).duplicated()
    # positions as int32 while they fit: half the memory written and read at random, which
    # at a few million keys is most of the time
    kind = np.int32 if len(keys) < 2**31 else np.int64
    at = np.empty(top, dtype=kind)
    order = np.arange(len(keys), dtype=kind)
    at[keys[::-1]] = order[::-1]  # the last write wins: the first position of each key
    return at[keys] == order


def positions(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Position of each ``wanted`` key in ``keys`` (unique), −1 where absent."""
    top = max(int(keys.max()) if len(keys) else 0, int(wanted.max()) if len(wanted) else 0) + 1
    if (len(keys) and keys.min() < 0) or (len(wanted) and wanted.min() < 0) or top > _DENSE_LIMIT:
        return pd.Index(keys).get_indexer(wanted)
    at = np.full(top, -1, dtype=np.int64)
    at[keys] = np.arange(len(keys))
    return at[wanted]


def unique_ints(values: np.ndarray, n: int) -> np.ndarray:
    """``np.unique`` of integers in 0..n−1 (sorted)."""
    mark = np.zeros(n, dtype=bool)
    mark[values] = True
    return np.flatnonzero(mark)
