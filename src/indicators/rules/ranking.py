"""Ranking (排名) — one rule for every page, slide, notice sentence and ``status --rank-by``.

Pure functions over dispatch-table rows; no I/O.

- ``rank``: units ranked among their siblings (same indicator, same parent) by one
  measure — ``value`` (in the indicator's direction), ``completion`` (完成率), ``gap``
  (points ahead of 序时进度) or ``yoy`` (同比, in the indicator's direction). By default
  completion where every sibling with a value has a target and a 完成率, else value.
  Ties share the rank (1, 2, 2, 4). A unit with no value, or with nothing due, gets no
  rank; so does a unit without siblings.
- ``unit_ranking``: the districts of one parent ranked over all their key indicators by
  the share that are 已完成 or 达序时, then by the mean gap; a district with nothing due,
  or that reported nothing that was due, gets no rank.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.rules.due import unreported

MEASURES = ("value", "completion", "gap", "yoy")
MEASURE_LABELS = {"value": "数值", "completion": "完成率", "gap": "与序时进度差距", "yoy": "同比"}
GROUP = ["indicator_code", "parent_code"]
NOT_RANKED = ("not_due",)


def _stable(x: np.ndarray) -> np.ndarray:
    """Round to 12 significant digits so float noise (2.4000000000000004) cannot split a tie."""
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.where((x == 0) | ~np.isfinite(x), 0, np.floor(np.log10(np.abs(np.where(x == 0, 1, x)))))
        scale = 10.0 ** (11 - mag)
        return np.where(np.isfinite(x), np.round(x * scale) / scale, np.nan)


def score(frame: pd.DataFrame, measure: str) -> pd.Series:
    """The number ranked on, larger = better: the measure, sign-flipped where lower is
    better (越低越好 values and 同比; the share of an annual limit used). NaN = no rank."""
    if measure not in MEASURES:
        raise ValueError(f"排名依据应为 {' / '.join(MEASURES)}，收到「{measure}」")
    lower = frame["direction"].to_numpy(dtype=object) == "lower"
    col = {"value": "value", "completion": "completion", "gap": "gap_pp", "yoy": "yoy"}[measure]
    x = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
    if measure in ("value", "yoy"):
        x = np.where(lower, -x, x)
    elif measure == "completion":
        limit = (frame["kind"].to_numpy(dtype=object) == "cumulative") & lower
        x = np.where(limit, -x, x)  # a smaller share of the limit used is better
    unrankable = frame["status"].isin(NOT_RANKED).to_numpy() | frame["value"].isna().to_numpy()
    return pd.Series(np.where(unrankable, np.nan, _stable(x)), index=frame.index)


_SCORED = ("direction", "kind", "status", "value", "completion", "gap_pp", "yoy")  # what ``score`` reads


def _groups(frame: pd.DataFrame) -> np.ndarray:
    """One integer per sibling group (same indicator, same parent; no parent is a group)."""
    ind = pd.factorize(frame["indicator_code"].to_numpy(dtype=object))[0].astype(np.int64)
    parent = frame["parent_code"].astype(object).where(frame["parent_code"].notna(), "\0").to_numpy(dtype=object)
    par = pd.factorize(parent)[0].astype(np.int64)
    return ind * (int(par.max()) + 1 if len(par) else 1) + par


def default_measure(frame: pd.DataFrame, groups: np.ndarray | None = None) -> pd.Series:
    """Per row, the measure its sibling group is ranked by: ``completion`` where every
    sibling with a value has a target and a 完成率, else ``value``."""
    keys = _groups(frame) if groups is None else groups
    valued = frame["value"].notna() & ~frame["status"].isin(NOT_RANKED)
    complete = ~valued | (frame["target"].notna() & frame["completion"].notna())
    all_complete = complete.groupby(keys).transform("all")
    any_valued = valued.groupby(keys).transform("any")
    return pd.Series(np.where(all_complete & any_valued, "completion", "value"), index=frame.index, dtype=object)


def rank(frame: pd.DataFrame, measure: str | None = None, groups: np.ndarray | None = None) -> pd.DataFrame:
    """``rank`` (1 = best, ties share the smallest), ``rank_of`` (how many siblings are
    ranked) and ``rank_by`` (the measure) for every row of ``frame`` (dispatch-table rows
    with indicator_code, parent_code, direction, kind, status, value, target, completion,
    gap_pp, yoy). ``measure`` None is the default measure of each sibling group.
    ``groups``: one integer per sibling group per row, if the caller has them (else made
    from indicator_code and parent_code)."""
    keys = _groups(frame) if groups is None else np.asarray(groups, dtype=np.int64)
    by = default_measure(frame, keys) if measure is None else pd.Series(measure, index=frame.index, dtype=object)
    s = pd.Series(np.nan, index=frame.index)
    scored = frame[[c for c in _SCORED if c in frame.columns]]  # not every column of a wide table, per measure
    for m in pd.unique(by):
        sel = (by == m).to_numpy()
        s[sel] = score(scored[sel], m).to_numpy()
    siblings = pd.Series(np.bincount(keys)[keys] if len(keys) else keys, index=frame.index)
    s = s.where(siblings > 1)
    ranks = s.groupby(keys).rank(method="min", ascending=False)
    ranked = s.notna()
    return pd.DataFrame({
        "rank": ranks.astype("Int64"),
        "rank_of": ranked.groupby(keys).transform("sum").where(ranked).astype("Int64"),
        "rank_by": by.where(ranked, None),
    }, index=frame.index)


def ranked_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in display order: ranked ones by rank, then those with a value but no rank,
    then 未报送 (no value), then 未到期 — each by ``unit_order``."""
    group = np.select([frame["rank"].notna(), frame["status"].eq("not_due"), frame["value"].isna()],
                      [0, 3, 2], default=1)
    return frame.assign(_g=group).sort_values(["_g", "rank", "unit_order"], na_position="last").drop(columns="_g")


