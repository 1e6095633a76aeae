"""Streamlit's own chrome in Chinese and fit for a leader's screen and printer: the file
uploader (label, limits, type errors, the too-large tooltip), the page a mistyped address
opens (a nested one too: ``FlatPaths``), the skip link, the favicon served from this
machine, and the print stylesheet (A4 landscape). Nothing here computes a number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
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

# the rest of Streamlit's English a reader can meet, once per page (``CHROME_CSS``):
# - the tooltip of a file chip Streamlit refused ("File must be 200.0MB or smaller."),
#   drawn outside the uploader, so not scoped to its key; the only error tooltip here (its
#   text is a bare text node: hidden with the box, the Chinese drawn after it);
# - the keyboard "Skip to main content" link: hidden, and a Chinese one put first in the
#   page (``SKIP_LINK``) that jumps to the same place.
CHROME_CSS = f"""<style>
[data-testid="stTooltipErrorContent"] {{ visibility: hidden; font-size: 0 !important; }}
[data-testid="stTooltipErrorContent"]::after {{ content: "该文件未上传：单个文件不超过 {UPLOAD_LIMIT_MB} MB";
  visibility: visible; font-size: 0.875rem; }}
[data-testid="stSkipToContent"] {{ display: none !important; }}
/* the filters (月份/区县/指标) before the page menu: with all 14 pages listed they sat below a
   900-pixel screen's fold; only the drawing order changes (the menu stays first for the keyboard) */
