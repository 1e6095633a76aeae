"""report.xlsx_table: values only, frozen header, number formats, one sheet per district."""

from __future__ import annotations

import io

import openpyxl
import pytest

from indicators.db.connection import connect
from indicators.dispatch import dispatch_table
from indicators.report.summary import summarize
from indicators.report.xlsx_table import (
    HEADER_ROW,
    build_workbook,
    sheet_name,
)
from indicators.safe_text import is_formula_like
from indicators.settings import Settings
from indicators.theme import STATUS_COLORS


@pytest.fixture(scope="module")
def book(tiny_summary):
    return openpyxl.load_workbook(io.BytesIO(build_workbook(tiny_summary)))


def test_a_sheet_for_the_city_then_one_per_district(book):
    assert book.sheetnames == ["测试市", "甲区", "乙县"]


def test_header_is_frozen_and_titled(book):
    ws = book["测试市"]
    assert ws.freeze_panes == f"C{HEADER_ROW + 2}"
    assert ws.cell(1, 1).value == "测试市重点指标调度表（2026年10月）"
    assert "数据截至2026年10月" in ws.cell(2, 1).value
    header = [c.value for c in ws[HEADER_ROW + 1]]
    assert header[:5] == ["序号", "指标", "类别", "计量单位", "本期值"]


def _rows(ws):
    header = [c.value for c in ws[HEADER_ROW + 1]]
    for row in ws.iter_rows(min_row=HEADER_ROW + 2):
        yield dict(zip(header, row))


def test_numbers_and_formats_match_the_status_table(book, tiny_table):
    for sheet, code in (("测试市", "C"), ("乙县", "B")):
        want = tiny_table[tiny_table["org_unit_code"] == code].set_index("indicator_name")
        got = {r["指标"].value: r for r in _rows(book[sheet])}
        assert set(got) == set(want.index)
        for name, r in got.items():
            w = want.loc[name]
            for col, key in (("本期值", "value"), ("年度目标", "target"), ("完成率", "completion"),
                             ("序时进度", "expected"), ("差距（百分点）", "gap_pp"), ("序时应达值", "expected_value"),
                             ("与序时应达值差", "gap_value"), ("上年末", "baseline")):
                if w[key] != w[key] or (key == "gap_pp" and w["kind"] == "ratio"):  # NaN, or no points for a ratio
                    assert r[col].value is None
                else:
                    assert r[col].value == pytest.approx(float(w[key]))
            assert w["status_label"] in r["状态"].value
            assert r["完成率"].number_format == "0.0%"
            assert r["状态"].fill.fgColor.rgb[-6:] == STATUS_COLORS[w["status"]].lstrip("#").upper()
        tc = got["技术合同成交额"]
        assert tc["本期值"].number_format == "#,##0.00"


def test_no_cell_holds_a_formula(book):
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)


@pytest.mark.parametrize("text, risky", [("=1+2", True), ("+86", True), ("-3", True), ("@SUM(A1)", True),
                                         ("\t=1", True), ("技术合同", False), ("R&D经费", False)])
def test_is_risky(text, risky):
    assert is_formula_like(text) is risky


PERIOD = "2026-10"


def test_formula_looking_names_stay_text(tmp_path, make_tiny_db):
    evil = {"技术合同成交额": "=HYPERLINK(\"http://x\",\"点我\")", "高新技术企业数": "@SUM(1,2)",
            "每万人发明专利拥有量": "-1+1"}
    db = make_tiny_db(tmp_path / "evil.duckdb", rename=evil)
    con = connect(db, read_only=True)
    try:
        summary = summarize(dispatch_table(con, PERIOD, Settings()), PERIOD)
    finally:
        con.close()
    data = build_workbook(summary)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    names = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                if cell.value in evil.values():
                    names.add(cell.value)
                    assert cell.data_type == "s" and cell.quotePrefix
    assert names == set(evil.values())
    assert b"<f>" not in _sheet_xml(data)


