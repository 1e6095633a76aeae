"""Reading wild shapes: sources (xlsx, xls, csv encodings), header location, layouts."""

import datetime as dt

import pytest
import xlsxwriter
from bookmaker import TODAY, make_db, to_xls, xlsx

from indicators.returns.excel.sources import column_letter, read_sheets
from indicators.returns.pipeline import read_return


@pytest.fixture(scope="module")
def con():
    c = make_db()
    yield c
    c.close()


def values_of(reading):
    return sorted(map(tuple, reading.values[["indicator_code", "org_unit", "period", "value"]].itertuples(index=False)))


SHAPES = {
    "long with title rows and notes": (
        [["2026年10月科技指标报送"], [None], ["期间", "单位", "指标", "数值"],
         ["2026年10月", "高新区", "技术合同成交额", "1,234.5"], ["202610", "东城区", "高企数", "１２"],
         ["2026.10", "西湖", "研发强度", "2.5%"], ["注：本表由各区县填报。"], ["填表人：张三"]],
        [], "long",
        [("GQ", "D2", "2026-10", 12.0), ("JS", "D1", "2026-10", 1234.5), ("RD", "D3", "2026-10", 2.5)]),
    "wide by indicator, year in title, 合计 row": (
        [["2026年1-10月各区县科技指标"], ["单位", "技术合同成交额（亿元）", "高企数（家）", "序号"],
         ["高新区", 10, 5, 1], ["东城区", "—", 3, 2], ["合计", 10, 8, None]],
        [], "wide_by_indicator",
        [("GQ", "D1", "2026-10", 5.0), ("GQ", "D2", "2026-10", 3.0), ("JS", "D1", "2026-10", 10.0)]),
    "wide by indicator, merged two-row header with period": (
        [["各区县科技指标"], ["单位", "2026年10月", None], [None, "技术合同成交额（万元）", "高企数（家）"],
         ["高新区", "12,000", 5]],
        ["B2:C2", "A2:A3"], "wide_by_indicator",
        [("GQ", "D1", "2026-10", 5.0), ("JS", "D1", "2026-10", 1.2)]),
    "wide by month, unit in title": (
        [["2026年科技指标月报"], ["填报单位：高新区"], ["指标名称", "计量单位", "1月", "2月", "1-10月"],
         ["技术合同成交额", "亿元", 1, 2, 10], ["高企数", "家", 5, "-", 6]],
        [], "wide_by_month",
        [("GQ", "D1", "2026-01", 5.0), ("GQ", "D1", "2026-10", 6.0), ("JS", "D1", "2026-01", 1.0),
         ("JS", "D1", "2026-02", 2.0), ("JS", "D1", "2026-10", 10.0)]),
    "long with Excel dates and unit column": (
        [["月份", "区县", "指标", "计量单位", "本月累计"], [dt.datetime(2026, 9, 1), "高新区", "技术合同成交额", "万元", 20000]],
        [], "long", [("JS", "D1", "2026-09", 2.0)]),
}


@pytest.mark.parametrize("name", list(SHAPES))
def test_shapes(tmp_path, con, name):
    rows, merges, layout, expected = SHAPES[name]
    path = xlsx(tmp_path / "r.xlsx", rows, merges=merges)
    r = read_return(path, con=con, today=TODAY)
    assert r.errors.empty, r.errors[["row", "column", "message"]].to_string()
    assert r.layout == layout
    assert values_of(r) == expected


def test_values_keep_their_cell(tmp_path, con):
    path = xlsx(tmp_path / "r.xlsx", SHAPES["wide by indicator, year in title, 合计 row"][0])
    r = read_return(path, con=con, today=TODAY)
    row = r.values.query("indicator_code == 'GQ' and org_unit == 'D2'").iloc[0]
    assert (row["sheet"], row["row"], row["column"], row["cell"]) == ("报表", 4, "C", 3)
    assert list(r.totals["value"]) == [10.0, 8.0]  # 合计 read, not stored


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_encodings(tmp_path, con, encoding):
    text = "2026年10月报送\n期间,单位,指标,数值\n2026-10,高新区,技术合同成交额,\"1,234\"\n2026-10,东城区,高企数,12\n"
    path = tmp_path / "r.csv"
    path.write_bytes(text.encode(encoding))
    r = read_return(path, con=con, today=TODAY)
    assert r.errors.empty
    assert values_of(r) == [("GQ", "D2", "2026-10", 12.0), ("JS", "D1", "2026-10", 1234.0)]