[data-testid="stSidebarContent"] {{ display: flex; flex-direction: column; }}
[data-testid="stSidebarHeader"] {{ order: 0; }}
[data-testid="stSidebarUserContent"] {{ order: 1; padding-top: 0 !important; padding-bottom: 0.5rem !important; }}
[data-testid="stSidebarNav"] {{ order: 2; border-top: 1px solid #E5E7EB; padding-top: 0.5rem; }}
a.skip-zh {{ position: fixed; left: 8px; top: -60px; z-index: 1000100; padding: 6px 12px; background: #fff;
  border: 2px solid #1F4E79; border-radius: 4px; color: #1F4E79; }}
a.skip-zh:focus {{ top: 8px; }}
</style>"""
SKIP_LINK = '<a class="skip-zh" href="#stMain">跳到主要内容</a>'

# the HTML tables of ``ui_render.html_table``: on screen (briefing mode, long texts) and on
# paper, where they stand in for Streamlit's canvas grid (it draws only the columns in view)
_PRINT_ONLY = '[data-testid="stElementContainer"]:has(.tbl-wrap.print-only)'
_SCREEN_ONLY = ('[data-testid="stElementContainer"]:has(.tbl-wrap.screen-only), '
                '[data-testid="stElementContainer"]:has([data-testid="stDataFrame"]), [class*="st-key-pager_"]')
TABLE_CSS = f"""<style>
{_PRINT_ONLY} {{ display: none; }}
table.tbl {{ border-collapse: collapse; width: 100%; font-size: 0.92rem; line-height: 1.4; }}
table.tbl th {{ background: #F3F4F6; font-weight: 600; text-align: left; color: #374151; }}
table.tbl th, table.tbl td {{ border: 1px solid #D9DCE1; padding: 4px 8px; vertical-align: top; }}
table.tbl td.num {{ text-align: right; white-space: nowrap; }}
table.tbl .short {{ white-space: nowrap; }}
.tbl-note {{ color: #6B7280; font-size: 0.9rem; margin-top: 4px; }}
</style>"""

PRINT_CSS = f"""
<style>
@media print {{
  @page {{ size: A4 landscape; margin: 10mm 12mm; }}
  html, body {{ background: #fff !important; }}
  /* lay the page out as wide as a 1600-pixel screen: charts keep the width they were drawn with */
  .stApp {{ zoom: 0.62; }}
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
  [data-testid="stExpander"], .st-key-briefing_controls, footer, #MainMenu,
  [data-testid="stBaseButton-secondary"], [data-testid="stDownloadButton"], .modebar-container,
  [data-testid="stElementContainer"]:has([data-testid="stDownloadButton"], [data-testid="stBaseButton-secondary"]),
  [data-testid="stHorizontalBlock"]:has([data-testid="stDownloadButton"]), {_SCREEN_ONLY} {{ display: none !important; }}
  {_PRINT_ONLY} {{ display: block !important; }}
  table.tbl {{ font-size: 15px; }}
  table.tbl thead {{ display: table-header-group; }}  /* the header again on every sheet */
  /* the app scrolls inside its own containers: let the page flow onto paper instead */
  .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"], [data-testid="stMainBlockContainer"],
  .block-container, section.main {{ overflow: visible !important; height: auto !important; position: static !important;
    max-width: none !important; padding: 0 !important; }}
  /* blocks, not flex items, so page breaks fall between elements as on a printed page,
     and a heading stays with what follows it */
  [data-testid="stVerticalBlock"] {{ display: block !important; }}
  [data-testid="stVerticalBlock"] > [data-testid="stElementContainer"],
  [data-testid="stVerticalBlock"] > [data-testid="stHorizontalBlock"],
  [data-testid="stVerticalBlock"] > [data-testid="stLayoutWrapper"] {{ margin-bottom: 1rem; }}
  [data-testid="stElementContainer"]:has([data-testid="stHeading"]),
  [data-testid="stElementContainer"]:has(+ [data-testid="stElementContainer"] .tbl-wrap),
  [data-testid="stElementContainer"]:has(+ [data-testid="stElementContainer"] [data-testid="stDataFrame"]) {{
    break-after: avoid; page-break-after: avoid; }}
  .ind-card, [data-testid="stPlotlyChart"], [data-testid="stTable"], table.tbl tr,
  [data-testid="stElementContainer"]:not(:has(.tbl-wrap)),
  [data-testid="stHorizontalBlock"] {{ break-inside: avoid; page-break-inside: avoid; }}
  h1, h2, h3, h4, h5 {{ break-after: avoid; page-break-after: avoid; }}
  * {{ -webkit-print-color-adjust: exact !important; print-color-adjust: exact !important; }}
}}
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
    bookmark — ``/x.y`` and ``/通知`` too): the router then serves a hidden Chinese 页面不存在
    page at that address instead of Streamlit's English "Page not found" dialog. A nested
    address never gets here (``FlatPaths`` sends it to its first part)."""
    name = requested_page_name().strip("/")
    if not name or name in known_paths or not re.fullmatch(r"[^/\\\x00-\x1f\x7f]{1,80}", name):
        return None
    return name


# Streamlit's own routes (nothing else has two parts but the session routes, all POST)
STREAMLIT_PREFIXES = ("_stcore", "media", "component", "static", "app", "~")


class FlatPaths:
    """ASGI middleware (``serve.py``): a browser opening a nested address (``/a/b``, an old
    bookmark or a typo) is redirected to its first part (``/a``, keeping the query).
    Streamlit serves its page at any address, but its scripts are addressed relative to
    the page, so at ``/a/b`` they are fetched from ``/a/static/…``, get the page again, and
    the screen stays blank. At ``/a`` the router answers: that page, or 页面不存在."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        target = nested_target(scope) if scope["type"] == "http" else None
        if target is None:
            return await self.app(scope, receive, send)
        await send({"type": "http.response.start", "status": 302,
                    "headers": [(b"location", target.encode("utf-8")), (b"cache-control", b"no-store"),
                                (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})


def nested_target(scope) -> str | None:
    """Where ``FlatPaths`` sends a page request (GET/HEAD for HTML) to a nested address;
    None for everything else (Streamlit's own routes, assets, the session routes)."""
    if scope.get("method") not in ("GET", "HEAD"):
        return None
    parts = [p for p in scope.get("path", "").split("/") if p]
    if len(parts) < 2 or parts[0] in STREAMLIT_PREFIXES or "." in parts[-1]:
        return None
    accept = dict(scope.get("headers") or []).get(b"accept", b"").decode("latin-1")
    if "text/html" not in accept:
        return None
    from urllib.parse import quote
    query = scope.get("query_string", b"").decode("latin-1")
    return "/" + quote(parts[0], safe="") + (f"?{query}" if query else "")


def not_found_notice(name: str) -> str:
    return f"网址中的页面「/{name}」不存在（可能是旧书签或输入有误）。请从左侧菜单选择页面。"


def refuse_notice(title: str, who) -> str:
    """Why a signed-in user's own menu lacks the page its address names."""
    return (f"「{title}」只对有相应权限的账户开放，{who.display}不能打开。"
            "请从左侧菜单选择页面；需要这项权限请联系管理员。")


def refuse_page(title: str, who) -> None:
    """The page served at the address of a page the signed-in role may not open."""
    from indicators import ui
    from indicators.safe_text import md_text
    ui.apply_briefing_css(False)
    ui.page_header("无权打开此页")
    st.warning(md_text(refuse_notice(title, who)), icon=":material/block:")
    st.page_link("pages/overview.py", label="打开调度总览", icon=":material/dashboard:")


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
    """(rows to draw, grid height, page note). On a page every row up to ``SCROLL_FROM_ROWS``
    is drawn (print shows them all); in briefing mode a long table is paged, 第 x / y 页,
    so a screenshot never cuts a table off inside a box."""
    n = len(frame)
    if not briefing:
        return frame, rows_height(min(n, SCROLL_FROM_ROWS)), ""
    pages = page_count(n)
    if pages == 1:
        return frame, rows_height(n), ""
    choice = st.segmented_control("翻页", list(range(1, pages + 1)), default=1, required=True, key=f"pager_{key}",
                                  format_func=lambda i: f"第 {i} 页", label_visibility="collapsed")
    page = choice or 1
    rows = frame.iloc[page_rows(n, page)]
    return rows, rows_height(len(rows)), f"第 {page} / {pages} 页 · 共 {n:,} 行"


# A grid sizes its columns by the rows first in view: a 说明 empty there (most rows have
# none) came out a few characters wide, and "部分汇总，缺：青溪县" read "部分汇…" — a
# partial figure that no longer said who is missing; "3,423.22 亿元", longer than the
# values above it, lost its unit. A text column whose longest text lies below the first
# SIZED_ROWS gets that text's width (up to TEXT_MAX_PX; the print copy and briefing mode
# wrap every text in full); the others keep the grid's own, measured, width.
SIZED_ROWS = 10
TEXT_MAX_PX = 480


def text_widths(shown: pd.DataFrame) -> tuple[tuple[str, int], ...]:
    """(column, width in pixels) for each text column the grid would size too narrow: its
    longest text at the grid's 14 px font (a CJK character or full-width mark 14 px,
    others 7), plus 16 px of padding — at least its header's, with 12 px of sort mark."""
    out = []
    for c in shown.columns:
        col = shown[c]
        if not (col.dtype == object or pd.api.types.is_string_dtype(col)):
            continue
        texts = col.dropna()
        if texts.empty or pd.api.types.infer_dtype(texts, skipna=True) != "string":
            continue  # numbers, lists …: the grid sizes and shows them itself
        longest, first = _px(texts.unique()), _px(col.iloc[:SIZED_ROWS].dropna().unique())
        if longest > first:
            out.append((c, min(max(longest, _px([str(c)]) + 12) + 16, TEXT_MAX_PX)))
    return tuple(out)


def _px(texts) -> int:
    """The widest of ``texts`` in pixels (0 for none)."""
    cells = pd.Series(texts, dtype=str)
    return int((cells.str.len() * 7 + cells.str.count("[\u2e80-\U0010ffff]") * 7).max()) if len(cells) else 0
