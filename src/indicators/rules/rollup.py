"""Roll-up of values up the territorial tree (DESIGN §4 "Roll-up").

Pure functions over DataFrames. A value reported for a unit always wins; otherwise a
parent's value is the sum of its children's, flagged ``partial`` when a child that is
expected to report has no value (or is itself partial). Derived ratios are
Σnumerator / Σdenominator × factor at every level — never an average of the children's
ratios. A ratio without components is reported at each level and does not roll up.

Frames:
- ``values``: indicator_code, org_unit, period, value, batch_id — reported values.
- ``units``: code, parent_code, level.
- ``indicators``: code, kind, numerator_code, denominator_code, factor.
- ``expected``: indicator_code, org_unit — who is expected to report what (used for
  the partial flag only; units that reported are expected too, and a unit expected
  makes its ancestors expected).

Result: indicator_code, org_unit, period (categoricals), value, batch_id, provenance
(``reported`` | ``rolled_up`` | ``partial``).

Internally keys are integer codes (unit, indicator and period categories): the
dispatch table rolls up several hundred thousand values and string keys would
dominate its time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KEYS = ["indicator_code", "org_unit", "period"]
PROVENANCES = np.array(["reported", "rolled_up", "partial"], dtype=object)
REPORTED, ROLLED_UP, PARTIAL = 0, 1, 2


def additive_codes(indicators: pd.DataFrame) -> set[str]:
    """Indicators whose parent value is the sum of the children's: cumulative and stock."""
    return set(indicators.loc[indicators["kind"].isin(["cumulative", "stock"]), "code"])


def is_derived_ratio(indicators: pd.DataFrame) -> pd.Series:
    """Ratios computed as Σnumerator / Σdenominator × factor (never reported themselves)."""
    return (indicators["kind"] == "ratio") & indicators["numerator_code"].notna() & indicators["denominator_code"].notna()


def derived_ratios(indicators: pd.DataFrame) -> pd.DataFrame:
    return indicators.loc[is_derived_ratio(indicators), ["code", "numerator_code", "denominator_code", "factor"]]


class _Tree:
    """Units as integer codes: parent index (−1 for the root) and level per code."""

    def __init__(self, units: pd.DataFrame):
        self.codes = pd.Index(units["code"].astype(str))
        self.parent = self.codes.get_indexer(units["parent_code"].astype(object).where(units["parent_code"].notna(), "\0"))
        self.level = units["level"].to_numpy(dtype=np.int64)

    def encode(self, series: pd.Series) -> np.ndarray:
        return _codes(series, self.codes)


def _codes(series: pd.Series, categories: pd.Index) -> np.ndarray:
    if isinstance(series.dtype, pd.CategoricalDtype) and series.cat.categories.equals(categories):
        return series.cat.codes.to_numpy(dtype=np.int64)
    return categories.get_indexer(series.astype(object))


def roll_up(values: pd.DataFrame, units: pd.DataFrame, indicators: pd.DataFrame,
            expected: pd.DataFrame | None = None) -> pd.DataFrame:
    tree = _Tree(units)
    ind_codes = pd.Index(indicators["code"].astype(str))
    if isinstance(values["period"].dtype, pd.CategoricalDtype):
        per_codes = pd.Index(values["period"].cat.categories.astype(str))
    else:
        per_codes = pd.Index(sorted(pd.unique(values["period"].astype(object))))
    v = values.dropna(subset=["value"])
    ind = _codes(v["indicator_code"], ind_codes)
    unit = tree.encode(v["org_unit"])
    per = _codes(v["period"], per_codes)
    keep = (ind >= 0) & (unit >= 0)
    frame = {
        "ind": ind[keep], "unit": unit[keep], "per": per[keep],
        "value": v["value"].to_numpy(dtype=float)[keep],
        "batch": pd.to_numeric(v["batch_id"], errors="coerce").to_numpy(dtype=float)[keep],
        "prov": np.zeros(keep.sum(), dtype=np.int64),
    }
    additive = ind_codes.isin(list(additive_codes(indicators)))
    # who must report: every unit that did, plus those the caller names (e.g. with a target)
    exp_ind, exp_unit = frame["ind"], frame["unit"]
    if expected is not None:
        exp_ind = np.concatenate([exp_ind, _codes(expected["indicator_code"], ind_codes)])
        exp_unit = np.concatenate([exp_unit, tree.encode(expected["org_unit"])])
    frame = _sum_up(frame, tree, additive, exp_ind, exp_unit, len(per_codes))
    frame = _derive_ratios(frame, indicators, ind_codes, len(tree.codes), len(per_codes))
    return pd.DataFrame({
        "indicator_code": pd.Categorical.from_codes(frame["ind"], categories=ind_codes),
        "org_unit": pd.Categorical.from_codes(frame["unit"], categories=tree.codes),
        "period": pd.Categorical.from_codes(frame["per"], categories=per_codes),
        "value": frame["value"],
        "batch_id": pd.array(np.where(np.isnan(frame["batch"]), np.nan, frame["batch"]), dtype="Int64"),
        "provenance": PROVENANCES[frame["prov"]],
    })


