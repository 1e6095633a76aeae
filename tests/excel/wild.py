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

import openpyxl
import xlsxwriter

from indicators.db import batches, connection

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


def book(path: Path, rows: list[list], *, merges=(), sheet="报表", extra: dict | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    for name, more in (extra or {}).items():
        ws2 = wb.create_sheet(name)
        for r in more:
            ws2.append(r)
    wb.save(path)
    return path


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
