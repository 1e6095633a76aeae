"""The dispatch table (调度表): one row per (indicator, org unit) for an as-of month.

The heavy part — picking the handful of periods each indicator needs out of the whole
observation history — runs inside DuckDB; the rules of DESIGN §4 then run on a small
frame through the pure functions of ``indicators.rules.rollup`` and ``indicators.rules.progress``.

Columns of the result (documented because pages, reports and the CLI rely on them):
indicator_code, indicator_name, category, kind, direction, frequency, unit, decimals,
org_unit_code, org_unit_name, parent_code, level, unit_order, indicator_order,
period (as-of month), value_period (the month the value refers to), value,
period_value (当月/当季值, cumulative only), target, baseline, completion (fraction),
expected (fraction), expected_basis, gap_pp (points), status, status_label, yoy
(fraction; points for ratios), yoy_pp (bool: yoy is a difference), mom, rank, rank_of,
projection, projection_reaches, lead_department, leader, support_departments,
provenance (reported | rolled_up | partial), batch_id, missing_units (for a partial
roll-up: the names of the direct children that have not reported, '、'-joined).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.db import catalog
from indicators.db.connection import Connection
from indicators.rules import periods, progress
from indicators.rules.due import due_month, step_of
from indicators.rules.rollup import is_derived_ratio, roll_up
from indicators.settings import Settings

ROLES = ("cur", "prev", "prev2", "ly", "ly_prev", "ly_end", "ly2_end")

COLUMNS = [
    "indicator_code", "indicator_name", "category", "kind", "direction", "frequency", "unit",
    "decimals", "org_unit_code", "org_unit_name", "parent_code", "level", "unit_order",
    "indicator_order", "period", "value_period", "value", "period_value", "target", "baseline",
    "completion", "expected", "expected_basis", "gap_pp", "status", "status_label", "yoy",
    "yoy_pp", "mom", "rank", "rank_of", "projection", "projection_reaches", "lead_department",
    "leader", "support_departments", "provenance", "batch_id", "missing_units",
]


def role_periods(frequency: str, period: str) -> dict[str, str | None]:
    """The months an indicator of ``frequency`` needs for the as-of ``period``."""
    year, month = periods.parse(period)
    step = step_of(frequency)
    due = due_month(frequency, month)

    def at(y: int, m: int) -> str | None:
        return periods.make(y, m) if 1 <= m <= 12 else None

    return {
        "cur": at(year, due), "prev": at(year, due - step), "prev2": at(year, due - 2 * step),
        "ly": at(year - 1, due), "ly_prev": at(year - 1, due - step),
        "ly_end": periods.make(year - 1, 12), "ly2_end": periods.make(year - 2, 12),
    }


def needed_periods(indicators: pd.DataFrame, period: str) -> pd.DataFrame:
    """(indicator_code, role, period) for every indicator, components of derived ratios
    included with the ratio's months."""
    rows = [row[:3] for row in _needed_rows(indicators, [period])]
    return pd.DataFrame(rows, columns=["indicator_code", "role", "period"])


def _needed_rows(indicators: pd.DataFrame, as_of: list[str]) -> list[tuple[str, str, str, str]]:
    """(indicator_code, role, period, as-of month) for each as-of month."""
    rows = []
    derived = is_derived_ratio(indicators).to_numpy()
    cols = indicators[["code", "frequency", "numerator_code", "denominator_code"]].itertuples(index=False)
    for ind, is_ratio in zip(cols, derived):
        for month in as_of:
            for role, p in role_periods(ind.frequency, month).items():
                if p is None:
                    continue
                rows.append((ind.code, role, p, month))
                if is_ratio:
                    rows.append((ind.numerator_code, "_component", p, month))
                    rows.append((ind.denominator_code, "_component", p, month))
    return rows


