"""The frames the app's caches hold, as a run gets them (``ui_data``): kept once, with
each repeated text shared, and handed to every run as its own copy-on-write copy; and
the cache that holds a run's page data, bounded by the bytes its entries hold
(``SizedCache``). Plain pandas: no Streamlit here."""

from __future__ import annotations

import ctypes
import dataclasses
import sys
import threading
from collections import OrderedDict
from typing import TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")


def fresh(value: T) -> T:
    """A cached result as one run gets it: its frames (also those in a dataclass, tuple,
    list or dict) are new shallow copies — copy-on-write (pandas ≥ 3), so a page that
    adds a column or sorts in place changes its own copy, never the cache; a list or dict
    is copied."""
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy(deep=False)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = {f.name: fresh(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init
                   and isinstance(getattr(value, f.name), (pd.DataFrame, pd.Series, list, dict, tuple))}
        return dataclasses.replace(value, **changed) if changed else value
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(fresh(v) for v in value)  # type: ignore[return-value]
    if isinstance(value, list):
        return [fresh(v) for v in value]  # type: ignore[return-value]
    if isinstance(value, dict):
        return {k: fresh(v) for k, v in value.items()}  # type: ignore[return-value]
    return value


def shared_values(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each text (and whole number) of an object column held once: the
    dispatch table repeats an indicator's name, unit, rule … on every row as separate
    Python strings (≈ 160 MiB on the 7.2 M-observation database). Equal values, the
    same columns and dtypes (pandas.testing.assert_frame_equal holds). The result owns its
    arrays: a column left as it was would otherwise be a view of ``frame``'s 2-D block of
    object columns, which keeps every unshared text of ``frame`` alive with the cache
    entry (≈ 55 MiB more per month on that database)."""
    out = {}
    for name in frame.columns[frame.dtypes == object]:
        values = frame[name].to_numpy()
        if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "integer"):
            continue  # None only, bools, mixed: nothing to share, or equal but not the same (1 and 1.0)
        codes, uniques = pd.factorize(values)
        kept = codes >= 0  # the missing ones stay as they were (None or NaN)
        shared = values.copy()
        shared[kept] = np.asarray(uniques, dtype=object)[codes[kept]]
        out[name] = pd.Series(shared, index=frame.index, dtype=object)
    return (frame.assign(**out) if out else frame).copy(deep=True)


def release_freed() -> None:
    """Give the memory a big computation freed back to the system (glibc's ``malloc_trim``;
    elsewhere nothing): freed, it stays counted in the process's resident memory."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def nbytes(value: object, _seen: set | None = None) -> int:
    """What ``value`` holds in memory, roughly and never less than its arrays: a frame's
    arrays (8 bytes a cell of an object column) plus each distinct object those cells point
    to; the parts of a dataclass, tuple, list or dict; a Plotly figure's data and layout.
    What a cache entry costs, for a cache bounded by bytes (``SizedCache``)."""
    seen = set() if _seen is None else _seen
    if id(value) in seen:
        return 0
    seen.add(id(value))
    if isinstance(value, (pd.DataFrame, pd.Series)):
        frame = value.to_frame() if isinstance(value, pd.Series) else value
        total = int(frame.memory_usage(index=True, deep=False).sum())
        for name in frame.columns[frame.dtypes == object]:
            for x in frame[name].to_numpy():
                if id(x) not in seen:
                    seen.add(id(x))
                    total += nbytes(x, seen) if isinstance(x, (list, tuple, dict)) else sys.getsizeof(x)
        return total
    if isinstance(value, np.ndarray):
        return value.nbytes
    if type(value).__name__ == "Table" and type(value).__module__.startswith("pyarrow"):
        return value.get_total_buffer_size()  # an Arrow table (a grid's, ui_render._grid_table)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sys.getsizeof(value) + sum(nbytes(getattr(value, f.name), seen) for f in dataclasses.fields(value))
    if isinstance(value, (list, tuple, set, frozenset)):
        return sys.getsizeof(value) + sum(nbytes(v, seen) for v in value)
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(nbytes(k, seen) + nbytes(v, seen) for k, v in value.items())
    if hasattr(value, "_data") and hasattr(value, "_layout"):  # a plotly Figure: not its validators
        return sys.getsizeof(value) + nbytes(value._data, seen) + nbytes(value._layout, seen)
    return sys.getsizeof(value)


def shared_frame_bytes(frame: pd.DataFrame) -> int:
    """``nbytes`` of a frame whose equal texts are one object each (``shared_values``),
    in C rather than cell by cell: its arrays plus each distinct value of its object
    columns once. (``nbytes`` walks every cell: ≈ 1 s for a month's dispatch table on the
    7.2 M-observation database.)"""
    total = int(frame.memory_usage(index=True, deep=False).sum())
    for name in frame.columns[frame.dtypes == object]:
        total += sum(map(sys.getsizeof, pd.unique(frame[name].to_numpy())))
    return total


class SizedCache:
    """Results by key, the least recently used dropped once the entries hold more than
    ``max_bytes`` (``size``, by default ``nbytes``; the newest is kept even when alone
    over it). Safe for the app's threads: a key being computed is computed once, the
    others wait for it."""

    def __init__(self, max_bytes: int, size=nbytes):
        self.max_bytes = max_bytes
        self._size = size
        self._entries: OrderedDict = OrderedDict()  # key → (value, bytes)
        self._making: dict = {}  # key → the lock of whoever computes it
        self._lock = threading.Lock()
        self.bytes = 0

    def get(self, key, make):
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key][0]
            making = self._making.setdefault(key, threading.Lock())
        with making:
            with self._lock:
                if key in self._entries:  # computed meanwhile by another run
                    self._entries.move_to_end(key)
                    return self._entries[key][0]
            try:
                value = make()
            finally:
                with self._lock:
                    self._making.pop(key, None)
            size = self._size(value)
            with self._lock:
                self._entries[key] = (value, size)
                self.bytes += size
                while self.bytes > self.max_bytes and len(self._entries) > 1:
                    _, (_, dropped) = self._entries.popitem(last=False)
                    self.bytes -= dropped
            return value

    def __len__(self) -> int:
        return len(self._entries)
