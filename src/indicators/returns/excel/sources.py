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
import itertools
import re
import struct
import threading
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

import numpy as np
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
    # sheet XML finds them. It runs in a thread beside calamine: calamine parses a sheet
    # with the GIL released, and so does zlib while inflating.
    scan = Background(_xlsx_error_cells, data) if kind == "xlsx" else None
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises several types for damaged files
        raise RejectedInput(f"文件「{file_name}」无法打开（{type(exc).__name__}）：文件可能已损坏或有密码保护，请另存为 .xlsx 后重试。") from None
    sheets: list[RawSheet] = []
    visible = {m.name: str(m.visible).endswith("Visible") for m in book.sheets_metadata}
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        try:
            grid = _sheet_grid(sheet)
        except Exception:
            grid = _grid([])
        merged = [tuple(map(tuple, r)) for r in (sheet.merged_cell_ranges or [])]
        _fill_merged(grid, merged)
        # calamine reports the last row index (total_height) and the row count (height)
        truncated = kind == "xls" and max(sheet.height, sheet.total_height + 1) >= XLS_MAX_ROWS
        sheets.append(RawSheet(name, grid, merged, {}, truncated, visible.get(name, True)))
    errors = scan.result() if scan is not None else {}
    for s in sheets:
        s.errors = errors.get(s.name, {})
    return sheets


class Background:
    """``fn(*args)`` in a daemon thread; ``result()`` waits and re-raises its error.
    Worth it around calamine, which parses a sheet with the GIL released."""

    def __init__(self, fn, *args):
        self._out: list = []
        self._thread = threading.Thread(target=self._run, args=(fn, args), daemon=True)
        self._thread.start()

    def _run(self, fn, args) -> None:
        try:
            self._out.append((True, fn(*args)))
        except BaseException as exc:  # handed to the caller
            self._out.append((False, exc))

    def result(self):
        self._thread.join()
        ok, value = self._out[0]
        if not ok:
            raise value
        return value


def _sheet_grid(sheet) -> pd.DataFrame:
    """The sheet's cells from A1 as one object block.

    Rows are streamed from calamine straight into the array, so each row's list dies at
    once. ``to_python`` would hand over all 100k row lists together, and the garbage
    collector then walks them in a full pass or two (≈40 ms each on the import benchmark).
    ``iter_rows`` starts at row 1 but at the first used column, so a sheet whose data
    does not touch column A goes through ``to_python`` as before."""
    start, end = sheet.start, sheet.end
    if start is not None and start[1] == 0:
        n, width = end[0] + 1, end[1] + 1
        rows = sheet.iter_rows()
        try:
            cells = np.fromiter(itertools.chain.from_iterable(rows), dtype=object, count=n * width)
        except ValueError:  # fewer cells than the sheet's extent says
            cells = None
        if cells is not None and next(rows, None) is None:
            return pd.DataFrame(cells.reshape(n, width), dtype=object, copy=False)
    return _grid(sheet.to_python(skip_empty_area=False))


def _grid(rows: list[list]) -> pd.DataFrame:
    """calamine's rows as one object block. calamine's ranges are rectangular, so the
    cells go straight into a 2-D object array (half the cost of ``pd.DataFrame(rows)``,
    and no per-column dtype inference)."""
    if not rows:
        return pd.DataFrame(dtype=object)
    n, width = len(rows), len(rows[0])
    if width and sum(map(len, rows)) == n * width:
        cells = np.fromiter(itertools.chain.from_iterable(rows), dtype=object, count=n * width)
        return pd.DataFrame(cells.reshape(n, width), dtype=object, copy=False)
    return pd.DataFrame(rows, dtype=object)


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
                xml = _sheet_xml_if_errors(z, data, path)
                if xml is None:
                    continue
                cells = _scan_errors(xml if xml.rfind(b"<c ", 0, xml.find(_ERROR_MARK)) != -1 else z.read(path))
                if cells:
                    out[sh.get("name")] = cells
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        pass
    return out


_ERROR_MARK = b't="e"'
_CHUNK = 1 << 16  # compressed bytes per step: the inflated piece (~0.7 MB) stays in cache for the search


def _sheet_xml_if_errors(z: zipfile.ZipFile, data: bytes, path: str) -> bytes | None:
    """The sheet XML from a little before its first ``t="e"`` on, or None when it has none.

    The member is inflated once, piece by piece, and each piece searched while it is in
    cache; pieces without a hit are dropped, so the common case (no error cells) never
    holds the whole XML. A member that is not plainly deflated is read whole."""
    info = z.getinfo(path)
    off = info.header_offset
    if info.compress_type != zipfile.ZIP_DEFLATED or data[off:off + 4] != b"PK\x03\x04":
        return _whole_if_errors(z, path)
    name_len, extra_len = struct.unpack("<HH", data[off + 26:off + 30])
    start = off + 30 + name_len + extra_len
    raw = memoryview(data)[start:start + info.compress_size]
    inflate = zlib.decompressobj(-zlib.MAX_WBITS)
    prev = b""
    try:
        for i in range(0, len(raw), _CHUNK):
            piece = inflate.decompress(raw[i:i + _CHUNK])
            if _ERROR_MARK in piece or _ERROR_MARK in prev[-len(_ERROR_MARK):] + piece[:len(_ERROR_MARK)]:
                # keep the piece before: the cell holding the first hit may start there
                rest = [inflate.decompress(raw[j:j + _CHUNK]) for j in range(i + _CHUNK, len(raw), _CHUNK)]
                return b"".join([prev, piece, *rest, inflate.flush()])
            if piece:
                prev = piece
        last = inflate.flush()
        return prev + last if _ERROR_MARK in prev[-len(_ERROR_MARK):] + last else None
    except zlib.error:
        return _whole_if_errors(z, path)


def _whole_if_errors(z: zipfile.ZipFile, path: str) -> bytes | None:
    xml = z.read(path)
    return xml if _ERROR_MARK in xml else None


def _scan_errors(xml: bytes) -> dict[tuple[int, int], str]:
    found: dict[tuple[int, int], str] = {}
    pos = xml.find(_ERROR_MARK)
    while pos != -1:
        start = xml.rfind(b"<c ", 0, pos)
        end = xml.find(b"</c>", pos)
        cell = xml[start:end]
        ref = re.search(rb'\br="([A-Z]+)(\d+)"', cell)
        val = re.search(rb"<v>([^<]*)</v>", cell)
        if ref:
            found[(int(ref.group(2)) - 1, column_index(ref.group(1).decode()))] = (
                val.group(1).decode() if val else "#错误")
        pos = xml.find(_ERROR_MARK, pos + 5)
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
