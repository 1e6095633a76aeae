"""How pages draw what ``indicators.views`` hands them (Streamlit, re-exported by ``ui``):
the app's stylesheet and briefing mode's, status badges, indicator cards, read-only tables
(every row shown, toned by status), the 督办 tables and the delivery log. Nothing here
computes a number.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from indicators import ui_chrome
from indicators.ui_data import computed, from_caches
from indicators.theme import FONT_FAMILY, LIGHT_STATUSES, STATUS_COLORS, TEXT_COLOR, status_badge, task_text_color
from indicators.ui_url import briefing_on


def _once(fn, *args):
    """``fn(*args)`` — the HTML of a table or cards, the parts a table is drawn from —
    once per data version when every frame among ``args`` came from the caches
    (``ui_data.computed``, keyed by what they were computed from): a rerun on unchanged
    data draws the same strings again without building them. Made now otherwise (a frame
    the page derived would be pickled as the key: slower than building it)."""
    if all(from_caches(a) for a in args if isinstance(a, pd.DataFrame)):
        return computed(fn, *args)
    return fn(*args)


def figure(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` — a Plotly figure of page data (``charts``) — as
    ``st.plotly_chart`` takes it, made once per what it is built from (``computed``):
    given a figure, st.plotly_chart takes its ``to_dict()`` — a deep copy, its arrays
    turned to base64 — on every run; given this one (``DrawnFigure``), the dict made once."""
    return computed(_drawn, fn, *args, **kwargs)


def _drawn(fn, *args, **kwargs) -> DrawnFigure:
    return DrawnFigure(fn(*args, **kwargs).to_dict())


try:
    from plotly.basedatatypes import BaseFigure
except ImportError:  # pragma: no cover - plotly is a dependency of the app
    BaseFigure = object


class DrawnFigure(BaseFigure):
    """A built figure's ``to_dict()``, kept: what st.plotly_chart serializes (it only reads
    it: ``plotly.io.to_json``, the layout's width and height). Shared by every session:
    never change it (build another figure instead)."""

    def __init__(self, spec: dict):  # not BaseFigure's: the figure was validated when built
        object.__setattr__(self, "_spec", spec)
        object.__setattr__(self, "_data", spec["data"])  # what cache_frames.nbytes counts
        object.__setattr__(self, "_layout", spec["layout"])

    def to_dict(self) -> dict:
        return self._spec


def apply_briefing_css(on: bool) -> None:
    """Hide Streamlit's chrome and the sidebar and enlarge type for 16:9 screenshots."""
    base = f"""
    <style>
    html, body, .stApp, .stApp p, .stApp h1, .stApp h2, .stApp h3, .stApp li, .stApp label, .stApp input,
    .stApp button, .stApp div:not([data-testid="stIconMaterial"]) {{ font-family: {FONT_FAMILY}; }}
    .stApp [data-testid="stIconMaterial"] {{ font-family: "Material Symbols Rounded"; }}
    .ind-card {{ border:1px solid #E5E7EB; border-left:8px solid var(--c); border-radius:8px;
                padding:10px 14px; margin-bottom:10px; background:#fff; min-height:178px; }}
    .ind-card h4 {{ margin:0 0 4px 0; font-size:1.0rem; font-weight:600; color:{TEXT_COLOR}; padding:0; }}
    .ind-card .v {{ font-size:1.55rem; font-weight:700; color:{TEXT_COLOR}; line-height:1.3; }}
    .ind-card .m {{ font-size:0.86rem; color:#4B5563; line-height:1.55; }}
    .ind-card .note {{ font-size:0.86rem; color:#6B7280; }}
    .badge {{ display:inline-block; padding:1px 9px; border-radius:999px; color:#fff; font-weight:600;
              font-size:0.84rem; white-space:nowrap; }}
    .badge.light {{ color:{TEXT_COLOR}; }}
    .asof {{ color:#6B7280; font-size:0.95rem; margin-top:-0.6rem; }}
    .url-notice {{ background:#FFF7E0; border:1px solid #F2C94C; border-radius:8px; padding:8px 14px;
                   color:#5C4200; font-size:1rem; }}
    </style>"""
    st.html(base)
    st.html(ui_chrome.TABLE_CSS)
    st.html(ui_chrome.PRINT_CSS)
    st.html(ui_chrome.CHROME_CSS)
    st.sidebar.html(ui_chrome.SKIP_LINK)  # first in the tab order, before the menu
    if not on:
        return
    st.html("""
    <style>
    [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stSidebarNav"],
    header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
    [data-testid="stStatusWidget"], footer, #MainMenu { display: none !important; }
    .block-container, [data-testid="stMainBlockContainer"] { padding: 1.2rem 2rem 2rem 2rem !important;
        max-width: 1360px !important; }
    h1 { font-size: 2.6rem !important; }
    h2, h3 { font-size: 1.9rem !important; }
    .stMarkdown p, .stMarkdown li { font-size: 1.25rem; }
    .ind-card h4 { font-size: 1.3rem; } .ind-card .v { font-size: 2.0rem; }
    .ind-card .m { font-size: 1.1rem; } .badge { font-size: 1.05rem; }
    [data-testid="stDataFrame"] * { font-size: 1.05rem; } table.tbl { font-size: 1.1rem; }
    .st-key-briefing_controls { opacity: 0.55; }
    </style>""")


