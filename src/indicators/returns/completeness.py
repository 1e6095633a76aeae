"""Who reported what for a month: completeness, the 催报 (chase) list, and timeliness
against the deadline (``Settings.deadline_day`` of the following month, by the upload
time of the first batch that brought the value).

Which (unit, indicator) pairs are expected: an indicator due in the month (by its
frequency; derived ratios are computed, not reported) is expected from every unit that
has a target for it that year; an indicator without targets is expected from every
district-level unit (level 1, or every unit when there is no level 1). A unit with
units under it is expected only where its value cannot be added up from theirs: ratios
without components, and what it reported itself during the past year.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from indicators.db import catalog
from indicators.db.connection import Connection
from indicators.formatting import date_label
from indicators.rules.due import deadline, due_indicators
from indicators.rules.periods import label
from indicators.settings import Settings

DETAIL_COLUMNS = ["org_unit", "org_unit_name", "indicator_code", "indicator_name", "lead_department", "reported",
                  "value", "first_reported_at", "deadline", "on_time", "status"]


def expected_pairs(con: Connection, period: str) -> pd.DataFrame:
    """Columns: org_unit, indicator_code."""
    ind = due_indicators(catalog.indicators(con), period)
    units = catalog.org_units(con)
    targets = catalog.current_targets(con, int(period[:4]))[["indicator_code", "org_unit"]]
    # isin with the distinct values: pandas' Arrow strings turn every value of the list
    # into a scalar one by one (1.2 s per call on 57,600 targets)
    targets = targets[targets["indicator_code"].isin(ind["code"].unique()) & targets["org_unit"].isin(units["code"].unique())]
    districts = units[units["level"] == 1]["code"] if (units["level"] == 1).any() else units["code"]
    no_target = ind[~ind["code"].isin(targets["indicator_code"].unique())]["code"]
    fallback = pd.MultiIndex.from_product([districts, no_target], names=["org_unit", "indicator_code"]).to_frame(index=False)
    pairs = pd.concat([targets[["org_unit", "indicator_code"]], fallback], ignore_index=True).drop_duplicates()
    return _own_reports_only(con, pairs, period)


def _own_reports_only(con: Connection, pairs: pd.DataFrame, period: str) -> pd.DataFrame:
    """A unit with units under it (the city) is not chased for what its children's
    returns add up to: only for ratios that do not roll up, and for what it reported
    itself in the past year (e.g. the city's own GDP figure)."""
    # the past year's own reports are looked up only for units with units under them
    # (the others are kept whatever they reported): a join on a few hundred pairs, not a
    # correlated scan of current_observation per pair; ``n`` keeps the pairs' order
    with con.registered("_pairs_in", pairs.assign(n=range(len(pairs)))):
        return con.execute("""
            WITH parents AS (SELECT DISTINCT parent_code AS code FROM org_unit WHERE parent_code IS NOT NULL),
            own AS (SELECT DISTINCT o.org_unit, o.indicator_code FROM current_observation o
                    WHERE o.org_unit IN (SELECT code FROM parents) AND o.period < ? AND o.period >= ?)
            SELECT p.org_unit, p.indicator_code FROM _pairs_in p
            JOIN indicator i ON i.code = p.indicator_code
            LEFT JOIN own ON own.org_unit = p.org_unit AND own.indicator_code = p.indicator_code
            WHERE p.org_unit NOT IN (SELECT code FROM parents) OR i.kind = 'ratio' OR own.org_unit IS NOT NULL
            ORDER BY p.n""",
            [period, f"{int(period[:4]) - 1}{period[4:]}"]).df()


# when each (unit, indicator) value of a period first came: the upload time of the
# earliest batch still in force that holds a value for it — 按时 when that is by the deadline
_FIRST_REPORTS = """
    SELECT o.indicator_code, o.org_unit, min(b.uploaded_at) AS first_reported_at
    FROM observation o JOIN batch b ON b.id = o.batch_id
    WHERE o.period = ? AND b.status = 'active' AND o.value IS NOT NULL
    GROUP BY ALL"""


def sent_late(con: Connection, period: str, settings: Settings) -> pd.DataFrame:
    """The (org_unit, indicator_code) values of ``period`` that first came after its
    deadline (逾期报送, as ``completeness`` says of them), with first_reported_at."""
    due_at = deadline(period, settings.deadline_day)
    return con.execute(f"SELECT * FROM ({_FIRST_REPORTS}) WHERE first_reported_at > ?", [period, due_at]).df()


def status_moment(period: str, settings: Settings, now: dt.datetime) -> dt.datetime:
    """The moment that gives ``completeness`` the same statuses as ``now``: the clock
    matters only as before or after the deadline (待报送 or 未报送), so a cached result
    keyed by it serves every minute on the same side of the deadline."""
    due_at = deadline(period, settings.deadline_day)
    return due_at + dt.timedelta(microseconds=1) if now > due_at else due_at


def completeness(con: Connection, period: str, *, settings: Settings,
                 now: dt.datetime) -> pd.DataFrame:
    """One row per expected (unit, indicator) of ``period`` (``DETAIL_COLUMNS``).

    ``status``: 按时报送 | 逾期报送 | 未报送 (past the deadline) | 待报送 (not yet due).
    ``on_time`` is NA for values not reported."""
    due_at = deadline(period, settings.deadline_day)
    pairs = expected_pairs(con, period)
    with con.registered("_pairs", pairs):
        detail = con.execute(f"""
            WITH first AS ({_FIRST_REPORTS})
            SELECT p.org_unit, u.name AS org_unit_name, p.indicator_code, i.name AS indicator_name,
                   d.name AS lead_department, c.value IS NOT NULL AS reported, c.value, f.first_reported_at
            FROM _pairs p
            JOIN org_unit u ON u.code = p.org_unit
            JOIN indicator i ON i.code = p.indicator_code
            LEFT JOIN responsibility r ON r.indicator_code = p.indicator_code
            LEFT JOIN department d ON d.code = r.lead_department
            LEFT JOIN current_observation c ON c.indicator_code = p.indicator_code AND c.org_unit = p.org_unit
                 AND c.period = ?
            LEFT JOIN first f ON f.indicator_code = p.indicator_code AND f.org_unit = p.org_unit
            ORDER BY u.level, u.sort_order, p.org_unit, i.sort_order, p.indicator_code""", [period, period]).df()
    detail["deadline"] = due_at
    reported = detail["reported"].astype(bool)
    on_time = pd.Series(pd.NA, index=detail.index, dtype="boolean")
    on_time[reported] = detail.loc[reported, "first_reported_at"] <= due_at
    detail["on_time"] = on_time
    late = "未报送" if now > due_at else "待报送"
    detail["status"] = [late if not r else ("按时报送" if t else "逾期报送") for r, t in zip(reported, on_time)]
    return detail[DETAIL_COLUMNS]


def unit_summary(detail: pd.DataFrame) -> pd.DataFrame:
    """Per unit: org_unit, org_unit_name, expected, reported, missing, rate (0–1),
    last_upload, timeliness (按时 | 逾期 | 未报送 | 部分报送 | 待报送)."""
    g = detail.groupby(["org_unit", "org_unit_name"], sort=False)
    out = g.agg(expected=("indicator_code", "size"), reported=("reported", "sum"),
                late=("status", lambda s: (s == "逾期报送").sum()),
                overdue=("status", lambda s: (s == "未报送").sum()),
                last_upload=("first_reported_at", "max")).reset_index()
    out["missing"] = out["expected"] - out["reported"]
    out["rate"] = out["reported"] / out["expected"]

    def verdict(r):
        if r.reported == 0:
            return "未报送" if r.overdue else "待报送"
        if r.missing and r.overdue:
            return "部分报送"
        return "逾期" if r.late else "按时"
    out["timeliness"] = [verdict(r) for r in out.itertuples(index=False)]
    return out[["org_unit", "org_unit_name", "expected", "reported", "missing", "rate", "last_upload", "timeliness"]]


def chase_list(detail: pd.DataFrame) -> pd.DataFrame:
    """The 催报 list: missing values grouped by unit. Columns: org_unit, org_unit_name,
    missing (count), indicators ('、'-joined names), lead_departments."""
    miss = detail[~detail["reported"].astype(bool)]
    if miss.empty:
        return pd.DataFrame(columns=["org_unit", "org_unit_name", "missing", "indicators", "lead_departments"])
    return miss.groupby(["org_unit", "org_unit_name"], sort=False).agg(
        missing=("indicator_code", "size"),
        indicators=("indicator_name", lambda s: "、".join(s)),
        lead_departments=("lead_department", lambda s: "、".join(dict.fromkeys(x for x in s if isinstance(x, str)))),
    ).reset_index()


def chase_text(detail: pd.DataFrame, period: str, settings: Settings) -> str:
    """A 催报 notice draft in Chinese."""
    chase = chase_list(detail)
    due = deadline(period, settings.deadline_day)
    if chase.empty:
        return f"{label(period)}各单位数据已全部报送。"
    lines = [f"关于报送{label(period)}科技重点指标数据的提醒", "",
             f"截至目前，以下单位{label(period)}数据尚未报送完整（报送截止：{date_label(due)}）：", ""]
    for i, r in enumerate(chase.itertuples(index=False), start=1):
        lines.append(f"{i}. {r.org_unit_name}：缺 {r.missing} 项（{r.indicators}）")
    lines += ["", "请尽快通过系统下载模板填报上传。"]
    return "\n".join(lines)
