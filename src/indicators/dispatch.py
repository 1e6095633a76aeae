"""The dispatch table (调度表): one row per (indicator, org unit) for an as-of month.

The heavy part — picking the handful of periods each indicator needs out of the whole
observation history — runs inside DuckDB; the rules of DESIGN §4 then run on a small
frame through the pure functions of ``indicators.rules`` (rollup, comparable, progress,
ranking), one named step each (``compute_dispatch``).

The columns are documented once, in the README's ``status --json`` key table (pages,
reports and the CLI all read this table); ``COLUMNS`` is their order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.db import catalog
from indicators.db.connection import Connection
from indicators.dispatch_values import fetch_values, values_for
from indicators.dispatch_columns import LAST_ROLES, ROLES, attributes, judge, Keys, role_columns, target_columns
from indicators.dispatch_compare import comparisons, like_for_like_progress
from indicators.returns.review import review_column
from indicators.rules import month_change, periods, ranking
from indicators.rules.due import due_month, step_of
from indicators.rules.intkeys import first_seen
from indicators.rules.rollup import Rolled, codes_in, derived_ratios, is_derived_ratio, roll_up, rolled_codes
from indicators.settings import Settings


COLUMNS = [
    "indicator_code", "indicator_name", "category", "kind", "direction", "frequency", "unit",
    "decimals", "org_unit_code", "org_unit_name", "parent_code", "level", "unit_order",
    "indicator_order", "period", "value_period", "value", "period_value", "target", "target_basis",
    "target_increase", "baseline", "vs_baseline", "completion", "completion_basis", "comparable_value",
    "comparable_baseline", "comparable_target", "comparable_note", "progress", "expected", "expected_basis",
    "expected_value", "gap_value", "gap_pp", "status", "status_label", "status_rule", "yoy", "yoy_type",
    "yoy_unit", "yoy_pp", "yoy_basis", "yoy_note", "value_ly", "mom", "mom_type", "mom_unit", "mom_basis",
    "mom_note", "rank", "rank_of", "rank_by", "projection", "projection_reaches", "projection_basis",
    "projection_share", "projection_none", "lead_department", "leader", "support_departments", "provenance", "batch_id", "missing_units", "review",
    *month_change.LAST_COLUMNS,
]
BASE_COLUMNS = COLUMNS[:COLUMNS.index("review")]  # what compute_dispatch returns


def role_periods(frequency: str, period: str) -> dict[str, str | None]:
    """The months an indicator of ``frequency`` needs for the as-of ``period``."""
    year, month = periods.parse(period)
    step = step_of(frequency)
    due = due_month(frequency, month)

    def at(y: int, m: int) -> str | None:
        return periods.make(y, m) if 1 <= m <= 12 else None

    def back(n: int) -> str | None:
        """The period n steps before: across the new year (January's previous month is last
        December — a stock's 环比 in January; cumulative ones use none in their first month).
        An annual indicator has no previous period but last year, which is 同比."""
        m = due - n * step
        return at(year, m) if m >= 1 or step >= 12 else periods.make(year - 1, m + 12)

    return {
        "cur": at(year, due), "prev": back(1), "prev2": back(2),
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
                   unit: str | None = None, rank_by: str | None = None, last_month: bool = True) -> pd.DataFrame:
    """The dispatch table for as-of month ``period``; ``unit`` keeps that unit and its
    direct children; ``rank_by`` one of ``ranking.MEASURES`` (default: each sibling
    group's default measure). With ``last_month`` each row also carries last month's rank
    and gap and the moves (``rules.month_change``: 排名升降, 差距较上月) — last month's
    own dispatch table, same measure; without it (or in January) those columns are empty."""
    year, _ = periods.parse(period)
    units = catalog.org_units(con)
    inds = catalog.indicators(con)
    if inds.empty or units.empty:
        return pd.DataFrame(columns=COLUMNS)
    targets = catalog.current_targets(con, year)  # last month is in the same year: the same targets
    before = month_change.last_period(period) if last_month else None
    need = needed_periods(inds, period)
    need_last = needed_periods(inds, before) if before else None
    # one scan for both months: last month needs mostly the same months as this one
    fetched = fetch_values(con, need if need_last is None else pd.concat([need, need_last], ignore_index=True),
                           units, inds, settings.review_counts)
    values = values_for(fetched, need)
    values_last = values_for(fetched, need_last) if need_last is not None else None
    both = _rolled_both(fetched, values, values_last, units, inds, targets, period)
    table = compute_dispatch(values, units, inds, targets, need, period, settings, unit=unit, rank_by=rank_by,
                             rolled=both[0] if both else None)
    table["review"] = review_column(con, table, units, inds)
    # last month's own table (only its LAST_MONTH columns are kept: no review column for it)
    last = compute_dispatch(values_last, units, inds, targets, need_last, before, settings, rank_by=rank_by,
                            last_month=True, rolled=both[1] if both else None) if need_last is not None else None
    return month_change.with_last_month(table, last)[COLUMNS]


def compute_dispatch(values: pd.DataFrame, units: pd.DataFrame, inds: pd.DataFrame,
                     targets: pd.DataFrame, need: pd.DataFrame, period: str,
                     settings: Settings, unit: str | None = None, rank_by: str | None = None,
                     last_month: bool = False, rolled: Rolled | None = None) -> pd.DataFrame:
    """The pure part of ``dispatch_table``: from fetched values to the finished table.

    Rows are keyed by integer codes (indicator × unit); each role of ``need`` (this
    month, last month, same month last year, …) becomes one value column.
    ``last_month``: the table as ``month_change.with_last_month`` reads last month's —
    only its keys and ``LAST_MONTH`` columns, by the same steps, leaving out what none of
    them rests on (环比 and 当月值, 预计全年, names and labels) and the sort.
    ``rolled``: the roll-up of ``values`` already made (``_rolled_both``).
    """
    k = Keys(units, inds, period)
    targets = k.known_targets(targets)
    # roll_up_as_of's roll-up, kept as integer codes (no frame of categoricals and texts)
    if rolled is None:
        rolled = rolled_codes(values, units, inds, expected=targets[["indicator_code", "org_unit"]])
    t = k.rows(targets, rolled)
    role_columns(t, k, rolled, need, LAST_ROLES if last_month else ROLES)
    attributes(t, k, inds, units, labels=not last_month)
    target_columns(t, k, targets)
    k.own_source(values, need, inds)
    like_for_like_progress(t, k)
    judge(t, k, settings, projected=not last_month)
    comparisons(t, k, mom=not last_month)
    if last_month:  # ranks do not depend on the rows' order
        t[["rank", "rank_of", "rank_by"]] = ranking.rank(t, rank_by, groups=k.sibling_groups(t))
        out = t[month_change.KEYS + list(month_change.LAST_MONTH)].reset_index(drop=True)
        out.columns = pd.Index(month_change.KEYS + list(month_change.LAST_MONTH))
        return out
    t = t.sort_values(["indicator_order", "indicator_code", "level", "unit_order", "org_unit_code"])
    t[["rank", "rank_of", "rank_by"]] = ranking.rank(t, rank_by, groups=k.sibling_groups(t))
    if unit:  # computed over the whole tree, so a unit's rows read the same with or without it
        t = t[(t["org_unit_code"] == unit) | (t["parent_code"] == unit)]
    out = t[BASE_COLUMNS].reset_index(drop=True)  # review and last month: added by dispatch_table
    out.columns = pd.Index(BASE_COLUMNS)  # the labels as pandas makes them (not t's numpy objects)
    return out


def _rolled_both(fetched: pd.DataFrame, values: pd.DataFrame, values_last: pd.DataFrame | None,
                 units: pd.DataFrame, inds: pd.DataFrame, targets: pd.DataFrame, period: str) -> tuple[Rolled, Rolled] | None:
    """This month's and last month's roll-ups (``rolled_codes`` of ``values`` and of
    ``values_last``) from one roll-up of ``fetched``, the months of both; None when that
    could differ from rolling each up on its own (then each is rolled up on its own).

    Each (indicator, month) rolls up on its own: its rows, in the same order, whoever is
    expected to report that indicator. One roll-up of both months' values gives each
    month's rows as its own roll-up does when the same units are expected in both months
    — those with a target (the same year) and those that reported any of the months
    needed: checked here — and no derived ratio was also reported as such (a reported
    ratio wins over the computed one, and its months need not be the components')."""
    if values_last is None or fetched.empty:
        return None
    n_u = len(units)

    def reporters(v: pd.DataFrame) -> np.ndarray:  # (indicator, unit) with a value, as the roll-up sees them
        ok = ~np.isnan(v["value"].to_numpy(dtype=float))
        keys = v["indicator_code"].cat.codes.to_numpy(dtype=np.int64)[ok] * n_u \
            + v["org_unit"].cat.codes.to_numpy(dtype=np.int64)[ok]
        return keys[first_seen(keys)]

    expected_now = reporters(values)
    if not (np.array_equal(expected_now, reporters(values_last)) and np.array_equal(expected_now, reporters(fetched))):
        return None
    ratios = derived_ratios(inds)
    ind_codes = pd.Index(inds["code"].astype(str))
    if not fetched["indicator_code"].cat.categories.equals(ind_codes) or \
            fetched["indicator_code"].isin(ratios["code"]).to_numpy().any():
        return None
    expected = Keys(units, inds, period).known_targets(targets)[["indicator_code", "org_unit"]]
    union = rolled_codes(fetched, units, inds, expected=expected)
    return _rolled_part(union, values, ratios), _rolled_part(union, values_last, ratios)


def _rolled_part(union: Rolled, values: pd.DataFrame, ratios: pd.DataFrame) -> Rolled:
    """The rows of ``union`` that ``rolled_codes`` of ``values`` (a part of its values)
    gives: an (indicator, month) with a value in ``values``; a derived ratio at a month
    in which one of its components has one. Months coded over ``values``' months."""
    per_codes = pd.Index(values["period"].cat.categories.astype(str))
    n_pu = len(union.per_codes)
    ok = ~np.isnan(values["value"].to_numpy(dtype=float))
    v_ind = codes_in(values["indicator_code"], union.ind_codes)[ok].astype(np.int64)
    v_per = union.per_codes.get_indexer(per_codes)[values["period"].cat.codes.to_numpy()[ok]].astype(np.int64)
    present = np.zeros(len(union.ind_codes) * n_pu, dtype=bool)
    present[v_ind * n_pu + v_per] = True
    f = union.rows
    ind, per = f["ind"].astype(np.int64), f["per"].astype(np.int64)
    keep = present[ind * n_pu + per]
    for r in ratios.itertuples(index=False):
        code, num, den = union.ind_codes.get_indexer([r.code, r.numerator_code, r.denominator_code])
        if min(code, num, den) < 0:
            continue
        sel = ind == code
        keep[sel] = present[num * n_pu + per[sel]] | present[den * n_pu + per[sel]]
    rows = {c: a[keep] for c, a in f.items()}
    rows["per"] = per_codes.get_indexer(union.per_codes)[rows["per"]]
    return Rolled(rows=rows, ind_codes=union.ind_codes, unit_codes=union.unit_codes, per_codes=per_codes)