def badge_html(status: str) -> str:
    color = STATUS_COLORS.get(status, "#999999")
    cls = "badge light" if status in LIGHT_STATUSES else "badge"
    return f'<span class="{cls}" style="background:{color}">{html.escape(status_badge(status))}</span>'


CARDS_PER_PAGE = 20  # five rows of four: a city's whole list (the seeds' city splits 20 indicators) on one page


def headline_cards(cards: pd.DataFrame, per_row: int = 4, *, pager: str | None = None) -> None:
    """Indicator cards (``views.headline_cards``): the first line large, the others small,
    then 同比 and 排名, the partial and comparable notes, and the rule as a caption.
    With ``pager`` (a widget key) more than ``CARDS_PER_PAGE`` cards are shown a page at
    a time, in the cards' order, with how many there are and which are shown."""
    if cards.empty:
        st.info("该单位没有需要调度的重点指标（未设定目标或未分配牵头科室）。")
        return
    if pager is not None and len(cards) > CARDS_PER_PAGE:
        n, pages = len(cards), ui_chrome.page_count(len(cards), CARDS_PER_PAGE)
        note, pick = st.columns([3, 1])
        with pick:
            page = st.selectbox("重点指标翻页", list(range(1, pages + 1)), key=pager, label_visibility="collapsed",
                                format_func=lambda i: f"第 {i} / {pages} 页")
        rows = ui_chrome.page_rows(n, page or 1, CARDS_PER_PAGE)
        with note:
            st.caption(f"共 {n:,} 项重点指标，按指标顺序每页 {CARDS_PER_PAGE} 项；本页为第 {rows.start + 1}–{rows.stop} 项，"
                       f"其余 {n - (rows.stop - rows.start):,} 项请翻页。滞后的指标都在下方「滞后指标清单」中。")
    else:
        rows = slice(0, len(cards))
    shown = _once(_cards_html, cards)[rows]
    for start in range(0, len(shown), per_row):
        cols = st.columns(per_row)
        for col, card in zip(cols, shown[start:start + per_row]):
            col.html(card)


def _cards_html(cards: pd.DataFrame) -> list[str]:
    """Each card's HTML, in the cards' order."""
    return [f'<div class="ind-card" style="--c:{card.color}"><h4>{html.escape(card.name)}</h4>'
            f'{badge_html(card.status)} {_card_body(card)}</div>' for card in cards.itertuples(index=False)]


def _card_body(card) -> str:
    esc = html.escape
    lines = list(card.lines or [])
    if not lines:
        body = f'<div class="v">—</div><div class="note">{esc(card.note)}</div>'
        return body + (f'<div class="m">目标 {esc(card.target_text)}</div>' if card.target_text != "—" else "")
    (label, first), rest = lines[0], lines[1:]
    body = f'<div class="m">{esc(label)}</div><div class="v">{esc(first)}</div>'
    body += "".join(f'<div class="m">{esc(k)} <b>{esc(v)}</b></div>' for k, v in rest)
    for extra in (card.gap_change_text and f"差距较上月 {card.gap_change_text}",
                  card.yoy_text and card.yoy_text != "—" and f"同比 {card.yoy_arrow} {card.yoy_text}",
                  card.rank_text and f"排名 {card.rank_text}" + (f" {card.rank_move_text}" if card.rank_move_text else "")):
        if extra:
            body += f'<div class="m">{esc(extra)}</div>'
    for note in (card.note, card.pace_text, card.partial_text, card.review_text, card.comparable_text):
        if note:
            body += f'<div class="note">※ {esc(note)}</div>'
    if card.caption:
        body += f'<div class="note rule">{esc(card.caption)}</div>'
    return body


HIDDEN_COLUMNS = ("status", "gap_pp", "code")  # helper columns of the views a reader never sees


