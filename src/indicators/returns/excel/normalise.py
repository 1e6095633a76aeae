"""The long frame resolved against the catalogue: numbers, indicator and org-unit codes,
units of measure and their conversion, 本月/累计 columns chosen, years' figures placed.

Each key column is factorized once and every look-up (indicator, org unit, 合计, unit of
measure, conversion factor) is made on its distinct texts; per-row results are spread
back by integer codes, and new text columns are kept as numpy object arrays (pandas 3
would infer Arrow strings for each, at a cost). Columns added to the frame: value,
percent, empty, ok, formula_error, indicator_code, org_unit, is_total, written_unit,
to_unit, factor, pair, has_indicator and has_org_unit (the code columns are not NA: told
from the few distinct codes, not by an isna pass over 100k objects).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.returns.excel.matching import Catalog, conversion_factor, is_percent_unit, is_total_key, norm
from indicators.returns.excel.numbers import FORMULA_ERRORS, parse_numbers
from indicators.returns.excel.periods import annual_texts, bare_years
from indicators.returns.excel.validate import cell_text, empty_problems, where

CONVERSION_COLUMNS = ["indicator_code", "from_unit", "to_unit", "factor", "rows"]


def normalise(w: pd.DataFrame, catalog: Catalog) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(frame with the resolved columns, conversions applied, unit-of-measure problems)."""
    nums, formula_error = _numbers(w["cell"])
    ti, ind_code, bracket, n_ind = _indicators(w["indicator_text"], catalog)
    tu, org_code, total = _org_units(w["unit_text"], catalog)
    tm, measures = pd.factorize(w["measure_text"].to_numpy(dtype=object))
    k, inverse = _unit_pairs(ti, tm, n_ind, ind_code, bracket, list(measures) + [""], catalog)
    empty = nums["empty"].to_numpy(dtype=bool)
    factor = k["factor"][inverse]
    value = nums["value"].to_numpy(dtype="float64") * np.where(np.isnan(factor), 1.0, factor)
    added = [pd.Series(col, index=w.index, dtype=col.dtype, name=name, copy=False) for name, col in (
        ("value", value), ("percent", nums["percent"].to_numpy(dtype=bool)), ("empty", empty),
        ("ok", nums["ok"].to_numpy(dtype=bool)), ("formula_error", formula_error),
        ("indicator_code", ind_code[ti]), ("org_unit", org_code[tu]), ("is_total", total[tu]),
        ("has_indicator", ~pd.isna(ind_code)[ti]), ("has_org_unit", ~pd.isna(org_code)[tu]),
        ("written_unit", k["written"][inverse]), ("to_unit", k["to"][inverse]), ("factor", factor),
        ("pair", inverse))]
    w = pd.concat([w.drop(columns=[c.name for c in added if c.name in w.columns]), *added], axis=1)
    conversions = _conversions(k["code"], k["written"], k["to"], k["factor"], inverse, empty)
    return w, conversions, _unit_problems(w, k, inverse, empty)


def _numbers(cells: pd.Series) -> tuple[pd.DataFrame, np.ndarray]:
    """Parsed numbers, and where a cell holds an Excel error value as text (``#VALUE!``
    in a CSV, a pasted ``#N/A``): not a number, and reported as what it is."""
    nums = parse_numbers(cells)
    formula_error = ~nums["ok"].to_numpy(dtype=bool)
    if formula_error.any():
        texts = cells[formula_error].astype("str").str.strip().str.upper()
        formula_error[formula_error] = texts.isin(FORMULA_ERRORS).to_numpy(dtype=bool)
    return nums, formula_error


def _indicators(texts: pd.Series, catalog: Catalog):
    """Per distinct text: the code and the unit written in its bracket."""
    ti, uniques = pd.factorize(texts.to_numpy(dtype=object))
    matched = [catalog.indicator_code(t) for t in uniques] + [(None, None)]
    return ti, np.array([m[0] for m in matched], dtype=object), [m[1] for m in matched], len(uniques)


def _org_units(texts: pd.Series, catalog: Catalog):
    """Per distinct text: the org unit code, and whether it is a 合计 row."""
    tu, uniques = pd.factorize(texts.to_numpy(dtype=object))
    keys = [norm(t) for t in uniques]  # once per distinct text: a file of 200k unknown units has 200k
    found = catalog.org.codes
    org_code = np.array([found.get(k) for k in keys] + [None], dtype=object)
    total = np.array([c is None and is_total_key(k) for k, c in zip(keys, org_code)] + [False], dtype=bool)
    return tu, org_code, total


def _unit_pairs(ti, tm, n_ind, ind_code, bracket, measures, catalog: Catalog) -> tuple[dict, np.ndarray]:
    """One conversion per (indicator text, measure text) combination: the unit written
    (bracket in the indicator cell, else the measure column, header or title), the
    indicator's own unit, the factor (NaN when they cannot convert). Returns the arrays
    per combination and each row's combination."""
    m1 = len(measures)
    combo = (ti.astype("int64") + 1) * m1 + tm  # tm == -1 picks measures[-1] == ''
    combo_keys, inverse = _dense_unique(combo, (n_ind + 1) * m1)
    target = catalog.indicators["unit"]
    pct_units = target.map(is_percent_unit)
    rows = []
    for key in combo_keys.tolist():
        i, u = divmod(key, m1)
        code = ind_code[i - 1]  # i == 0: no indicator text
        written = bracket[i - 1] if bracket[i - 1] is not None else measures[u]
        dst = target.get(code) if code is not None else None
        factor = conversion_factor(written, dst) if code is not None else 1.0
        rows.append((code, written, dst, np.nan if factor is None else factor,
                     bool(pct_units.get(code, False)) if code is not None else False))
    code, written, to, factor, pct = (list(c) for c in zip(*rows)) if rows else ([], [], [], [], [])
    k = {"code": np.array(code, dtype=object), "written": np.array(written, dtype=object),
         "to": np.array(to, dtype=object), "factor": np.array(factor, dtype="float64"), "pct": np.array(pct, dtype=bool)}
    k["has_code"] = np.array([c is not None for c in k["code"]], dtype=bool)
    k["to_named"] = np.array([t is not None and not (isinstance(t, float) and np.isnan(t)) and t != ""
                              for t in k["to"]], dtype=bool)
    return k, inverse


