"""Machine output shared by the command groups: ``--json`` records and printing."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable
from itertools import repeat
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

if TYPE_CHECKING:
    from indicators.db.connection import Connection


def _clean(v):
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float):
        # sums of floats carry noise (1830.9699999999998); 10 decimals is far below any unit
        return None if (math.isnan(v) or math.isinf(v)) else round(v, 10)
    if hasattr(v, "item"):
        return _clean(v.item())
    return v


def records(frame: pd.DataFrame, keys: list[str]) -> list[dict]:
    """Rows of ``frame`` as plain JSON values (None for missing, no numpy scalars)."""
    return [{k: _clean(v) for k, v in row.items()} for row in frame[keys].to_dict(orient="records")]


_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)


def json_text(value) -> str:
    """One value as the compact JSON ``print_json`` writes (no cleaning of its own)."""
    return _COMPACT.encode(value)


_BATCH = 10_000  # rows of JSON a thread writes at a time


def json_rows(con: Connection, frame: pd.DataFrame, keys: list[str],
              extra: dict[str, list[str]] | None = None) -> list[memoryview]:
    """Each row of ``frame[keys]`` as the compact JSON ``print_json`` writes for its
    ``records`` row — the same text — in UTF-8, each row followed by ``,\n``, in chunks
    (``print_json_chunks`` writes them). Each column becomes JSON text (or, for numbers,
    the values ``_clean`` leaves) a column at a time, a distinct value encoded once; DuckDB
    (on ``con``, any open connection: the frame is only registered) writes the numbers and
    puts the rows together, handed over as Arrow text, never as a Python string per row.
    On 60,000 rows, Python's float repr, a template per row and the strings were about half
    of ``status --json``. DuckDB's cast of a double to text is the same shortest round-trip
    text as Python's repr (``test_cli_output``). ``extra``: keys after ``keys`` whose
    values are already JSON text, one per row."""
    if frame.empty:
        return []
    extra = extra or {}
    names = [*keys, *extra]
    columns = [_json_column(frame[k]) for k in keys] + [pd.Categorical(v) for v in extra.values()]
    parts = []
    for i, (name, column) in enumerate(zip(names, columns)):
        key = ("{" if i == 0 else ",") + _COMPACT.encode(name) + ":"
        parts += ["'" + key.replace("'", "''") + "'", _sql_text(f"c{i}", column)]
    cells = pd.DataFrame({f"c{i}": c for i, c in enumerate(columns)}, copy=False)
    # as Arrow batches, which DuckDB writes on all its threads (a frame of under ~100k rows
    # it scans on one); the rows keep their order (insertion order is preserved). Through
    # pandas, not pa.table: from_pandas makes a NaN a null, which the SQL writes as null
    cells = pa.Table.from_batches(pa.Table.from_pandas(cells, preserve_index=False).to_batches(_BATCH))
    with con.registered("json_cells", cells) as table:
        rows = con.execute(f"SELECT concat({', '.join(parts)}, '}},\n') AS row FROM {table}").to_arrow_table()
    return [_utf8(chunk) for chunk in rows.column("row").chunks if len(chunk)]


def _utf8(strings) -> memoryview:
    """The values of an Arrow text array (no nulls), one after the other: a view of its
    bytes, not a copy (on 60,000 rows of the dispatch table, a copy is ≈ 150 MB)."""
    width = np.int64 if str(strings.type) == "large_string" else np.int32
    offsets = np.frombuffer(strings.buffers()[1], dtype=width)
    start, end = int(offsets[strings.offset]), int(offsets[strings.offset + len(strings)])
    return memoryview(strings.buffers()[2])[start:end]


def print_json_chunks(chunks: list[memoryview]) -> None:
    """``json_rows``' chunks as ``print_json`` streams a list: ``[``, one row per line, ``]``."""
    sys.stdout.flush()
    write = sys.stdout.buffer.write
    if not chunks:  # as json.dumps writes an empty list (and print_json_rows)
        write(b"[]\n")
        sys.stdout.buffer.flush()
        return
    write(b"[\n")
    for i, chunk in enumerate(chunks):
        write(chunk[:-2] if i == len(chunks) - 1 else chunk)  # no comma after the last row
    write(b"\n]\n")
    sys.stdout.buffer.flush()


def _sql_text(column: str, values) -> str:
    """The SQL that writes one cell of ``column`` (``_json_column``'s values) as JSON."""
    if isinstance(values, np.ndarray) and values.dtype == np.float64:  # NaN (None to _clean) is NULL to DuckDB
        return f"coalesce(CAST({column} AS VARCHAR), 'null')"
    return f"CAST({column} AS VARCHAR)"  # JSON texts (categorical) or int64


# x86's 80-bit long double: x × 10¹⁰ is then off by ≤ 2⁻¹² below 2⁵³, far from a tie
_EXTENDED = np.finfo(np.longdouble).nmant >= 63