def table(frame: pd.DataFrame, *, height: int | str = "auto", key: str | None = None,
          styles: pd.DataFrame | None = None, static: bool = False) -> None:
    """A read-only table; raw helper columns (status, gap_pp, code) are hidden. Tall enough
    for every row (paged 第 x / y 页 in briefing mode): nothing hides inside a box.

    Streamlit's grid draws on a canvas only the columns in view: on paper and on a briefing
    screen a wide table lost its right columns. So in briefing mode (and with ``static``,
    for long texts a grid cell cuts) the table is plain HTML (``html_table``: every column,
    text wrapping), and beside every grid sits an HTML copy of its first ``PRINT_ROWS`` rows
    that only the print stylesheet shows (``ui_chrome.PRINT_CSS``), saying how many more
    there are. ``styles``: CSS per cell, same shape."""
    if frame.empty:
        st.caption("（无）")
        return
    t = _once(_table_parts, frame, styles)
    frame, shown, styles = t.frame, t.shown, t.styles
    briefing = briefing_on()
    rows, fitted, page_note = ui_chrome.shown_rows(frame, key=key or ui_chrome.next_table_key(), briefing=briefing)
    if briefing or static:
        paged = len(rows) < len(shown)
        # the rows drawn are rows[first:stop] of the frame (its index is 0 … n-1)
        first, stop = (int(rows.index[0]), int(rows.index[-1]) + 1) if paged else (0, len(shown))
        st.html(_once(_part_html, shown, styles, first, stop, "screen-only" if paged else "", page_note))
        if not paged:
            return
    else:  # the helper columns go to the grid hidden, as pages' tests read them there
        grid_styles = t.grid_styles
        data = rows if t.grid is None else t.grid  # rows is the whole frame here
        if styles is not None:
            data = rows.style.apply(lambda _: grid_styles, axis=None)
        config = {c: None for c in HIDDEN_COLUMNS} | {c: st.column_config.TextColumn(width=w) for c, w in t.widths}
        st.dataframe(data, hide_index=True, column_config=config, placeholder="—",
                     height=fitted if height == "auto" else height, key=key)
    st.html(t.print_html)


# Up to this many rows a grid gets its frame as the Arrow table Streamlit would convert it
# to (``_grid_table``): the same bytes, converted once per data version. Longer frames go
# as frames: Streamlit delivers those of more than 150,000 rows lazily, a path that differs.
GRID_ARROW_ROWS = 100_000


def _grid_table(frame: pd.DataFrame):
    """``frame`` as st.dataframe serializes a frame (``convert_pandas_df_to_arrow_table``):
    passed as that Arrow table, the grid's bytes are the same."""
    from streamlit import dataframe_util
    return dataframe_util.convert_pandas_df_to_arrow_table(frame)


@dataclass(frozen=True)
class _Table:
    """What ``table`` draws a frame from: the frame (index 0 … n-1), its shown columns, their
    styles, the styles of every column for the grid, and the print copy's HTML."""
    frame: pd.DataFrame
    shown: pd.DataFrame
    styles: pd.DataFrame | None
    grid_styles: pd.DataFrame | None
    grid: object  # the frame as the grid's Arrow table (``_grid_table``), or None: the frame itself goes
    print_html: str
    widths: tuple[tuple[str, int], ...]  # (column, pixels) of the text columns (``text_widths``)


def _table_parts(frame: pd.DataFrame, styles: pd.DataFrame | None) -> _Table:
    frame = frame.reset_index(drop=True)
    shown = frame.drop(columns=[c for c in HIDDEN_COLUMNS if c in frame.columns])
    styles = None if styles is None else styles.reset_index(drop=True)[list(shown.columns)]
    grid_styles = None if styles is None else styles.reindex(columns=frame.columns, fill_value="")
    grid = _grid_table(frame) if styles is None and len(frame) <= GRID_ARROW_ROWS else None
    return _Table(frame, shown, styles, grid_styles, grid, _print_html(shown, styles), ui_chrome.text_widths(shown))


def _part_html(shown: pd.DataFrame, styles: pd.DataFrame | None, first: int, stop: int, cls: str, note: str) -> str:
    """The HTML of rows ``first`` … ``stop`` - 1 of a table on screen (briefing mode, ``static``)."""
    part = shown.iloc[first:stop]
    return html_table(part, None if styles is None else styles.iloc[first:stop], cls=cls, note=note)


PRINT_ROWS = 200  # rows of a grid's print copy: a few pages of paper, not thousands of rows per rerun


def print_copy(frame: pd.DataFrame, styles: pd.DataFrame | None = None) -> None:
    """The HTML copy of a grid's table that only paper shows: every column, the first
    ``PRINT_ROWS`` rows, and under them how many more the grid holds (with its download)."""
    st.html(_print_html(frame, styles))


def _print_html(frame: pd.DataFrame, styles: pd.DataFrame | None = None) -> str:
    n = len(frame)
    if n > PRINT_ROWS:
        frame = frame.iloc[:PRINT_ROWS]
        styles = None if styles is None else styles.iloc[:PRINT_ROWS]
    note = (f"以上为前 {PRINT_ROWS:,} 行，其余 {n - PRINT_ROWS:,} 行未印出（共 {n:,} 行）；"
            "完整表格请用网页表格右上角的下载按钮导出。") if n > PRINT_ROWS else ""
    return html_table(frame, styles, cls="print-only", note=note)


