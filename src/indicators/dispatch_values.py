"""The values one as-of month's dispatch table needs, out of a fetch for several months."""

from __future__ import annotations

import numpy as np
import pandas as pd


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