@pytest.mark.parametrize("name", ["r.txt", "r.csv", "r"])
def test_excels_unicode_text_is_read(tmp_path, con, name):
    """Excel's 「Unicode 文本 (*.txt)」: UTF-16 little-endian with its BOM, tab-separated —
    under any name (returns arrive renamed)."""
    text = "2026年10月报送\r\n期间\t单位\t指标\t数值\r\n2026-10\t高新区\t技术合同成交额\t1,234\r\n" \
           "2026-10\t东城区\t高企数\t12\r\n"
    path = tmp_path / name
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    r = read_return(path, con=con, today=TODAY)
    assert r.errors.empty
    assert values_of(r) == [("GQ", "D2", "2026-10", 12.0), ("JS", "D1", "2026-10", 1234.0)]


def test_utf16_that_does_not_decode_says_which_encodings_are_read(tmp_path, con):
    path = tmp_path / "r.csv"
    path.write_bytes(b"\xff\xfe" + "期间,单位".encode("utf-16-le") + b"\x00\xd8")  # a lone surrogate
    r = read_return(path, con=con, today=TODAY)
    assert list(r.errors["rule"]) == ["file_refused"] and r.values.empty
    assert "UTF-8、GBK 或 Unicode（UTF-16）" in r.errors["message"].iloc[0]


def test_merged_cells_filled(tmp_path):
    path = xlsx(tmp_path / "m.xlsx", [["标题"], ["单位", "指标"], ["高新区", "a"], [None, "b"]], merges=["A3:A4"])
    sheet = read_sheets(path.read_bytes(), "m.xlsx")[0]
    assert sheet.grid.iat[3, 0] == "高新区"


def test_formula_error_cells_found(tmp_path, con):
    path = tmp_path / "e.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("报表")
    ws.write_row(0, 0, ["期间", "单位", "指标", "数值"])
    ws.write_row(1, 0, ["2026-10", "高新区", "技术合同成交额"])
    ws.write_formula(1, 3, "=1/0", None, "#DIV/0!")
    ws.write_row(2, 0, ["2026-10", "东城区", "技术合同成交额", 3])
    wb.close()
    assert read_sheets(path.read_bytes(), "e.xlsx")[0].errors == {(1, 3): "#DIV/0!"}
    r = read_return(path, con=con, today=TODAY)
    e = r.errors
    assert list(e["rule"]) == ["formula_error"] and (e["column"].iloc[0], e["row"].iloc[0]) == ("D", 2)
    assert "#DIV/0!" in e["message"].iloc[0] and len(r.values) == 1  # an error names the cell; nothing vanishes


def test_xls_read_and_truncation(tmp_path, con):
    src = tmp_path / "big.xlsx"
    wb = xlsxwriter.Workbook(src, {"constant_memory": True})
    ws = wb.add_worksheet("长表")
    ws.write_row(0, 0, ["期间", "单位", "指标", "数值"])
    for i in range(1, 70_000):  # more than .xls holds: LibreOffice cuts it at 65,536 rows
        ws.write_row(i, 0, ["2026-10", "高新区" if i % 2 else "东城区", "技术合同成交额", i])
    wb.close()
    xls = to_xls(src, tmp_path)
    r = read_return(xls, con=con, today=TODAY)
    assert "xls_truncated" in set(r.warnings["rule"])
    # the cut rows duplicate keys, so errors exist too; the first values are read right
    assert r.values.iloc[0][["indicator_code", "org_unit", "value"]].tolist() == ["JS", "D1", 1.0]


def test_small_xls(tmp_path, con):
    src = xlsx(tmp_path / "s.xlsx", [["2026年10月报表"], ["单位", "技术合同成交额（亿元）"], ["高新区", 3], ["东城区", "1,000.5"]],
               merges=["A1:B1"])
    r = read_return(to_xls(src, tmp_path), con=con, today=TODAY)
    assert r.errors.empty and r.warnings.empty
    assert values_of(r) == [("JS", "D1", "2026-10", 3.0), ("JS", "D2", "2026-10", 1000.5)]


