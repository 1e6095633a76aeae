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


def print_json(out) -> None:
    """``--json`` output: UTF-8 Chinese as is, dates and the like as text."""
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1, default=str)
    print()
