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

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell_fast
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

    def _write_rows(self) -> None:
        """xlsxwriter's ``_write_rows`` (the sheet's ``<row>`` elements, each with its cells)
        with a row's quick cells (``_quick_cell``) joined into one write."""
        if self.constant_memory or self.comments or self.dim_rowmin is None:
            super()._write_rows()
            return
        self._calculate_spans()
        columns = {col: xl_col_to_name(col) for col in range(self.dim_colmin, self.dim_colmax + 1)}
        for row_num in range(self.dim_rowmin, self.dim_rowmax + 1):
            cells = self.table[row_num]
            if not (row_num in self.row_info or cells):
                continue
            span = self.row_spans.get(int(row_num / 16))
            if not cells:
                self._write_empty_row(row_num, span, self.row_info.get(row_num))
                continue
            self._write_row(row_num, span, self.row_info.get(row_num))
            number = str(row_num + 1)
            parts = []
            for col_num, letters in columns.items():
                if col_num in cells:
                    cell = cells[col_num]
                    text = _quick_cell(letters + number, cell) if cell.format else None
                    if text is None:
                        self.fh.write("".join(parts))
                        parts = []
                        self._write_cell(row_num, col_num, cell)
                    else:
                        parts.append(text)
            self.fh.write("".join(parts))
            self._xml_end_tag("row")

    def _write_cell(self, row: int, col: int, cell) -> None:
        text = _quick_cell(xl_rowcol_to_cell_fast(row, col), cell) if cell.format and not self.constant_memory \
            else None
        if text is None:
            super()._write_cell(row, col, cell)
        else:
            self.fh.write(text)


def _quick_cell(ref: str, cell) -> str | None:
    """The XML xlsxwriter writes for a shared string, number or blank cell with a format
    (``ref`` its A1 reference); None for any other cell."""
    kind = cell.__class__
    if kind is CellStringTuple:
        return f'<c r="{ref}" s="{cell.format._get_xf_index()}" t="s"><v>{cell.string}</v></c>'
    if kind is CellNumberTuple:
        return f'<c r="{ref}" s="{cell.format._get_xf_index()}"><v>{cell.number:.16G}</v></c>'
    if kind is CellBlankTuple:
        return f'<c r="{ref}" s="{cell.format._get_xf_index()}"/>'
    return None
