"""Issue 3's promise end to end: a return in each layout, from each file type, loads
through `indicators import` and shows up in the dispatch table (`indicators status`).

The demo city's 青溪县 has not sent its 2026-10 return; each case sends it.
"""

from __future__ import annotations

import csv
import json

import pytest
from bookmaker import to_xls, xlsx

from indicators import demo
from indicators.cli import main
from indicators.db import connection
from indicators.dispatch import dispatch_table
from indicators.settings import Settings

UNIT, UNIT_NAME = "QX", "青溪县"


def september():
    obs = demo.demo_observations()
    sep = obs[(obs.org_unit == UNIT) & (obs.period == "2026-09")].set_index("indicator_code")["value"]
    return float(sep["JSHT"]), float(sep["GXQY"])


def layouts():
    js9, gq9 = september()
    js10, gq10 = round(js9 + 0.37, 2), gq9 + 2
    return {
        "long": [["青溪县2026年10月科技指标报送"], ["期间", "单位", "指标", "数值"],
                 ["2026年10月", UNIT_NAME, "技术合同成交额", js10], ["2026年10月", UNIT_NAME, "高新技术企业数", gq10],
                 ["注：本表由各区县填报。"]],
        "wide_by_indicator": [["2026年1-10月各区县科技指标"],
                              ["单位", "技术合同成交额（亿元）", "高新技术企业数（家）"], [UNIT_NAME, js10, gq10]],
        "wide_by_month": [["2026年科技指标月报"], [f"填报单位：{UNIT_NAME}"],
                          ["指标名称", "计量单位", "9月", "10月"],
                          ["技术合同成交额", "亿元", js9, js10], ["高新技术企业数", "家", gq9, gq10]],
    }, (js10, gq10)


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
    shapes, (js10, gq10) = layouts()
    path = write(file_type, shapes[layout], tmp_path)
    assert main(["import", str(path), "--db", str(demo_db), "--yes", "--json", "--who", "青溪县 张三"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report, report
    con = connection.connect(demo_db, read_only=True)
    try:
        newest_batch = con.execute("SELECT max(id) FROM batch").fetchall()[0][0]
        table = dispatch_table(con, "2026-10", Settings())
    finally:
        con.close()
    rows = table[table.org_unit_code == UNIT].set_index("indicator_code")
    assert rows.loc["JSHT", "value"] == pytest.approx(js10)
    assert rows.loc["GXQY", "value"] == pytest.approx(gq10)
    assert rows.loc["JSHT", "provenance"] == "reported" and rows.loc["JSHT", "batch_id"] == newest_batch
    assert rows.loc["JSHT", "status"] != "missing"
    city = table[(table.org_unit_code == demo.CITY) & (table.indicator_code == "JSHT")].iloc[0]
    assert city["missing_units"] != UNIT_NAME  # 青溪县 counts again in the city's total