def _unit_problems(w: pd.DataFrame, k: dict, inverse: np.ndarray, empty: np.ndarray) -> pd.DataFrame:
    live = k["has_code"][inverse] & ~empty
    mismatch = live & np.isnan(k["factor"][inverse])
    percent = w["percent"].to_numpy(dtype=bool)
    pct_wrong = percent & k["has_code"][inverse] & ~k["pct"][inverse] & k["to_named"][inverse]
    problems = [
        where(w, mismatch, "unit_mismatch", lambda s: "填写的计量单位「" + cell_text(s["written_unit"])
              + "」无法换算为指标的计量单位「" + s["to_unit"].astype("str") + "」"),
        where(w, pct_wrong, "unit_mismatch", lambda s: "指标计量单位为「" + s["to_unit"].astype("str")
              + "」，不能填写百分数 " + cell_text(s["cell"])),
    ]
    return pd.concat([p for p in problems if len(p)] or [empty_problems()], ignore_index=True)


def _dense_unique(keys: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_inverse=True)`` for small non-negative integer keys,
    by counting instead of sorting."""
    if size > 4 * len(keys) + 1024:
        uniq, inverse = np.unique(keys, return_inverse=True)
        return uniq, inverse.reshape(-1)
    present = np.bincount(keys, minlength=size) > 0
    uniq = np.flatnonzero(present)
    lookup = np.zeros(size, dtype="int64")
    lookup[uniq] = np.arange(len(uniq))
    return uniq, lookup[keys]


def _conversions(codes, written, to, factors, inverse, empty) -> pd.DataFrame:
    """Unit changes applied: one row per (indicator, unit written), with the number of
    non-empty cells converted, in the order the indicators and units first appear."""
    applied = np.flatnonzero(np.array([c is not None for c in codes], dtype=bool) & ~np.isnan(factors)
                             & (factors != 1.0))
    if not len(applied):
        return pd.DataFrame({"indicator_code": pd.Series(dtype=object), "from_unit": pd.Series(dtype=object),
                             "to_unit": pd.Series(dtype=object), "factor": pd.Series(dtype="float64"),
                             "rows": pd.Series(dtype="int64")})
    counts = np.bincount(inverse[~empty], minlength=len(codes))
    _, first = np.unique(inverse, return_index=True)  # first row of each combination
    combos = pd.DataFrame({"indicator_code": pd.Series(codes, dtype=object),
                           "from_unit": pd.Series([w if w is not None else "" for w in written], dtype=object),
                           "to_unit": pd.Series(to, dtype=object), "factor": factors, "rows": counts, "first": first})
    code_first = combos.groupby("indicator_code", sort=False)["first"].transform("min")
    unit_first = combos.groupby("from_unit", sort=False)["first"].transform("min")
    picked = combos.iloc[applied].assign(_c=code_first.iloc[applied], _u=unit_first.iloc[applied])
    out = picked.groupby(["_c", "_u"], sort=True).agg(
        indicator_code=("indicator_code", "first"), from_unit=("from_unit", "first"), to_unit=("to_unit", "first"),
        factor=("factor", "first"), rows=("rows", "sum"))
    return out.reset_index(drop=True)[CONVERSION_COLUMNS]


# --- after the codes are known -------------------------------------------------------------

def place_years(frame: pd.DataFrame) -> pd.DataFrame:
    """A year alone in a period cell or title (``2019``, ``2019年``) is that year's figure:
    period YYYY-12. ``annual_text`` marks every year's figure (``2019年度`` too)."""
    years = bare_years(frame["period_text"]).to_numpy()
    period = frame["period"].to_numpy(dtype=object).copy()
    fill = pd.isna(period) & (years > 0)
    if fill.any():
        period[fill] = np.array([f"{y:04d}-12" for y in years[fill]], dtype=object)
    return frame.assign(period=pd.Series(period, index=frame.index, dtype=object),
                        annual_text=annual_texts(frame["period_text"]).to_numpy(dtype=bool))


def pick_flavours(w: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """Where a table gives both the month's figure (本月) and the year to date (累计,
    1-10月) for one key, keep the one the indicator stores: 累计 for a cumulative one,
    the month's (期末) figure for a stock or a ratio. The other is dropped unread."""
    flavour = w["flavour"].to_numpy(dtype=object)
    if not (flavour != "").any():
        return w
    period = w["period"].where(w["period"].notna(), w["period_text"]).astype("str")
    indicator = w["indicator_code"].where(w["indicator_code"].notna(), w["indicator_text"]).astype("str")
    key = pd.MultiIndex.from_arrays([w["sheet"].astype("str"), w["row"], indicator,
                                     w["unit_text"].astype("str"), period])
    group, _ = pd.factorize(key)
    ytd = flavour == "ytd"
    has_ytd = np.bincount(group, weights=ytd, minlength=group.max() + 1)[group] > 0
    has_other = np.bincount(group, weights=~ytd, minlength=group.max() + 1)[group] > 0
    cumulative = w["indicator_code"].map(catalog.indicators["kind"]).eq("cumulative").to_numpy(dtype=bool)
    drop = has_ytd & has_other & np.where(cumulative, ~ytd, ytd)
    return w[~drop] if drop.any() else w
