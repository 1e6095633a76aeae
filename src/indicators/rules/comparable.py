"""Like-for-like (按可比口径) values for comparisons of a rolled-up unit — DESIGN §4 "Roll-up".

A parent whose value is a roll-up is compared with another month (同比, 环比, 较上年末,
the 序时 pacing of last year) over the *same* children on both sides: children that lack
either month are left out of both, and the comparison says which (``excluded``). When no
child has both, the comparison is withheld. Pure; the sums are
``indicators.rules.rollup.consistent_sums``.

Input frames (integer codes, as the dispatch table keeps them):
- ``rows``: ind, unit — the rows to compare (parents and their children alike);
- ``own``: ind, unit, role, value — what each unit reported itself, per role (``cur``,
  ``ly``, ``ly_end`` …);
- ``ratios``: ind, num, den, factor — derived ratios, compared over their components.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.rules.rollup import Tree, consistent_sums


def comparable(rows: pd.DataFrame, own: pd.DataFrame, roles: list[str], tree: Tree,
               ratios: pd.DataFrame | None = None) -> pd.DataFrame:
    """For each row of ``rows``: one column per role with the like-for-like value, and
    ``excluded`` (tuple of unit positions left out, None when nothing was), aligned with
    ``rows``. A row without a comparable value has NaN in every role column."""
    out = pd.DataFrame(np.nan, index=rows.index, columns=roles)
    out["excluded"] = None
    ratio_inds = set() if ratios is None else set(ratios["ind"].tolist())
    plain = ~rows["ind"].isin(ratio_inds).to_numpy()
    if plain.any():
        _fill(out, rows[plain], _sums(rows[plain], own, roles, tree), roles)
    for r in (ratios.itertuples(index=False) if ratios is not None else []):
        sel = (rows["ind"] == r.ind).to_numpy()
        if not sel.any():
            continue
        cols = [f"{part}:{role}" for role in roles for part in ("num", "den")]
        comp = own[own["ind"].isin([r.num, r.den])].assign(
            role=lambda f, r=r: np.where(f["ind"] == r.num, "num:", "den:") + f["role"].astype(str),
            ind=r.ind)
        vec = _sums(rows[sel], comp, cols, tree)
        with np.errstate(divide="ignore", invalid="ignore"):
            for role in roles:
                den = vec[f"den:{role}"]
                vec[role] = np.where(den != 0, vec[f"num:{role}"] / den * float(r.factor), np.nan)
        _fill(out, rows[sel], vec, roles)
    return out


def _sums(rows: pd.DataFrame, own: pd.DataFrame, cols: list[str], tree: Tree) -> pd.DataFrame:
    """``consistent_sums`` over ``cols`` for the indicators of ``rows``; every row (and
    every unit that reported any of the columns) is expected to have all of them."""
    n_units = len(tree.codes)
    mine = own[own["ind"].isin(pd.unique(rows["ind"])) & own["role"].isin(cols)]
    col = pd.Index(cols).get_indexer(mine["role"])
    want = rows["ind"].to_numpy(np.int64) * n_units + rows["unit"].to_numpy(np.int64)
    have = mine["ind"].to_numpy(np.int64) * n_units + mine["unit"].to_numpy(np.int64)
    keys, at = pd.factorize(np.concatenate([want, have]))
    wide = np.full((len(at), len(cols)), np.nan)
    pos = keys[len(want):]
    first = ~pd.Index(pos * len(cols) + col).duplicated()  # one value per (unit, role)
    wide[pos[first], col[first]] = mine["value"].to_numpy(float)[first]
    g, u = np.divmod(np.asarray(at, dtype=np.int64), n_units)
    s = consistent_sums(g, u, wide, tree)
    result = pd.DataFrame(s.vec, columns=cols)
    result["excluded"] = [m if m else None for m in s.missing()]
    result.index = s.group * n_units + s.unit
    return result.reindex(want)


def _fill(out: pd.DataFrame, rows: pd.DataFrame, vec: pd.DataFrame, roles: list[str]) -> None:
    out.loc[rows.index, roles] = vec[roles].to_numpy(dtype=float)
    out.loc[rows.index, "excluded"] = pd.Series(list(vec["excluded"]), index=rows.index, dtype=object)
