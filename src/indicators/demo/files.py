"""The demo city 示例市 as data, in the shapes real data takes, for an as-of month.

- ``demo_setup_frames(as_of, settings)`` — the setup workbook's frames;
- ``demo_target_revisions(as_of, settings)`` — the current year's targets changed later,
  to load after the setup;
- ``demo_observations(as_of, settings)`` — monthly values from January two years before
  to ``as_of`` (indicator_code, org_unit, period, value), districts only except what the
  city reports itself;
- ``demo_return_files(out_dir, as_of, settings)`` — the same values as the returns a
  bureau would hold: one long-layout workbook per month for the last six months, each
  with the time it was sent, and the months before them as one CSV of history loaded
  when the system was set up;
- ``demo_design(as_of, settings)`` — what each as-of series was aimed at.

``settings`` brings the rules the statuses are aimed under (``indicators.demo.aim``) and
the deadline day; ``as_of`` is normally ``as_of_month(settings)``, the latest due month.
Everything is deterministic: the same call gives the same frames and byte-identical files.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import xlsxwriter

from indicators import clock
from indicators.demo.city import CITY, INDICATORS, ORG_UNITS, setup_tables
from indicators.demo.simulate import MISSING_UNIT, simulate
from indicators.rules import due, periods
from indicators.settings import Settings
from indicators.setup.workbook import SHEETS

OBSERVATION_COLUMNS = ["indicator_code", "org_unit", "period", "value"]
RETURN_HEADER = ["期间", "单位代码", "单位名称", "指标代码", "指标名称", "数值"]
MONTHLY_FILES = 6  # the last half year of returns, one file per month; the months before come as history
LATE_DAYS = {-2: 3, -1: 1}  # months before the as-of month whose return came late, by how many days

__all__ = ["CITY", "MISSING_UNIT", "RETURN_HEADER", "as_of_month", "demo_setup_frames", "demo_target_revisions",
           "demo_observations", "demo_return_files", "demo_design"]


def as_of_month(settings: Settings) -> str:
    """The month the demo is built up to: the latest due month on the settings' clock."""
    return due.latest_due_month(clock.today(settings), settings.deadline_day)


def _target_frame(rows: list[dict]) -> pd.DataFrame:
    cols = [c.name for c in SHEETS["target"][1]]
    frame = pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)
    frame["year"] = frame["year"].astype("int64")
    frame["value"] = frame["value"].astype("float64")
    frame["milestones"] = frame["milestones"].astype(object).where(frame["milestones"].notna(), None)
    return frame.sort_values(["indicator_code", "org_unit", "year"], key=_order_key).reset_index(drop=True)


def _order_key(col: pd.Series) -> pd.Series:
    if col.name == "indicator_code":
        return col.map({i["code"]: i["sort_order"] for i in INDICATORS})
    if col.name == "org_unit":
        return col.map({u["code"]: u["sort_order"] for u in ORG_UNITS})
    return col


def demo_setup_frames(as_of: str, settings: Settings) -> dict[str, pd.DataFrame]:
    """Frames keyed org_unit, department, leader, indicator, responsibility, target, contact —
    ready for ``workbook.write_workbook`` or ``workbook.load_setup``."""
    frames = setup_tables()
    frames["target"] = _target_frame(simulate(as_of, settings).targets)
    return {t: frames[t] for t in SHEETS}


def demo_target_revisions(as_of: str, settings: Settings) -> pd.DataFrame:
    """The current year's targets revised after they were set: target-sheet columns, to
    be loaded after ``demo_setup_frames(...)['target']`` so that they become current."""
    return _target_frame(simulate(as_of, settings).revisions)


def demo_observations(as_of: str, settings: Settings) -> pd.DataFrame:
    """All values: columns indicator_code, org_unit, period ('YYYY-MM'), value.

    Districts report everything except derived ratios; the city reports only 地区生产总值
    and 每万人发明专利拥有量. 青溪县 (``MISSING_UNIT``) has nothing for ``as_of``.
    """
    rows = [(code, unit, p, v)
            for (code, unit), series in simulate(as_of, settings).values.items()
            for p, v in series.items()
            if not (unit == MISSING_UNIT and p == as_of)]
    frame = pd.DataFrame(rows, columns=OBSERVATION_COLUMNS)
    frame["value"] = frame["value"].astype("float64")
    return frame.sort_values(["period", "org_unit", "indicator_code"], key=_order_key).reset_index(drop=True)


