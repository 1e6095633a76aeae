"""Roll-up of values up the territorial tree (DESIGN §4 "Roll-up").

Pure functions over DataFrames. A value reported for a unit always wins; otherwise a
parent's value is the sum of its children's, flagged ``partial`` when a child that is
expected to report has no value. Derived ratios are Σnumerator / Σdenominator × factor
at every level — never an average of the children's ratios. A ratio without components
is reported at each level and does not roll up.

Frames:
- ``values``: indicator_code, org_unit, period, value, batch_id — reported values.
- ``units``: code, parent_code, level.
- ``indicators``: code, kind, numerator_code, denominator_code, factor.
- ``expected``: indicator_code, org_unit — who is expected to report what (used for
  the partial flag only).

Result: indicator_code, org_unit, period, value, batch_id, provenance
(``reported`` | ``rolled_up`` | ``partial``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KEYS = ["indicator_code", "org_unit", "period"]
_RANK = {"reported": 0, "rolled_up": 1, "partial": 2}


def additive_codes(indicators: pd.DataFrame) -> set[str]:
    """Indicators whose parent value is the sum of the children's: cumulative and stock."""
    return set(indicators.loc[indicators["kind"].isin(["cumulative", "stock"]), "code"])


def derived_ratios(indicators: pd.DataFrame) -> pd.DataFrame:
    mask = (indicators["kind"] == "ratio") & indicators["numerator_code"].notna() & indicators["denominator_code"].notna()
    return indicators.loc[mask, ["code", "numerator_code", "denominator_code", "factor"]]


def roll_up(values: pd.DataFrame, units: pd.DataFrame, indicators: pd.DataFrame,
            expected: pd.DataFrame | None = None) -> pd.DataFrame:
    reported = values[KEYS + ["value", "batch_id"]].dropna(subset=["value"]).copy()
    reported["provenance"] = "reported"
    additive = additive_codes(indicators)
    summed = _sum_up(reported[reported["indicator_code"].isin(additive)], units, expected)
    others = reported[~reported["indicator_code"].isin(additive)]
    result = pd.concat([summed, others], ignore_index=True)
    return _derive_ratios(result, indicators)


def _sum_up(reported: pd.DataFrame, units: pd.DataFrame, expected: pd.DataFrame | None) -> pd.DataFrame:
    parent = units.set_index("code")["parent_code"]
    level = units.set_index("code")["level"]
    current = reported.copy()
    if expected is None:
        expected = current[["indicator_code", "org_unit"]].drop_duplicates()
    exp = _with_ancestors(expected[["indicator_code", "org_unit"]], parent)
    exp["parent"] = exp["org_unit"].map(parent)
    # how many children of each parent are expected to report each indicator
    n_expected = exp.dropna(subset=["parent"]).groupby(["indicator_code", "parent"]).size().rename("n_expected")
    if current.empty:
        return current
    for lvl in sorted(level.unique(), reverse=True):
        if lvl == 0:
            continue
        kids = current[current["org_unit"].map(level) == lvl].copy()
        if kids.empty:
            continue
        kids["parent"] = kids["org_unit"].map(parent)
        kids = kids.dropna(subset=["parent"])
        kids["is_partial"] = kids["provenance"] == "partial"
        agg = kids.groupby(["indicator_code", "parent", "period"], sort=False).agg(
            value=("value", "sum"), n_present=("value", "size"), any_partial=("is_partial", "any")
        ).reset_index()
        agg = agg.join(n_expected, on=["indicator_code", "parent"])
        agg["n_expected"] = agg["n_expected"].fillna(0)
        agg["provenance"] = np.where(agg["any_partial"] | (agg["n_present"] < agg["n_expected"]),
                                     "partial", "rolled_up")
        agg = agg.rename(columns={"parent": "org_unit"})[KEYS + ["value", "provenance"]]
        agg["batch_id"] = pd.NA
        # a reported parent value wins over the roll-up
        have = pd.MultiIndex.from_frame(current[KEYS])
        agg = agg[~pd.MultiIndex.from_frame(agg[KEYS]).isin(have)]
        current = pd.concat([current, agg], ignore_index=True)
    return current


def _with_ancestors(pairs: pd.DataFrame, parent: pd.Series) -> pd.DataFrame:
    """A unit expected to report makes its parent (and so on up) expected too, so a
    gap deep in the tree still marks every level above it partial."""
    out, frontier = [pairs], pairs
    while not frontier.empty:
        frontier = frontier.assign(org_unit=frontier["org_unit"].map(parent)).dropna(subset=["org_unit"])
        out.append(frontier)
    return pd.concat(out, ignore_index=True).drop_duplicates()


def _derive_ratios(values: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    ratios = derived_ratios(indicators)
    if ratios.empty or values.empty:
        return values
    pieces = [values]
    have = pd.MultiIndex.from_frame(values[KEYS])
    for r in ratios.itertuples(index=False):
        num = values[values["indicator_code"] == r.numerator_code]
        den = values[values["indicator_code"] == r.denominator_code]
        both = num.merge(den, on=["org_unit", "period"], suffixes=("_n", "_d"))
        both = both[both["value_d"].notna() & (both["value_d"] != 0)]
        if both.empty:
            continue
        worst = np.maximum(both["provenance_n"].map(_RANK), both["provenance_d"].map(_RANK))
        out = pd.DataFrame({
            "indicator_code": r.code,
            "org_unit": both["org_unit"].to_numpy(),
            "period": both["period"].to_numpy(),
            "value": (both["value_n"] / both["value_d"] * float(r.factor if pd.notna(r.factor) else 1)).to_numpy(),
            "batch_id": both["batch_id_n"].to_numpy(),
            # the ratio is as good as its weaker component: reported where the unit
            # reported both, rolled up or partial where a component was
            "provenance": np.array(["reported", "rolled_up", "partial"])[worst.to_numpy()],
        })
        out = out[~pd.MultiIndex.from_frame(out[KEYS]).isin(have)]
        pieces.append(out)
    return pd.concat(pieces, ignore_index=True)
