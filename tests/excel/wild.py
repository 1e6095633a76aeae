"""Hostile and wild return files, built in code (importable as ``wild``).

Helpers that write the files a bureau or an attacker would send: workbooks patched at the
XML level (entity declarations, a cell at XFD1048576, error results, formulas without a
cached value), zip bombs, .xls through LibreOffice, CSVs in odd encodings.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import xlsxwriter
from excel.bookmaker import xlsx as book  # noqa: F401 - the corpus' workbooks, re-exported

from indicators.db import connection

# the catalogue of the bookmaker's city, plus the kinds of indicators the calendar checks need
EXTRA_INDICATORS = [  # code, name, unit, kind, frequency
    ("GDP", "地区生产总值", "亿元", "cumulative", "quarterly"),
    ("RDJF", "全社会R&D经费支出", "亿元", "cumulative", "annual"),
    ("DF", "综合得分", "分", "stock", "monthly"),
    ("QM", "千人研发人员数", "‰", "ratio", "monthly"),
]


def add_indicators(con) -> None:
    for i, (code, name, unit, kind, freq) in enumerate(EXTRA_INDICATORS):
        con.execute("""INSERT INTO indicator (code, name, unit, kind, frequency, sort_order)
                       VALUES (?, ?, ?, ?, ?, ?)""", [code, name, unit, kind, freq, 50 + i])


def patch_part(src: Path, dst: Path, part: str, fn) -> Path:
    """Copy a workbook, passing one part's XML through ``fn(bytes) -> bytes``."""
    with zipfile.ZipFile(src) as z:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zo:
            for info in z.infolist():
                data = z.read(info.filename)
                zo.writestr(info.filename, fn(data) if info.filename == part else data)
    dst.write_bytes(out.getvalue())
    return dst


SHEET1 = "xl/worksheets/sheet1.xml"


def with_far_cell(path: Path, ref: str = "XFD1048576") -> Path:
    """A small return plus one cell far away: calamine would build the whole rectangle."""
    src = book(path.with_suffix(".src.xlsx"), [["期间", "单位", "指标", "数值"], ["2026-10", "高新区", "技术合同成交额", 1]])
    return patch_part(src, path, SHEET1, lambda d: d.replace(
        b"</sheetData>", f'<row r="{ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}"><c r="{ref}"><v>1</v></c></row></sheetData>'
        .encode()))


def with_entities(path: Path) -> Path:
    """A billion-laughs style DOCTYPE in the sheet XML (calamine: XmlError)."""
    src = book(path.with_suffix(".src.xlsx"), [["期间", "单位", "指标", "数值"], ["2026-10", "高新区", "技术合同成交额", 1]])
    doctype = b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    return patch_part(src, path, SHEET1, lambda d: d.replace(b"<worksheet", doctype + b"<worksheet", 1))


def zip_bomb(path: Path, inflated: int = 120 * 2**20) -> Path:
    """A tiny workbook whose sheet XML inflates to ``inflated`` bytes of blanks."""
    src = book(path.with_suffix(".src.xlsx"), [["期间", "单位", "指标", "数值"], ["2026-10", "高新区", "技术合同成交额", 1]])
    return patch_part(src, path, SHEET1, lambda d: d.replace(b"<sheetData>", b"<sheetData>" + b" " * inflated, 1))


def lying_sizes(src: Path, dst: Path, part: str = SHEET1, declared: int = 1000) -> Path:
    """The zip says ``part`` inflates to ``declared`` bytes; it inflates to more."""
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as z:
        info = z.getinfo(part)
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        n = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46:pos + 46 + n]) == part.encode():
            struct.pack_into("<I", data, pos + 24, declared)
        pos = data.find(b"PK\x01\x02", pos + 4)
    dst.write_bytes(bytes(data))
    return dst


def formulas(path: Path) -> Path:
    """openpyxl writes formulas without a cached result: calamine reads them as ''."""
    return book(path, [["期间", "单位", "指标", "数值"], ["2026-10", "高新区", "技术合同成交额", "=SUM(1,2)"],
                       ["2026-10", "东城区", "技术合同成交额", "=cmd|' /C calc'!A0"],
                       ["2026-10", "西湖县", "技术合同成交额", 5]])