def demo_design(as_of: str, settings: Settings) -> pd.DataFrame:
    """The status each as-of series was aimed at and the status its try got (columns
    indicator_code, org_unit, period, value, target, aimed, status), plus the missing and
    not-yet-due rows."""
    cols = ["indicator_code", "org_unit", "period", "value", "target", "aimed", "status"]
    frame = pd.DataFrame([{c: d.get(c) for c in cols} for d in simulate(as_of, settings).design], columns=cols)
    return frame.sort_values(["indicator_code", "org_unit"], key=_order_key).reset_index(drop=True)


def sent_at(period: str, deadline_day: int, as_of: str) -> dt.datetime:
    """When the demo's return of ``period`` was sent: 09:30 on the deadline day, a few
    days after it for the two months before ``as_of`` (the timeliness view has
    something to show)."""
    late = LATE_DAYS.get(_months_between(as_of, period), 0)
    day = due.deadline(period, deadline_day).date() + dt.timedelta(days=late)
    return dt.datetime.combine(day, dt.time(9, 30))


def _months_between(later: str, earlier: str) -> int:
    (y1, m1), (y0, m0) = periods.parse(later), periods.parse(earlier)
    return (y0 * 12 + m0) - (y1 * 12 + m1)


def demo_return_files(out_dir: str | Path, as_of: str, settings: Settings) -> list[tuple[Path, dt.datetime]]:
    """Write the demo's returns into ``out_dir``; returns (path, sent at) oldest first.

    The last ``MONTHLY_FILES`` months are long-layout workbooks with a title row above
    the header 期间 | 单位代码 | 单位名称 | 指标代码 | 指标名称 | 数值, as analysts upload
    them; the months before come as one CSV of history with the same columns."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    obs = demo_observations(as_of, settings).merge(_names(), on=["indicator_code", "org_unit"], how="left")
    first_monthly = periods.shift(as_of, 1 - MONTHLY_FILES)
    old = obs[obs["period"] < first_monthly]
    files = []
    if len(old):
        last_old = periods.shift(first_monthly, -1)
        path = out_dir / f"示例市科技创新重点指标历史数据_{old['period'].min()}至{last_old}.csv"
        old[["period", "org_unit", "unit_name", "indicator_code", "indicator_name", "value"]].set_axis(
            RETURN_HEADER, axis=1).to_csv(path, index=False, encoding="utf-8-sig")
        files.append((path, sent_at(last_old, settings.deadline_day, as_of)))
    for period, rows in obs[obs["period"] >= first_monthly].groupby("period", sort=True):
        path = out_dir / f"示例市科技创新重点指标月报_{period}.xlsx"
        sent = sent_at(period, settings.deadline_day, as_of)
        _write_return(path, period, rows, sent)
        files.append((path, sent))
    return files


def _names() -> pd.DataFrame:
    units = pd.DataFrame([(u["code"], u["name"]) for u in ORG_UNITS], columns=["org_unit", "unit_name"])
    inds = pd.DataFrame([(i["code"], i["name"], i["decimals"]) for i in INDICATORS],
                        columns=["indicator_code", "indicator_name", "decimals"])
    return units.merge(inds, how="cross")


def _write_return(path: Path, period: str, rows: pd.DataFrame, sent: dt.datetime) -> None:
    title = f"示例市科技创新重点指标月度报表（{periods.label(period)}）"
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": title, "author": "示例市科技局", "created": sent})
    ws = wb.add_worksheet("月报")
    head = wb.add_format({"bold": True, "border": 1, "align": "center", "bg_color": "#DDEBF7"})
    cell = wb.add_format({"border": 1})
    nums = {d: wb.add_format({"border": 1, "num_format": "#,##0" + ("." + "0" * d if d else "")}) for d in range(4)}
    ws.merge_range(0, 0, 0, len(RETURN_HEADER) - 1, title,
                   wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"}))
    ws.set_row(0, 24)
    ws.write_row(1, 0, RETURN_HEADER, head)
    for i, r in enumerate(rows.itertuples(index=False), start=2):
        ws.write_row(i, 0, [r.period, r.org_unit, r.unit_name, r.indicator_code, r.indicator_name], cell)
        ws.write_number(i, 5, r.value, nums[min(int(r.decimals), 3)])
    for first, last, width in ((0, 1, 10), (2, 2, 12), (3, 3, 10), (4, 4, 36), (5, 5, 14)):
        ws.set_column(first, last, width)
    ws.freeze_panes(2, 0)
    wb.close()
