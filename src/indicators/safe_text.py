"""User text on its way out: never a formula in a spreadsheet, never markup on a page.

Every name in this product — units, indicators, departments, 口径说明, file names — was
typed by someone, and a unit called ``=HYPERLINK("http://…","点击")`` or
``<img src=x onerror=…>`` must reach a CSV, a workbook, a notice or a page as the text
it is. One home for the rules:

- **Spreadsheets** (OWASP "CSV injection"): a text cell starting with ``= + - @``, a tab
  or a carriage return is a formula to Excel and WPS. In CSV it gets a leading ``'``
  (what OWASP recommends: Excel shows the text, evaluates nothing); in XLSX it is written
  as a string with Excel's quote prefix (the workbook shows it unchanged, and it stays
  text even after the cell is edited). Numbers stay numbers: only text is touched.
- **CSV for people** is UTF-8 with a byte-order mark: without it Excel on Chinese
  Windows reads UTF-8 as GBK and shows mojibake.
- **HTML** (``st.html``) gets ``html.escape``; **markdown** (``st.markdown``, captions,
  the notice ``.md``) gets the characters that make emphasis, code, links, images and
  tables backslash-escaped, ``& < >`` as entities, and a heading or list marker at a line
  start escaped, so a name renders as text (and ``1-10月`` still reads as written).
"""

from __future__ import annotations

import html
import re

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]!|~$])")  # emphasis, code, links and images, tables, LaTeX
_MD_LINE_START = re.compile(r"(?m)^(\s*)([#>+-]|\d+[.)])")  # headings, quotes, lists
BOM = "\ufeff"


def is_formula_like(text) -> bool:
    """Whether ``text`` would be taken for a formula by a spreadsheet."""
    return isinstance(text, str) and text.startswith(FORMULA_START)


def neutral(value):
    """``value`` safe for a CSV cell: formula-like text gets a leading apostrophe."""
    return "'" + value if is_formula_like(value) else value


def neutral_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) are ``neutral``."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutral, na_action="ignore")
    out.columns = [neutral(c) for c in out.columns]
    return out


def csv_text(frame: pd.DataFrame) -> str:
    """The frame as CSV for people: neutral cells, a BOM first (write it as UTF-8)."""
    return BOM + neutral_frame(frame).to_csv(index=False)


def html_text(value) -> str:
    """Text for ``st.html`` and any HTML string."""
    return html.escape("" if value is None else str(value))


_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")


def md_text(value) -> str:
    """Text for ``st.markdown`` (and every Streamlit element that renders markdown:
    titles, captions, info boxes) and for the notice ``.md``: shown as written."""
    s = "" if value is None else str(value)
    s = _MD_SPECIAL.sub(r"\\\1", s)
    # an & starts an entity only before name; (&lt; &#60;): R&D stays R&D in the notice's text
    s = _ENTITY.sub("&amp;", s).replace("<", "&lt;").replace(">", "&gt;")
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), s)


def quote_risky_cells(worksheet, frame: pd.DataFrame, quoted_format, *, first_row: int = 1) -> None:
    """Rewrite the formula-like text cells of a frame that pandas wrote with xlsxwriter
    (``first_row``: the sheet row of the frame's first data row) as strings with the
    quote prefix."""
    for c, col in enumerate(frame.columns):
        values = frame[col]
        for r, v in enumerate(values.tolist()):
            if is_formula_like(v):
                worksheet.write_string(first_row + r, c, v, quoted_format)


def openpyxl_text(cell, value) -> None:
    """Put ``value`` into an openpyxl cell; formula-like text stays text (openpyxl would
    store ``=…`` as a formula)."""
    cell.value = value
    if is_formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True
