"""Web pages saved as .xls (a statistics system's 导出 Excel, WPS's 网页格式): their tables
are read as sheets, spans as merged cells; bounded; a page without a table is refused."""

import json
import subprocess
import sys

import pytest
from bookmaker import TODAY, make_db
from test_reading import con, values_of  # noqa: F401 (a fixture)

from indicators.errors import RejectedInput
from indicators.returns.excel.sources import file_kind, read_sheets
from indicators.returns.limits import Limits
from indicators.returns.pipeline import read_return

PAGE = """<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">
<head><meta http-equiv="Content-Type" content="text/html; charset={charset}"><title>科技指标</title>
<style>td {{ mso-number-format:"\\@"; }}</style><script>document.write("<table><tr><td>9</td></tr></table>")</script>
</head><body>
<table border=1>
<tr><td colspan=3>2026年1-10月各区县科技指标</td></tr>
<tr><th rowspan=2>单位</th><th colspan=2>2026年10月</th></tr>
<tr><th>技术合同成交额（万元）</th><th>高企数（家）</th></tr>
<tr><td>高新区</td><td>12,000</td><td>5</td></tr>
<tr><td>东城区</td><td>&nbsp;3,000.5</td><td>3<br></td></tr>
</table></body></html>"""


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_a_page_saved_as_xls_is_read_as_its_table(tmp_path, con, encoding):
    path = tmp_path / "导出.xls"
    path.write_bytes(PAGE.format(charset="gb2312" if encoding == "gbk" else "utf-8").encode(encoding))
    r = read_return(path, con=con, today=TODAY)
    assert r.errors.empty, r.errors[["row", "column", "message"]].to_string()
    assert r.layout == "wide_by_indicator"
    assert values_of(r) == [("GQ", "D1", "2026-10", 5.0), ("GQ", "D2", "2026-10", 3.0),
                            ("JS", "D1", "2026-10", 1.2), ("JS", "D2", "2026-10", pytest.approx(0.30005))]
    row = r.values.query("indicator_code == 'GQ' and org_unit == 'D2'").iloc[0]
    assert (row["sheet"], row["row"], row["column"]) == ("科技指标", 5, "C")  # as Excel shows the page


def test_spans_are_merged_cells_and_scripts_are_not_cells():
    [sheet] = read_sheets(PAGE.format(charset="utf-8").encode(), "x.xls")
    assert file_kind(PAGE.encode(), "x.xls") == "html"
    assert sheet.grid.shape == (5, 3)
    assert sheet.merged == [((0, 0), (0, 2)), ((1, 0), (2, 0)), ((1, 1), (1, 2))]
    assert list(sheet.grid.iloc[2]) == ["单位", "技术合同成交额（万元）", "高企数（家）"]  # 单位 filled down
    assert "9" not in sheet.grid.to_numpy().ravel().tolist()


def test_each_table_is_a_sheet_and_a_page_without_one_is_refused():
    two = "<html><body><table><tr><td>a</td></tr></table><p>x</p><table><tr><td>b</td></tr></table></body></html>"
    assert [s.name for s in read_sheets(two.encode(), "x.xls")] == ["表1", "表2"]
    # no table: not a page of ours, read as text (and found to hold no table)
    assert file_kind(b"<html><body><p>nothing</p></body></html>", "x.xls") == "csv"


def test_a_hostile_span_is_bounded():
    """A span is at most 1,000 columns and the rows there are; the cells it covers count
    against the file's cell bound before they are laid out."""
    page = "<table>" + ("<tr>" + '<td colspan="99999" rowspan="99999">x</td>' * 50 + "</tr>") * 3 + "</table>"
    with pytest.raises(RejectedInput):
        read_sheets(page.encode(), "x.xls", Limits(max_cells=100_000))


def test_through_the_command_line(tmp_path):
    path = tmp_path / "导出.xls"
    path.write_text(PAGE.format(charset="utf-8"), encoding="utf-8")
    db = tmp_path / "c.duckdb"
    make_db(db).close()
    out = subprocess.run([sys.executable, "-m", "indicators", "import", path, "--db", db, "--dry-run", "--json"],
                         capture_output=True, text=True, timeout=120, env={**__import__("os").environ,
                                                                          "INDICATORS_TODAY": TODAY.isoformat()})
    assert out.returncode == 0, out.stderr
    [f] = json.loads(out.stdout)["files"]
    assert f["rows"] == 4 and f["errors"] == 0 and f["periods"] == ["2026-10"]


XML_2003 = """<?xml version="1.0" encoding="UTF-8"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:x="urn:schemas-microsoft-com:office:excel">
 <Worksheet ss:Name="报表"><Table>
  <Row><Cell ss:MergeAcross="2"><Data ss:Type="String">2026年1-10月各区县科技指标</Data></Cell></Row>
  <Row><Cell><Data ss:Type="String">单位</Data></Cell><Cell><Data ss:Type="String">技术合同成交额（万元）</Data></Cell>
   <Cell><Data ss:Type="String">高企数（家）</Data></Cell></Row>
  <Row><Cell><Data ss:Type="String">高新区</Data></Cell><Cell><Data ss:Type="Number">12000</Data></Cell>
   <Cell><Data ss:Type="Number">5</Data></Cell></Row>
  <Row ss:Index="5"><Cell><Data ss:Type="String">东城区</Data></Cell><Cell ss:Index="3"><Data ss:Type="Number">3</Data></Cell></Row>
 </Table></Worksheet>
 <Worksheet ss:Name="旧稿"><Table><Row><Cell><Data ss:Type="String">x</Data></Cell></Row></Table>
  <WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetHidden</Visible></WorksheetOptions>
 </Worksheet>
</Workbook>"""


def test_an_xml_spreadsheet_2003_is_read_as_its_worksheets(tmp_path, con):
    """Excel's XML 电子表格 2003, as older systems export it under .xls: Index skips cells
    and rows, MergeAcross is a merged range, hidden sheets are flagged."""
    path = tmp_path / "导出.xls"
    path.write_text(XML_2003, encoding="utf-8")
    sheets = read_sheets(path.read_bytes(), path.name)
    assert [(s.name, s.visible) for s in sheets] == [("报表", True), ("旧稿", False)]
    assert sheets[0].merged == [((0, 0), (0, 2))] and sheets[0].grid.iat[4, 2] == 3.0 and sheets[0].grid.iat[4, 1] == ""
    r = read_return(path, con=con, today=TODAY)
    assert r.errors.empty, r.errors[["row", "column", "message"]].to_string()
    assert values_of(r) == [("GQ", "D1", "2026-10", 5.0), ("GQ", "D2", "2026-10", 3.0), ("JS", "D1", "2026-10", 1.2)]
    row = r.values.query("indicator_code == 'GQ' and org_unit == 'D2'").iloc[0]
    assert (row["sheet"], row["row"], row["column"]) == ("报表", 5, "C")


def test_an_xml_spreadsheet_with_an_entity_is_refused():
    bomb = XML_2003.replace("<Workbook", '<!DOCTYPE x [<!ENTITY a "aaaa">]><Workbook', 1)
    with pytest.raises(RejectedInput, match="实体声明"):
        read_sheets(bomb.encode(), "x.xls")