def test_column_letter():
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


@pytest.mark.parametrize("header", ["报送期", "填报期间", "报表月份", "统计年月"])
def test_a_period_column_named_as_forms_name_it(tmp_path, con, header):
    path = xlsx(tmp_path / "r.xlsx", [["单位", header, "高企数（家）"], ["高新区", "2026年9月", 5], ["东城区", "2026年9月", 3]])
    r = read_return(path, con=con, today=TODAY)
    assert r.errors.empty, r.errors[["row", "column", "message"]].to_string()
    assert values_of(r) == [("GQ", "D1", "2026-09", 5.0), ("GQ", "D2", "2026-09", 3.0)]


def test_a_submission_date_is_not_the_period(tmp_path, con):
    """填报日期 is the day the form was filled in (November), not the month it reports."""
    path = xlsx(tmp_path / "r.xlsx", [["2026年9月科技指标"], ["单位", "填报日期", "高企数（家）"],
                                      ["高新区", "2026-11-05", 5]])
    r = read_return(path, con=con, today=TODAY)
    assert values_of(r) == [("GQ", "D1", "2026-09", 5.0)]


def test_the_file_name_says_what_the_sheet_leaves_open(tmp_path, con):
    """No period column, no title, a plain sheet name: the file's name gives the month and,
    for a table without a unit column, the unit."""
    wide = xlsx(tmp_path / "示范市2026年8月科技指标.xlsx", [["单位", "高企数（家）"], ["高新区", 5]])
    assert values_of(read_return(wide, con=con, today=TODAY)) == [("GQ", "D1", "2026-08", 5.0)]
    long = xlsx(tmp_path / "东城区2026年7月.xlsx", [["指标", "数值"], ["高企数", 4]])
    assert values_of(read_return(long, con=con, today=TODAY)) == [("GQ", "D2", "2026-07", 4.0)]
    # a period the sheet does say wins over the file's name
    titled = xlsx(tmp_path / "2026年7月.xlsx", [["2026年6月科技指标"], ["单位", "高企数（家）"], ["高新区", 5]])
    assert values_of(read_return(titled, con=con, today=TODAY)) == [("GQ", "D1", "2026-06", 5.0)]
    # a whole date in the name is the day the file was exported or sent, not its month
    for name in ("东城区报表(2026.11.05导出).xlsx", "东城区_20261105.xlsx", "东城区2026年11月5日.xlsx"):
        r = read_return(xlsx(tmp_path / name, [["指标", "数值"], ["高企数", 4]]), con=con, today=TODAY)
        assert "missing_period" in set(r.errors["rule"]) and r.values.empty, name


def test_a_declared_period_fills_a_file_that_names_none(tmp_path, con):
    path = xlsx(tmp_path / "data.xlsx", [["单位", "高企数（家）"], ["高新区", 5]])
    r = read_return(path, con=con, today=TODAY)
    assert list(r.errors["rule"].unique()) == ["missing_period"]
    assert "文件名" in r.errors["fix"].iloc[0]
    r = read_return(path, con=con, today=TODAY, expected_period="2026-08")
    assert r.errors.empty and values_of(r) == [("GQ", "D1", "2026-08", 5.0)]


def test_the_day_a_form_was_filled_in_is_not_its_month(tmp_path, con):
    """Before, 填报日期：2026年11月5日 above an undated table stored it as 2026-11's return."""
    path = xlsx(tmp_path / "r.xlsx", [["填报单位：高新区    填报日期：2026年11月5日"], ["指标", "数值"], ["高企数", 5]])
    r = read_return(path, con=con, today=TODAY)
    assert r.values.empty and list(r.errors["rule"].unique()) == ["missing_period"]


