"""Roll-up of values up the territorial tree (DESIGN §4 "Roll-up").

Pure functions over DataFrames and arrays; no I/O.

One rule, ``consistent_sums``, does every sum up the tree: a unit that reported all the
numbers asked for keeps its own; otherwise it is the sum over those children that have
*all* of them (recursively), and it is ``partial`` when an expected child lacks any.
Used with one number per unit it is the ordinary roll-up of a cumulative or stock
indicator; with a numerator and a denominator it is a derived ratio (Σ numerator /
Σ denominator over the children that reported both, never an average of the children's
ratios); with the same indicator at two or three months it is a like-for-like
comparison (按可比口径): the same children on both sides.

``roll_up`` frames:
- ``values``: indicator_code, org_unit, period, value, batch_id — reported values.
- ``units``: code, parent_code, level.
- ``indicators``: code, kind, numerator_code, denominator_code, factor.
- ``expected``: indicator_code, org_unit — who is expected to report what. Units that
  reported any of the periods are expected too, a unit expected makes its ancestors
  expected, and a unit expected for a derived ratio or for either of its components is
  expected to report both components.

Result: indicator_code, org_unit, period (categoricals), value, batch_id, provenance
(``reported`` | ``rolled_up`` | ``partial``), missing (for a partial value: a tuple of the
codes of the units it lacks — direct children, and deeper ones inside a partial child).

Internally keys are integer codes: the dispatch table rolls up several hundred thousand
values and string keys would dominate its time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.rules.intkeys import KeySet as _KeySet, first_seen as _first_seen, positions as _positions, \
    unique_ints as _unique_ints

PROVENANCES = np.array(["reported", "rolled_up", "partial"], dtype=object)
REPORTED, ROLLED_UP, PARTIAL = 0, 1, 2


def additive_codes(indicators: pd.DataFrame) -> set[str]:
    """Indicators whose parent value is the sum of the children's: cumulative and stock."""
    return set(indicators.loc[indicators["kind"].isin(["cumulative", "stock"]), "code"])


def is_derived_ratio(indicators: pd.DataFrame) -> pd.Series:
    """Ratios computed as Σnumerator / Σdenominator × factor (never reported themselves)."""
    return (indicators["kind"] == "ratio") & indicators["numerator_code"].notna() & indicators["denominator_code"].notna()


def derived_ratios(indicators: pd.DataFrame) -> pd.DataFrame:
    """code, numerator_code, denominator_code, factor of the ratios computed from components."""
    out = indicators.loc[is_derived_ratio(indicators), ["code", "numerator_code", "denominator_code", "factor"]].copy()
    out["factor"] = pd.to_numeric(out["factor"], errors="coerce").fillna(1.0)
    return out


class Tree:
    """Units as integer codes: parent index (−1 for the root) and level per code."""

    def __init__(self, units: pd.DataFrame):
        self.codes = pd.Index(units["code"].astype(str))
        parents = units["parent_code"].astype(object).where(units["parent_code"].notna(), "\0")
        self.parent = self.codes.get_indexer(parents)
        self.level = units["level"].to_numpy(dtype=np.int64)

    def encode(self, series) -> np.ndarray:
        return codes_in(series, self.codes)


def codes_in(series, categories: pd.Index) -> np.ndarray:
    """Integer positions of ``series`` in ``categories`` (−1 where absent)."""
    if isinstance(series, pd.Series) and isinstance(series.dtype, pd.CategoricalDtype) \
            and series.cat.categories.equals(categories):
        return series.cat.codes.to_numpy(dtype=np.int64)
    return categories.get_indexer(pd.Series(series).astype(object))


# ---------------------------------------------------------------- the one summing rule

