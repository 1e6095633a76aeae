"""Steps of the dispatch table that compare a value with other months: the comparable
basis of a partial level's progress, the 序时 pacing history, 同比, 环比 and 当月值.

Each comparison of a rolled-up row whose months are not all complete is made over the
same children on both sides (``indicators.rules.comparable``) and says so in a note
("按可比口径（缺青溪县）"), or is withheld with the reason. A unit's own report is
compared as it stands; against a partial month it is withheld.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.rules import progress
from indicators.rules.comparable import comparable
from indicators.rules.rollup import codes_in, derived_ratios

ROLLED = ("rolled_up", "partial")


def _text(values, index) -> pd.Series:
    return pd.Series(values, index=index, dtype=object, copy=False)


def own_values(k, values: pd.DataFrame, need: pd.DataFrame, inds: pd.DataFrame) -> pd.DataFrame:
    """What each unit reported itself, per role: ind, unit, role, value. A derived
    ratio's components are listed under the ratio's roles. Built only when a comparison
    is made like for like (``dispatch_columns.Keys.own_values`` caches it). Integer keys throughout: the
    values are several hundred thousand rows."""
    v = values.dropna(subset=["value"])
    per_codes = pd.Index(v["period"].cat.categories.astype(str)) if isinstance(v["period"].dtype, pd.CategoricalDtype) \
        else pd.Index(sorted(pd.unique(v["period"].astype(object))))
    n_per = len(per_codes)
    ind, unit = codes_in(v["indicator_code"], k.ind_codes), codes_in(v["org_unit"], k.unit_codes)
    per = codes_in(v["period"], per_codes)
    roles = need[need["role"] != "_component"]
    comp = roles.merge(derived_ratios(inds), left_on="indicator_code", right_on="code")
    wanted = pd.concat([roles, comp.assign(indicator_code=comp["numerator_code"])[roles.columns],
                        comp.assign(indicator_code=comp["denominator_code"])[roles.columns]]).drop_duplicates()
    w_key = k.ind_codes.get_indexer(wanted["indicator_code"]).astype(np.int64) * n_per + per_codes.get_indexer(wanted["period"])
    frame = pd.DataFrame({"key": ind.astype(np.int64) * n_per + per, "ind": ind, "unit": unit,
                          "value": v["value"].to_numpy(float)})
    frame = frame[(ind >= 0) & (unit >= 0) & (per >= 0)]
    own = frame.merge(pd.DataFrame({"key": w_key, "role": wanted["role"].to_numpy(dtype=object)}), on="key")
    return own[["ind", "unit", "role", "value"]].reset_index(drop=True)


def ratio_codes(k, inds: pd.DataFrame) -> pd.DataFrame:
    """Derived ratios as integer codes: ind, num, den, factor."""
    ratios = derived_ratios(inds)
    r = ratios.assign(ind=k.ind_codes.get_indexer(ratios["code"]), num=k.ind_codes.get_indexer(ratios["numerator_code"]),
                      den=k.ind_codes.get_indexer(ratios["denominator_code"]))
    return r[(r["ind"] >= 0) & (r["num"] >= 0) & (r["den"] >= 0)][["ind", "num", "den", "factor"]]


class Compared(dict):
    """The values of each role (numpy arrays, one per row of the table) plus ``basis``,
    ``note`` and ``excluded`` (object arrays)."""


def compare(t: pd.DataFrame, k, roles: list[str], rows: np.ndarray | None = None) -> Compared:
    """The values of ``roles`` to compare for each row (``rows``: a boolean mask; default
    all), with ``basis`` (as_reported | like_for_like | withheld | None when a month has
    no value) and ``note`` (Chinese, for like_for_like and withheld)."""
    n = len(t)
    rows = np.ones(n, dtype=bool) if rows is None else np.asarray(rows, dtype=bool)
    out = Compared({r: t[r].to_numpy(dtype=float).copy() for r in roles})
    present = np.logical_and.reduce([~np.isnan(out[r]) for r in roles])
    out["basis"] = np.where(present & rows, "as_reported", None).astype(object)
    out["note"] = np.full(n, None, dtype=object)
    out["excluded"] = np.full(n, None, dtype=object)
    partial = np.logical_or.reduce([t[f"prov_{r}"].to_numpy(dtype=object) == "partial" for r in roles])
    first = "cur" if "cur" in roles else roles[0]
    rolled = np.isin(t[f"prov_{first}"].to_numpy(dtype=object), ROLLED)
    against_partial = rows & partial & ~rolled
    for r in roles:
        out[r][against_partial] = np.nan
    out["basis"][against_partial] = "withheld"
    out["note"][against_partial] = "比较期为部分汇总，不可比"
    lfl = np.flatnonzero(rows & partial & rolled)
    if len(lfl):
        _like_for_like(t, k, roles, lfl, out)
    return out


def _like_for_like(t: pd.DataFrame, k, roles: list[str], at: np.ndarray, out: Compared) -> None:
    own = k.own_values()
    sub = pd.DataFrame({"ind": t["_ind"].to_numpy()[at], "unit": t["_unit"].to_numpy()[at]})
    c = comparable(sub, own, roles, k.tree, k.ratios)
    ok = c[roles].notna().all(axis=1).to_numpy()
    for r in roles:
        out[r][at] = c[r].to_numpy(dtype=float)
    out["basis"][at] = np.where(ok, "like_for_like", "withheld")
    names = [k.names(e) for e in c["excluded"]]  # k.names remembers each set of units
    # a unit left out because it is missing now is 缺; one that sent this month but not in
    # the month compared with is only 不含 — never read as late (上年末无数据 …)
    now = t[f"prov_{roles[0]}"].to_numpy(dtype=object)[at] == "partial"
    then = "或".join(dict.fromkeys(ROLE_WORDS[r] for r in roles[1:] if r in ROLE_WORDS)) or "比较期"
    out["note"][at] = [(f"按可比口径（缺{n}）" if missing_now else f"按可比口径（不含{n}：其{then}无数据）")
                       if o and n else ("按可比口径" if o else
                                        f"无可比数据（缺{n}）" if n else f"无可比数据（下级单位{then}均无数据）")
                       for o, n, missing_now in zip(ok, names, now)]
    out["excluded"][at] = list(c["excluded"])


# the month a role's value is of, as a note names it
ROLE_WORDS = {"ly_end": "上年末", "ly": "上年同期", "prev": "上月", "prev2": "前月", "ly2_end": "前年末"}


def like_for_like_progress(t: pd.DataFrame, k) -> None:
    """The value, baseline and target a level's progress is judged on (``judged_*``), and
    the comparable basis shown on the card when a partial roll-up is judged like for like
    (``comparable_*``, ``completion_basis``); the history the 序时 pacing reads (``pace_*``)."""
    n = len(t)
    value, target, base = (t[c].to_numpy(dtype=float).copy() for c in ("value", "target", "baseline"))
    basis = np.where(t["target_given"].to_numpy() & ~np.isnan(value), "as_reported", None).astype(object)
    comparable_ = {c: np.full(n, np.nan) for c in ("comparable_value", "comparable_baseline", "comparable_target")}
    note = np.full(n, None, dtype=object)
    level = t["kind"].isin(["stock", "ratio"]).to_numpy()
    c = compare(t, k, ["cur", "ly_end"], rows=level & t["target_given"].to_numpy())
    lfl = c["basis"] == "like_for_like"
    withheld = c["basis"] == "withheld"
    their_target = _comparable_target(t, k, c, lfl)
    ok = lfl & ~np.isnan(their_target)
    withheld |= lfl & np.isnan(their_target)
    value[ok], base[ok], target[ok] = c["cur"][ok], c["ly_end"][ok], their_target[ok]
    comparable_["comparable_value"][ok], comparable_["comparable_baseline"][ok] = c["cur"][ok], c["ly_end"][ok]
    comparable_["comparable_target"][ok] = their_target[ok]
    basis[ok], note[ok] = "like_for_like", c["note"][ok]
    basis[withheld] = "withheld"
    now_partial = t["prov_cur"].to_numpy(dtype=object)[withheld] == "partial"
    note[withheld] = [f"{'' if now else '上年末为'}部分汇总（缺{k.names(e) or '下级数据'}），"
                      "缺报单位无目标或上年末数，不能按可比口径评价"
                      if isinstance(e, tuple) else (m or "不能按可比口径评价")
                      for e, m, now in zip(c["excluded"][withheld], c["note"][withheld], now_partial)]
    t["judged_value"], t["judged_target"], t["judged_baseline"] = value, target, base
    t["completion_basis"], t["comparable_note"] = _text(basis, t.index), _text(note, t.index)
    for col, arr in comparable_.items():
        t[col] = arr
    pace = compare(t, k, ["ly", "ly_end", "ly2_end"], rows=level)
    pace_c = compare(t, k, ["ly", "ly_end"], rows=~level)
    t["pace_ly"] = np.where(level, pace["ly"], pace_c["ly"])
    t["pace_ly_end"] = np.where(level, pace["ly_end"], pace_c["ly_end"])
    t["pace_ly2_end"] = np.where(level, pace["ly2_end"], np.nan)


def _comparable_target(t: pd.DataFrame, k, c: Compared, lfl: np.ndarray) -> np.ndarray:
    """The target on the comparable basis: a stock's official level target less the level
    targets of the units left out (NaN when one of them has none); a ratio's level target
    itself, or its increase on the comparable baseline."""
    out = np.full(len(t), np.nan)
    if not lfl.any():
        return out
    levels = pd.Series(t["target"].to_numpy(float), index=t["key"].to_numpy())
    kind, basis = t["kind"].to_numpy(dtype=object), t["target_basis"].to_numpy(dtype=object)
    target, increase, ind = t["target"].to_numpy(float), t["target_increase"].to_numpy(float), t["_ind"].to_numpy()
    for pos in np.flatnonzero(lfl):
        if kind[pos] == "ratio":
            out[pos] = c["ly_end"][pos] + increase[pos] if basis[pos] == "increase" else target[pos]
            continue
        left_out = c["excluded"][pos] or ()
        theirs = levels.reindex([int(ind[pos]) * k.n_u + u for u in left_out]).to_numpy(float)
        out[pos] = target[pos] - theirs.sum() if not np.isnan(theirs).any() else np.nan
    return out


def comparisons(t: pd.DataFrame, k, mom: bool = True) -> None:
    """同比 (yoy_*), 环比 (mom_*) and 当月值 (period_value) with their basis and note;
    ``mom`` False: 同比 itself (``yoy``, ``value_ly``) alone."""
    kind = t["kind"]
    y = compare(t, k, ["cur", "ly"])
    t["yoy"] = progress.yoy(kind, y["cur"], y["ly"]).to_numpy()
    t["value_ly"] = y["ly"]
    if not mom:
        return
    codes, units = pd.factorize(t["unit"].to_numpy(dtype=object), use_na_sentinel=False)
    diff_unit = np.array([progress.difference_unit(u) for u in units], dtype=object)[codes]  # once per unit
    is_ratio = kind.eq("ratio").to_numpy()
    _typed(t, "yoy", y, kind, diff_unit)
    t["yoy_pp"] = is_ratio & (t["unit"].to_numpy(dtype=object) == "%")
    step, due = t["step"].to_numpy(), t["due"].to_numpy()
    cum = kind.eq("cumulative").to_numpy()
    first, second = due <= step, due == 2 * step
    three = cum & ~first & ~second  # 当月值 this month and last month need three months
    # 当月值 needs this month and last (over the same children: like for like); only its
    # 环比 needs the month before last too — a gap there withholds 环比, not 当月值
    m2 = compare(t, k, ["cur", "prev"])
    t["period_value"] = progress.period_value(kind, np.where(first, t["value"], m2["cur"]), m2["prev"],
                                              first).to_numpy()
    m3 = compare(t, k, ["cur", "prev", "prev2"], rows=three)
    cur, prev = np.where(three, m3["cur"], m2["cur"]), np.where(three, m3["prev"], m2["prev"])
    prev2 = np.where(three, m3["prev2"], np.nan)
    this_pv = progress.period_value(kind, np.where(first, t["value"], cur), prev, first).to_numpy()
    prev_pv = progress.period_value(kind, prev, prev2, second).to_numpy()
    mom = np.where(cum, progress.mom(kind, this_pv, prev_pv), progress.mom(kind, cur, prev))
    mom[first & cum] = np.nan  # the first month has no 环比 within the year
    t["mom"] = mom
    m = {"basis": np.where(three, m3["basis"], m2["basis"]), "note": np.where(three, m3["note"], m2["note"])}
    m["basis"][first & cum] = None
    m["note"][first & cum] = None
    _typed(t, "mom", m, kind, diff_unit)


def _typed(t: pd.DataFrame, name: str, c: dict, kind: pd.Series, diff_unit: np.ndarray) -> None:
    has = t[name].notna().to_numpy()
    types = progress.comparison_type(kind)  # a ratio's comparison is a difference, in its own unit
    t[f"{name}_type"] = _text(np.where(has, types, None), t.index)
    t[f"{name}_unit"] = _text(np.where(has & (types == "difference"), diff_unit, None), t.index)
    basis = np.asarray(c["basis"], dtype=object)
    t[f"{name}_basis"] = _text(np.where(has | (basis == "withheld"), basis, None), t.index)
    t[f"{name}_note"] = _text(np.where(has | (basis == "withheld"), np.asarray(c["note"], dtype=object), None), t.index)