def test_a_cell_formatted_as_a_percentage_is_read_as_shown(tmp_path, con):
    """Excel's 2.53% cell holds 0.0253: with a percentage format (built-in 0.00%, or a
    custom code with a % outside quotes) it is 2.53 for a % indicator, said as a
    conversion. A % in quotes is literal text, a text 2.5% is read as written, and a
    count formatted as a percentage is left as it is."""
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2026年1-10月各区县科技指标"])
    ws.append(["单位", "研发强度（%）", "高企数（家）"])
    ws.append(["高新区", 0.0253, 5])
    ws.append(["东城区", 3.1, 0.5])
    ws.append(["西湖县", "2.9%", 4])
    ws["B3"].number_format = "0.00%"
    ws["B4"].number_format = '0.00"%"'  # the % is literal: 3.1 is shown as 3.10%
    ws["C4"].number_format = "0%"
    wb.save(tmp_path / "r.xlsx")
    r = read_return(tmp_path / "r.xlsx", con=con, today=TODAY)
    assert r.errors.empty, r.errors[["row", "column", "message"]].to_string()
    got = {(c, u): v for c, u, _p, v in values_of(r)}
    assert got[("RD", "D1")] == pytest.approx(2.53) and got[("RD", "D2")] == 3.1 and got[("RD", "D3")] == 2.9
    assert got[("GQ", "D2")] == 0.5
    assert r.conversions[["indicator_code", "from_unit", "to_unit", "factor", "rows"]].values.tolist() == [
        ["RD", "百分比格式", "%", 100.0, 1]]
    assert not (r.problems["rule"] == "percent_fraction").any()
    scan = {s.name: s.scan for s in read_sheets((tmp_path / "r.xlsx").read_bytes(), "r.xlsx")}["Sheet"]
    assert scan.percent == {(2, 1), (3, 2)}  # B3 and C4, 0-based


def test_a_fraction_without_a_percentage_format_still_warns(tmp_path, con):
    path = xlsx(tmp_path / "r.xlsx", [["2026年10月"], ["单位", "研发强度（%）"], ["高新区", 0.0253]])
    r = read_return(path, con=con, today=TODAY)
    assert values_of(r) == [("RD", "D1", "2026-10", 0.0253)]
    assert list(r.problems["rule"]) == ["percent_fraction"]


def test_a_decimal_comma_is_refused_not_read_as_thousands(tmp_path, con):
    """600,5 (a European decimal comma) was read as 6005: a comma is a thousands
    separator only between groups of three digits."""
    path = xlsx(tmp_path / "r.xlsx", [["期间", "单位", "指标", "数值"], ["2026年10月", "高新区", "技术合同成交额", "600,5"],
                                      ["2026年10月", "东城区", "技术合同成交额", "1,234.5"],
                                      ["2026年10月", "西湖县", "技术合同成交额", "1,2,3"]])
    r = read_return(path, con=con, today=TODAY)
    assert values_of(r) == [("JS", "D2", "2026-10", 1234.5)]
    bad = r.errors[r.errors["rule"] == "not_number"].sort_values("row")
    assert list(bad["row"]) == [2, 4]
    assert bad["message"].iloc[0] == "单元格内容「600,5」不是数字（逗号只能用作千分位，如 1,234.5；小数点请写“.”）"


@pytest.mark.parametrize("title, sheet, file_name, unit, conflict", [
    ("示范市2026年10月科技指标", "东城区", "r.xlsx", "D2", False),  # the city as context: the district
    ("高新区2026年10月科技指标", "东城区", "r.xlsx", "D1", True),  # two districts: not guessed
    ("填报单位：高新区  2026年10月", "东城区", "r.xlsx", "D1", True),
    ("东城区2026年10月科技指标", "报表", "高新区10月.xlsx", "D2", False),  # a file's old name only fills gaps
    ("2026年10月科技指标", "报表", "高新区10月.xlsx", "D1", False),
])
def test_the_unit_named_by_title_sheet_and_file(tmp_path, con, title, sheet, file_name, unit, conflict):
    """Before, the title won: a sheet named 东城区 under 「示范市…」 was stored as the city's,
    and under 「高新区…」 as 高新区's, overwriting its figure."""
    path = xlsx(tmp_path / file_name, [[title], ["指标", "数值"], ["高企数", 5]], sheet=sheet)
    r = read_return(path, con=con, today=TODAY)
    assert values_of(r) == [("GQ", unit, "2026-10", 5.0)]
    assert list(r.errors["rule"]) == (["unit_conflict"] if conflict else [])


