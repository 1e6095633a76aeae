"""Reading a return file into raw cell grids, whatever it was saved as.

``.xlsx``/``.xlsm``/``.xls`` go through python-calamine (fast, reads .xls too), after a
scan of the file's parts (``xlsx_scan`` / ``xls_scan``) that refuses what calamine
cannot survive and notes what it cannot tell (error results, formulas without a cached
value); ``.csv`` is decoded as UTF-8 (with or without BOM) or GBK/GB18030, as Excel and
WPS on Chinese Windows write it, or as UTF-16 with its BOM (Excel's 「Unicode 文本」,
tab-separated); a web page saved as ``.xls`` gives its tables (``html_table``), an XML
电子表格 2003 its worksheets (``xml_2003``). The
format is told by the file's first bytes, not its name, because returns arrive renamed. Each sheet becomes a ``RawSheet``: a grid of cells
from A1 (``''`` for empty), merged ranges filled from their top-left cell, what the scan
found, and whether an ``.xls`` sheet stopped at the format's 65,536 rows. Every bound of
``Limits`` is checked before the step it protects.
"""

from __future__ import annotations

import csv
import io
import itertools
import stat
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import python_calamine

from indicators.errors import RejectedInput
from indicators.returns.excel.html_table import looks_like_html, read_tables
from indicators.returns.excel.xls_scan import scan_xls
from indicators.returns.excel.xlsx_scan import SheetScan, scan_xlsx
from indicators.returns.excel.xml_2003 import looks_like_xml_2003, read_worksheets
from indicators.returns.limits import Limits, clip

XLS_MAX_ROWS = 65_536
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"
DEFAULT_LIMITS = Limits()


@dataclass
class RawSheet:
    """One sheet as cells. ``grid.iat[r, c]`` is Excel row ``r + 1``, column ``c``
    (0 = A). ``scan`` holds what the part scan saw: cells whose formula result is an
    error (the grid holds ``''`` there), formulas without a cached value, how many carry
    one. ``unreadable`` is the reason when calamine could not read the sheet at all."""

    name: str
    grid: pd.DataFrame
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    scan: SheetScan | None = None
    truncated: bool = False
    visible: bool = True
    unreadable: str | None = None
    delimited: bool = False  # a CSV or text file: a row's fields are what its delimiters made

    @property
    def errors(self) -> dict[tuple[int, int], str]:
        return self.scan.errors if self.scan is not None else {}


def file_kind(data: bytes, file_name: str = "") -> str:
    """'xlsx' (also .xlsm), 'xls', 'html' (a web page saved as .xls), 'xml2003' (Excel's
    XML 电子表格 2003) or 'csv', from the content first and the name second."""
    if data[:4] == _XLSX_MAGIC:
        return "xlsx"
    if data[:4] == _XLS_MAGIC:
        return "xls"
    if looks_like_html(data):  # a web page saved as .xls (导出 Excel, 网页格式)
        return "html"
    if looks_like_xml_2003(data):  # Excel's XML 电子表格 2003 under a .xls or .xml name
        return "xml2003"
    suffix = Path(file_name).suffix.lower()
    if suffix in (".csv", ".txt", ".tsv", "") or data[:2] in _UTF16_BOMS or _looks_textual(data[:4096]):
        return "csv"
    raise RejectedInput(f"无法识别文件「{file_name}」的格式：请上传 .xlsx、.xls 或 .csv 文件。")


def _looks_textual(head: bytes) -> bool:
    return b"\x00" not in head


def read_sheets(data: bytes, file_name: str = "", limits: Limits = DEFAULT_LIMITS) -> list[RawSheet]:
    """All sheets of a return as ``RawSheet``s (hidden ones flagged, not dropped).
    Raises ``RejectedInput`` (one line) for a file that cannot or must not be read."""
    limits.check_file_size(len(data), file_name)
    kind = file_kind(data, file_name)
    if kind == "csv":
        return [_read_csv(data, file_name, limits)]
    if kind == "html":
        return _read_html(data, file_name, limits)
    if kind == "xml2003":
        return _read_xml_2003(data, file_name, limits)
    scans = scan_xlsx(data, file_name, limits) if kind == "xlsx" else scan_xls(data, file_name, limits)
    return _read_workbook(data, file_name, kind, scans, limits)


