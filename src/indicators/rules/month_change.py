"""排名升降 and 差距较上月 — this month against last month, one rule for the cards, the
ranking tables, the slides and the notice.

Built on the ranking rule (``rules.ranking``): last month's ranks are the ranks last
month's dispatch table gave (``rank`` per indicator, ``unit_ranking`` over all key
indicators), never re-derived here. Pure functions; no I/O.

- A move is counted only between two ranks by the same measure (``rank_by``) in the same
  year: ``rank_move`` = last month's rank − this month's (↑2 is +2: two places better).
- A gap change is counted only where both months were judged by the same rule
  (``status_rule``): ``gap_change_pp`` in percentage points of 序时 (``gap_pp``),
  ``gap_change_value`` in the indicator's own unit (``gap_value``), so a card can show it
  in the terms its 差距 line uses. Positive = the gap closed (or the lead grew).
- A figure that is last month's again (a quarterly one in the month after its quarter)
  has no move and no gap change.
- January has no last month in the same year (last December's targets and 序时 are
  another year's): nothing is compared.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.rules import periods
from indicators.rules.ranking import rank, unit_ranking

KEYS = ["indicator_code", "org_unit_code"]
# last month's columns a row keeps (suffixed _last): enough to say last month's rank and
# gap, to re-rank last month by another measure and to rank the districts as last month
LAST_MONTH = ("status", "status_rule", "value", "target", "target_basis", "completion", "gap_pp", "gap_value",
              "yoy", "rank", "rank_of", "rank_by", "value_period", "period")
LAST_COLUMNS = [f"{c}_last" for c in LAST_MONTH] + ["rank_move", "gap_change_pp", "gap_change_value"]


def last_period(period: str) -> str | None:
    """The month compared with: the month before ``period`` in the same year (None in January)."""
    year, month = periods.parse(period)
    return periods.make(year, month - 1) if month > 1 else None


def with_last_month(now: pd.DataFrame, last: pd.DataFrame | None) -> pd.DataFrame:
    """``now`` (a dispatch table) with last month's ``LAST_MONTH`` columns for the same
    indicator and unit (suffix ``_last``; NA where ``last`` is None or lacks the row) and
    the moves (``moves``)."""
    prior = (last if last is not None else pd.DataFrame(columns=KEYS + list(LAST_MONTH)))[KEYS + list(LAST_MONTH)]
    at = _row_of(now, prior)  # a left join, one to one, by (indicator, unit): last month's row or −1
    found = at >= 0
    columns = {}
    for c in LAST_MONTH:
        if c in _NUMBERS and prior[c].dtype == _NUMBERS[c]:  # a dispatch table's own dtype: taken as it is
            columns[f"{c}_last"] = _taken(prior[c], at, found)
            continue
        values = prior[c].to_numpy(dtype=object)
        col = np.full(len(now), None, dtype=object)
        col[found] = values[at[found]]
        col = pd.Series(col, index=now.index, dtype=object)
        if c in _NUMBERS:
            col = pd.to_numeric(col, errors="coerce")
            col = pd.array(col, dtype="Int64") if _NUMBERS[c] == "Int64" else col.astype(float)
        else:
            col = col.astype(object).where(col.notna(), None)
        columns[f"{c}_last"] = col
    last_columns = pd.DataFrame(columns, index=now.index)
    out = pd.concat([now, last_columns], axis=1)
    # the moves from the columns they read (not a copy of the whole table)
    read = [c for c in _MOVES_READ if c in now.columns and c not in last_columns.columns]
    for name, col in moves(pd.concat([now[read], last_columns], axis=1)).items():
        out[name] = col
    return out


# last month's numbers and the dtype they have in the table (texts are objects, None for none)
_NUMBERS = {"rank": "Int64", "rank_of": "Int64", **{c: "float64" for c in ("value", "target", "completion", "gap_pp",
                                                                          "gap_value", "yoy")}}


def _taken(column: pd.Series, at: np.ndarray, found: np.ndarray):
    """``column``'s values at the rows ``at`` (NA/NaN where not ``found``), same dtype."""
    if column.dtype == "float64":
        out = np.full(len(at), np.nan)
        out[found] = column.to_numpy()[at[found]]
        return out
    return column.array.take(np.where(found, at, -1), allow_fill=True)


def _row_of(now: pd.DataFrame, prior: pd.DataFrame) -> np.ndarray:
    """Per row of ``now``, the position of the row of ``prior`` with the same KEYS (−1:
    none); each key once in either frame, as ``merge(validate="one_to_one")`` demands."""
    n = len(now)
    codes = [pd.factorize(np.concatenate([now[k].to_numpy(dtype=object), prior[k].to_numpy(dtype=object)]),
                          use_na_sentinel=False)[0] for k in KEYS]
    key = codes[0].astype(np.int64) * (int(codes[1].max()) + 1 if len(codes[1]) else 1) + codes[1]
    mine, theirs = key[:n], key[n:]
    if pd.Index(mine).has_duplicates or pd.Index(theirs).has_duplicates:
        raise pd.errors.MergeError("Merge keys are not unique in either left or right dataset; "
                                   "not a one-to-one merge")
    return pd.Index(theirs).get_indexer(mine)