def fetch_values(con: Connection, need: pd.DataFrame, units: pd.DataFrame,
                 inds: pd.DataFrame) -> pd.DataFrame:
    """Current observations for the needed (indicator, period) pairs — one scan in DuckDB.

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
            """SELECT n.ind, u.unit, n.per, o.value, o.batch_id
               FROM current_observation o
               JOIN _need n ON n.indicator_code = o.indicator_code AND n.period = o.period
               JOIN _units u ON u.code = o.org_unit"""
        ).fetchnumpy()
    return pd.DataFrame({
        "indicator_code": pd.Categorical.from_codes(raw["ind"].astype(np.int64), categories=ind_codes),
        "org_unit": pd.Categorical.from_codes(raw["unit"].astype(np.int64), categories=unit_codes),
        "period": pd.Categorical.from_codes(raw["per"].astype(np.int64), categories=per_codes),
        "value": np.asarray(raw["value"], dtype=float),
        "batch_id": np.asarray(raw["batch_id"], dtype=float),
    })


def roll_up_as_of(values: pd.DataFrame, units: pd.DataFrame, inds: pd.DataFrame,
                  targets: pd.DataFrame) -> pd.DataFrame:
    """The roll-up the dispatch table of one as-of month rests on. ``values`` are the
    months that month needs (``needed_periods``); a unit with a target that year is
    expected to report, so a parent lacking it is ``partial``. The trend chart goes
    through here too (``month_by_month``), so its 部分汇总 marks are the table's."""
    return roll_up(values, units, inds, expected=targets[["indicator_code", "org_unit"]])


def month_by_month(values: pd.DataFrame, units: pd.DataFrame, inds: pd.DataFrame, targets: pd.DataFrame,
                   year: int, upto: int) -> pd.DataFrame:
    """Each month 1..``upto`` of ``year`` as that month's dispatch table sees it: the
    rolled values of the month itself, from the same needed months and the same
    expected reporters (who counts as expected depends on the months looked at, so a
    roll-up over the whole year could mark other months partial than the table does).
    ``values``: current observations covering those months and the two years before.
    Columns: indicator_code, org_unit, period, value, batch_id, provenance.

    One roll-up call does all months: each month's values, indicators and targets go in
    as a copy of their own (codes tagged ``@YYYY-MM``), and the roll-up never mixes indicators.
    """
    keys = ["indicator_code", "period"]
    columns = ["indicator_code", "org_unit", "period", "value", "batch_id", "provenance"]
    months = range(1, upto + 1)
    if not len(months) or values.empty:
        return pd.DataFrame(columns=columns)
    as_of = [periods.make(year, m) for m in months]
    need = pd.DataFrame(list({(code, p, month) for code, _, p, month in _needed_rows(inds, as_of)}),
                        columns=[*keys, "as_of"])
    v = values.merge(need, on=keys)
    tagged = v.assign(indicator_code=v["indicator_code"].astype(object) + "@" + v["as_of"])
    copies = _per_month_copies(inds, ["code", "numerator_code", "denominator_code"], as_of)
    expected = _per_month_copies(targets, ["indicator_code"], as_of)
    rolled = roll_up_as_of(tagged.drop(columns="as_of"), units, copies, expected)
    code_as_of = rolled["indicator_code"].astype(object).str.rsplit("@", n=1)
    rolled = rolled.astype({"org_unit": object, "period": object}).assign(indicator_code=code_as_of.str[0])
    return rolled[rolled["period"] == code_as_of.str[1]][columns].reset_index(drop=True)


def _per_month_copies(frame: pd.DataFrame, code_columns: list[str], as_of: list[str]) -> pd.DataFrame:
    """``frame`` once per as-of month, its code columns tagged ``@YYYY-MM``."""
    copies = frame.iloc[np.repeat(np.arange(len(frame)), len(as_of))].reset_index(drop=True)
    tags = pd.Series(np.tile(np.array(["@" + p for p in as_of], dtype=object), len(frame)), dtype=object)
    return copies.assign(**{c: copies[c].astype(object) + tags for c in code_columns})


def dispatch_table(con: Connection, period: str, settings: Settings,
                   unit: str | None = None) -> pd.DataFrame:
    """The dispatch table for as-of month ``period``; ``unit`` keeps that unit and its
    direct children."""
    year, month = periods.parse(period)
    units = catalog.org_units(con)
    inds = catalog.indicators(con)
    if inds.empty or units.empty:
        return pd.DataFrame(columns=COLUMNS)
    targets = catalog.current_targets(con, year)
    need = needed_periods(inds, period)
    values = fetch_values(con, need, units, inds)
    return compute_dispatch(values, units, inds, targets, need, period, settings, unit=unit)


