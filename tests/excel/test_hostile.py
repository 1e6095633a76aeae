"""Bounds, formulas, hostile files and the wild shapes bureaus send (issue 11), read
through ``read_return`` with the files built in code."""

from __future__ import annotations

import pytest
from bookmaker import TODAY, make_db, to_xls, xlsx
from wild import (
    add_indicators,
    book,
    cached_formulas,
    formulas,
    lying_sizes,
    many_rows,
    with_entities,
    with_far_cell,
    zip_bomb,
)

from indicators.returns.excel.sources import read_sheets
from indicators.returns.limits import Limits
from indicators.returns.pipeline import problem_lines, read_return

HEAD = ["期间", "单位", "指标", "数值"]


@pytest.fixture(scope="module")
def con():
    c = make_db()
    add_indicators(c)
    yield c
    c.close()


def values_of(reading):
    return sorted(map(tuple, reading.values[["indicator_code", "org_unit", "period", "value"]].itertuples(index=False)))


def refused(reading) -> str:
    """The one line a refused file gets."""
    assert list(reading.errors["rule"]) == ["file_refused"], reading.problems[["rule", "message"]]
    assert reading.values.empty
    return reading.errors["message"].iloc[0]


# ---------------------------------------------------------------- bounds


def test_file_size_is_checked_before_reading(tmp_path, con):
    path = many_rows(tmp_path / "big.xlsx", 3000)
    line = refused(read_return(path, con=con, today=TODAY, limits=Limits(max_file_bytes=10_000)))
    assert "超过上限" in line and "INDICATORS_MAX_FILE_MB" in line


def test_rows_per_sheet(tmp_path, con):
    path = many_rows(tmp_path / "rows.xlsx", 1500)
    line = refused(read_return(path, con=con, today=TODAY, limits=Limits(max_rows=1000)))
    assert "「长表」超过 1,000 行" in line and "INDICATORS_MAX_ROWS" in line
    wider = read_return(path, con=con, today=TODAY, limits=Limits(max_rows=2000))
    assert "file_refused" not in set(wider.errors["rule"]) and len(wider.values) == 1500


def test_rows_in_csv(tmp_path, con):
    path = tmp_path / "rows.csv"
    path.write_text("期间,单位,指标,数值\n" + "2026-10,高新区,技术合同成交额,1\n" * 1500, encoding="utf-8")
    assert "超过 1,000 行" in refused(read_return(path, con=con, today=TODAY, limits=Limits(max_rows=1000)))


@pytest.mark.parametrize("ref", ["XFD200", "A1048576", "ZZ150000", "D900000"])
def test_a_far_cell_is_refused_before_calamine_builds_the_rectangle(tmp_path, con, ref):
    line = refused(read_return(with_far_cell(tmp_path / "far.xlsx", ref), con=con, today=TODAY))
    assert "INDICATORS_MAX" in line  # rows or cells, named


def test_a_wide_csv_line_is_refused(tmp_path, con):
    path = tmp_path / "wide.csv"
    path.write_text("期间,单位,指标,数值\n" + "," * 400_000 + "\n", encoding="utf-8")
    assert "INDICATORS_MAX_CELLS" in refused(read_return(path, con=con, today=TODAY, limits=Limits(max_cells=100_000)))


def test_zip_bomb_is_refused_on_its_declared_size(tmp_path, con):
    path = zip_bomb(tmp_path / "bomb.xlsx")
    line = refused(read_return(path, con=con, today=TODAY))
    assert "解压后有 120.0 MB" in line and "倍" in line


def test_a_zip_that_lies_about_its_size_is_refused(tmp_path, con):
    path = lying_sizes(zip_bomb(tmp_path / "bomb.xlsx"), tmp_path / "liar.xlsx")
    assert "已损坏" in refused(read_return(path, con=con, today=TODAY))


def test_entity_declaration_is_refused_with_its_cause(tmp_path, con):
    line = refused(read_return(with_entities(tmp_path / "xxe.xlsx"), con=con, today=TODAY))
    assert "实体声明" in line and "sheet1.xml" in line


