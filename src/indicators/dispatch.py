"""The dispatch table (调度表): one row per (indicator, org unit) for an as-of month.

The heavy part — picking the handful of periods each indicator needs out of the whole
observation history — runs inside DuckDB; the rules of DESIGN §4 then run on a small
frame through the pure functions of ``indicators.rollup`` and ``indicators.progress``.

Columns of the result (documented because pages, reports and the CLI rely on them):
indicator_code, indicator_name, category, kind, direction, frequency, unit, decimals,
org_unit_code, org_unit_name, parent_code, level, unit_order, indicator_order,
period (as-of month), value_period (the month the value refers to), value,
period_value (当月/当季值, cumulative only), target, baseline, completion (fraction),
expected (fraction), expected_basis, gap_pp (points), status, status_label, yoy
(fraction; points for ratios), yoy_pp (bool: yoy is a difference), mom, rank, rank_of,
projection, projection_reaches, lead_department, leader, support_departments,
provenance (reported | rolled_up | partial), batch_id.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from indicators import catalog, periods, progress
from indicators.rollup import roll_up
from indicators.settings import Settings

ROLES = ("cur", "prev", "prev2", "ly", "ly_prev", "ly_end", "ly2_end")

COLUMNS = [
    "indicator_code", "indicator_name", "category", "kind", "direction", "frequency", "unit",
    "decimals", "org_unit_code", "org_unit_name", "parent_code", "level", "unit_order",
    "indicator_order", "period", "value_period", "value", "period_value", "target", "baseline",
    "completion", "expected", "expected_basis", "gap_pp", "status", "status_label", "yoy",
    "yoy_pp", "mom", "rank", "rank_of", "projection", "projection_reaches", "lead_department",
    "leader", "support_departments", "provenance", "batch_id",
]


def role_periods(frequency: str, period: str) -> dict[str, str | None]:
    """The months an indicator of ``frequency`` needs for the as-of ``period``."""
    year, month = periods.parse(period)
    step = periods.FREQ_STEP[frequency]
    due = periods.due_month(frequency, month)

    def at(y: int, m: int) -> str | None:
        return periods.make(y, m) if 1 <= m <= 12 else None

    return {
        "cur": at(year, due), "prev": at(year, due - step), "prev2": at(year, due - 2 * step),
        "ly": at(year - 1, due), "ly_prev": at(year - 1, due - step),
        "ly_end": periods.make(year - 1, 12), "ly2_end": periods.make(year - 2, 12),
    }


def _needed(indicators: pd.DataFrame, period: str) -> pd.DataFrame:
    """(indicator_code, role, period) for every indicator, components of derived ratios
    included with the ratio's months."""
    rows = []
    for ind in indicators.itertuples(index=False):
        for role, p in role_periods(ind.frequency, period).items():
            if p is None:
                continue
            rows.append((ind.code, role, p))
            if ind.kind == "ratio" and pd.notna(ind.numerator_code) and pd.notna(ind.denominator_code):
                rows.append((ind.numerator_code, "_component", p))
                rows.append((ind.denominator_code, "_component", p))
    return pd.DataFrame(rows, columns=["indicator_code", "role", "period"])


def fetch_values(con: duckdb.DuckDBPyConnection, need: pd.DataFrame) -> pd.DataFrame:
    """Current observations for the needed (indicator, period) pairs — one scan in DuckDB."""
    pairs = need[["indicator_code", "period"]].drop_duplicates()
    cur = con.cursor()
    try:
        cur.register("_need", pairs)
        return cur.execute(
            """SELECT o.indicator_code, o.org_unit, o.period, o.value, o.batch_id
               FROM current_observation o
               JOIN _need n ON n.indicator_code = o.indicator_code AND n.period = o.period"""
        ).df()
    finally:
        cur.close()


def dispatch_table(con: duckdb.DuckDBPyConnection, period: str, settings: Settings | None = None,
                   unit: str | None = None) -> pd.DataFrame:
    """The dispatch table for as-of month ``period``; ``unit`` keeps that unit and its
    direct children."""
    settings = settings or Settings()
    year, month = periods.parse(period)
    units = catalog.org_units(con)
    inds = catalog.indicators(con)
    if inds.empty or units.empty:
        return pd.DataFrame(columns=COLUMNS)
    targets = catalog.current_targets(con, year)
    need = _needed(inds, period)
    values = fetch_values(con, need)
    return compute_dispatch(values, units, inds, targets, need, period, settings, unit=unit)