def round_10(values: np.ndarray) -> np.ndarray:
    """``round(v, 10)`` of each finite float, exactly as Python rounds it, without a call
    per value where that is provably the same (Python's ``round`` was two thirds of
    ``status --json``'s JSON). Python rounds the exact binary value to the nearest
    multiple of 10⁻¹⁰ (ties to even) and returns the double nearest to that decimal.
    k = rint(x × 10¹⁰) is that multiple when the product, as computed, lies farther from
    a half than its rounding error: in double precision, an error of at most half the
    product's spacing (most values: a few nanoseconds each); else in 64-bit precision
    (≤ 2⁻¹² below 2⁵³; about ten times slower); else through ``round``. k / 10¹⁰ in IEEE
    division is then the double nearest to k·10⁻¹⁰. From 2¹⁹ up, a double is its own
    rounding: its neighbours are over 10⁻¹⁰ away, its decimal within ½·10⁻¹⁰."""
    values = np.asarray(values, dtype=np.float64)
    out = values.copy()  # ≥ 2¹⁹ in magnitude: as it is
    with np.errstate(over="ignore", invalid="ignore"):  # past 1.8e298: inf, and never "small"
        scaled = values * 1e10
        near = np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5) <= np.spacing(np.abs(scaled))
    small = np.abs(values) < 2.0**19
    fast = small & ~near & (np.abs(scaled) < 2.0**52)
    out[fast] = np.rint(scaled[fast]) / 1e10
    at = np.flatnonzero(small & ~fast)
    if _EXTENDED and len(at):
        wide = values[at].astype(np.longdouble) * np.longdouble(10**10)
        ok = (np.abs(np.abs(wide - np.trunc(wide)) - 0.5) > 0.01) & (np.abs(wide) < 2.0**53)
        out[at[ok]] = np.rint(wide[ok]).astype(np.float64) / 1e10
        at = at[~ok]
    out[at] = list(map(round, values[at].tolist(), repeat(10, len(at))))
    return out


_ONE_TYPE = ("string", "integer", "boolean", "empty")  # pandas' infer_dtype of an object column


def _json_column(column: pd.Series) -> np.ndarray | pd.Categorical:
    """One column for ``json_rows``: floats as ``_clean`` leaves them (rounded; NaN for
    None), whole numbers as int64, anything else as the categorical of each value's JSON
    text (``_COMPACT.encode(_clean(v))``)."""
    if column.dtype == np.float64:  # what _clean does to a float, without a call per value
        values = column.to_numpy()
        finite = np.isfinite(values)
        out = np.full(len(values), np.nan)
        out[finite] = round_10(values[finite])
        return out
    if column.dtype == np.int64:
        return column.to_numpy()
    if column.dtype == bool:
        return pd.Categorical.from_codes(column.to_numpy().astype(np.int8), ["false", "true"])
    # the dispatch table keeps texts and small integers as numpy objects, with None between
    kind = pd.api.types.infer_dtype(column, skipna=True) if column.dtype == object else None
    if kind == "floating":  # floats and None only: the float path (None is NaN, null)
        return _json_column(column.astype(np.float64))
    if kind in _ONE_TYPE or isinstance(column.dtype, pd.Int64Dtype) or (
            kind is None and pd.api.types.is_string_dtype(column)):
        # values of one type (or missing) only: each distinct value encoded once — 1, 1.0
        # and True would be one value to factorize, hence never a mix of types here
        codes, texts = pd.factorize(column)
        encoded = [_COMPACT.encode(_clean(t)) for t in texts] + ["null"]
        if len(set(encoded)) == len(encoded):  # code -1 (missing) picks the "null" at the end
            return pd.Categorical.from_codes(np.where(codes < 0, len(texts), codes), encoded)
        return pd.Categorical(np.array(encoded, dtype=object)[codes])
    out, seen = [], {}
    for v in column.tolist():
        if type(v) is float:  # the common case, and never the same twice
            out.append(_COMPACT.encode(_clean(v)))
            continue
        key = (type(v), v)  # 1, 1.0 and True are equal keys of a dict
        try:
            text = seen.get(key)
            if text is None:
                text = seen[key] = _COMPACT.encode(_clean(v))
        except TypeError:  # a list or the like: not hashable
            text = _COMPACT.encode(_clean(v))
        out.append(text)
    return pd.Categorical(out)


def print_json_rows(rows: Iterable[str], chunk: int = 1000) -> None:
    """Rows already in JSON, streamed as ``print_json`` streams a list: ``[``, one row per
    line, ``]`` — written ``chunk`` rows at a time."""
    write = sys.stdout.write
    write("[")
    batch: list[str] = []
    first = True
    for row in rows:
        batch.append(row)
        if len(batch) == chunk:
            write(("\n" if first else ",\n") + ",\n".join(batch))
            batch, first = [], False
    if batch:
        write(("\n" if first else ",\n") + ",\n".join(batch))
        first = False
    write("]\n" if first else "\n]\n")  # an empty list as json.dumps writes it: []


def print_json(out) -> None:
    """``--json`` output: compact, UTF-8 Chinese as is, dates and the like as text. A list
    is streamed one record per line (``[`` … ``]``), so a reader — ``| head``, a script
    reading line by line — gets rows while the rest is written, and no indentation is paid
    for (it was most of ``status --json``'s time)."""
    if not isinstance(out, list):
        sys.stdout.write(_COMPACT.encode(out) + "\n")
        return
    print_json_rows(_COMPACT.encode(item) for item in out)