_MOVES_READ = ("value_period", "rank_by", "rank", "status_rule", "gap_pp", "gap_value")  # and their _last


def moves(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """``rank_move`` (Int: rank_last − rank; NA unless both ranked by the same measure),
    ``gap_change_pp`` and ``gap_change_value`` (this month's gap − last month's; NaN
    unless both judged by the same rule) for rows carrying the ``_last`` columns."""
    # a quarterly figure read in the month after its quarter is last month's figure again:
    # no change to speak of (not 持平, not +0.0)
    new_figure = (frame["value_period"] != frame["value_period_last"]).fillna(True).to_numpy(dtype=bool)
    same_measure = frame["rank_by"].notna() & (frame["rank_by"] == frame["rank_by_last"]).fillna(False)
    ranked = same_measure & frame["rank"].notna() & frame["rank_last"].notna() & new_figure
    move = (frame["rank_last"].astype("Float64") - frame["rank"].astype("Float64")).where(ranked)
    same_rule = frame["status_rule"].notna() & (frame["status_rule"] == frame["status_rule_last"]).fillna(False) \
        & new_figure
    pp = pd.to_numeric(frame["gap_pp"], errors="coerce") - pd.to_numeric(frame["gap_pp_last"], errors="coerce")
    val = pd.to_numeric(frame["gap_value"], errors="coerce") - pd.to_numeric(frame["gap_value_last"], errors="coerce")
    return {"rank_move": move.round().astype("Int64"),
            "gap_change_pp": pp.where(same_rule.to_numpy(dtype=bool)).astype(float),
            "gap_change_value": val.where(same_rule.to_numpy(dtype=bool)).astype(float)}


def as_last_month(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``frame`` as last month's table had them: its ``_last`` columns in
    place of this month's (rows absent last month left out)."""
    if "status_last" not in frame.columns:
        return frame.iloc[0:0]
    rows = frame[frame["status_last"].notna()]
    kept = [c for c in LAST_MONTH if f"{c}_last" in rows.columns]
    return rows.drop(columns=[c for c in kept if c in rows.columns]).rename(columns={f"{c}_last": c for c in kept})


RERANKED = ["rank", "rank_of", "rank_by", "rank_last", "rank_move"]  # what rank_with_moves gives


def rank_with_moves(frame: pd.DataFrame, measure: str | None) -> pd.DataFrame:
    """``ranking.rank`` of ``frame`` by ``measure`` and last month's by the same measure
    (over the same rows as last month had them): rank, rank_of, rank_by, rank_last,
    rank_move — for a page that ranks by a measure the reader chose."""
    now = rank(frame, measure)
    before = as_last_month(frame)
    last = rank(before, measure)["rank"].reindex(frame.index) if len(before) else pd.Series(pd.NA, index=frame.index)
    out = now.assign(rank_last=pd.array(last, dtype="Int64"), rank_by_last=now["rank_by"].where(last.notna(), None))
    moved = moves(frame.assign(**{c: out[c] for c in ("rank", "rank_by", "rank_last", "rank_by_last")}))
    return out.assign(rank_move=moved["rank_move"]).drop(columns="rank_by_last")


UNIT_MOVE_COLUMNS = ["rank_last", "rank_move", "mean_gap_pp_last", "gap_change_pp"]


def unit_ranking_moves(children: pd.DataFrame, ranked: pd.DataFrame | None = None) -> pd.DataFrame:
    """``unit_ranking`` of ``children`` (rows of one parent's children, with the ``_last``
    columns) — or the given ``ranked`` — plus, per district, last month's 综合排名 and
    mean gap (``unit_ranking`` over last month's rows: the same rule) and the moves:
    rank_move = rank_last − rank, gap_change_pp = mean_gap_pp − mean_gap_pp_last."""
    now = unit_ranking(children) if ranked is None else ranked
    before = unit_ranking(as_last_month(children)) if len(children) else unit_ranking(children)
    prior = before.set_index("org_unit_code")[["rank", "mean_gap_pp"]] if not before.empty else None
    out = now.copy()
    codes = out["org_unit_code"]
    rank_last = codes.map(prior["rank"]) if prior is not None else pd.Series(pd.NA, index=out.index)
    gap_last = codes.map(prior["mean_gap_pp"]) if prior is not None else pd.Series(np.nan, index=out.index)
    out["rank_last"] = pd.array(rank_last, dtype="Int64")
    out["rank_move"] = (out["rank_last"].astype("Float64") - out["rank"].astype("Float64")).round().astype("Int64")
    out["mean_gap_pp_last"] = pd.to_numeric(gap_last, errors="coerce").astype(float)
    out["gap_change_pp"] = pd.to_numeric(out["mean_gap_pp"], errors="coerce").astype(float) - out["mean_gap_pp_last"]
    return out