def _sheet_xml(data: bytes) -> bytes:
    import zipfile
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


@pytest.mark.parametrize("name, used, expected", [
    ("甲区", set(), "甲区"),
    ("a/b:c", set(), "a_b_c"),
    ("甲区", {"甲区"}, "甲区(2)"),
    ("x" * 40, set(), "x" * 31),
])
def test_sheet_names_follow_excel_rules(name, used, expected):
    assert sheet_name(name, set(used)) == expected


def test_ratio_yoy_is_in_its_own_unit_and_partial_rows_say_so(book, tiny_table):
    city = {r["指标"].value: r for r in _rows(book["测试市"])}
    # 每万人发明专利拥有量 is a ratio in 件: 同比 is a difference in 件, never 个百分点
    assert "件" in city["每万人发明专利拥有量"]["同比"].number_format
    assert "个百分点" not in city["每万人发明专利拥有量"]["同比"].number_format
    # 高新技术企业数 lacks 乙县: the sheet says 部分汇总 and names it
    assert "部分汇总，缺：乙县" in city["高新技术企业数"]["说明"].value


def test_rank_moves_against_last_month(book):
    # the tiny city's 技术合同成交额: September 甲区 60/100 = 60.0 % first, 乙县 18/50 = 36.0 %
    # second; October 70.0 % and 40.0 %: the same places
    jia = {r["指标"].value: r for r in _rows(book["甲区"])}
    yi = {r["指标"].value: r for r in _rows(book["乙县"])}
    assert (jia["技术合同成交额"]["排名"].value, jia["技术合同成交额"]["排名升降"].value) == ("1/2", "持平（上月第1名）")
    assert (yi["技术合同成交额"]["排名"].value, yi["技术合同成交额"]["排名升降"].value) == ("2/2", "持平（上月第2名）")
    # 地区生产总值 is quarterly: October reads September's figure again — no move to speak of
    assert jia["地区生产总值"]["排名"].value == "1/2" and jia["地区生产总值"]["排名升降"].value in (None, "")
    # the city itself is not ranked
    assert all(r["排名升降"].value in (None, "") for r in _rows(book["测试市"]))


def test_rank_moves_when_the_places_swap(tmp_path, make_tiny_db):
    # 乙县 reports 45 in October instead of 20: 45/50 = 90.0 % passes 甲区's 70.0 %
    path = make_tiny_db(tmp_path / "swap.duckdb", values={("TC", "B", "2026-10"): 45})
    with connect(path, read_only=True) as con:
        summary = summarize(dispatch_table(con, "2026-10", Settings()), "2026-10")
    book = openpyxl.load_workbook(io.BytesIO(build_workbook(summary)))
    jia = {r["指标"].value: r for r in _rows(book["甲区"])}["技术合同成交额"]
    yi = {r["指标"].value: r for r in _rows(book["乙县"])}["技术合同成交额"]
    assert (yi["排名"].value, yi["排名升降"].value) == ("1/2", "↑1（上月第2名）")
    assert (jia["排名"].value, jia["排名升降"].value) == ("2/2", "↓1（上月第1名）")


def test_projection_or_the_reason_why_not(book):
    city = {r["指标"].value: r["预计全年"].value for r in _rows(book["测试市"])}
    # 技术合同成交额: 1—10月 70 + 20 = 90 ÷ last year's share (1—10月 50 + 30 = 80 of the year's 80 + 40 = 120)
    assert city["技术合同成交额"] == pytest.approx(90 / (80 / 120))  # 135
    # 高新技术企业数 of the city lacks 乙县 (not sent): a partial sum is not projected, and says who is missing
    assert city["高新技术企业数"] == "部分汇总（缺 乙县），不作全年预计"
    assert city["每万人发明专利拥有量"] == "比率：随分子、分母变化，不单独推算"
    yi = {r["指标"].value: r["预计全年"].value for r in _rows(book["乙县"])}
    assert yi["高新技术企业数"] == "未报送，无法推算"
