"""Numbers as people type them into returns.

Cells may hold real numbers or text: ``1,234.5``, ``12.3%``, full-width digits
``１２３``, ``(1,234)`` for a negative, dashes or ``空`` for "no value". The scalar
``parse_number`` states the rules; ``parse_numbers`` applies the same rules to a whole
column with vectorised pandas string operations (100k cells must not loop in Python).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

# Cells that mean "nothing reported" rather than a bad value.
EMPTY_WORDS = frozenset({"", "-", "--", "—", "——", "–", "－", "/", "空", "无", "暂无", "n/a", "na", "nan", "none", "null", "—-"})

# Full-width forms and Chinese punctuation seen in numbers, mapped to ASCII.
_FULL = "０１２３４５６７８９．，％－＋（）　"
_HALF = "0123456789.,%-+() "
_TRANSLATE = str.maketrans(_FULL, _HALF)

_SPACE = re.compile(r"[\s\u00a0]+")
_PLAIN = re.compile(r"[0-9.+\-eE]*")  # texts parse_numbers need not clean
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# a comma only as a thousands separator: 1,234,567.8 — never 600,5 or 2,1 (a decimal comma:
# dropping it would store 6005 for 600.5) nor 1,2,3
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?([eE][+-]?\d+)?$")
# Excel formula error values: a cell showing one of these has no usable number.
FORMULA_ERRORS = frozenset({"#DIV/0!", "#REF!", "#VALUE!", "#N/A", "#NAME?", "#NUM!", "#NULL!",
                            "#GETTING_DATA", "#SPILL!", "#CALC!"})


@dataclass(frozen=True)
class Parsed:
    """One cell read as a number: ``value`` is None for an empty cell; ``percent`` tells
    that the text carried a % sign (the number is then in percent, ``12.3%`` → 12.3);
    ``ok`` is False when the cell holds something that is not a number."""

    value: float | None
    percent: bool = False
    ok: bool = True


def _clean_text(text: str) -> str:
    return _SPACE.sub("", text.translate(_TRANSLATE))


def parse_number(cell) -> Parsed:
    """Read one cell. Rules (the vectorised version follows the same ones):

    - ``None``, NaN, ``''`` and the words in ``EMPTY_WORDS`` → empty (value None, ok);
    - ``bool`` → not a number (a TRUE in a value column is a mistake);
    - int/float → itself; dates and other objects → not a number;
    - text: full-width → ASCII, spaces and thousands separators dropped, a trailing ``%``
      sets ``percent``, ``(123)`` is −123; a comma anywhere but between groups of three
      digits (``600,5``: a decimal comma) makes it not a number.
    """
    if cell is None or isinstance(cell, bool):
        return Parsed(None, ok=cell is None)
    if isinstance(cell, (int, float, np.integer, np.floating)):
        f = float(cell)
        if math.isnan(f):
            return Parsed(None)
        return Parsed(f) if math.isfinite(f) else Parsed(None, ok=False)
    if not isinstance(cell, str):
        return Parsed(None, ok=False)
    t = _clean_text(cell)
    if t.lower() in EMPTY_WORDS:
        return Parsed(None)
    percent = t.endswith("%")
    if percent:
        t = t[:-1]
    negative = t.startswith("(") and t.endswith(")")
    if negative:
        t = t[1:-1]
    if "," in t and not _GROUPED.match(t):
        return Parsed(None, ok=False)
    t = t.replace(",", "")
    if not _NUMBER.match(t):
        return Parsed(None, ok=False)
    f = float(t)
    if not math.isfinite(f):
        return Parsed(None, ok=False)
    return Parsed(-f if negative else f, percent=percent)


def parse_numbers(cells: pd.Series) -> pd.DataFrame:
    """Vectorised ``parse_number`` over a column of raw cells (object dtype).

    Returns a frame on the same index with columns ``value`` (float64, NaN when empty or
    bad), ``percent`` (bool), ``empty`` (bool) and ``ok`` (bool: False only for cells
    that hold something that is not a number).
    """
    s = pd.Series(cells, dtype=object)
    if len(s) and infer_dtype(s.to_numpy(), skipna=True) in _ALL_REAL:
        # the usual value column: real numbers and blanks only, no text to read
        return _parse_reals(s)
    out_value = np.full(len(s), np.nan)
    percent = np.zeros(len(s), dtype=bool)
    ok = np.ones(len(s), dtype=bool)
    empty = np.zeros(len(s), dtype=bool)

    # one C-driven pass for the cell types; the rest is column arithmetic
    types = s.map(type) if len(s) else pd.Series([], dtype=object)
    is_bool = types.isin([bool, np.bool_]).to_numpy(dtype=bool)
    is_str = types.eq(str).to_numpy(dtype=bool)
    is_null = s.isna().to_numpy()
    other = ~(is_bool | is_str | is_null)
    # real numbers (and anything else: to_numeric turns dates etc. into NaN → bad)
    if other.any():
        nums = pd.to_numeric(s[other], errors="coerce").astype("float64").to_numpy(copy=True)
        bad = ~np.isfinite(nums)
        nums[bad] = np.nan
        out_value[other] = nums
        ok[np.flatnonzero(other)[bad]] = False
    ok[is_bool] = False
    empty[is_null] = True
    if is_str.any():
        texts = s[is_str]
        t = texts.astype(str)
        if _PLAIN.fullmatch("".join(texts.to_numpy())):
            # only ASCII digits, signs, points and exponent letters (a CSV's numbers): no
            # full-width form, space, %, bracket or separator to clean, and of the words
            # for "empty" only '', '-' and '--' can be spelt — the steps below would leave
            # every text as it is (translating and the space pattern cost ≈ 0.25 s at 100k)
            is_empty = t.isin(EMPTY_WORDS).to_numpy()
            pct = neg = np.zeros(len(t), dtype=bool)
        else:
            t, is_empty, pct, neg = _cleaned(t)
        good_shape = t.str.fullmatch(_NUMBER.pattern).to_numpy(dtype=bool)
        vals = pd.to_numeric(t.where(good_shape, None), errors="coerce").astype("float64").to_numpy(copy=True)
        vals = np.where(neg, -vals, vals)
        finite = np.isfinite(vals)
        idx = np.flatnonzero(is_str)
        out_value[idx] = np.where(finite & ~is_empty, vals, np.nan)
        percent[idx] = pct & finite & ~is_empty
        empty[idx] = is_empty
        ok[idx] = is_empty | finite
    return pd.DataFrame({"value": out_value, "percent": percent, "empty": empty, "ok": ok}, index=s.index)


def _cleaned(t: pd.Series):
    """``parse_number``'s text steps on a column: (number texts, empty, percent, negative).
    A misplaced comma (``600,5``) leaves a text that is not a number."""
    t = t.str.translate(_TRANSLATE).str.replace(r"[\s\u00a0]+", "", regex=True)
    is_empty = t.str.lower().isin(EMPTY_WORDS).to_numpy()
    pct = t.str.endswith("%").to_numpy()
    t = t.str.rstrip("%")
    neg = (t.str.startswith("(") & t.str.endswith(")")).to_numpy()
    t = t.where(~neg, t.str.slice(1, -1))
    comma = t.str.contains(",", regex=False).to_numpy(dtype=bool)
    misplaced = comma & ~t.str.fullmatch(_GROUPED.pattern).to_numpy(dtype=bool)
    return t.str.replace(",", "", regex=False).where(~misplaced, "x"), is_empty, pct, neg


_ALL_REAL = frozenset({"floating", "integer", "mixed-integer-float", "empty"})


def _parse_reals(s: pd.Series) -> pd.DataFrame:
    """``parse_numbers`` for a column of int/float cells (None/NaN for blanks)."""
    cells = s.to_numpy()
    empty = pd.isna(cells)
    try:  # ints and floats convert directly (blanks as NaN); to_numeric is 5× slower
        vals = (np.where(empty, np.nan, cells) if empty.any() else cells).astype("float64")
    except (TypeError, ValueError, OverflowError):
        vals = pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64", copy=True, na_value=np.nan)
    finite = np.isfinite(vals)
    ok = finite | empty
    vals[~finite] = np.nan
    return pd.DataFrame({"value": vals, "percent": np.zeros(len(s), dtype=bool), "empty": empty, "ok": ok},
                        index=s.index)
