"""The frames the app's caches hold, as a run gets them (``ui_data``): kept once, with
each repeated text shared, and handed to every run as its own copy-on-write copy.
Plain pandas: no Streamlit here."""

from __future__ import annotations

import dataclasses
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
    same columns and dtypes (pandas.testing.assert_frame_equal holds)."""
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
    return frame.assign(**out) if out else frame