def _cell(v) -> str:
    if isinstance(v, (list, tuple, dict)):
        return "、".join(map(str, v)) if not isinstance(v, dict) else str(v)
    if v is None or pd.isna(v):
        return "—"
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


SHORT_CELL = 10  # characters: a cell this short stays on one line, so a long text beside it cannot squeeze it


def html_table(frame: pd.DataFrame, styles: pd.DataFrame | None = None, *, cls: str = "", note: str = "") -> str:
    """``frame`` as an HTML table (class ``tbl``): header, every row, every column; empty
    cells «—» as the grid shows them; numbers right-aligned, short cells on one line; ``note`` (第 x / y 页) under it."""
    numeric = [pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t) for t in frame.dtypes]
    head = "".join(f'<th class="short">{html.escape(str(c))}</th>' for c in frame.columns)
    body = []
    for i, values in enumerate(frame.itertuples(index=False, name=None)):
        cells = []
        for j, v in enumerate(values):
            style = styles.iat[i, j] if styles is not None else ""
            text = _cell(v)
            kind = "num" if numeric[j] else "short" if len(text) <= SHORT_CELL else ""
            attrs = (f' class="{kind}"' if kind else "") + (f' style="{html.escape(style)}"' if style else "")
            cells.append(f"<td{attrs}>{html.escape(text)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    caption = f'<div class="tbl-note">{html.escape(note)}</div>' if note else ""
    return (f'<div class="tbl-wrap {cls}"><table class="tbl"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>{caption}</div>')


def toned_table(frame: pd.DataFrame, colors: dict[str, str], *, column: str = "状态", key: str | None = None,
                static: bool = False) -> None:
    """A read-only table whose ``column`` cells take the colour of the row's ``tone``
    (the label stays in the cell: colour is never the only signal)."""
    if frame.empty:
        st.caption("（无）")
        return
    t = _once(_toned, frame, tuple(colors.items()), column)
    table(t.shown, key=key, styles=t.styles, static=static)


@dataclass(frozen=True)
class _Toned:
    shown: pd.DataFrame
    styles: pd.DataFrame


def _toned(frame: pd.DataFrame, colors: tuple, column: str) -> _Toned:
    colors = dict(colors)
    shown = frame.drop(columns=["tone"])
    styles = pd.DataFrame("", index=shown.index, columns=shown.columns)
    if column in styles.columns:
        styles[column] = [f"background-color: {colors.get(t, '#999999')}; color: {task_text_color(t)}; font-weight: 600"
                          for t in frame["tone"]]
    return _Toned(shown, styles)


def supervision_tables(sl, what: str) -> None:
    """The 督办 list (``views.supervision.SupervisionList``): the summary per owner (most
    to chase first, a grid), then each owner's indicators (with where their explanations
    stand) and key tasks as plain tables — a few rows each, every column and text shown;
    a grid apiece, a dozen of them held up the page's first chart by a third."""
    from indicators.theme import TASK_STATUS_COLORS
    if sl.summary.empty:
        st.info(f"还没有分配{what}的重点指标或重点任务。")
        return
    table(sl.summary)
    for owner in sl.owners:
        part = _once(_owner_part, sl.indicators, sl.tasks, owner)
        inds, tasks = part.indicators, part.tasks
        st.markdown(f"**{owner}** · 指标 {len(inds)} 项 · 任务 {len(tasks)} 项")
        if len(inds):
            table(inds, static=True)
        if len(tasks):
            toned_table(tasks, TASK_STATUS_COLORS, static=True)


@dataclass(frozen=True)
class _OwnerPart:
    indicators: pd.DataFrame
    tasks: pd.DataFrame


def _owner_part(indicators: pd.DataFrame, tasks: pd.DataFrame, owner: str) -> _OwnerPart:
    """One owner's indicators and key tasks of the 督办 list (``views.supervision``)."""
    from indicators.views.supervision import SupervisionList, owner_indicators, owner_tasks
    sl = SupervisionList(summary=pd.DataFrame(), indicators=indicators, tasks=tasks)
    return _OwnerPart(owner_indicators(sl, owner), owner_tasks(sl, owner))


def delivery_log(log: pd.DataFrame, *, key: str) -> None:
    """The delivery log (``views.delivery_log``): status and error wide enough to read."""
    shown = log.drop(columns=["key", "problem"])
    st.dataframe(shown, hide_index=True, key=key, column_config={
        "更新时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
        "状态": st.column_config.TextColumn(width="medium"), "错误": st.column_config.TextColumn(width="large"),
        "次数": st.column_config.NumberColumn(width="small")})
    print_copy(shown)
