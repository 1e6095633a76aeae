"""Web pages saved as ``.xls``: the tables in them, as sheets.

Statistics systems' 「导出 Excel」 and WPS/Excel's 「网页格式」 write an HTML page with a
``<table>`` and name it ``.xls``; Excel opens it without a word, so bureaus pass such
files on as returns. Each top-level table becomes one sheet (表1, 表2 … or the page's
``<title>`` for a single one) of the cell texts as shown; ``colspan`` / ``rowspan`` are
merged ranges, filled like a workbook's. The stdlib parser only: no network, no script,
no external entity — a page is text. Bounded like a CSV (rows, cells; a span at most
``limits.MAX_SPAN``).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd

from indicators.returns.limits import MAX_SPAN, Limits

_SPACE = re.compile(r"[ \t\r\n\u00a0\u3000]+")
_HEAD = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<(?:!doctype\s+html|html|head|meta|table|\?xml[^>]*>\s*<html)", re.I)


def looks_like_html(head: bytes) -> bool:
    """Whether a file's first bytes are a web page with a table in it."""
    low = head[:65536].lower()
    return bool(_HEAD.match(head[:4096])) and b"<table" in low


class _Tables(HTMLParser):
    """The cells of each top-level table: rows of (text, rowspan, colspan)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[tuple[str, int, int]]]] = []
        self.title = ""
        self._depth = 0  # of nested tables; an inner table's text goes into the outer cell
        self._cell: list[str] | None = None
        self._span = (1, 1)
        self._in_title = False
        self._skip = 0  # inside <script> / <style>

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag == "table":
            self._depth += 1
            if self._depth == 1:
                self.tables.append([])
        elif self._depth == 1 and tag == "tr":
            self._end_cell()
            self.tables[-1].append([])
        elif self._depth == 1 and tag in ("td", "th"):
            self._end_cell()
            if not self.tables[-1]:
                self.tables[-1].append([])
            a = dict(attrs)
            self._span = (_span(a.get("rowspan")), _span(a.get("colspan")))
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif tag == "table":
            if self._depth == 1:
                self._end_cell()
            self._depth = max(0, self._depth - 1)
        elif self._depth == 1 and tag in ("td", "th", "tr"):
            self._end_cell()

    def handle_data(self, data):
        if self._skip:
            return
        if self._in_title:
            self.title += data
        elif self._cell is not None:
            self._cell.append(data)

    def _end_cell(self):
        if self._cell is not None:
            text = _SPACE.sub(" ", "".join(self._cell)).strip()
            self.tables[-1][-1].append((text, *self._span))
            self._cell = None


def _span(value) -> int:
    try:
        return max(1, min(int(str(value).strip()), MAX_SPAN))
    except (TypeError, ValueError):
        return 1


def read_tables(text: str, file_name: str, limits: Limits) -> list[tuple[str, pd.DataFrame, list]]:
    """(name, grid of texts, merged ranges) for each table with cells in the page."""
    parser = _Tables()
    parser.feed(text)
    parser.close()
    tables = [t for t in parser.tables if any(t)]
    title = _SPACE.sub(" ", parser.title).strip()[:31]
    out = []
    for i, rows in enumerate(tables):
        name = title if len(tables) == 1 and title else f"表{i + 1}"
        grid, merged = _laid_out(rows, name, file_name, limits)
        out.append((name, grid, merged))
    return out


def _laid_out(rows, name: str, file_name: str, limits: Limits) -> tuple[pd.DataFrame, list]:
    """Cells placed as a browser would: each skips the columns that spans from above hold."""
    limits.check_rows(len(rows), name, file_name)
    taken: dict[tuple[int, int], str] = {}
    merged = []
    width = 0
    for r, row in enumerate(rows):
        c = 0
        for text, rowspan, colspan in row:
            while (r, c) in taken:
                c += 1
            rowspan = min(rowspan, len(rows) - r)
            if len(taken) + rowspan * colspan > limits.max_cells:  # before the spans are laid out
                limits.check_cells(len(taken) + rowspan * colspan, name, file_name)
            if rowspan > 1 or colspan > 1:
                merged.append(((r, c), (r + rowspan - 1, c + colspan - 1)))
            for dr in range(rowspan):
                for dc in range(colspan):
                    taken[(r + dr, c + dc)] = text if (dr, dc) == (0, 0) else ""
            c += colspan
            width = max(width, c)
        limits.check_cells(len(taken), name, file_name)
    grid = np.full((len(rows), width), "", dtype=object)
    for (r, c), text in taken.items():
        grid[r, c] = text
    return pd.DataFrame(grid, dtype=object, copy=False), merged
