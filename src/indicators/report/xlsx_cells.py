"""The Excel table's rows into xlsxwriter, a row at a time.

The workbooks of ``xlsx_table`` are large — on a bureau's database 20 sheets of 300 rows ×
23 columns and a 滞后说明 sheet of 6,000 — and most of their time went into xlsxwriter's
general per-cell path: argument conversion, a bounds check and a named tuple per cell when
written, an attribute list and two escaping regexes per cell when the sheet's XML is
assembled. ``Sheet`` is xlsxwriter's worksheet with a shorter path for the only cells this
table writes — a shared string, a number or a blank, each with a format:

- ``put_row`` stores a whole row as ``write_string`` / ``write_number`` / ``write_blank``
  would (the same shared-string indices in the same order, the same dimensions; a
  non-finite number is refused as xlsxwriter refuses it);
- ``_write_cell`` writes those cells' XML as xlsxwriter does, without the escaping that a
  cell reference and a format index never need; any other cell goes to xlsxwriter's own.

The bytes are xlsxwriter's own (tests/report/test_report_xlsx.py compares a sheet
written both ways); with another xlsxwriter that no longer calls ``_write_cell`` the table
is only slower.
"""

from __future__ import annotations

import math

from xlsxwriter.utility import xl_rowcol_to_cell_fast
from xlsxwriter.worksheet import CellBlankTuple, CellNumberTuple, CellStringTuple, Worksheet

_SHORT = 16383  # half of Excel's 32,767 UTF-16 units: shorter text is never truncated


class Sheet(Worksheet):
    def put_row(self, row: int, cells: list[tuple[object, object]]) -> None:
        """Cells ``(value, format)`` from column 0: text (``str``) as a string, a float as
        a number, None as a blank that keeps its format (nothing without one)."""
        if not cells or self.constant_memory:
            for col, (value, fmt) in enumerate(cells):
                self._put(row, col, value, fmt)
            return
        if self._check_dimensions(row, 0) or self._check_dimensions(row, len(cells) - 1):
            raise ValueError(f"row {row} is outside the worksheet")
        table = self.table[row]
        index = self.str_table._get_shared_string_index
        for col, (value, fmt) in enumerate(cells):
            if value.__class__ is str and len(value) <= _SHORT:
                table[col] = CellStringTuple(index(value), fmt)
            elif value.__class__ is float and math.isfinite(value):
                table[col] = CellNumberTuple(value, fmt)
            elif value is None and fmt is not None:
                table[col] = CellBlankTuple(fmt)
            else:
                self._put(row, col, value, fmt)

    def _put(self, row: int, col: int, value, fmt) -> None:
        if isinstance(value, str):
            self._write_string(row, col, value, fmt)
        elif value is None:
            self._write_blank(row, col, None, fmt)
        else:
            self._write_number(row, col, value, fmt)  # NaN/inf: xlsxwriter's TypeError

    def _write_cell(self, row: int, col: int, cell) -> None:
        kind = cell.__class__
        if cell.format and not self.constant_memory:
            if kind is CellStringTuple:
                self.fh.write(f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{cell.format._get_xf_index()}" '
                              f't="s"><v>{cell.string}</v></c>')
                return
            if kind is CellNumberTuple:
                self.fh.write(f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{cell.format._get_xf_index()}">'
                              f'<v>{cell.number:.16G}</v></c>')
                return
            if kind is CellBlankTuple:
                self.fh.write(f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{cell.format._get_xf_index()}"/>')
                return
        super()._write_cell(row, col, cell)