def _key(ind, unit, per, n_units: int, n_per: int) -> np.ndarray:
    return (ind.astype(np.int64) * n_units + unit) * n_per + per


def _with_ancestors(ind: np.ndarray, unit: np.ndarray, parent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A unit expected to report makes its parent (and so on up) expected too, so a
    gap deep in the tree still marks every level above it partial."""
    n_units = len(parent)
    # pd.unique hashes without sorting: the order of these keys does not matter
    keys = [pd.unique(ind.astype(np.int64) * n_units + unit)]
    while len(keys[-1]):
        i, u = np.divmod(keys[-1], n_units)
        up = parent[u]
        keys.append(pd.unique(i[up >= 0] * n_units + up[up >= 0]))
    both = pd.unique(np.concatenate(keys))
    return np.divmod(both, n_units)


def _sum_up(f: dict, tree: _Tree, additive: np.ndarray, exp_ind, exp_unit, n_per: int) -> dict:
    n_units = len(tree.codes)
    ok = (exp_ind >= 0) & (exp_unit >= 0)
    e_ind, e_unit = _with_ancestors(exp_ind[ok], exp_unit[ok], tree.parent)
    e_par = tree.parent[e_unit]
    has_par = e_par >= 0
    # how many children of each parent are expected to report each indicator
    exp_key, exp_count = np.unique(e_ind[has_par].astype(np.int64) * n_units + e_par[has_par], return_counts=True)
    n_expected = pd.Series(exp_count, index=exp_key)
    for lvl in sorted(set(tree.level.tolist()), reverse=True):
        if lvl == 0:
            continue
        kids = additive[f["ind"]] & (tree.level[f["unit"]] == lvl) & (tree.parent[f["unit"]] >= 0)
        if not kids.any():
            continue
        k_ind, k_per = f["ind"][kids], f["per"][kids]
        k_par = tree.parent[f["unit"][kids]]
        key = _key(k_ind, k_par, k_per, n_units, n_per)
        uniq, inverse = np.unique(key, return_inverse=True)
        total = np.bincount(inverse, weights=f["value"][kids])
        present = np.bincount(inverse)
        any_partial = np.bincount(inverse, weights=(f["prov"][kids] == PARTIAL).astype(float)) > 0
        p_ind, rest = np.divmod(uniq, n_units * n_per)
        p_unit, p_per = np.divmod(rest, n_per)
        want = n_expected.reindex(p_ind * n_units + p_unit).fillna(0).to_numpy()
        prov = np.where(any_partial | (present < want), PARTIAL, ROLLED_UP)
        # a value the parent reported itself wins over the roll-up
        have = _key(f["ind"], f["unit"], f["per"], n_units, n_per)
        new = ~np.isin(uniq, have)
        f = _append(f, p_ind[new], p_unit[new], p_per[new], total[new], np.full(new.sum(), np.nan), prov[new])
    return f


def _append(f: dict, ind, unit, per, value, batch, prov) -> dict:
    return {
        "ind": np.concatenate([f["ind"], ind]), "unit": np.concatenate([f["unit"], unit]),
        "per": np.concatenate([f["per"], per]), "value": np.concatenate([f["value"], value]),
        "batch": np.concatenate([f["batch"], batch]), "prov": np.concatenate([f["prov"], prov]),
    }


def _derive_ratios(f: dict, indicators: pd.DataFrame, ind_codes: pd.Index, n_units: int, n_per: int) -> dict:
    ratios = derived_ratios(indicators)
    if ratios.empty or not len(f["ind"]):
        return f
    have = _key(f["ind"], f["unit"], f["per"], n_units, n_per)
    position = pd.Series(np.arange(len(have)), index=have)
    for r in ratios.itertuples(index=False):
        target = ind_codes.get_loc(r.code)
        num_rows = np.flatnonzero(f["ind"] == ind_codes.get_loc(r.numerator_code))
        if not len(num_rows):
            continue
        den_key = _key(np.full(len(num_rows), ind_codes.get_loc(r.denominator_code)),
                       f["unit"][num_rows], f["per"][num_rows], n_units, n_per)
        den_pos = position.reindex(den_key).to_numpy()
        ok = ~np.isnan(den_pos)
        num_rows, den_rows = num_rows[ok], den_pos[ok].astype(np.int64)
        den_val = f["value"][den_rows]
        nz = den_val != 0
        num_rows, den_rows = num_rows[nz], den_rows[nz]
        unit, per = f["unit"][num_rows], f["per"][num_rows]
        own = np.isin(_key(np.full(len(unit), target), unit, per, n_units, n_per), have)
        sel = ~own  # a ratio the unit reported itself wins
        factor = float(r.factor) if pd.notna(r.factor) else 1.0
        f = _append(
            f, np.full(sel.sum(), target), unit[sel], per[sel],
            (f["value"][num_rows] / f["value"][den_rows] * factor)[sel],
            f["batch"][num_rows][sel],
            # as good as its weaker component: reported where the unit reported both
            np.maximum(f["prov"][num_rows], f["prov"][den_rows])[sel],
        )
    return f
