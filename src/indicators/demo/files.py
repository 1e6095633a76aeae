"""The demo city 示例市 as data, in the shapes real data takes.

- ``demo_setup_frames()`` — the setup workbook's frames (``indicators.setup.workbook.SHEETS``);
- ``demo_target_revisions()`` — 2026 targets changed mid-year, to load after the setup;
- ``demo_observations()`` — monthly values 2024-01 … 2026-10 (indicator_code, org_unit,
  period, value), districts only except what the city reports itself;
- ``demo_return_files(out_dir)`` — the same values as the monthly long-layout return
  workbooks analysts upload, one per month;
- ``demo_design()`` — what each 2026 series was aimed at (for tests and the curious).

Everything is deterministic: the same call gives the same frames and byte-identical files.
The tables live in ``indicators.demo.city``; the generator in ``indicators.demo.simulate``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import xlsxwriter

from indicators.demo.city import CITY, INDICATORS, ORG_UNITS, setup_tables
from indicators.demo.simulate import AS_OF, MISSING_UNIT, simulate
from indicators.rules import periods
from indicators.setup.workbook import SHEETS

OBSERVATION_COLUMNS = ["indicator_code", "org_unit", "period", "value"]
RETURN_HEADER = ["期间", "单位代码", "单位名称", "指标代码", "指标名称", "数值"]

__all__ = ["CITY", "AS_OF", "MISSING_UNIT", "demo_setup_frames", "demo_target_revisions",
           "demo_observations", "demo_return_files", "demo_design"]


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


def demo_setup_frames() -> dict[str, pd.DataFrame]:
    """Frames keyed org_unit, department, leader, indicator, responsibility, target —
    ready for ``setup_book.write_workbook`` or ``setup_book.load_setup``."""
    frames = setup_tables()
    frames["target"] = _target_frame(simulate().targets)
    return frames


def demo_target_revisions() -> pd.DataFrame:
    """2026 targets revised mid-year (年中调整): target-sheet columns, to be loaded after
    ``demo_setup_frames()['target']`` so that they become the current targets."""
    return _target_frame(simulate().revisions)


def demo_observations() -> pd.DataFrame:
    """All values: columns indicator_code, org_unit, period ('YYYY-MM'), value.

    Districts report everything except derived ratios; the city reports only 地区生产总值
    and 每万人发明专利拥有量. 青溪县 (``MISSING_UNIT``) has nothing for ``AS_OF``.
    """
    rows = [(code, unit, p, v)
            for (code, unit), series in simulate().values.items()
            for p, v in series.items()
            if not (unit == MISSING_UNIT and p == AS_OF)]
    frame = pd.DataFrame(rows, columns=OBSERVATION_COLUMNS)
    frame["value"] = frame["value"].astype("float64")
    return frame.sort_values(["period", "org_unit", "indicator_code"], key=_order_key).reset_index(drop=True)


def demo_design() -> pd.DataFrame:
    """The status each 2026 series was aimed at for ``AS_OF`` and the status it got
    (columns indicator_code, org_unit, period, value, target, expected, completion,
    aimed, status), plus the missing and not-yet-due rows."""
    cols = ["indicator_code", "org_unit", "period", "value", "target", "expected", "completion", "aimed", "status"]
    frame = pd.DataFrame([{c: d.get(c) for c in cols} for d in simulate().design], columns=cols)
    return frame.sort_values(["indicator_code", "org_unit"], key=_order_key).reset_index(drop=True)


def demo_return_files(out_dir: str | Path) -> list[Path]:
    """Write one long-layout return workbook per month into ``out_dir`` and return the
    paths (oldest first). Each has a title row above the header
    期间 | 单位代码 | 单位名称 | 指标代码 | 指标名称 | 数值, as analysts upload them."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    unit_names = {u["code"]: u["name"] for u in ORG_UNITS}
    inds = {i["code"]: i for i in INDICATORS}
    obs = demo_observations()
    paths = []
    for period, rows in obs.groupby("period", sort=True):
        rows = rows.sort_values(["org_unit", "indicator_code"], key=_order_key)
        path = out_dir / f"示例市科技创新重点指标月报_{period}.xlsx"
        _write_return(path, period, [
            (period, r.org_unit, unit_names[r.org_unit], r.indicator_code, inds[r.indicator_code]["name"],
             r.value, inds[r.indicator_code]["decimals"])
            for r in rows.itertuples(index=False)
        ])
        paths.append(path)
    return paths


def _write_return(path: Path, period: str, rows: list[tuple]) -> None:
    year, month = periods.parse(period)
    sent = dt.datetime(year + (month == 12), month % 12 + 1, 5, 9, 30)  # sent on the 5th of next month
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": f"示例市科技创新重点指标月度报表（{periods.label(period)}）",
                       "author": "示例市科技局", "created": sent})
    ws = wb.add_worksheet("月报")
    title = wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
    head = wb.add_format({"bold": True, "border": 1, "align": "center", "bg_color": "#DDEBF7"})
    cell = wb.add_format({"border": 1})
    nums = {d: wb.add_format({"border": 1, "num_format": "#,##0" + ("." + "0" * d if d else "")}) for d in range(4)}
    ws.merge_range(0, 0, 0, len(RETURN_HEADER) - 1, f"示例市科技创新重点指标月度报表（{periods.label(period)}）", title)
    ws.set_row(0, 24)
    ws.write_row(1, 0, RETURN_HEADER, head)
    for i, (p, unit, unit_name, code, name, value, dec) in enumerate(rows, start=2):
        ws.write_row(i, 0, [p, unit, unit_name, code, name], cell)
        ws.write_number(i, 5, value, nums[min(int(dec), 3)])
    ws.set_column(0, 1, 10)
    ws.set_column(2, 2, 12)
    ws.set_column(3, 3, 10)
    ws.set_column(4, 4, 36)
    ws.set_column(5, 5, 14)
    ws.freeze_panes(2, 0)
    wb.close()
