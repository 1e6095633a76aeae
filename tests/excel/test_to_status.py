"""Issue 3's promise end to end: a return in each layout, from each file type, loads
through `indicators import` and shows up in the dispatch table (`indicators status`).

The demo city's 青溪县 has not sent its return of the as-of month; each case sends it.
"""

from __future__ import annotations

import csv
import json

import pytest
from bookmaker import to_xls, xlsx
from testdate import AS_OF, SETTINGS

from indicators import demo
from indicators.cli import main
from indicators.db import connection
from indicators.demo.simulate import simulate
from indicators.dispatch import dispatch_table
from indicators.rules import periods

UNIT, UNIT_NAME = "QX", "青溪县"
YEAR, MONTH = periods.parse(AS_OF)


def unsent(code: str) -> float:
    """青溪县's value of the as-of month: made by the demo, never sent."""
    return float(simulate(AS_OF, SETTINGS).values[(code, UNIT)][AS_OF])


def layouts():
    js, gq = unsent("JSHT"), unsent("GXQY")
    month = f"{YEAR}年{MONTH}月"
    by_month = [["技术合同成交额", "亿元", js], ["高新技术企业数", "家", gq]]
    head = ["指标名称", "计量单位", f"{MONTH}月"]
    if MONTH > 1:  # the month before, as such a sheet carries it (same year only)
        obs = demo.demo_observations(AS_OF, SETTINGS)
        before = obs[(obs.org_unit == UNIT) & (obs.period == periods.shift(AS_OF, -1))].set_index("indicator_code")["value"]
        head.insert(2, f"{MONTH - 1}月")
        by_month = [[n, u, float(before[c]), v] for (n, u, v), c in zip(by_month, ["JSHT", "GXQY"])]
    return {
        "long": [[f"青溪县{month}科技指标报送"], ["期间", "单位", "指标", "数值"],
                 [month, UNIT_NAME, "技术合同成交额", js], [month, UNIT_NAME, "高新技术企业数", gq],
                 ["注：本表由各区县填报。"]],
        "wide_by_indicator": [[f"{YEAR}年1-{MONTH}月各区县科技指标" if MONTH > 1 else f"{month}各区县科技指标"],
                              ["单位", "技术合同成交额（亿元）", "高新技术企业数（家）"], [UNIT_NAME, js, gq]],
        "wide_by_month": [[f"{YEAR}年科技指标月报"], [f"填报单位：{UNIT_NAME}"], head, *by_month],
    }, (js, gq)


def write(kind: str, rows: list[list], folder) -> object:
    path = xlsx(folder / f"{kind}.xlsx", rows)
    if kind == "xlsx":
        return path
    if kind == "xls":
        return to_xls(path, folder)
    out = folder / f"{kind}.csv"  # GBK, as WPS writes it
    with out.open("w", encoding="gbk", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return out


@pytest.mark.parametrize("file_type", ["xlsx", "xls", "csv"])
@pytest.mark.parametrize("layout", ["long", "wide_by_indicator", "wide_by_month"])
def test_return_loads_and_shows_in_status(demo_db, tmp_path, capsys, layout, file_type):
    shapes, (js, gq) = layouts()
    path = write(file_type, shapes[layout], tmp_path)
    assert main(["import", str(path), "--db", str(demo_db), "--yes", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report, report
    con = connection.connect(demo_db, read_only=True)
    try:
        newest_batch = con.execute("SELECT max(id) FROM batch").fetchall()[0][0]
        table = dispatch_table(con, AS_OF, SETTINGS)
    finally:
        con.close()
    rows = table[table.org_unit_code == UNIT].set_index("indicator_code")
    assert rows.loc["JSHT", "value"] == pytest.approx(js)
    assert rows.loc["GXQY", "value"] == pytest.approx(gq)
    assert rows.loc["JSHT", "provenance"] == "reported" and rows.loc["JSHT", "batch_id"] == newest_batch
    assert rows.loc["JSHT", "status"] != "missing"
    city = table[(table.org_unit_code == demo.CITY) & (table.indicator_code == "JSHT")].iloc[0]
    assert city["missing_units"] != UNIT_NAME  # 青溪县 counts again in the city's total
