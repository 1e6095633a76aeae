"""Streamlit's own chrome in Chinese and fit for a leader's screen and printer: the file
uploader (label, limits, type errors), the page a mistyped address opens, the favicon
served from this machine, and the print stylesheet (A4 landscape). Only this module and
``ui.py`` touch streamlit's widgets; nothing here computes a number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import streamlit as st

ASSETS = Path(__file__).resolve().parent / "assets"
FAVICON = ASSETS / "favicon.png"  # local: an intranet has no internet font host
UPLOAD_LIMIT_MB = 200  # Streamlit's per-file limit (server.maxUploadSize)

# Streamlit draws its uploader's button and hint in English; the text is replaced with
# CSS (the DOM stays Streamlit's), scoped to each uploader's key class.
_UPLOADER_CSS = """
.st-key-{key} [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{ display: none; }}
.st-key-{key} [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after {{
    content: "选择文件"; }}
.st-key-{key} [data-testid="stFileUploaderDropzoneInstructions"] > div > span {{ display: none; }}
.st-key-{key} [data-testid="stFileUploaderDropzoneInstructions"] > div::after {{
    content: "{hint}"; font-size: 0.9rem; }}
.st-key-{key} [data-testid="stFileChip"][aria-invalid="true"] [data-testid="stFileChipName"]::after {{
    content: "（超过 {limit} MB，未上传）"; color: #B91C1C; }}
.st-key-{key} [data-testid="stFileChip"] [role="alert"] {{ display: none; }}
"""

PRINT_CSS = """
<style>
@media print {
  @page { size: A4 landscape; margin: 10mm 12mm; }
  html, body { background: #fff !important; }
  /* lay the page out as wide as a 1600-pixel screen: the tables' canvas keeps the column
     widths it was drawn with, so the paper must be as wide as the screen in CSS pixels */
  .stApp { zoom: 0.62; }
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
  [data-testid="stExpander"], .st-key-briefing_controls, footer, #MainMenu,
  [data-testid="stBaseButton-secondary"], [data-testid="stDownloadButton"], .modebar-container { display: none !important; }
  /* the app scrolls inside its own containers: let the page flow onto paper instead */
  .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"], [data-testid="stMainBlockContainer"],
  .block-container, section.main { overflow: visible !important; height: auto !important; position: static !important;
    max-width: none !important; padding: 0 !important; }
  .ind-card, [data-testid="stPlotlyChart"], [data-testid="stDataFrame"], [data-testid="stTable"], tr,
  [data-testid="stHorizontalBlock"] { break-inside: avoid; page-break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
  * { -webkit-print-color-adjust: exact !important; print-color-adjust: exact !important; }
}
</style>"""


def _hint(kinds: Sequence[str], limit_mb: int) -> str:
    return f"拖放文件到此处，或点「选择文件」 · 单个文件不超过 {limit_mb} MB · 接受 " + "、".join(f".{k}" for k in kinds)


def file_uploader(label: str, kinds: Sequence[str], *, key: str, multiple: bool = False, help: str | None = None,
                  limit_mb: int = UPLOAD_LIMIT_MB):
    """``st.file_uploader`` in Chinese. It is given no ``type=``: Streamlit would refuse a
    wrong file in the browser with an English line; ``accepted`` refuses it in Chinese."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", key):
        raise ValueError(f"uploader key must be a CSS-safe name: {key!r}")
    css = _UPLOADER_CSS.format(key=key, hint=_hint(kinds, limit_mb).replace('"', "'"), limit=limit_mb)
    st.html(f"<style>{css}</style>")
    return st.file_uploader(label, accept_multiple_files=multiple, key=key, help=help, max_upload_size=limit_mb)


def wrong_kind(name: str, kinds: Sequence[str]) -> str | None:
    """The Chinese line for a file whose extension is not one of ``kinds``, else None."""
    ext = Path(name).suffix.lower().lstrip(".")
    if ext in kinds:
        return None
    shown = "、".join(f".{k}" for k in kinds)
    what = f"「.{ext}」文件" if ext else "没有扩展名的文件"
    return f"「{name}」是{what}，这里只接受 {shown}。请另存为其中一种格式后重新上传。"


def accepted(files, kinds: Sequence[str]) -> list:
    """The uploaded files of an accepted kind; each other one gets its Chinese error."""
    if files is None:
        return []
    keep = []
    for f in files if isinstance(files, list) else [files]:
        problem = wrong_kind(f.name, kinds)
        if problem:
            st.error(problem, icon="⛔")
        else:
            keep.append(f)
    return keep


# ---------------------------------------------------------------- page not found

def requested_page_name() -> str:
    """The page name the browser asked for (the path after the app's address), before
    ``st.navigation`` resolves it; "" for the main page. Streamlit keeps it privately."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx
        ctx = get_script_run_ctx()
        return (ctx.pages_manager.intended_page_name or "") if ctx else ""
    except (ImportError, AttributeError):  # pragma: no cover - private API moved
        return ""


def unknown_page(known_paths: Sequence[str]) -> str | None:
    """The requested page name when it is none of ``known_paths`` (a mistyped or old
    bookmark): the router then serves a hidden Chinese 页面不存在 page at that address
    instead of Streamlit's English "Page not found" dialog."""
    name = requested_page_name().strip("/")
    if not name or name in known_paths or not re.fullmatch(r"[A-Za-z0-9_\-]{1,80}", name):
        return None
    return name


def not_found_notice(name: str) -> str:
    return f"网址中的页面「/{name}」不存在（可能是旧书签或输入有误）。请从左侧菜单选择页面。"


# ---------------------------------------------------------------- tables that never hide rows

ROW_PX = 35  # Streamlit's data-grid row (and header) height
BRIEFING_PAGE_ROWS = 15  # a 1080-pixel screen shows this many rows under a heading
SCROLL_FROM_ROWS = 50  # longer tables scroll in their box on an ordinary page


def rows_height(n: int) -> int:
    """The grid height that shows exactly ``n`` rows and the header: no half row."""
    return ROW_PX * (max(n, 1) + 1) + 3


def page_count(n: int, per_page: int = BRIEFING_PAGE_ROWS) -> int:
    return max(1, -(-n // per_page))


def page_rows(n: int, page: int, per_page: int = BRIEFING_PAGE_ROWS) -> slice:
    """Rows of ``page`` (1-based; an out-of-range page is the nearest one)."""
    page = min(max(page, 1), page_count(n, per_page))
    return slice((page - 1) * per_page, min(page * per_page, n))


def next_table_key() -> str:
    """A key per table of this script run (reset by ``reset_table_keys``), for the pager."""
    seq = st.session_state.get("_table_seq", 0) + 1
    st.session_state["_table_seq"] = seq
    return f"table{seq}"


def reset_table_keys() -> None:
    st.session_state["_table_seq"] = 0


def shown_rows(frame, *, key: str, briefing: bool):
    """(rows to draw, grid height). On a page every row up to ``SCROLL_FROM_ROWS`` is
    drawn (print shows them all); in briefing mode a long table is paged, 第 x / y 页,
    so a screenshot never cuts a table off inside a box."""
    n = len(frame)
    if not briefing:
        return frame, rows_height(min(n, SCROLL_FROM_ROWS))
    pages = page_count(n)
    if pages == 1:
        return frame, rows_height(n)
    choice = st.segmented_control("翻页", list(range(1, pages + 1)), default=1, required=True, key=f"pager_{key}",
                                  format_func=lambda i: f"第 {i} 页", label_visibility="collapsed")
    page = choice or 1
    rows = frame.iloc[page_rows(n, page)]
    st.caption(f"第 {page} / {pages} 页 · 共 {n:,} 行")
    return rows, rows_height(len(rows))
