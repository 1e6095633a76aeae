"""How the dispatch table's columns are filled (``dispatch.compute_dispatch``'s steps):
the integer keys of indicators and units shared by the steps, each role's value columns,
the indicators' and units' attributes, the targets, and the judgement (序时进度, 完成率,
状态, 预计全年). Plain pandas and numpy over the fetched values; the order of the steps
and the finished table are ``indicators.dispatch``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.dispatch_compare import own_values, ratio_codes
from indicators.rules import periods, progress, projection
from indicators.rules.due import due_month, step_of
from indicators.rules.rollup import PROVENANCES, Rolled, Tree
from indicators.settings import Settings

ROLES = ("cur", "prev", "prev2", "ly", "ly_prev", "ly_end", "ly2_end")
LAST_ROLES = ("cur", "ly", "ly_end", "ly2_end")  # what last month's columns rest on (no 环比, no 当月值)

class Keys:
    """Integer codes of indicators and units, and the as-of month, shared by the steps."""

    def __init__(self, units: pd.DataFrame, inds: pd.DataFrame, period: str):
        self.period = period
        self.year, self.month = periods.parse(period)
        self.ind_codes, self.unit_codes = pd.Index(inds["code"]), pd.Index(units["code"])
        self.n_u = len(self.unit_codes)
        self.tree = Tree(units)
        self.parent_codes = units["parent_code"].reset_index(drop=True)

    def sibling_groups(self, t: pd.DataFrame) -> np.ndarray:
        """``ranking.rank``'s sibling groups (same indicator, same parent_code) from the
        rows' integer codes: the parent codes factorized once over the units."""
        parent = self.parent_codes.astype(object).where(self.parent_codes.notna(), "\0").to_numpy(dtype=object)
        par = pd.factorize(parent)[0].astype(np.int64)
        return t["_ind"].to_numpy(dtype=np.int64) * (len(par) + 1) + par[t["_unit"].to_numpy()]

    def known_targets(self, targets: pd.DataFrame) -> pd.DataFrame:
        t_ind = self.ind_codes.get_indexer(targets["indicator_code"])
        t_unit = self.unit_codes.get_indexer(targets["org_unit"])
        ok = (t_ind >= 0) & (t_unit >= 0)
        out = targets[ok].reset_index(drop=True)
        out["key"] = t_ind[ok].astype(np.int64) * self.n_u + t_unit[ok]
        # the codes as categoricals of the catalog's codes: the roll-up takes their integer
        # codes as they are instead of looking every text up again
        out["indicator_code"] = pd.Categorical.from_codes(t_ind[ok], categories=self.ind_codes)
        out["org_unit"] = pd.Categorical.from_codes(t_unit[ok], categories=self.unit_codes)
        return out

    def rows(self, targets: pd.DataFrame, rolled: Rolled) -> pd.DataFrame:
        """Everything with a target this year or with any value in the months needed."""
        r_ind = self.ind_codes.get_indexer(rolled.ind_codes)[rolled.rows["ind"]]
        r_key = r_ind.astype(np.int64) * self.n_u + rolled.rows["unit"].astype(np.int64)
        # keys are indicator × unit positions: a flat mark per key gives them sorted, without hashing
        mark = np.zeros(len(self.ind_codes) * self.n_u, dtype=bool)
        mark[targets["key"].to_numpy(dtype=np.int64)] = True
        mark[r_key[r_ind >= 0]] = True
        keys = np.flatnonzero(mark).astype(np.int64)
        self.r_key, self.r_ok, self.r_ind = r_key, r_ind >= 0, r_ind
        # column labels as numpy objects: with pandas 3's Arrow labels each of the ~200
        # columns the steps add would rebuild the label index (≈ 1 ms each)
        return pd.DataFrame({"key": keys, "_ind": keys // self.n_u, "_unit": keys % self.n_u},
                            columns=pd.Index(["key", "_ind", "_unit"], dtype=object))

    def own_source(self, values: pd.DataFrame, need: pd.DataFrame, inds: pd.DataFrame) -> None:
        """Keep what ``own_values`` needs; the frame is built only if a comparison asks."""
        self._own_args, self._own = (values, need, inds), None
        self.ratios = ratio_codes(self, inds)

    def own_values(self) -> pd.DataFrame:
        if self._own is None:
            self._own = own_values(self, *self._own_args)
        return self._own

    def names(self, units) -> str | None:
        """'、'-joined names of units given by code or by position (None for none)."""
        if units is None or not len(units):
            return None
        memo = self.__dict__.setdefault("_names", {})
        key = tuple(units)
        if key not in memo:
            pos = [u if isinstance(u, (int, np.integer)) else self.unit_codes.get_loc(u) for u in units]
            memo[key] = "、".join(str(self.unit_names[p]) for p in pos)
        return memo[key]


def _text(values, index) -> pd.Series:
    """A text column kept as numpy objects: pandas 3 would convert every assigned array
    of strings to an Arrow string column, which costs more than the rules themselves."""
    return pd.Series(values, index=index, dtype=object, copy=False)


def _words(values: np.ndarray, words: dict) -> np.ndarray:
    """``Series.map(words)`` of an object column as numpy objects, each distinct value
    looked up once (a map builds an Arrow text column first)."""
    codes, uniques = pd.factorize(values)
    if len(codes) and (codes.min() < 0 or not all(u in words for u in uniques)):
        return pd.Series(values, dtype=object).map(words).to_numpy(dtype=object)
    return np.array([words[u] for u in uniques] + [None], dtype=object)[codes]


def role_columns(t: pd.DataFrame, k: Keys, rolled: Rolled, need: pd.DataFrame, roles=ROLES) -> None:
    """One value column per role (the rolled value at that role's month) and its
    provenance (``prov_<role>``); the current value's batch and missing units."""
    n = len(t)
    keys = t["key"].to_numpy()  # unique indicator × unit positions (``Keys.rows``): a flat lookup, no hashing
    row_of = np.full(len(k.ind_codes) * k.n_u, -1, dtype=np.int64)
    row_of[keys] = np.arange(n)
    r_pos = np.where(k.r_ok, row_of[np.where(k.r_ok, k.r_key, 0)], -1)
    f = rolled.rows
    per_codes = rolled.per_codes
    mine = np.flatnonzero(r_pos >= 0)  # the rolled rows of the table's rows, once
    r_pos, r_ind, r_per = r_pos[mine], k.r_ind[mine], f["per"][mine].astype(np.int64)  # one pass per role
    r_val, r_prov = f["value"][mine].astype(float), f["prov"][mine]
    # each role's month per indicator (the first listed in ``need``; −1: not needed / absent)
    n_ind = len(k.ind_codes)
    need_ind = k.ind_codes.get_indexer(need["indicator_code"].to_numpy(dtype=object))
    need_per = per_codes.get_indexer(need["period"].to_numpy(dtype=object))
    need_role = need["role"].to_numpy(dtype=object)
    for role in roles:
        sel = np.flatnonzero((need_role == role) & (need_ind >= 0))[::-1]  # reversed: the first one written last
        role_month = np.full(n_ind, -1, dtype=np.int64)
        role_month[need_ind[sel]] = need_per[sel]
        hit = r_per == role_month[r_ind]
        at = r_pos[hit]
        col, prov = np.full(n, np.nan), np.full(n, None, dtype=object)
        col[at], prov[at] = r_val[hit], PROVENANCES[r_prov[hit]]
        t[role] = col
        t[f"prov_{role}"] = _text(prov, t.index)
        if role == "cur":
            batch, missing = np.full(n, np.nan), np.full(n, None, dtype=object)
            batch[at] = f["batch"][mine][hit]
            missing[at] = f["missing"][mine][hit]  # unit positions (k.names takes them)
            none = np.isnan(batch)  # batch ids are whole numbers: Int64 as pd.array(…, "Int64") makes them
            t["batch_id"] = pd.arrays.IntegerArray(np.where(none, 0, batch).astype(np.int64), none)
            t["missing_cur"] = _text(missing, t.index)
    t["provenance"] = t["prov_cur"]


_LABELS = ("name", "category", "decimals", "sort_order", "lead_department", "leader", "support_departments")


def attributes(t: pd.DataFrame, k: Keys, inds: pd.DataFrame, units: pd.DataFrame, labels: bool = True) -> None:
    """The indicator's and the unit's own columns, the months; ``labels`` False leaves out
    what only a reader needs (names, orders, departments, the missing units' names)."""
    ind_i, unit_i = t["_ind"].to_numpy(), t["_unit"].to_numpy()
    ind_attr = inds.reset_index(drop=True)
    t["indicator_code"] = _text(k.ind_codes.to_numpy()[ind_i], t.index)
    for src, dst in [("name", "indicator_name"), ("category", "category"), ("kind", "kind"),
                     ("direction", "direction"), ("frequency", "frequency"), ("unit", "unit"),
                     ("decimals", "decimals"), ("sort_order", "indicator_order"),
                     ("lead_department", "lead_department"), ("leader", "leader"),
                     ("support_departments", "support_departments")]:
        if labels or src not in _LABELS:
            t[dst] = _text(ind_attr[src].to_numpy()[ind_i], t.index)
    unit_attr = units.reset_index(drop=True)
    t["org_unit_code"] = _text(k.unit_codes.to_numpy()[unit_i], t.index)
    for src, dst in [("name", "org_unit_name"), ("parent_code", "parent_code"), ("level", "level"),
                     ("sort_order", "unit_order")]:
        if labels or src == "parent_code":
            t[dst] = _text(unit_attr[src].to_numpy()[unit_i], t.index)
    k.unit_names = unit_attr["name"].to_numpy(dtype=object)
    if labels:
        missing, names = t["missing_cur"].to_numpy(dtype=object), np.full(len(t), None, dtype=object)
        for i in np.flatnonzero(np.not_equal(missing, None)).tolist():  # partial rows only
            names[i] = k.names(missing[i])
        t["missing_units"] = _text(names, t.index)
    t["step"] = step_of(t["frequency"].to_numpy(dtype=object))
    t["due"] = due_month(t["frequency"].to_numpy(dtype=object), k.month)
    t["period"] = _text(np.full(len(t), k.period, dtype=object), t.index)
    month_labels = np.array([None] + [periods.make(k.year, d) for d in range(1, 13)], dtype=object)
    t["value_period"] = _text(month_labels[t["due"].to_numpy()], t.index)
    t["value"] = t["cur"]


def target_columns(t: pd.DataFrame, k: Keys, targets: pd.DataFrame) -> None:
    """target (the level T), target_basis, target_increase (T − B for levels), baseline,
    milestones; ``target_given`` says a target was set even where its level is unknown."""
    tpos = pd.Index(targets["key"]).get_indexer(t["key"].to_numpy())
    has = tpos >= 0
    at = np.where(has, tpos, 0)

    def pick(col, fill):
        if not len(targets):
            return np.full(len(t), fill, dtype=object if fill is None else float)
        vals = targets[col].to_numpy(dtype=object if fill is None else float)
        return np.where(has, vals[at], fill)

    is_level = t["kind"].isin(["stock", "ratio"]).to_numpy()
    basis = np.where(is_level, np.where(pick("basis", None) == "increase", "increase", "level"), "total")
    given = pick("value", np.nan)
    t["target_given"] = has
    t["target_basis"] = _text(np.where(has, basis, None), t.index)
    t["baseline"] = t["ly_end"].where(is_level)
    t["target"] = progress.target_level(t["kind"], t["target_basis"], given, t["baseline"]).to_numpy()
    t["target_increase"] = np.where(is_level & has, np.where(basis == "increase", given, t["target"] - t["baseline"]),
                                    np.nan)
    t["milestones"] = _text(pick("milestones", None), t.index)


def _published_for_siblings(t: pd.DataFrame, status: pd.Series) -> np.ndarray:
    """Annual rows without a value that count as 未报送, not 未到期: a year's figure is
    published late, but once a sibling (same indicator, same parent) has sent it, it is
    out — and the parent's total already names this unit as missing."""
    annual = (t["frequency"].to_numpy(dtype=object) == "annual") & (t["due"].to_numpy() > 0)
    empty = t["value"].isna().to_numpy()
    waiting = annual & empty & (status.to_numpy(dtype=object) == "not_due")
    if not waiting.any():
        return waiting
    at = np.flatnonzero(annual)
    pairs = list(zip(t["indicator_code"].to_numpy(dtype=object)[at],
                     t["parent_code"].astype(object).fillna("").to_numpy(dtype=object)[at]))
    sent = {pair for pair, no in zip(pairs, empty[at]) if not no}
    out = np.zeros(len(t), dtype=bool)
    out[at] = [pair in sent for pair in pairs]
    return waiting & out


def judge(t: pd.DataFrame, k: Keys, settings: Settings, projected: bool = True) -> None:
    """序时进度, the numbers a card shows and the status (``rules.progress.assess``), on
    the comparable basis where ``like_for_like_progress`` set one; with ``projected`` the
    labels and 预计全年 (``rules.projection``) too."""
    share = progress.last_year_share(t["kind"], t["pace_ly"], t["pace_ly_end"], t["pace_ly2_end"])
    expected, basis = progress.expected_arrays(t["due"].to_numpy(), t["milestones"], share, settings.pacing)
    basis[np.equal(basis, None)] = np.nan  # as the text column of ``expected_progress`` gives it back
    # 序时进度 is about a target: none without one
    given = t["target_given"].to_numpy()
    t["expected"] = np.where(given, expected, np.nan)
    t["expected_basis"] = _text(np.where(given, basis, None), t.index)
    t["pace_share"] = share.to_numpy()
    withheld = t["completion_basis"].eq("withheld").to_numpy()
    a = progress.assess_arrays(t["kind"], t["direction"], t["judged_value"], t["judged_target"],
                               t["judged_baseline"], t["expected"], basis=t["target_basis"],
                               target_given=t["target_given"] & ~withheld)
    for col in ("progress", "completion", "expected_value", "gap_value", "gap_pp"):
        t[col] = a[col]
    a["rule"][np.equal(a["rule"], None)] = np.nan  # as the text column of ``assess`` gives it back
    t["status_rule"] = _text(a["rule"], t.index)
    status = progress.status(t["frequency"], t["due"].to_numpy(), t["value"], t["judged_target"], a["progress"],
                             a["gap_pp"], rule=a["rule"], met=a["met"], year_over=t["due"].to_numpy() == 12,
                             target_given=t["target_given"] & ~withheld,
                             done_at=settings.done_at, lagging_from_pp=settings.lagging_from_pp)
    # a partial roll-up that cannot be judged like for like waits for the late units
    status = status.where(~(withheld & t["value"].notna().to_numpy() & (t["due"].to_numpy() > 0)), "missing")
    status = status.where(~_published_for_siblings(t, status), "missing")
    t["status"] = _text(status.to_numpy(), t.index)
    if not projected:
        return
    t["status_label"] = _text(_words(t["status"].to_numpy(dtype=object), progress.STATUS_LABELS), t.index)
    level = t["kind"].isin(["stock", "ratio"]).to_numpy()
    # last year-end a partial sum under a complete month: 较上年末, the increase to the target and
    # 预计全年 would set this month's units against fewer (README: like for like, or not at all)
    base_partial = level & (t["prov_ly_end"].to_numpy(dtype=object) == "partial") & ~t["provenance"].eq("partial").to_numpy()
    t["vs_baseline"] = (t["judged_value"] - t["judged_baseline"]).where(level & ~withheld)
    t["target_increase"] = t["target_increase"].where(~(base_partial & t["target_basis"].eq("level").to_numpy()))
    made = projection.projection(t["kind"], t["frequency"], t["value"], t["baseline"], share, t["due"].to_numpy(),
                                 partial=t["provenance"].eq("partial").to_numpy(), baseline_partial=base_partial)
    for col in made.columns:
        t[col] = made[col].to_numpy()
    t["projection_reaches"] = projection.reaches(t["direction"], t["projection"], t["target"])