@dataclass(frozen=True)
class Sums:
    """What ``consistent_sums`` found for each (group, unit) row (ancestors included)."""
    group: np.ndarray  # int per row
    unit: np.ndarray  # int per row (position in the tree)
    own: np.ndarray  # bool: the unit reported every number itself
    has: np.ndarray  # bool: a full vector, own or from children
    vec: np.ndarray  # (rows, k) floats, NaN where not ``has``
    partial: np.ndarray  # bool: from children, some expected unit below lacks a number
    parent_row: np.ndarray  # int: the row of the unit's parent (−1 at the top)

    def missing(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Per row, a tuple of the unit positions a partial row lacks (None elsewhere);
        ``rows`` (a boolean mask) limits the work to the rows asked about."""
        wanted = self.partial if rows is None else self.partial & rows
        return _missing_lists(wanted, self.partial, self.has, self.parent_row, self.unit)


def consistent_sums(group, unit, own, tree: Tree) -> Sums:
    """Sum k numbers up the tree, over the same units for every one of the k.

    ``group``, ``unit`` (ints) and ``own`` (rows × k floats, NaN = not reported) describe
    what each unit reported itself; every row counts as *expected* to have the k numbers.
    A unit that has all k itself keeps them (a reported value wins); otherwise its vector
    is the sum over its children that have a full vector, and it is partial when an
    expected child has none (or an included child is partial itself).
    """
    group = np.asarray(group, dtype=np.int64)
    unit = np.asarray(unit, dtype=np.int64)
    own = np.asarray(own, dtype=float)
    own = own.reshape(len(group), own.shape[1] if own.ndim == 2 else 1)
    group, unit, own = _with_ancestor_rows(group, unit, own, tree.parent)
    n_units = len(tree.codes)
    keys = group * n_units + unit
    up = tree.parent[unit]
    parent_row = np.where(up >= 0, _positions(keys, group * n_units + np.maximum(up, 0)), -1)
    own_full = ~np.isnan(own).any(axis=1)
    has = own_full.copy()
    vec = np.where(own_full[:, None], own, np.nan)
    partial = np.zeros(len(keys), dtype=bool)
    lacking_child = np.zeros(len(keys), dtype=bool)
    level = tree.level[unit]
    n = len(keys)
    for lvl in np.flatnonzero(np.bincount(level))[::-1].tolist():  # the levels present, deepest first
        rows = np.flatnonzero((level == lvl) & (parent_row >= 0))
        if not len(rows):
            continue
        add = rows[has[rows]]
        to = parent_row[add]
        total = np.column_stack([np.bincount(to, weights=vec[add, j], minlength=n) for j in range(vec.shape[1])])
        count = np.bincount(to, minlength=n)
        lacking = np.concatenate([parent_row[rows[~has[rows]]], to[partial[add]]])
        lacking_child |= np.bincount(lacking, minlength=n) > 0
        parents = _unique_ints(parent_row[rows], n)
        from_kids = parents[~own_full[parents] & (count[parents] > 0)]
        has[from_kids] = True
        vec[from_kids] = total[from_kids]
        partial[parents] = ~own_full[parents] & lacking_child[parents]
    vec[~has] = np.nan
    return Sums(group=group, unit=unit, own=own_full, has=has, vec=vec, partial=partial & has,
                parent_row=parent_row)


def _with_ancestor_rows(group, unit, own, parent):
    """Add a row (nothing reported) for every ancestor of every row, once per key."""
    n_units = len(parent)
    keys = group * n_units + unit
    first = _first_seen(keys)
    group, unit, own = group[first], unit[first], own[first]
    extra = []
    seen = _KeySet(keys)
    seen.add(keys)  # a set: the duplicates add nothing
    g, u = group, unit  # the frontier: the rows whose parents come next
    while len(g):
        p = parent[u]
        up = p >= 0
        g, u = g[up], p[up]
        nxt = g * n_units + u
        new = np.flatnonzero(~seen.has(nxt))  # keys not seen yet, then each once (in the order first seen)
        keep = new[_first_seen(nxt[new])]
        g, u, nxt = g[keep], u[keep], nxt[keep]
        if len(nxt):
            extra.append((g, u))
            seen.add(nxt)
    if not extra:
        return group, unit, own
    n_extra = sum(len(g) for g, _ in extra)
    return (np.concatenate([group, *(g for g, _ in extra)]), np.concatenate([unit, *(u for _, u in extra)]),
            np.concatenate([own, np.full((n_extra, own.shape[1]), np.nan)]))


def _missing_lists(wanted, partial, has, parent_row, unit) -> np.ndarray:
    """For each ``wanted`` partial row, the units it lacks: children without a full
    vector, and what partial children lack in turn (nearest first)."""
    out = np.full(len(unit), None, dtype=object)
    if not wanted.any():
        return out
    lists: dict[int, tuple] = {}
    lacking = np.flatnonzero(~has & (parent_row >= 0))
    lacking = lacking[partial[parent_row[lacking]]]
    order = lacking[np.argsort(parent_row[lacking], kind="stable")]
    parents, starts = np.unique(parent_row[order], return_index=True)
    for p, chunk in zip(parents.tolist(), np.split(unit[order], starts[1:])):
        lists[p] = tuple(chunk.tolist())
    # partial children pass on what they lack, deepest first (a child's level is its parent's + 1)
    inner = np.flatnonzero(has & partial & (parent_row >= 0))
    for r in inner[np.argsort(-_depth(parent_row)[inner], kind="stable")].tolist():
        if r in lists:
            p = int(parent_row[r])
            lists[p] = tuple(dict.fromkeys(lists.get(p, ()) + lists[r]))
    for r in np.flatnonzero(wanted).tolist():
        out[r] = lists.get(r)
    return out


def _depth(parent_row: np.ndarray) -> np.ndarray:
    depth = np.zeros(len(parent_row), dtype=np.int64)
    up = parent_row.copy()
    while (up >= 0).any():
        depth += up >= 0
        up = np.where(up >= 0, parent_row[np.maximum(up, 0)], -1)
    return depth


# ---------------------------------------------------------------- roll-up of reported values

def roll_up(values: pd.DataFrame, units: pd.DataFrame, indicators: pd.DataFrame,
            expected: pd.DataFrame | None = None) -> pd.DataFrame:
    r = rolled_codes(values, units, indicators, expected)
    f, names = r.rows, np.asarray(r.unit_codes, dtype=object)
    return pd.DataFrame({
        "indicator_code": pd.Categorical.from_codes(f["ind"], categories=r.ind_codes),
        "org_unit": pd.Categorical.from_codes(f["unit"], categories=r.unit_codes),
        "period": pd.Categorical.from_codes(f["per"], categories=r.per_codes),
        "value": f["value"],
        "batch_id": pd.array(np.where(np.isnan(f["batch"]), np.nan, f["batch"]), dtype="Int64"),
        "provenance": PROVENANCES[f["prov"]],
        "missing": _missing_names(f["missing"], names),
    })


def _missing_names(missing: np.ndarray, names: np.ndarray) -> np.ndarray:
    """Each tuple of unit positions as a tuple of unit codes (None stays None)."""
    out = np.full(len(missing), None, dtype=object)
    for i in np.flatnonzero(np.not_equal(missing, None)).tolist():
        out[i] = tuple(names[list(missing[i])])
    return out


@dataclass(frozen=True)
class Rolled:
    """``roll_up``'s result as integer codes, before it becomes a frame: ``rows`` holds
    ind, unit, per (positions in ``ind_codes``, ``unit_codes``, ``per_codes``), value,
    batch (NaN for none), prov (``PROVENANCES`` position) and missing (a tuple of unit
    positions for a partial value, else None). The dispatch table reads these directly."""
    rows: dict
    ind_codes: pd.Index
    unit_codes: pd.Index
    per_codes: pd.Index


def rolled_codes(values: pd.DataFrame, units: pd.DataFrame, indicators: pd.DataFrame,
                 expected: pd.DataFrame | None = None) -> Rolled:
    """``roll_up`` as integer codes (``Rolled``): the same rows in the same order."""
    tree = Tree(units)
    ind_codes = pd.Index(indicators["code"].astype(str))
    if isinstance(values["period"].dtype, pd.CategoricalDtype):
        per_codes = pd.Index(values["period"].cat.categories.astype(str))
    else:
        per_codes = pd.Index(sorted(pd.unique(values["period"].astype(object))))
    rep = _reported(values, tree, ind_codes, per_codes)
    exp_ind, exp_unit = _expected_pairs(rep, expected, tree, ind_codes)
    additive = ind_codes.isin(list(additive_codes(indicators)))
    # ratios reported as such come first: a ratio a unit reported itself wins over the
    # one computed from its components
    passthrough = ~additive[rep["ind"]]
    parts = [{k: v[passthrough] for k, v in rep.items()} | {
        "prov": np.zeros(passthrough.sum(), dtype=np.int64),
        "missing": np.full(passthrough.sum(), None, dtype=object)}]
    parts.append(_additive(rep, additive, exp_ind, exp_unit, tree, len(per_codes)))
    parts.append(_derived(rep, indicators, ind_codes, exp_ind, exp_unit, tree, len(per_codes)))
    f = _first_per_key(_concat(parts), len(tree.codes), len(per_codes))
    return Rolled(rows=f, ind_codes=ind_codes, unit_codes=tree.codes, per_codes=per_codes)


def _reported(values: pd.DataFrame, tree: Tree, ind_codes: pd.Index, per_codes: pd.Index) -> dict:
    v = values.dropna(subset=["value"])
    ind = codes_in(v["indicator_code"], ind_codes)
    unit = tree.encode(v["org_unit"])
    per = codes_in(v["period"], per_codes)
    keep = (ind >= 0) & (unit >= 0) & (per >= 0)
    return {"ind": ind[keep], "unit": unit[keep], "per": per[keep],
            "value": v["value"].to_numpy(dtype=float)[keep],
            "batch": pd.to_numeric(v["batch_id"], errors="coerce").to_numpy(dtype=float)[keep]}


def _expected_pairs(rep: dict, expected, tree: Tree, ind_codes: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """(indicator, unit) pairs expected to have a value: who reported anything, and who
    the caller names (e.g. every unit with a target)."""
    ind, unit = rep["ind"], rep["unit"]
    if expected is not None and len(expected):
        e_ind = codes_in(expected["indicator_code"], ind_codes)
        e_unit = tree.encode(expected["org_unit"])
        ok = (e_ind >= 0) & (e_unit >= 0)
        ind, unit = np.concatenate([ind, e_ind[ok]]), np.concatenate([unit, e_unit[ok]])
    n_units = len(tree.codes)
    keys = ind.astype(np.int64) * n_units + unit
    return np.divmod(keys[_first_seen(keys)], n_units)  # pd.unique's order, on flat integer keys


def _expected_rows(exp_ind, exp_unit, present_ind, present_per, wanted: np.ndarray, n_per: int):
    """Every expected (indicator, unit) crossed with the periods in which that indicator
    has any value at all: the rows a unit is missing from."""
    keep = wanted[exp_ind]
    exp_ind, exp_unit = exp_ind[keep], exp_unit[keep]
    pairs = pd.DataFrame({"ind": present_ind, "per": present_per}).drop_duplicates()
    grid = pd.DataFrame({"ind": exp_ind, "unit": exp_unit}).merge(pairs, on="ind")
    return grid["ind"].to_numpy(np.int64), grid["unit"].to_numpy(np.int64), grid["per"].to_numpy(np.int64)


def _additive(rep: dict, additive: np.ndarray, exp_ind, exp_unit, tree: Tree, n_per: int) -> dict:
    sel = additive[rep["ind"]]
    ind, unit, per, value = rep["ind"][sel], rep["unit"][sel], rep["per"][sel], rep["value"][sel]
    e_ind, e_unit, e_per = _expected_rows(exp_ind, exp_unit, ind, per, additive, n_per)
    group = np.concatenate([ind * n_per + per, e_ind * n_per + e_per])
    units = np.concatenate([unit, e_unit])
    own = np.concatenate([value, np.full(len(e_ind), np.nan)])
    s = consistent_sums(group, units, own[:, None], tree)
    batch = _lookup(rep, sel, s, tree, n_per)
    return _result_rows(s, n_per, s.vec[:, 0], batch)


def _lookup(rep: dict, sel: np.ndarray, s: Sums, tree: Tree, n_per: int) -> np.ndarray:
    """Batch of each own row of ``s`` (NaN for sums)."""
    n_units = len(tree.codes)
    keys = (rep["ind"][sel].astype(np.int64) * n_per + rep["per"][sel]) * n_units + rep["unit"][sel]
    first = _first_seen(keys)  # the first batch of a key, looked up by flat integer keys
    at = _positions(keys[first], s.group * n_units + s.unit)
    out = np.append(rep["batch"][sel][first], np.nan)[at]  # −1 (absent): the appended NaN
    return np.where(s.own, out, np.nan)


def _result_rows(s: Sums, n_per: int, value: np.ndarray, batch: np.ndarray) -> dict:
    keep = s.has & ~np.isnan(value)
    ind, per = np.divmod(s.group[keep], n_per)
    prov = np.where(s.own, REPORTED, np.where(s.partial, PARTIAL, ROLLED_UP))[keep]
    return {"ind": ind, "unit": s.unit[keep], "per": per, "value": value[keep], "batch": batch[keep],
            "prov": prov.astype(np.int64), "missing": s.missing(keep)[keep]}


def _derived(rep: dict, indicators: pd.DataFrame, ind_codes: pd.Index, exp_ind, exp_unit,
             tree: Tree, n_per: int) -> dict:
    """Derived ratios at every unit and period: Σ numerator / Σ denominator × factor over
    the units that reported both (the unit itself when it did)."""
    out = []
    for r in derived_ratios(indicators).itertuples(index=False):
        code, num, den = (ind_codes.get_indexer([c])[0] for c in (r.code, r.numerator_code, r.denominator_code))
        if min(code, num, den) < 0:
            continue
        s = ratio_sums(rep, code, num, den, exp_ind, exp_unit, tree, n_per)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(s.vec[:, 1] != 0, s.vec[:, 0] / s.vec[:, 1] * float(r.factor), np.nan)
        batch = _component_batch(rep, num, s, tree, n_per)
        rows = _result_rows(s, n_per, value, batch)
        rows["ind"] = np.full(len(rows["unit"]), code, dtype=np.int64)
        out.append(rows)
    return _concat(out) if out else _empty()


def ratio_sums(rep: dict, code: int, num: int, den: int, exp_ind, exp_unit, tree: Tree, n_per: int) -> Sums:
    """``consistent_sums`` of (numerator, denominator) per period; groups are periods.
    Expected: units expected for the ratio or either component, at every period in which
    either component has a value."""
    n_units = len(tree.codes)
    pick = (rep["ind"] == num) | (rep["ind"] == den)
    unit, per, ind, value = rep["unit"][pick], rep["per"][pick], rep["ind"][pick], rep["value"][pick]
    keys = per.astype(np.int64) * n_units + unit
    frame = pd.DataFrame({"key": keys, "col": (ind == den).astype(int), "value": value})
    wide = frame.drop_duplicates(["key", "col"]).pivot(index="key", columns="col", values="value")
    wide = wide.reindex(columns=[0, 1])
    mine = np.isin(exp_ind, [code, num, den])
    e_units = pd.unique(exp_unit[mine])
    periods = pd.unique(per)
    e_keys = (periods[:, None].astype(np.int64) * n_units + e_units[None, :]).ravel() if len(e_units) else np.array([], np.int64)
    all_keys = pd.Index(wide.index).append(pd.Index(e_keys)).unique()
    own = wide.reindex(all_keys).to_numpy(dtype=float)
    g, u = np.divmod(np.asarray(all_keys, dtype=np.int64), n_units)
    return consistent_sums(g, u, own, tree)


def _component_batch(rep: dict, num: int, s: Sums, tree: Tree, n_per: int) -> np.ndarray:
    """The numerator's batch for a ratio a unit's own components give (NaN for sums)."""
    n_units = len(tree.codes)
    sel = rep["ind"] == num
    keys = rep["per"][sel].astype(np.int64) * n_units + rep["unit"][sel]
    b = pd.Series(rep["batch"][sel], index=keys)
    b = b[~b.index.duplicated()]
    return np.where(s.own, b.reindex(s.group * n_units + s.unit).to_numpy(dtype=float), np.nan)


def _first_per_key(f: dict, n_units: int, n_per: int) -> dict:
    """One row per (indicator, unit, period): the first of the parts wins."""
    key = (f["ind"].astype(np.int64) * n_units + f["unit"]) * n_per + f["per"]
    first = _first_seen(key)
    return {k: v[first] for k, v in f.items()}


def _concat(parts: list[dict]) -> dict:
    parts = [p for p in parts if len(p["ind"])] or [_empty()]
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _empty() -> dict:
    z = np.array([], dtype=np.int64)
    return {"ind": z, "unit": z, "per": z, "value": np.array([], float), "batch": np.array([], float),
            "prov": z, "missing": np.array([], dtype=object)}