def test_a_unit_column_makes_the_title_unit_irrelevant(tmp_path, con):
    path = xlsx(tmp_path / "r.xlsx", [["高新区2026年10月"], ["单位", "指标", "数值"], ["东城区", "高企数", 5]], sheet="西湖县")
    r = read_return(path, con=con, today=TODAY)
    assert r.errors.empty and values_of(r) == [("GQ", "D2", "2026-10", 5.0)]


def test_control_characters_are_echoed_written_out(tmp_path, con):
    """A unit name with a terminal escape (ESC ] 0; … BEL retitles the window, ESC [2J clears
    the screen) reached the terminal of whoever read the message as it was."""
    path = tmp_path / "r.csv"
    path.write_text("期间,单位,指标,数值\n2026年10月,东城\x1b]0;x\x07区\x1b[2J,高企数,5\n", encoding="utf-8")
    r = read_return(path, con=con, today=TODAY)
    message = r.errors["message"].iloc[0]
    assert "\x1b" not in message and "\x07" not in message
    assert "东城\\x1b]0;x\\x07区\\x1b[2J" in message


def test_a_sheet_not_read_that_holds_numbers_is_warned_about(tmp_path, con):
    """A hidden sheet (or one beside the template's data sheet) with figures was dropped
    without a word."""
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "报表"
    for r in [["期间", "单位", "指标", "数值"], ["2026年10月", "高新区", "高企数", 5]]:
        ws.append(r)
    hidden = wb.create_sheet("补报")
    for r in [["期间", "单位", "指标", "数值"], ["2026年10月", "东城区", "高企数", 3], ["2026年10月", "西湖县", "高企数", 4]]:
        hidden.append(r)
    hidden.sheet_state = "hidden"
    notes = wb.create_sheet("说明")
    notes.append(["本表由各区县填报"])
    wb.save(tmp_path / "r.xlsx")
    r = read_return(tmp_path / "r.xlsx", con=con, today=TODAY)
    assert values_of(r) == [("GQ", "D1", "2026-10", 5.0)]
    warned = r.problems[r.problems["rule"] == "ignored_sheet"]
    assert list(warned["message"]) == ["隐藏的工作表「补报」未读取，其中有 2 行数值"]
    assert set(warned["severity"]) == {"warning"}


def test_a_csv_row_with_more_fields_than_its_header_is_refused(tmp_path, con):
    """An unquoted 1,600.5 split into 1 and 600.5: the figure was stored as 1. Line ends
    of every kind (CRLF, LF, a lone CR) are read, where a lone CR was refused."""
    path = tmp_path / "r.csv"
    path.write_bytes("期间,单位,指标,数值\n2026年10月,高新区,技术合同成交额,1,600.5\n"
                     "2026年10月,东城区,技术合同成交额,\"1,600.5\"\r\n2026年10月,西湖县,高企数,3\r".encode())
    r = read_return(path, con=con, today=TODAY)
    assert list(r.errors["rule"]) == ["extra_fields"] and list(r.errors["row"]) == [2]
    assert ("JS", "D2", "2026-10", 1600.5) in values_of(r) and ("GQ", "D3", "2026-10", 3.0) in values_of(r)


def test_a_value_past_any_figure_is_refused(tmp_path, con):
    """1e308 was stored (with an outlier warning), and the city's sum overflowed to inf:
    status then showed no value and 已完成."""
    path = tmp_path / "r.csv"
    path.write_text("期间,单位,指标,数值\n2026-10,高新区,技术合同成交额,1e308\n2026-10,东城区,技术合同成交额,"
                    "999999999999999\n2026-10,西湖县,技术合同成交额,1000000000000000\n", encoding="utf-8")
    r = read_return(path, con=con, today=TODAY)
    huge = r.errors[r.errors["rule"] == "value_too_large"]
    assert list(huge["row"]) == [2, 4] and huge["message"].iloc[0] == "数值 1e308 超出合理范围（绝对值应小于 1×10^15）"


