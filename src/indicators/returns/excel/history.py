"""Checks that compare a return with what the database already holds: a cumulative
value below last month's, a value far outside the unit's own history, a percentage
written as a fraction, a file imported before. All run as a few DuckDB queries over
the registered frame, whatever its size.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.db import batches
from indicators.db.connection import Connection
from indicators.returns.excel.matching import Catalog, is_percent_unit
from indicators.returns.excel.validate import cell_text, empty_problems, one, where
from indicators.rules.periods import shift

OUTLIER_FACTOR = 10.0  # "far outside": ten times the largest (or a tenth of the smallest) value seen
MIN_HISTORY = 3


def previous_period(periods: pd.Series) -> pd.Series:
    """'2026-10' → '2026-09' for a whole column; January has no previous month in the year."""
    codes, uniques = pd.factorize(pd.Series(periods, dtype=object))
    prev = np.array([shift(u, -1) if isinstance(u, str) and not u.endswith("-01") else None for u in uniques] + [None],
                    dtype=object)
    return pd.Series(prev[codes], index=periods.index, dtype=object)


def _current(con: Connection, keys: pd.DataFrame, period_col: str) -> pd.DataFrame:
    """Current values for (indicator_code, org_unit, <period_col>) keys."""
    if period_col not in ("period", "prev_period"):  # an identifier in the SQL below: fixed list only
        raise ValueError(f"unexpected period column {period_col!r}")
    with con.registered("_keys", keys):
        return con.execute(f"""
            SELECT k.indicator_code, k.org_unit, k.{period_col} AS period, c.value
            FROM (SELECT DISTINCT indicator_code, org_unit, {period_col} FROM _keys) k
            JOIN current_observation c ON c.indicator_code = k.indicator_code
                 AND c.org_unit = k.org_unit AND c.period = k.{period_col}""").df()


def cumulative_fell(con: Connection | None, v: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """Warnings where a cumulative (1–m月累计) value is below the same unit's value for
    the month before, taken from this file first and the database second."""
    kinds = catalog.indicators["kind"]
    c = v[_per_code(v["indicator_code"], lambda code: kinds.get(code) == "cumulative")].copy()
    if c.empty:
        return empty_problems()
    c["prev_period"] = previous_period(c["period"])
    c = c[c["prev_period"].notna()]
    in_file = v[["indicator_code", "org_unit", "period", "value"]].rename(
        columns={"period": "prev_period", "value": "prev_value"})
    c = c.merge(in_file.drop_duplicates(["indicator_code", "org_unit", "prev_period"]),
                on=["indicator_code", "org_unit", "prev_period"], how="left")
    if con is not None and c["prev_value"].isna().any() and with_history(con, c["indicator_code"]):
        db = _current(con, c.loc[c["prev_value"].isna(), ["indicator_code", "org_unit", "prev_period"]], "prev_period")
        db = db.rename(columns={"period": "prev_period", "value": "db_value"})
        c = c.merge(db, on=["indicator_code", "org_unit", "prev_period"], how="left")
        c["prev_value"] = c["prev_value"].fillna(c["db_value"])
    fell = c["prev_value"].notna() & (c["value"] < c["prev_value"] - 1e-9)
    return where(c, fell, "cumulative_fell", lambda s: "累计值 " + cell_text(s["value"]) + " 小于上月（"
                 + s["prev_period"] + "）的 " + cell_text(s["prev_value"]), severity="warning")


def history_stats(con: Connection, v: pd.DataFrame) -> pd.DataFrame:
    """Per (indicator_code, org_unit) in ``v``: n, max_abs, min_pos, median of current
    values for periods other than those in the file."""
    # indicators the database holds nothing for need no look-up (a first import: none)
    known = with_history(con, v["indicator_code"])
    if not known:
        return pd.DataFrame({"indicator_code": pd.Series(dtype=object), "org_unit": pd.Series(dtype=object),
                             "n": pd.Series(dtype="int64"), "max_abs": pd.Series(dtype="float64"),
                             "min_pos": pd.Series(dtype="float64"), "median": pd.Series(dtype="float64")})
    # only the distinct pairs and periods go to DuckDB: scanning 100k Python strings costs
    ci, codes = pd.factorize(v["indicator_code"].to_numpy(dtype=object))
    cu, units = pd.factorize(v["org_unit"].to_numpy(dtype=object))
    pair = pd.unique(ci.astype("int64") * (len(units) + 1) + cu)
    ci, cu = np.divmod(pair, len(units) + 1)
    keys = pd.DataFrame({"indicator_code": pd.Series(np.append(codes.astype(object), None)[ci], dtype=object),
                         "org_unit": pd.Series(np.append(units.astype(object), None)[cu], dtype=object)})
    keys = keys[keys["indicator_code"].isin(known)]
    periods = pd.DataFrame({"period": pd.Series(pd.unique(v["period"].to_numpy(dtype=object)), dtype=object)})
    with con.registered("_keys", keys), con.registered("_periods", periods):
        return con.execute("""
            SELECT c.indicator_code, c.org_unit, count(*) AS n, max(abs(c.value)) AS max_abs,
                   min(c.value) FILTER (WHERE c.value > 0) AS min_pos, median(c.value) AS median
            FROM current_observation c
            JOIN _keys k ON c.indicator_code = k.indicator_code AND c.org_unit = k.org_unit
            WHERE c.period NOT IN (SELECT period FROM _periods) AND c.value IS NOT NULL
            GROUP BY ALL""").df()


def with_history(con: Connection, codes: pd.Series) -> set[str]:
    """Of the indicator codes in ``codes``, those with at least one current value stored."""
    distinct = [c for c in pd.unique(codes.to_numpy(dtype=object)) if isinstance(c, str)]
    if not distinct:
        return set()
    rows = con.execute("SELECT DISTINCT indicator_code FROM current_observation WHERE indicator_code IN "
                       "(SELECT unnest(?::VARCHAR[]))", [distinct]).fetchall()
    return {r[0] for r in rows}


def _per_code(codes: pd.Series, test) -> np.ndarray:
    """``test(code)`` per row, evaluated once per distinct code (False where no code)."""
    ci, uniq = pd.factorize(codes.to_numpy(dtype=object))
    return np.array([bool(test(u)) for u in uniq] + [False], dtype=bool)[ci]


def outliers(v: pd.DataFrame, stats: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    if stats.empty or v.empty:
        return empty_problems()
    j = v.merge(stats, on=["indicator_code", "org_unit"], how="inner")
    j = j[j["n"] >= MIN_HISTORY]
    kinds = j["indicator_code"].map(catalog.indicators["kind"])
    big = (j["max_abs"] > 0) & (j["value"].abs() > OUTLIER_FACTOR * j["max_abs"])
    # a cumulative value is small early in the year: only stocks and ratios have a floor
    small = (kinds != "cumulative") & j["min_pos"].notna() & (j["value"] > 0) & (j["value"] * OUTLIER_FACTOR < j["min_pos"])
    bad = (big | small).to_numpy(dtype=bool)
    return where(j, bad, "outlier", lambda s: "数值 " + cell_text(s["value"]) + " 与该单位历史数据（最大 "
                 + cell_text(s["max_abs"].round(4)) + "，中位 " + cell_text(s["median"].round(4))
                 + "）相差十倍以上，可能计量单位有误", severity="warning")


def percent_fractions(v: pd.DataFrame, stats: pd.DataFrame | None, catalog: Catalog,
                      shown_as_percent: np.ndarray | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Percent indicators whose numbers came without a % sign: Excel's 12.3% cell holds
    0.123. A cell whose format shows it as a percentage (``shown_as_percent``, from the
    file's styles) is multiplied by 100, always (a conversion). Of the rest, where all sit
    in [-1, 1]: where the unit's history says percentages are > 1, multiply by 100; with
    no history, warn.

    Returns (values, conversions rows, problems)."""
    units = catalog.indicators["unit"].map(is_percent_unit)
    pct_codes = set(units[units].index)
    cand = v["indicator_code"].isin(pct_codes) & ~v["percent"]
    if not cand.any():
        return v, pd.DataFrame(), empty_problems()
    styled = pd.DataFrame()
    if shown_as_percent is not None and (cand & shown_as_percent).any():
        shown = cand & shown_as_percent
        v = v.copy()
        v.loc[shown, "value"] = v.loc[shown, "value"] * 100
        counts = v.loc[shown, "indicator_code"].value_counts(sort=False)
        styled = pd.DataFrame({"indicator_code": list(counts.index), "from_unit": "百分比格式", "to_unit": "%",
                               "factor": 100.0, "rows": [int(n) for n in counts]})
        cand = cand & ~shown
    v, conv, probs = _unmarked_fractions(v, cand, stats, catalog)
    return v, pd.concat([c for c in (styled, conv) if not c.empty] or [pd.DataFrame()], ignore_index=True), probs