def compute_dispatch(values: pd.DataFrame, units: pd.DataFrame, inds: pd.DataFrame,
                     targets: pd.DataFrame, need: pd.DataFrame, period: str,
                     settings: Settings, unit: str | None = None) -> pd.DataFrame:
    """The pure part of ``dispatch_table``: from fetched values to the finished table.

    Rows are keyed by integer codes (indicator × unit); each role of ``need`` (this
    month, last month, same month last year, …) becomes one value column.
    """
    year, month = periods.parse(period)
    ind_codes, unit_codes = pd.Index(inds["code"]), pd.Index(units["code"])
    n_u = len(unit_codes)
    t_ind = ind_codes.get_indexer(targets["indicator_code"])
    t_unit = unit_codes.get_indexer(targets["org_unit"])
    t_ok = (t_ind >= 0) & (t_unit >= 0)
    targets = targets[t_ok]
    t_key = t_ind[t_ok].astype(np.int64) * n_u + t_unit[t_ok]

    rolled = roll_up_as_of(values, units, inds, targets)
    r_ind = ind_codes.get_indexer(rolled["indicator_code"].cat.categories)[rolled["indicator_code"].cat.codes]
    r_unit = rolled["org_unit"].cat.codes.to_numpy(dtype=np.int64)
    r_per = np.asarray(rolled["period"].cat.categories.astype(str))[rolled["period"].cat.codes]
    r_ok = r_ind >= 0
    r_key = r_ind.astype(np.int64) * n_u + r_unit

    # rows: everything with a target this year or with any value in the months needed
    keys = np.unique(np.concatenate([t_key, r_key[r_ok]]))
    if unit:
        keep = np.flatnonzero((units["code"] == unit) | (units["parent_code"] == unit))
        keys = keys[np.isin(keys % n_u, keep)]
    row_index = pd.Index(keys)
    ind_i, unit_i = keys // n_u, keys % n_u
    n = len(keys)

    # one value column per role: the rolled value at that role's month
    t = pd.DataFrame(index=np.arange(n))
    r_pos = row_index.get_indexer(r_key)
    for role in ROLES:
        months = need[need["role"] == role].set_index("indicator_code")["period"]
        role_month = months.reindex(ind_codes).to_numpy(dtype=object)  # per indicator
        hit = (r_pos >= 0) & r_ok & (r_per == role_month[np.where(r_ok, r_ind, 0)])
        col = np.full(n, np.nan)
        col[r_pos[hit]] = rolled["value"].to_numpy()[hit]
        t[role] = col
        if role == "cur":
            prov = np.full(n, None, dtype=object)
            prov[r_pos[hit]] = rolled["provenance"].to_numpy()[hit]
            batch = np.full(n, np.nan)
            batch[r_pos[hit]] = rolled["batch_id"].to_numpy(dtype=float, na_value=np.nan)[hit]
            t["provenance"], t["batch_id"] = _text(prov, t.index), pd.array(np.where(np.isnan(batch), None, batch), dtype="Int64")

    ind_attr = inds.reset_index(drop=True)
    t["indicator_code"] = _text(ind_codes.to_numpy()[ind_i], t.index)
    for src, dst in [("name", "indicator_name"), ("category", "category"), ("kind", "kind"),
                     ("direction", "direction"), ("frequency", "frequency"), ("unit", "unit"),
                     ("decimals", "decimals"), ("sort_order", "indicator_order"),
                     ("lead_department", "lead_department"), ("leader", "leader"),
                     ("support_departments", "support_departments")]:
        t[dst] = _text(ind_attr[src].to_numpy()[ind_i], t.index)
    unit_attr = units.reset_index(drop=True)
    t["org_unit_code"] = _text(unit_codes.to_numpy()[unit_i], t.index)
    for src, dst in [("name", "org_unit_name"), ("parent_code", "parent_code"), ("level", "level"),
                     ("sort_order", "unit_order")]:
        t[dst] = _text(unit_attr[src].to_numpy()[unit_i], t.index)
    tpos = pd.Index(t_key).get_indexer(keys)
    has_t = tpos >= 0
    t["target"] = np.where(has_t, targets["value"].to_numpy(dtype=float)[np.where(has_t, tpos, 0)], np.nan)
    t["milestones"] = _text(np.where(has_t, targets["milestones"].to_numpy(dtype=object)[np.where(has_t, tpos, 0)], None), t.index)

    step = step_of(t["frequency"])
    due = due_month(t["frequency"], month)
    t["period"] = _text(np.full(n, period, dtype=object), t.index)
    month_labels = np.array([None] + [periods.make(year, d) for d in range(1, 13)], dtype=object)
    t["value_period"] = _text(month_labels[due], t.index)
    t["value"] = t["cur"]
    is_level = t["kind"].isin(["stock", "ratio"])
    t["baseline"] = t["ly_end"].where(is_level)
    t["missing_units"] = _text(np.full(n, None, dtype=object), t.index)
    comp_target, comp_base = _like_for_like(t)
    t["completion"] = progress.completion(t["kind"], t["direction"], t["value"], comp_target, comp_base)
    share = progress.last_year_share(t["kind"], t["ly"], t["ly_end"], t["ly2_end"])
    exp = progress.expected_progress(due, t["milestones"], share, settings.pacing)
    t["expected"], t["expected_basis"] = exp["expected"].to_numpy(), _text(exp["expected_basis"].to_numpy(), t.index)
    t["gap_pp"] = progress.gap_pp(t["completion"], t["expected"])
    t["status"] = progress.status(t["frequency"], due, t["value"], t["target"], t["completion"], t["gap_pp"],
                                  done_at=settings.done_at, lagging_from_pp=settings.lagging_from_pp)
    t["status_label"] = _text(t["status"].map(progress.STATUS_LABELS).to_numpy(dtype=object), t.index)
    t["yoy"] = progress.yoy(t["kind"], t["value"], t["ly"])
    t["yoy_pp"] = t["kind"].eq("ratio")
    first = due <= step
    t["period_value"] = progress.period_value(t["kind"], t["value"], t["prev"], first)
    prev_period_value = progress.period_value(t["kind"], t["prev"], t["prev2"], due <= 2 * step)
    is_cum = t["kind"].eq("cumulative").to_numpy()
    t["mom"] = np.where(is_cum, progress.mom(t["kind"], t["period_value"], prev_period_value),
                        progress.mom(t["kind"], t["value"], t["prev"]))
    t.loc[first & is_cum, "mom"] = np.nan  # the first month has no 环比 within the year
    t["projection"] = progress.projection(t["kind"], t["value"], share, due)
    t["projection_reaches"] = progress.reaches(t["direction"], t["projection"], t["target"])
    t["rank"] = progress.rank_among_siblings(t)
    t["rank_of"] = t.groupby(["indicator_code", "parent_code"], dropna=False)["org_unit_code"].transform("size")
    t["rank_of"] = t["rank_of"].where(t["parent_code"].notna()).astype("Int64")
    t = t.sort_values(["indicator_order", "indicator_code", "level", "unit_order", "org_unit_code"])
    t["missing_units"] = _missing_children(t)
    return t[COLUMNS].reset_index(drop=True)


