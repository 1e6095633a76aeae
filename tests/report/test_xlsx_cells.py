"""report.xlsx_cells.Sheet writes the bytes xlsxwriter's own worksheet writes: the same
cells through put_row (and the public writers, and cells it hands back to xlsxwriter)."""

from __future__ import annotations

import io
import math
import zipfile

import pytest
import xlsxwriter

from indicators.report.xlsx_cells import Sheet


def _book(sheet_class, fill) -> dict[str, bytes]:
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False, "nan_inf_to_errors": False})
    wb.set_properties({"created": None})
    if sheet_class is not None:
        wb.worksheet_class = sheet_class
    fill(wb, wb.add_worksheet("表"), sheet_class is not None)
    wb.close()
    z = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    return {n: z.read(n) for n in z.namelist() if not n.endswith("core.xml")}


def _cells(wb):
    plain, money, risky = wb.add_format({"border": 1}), wb.add_format({"num_format": "#,##0.00"}), \
        wb.add_format({"quote_prefix": True})
    return [
        [("序号", plain), ("指标", plain), ("=1+1", risky), ("", plain), ("A&B <x> \"q\"", plain)],
        [(1.0, money), (1234.5678, money), (None, money), (-0.000001, money), (1e20, money)],
        [("长" * 20000, plain), (None, None), (3.0, None), ("无格式", None), (1 / 3, money)],
    ]


def _fill(wb, ws, quick: bool) -> None:
    ws.write_string(0, 0, "标题", wb.add_format({"bold": True}))
    ws.set_row(2, 30)
    ws.set_row(9, 20)  # a row with attributes only
    ws.set_column(1, 1, 30)
    for i, row in enumerate(_cells(wb)):
        if quick:
            ws.put_row(3 + i, row)
        else:
            for col, (value, fmt) in enumerate(row):
                if isinstance(value, str):
                    ws.write_string(3 + i, col, value, fmt)
                elif value is None:
                    ws.write_blank(3 + i, col, None, fmt)
                else:
                    ws.write_number(3 + i, col, value, fmt)
    ws.write_formula(7, 2, "=SUM(A5:B5)", wb.add_format({"bold": True}), 1235.5678)  # not a quick cell
    ws.write_boolean(7, 4, True)
    ws.autofilter(3, 0, 5, 4)
    ws.freeze_panes(4, 2)


def test_a_sheet_of_quick_cells_is_xlsxwriters_own_bytes():
    ours, theirs = _book(Sheet, _fill), _book(None, _fill)
    assert ours.keys() == theirs.keys()
    for name in theirs:
        assert ours[name] == theirs[name], name


def test_an_empty_sheet_too():
    assert _book(Sheet, lambda wb, ws, quick: None) == _book(None, lambda wb, ws, quick: None)


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_a_number_xlsxwriter_refuses_is_refused(bad):
    wb = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
    wb.worksheet_class = Sheet
    ws = wb.add_worksheet()
    with pytest.raises(TypeError):
        ws.put_row(0, [(bad, None)])
