"""Excel's 「XML 电子表格 2003」 (SpreadsheetML), as older statistics systems export it
under a ``.xls`` or ``.xml`` name: each ``Worksheet`` becomes a sheet of its cells.

Cells are placed as Excel places them: ``ss:Index`` skips to a column (or a row),
``ss:MergeAcross`` / ``ss:MergeDown`` are merged ranges, ``Data ss:Type="Number"`` is a
number and anything else text. A DOCTYPE or entity declaration is refused (as in an
``.xlsx``); the rows and cells are bounded like any sheet's.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from indicators.errors import RejectedInput
from indicators.returns.excel.xlsx_scan import DOCTYPE_MARKS
from indicators.returns.limits import MAX_SPAN, Limits

_SS = "urn:schemas-microsoft-com:office:spreadsheet"
_DECLARED = re.compile(b"|".join(re.escape(m) for m in DOCTYPE_MARKS), re.IGNORECASE)
_HEAD = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*>")
_WORKBOOK = re.compile(rb"<(?:ss:)?Workbook\b")


def looks_like_xml_2003(head: bytes) -> bool:
    """An XML file whose root is SpreadsheetML's Workbook (a DOCTYPE before it is then refused)."""
    first = head[:4096]
    return bool(_HEAD.match(first)) and bool(_WORKBOOK.search(first)) and _SS.encode() in first


def _q(name: str) -> str:
    return f"{{{_SS}}}{name}"


def _int(value, default: int, low: int = 0, high: int = 1 << 20) -> int:
    try:
        return max(low, min(int(value), high))
    except (TypeError, ValueError):
        return default


def read_worksheets(data: bytes, file_name: str, limits: Limits) -> list[tuple[str, pd.DataFrame, list, bool]]:
    """(name, grid, merged ranges, visible) for each worksheet."""
    if _DECLARED.search(data):  # anywhere, in any case: expat would expand an internal entity
        raise RejectedInput(f"文件「{file_name}」含 DOCTYPE/实体声明（正常的 Excel 文件没有），出于安全原因未读取："
                            "请在 Excel 中打开后另存为 .xlsx 再上传。")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError:
        raise RejectedInput(f"文件「{file_name}」是 XML 电子表格，但内容不完整或已损坏：请在 Excel 中打开后另存为 .xlsx 再上传。") \
            from None
    out = []
    for i, sheet in enumerate(root.iter(_q("Worksheet"))):
        name = (sheet.get(_q("Name")) or f"Sheet{i + 1}")[:31]
        options = sheet.find("{urn:schemas-microsoft-com:office:excel}WorksheetOptions")
        hidden = options is not None and options.find("{urn:schemas-microsoft-com:office:excel}Visible") is not None
        table = sheet.find(_q("Table"))
        grid, merged = _laid_out(table, name, file_name, limits) if table is not None else (pd.DataFrame(dtype=object), [])
        out.append((name, grid, merged, not hidden))
    return out


def _laid_out(table, name: str, file_name: str, limits: Limits) -> tuple[pd.DataFrame, list]:
    cells: dict[tuple[int, int], object] = {}
    merged = []
    r = -1
    for row in table.iter(_q("Row")):
        r = _int(row.get(_q("Index")), r + 2, low=r + 2) - 1  # 1-based, never backwards
        limits.check_rows(r + 1, name, file_name)
        c = -1
        for cell in row.iter(_q("Cell")):
            c = _int(cell.get(_q("Index")), c + 2, low=c + 2, high=16_384) - 1
            across = _int(cell.get(_q("MergeAcross")), 0, high=MAX_SPAN)
            down = _int(cell.get(_q("MergeDown")), 0, high=MAX_SPAN)
            data = cell.find(_q("Data"))
            if data is not None:
                text = "".join(data.itertext())
                cells[(r, c)] = _number(text) if data.get(_q("Type")) == "Number" else text
            if across or down:
                merged.append(((r, c), (r + down, c + across)))
            c += across
            limits.check_cells(len(cells), name, file_name)
    if not cells:
        return pd.DataFrame(dtype=object), merged
    rows = max(max(k[0] for k in cells), max((m[1][0] for m in merged), default=0)) + 1
    width = max(max(k[1] for k in cells), max((m[1][1] for m in merged), default=0)) + 1
    limits.check_cells(rows * width, name, file_name)
    grid = np.full((rows, width), "", dtype=object)
    for (i, j), v in cells.items():
        grid[i, j] = v
    return pd.DataFrame(grid, dtype=object, copy=False), merged


def _number(text: str):
    try:
        return float(text)
    except ValueError:
        return text
