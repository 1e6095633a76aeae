"""The return template: structure, protection, validation, and the round trip
template → filled → import."""

import openpyxl
import pytest
from actors import ADMIN
from testdate import SETTINGS
from builders import AT
from excel.bookmaker import TODAY, make_db, seed

from indicators.errors import RejectedInput
from indicators.returns.pipeline import commit, preview_diff, read_return
from indicators.returns.template import DATA_SHEET, HEADERS, VALUE_COL, write_template
from indicators.settings import Settings


@pytest.fixture
def con():
    c = make_db()
    seed(c, [("JS", "D1", "2026-09", 8.0), ("GQ", "D1", "2026-09", 40.0)])
    yield c
    c.close()


@pytest.mark.parametrize("unit, units", [("D1", {"高新区"}), (None, {"示范市", "高新区", "东城区", "西湖县"})])
def test_structure(tmp_path, con, unit, units):
    path = write_template(con, tmp_path / "t.xlsx", period="2026-10", unit=unit, today=TODAY, settings=Settings())
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:2] == ["填报说明", DATA_SHEET]
    assert wb["_meta"].sheet_state == "hidden" and wb["_lists"].sheet_state == "hidden"
    ws = wb[DATA_SHEET]
    assert [c.value for c in ws[3]] == HEADERS
    rows = list(ws.iter_rows(min_row=4, max_row=ws.max_row, values_only=True))
    filled = [r for r in rows if r[0]]
    assert {r[1] for r in filled} == units
    assert len(filled) == len(units) * 5
    assert "技术合同成交额（亿元）" in {r[2] for r in filled}  # unit of measure in each row header
    ref = {(r[1], r[2]): r[4] for r in filled}
    if unit == "D1":
        assert ref[("高新区", "技术合同成交额（亿元）")] == 8.0  # last month's value for reference
    # protection: headers locked, input cells open
    assert ws.protection.sheet
    assert ws.cell(3, 1).protection.locked and ws.cell(4, 3).protection.locked
    assert not ws.cell(4, VALUE_COL).protection.locked
    kinds = {(dv.type, dv.operator) for dv in ws.data_validations.dataValidation}
    assert ("decimal", "greaterThanOrEqual") in kinds and ("decimal", "between") in kinds  # LR may be negative
    lists = [dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"]
    # a unit's template offers only that unit
    assert lists == [f"=_lists!$A$1:$A${len(units)}", "=_lists!$B$1:$B$5"]


def test_round_trip(tmp_path, con):
    path = write_template(con, tmp_path / "t.xlsx", period="2026-10", unit="D1", today=TODAY, settings=Settings())
    wb = openpyxl.load_workbook(path)
    ws = wb[DATA_SHEET]
    fill = {"技术合同成交额（亿元）": 9.5, "高新技术企业数（家）": "42", "R&D经费占GDP比重（%）": "2.6%",
            "奖补资金兑现（万元）": "1,200", "利润增长额（万元）": -3}
    for r in range(4, 9):
        ws.cell(r, VALUE_COL, fill[ws.cell(r, 3).value])
    ws.cell(9, 1, "2026-10"), ws.cell(9, 2, "东城区"), ws.cell(9, 3, "高新技术企业数（家）"), ws.cell(9, VALUE_COL, 7)
    wb.save(tmp_path / "filled.xlsx")
    r = read_return(tmp_path / "filled.xlsx", con=con, today=TODAY)
    assert r.ok and r.warnings.empty, r.problems.to_string()
    assert r.expected_period == "2026-10"
    got = dict(zip(zip(r.values["indicator_code"], r.values["org_unit"]), r.values["value"]))
    assert got == {("JS", "D1"): 9.5, ("GQ", "D1"): 42.0, ("RD", "D1"): 2.6, ("ZJ", "D1"): 1200.0,
                   ("LR", "D1"): -3.0, ("GQ", "D2"): 7.0}
    assert set(preview_diff(con, r)["change"]) == {"新增"}
    commit(con, r, actor=ADMIN, settings=SETTINGS, at=AT)
    assert con.execute("SELECT count(*) FROM current_observation WHERE period = '2026-10'").fetchall() == [(6,)]


def test_template_holds_its_period(tmp_path, con):
    path = write_template(con, tmp_path / "t.xlsx", period="2026-10", unit="D1", today=TODAY, settings=Settings())
    wb = openpyxl.load_workbook(path)
    ws = wb[DATA_SHEET]
    ws.cell(4, 1, "2026-09")
    ws.cell(4, VALUE_COL, 9)
    wb.save(tmp_path / "f.xlsx")
    r = read_return(tmp_path / "f.xlsx", con=con, today=TODAY)
    assert list(r.errors["rule"]) == ["period_mismatch"]


def test_quarterly_and_derived_indicators(tmp_path, con):
    con.execute("UPDATE indicator SET frequency = 'quarterly' WHERE code = 'RD'")
    con.execute("INSERT INTO indicator (code, name, kind, numerator_code, denominator_code) VALUES ('X', '派生', 'ratio', 'JS', 'GQ')")
    wb = openpyxl.load_workbook(write_template(con, tmp_path / "t.xlsx", period="2026-10", unit="D1", settings=Settings(), today=TODAY))
    labels = {r[2] for r in wb[DATA_SHEET].iter_rows(min_row=4, values_only=True) if r[0]}
    assert not any(l.startswith(("R&D", "派生")) for l in labels)


def test_unknown_unit(tmp_path, con):
    with pytest.raises(RejectedInput):
        write_template(con, tmp_path / "t.xlsx", period="2026-10", unit="NOPE", settings=Settings(), today=TODAY)
