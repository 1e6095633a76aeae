"""Machine output shared by the command groups: ``--json`` records and printing."""

from __future__ import annotations

import json
import math
import sys

import pandas as pd


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


def print_json(out) -> None:
    """``--json`` output: compact, UTF-8 Chinese as is, dates and the like as text. A list
    is streamed one record per line (``[`` … ``]``), so a reader — ``| head``, a script
    reading line by line — gets rows while the rest is written, and no indentation is paid
    for (it was most of ``status --json``'s time)."""
    write = sys.stdout.write
    if not isinstance(out, list):
        write(_COMPACT.encode(out) + "\n")
        return
    write("[")
    for i, item in enumerate(out):
        write(("\n" if i == 0 else ",\n") + _COMPACT.encode(item))
    write("\n]\n")