# ---------------------------------------------------------------- districts over all indicators

ON_TRACK = ("done", "on_track")
UNIT_RANKING_COLUMNS = ["org_unit_code", "org_unit_name", "unit_order", "due", "reported", "done", "on_track",
                        "lagging", "far_behind", "missing", "on_track_share", "mean_gap_pp", "rank", "rank_of",
                        "note"]


def unit_ranking(children: pd.DataFrame) -> pd.DataFrame:
    """Child units ranked over their key indicators (rows of the dispatch table for the
    children of one parent). ``due`` counts the indicators due (not 未到期) that have a
    target (a 未报送 row counts only if its target was set: ``target_basis``);
    ``on_track_share`` = (已完成 + 达序时) / due; ties on the share are broken by
    ``mean_gap_pp`` (points) and then shared. A unit gets no rank and a ``note`` when
    nothing is due (本月无应报指标), when it reported none of the figures due for the
    as-of month itself (rows whose value_period is the period; without those, none of
    its due figures: 未报送), or when none of what it reported has a target (未设定目标 —
    its figures are ranked by value indicator by indicator, ``rank``)."""
    if children.empty:
        return pd.DataFrame(columns=UNIT_RANKING_COLUMNS)
    units = children[["org_unit_code", "org_unit_name", "unit_order"]].drop_duplicates("org_unit_code")
    out = units.set_index("org_unit_code").join(_unit_counts(children))
    for k in ("due", "active", "reported", "reported_any", "due_now", "reported_now", "done", "on_track", "lagging",
              "far_behind", "missing"):
        out[k] = out[k].fillna(0).astype(int)
    good = out["done"] + out["on_track"]
    sent = pd.Series(np.where(out["due_now"] > 0, out["reported_now"] > 0, out["reported_any"] > 0), index=out.index)
    rankable = (out["due"] > 0) & sent
    # a share of nothing, or of a return never sent, is no share: never "0%" beside 未报送
    out["on_track_share"] = np.where(rankable, good / out["due"].where(out["due"] > 0, 1), np.nan)
    out["mean_gap_pp"] = out["mean_gap_pp"].where(rankable)
    ranks = _shared_ranks(out.loc[rankable, ["on_track_share", "mean_gap_pp"]])
    out["rank"] = ranks.reindex(out.index)
    out["rank_of"] = pd.array([int(rankable.sum()) if code in ranks.index else pd.NA for code in out.index],
                              dtype="Int64")
    notes = np.select([out["active"] == 0, ~sent, out["due"] == 0], ["本月无应报指标", "未报送", "未设定目标"],
                      default=None)
    out["note"] = pd.Series(notes, index=out.index, dtype=object)
    out = out.reset_index()
    out["_unranked"] = out["rank"].isna()
    out = out.sort_values(["_unranked", "rank", "unit_order"], na_position="last")
    out = out[UNIT_RANKING_COLUMNS].reset_index(drop=True)
    out["note"] = out["note"].astype(object).where(out["note"].notna(), None)
    return out


