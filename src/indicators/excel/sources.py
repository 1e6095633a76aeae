"""Reading a return file into raw cell grids, whatever it was saved as.

``.xlsx``/``.xlsm``/``.xls`` go through python-calamine (fast, reads .xls too); ``.csv``
is decoded as UTF-8 (with or without BOM) or GBK/GB18030, as Excel and WPS on Chinese
Windows write it. The format is told by the file's first bytes, not its name, because
returns arrive renamed. Each sheet becomes a ``RawSheet``: a grid of cells from A1
(``''`` for empty), merged ranges filled from their top-left cell, cells that held a
formula error value, and whether an ``.xls`` sheet stopped at the format's 65,536 rows.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

import pandas as pd
import python_calamine

from indicators.errors import RejectedInput

XLS_MAX_ROWS = 65_536
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass
class RawSheet:
    """One sheet as cells. ``grid.iat[r, c]`` is Excel row ``r + 1``, column ``c``
    (0 = A). ``errors`` maps (r, c) → the error text (``#DIV/0!`` …) of formula cells
    whose cached result is an error (the grid holds ``''`` there)."""

    name: str
    grid: pd.DataFrame
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    truncated: bool = False
    visible: bool = True


def file_kind(data: bytes, file_name: str = "") -> str:
    """'xlsx' (also .xlsm), 'xls' or 'csv', from the content first and the name second."""
    if data[:4] == _XLSX_MAGIC:
        return "xlsx"
    if data[:4] == _XLS_MAGIC:
        return "xls"
    suffix = Path(file_name).suffix.lower()
    if suffix in (".csv", ".txt", ".tsv", "") or _looks_textual(data[:4096]):
        return "csv"
    raise RejectedInput(f"无法识别文件「{file_name}」的格式：请上传 .xlsx、.xls 或 .csv 文件。")


def _looks_textual(head: bytes) -> bool:
    return b"\x00" not in head


def read_sheets(data: bytes, file_name: str = "") -> list[RawSheet]:
    """All sheets of a return as ``RawSheet``s (hidden ones flagged, not dropped)."""
    kind = file_kind(data, file_name)
    if kind == "csv":
        return [_read_csv(data, file_name)]
    return _read_workbook(data, file_name, kind)


# --- workbooks -------------------------------------------------------------------------

def _read_workbook(data: bytes, file_name: str, kind: str) -> list[RawSheet]:
    # Formula error cells (#DIV/0! …) come back from calamine as '' — a small scan of the
    # sheet XML finds them. It runs after calamine, not beside it: on two shared cores a
    # thread competing for the GIL cost more than the scan itself (bench/bench_import.py).
    errors = _xlsx_error_cells(data) if kind == "xlsx" else {}
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises several types for damaged files
        raise RejectedInput(f"文件「{file_name}」无法打开（{type(exc).__name__}）：文件可能已损坏或有密码保护，请另存为 .xlsx 后重试。") from None
    sheets: list[RawSheet] = []
    visible = {m.name: str(m.visible).endswith("Visible") for m in book.sheets_metadata}
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        try:
            rows = sheet.to_python(skip_empty_area=False)
        except Exception:
            rows = []
        grid = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame(dtype=object)
        merged = [tuple(map(tuple, r)) for r in (sheet.merged_cell_ranges or [])]
        _fill_merged(grid, merged)
        # calamine reports the last row index (total_height) and the row count (height)
        truncated = kind == "xls" and max(sheet.height, sheet.total_height + 1) >= XLS_MAX_ROWS
        sheets.append(RawSheet(name, grid, merged, {}, truncated, visible.get(name, True)))
    for s in sheets:
        s.errors = errors.get(s.name, {})
    return sheets


def _fill_merged(grid: pd.DataFrame, merged: list) -> None:
    """A merged range shows its top-left value everywhere it covers (a merged 单位 cell
    over three rows names the unit of all three)."""
    for (r0, c0), (r1, c1) in merged:
        if r0 >= grid.shape[0] or c0 >= grid.shape[1]:
            continue
        grid.iloc[r0:r1 + 1, c0:c1 + 1] = grid.iat[r0, c0]


_COL = re.compile(rb"([A-Z]+)(\d+)")
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}


def _xlsx_error_cells(data: bytes) -> dict[str, dict[tuple[int, int], str]]:
    """Cells with ``t="e"`` (formula result is an error) per sheet name. calamine gives
    ``''`` for them, indistinguishable from an empty cell, hence this small scan."""
    out: dict[str, dict[tuple[int, int], str]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            book = ElementTree.fromstring(z.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target") for r in rels}
            for sh in book.iterfind("m:sheets/m:sheet", _NS):
                target = targets.get(sh.get(f"{{{_NS['r']}}}id"), "")
                path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
                xml = z.read(path)
                cells = _scan_errors(xml)
                if cells:
                    out[sh.get("name")] = cells
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        pass
    return out


def _scan_errors(xml: bytes) -> dict[tuple[int, int], str]:
    found: dict[tuple[int, int], str] = {}
    pos = xml.find(b't="e"')
    while pos != -1:
        start = xml.rfind(b"<c ", 0, pos)
        end = xml.find(b"</c>", pos)
        cell = xml[start:end]
        ref = re.search(rb'\br="([A-Z]+)(\d+)"', cell)
        val = re.search(rb"<v>([^<]*)</v>", cell)
        if ref:
            found[(int(ref.group(2)) - 1, column_index(ref.group(1).decode()))] = (
                val.group(1).decode() if val else "#错误")
        pos = xml.find(b't="e"', pos + 5)
    return found


# --- csv -------------------------------------------------------------------------------

def decode_text(data: bytes) -> str:
    """UTF-8 (BOM or not) first, then GB18030 (a superset of GBK, what WPS writes)."""
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise RejectedInput("CSV 文件编码无法识别：请用 UTF-8 或 GBK 编码保存。")


def _read_csv(data: bytes, file_name: str) -> RawSheet:
    text = decode_text(data)
    sample = text[:4096]
    delimiter = max((",", "\t", ";", "，"), key=sample.count) if sample else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    width = max(map(len, rows), default=0)
    if any(len(r) != width for r in rows):  # ragged rows: title lines are shorter
        rows = [r + [""] * (width - len(r)) for r in rows]
    grid = pd.DataFrame(rows, dtype=object).fillna("") if rows else pd.DataFrame(dtype=object)
    return RawSheet(Path(file_name).stem or "CSV", grid)


# --- addresses -------------------------------------------------------------------------

def column_letter(index: int) -> str:
    """0 → 'A', 25 → 'Z', 26 → 'AA'."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1