@pytest.mark.parametrize("name, data, words", [
    ("x.xlsx", b"PK\x03\x04garbage", "不是完整的 .xlsx"),
    ("x.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 600, "已损坏"),
    ("x.docx", None, "不是 Excel 工作簿"),
    ("x.bin", b"\x00\x01\x02binary", "无法识别"),
])
def test_damaged_or_foreign_files(tmp_path, con, name, data, words):
    if data is None:  # a zip that is not a workbook
        import zipfile
        with zipfile.ZipFile(tmp_path / name, "w") as z:
            z.writestr("word/document.xml", "<w/>")
        data = (tmp_path / name).read_bytes()
    assert words in refused(read_return(data, name, con=con, today=TODAY))


def test_a_directory_is_not_a_file(tmp_path, con):
    (tmp_path / "x.xlsx").mkdir()
    assert "是一个文件夹" in refused(read_return(tmp_path / "x.xlsx", con=con, today=TODAY))


def test_problems_are_capped_per_rule_and_counted(tmp_path, con):
    rows = [HEAD] + [["2026-10", f"未知单位{i}", "技术合同成交额", i] for i in range(450)]
    path = tmp_path / "units.csv"
    path.write_text("\n".join(",".join(map(str, r)) for r in rows), encoding="utf-8")
    r = read_return(path, con=con, today=TODAY, limits=Limits(max_problems=200))
    assert len(r.errors) == 200 and r.omitted == {"unknown_unit": ("error", 250)}
    assert r.summary()["errors"] == 450 and r.summary()["problems_omitted"] == {"unknown_unit": 250}
    assert problem_lines(r, limit=None)[-1].endswith("「未知单位」还有 250 处同类问题未列出（每类最多列出前 200 条）")


def test_a_long_text_is_cut_in_messages(tmp_path, con):
    path = tmp_path / "long.csv"
    path.write_text(f"期间,单位,指标,数值\n2026-10,{'字' * 1_000_000},技术合同成交额,{'x' * 5000}\n", encoding="utf-8")
    r = read_return(path, con=con, today=TODAY)
    assert set(r.errors["rule"]) == {"unknown_unit", "not_number"}
    assert r.problems["message"].str.len().max() < 200 and r.problems["value"].str.len().max() < 80
    assert "（共 1,000,000 字）" in r.errors.query("rule == 'unknown_unit'")["message"].iloc[0]


# ---------------------------------------------------------------- formulas and error values


def test_formula_without_cached_value_is_an_error_naming_the_cell(tmp_path, con):
    r = read_return(formulas(tmp_path / "f.xlsx"), con=con, today=TODAY)
    e = r.errors
    assert list(zip(e["rule"], e["column"], e["row"])) == [("formula_uncached", "D", 2), ("formula_uncached", "D", 3)]
    assert e["value"].tolist() == ["=SUM(1,2)", "=cmd|' /C calc'!A0"]
    assert values_of(r) == [("JS", "D3", "2026-10", 5.0)]  # the plain cell is read; nothing vanished silently


def test_formula_with_cached_value_is_used_and_warned_once_per_sheet(tmp_path, con):
    r = read_return(cached_formulas(tmp_path / "c.xlsx"), con=con, today=TODAY)
    assert r.ok and values_of(r) == [("JS", "D1", "2026-10", 3.0), ("JS", "D2", "2026-10", 4.0)]
    w = r.warnings
    assert list(w["rule"]) == ["formula_cached"] and "2 个公式单元格（如 D2）" in w["message"].iloc[0]


@pytest.mark.parametrize("text", ["#VALUE!", "#REF!", "#N/A", " #div/0! "])
def test_error_text_in_a_csv_is_an_error(tmp_path, con, text):
    path = tmp_path / "e.csv"
    path.write_text(f"期间,单位,指标,数值\n2026-10,高新区,技术合同成交额,{text}\n2026-10,东城区,技术合同成交额,2\n",
                    encoding="utf-8")
    r = read_return(path, con=con, today=TODAY)
    e = r.errors
    assert list(zip(e["rule"], e["column"], e["row"])) == [("formula_error", "D", 2)]


def test_error_results_in_an_xls_are_errors(tmp_path, con):
    src = tmp_path / "e.xlsx"
    book(src, [HEAD, ["2026-10", "高新区", "技术合同成交额", "=1/0"], ["2026-10", "东城区", "技术合同成交额", "=NA()"],
               ["2026-10", "西湖县", "技术合同成交额", "=2+3"]])
    r = read_return(to_xls(src, tmp_path), con=con, today=TODAY)  # LibreOffice computes and caches the results
    assert list(zip(r.errors["rule"], r.errors["value"])) == [("formula_error", "#DIV/0!"), ("formula_error", "#N/A")]
    assert values_of(r) == [("JS", "D3", "2026-10", 5.0)]
    assert list(r.warnings["rule"]) == ["formula_cached"]


def test_xls_far_cell_is_refused(tmp_path, con):
    src = tmp_path / "far.xlsx"
    wb = __import__("openpyxl").Workbook()
    ws = wb.active
    ws.append(HEAD)
    ws.cell(row=60000, column=250, value=1)
    wb.save(src)
    assert "INDICATORS_MAX_CELLS" in refused(read_return(to_xls(src, tmp_path), con=con, today=TODAY))


def test_unreadable_sheet_says_why(tmp_path, con):
    src = book(tmp_path / "s.xlsx", [HEAD, ["2026-10", "高新区", "技术合同成交额", 1]])
    from wild import SHEET1, patch_part
    bad = patch_part(src, tmp_path / "bad.xlsx", SHEET1, lambda d: d.replace(b"</sheetData>", b"<row><c></sheetData>"))
    r = read_return(bad, con=con, today=TODAY)
    assert list(r.errors["rule"]) == ["sheet_unreadable"]
    assert r.errors["message"].iloc[0] == "工作表「报表」无法读取（工作表数据结构异常）"


# ---------------------------------------------------------------- shapes a bureau sends


def test_two_header_rows_month_and_year_to_date(tmp_path, con):
    """指标 / 2026年10月 over 本月 · 累计 (merged): 累计 for a cumulative indicator, 本月
    (the month-end level) for a stock; neither column is a duplicate of the other."""
    rows = [["高新区2026年10月科技指标报表"], ["指标名称", "计量单位", "2026年10月", None], [None, None, "本月", "累计"],
            ["技术合同成交额", "亿元", 1.2, 10.5], ["高新技术企业数", "家", 120, 999]]
    path = book(tmp_path / "two.xlsx", rows, merges=["A1:D1", "A2:A3", "B2:B3", "C2:D2"])
    r = read_return(path, con=con, today=TODAY)
    assert r.errors.empty, r.errors[["message"]]
    assert values_of(r) == [("GQ", "D1", "2026-10", 120.0), ("JS", "D1", "2026-10", 10.5)]


def test_two_header_rows_indicators_over_month_and_year_to_date(tmp_path, con):
    rows = [["2026年10月各区县科技指标"], ["单位", "技术合同成交额（万元）", None, "高新技术企业数（家）", None],
            [None, "本月", "本年累计", "本月", "累计"], ["东城区", 12000, 105000, 120, 999], ["西湖县", 2000, 20000, 80, 999]]
    path = book(tmp_path / "wide.xlsx", rows, merges=["A2:A3", "B2:C2", "D2:E2"])
    r = read_return(path, con=con, today=TODAY)
    assert r.errors.empty, r.errors[["message"]]
    assert values_of(r) == [("GQ", "D2", "2026-10", 120.0), ("GQ", "D3", "2026-10", 80.0),
                            ("JS", "D2", "2026-10", 10.5), ("JS", "D3", "2026-10", 2.0)]


def test_month_and_range_columns_of_a_monthly_sheet(tmp_path, con):
    rows = [["填报单位：高新区"], ["指标名称", "10月", "1-10月"], ["技术合同成交额", 1.5, 12.0], ["高新技术企业数", 88, 999]]
    r = read_return(book(tmp_path / "m.xlsx", rows), con=con, today=TODAY)
    assert r.errors.empty and values_of(r) == [("GQ", "D1", "2026-10", 88.0), ("JS", "D1", "2026-10", 12.0)]


@pytest.mark.parametrize("written, code", [("示范市东城区", "D2"), ("示范市 高新区", "D1"), ("全市西湖", "D3")])
def test_a_unit_written_with_its_city_in_front(tmp_path, con, written, code):
    r = read_return(xlsx(tmp_path / "u.xlsx", [HEAD, ["2026-10", written, "技术合同成交额", 3]]), con=con, today=TODAY)
    assert r.errors.empty and values_of(r) == [("JS", code, "2026-10", 3.0)]


def test_wide_by_month_with_the_unit_only_in_the_title(tmp_path, con):
    rows = [["西湖县 2026年1-10月科技指标月度报表"], ["指标名称", "9月", "10月"], ["技术合同成交额", 9, 10]]
    r = read_return(book(tmp_path / "t.xlsx", rows), con=con, today=TODAY)
    assert r.errors.empty and values_of(r) == [("JS", "D3", "2026-09", 9.0), ("JS", "D3", "2026-10", 10.0)]


def test_wide_by_month_with_the_unit_only_in_the_sheet_name(tmp_path, con):
    rows = [["2026年科技指标月度报表"], ["指标名称", "9月", "10月"], ["技术合同成交额", 9, 10]]
    r = read_return(book(tmp_path / "s.xlsx", rows, sheet="东城区"), con=con, today=TODAY)
    assert r.errors.empty and values_of(r) == [("JS", "D2", "2026-09", 9.0), ("JS", "D2", "2026-10", 10.0)]


def test_two_units_of_the_same_level_in_a_title_are_not_guessed(tmp_path, con):
    rows = [["东城区、西湖县 2026年10月科技指标"], ["指标名称", "10月"], ["技术合同成交额", 10]]
    r = read_return(book(tmp_path / "two.xlsx", rows), con=con, today=TODAY)
    assert "missing_key" in set(r.errors["rule"])


def test_annual_title_and_score_unit(tmp_path, con):
    """«2019年度各地区……»: the year's figure, December; 分 is a unit of measure."""
    rows = [["2019年度各地区科技创新评价"], ["地区", "全社会R&D经费支出（亿元）", "综合得分（分）"],
            ["东城区", 12.5, 88], ["西湖县", 10, 77.5]]
    r = read_return(book(tmp_path / "a.xlsx", rows), con=con, today=TODAY)
    assert r.errors.empty, r.errors[["message"]]
    assert values_of(r) == [("DF", "D2", "2019-12", 88.0), ("DF", "D3", "2019-12", 77.5),
                            ("RDJF", "D2", "2019-12", 12.5), ("RDJF", "D3", "2019-12", 10.0)]
    w = r.warnings  # the monthly 综合得分 says where its year's figure went
    assert list(w["rule"]) == ["annual_as_december"] and "综合得分" in w["message"].iloc[0]


def test_year_column_of_published_statistics(tmp_path, con):
    rows = [["年份", "地区", "全社会R&D经费支出（万元）"], [2019, "东城区", 125000], ["2020年", "东城区", 130000]]
    r = read_return(book(tmp_path / "y.xlsx", rows), con=con, today=TODAY)
    assert r.ok and values_of(r) == [("RDJF", "D2", "2019-12", 12.5), ("RDJF", "D2", "2020-12", 13.0)]


def test_a_year_not_yet_over_needs_its_month(tmp_path, con):
    rows = [["2026年各区县科技指标"], ["单位", "技术合同成交额（亿元）"], ["东城区", 5]]
    r = read_return(book(tmp_path / "y.xlsx", rows), con=con, today=TODAY)
    assert list(r.errors["rule"]) == ["missing_period"] and "该年尚未结束" in r.errors["message"].iloc[0]


@pytest.mark.parametrize("src, dst, factor", [("‰", "‰", 1), ("%", "‰", 10)])
def test_per_mille(tmp_path, con, src, dst, factor):
    r = read_return(xlsx(tmp_path / "p.xlsx", [["期间", "单位", f"千人研发人员数（{src}）"], ["2026-10", "东城区", 2.5]]),
                    con=con, today=TODAY)
    assert r.errors.empty and values_of(r) == [("QM", "D2", "2026-10", 2.5 * factor)]


def test_score_is_not_a_count(tmp_path, con):
    r = read_return(xlsx(tmp_path / "s.xlsx", [["期间", "单位", "综合得分（家）"], ["2026-10", "东城区", 2]]),
                    con=con, today=TODAY)
    assert list(r.errors["rule"]) == ["unit_mismatch"]


# ---------------------------------------------------------------- the calendar


@pytest.mark.parametrize("code, period, ok", [
    ("地区生产总值", "2026-10", False), ("地区生产总值", "2026-09", True),
    ("全社会R&D经费支出", "2025-11", False), ("全社会R&D经费支出", "2025-12", True),
])
def test_a_value_for_a_month_its_indicator_is_not_reported_in(tmp_path, con, code, period, ok):
    r = read_return(xlsx(tmp_path / "q.xlsx", [HEAD, [period, "东城区", code, 500]]), con=con, today=TODAY)
    assert r.ok is ok
    if not ok:
        e = r.errors
        assert list(e["rule"]) == ["off_frequency"] and ("季度指标" in e["message"].iloc[0]
                                                         or "年度指标" in e["message"].iloc[0])


def test_the_current_month_warns_that_it_is_not_over(tmp_path, con):
    r = read_return(xlsx(tmp_path / "now.xlsx", [HEAD, ["2026-11", "东城区", "技术合同成交额", 5],
                                                  ["2026-11", "高新区", "技术合同成交额", 6]]), con=con, today=TODAY)
    assert r.ok and list(r.warnings["rule"]) == ["open_period"]
    assert "月份尚未结束" in r.warnings["message"].iloc[0]


def test_read_sheets_flags_what_the_scan_saw(tmp_path):
    sheet = read_sheets(cached_formulas(tmp_path / "c.xlsx").read_bytes(), "c.xlsx")[0]
    assert (sheet.scan.cached_formulas, sheet.scan.first_cached) == (2, (1, 3))


def test_the_page_table_says_how_many_were_not_listed(tmp_path, con):
    from indicators.views.upload import problems_table
    rows = [HEAD] + [["2026-10", f"未知单位{i}", "技术合同成交额", i] for i in range(230)]
    path = tmp_path / "units.csv"
    path.write_text("\n".join(",".join(map(str, r)) for r in rows), encoding="utf-8")
    table = problems_table(read_return(path, con=con, today=TODAY))
    assert len(table) == 201 and table["说明"].iloc[-1] == "同类问题还有 30 处未列出（每类最多列出前 200 条）"