@pytest.mark.parametrize("today, expected", [
    (dt.date(2027, 1, 10), [("GQ", "D1", "2026-12", 5.0), ("GQ", "D2", "2027-01", 3.0)]),
    (dt.date(2026, 12, 1), [("GQ", "D1", "2026-12", 5.0), ("GQ", "D2", "2026-01", 3.0)]),
])
def test_a_bare_month_is_the_latest_such_month(tmp_path, con, today, expected):
    """Nothing in the file gives the year: 12月 read in January is last December (it was
    refused as a month to come), 1月 read in December is this January."""
    path = xlsx(tmp_path / "r.xlsx", [["期间", "单位", "指标", "数值"], ["12月", "高新区", "高企数", 5],
                                      ["1月", "东城区", "高企数", 3]])
    assert values_of(read_return(path, con=con, today=today)) == expected


def test_a_title_month_no_row_has_is_warned_about(tmp_path, con):
    path = xlsx(tmp_path / "r.xlsx", [["2026年9月科技指标"], ["期间", "单位", "指标", "数值"],
                                      ["2026年10月", "高新区", "高企数", 5]])
    r = read_return(path, con=con, today=TODAY)
    assert values_of(r) == [("GQ", "D1", "2026-10", 5.0)]
    [w] = r.problems[r.problems["rule"] == "title_period_differs"]["message"]
    assert w == "标题写的是 2026-09，期间列却是 2026-10：已按期间列读取"
    same = xlsx(tmp_path / "s.xlsx", [["2026年1-10月科技指标"], ["期间", "单位", "指标", "数值"],
                                      ["2026年9月", "高新区", "高企数", 4], ["2026年10月", "高新区", "高企数", 5]])
    assert "title_period_differs" not in set(read_return(same, con=con, today=TODAY).problems["rule"])


def test_a_cumulative_figure_labelled_with_one_quarter_is_warned_about(tmp_path, con):
    """第三季度 may be 7–9月 alone; stored as 1–9月 it would understate the year by half."""
    path = xlsx(tmp_path / "r.xlsx", [["期间", "单位", "指标", "数值"], ["2026年第三季度", "高新区", "技术合同成交额", 5],
                                      ["2026年第三季度", "东城区", "技术合同成交额", 6], ["2026年第三季度", "东城区", "高企数", 3],
                                      ["2026年前三季度", "西湖县", "技术合同成交额", 7]])
    r = read_return(path, con=con, today=TODAY)
    assert {p for *_, p, _v in values_of(r)} == {"2026-09"}
    assert r.problems[["rule", "row", "message"]].values.tolist() == [
        ["quarter_as_ytd", 2, "「技术合同成交额」的「2026年第三季度」按 1–9月累计读取：如填的是该季度当季数，请改为年初至季末的累计数"]]


def test_one_indicator_named_by_the_title_over_units_by_months(tmp_path, con):
    """A statistics table of one indicator: named (with its unit of measure) in the title
    or as the sheet, districts down, periods across. It was refused: 表头中找不到「指标」列."""
    path = xlsx(tmp_path / "r.xlsx", [["示范市各区县技术合同成交额（万元）"], ["单位", "2026年上半年", "2026年前三季度", "2026年1-10月"],
                                      ["高新区", "10,000", 15000, 18000], ["东城区", 5000, 7000, 8000]])
    r = read_return(path, con=con, today=TODAY)
    assert r.errors.empty and r.layout == "wide_by_month"
    got = {(u, p): v for _c, u, p, v in values_of(r)}
    assert got == {("D1", "2026-06"): 1.0, ("D1", "2026-09"): 1.5, ("D1", "2026-10"): 1.8,
                   ("D2", "2026-06"): 0.5, ("D2", "2026-09"): pytest.approx(0.7), ("D2", "2026-10"): 0.8}  # 万元 → 亿元
    sheet = xlsx(tmp_path / "s.xlsx", [["单位", "2026年9月", "2026年10月"], ["高新区", 5, 6]], sheet="高企数")
    assert values_of(read_return(sheet, con=con, today=TODAY)) == [("GQ", "D1", "2026-09", 5.0), ("GQ", "D1", "2026-10", 6.0)]
    # two indicators in the title: not guessed
    two = xlsx(tmp_path / "t.xlsx", [["技术合同成交额与高企数"], ["单位", "2026年10月"], ["高新区", 5]])
    assert read_return(two, con=con, today=TODAY).values.empty