def compute_dispatch(values: pd.DataFrame, units: pd.DataFrame, inds: pd.DataFrame,
                     targets: pd.DataFrame, need: pd.DataFrame, period: str,
                     settings: Settings, unit: str | None = None) -> pd.DataFrame:
    """The pure part of ``dispatch_table``: from fetched values to the finished table."""
    year, month = periods.parse(period)
    reported = values[["indicator_code", "org_unit"]].drop_duplicates()
    expected_pairs = pd.concat([targets[["indicator_code", "org_unit"]], reported]).drop_duplicates()
    rolled = roll_up(values, units, inds, expected_pairs)

    # rows: everything with a target this year or with any value in the months needed
    rows = pd.concat([
        targets[["indicator_code", "org_unit"]],
        rolled.loc[rolled["indicator_code"].isin(inds["code"]), ["indicator_code", "org_unit"]],
    ]).drop_duplicates()
    rows = rows[rows["org_unit"].isin(units["code"])]
    if unit:
        keep = set(units.loc[(units["code"] == unit) | (units["parent_code"] == unit), "code"])
        rows = rows[rows["org_unit"].isin(keep)]

    # one column per role: value (and provenance/batch for the current month)
    roles = need[need["role"] != "_component"]
    at_role = roles.merge(rolled, on=["indicator_code", "period"], how="inner")
    wide = at_role.pivot_table(index=["indicator_code", "org_unit"], columns="role", values="value",
                               aggfunc="first")
    wide = wide.reindex(columns=list(ROLES))
    cur = at_role[at_role["role"] == "cur"].set_index(["indicator_code", "org_unit"])[["provenance", "batch_id"]]
    t = (rows.merge(wide, left_on=["indicator_code", "org_unit"], right_index=True, how="left")
              .merge(cur, left_on=["indicator_code", "org_unit"], right_index=True, how="left"))

    ind = inds.set_index("code")
    t = t.join(ind[["name", "category", "kind", "direction", "frequency", "unit", "decimals",
                    "sort_order", "lead_department", "leader", "support_departments"]], on="indicator_code")
    t = t.rename(columns={"name": "indicator_name", "sort_order": "indicator_order"})
    u = units.set_index("code")
    t = t.join(u[["name", "parent_code", "level", "sort_order"]].rename(
        columns={"name": "org_unit_name", "sort_order": "unit_order"}), on="org_unit")
    tg = targets.set_index(["indicator_code", "org_unit"])[["value", "milestones"]].rename(columns={"value": "target"})
    t = t.join(tg, on=["indicator_code", "org_unit"])
    t = t.rename(columns={"org_unit": "org_unit_code"}).reset_index(drop=True)

    step = t["frequency"].map(periods.FREQ_STEP)
    due = t["frequency"].map(lambda f: periods.due_month(f, month)).astype("int64")
    t["period"] = period
    t["value_period"] = [periods.make(year, d) if d > 0 else None for d in due]
    t["value"] = t["cur"]
    is_level = t["kind"].isin(["stock", "ratio"])
    t["baseline"] = t["ly_end"].where(is_level)
    t["completion"] = progress.completion(t["kind"], t["direction"], t["value"], t["target"], t["baseline"])
    share = progress.last_year_share(t["kind"], t["ly"], t["ly_end"], t["ly2_end"])
    exp = progress.expected_progress(due, t["milestones"], share, settings.pacing)
    t["expected"], t["expected_basis"] = exp["expected"], exp["expected_basis"]
    t["gap_pp"] = progress.gap_pp(t["completion"], t["expected"])
    t["status"] = progress.status(t["frequency"], due, t["value"], t["target"], t["completion"], t["gap_pp"],
                                  done_at=settings.done_at, lagging_from_pp=settings.lagging_from_pp)
    t["status_label"] = t["status"].map(progress.STATUS_LABELS)
    t["yoy"] = progress.yoy(t["kind"], t["value"], t["ly"])
    t["yoy_pp"] = t["kind"].eq("ratio")
    first = (due <= step).to_numpy()
    t["period_value"] = progress.period_value(t["kind"], t["value"], t["prev"], first)
    prev_period_value = progress.period_value(t["kind"], t["prev"], t["prev2"], (due <= 2 * step).to_numpy())
    t["mom"] = np.where(t["kind"].eq("cumulative"),
                        progress.mom(t["kind"], t["period_value"], prev_period_value),
                        progress.mom(t["kind"], t["value"], t["prev"]))
    t.loc[first & t["kind"].eq("cumulative").to_numpy(), "mom"] = np.nan  # 1月 has no 环比 within the year
    t["projection"] = progress.projection(t["kind"], t["value"], share, due)
    t["projection_reaches"] = progress.reaches(t["direction"], t["projection"], t["target"])
    t["rank"] = progress.rank_among_siblings(t)
    t["rank_of"] = t.groupby(["indicator_code", "parent_code"], dropna=False)["org_unit_code"].transform("size")
    t["rank_of"] = t["rank_of"].where(t["parent_code"].notna()).astype("Int64")
    t.loc[t["value"].isna(), "provenance"] = None
    t = t.sort_values(["indicator_order", "indicator_code", "level", "unit_order", "org_unit_code"])
    return t[COLUMNS].reset_index(drop=True)