def read_file(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """A return's bytes from disk, refused with one line when it is not a readable file
    or is larger than the limit (checked before reading it)."""
    p = Path(path)
    name = p.name
    try:
        if p.is_dir():
            raise RejectedInput(f"「{path}」是一个文件夹，不是报表文件：请指定其中的 .xlsx、.xls 或 .csv 文件。")
        info = p.stat()
        if not stat.S_ISREG(info.st_mode):  # a pipe would wait for a writer forever, holding the database
            raise RejectedInput(f"「{path}」不是普通文件（管道、设备等）：请指定 .xlsx、.xls 或 .csv 文件。")
        size = info.st_size
        limits.check_file_size(size, name)
        with p.open("rb") as f:
            return f.read(limits.max_file_bytes + 1)
    except FileNotFoundError:
        raise RejectedInput(f"文件不存在：{path}") from None
    except PermissionError:
        raise RejectedInput(f"没有读取「{path}」的权限：请检查文件权限。") from None
    except OSError as exc:
        raise RejectedInput(f"无法读取「{path}」：{exc.strerror or type(exc).__name__}。") from None


# --- workbooks -------------------------------------------------------------------------

# calamine's exceptions, in the user's words
_CALAMINE_CAUSES = {"PasswordError": "有密码保护", "XmlError": "XML 内容格式错误", "ZipError": "压缩数据已损坏",
                    "CalamineError": "工作表数据结构异常"}


def _cause(exc: Exception) -> str:
    return _CALAMINE_CAUSES.get(type(exc).__name__, "文件内容无法解析")


def _read_workbook(data: bytes, file_name: str, kind: str, scans: dict[str, SheetScan],
                   limits: Limits) -> list[RawSheet]:
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        visible = {m.name: str(m.visible).endswith("Visible") for m in book.sheets_metadata}
        names = list(book.sheet_names)
    except Exception as exc:  # calamine raises several types for damaged files
        raise RejectedInput(f"文件「{file_name}」无法打开（{_cause(exc)}）：文件可能已损坏或有密码保护，"
                            "请另存为 .xlsx 后重试。") from None
    sheets: list[RawSheet] = []
    cells = [0]

    def admit(sheet_name: str, rows: int, width: int) -> None:
        """The rectangle calamine built (from A1) counts before it becomes a grid."""
        cells[0] += rows * width
        limits.check_rows(rows, sheet_name, file_name)
        limits.check_cells(cells[0], sheet_name, file_name)

    for name in names:
        sheets.append(_one_sheet(book, name, kind, scans.get(name), visible.get(name, True), admit))
    return sheets


def _one_sheet(book, name: str, kind: str, scan: SheetScan | None, visible: bool, admit) -> RawSheet:
    try:
        sheet = book.get_sheet_by_name(name)
        end = sheet.end
        admit(name, end[0] + 1 if end else 0, end[1] + 1 if end else 0)
        grid = _sheet_grid(sheet)
    except RejectedInput:
        raise
    except Exception as exc:  # a damaged sheet: say why instead of showing "no table"
        return RawSheet(name, _grid([]), scan=scan, visible=visible, unreadable=_cause(exc))
    merged = [tuple(map(tuple, r)) for r in (sheet.merged_cell_ranges or [])]
    _fill_merged(grid, merged)
    # calamine reports the last row index (total_height) and the row count (height)
    truncated = kind == "xls" and max(sheet.height, sheet.total_height + 1) >= XLS_MAX_ROWS
    return RawSheet(name, grid, merged, scan, truncated, visible)


class Background:
    """``fn(*args)`` in a daemon thread; ``result()`` waits and re-raises its error.
    Worth it around calamine, which parses a sheet with the GIL released."""

    def __init__(self, fn, *args, **kwargs):
        self._out: list = []
        self._thread = threading.Thread(target=self._run, args=(fn, args, kwargs), daemon=True)
        self._thread.start()

    def _run(self, fn, args, kwargs) -> None:
        try:
            self._out.append((True, fn(*args, **kwargs)))
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


def _filled(found) -> list[RawSheet]:
    """Sheets from (name, grid, merged ranges, visible), merged ranges filled as a workbook's."""
    sheets = []
    for name, grid, merged, visible in found:
        _fill_merged(grid, merged)
        sheets.append(RawSheet(name, grid, merged, visible=visible))
    return sheets


def _read_xml_2003(data: bytes, file_name: str, limits: Limits) -> list[RawSheet]:
    return _filled(read_worksheets(data, file_name, limits))


def _read_html(data: bytes, file_name: str, limits: Limits) -> list[RawSheet]:
    tables = read_tables(decode_text(data), file_name, limits)
    sheets = _filled((name, grid, merged, True) for name, grid, merged in tables)
    if not sheets:
        raise RejectedInput(f"文件「{file_name}」是网页文件，其中没有表格：请在 Excel 中打开后另存为 .xlsx 再上传。")
    return sheets


# --- csv -------------------------------------------------------------------------------

def _csv_rows(text: str, delimiter: str, file_name: str) -> int:
    try:
        return sum(1 for _ in csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error:
        return 0  # the parse below says where


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decoded(data: bytes) -> str | None:
    """The text of a file as Chinese Windows saves one, or None: UTF-16 when it starts
    with its BOM (Excel's 「Unicode 文本」, Notepad's 「Unicode」); else UTF-8 (BOM or not)
    first, then GB18030 (a superset of GBK, what WPS writes). Returns and plans alike."""
    for enc in ("utf-16",) if data[:2] in _UTF16_BOMS else ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return None


def decode_text(data: bytes) -> str:
    """``decoded``, or the CSV's one line saying which encodings are read."""
    text = decoded(data)
    if text is None:
        raise RejectedInput("CSV 文件编码无法识别：请用 UTF-8、GBK 或 Unicode（UTF-16）编码保存。")
    return text


def _read_csv(data: bytes, file_name: str, limits: Limits) -> RawSheet:
    text = decode_text(data)
    if "\r" in text:  # Windows, old Mac and mixed line ends alike (csv refuses a lone CR)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    sample = text[:4096]
    delimiter = max((",", "\t", ";", "，"), key=sample.count) if sample else ","
    name = Path(file_name).stem or "CSV"
    csv.field_size_limit(max(limits.max_file_bytes, 131_072))  # one cell may be long; the file is bounded
    if text.count("\n") > limits.max_rows:  # maybe too many rows: count them without keeping them
        limits.check_rows(_csv_rows(text, delimiter, file_name), name, file_name)
    # the cells of all rows in one flat list, and each row's length: 100k row lists kept
    # alive would be walked by the garbage collector's full passes (≈ 110 ms of a 100k-row
    # file); texts are not tracked by it
    cells: list[str] = []
    lengths: list[int] = []
    width = 0
    try:
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            cells.extend(row)
            lengths.append(len(row))
            width = max(width, len(row))
            if len(lengths) > limits.max_rows:
                limits.check_rows(len(lengths), name, file_name)
            if len(lengths) * width > limits.max_cells:
                limits.check_cells(len(lengths) * width, name, file_name)
    except csv.Error as exc:
        raise RejectedInput(f"文件「{file_name}」第 {len(lengths) + 1} 行不是有效的 CSV（{clip(exc, 40)}）："
                            "请在 Excel 中另存为 CSV UTF-8 或 .xlsx 后重试。") from None
    # csv gives only texts (no None to fill): the rows go into one object block as a sheet's do
    return RawSheet(name, _csv_grid(cells, lengths, width), delimited=True)


def _csv_grid(cells: list[str], lengths: list[int], width: int) -> pd.DataFrame:
    """The rows as one object block; a row shorter than the widest (a title line) is
    filled with ``''``."""
    n = len(lengths)
    if not n or not width:
        return _grid([[] for _ in range(n)])
    flat = np.empty(len(cells), dtype=object)
    flat[:] = cells
    if len(cells) == n * width:  # not ragged
        return pd.DataFrame(flat.reshape(n, width), dtype=object, copy=False)
    grid = np.empty((n, width), dtype=object)
    grid.fill("")
    size = np.asarray(lengths, dtype="int64")
    rows = np.repeat(np.arange(n), size)
    cols = np.arange(len(cells)) - np.repeat(np.cumsum(size) - size, size)
    grid[rows, cols] = flat
    return pd.DataFrame(grid, dtype=object, copy=False)


# --- addresses -------------------------------------------------------------------------

def column_letter(index: int) -> str:
    """0 → 'A', 25 → 'Z', 26 → 'AA'."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