def _text(values, index) -> pd.Series:
    """A text column kept as numpy objects: pandas 3 would convert every assigned array
    of strings to an Arrow string column, which costs more than the rules themselves."""
    return pd.Series(values, index=index, dtype=object, copy=False)


def _like_for_like(t: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Target and baseline to measure a *partial* stock roll-up against.

    A stock's progress is measured from last year-end, so a district that has not
    reported yet would make the city look as if it had lost that district's whole level
    (−400 % instead of +60 %). For such rows the missing direct children's own baseline
    and target are left out on both sides; the official target stays in ``target``.
    Everything else (and any row where a missing child lacks a target or baseline) is
    measured as it stands.
    """
    target, base = t["target"].copy(), t["baseline"].copy()
    gaps = t[t["cur"].isna() & t["parent_code"].notna() & t["kind"].eq("stock")]
    if gaps.empty:
        return target, base
    sums = gaps.groupby(["indicator_code", "parent_code"]).agg(
        t_sum=("target", "sum"), b_sum=("ly_end", "sum"),
        t_na=("target", lambda x: x.isna().sum()), b_na=("ly_end", lambda x: x.isna().sum()))
    keys = pd.MultiIndex.from_arrays([t["indicator_code"], t["org_unit_code"]])
    adj = sums.reindex(keys).set_axis(t.index)
    use = (t["provenance"].eq("partial") & t["kind"].eq("stock") & adj["t_sum"].notna()
           & adj["t_na"].eq(0) & adj["b_na"].eq(0) & t["target"].notna() & t["baseline"].notna())
    target[use] = t["target"][use] - adj["t_sum"][use]
    base[use] = t["baseline"][use] - adj["b_sum"][use]
    return target, base


def _missing_children(t: pd.DataFrame) -> pd.Series:
    """For partial roll-ups, which direct children have not reported ('、'-joined names),
    so a partial number is never shown without saying what it lacks."""
    gaps = t[t["status"].eq("missing") & t["parent_code"].notna()]
    names = gaps.groupby(["indicator_code", "parent_code"], sort=False)["org_unit_name"].agg("、".join)
    keys = pd.MultiIndex.from_arrays([t["indicator_code"], t["org_unit_code"]])
    out = pd.Series(names.reindex(keys).to_numpy(), index=t.index, dtype=object)
    return out.where(t["provenance"].eq("partial").to_numpy(), None)
