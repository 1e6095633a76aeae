"""The frames the app's caches hold, as a run gets them (``ui_data``): handed to every run
as its own copy-on-write copy (``fresh``); the dispatch tables kept packed, each repeated
text coded (``pack``, ``unpack``); and
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


@dataclasses.dataclass(frozen=True)
class _Coded:
    """An object column of texts, whole numbers or booleans as small integer codes into its
    distinct values; a missing cell is None, but where ``odd_at`` says (a NaN)."""
    codes: np.ndarray
    uniques: np.ndarray  # object
    odd_at: np.ndarray
    odd: np.ndarray  # object


@dataclasses.dataclass(frozen=True)
class Packed:
    """A frame as the app's caches keep it (``pack``): each object column of texts or whole
    numbers coded (``_Coded``), every other column as its own array. A month's dispatch
    table on the 7.2 M-observation database repeats an indicator's name, unit, rule … on
    every row: as Python strings ≈ 160 MiB, with each text held once ≈ 37 MiB (the 8-byte
    pointer of every cell), packed ≈ 20 MiB (packing 0.12 s, unpacking 0.016 s there)."""
    index: pd.Index
    columns: pd.Index
    parts: tuple  # per column: a _Coded, or a Series owning its array


def _smallest_codes(codes: np.ndarray, n: int) -> np.ndarray:
    for kind in (np.int8, np.int16, np.int32):
        if n < np.iinfo(kind).max:
            return codes.astype(kind)
    return codes


# pandas' infer_dtype of the object columns coded: values of one kind (1, 1.0 and True
# would be one value to factorize, hence never a mix), or none at all
_CODED = ("string", "integer", "boolean", "empty")


def pack(frame: pd.DataFrame) -> Packed:
    """``frame`` kept small; ``unpack`` gives it back. Nothing of ``frame`` is kept (a column
    left as it was would be a view of its 2-D block of object columns, which keeps every
    text of ``frame`` alive with the cache entry)."""
    if not frame.columns.is_unique:
        raise ValueError("pack: the column names must be unique")
    parts = []
    for name in frame.columns:
        column = frame[name]
        values = column.to_numpy()
        if column.dtype == object and pd.api.types.infer_dtype(values, skipna=True) in _CODED:
            codes, uniques = pd.factorize(values)
            missing_at = np.flatnonzero(codes < 0)
            odd_at = missing_at[[v is not None for v in values[missing_at]]]
            parts.append(_Coded(_smallest_codes(codes, len(uniques)), np.asarray(uniques, dtype=object),
                                odd_at, values[odd_at].copy()))
        else:
            parts.append(column.copy(deep=True))
    return Packed(frame.index.copy(), frame.columns.copy(), tuple(parts))


def unpack(packed: Packed) -> pd.DataFrame:
    """The frame ``pack`` was given: equal values, the same columns and dtypes
    (``pandas.testing.assert_frame_equal`` holds), each repeated text one object. A new
    frame each time: what a run does to it never reaches the cache."""
    data = {}
    for name, part in zip(packed.columns, packed.parts):
        if isinstance(part, _Coded):
            values = np.append(part.uniques, None)[part.codes]  # a code of -1 (missing) takes the None
            values[part.odd_at] = part.odd
            data[name] = pd.Series(values, index=packed.index, dtype=object, copy=False)
        else:
            data[name] = part.copy(deep=False)  # copy-on-write: a change to it copies first
    return pd.DataFrame(data, index=packed.index, columns=packed.columns, copy=False)


def packed_bytes(packed: Packed) -> int:
    """What a ``Packed`` holds in memory: its arrays, each distinct value of a coded column
    once, the other columns as ``nbytes`` counts them."""
    total = packed.index.memory_usage(deep=False)
    for part in packed.parts:
        if isinstance(part, _Coded):
            total += part.codes.nbytes + part.uniques.nbytes + sum(map(sys.getsizeof, part.uniques)) \
                + part.odd_at.nbytes + part.odd.nbytes
        else:
            total += nbytes(part)
    return int(total)


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
                if id(x) in seen:
                    continue
                if isinstance(x, (list, tuple, dict)):  # counted with what it holds (nbytes marks it seen)
                    total += nbytes(x, seen)
                else:
                    seen.add(id(x))
                    total += sys.getsizeof(x)
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
