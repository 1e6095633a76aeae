"""The values one as-of month's dispatch table needs: one scan for several months
(``fetch_values``), and one month's share of it (``values_for``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.db.connection import Connection
from indicators.db.observations import COUNTED_VIEWS


def values_for(fetched: pd.DataFrame, need: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``fetched`` (``fetch_values`` of a larger need) that ``fetch_values(…, need)``
    itself returns: the same rows in the same order, the periods coded over ``need``'s months."""
    per = fetched["period"].cat
    pairs = need[["indicator_code", "period"]].drop_duplicates()
    ind_codes = fetched["indicator_code"].cat.categories
    n_per = len(per.categories)
    wanted = ind_codes.get_indexer(pairs["indicator_code"]).astype(np.int64) * n_per \
        + per.categories.get_indexer(pairs["period"])
    have = fetched["indicator_code"].cat.codes.to_numpy(dtype=np.int64) * n_per + per.codes.to_numpy(dtype=np.int64)
    keep = np.isin(have, wanted)
    per_codes = pd.Index(sorted(pairs["period"].unique()))
    recode = per_codes.get_indexer(per.categories)
    out = fetched[keep].reset_index(drop=True)
    out["period"] = pd.Categorical.from_codes(recode[per.codes.to_numpy()[keep]], categories=per_codes)
    return out


def fetch_values(con: Connection, need: pd.DataFrame, units: pd.DataFrame,
                 inds: pd.DataFrame, counted: str = "pending") -> pd.DataFrame:
    """Current observations for the needed (indicator, period) pairs — one scan in DuckDB.
    ``counted`` (``Settings.review_counts``) picks what counts: the newest value
    ('pending': whether reviewed or not) or the newest approved one ('approved').

    Codes come back as categoricals (integer codes joined in SQL): the result has a few
    hundred thousand rows and string columns would cost more than the scan itself.
    """
    pairs = need[["indicator_code", "period"]].drop_duplicates().reset_index(drop=True)
    per_codes = pd.Index(sorted(pairs["period"].unique()))
    ind_codes, unit_codes = pd.Index(inds["code"]), pd.Index(units["code"])
    pairs["ind"] = ind_codes.get_indexer(pairs["indicator_code"])
    pairs["per"] = per_codes.get_indexer(pairs["period"])
    unit_map = pd.DataFrame({"code": unit_codes, "unit": np.arange(len(unit_codes))})
    with con.cursor() as cur, cur.registered("_need", pairs), cur.registered("_units", unit_map):
        raw = cur.execute(
            f"""SELECT n.ind, u.unit, n.per, o.value, o.batch_id
               FROM {COUNTED_VIEWS[counted]} o
               JOIN _need n ON n.indicator_code = o.indicator_code AND n.period = o.period
               JOIN _units u ON u.code = o.org_unit"""
        ).fetchnumpy()
    ind, unit, per = (raw[c].astype(np.int64) for c in ("ind", "unit", "per"))
    # sums add up in one order on every store: (indicator, unit, period) as the catalog
    # orders them — sorted here on one integer key (an ORDER BY was half the query's time)
    order = np.argsort((ind * len(unit_codes) + unit) * len(per_codes) + per, kind="stable")
    return pd.DataFrame({
        "indicator_code": pd.Categorical.from_codes(ind[order], categories=ind_codes),
        "org_unit": pd.Categorical.from_codes(unit[order], categories=unit_codes),
        "period": pd.Categorical.from_codes(per[order], categories=per_codes),
        "value": np.asarray(raw["value"], dtype=float)[order],
        "batch_id": np.asarray(raw["batch_id"], dtype=float)[order],
    })