def cached_formulas(path: Path) -> Path:
    """Formulas with their cached results, as Excel and WPS save them."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("报表")
    ws.write_row(0, 0, ["期间", "单位", "指标", "数值"])
    ws.write_row(1, 0, ["2026-10", "高新区", "技术合同成交额"])
    ws.write_formula(1, 3, "=1+2", None, 3)
    ws.write_row(2, 0, ["2026-10", "东城区", "技术合同成交额"])
    ws.write_formula(2, 3, "=2*2", None, 4)
    wb.close()
    return path


def many_rows(path: Path, rows: int) -> Path:
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = wb.add_worksheet("长表")
    ws.write_row(0, 0, ["期间", "单位", "指标", "数值"])
    for i in range(1, rows + 1):
        ws.write_row(i, 0, ["2026-10", "高新区", "技术合同成交额", i])
    wb.close()
    return path


def snapshot(path: Path) -> dict:
    """Every table that a write touches, to compare before and after."""
    con = connection.connect(path, read_only=True)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()  # noqa: S608 - fixed names
                for t in ("batch", "observation", "audit")}
    finally:
        con.close()


# ---------------------------------------------------------------- a corpus of hostile and wild files

HEAD = ["期间", "单位", "指标", "数值"]


def hostile_corpus(folder: Path) -> list[Path]:
    """Files that must be refused with located lines: never a traceback, nothing written."""
    f = folder
    out = [with_entities(f / "h01_entities.xlsx"), zip_bomb(f / "h02_bomb.xlsx", 40 * 2**20),
           lying_sizes(zip_bomb(f / "h03_src.xlsx", 40 * 2**20), f / "h03_liar.xlsx"),
           with_far_cell(f / "h04_far_xfd.xlsx"), with_far_cell(f / "h05_far_d.xlsx", "D900000"),
           formulas(f / "h06_formulas.xlsx")]
    texts = {
        "h07_value_error.csv": "期间,单位,指标,数值\n2026-10,高新区,技术合同成交额,#VALUE!\n",
        "h08_long_cell.csv": f"期间,单位,指标,数值\n2026-10,{'字' * 1_000_000},技术合同成交额,1\n",
        "h13_empty.csv": "",
        "h16_injection.csv": '期间,单位,指标,数值\n2026-10,"=HYPERLINK(""http://evil"",""点我"")",技术合同成交额,1\n'
                             "2026-10,@SUM(1),技术合同成交额,2\n",
        "h17_html.csv": "期间,单位,指标,数值\n2026-10,高新区,<img src=x onerror=alert(1)>,1\n",
        "h24_off_quarter.csv": "期间,单位,指标,数值\n2026-10,东城区,地区生产总值,500\n",
        "h26_numbers.csv": "期间,单位,指标,数值\n2026-10,高新区,技术合同成交额,1e400\n2026-10,东城区,技术合同成交额,-5\n"
                           "2026-10,西湖县,技术合同成交额,NaN%\n",
        "h27_commas.csv": "期间,单位,指标,数值\n" + "," * 400_000 + "\n",
        "h28_bom_only.csv": "\ufeff",
        "h29_no_header.csv": "a,b,c\n1,2,3\n",
    }
    for name, text in texts.items():
        (f / name).write_text(text, encoding="utf-8")
        out.append(f / name)
    (f / "h09_dir.xlsx").mkdir()
    out.append(f / "h09_dir.xlsx")
    out += [_zip(f / "h10_docx.xlsx", {"word/document.xml": "<w/>"}),
            _zip(f / "h18_xlsb.xlsx", {"xl/workbook.bin": "x"}),
            _zip(f / "h19_ods.xlsx", {"content.xml": "<x/>", "mimetype": "application/vnd.oasis"})]
    good = book(f / "h11_src.xlsx", [HEAD, ["2026-10", "高新区", "技术合同成交额", 1]])
    (f / "h11_truncated.xlsx").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    (f / "h12_random.xlsx").write_bytes(bytes(range(256)) * 64)
    (f / "h14_nul.csv").write_bytes("期间,单位,指标,数值\n2026-10,高新区,技术合同成交额,1\x00\x00\n".encode())
    (f / "h15_gbk_unknown.csv").write_bytes(("期间,单位,指标,数值\n" + "".join(
        f"2026-10,未知{i},技术合同成交额,{i}\n" for i in range(500))).encode("gbk"))
    out += [f / n for n in ("h11_truncated.xlsx", "h12_random.xlsx", "h14_nul.csv", "h15_gbk_unknown.csv")]
    out.append(patch_part(good, f / "h22_bad_xml.xlsx", SHEET1, lambda d: d.replace(b"</sheetData>", b"<row><c></sheetData>")))
    out.append(book(f / "h23_junk_headers.xlsx", [["单位", *[f"乱码列{i}" for i in range(5000)]], ["高新区", *range(5000)]]))
    merged = book(f / "h25_src.xlsx", [HEAD, ["2026-10", "高新区", "技术合同成交额", 1]])
    ranges = "".join(f'<mergeCell ref="F{r}:G{r}"/>' for r in range(1, 25_001))
    out.append(patch_part(merged, f / "h25_merges.xlsx", SHEET1, lambda d: d.replace(
        b"</worksheet>", f'<mergeCells count="25000">{ranges}</mergeCells></worksheet>'.encode())))
    return out


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, text in members.items():
            z.writestr(name, text)
    return path


def valid_corpus(folder: Path) -> dict[Path, list[tuple]]:
    """Shapes bureaus send, each with the values it must load: (indicator, unit, period, value)."""
    f = folder
    out = {
        book(f / "v01_two_headers.xlsx", [["高新区2026年9月科技指标报表"], ["指标名称", "计量单位", "2026年9月", None],
                                          [None, None, "本月", "累计"], ["技术合同成交额", "亿元", 1.2, 10.5],
                                          ["高新技术企业数", "家", 120, 999]],
             merges=["A1:D1", "A2:A3", "B2:B3", "C2:D2"]):
            [("GQ", "D1", "2026-09", 120.0), ("JS", "D1", "2026-09", 10.5)],
        book(f / "v02_wide_two_headers.xlsx", [["2026年9月各区县科技指标"], ["单位", "技术合同成交额（万元）", None],
                                               [None, "本月", "1-9月累计"], ["东城区", 12000, 95000], ["西湖县", 2000, 18000]],
             merges=["A2:A3", "B2:C2"]):
            [("JS", "D2", "2026-09", 9.5), ("JS", "D3", "2026-09", 1.8)],
        book(f / "v03_city_prefix.xlsx", [HEAD, ["2026-08", "示范市东城区", "高新技术企业数", 77], ["2026-08", "示范市 西湖县", "高新技术企业数", 41]]):
            [("GQ", "D2", "2026-08", 77.0), ("GQ", "D3", "2026-08", 41.0)],
        book(f / "v04_unit_in_title.xlsx", [["西湖县 2026年1-7月科技指标月度报表"], ["指标名称", "6月", "7月"],
                                            ["技术合同成交额", 6.5, 7.25]]):
            [("JS", "D3", "2026-06", 6.5), ("JS", "D3", "2026-07", 7.25)],
        book(f / "v05_unit_in_sheet.xlsx", [["2026年科技指标月度报表"], ["指标名称", "5月"], ["奖补资金兑现", 123.4]],
             sheet="高新区"): [("ZJ", "D1", "2026-05", 123.4)],
        book(f / "v06_annual.xlsx", [["2019年度各地区科技创新评价"], ["地区", "全社会R&D经费支出（亿元）", "综合得分（分）"],
                                     ["东城区", 12.5, 88], ["西湖县", 10, 77.5]]):
            [("DF", "D2", "2019-12", 88.0), ("DF", "D3", "2019-12", 77.5), ("RDJF", "D2", "2019-12", 12.5),
             ("RDJF", "D3", "2019-12", 10.0)],
        book(f / "v07_year_column.xlsx", [["年份", "地区", "全社会R&D经费支出（万元）"], [2020, "东城区", 130000],
                                          ["2021年", "东城区", 140000]]):
            [("RDJF", "D2", "2020-12", 13.0), ("RDJF", "D2", "2021-12", 14.0)],
        cached_formulas(f / "v08_cached_formulas.xlsx"): [("JS", "D1", "2026-10", 3.0), ("JS", "D2", "2026-10", 4.0)],
        book(f / "v10_per_mille.xlsx", [["期间", "单位", "千人研发人员数（%）"], ["2026-04", "东城区", 0.25]]):
            [("QM", "D2", "2026-04", 2.5)],
        book(f / "v11_quarter_ok.xlsx", [HEAD, ["2026年第三季度", "东城区", "地区生产总值", 512]]):
            [("GDP", "D2", "2026-09", 512.0)],
    }
    gbk = f / "v09_gbk.csv"
    gbk.write_bytes("2026年3月报送\n期间,单位,指标,数值\n2026-03,高新区,技术合同成交额,\"1,234\"\n2026-03,东城区,高企数,１２\n"
                    .encode("gbk"))
    out[gbk] = [("GQ", "D2", "2026-03", 12.0), ("JS", "D1", "2026-03", 1234.0)]
    return out