def _unmarked_fractions(v: pd.DataFrame, cand: pd.Series, stats: pd.DataFrame | None, catalog: Catalog):
    """``percent_fractions`` for the candidates nothing marks as a percentage."""
    if not cand.any():
        return v, pd.DataFrame(), empty_problems()
    g = v[cand].groupby("indicator_code")["value"]
    fractional = g.apply(lambda s: bool((s.abs() <= 1).all() and (s.abs() > 0).any()))
    codes = list(fractional[fractional].index)
    if not codes:
        return v, pd.DataFrame(), empty_problems()
    hist = (stats.groupby("indicator_code")["median"].median() if stats is not None and not stats.empty
            else pd.Series(dtype="float64"))
    convert = [c for c in codes if hist.get(c, np.nan) > 1.5]
    warn = [c for c in codes if c not in convert]
    v = v.copy()
    rows = cand & v["indicator_code"].isin(convert)
    v.loc[rows, "value"] = v.loc[rows, "value"] * 100
    conv = pd.DataFrame({"indicator_code": convert, "from_unit": "小数", "to_unit": "%", "factor": 100.0,
                         "rows": [int((rows & v["indicator_code"].eq(c)).sum()) for c in convert]})
    names = catalog.indicators["name"]
    probs = where(v, (cand & v["indicator_code"].isin(warn)).to_numpy(dtype=bool), "percent_fraction",
                  lambda s: "指标「" + s["indicator_code"].map(names).astype("str") + "」以%计，此处 "
                  + cell_text(s["value"]) + " 可能是小数形式（" + cell_text((s["value"] * 100).round(6)) + "%）",
                  severity="warning")
    return v, conv, probs.drop_duplicates(["sheet", "column", "rule"]) if len(probs) > 20 else probs


def same_file(con: Connection | None, sha256: str, file_name: str) -> list[dict]:
    if con is None:
        return []
    dup = batches.active_batch_with_file(con, sha256)
    if dup is None:
        return []
    return [one("duplicate_file", f"相同内容的文件「{dup['file_name']}」已于 {dup['uploaded_at']:%Y-%m-%d %H:%M} "
                f"导入（批次 {dup['id']}）", severity="warning", value=file_name)]