def _unit_counts(children: pd.DataFrame) -> pd.DataFrame:
    """Per unit: ``active`` (figures due), ``due`` (of those, with a target), what was
    reported of each and of this month's own figures, one count per status, the mean gap."""
    active = children[children["status"] != "not_due"]
    targeted = active["status"] != "no_target"
    if "target_basis" in active.columns:
        targeted &= active["target_basis"].notna()
    due = active[targeted]
    st = due["status"]
    # this month's return: the figures that refer to the as-of month itself (a quarterly
    # figure of last quarter-end does not make a district that sent nothing this month ranked)
    if {"value_period", "period"} <= set(active.columns):
        now = active[active["value_period"] == active["period"]]
    else:
        now = active
    by = "org_unit_code"
    # sent = a value came (a 年内新增 row without last year-end's value is 未报送 as a status,
    # but was sent); ``missing`` counts what was not sent
    return pd.DataFrame({
        "due": due.groupby(by).size(), "active": active.groupby(by).size(),
        "reported": due[~unreported(due)].groupby(by).size(),
        "reported_any": active[~unreported(active)].groupby(by).size(),
        "due_now": now.groupby(by).size(), "reported_now": now[~unreported(now)].groupby(by).size(),
        **{s: due[st == s].groupby(by).size() for s in ("done", "on_track", "lagging", "far_behind")},
        "missing": due[unreported(due)].groupby(by).size(),
        "mean_gap_pp": due.groupby(by)["gap_pp"].mean(),
    })


def _shared_ranks(key: pd.DataFrame) -> pd.Series:
    """1 = best by (share, then mean gap), both larger = better; equal keys share the
    smallest rank (1, 2, 2, 4)."""
    k = pd.DataFrame({"share": _stable(key["on_track_share"].to_numpy(float)),
                      "gap": _stable(key["mean_gap_pp"].to_numpy(float))}, index=key.index).fillna(-1e300)
    order = k.sort_values(["share", "gap"], ascending=False).index
    ranks, prev, current = {}, None, 0
    for pos, code in enumerate(order, start=1):
        pair = (k.at[code, "share"], k.at[code, "gap"])
        if pair != prev:
            current = pos
        ranks[code], prev = current, pair
    return pd.Series(ranks, dtype="Int64")


# what a reader is told about a district without a rank (``unit_ranking``'s note)
UNRANKED_WORDS = {"本月无应报指标": "本月无应报指标", "未报送": "本月数据未报送", "未设定目标": "未设定本年目标"}


def no_ranking_reason(ranked: pd.DataFrame) -> str | None:
    """Why ``unit_ranking``'s result ranks nobody (None when someone is ranked or there
    is nobody): no district has a target this year (a year of published statistics), or
    nothing was due. The page, the slide and the notice say this instead of a ranking."""
    if ranked.empty or ranked["rank"].notna().any():
        return None
    notes = set(ranked["note"].dropna())
    if "未设定目标" in notes or ("未报送" in notes and not (ranked["due"] > 0).any()):
        return "各区县均未设定本年目标，本月不做综合排名（各项指标按数值排名）"
    if notes == {"本月无应报指标"}:
        return "本月各区县均无应报指标，不做综合排名"
    return "各区县本月均未报送，不做综合排名"
