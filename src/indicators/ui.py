"""The one thin module that imports streamlit: connection, shared filters, briefing
mode, badges and the chart wrapper. Pages call these and ``indicators.views``; nothing
here computes a number.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pandas as pd
import streamlit as st

from indicators import clock, ui_chrome, views
from indicators.accounts import permissions, routes, sessions, users
from indicators.accounts.roles import Actor
from indicators.charts import ChartContext, export_config
from indicators.db import catalog, connection
from indicators.db.connection import Connection
from indicators.dispatch import dispatch_table
from indicators.formatting import month_label
from indicators.returns import pipeline
from indicators.returns.limits import Limits
from indicators.returns.pipeline import ReturnReading
from indicators.rules import due
from indicators.safe_text import md_text
from indicators.settings import SettingError, Settings, load
from indicators.theme import FONT_FAMILY, STATUS_COLORS, TEXT_COLOR, status_badge

T = TypeVar("T")

# ---------------------------------------------------------------- data access

@st.cache_resource(show_spinner=False)
def _settings() -> Settings:
    """Read once per process: the environment, then ``.streamlit/secrets.toml``."""
    return load(secrets=_secrets())


def _secrets() -> dict:
    if not st.secrets.load_if_toml_exists():
        return {}
    return {k: v for k, v in st.secrets.to_dict().items() if not isinstance(v, dict)}


def settings() -> Settings:
    """The app's settings; a bad value stops the page with the one line that names it."""
    try:
        return _settings()
    except SettingError as exc:
        st.error(f"{exc}请改正后重新启动。", icon="⛔")
        st.stop()


def today() -> dt.date:
    return clock.today(settings())


def limits() -> Limits:
    """What one uploaded return may cost to read (the same bounds as the CLI's)."""
    return Limits.from_settings(settings())


def now() -> dt.datetime:
    return clock.now(settings())


def latest_due_month() -> str:
    """The newest month whose return deadline has passed: what the pages open on."""
    s = settings()
    return due.latest_due_month(clock.today(s), s.deadline_day)


@st.cache_resource(show_spinner=False)
def _connection(db_path: str) -> Connection:
    """One connection per process and database file (DuckDB locks the file)."""
    return connection.connect(db_path, create=True)


def _leave_legacy_pages() -> None:
    """Streamlit treats a ``pages/`` folder as the old multipage mode until ``app.py`` has
    called ``st.navigation`` once in the process, so a bookmarked ``/indicator`` opened
    first after a restart would run the page without the router (no layout, file-name
    menu). Switch to the router and rerun the same page through it — also when the router
    itself is running: the session was made in the old mode, and without the rerun the
    first click in it (the sign-in button) came back as a fresh page with empty widgets.
    The switch happens on the process's first run, a page load, so no click is dropped."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover - private API moved
        return
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


# set by ``script_run(router=True)``: app.py itself is running, so the switch needs no rerun
# (a rerun there would drop the click that started this run, e.g. the sign-in button)
_ROUTER_RUNNING: ContextVar[bool] = ContextVar("indicators_router_running", default=False)


def _shared() -> Connection:
    return _connection(str(Path(settings().db_path).resolve()))


# The cursor of the script run in progress: a holder that ``script_run`` sets up and
# ``db`` fills on first use. A ContextVar, because each session's run has its own thread.
_RUN_CURSOR: ContextVar[list[Connection] | None] = ContextVar("indicators_run_cursor", default=None)


@contextmanager
def script_run(router: bool = False) -> Iterator[None]:
    """One script run of a page: the router (``app.py``, ``router=True``) runs every page
    inside it, so the run's cursor is closed when the page is done — also when it stops
    or reruns."""
    holder: list[Connection] = []
    token = _RUN_CURSOR.set(holder)
    ui_chrome.reset_table_keys()
    st.session_state["_url_notices"] = []
    slot_token = _NOTICE_SLOT.set(None)
    routing = _ROUTER_RUNNING.set(router)
    try:
        yield
    finally:
        _ROUTER_RUNNING.reset(routing)
        _RUN_CURSOR.reset(token)
        _NOTICE_SLOT.reset(slot_token)
        for cur in holder:
            cur.close()


def db() -> Connection:
    """This script run's cursor on the shared connection (cursors are per thread)."""
    _leave_legacy_pages()
    holder = _RUN_CURSOR.get()
    if holder is None:
        raise RuntimeError("ui.db() outside ui.script_run(): pages run through the router in app.py")
    if not holder:
        holder.append(_shared().cursor())
    return holder[0]


def deferred(make: Callable[[Connection], T]) -> Callable[[], T]:
    """For a download generated on click — after this run has ended, on another thread:
    a callable that opens its own cursor, calls ``make(cursor)`` and closes it."""
    shared = _shared()

    def run() -> T:
        with shared.cursor() as cur:
            return make(cur)
    return run


def data_version(con: Connection) -> tuple:
    """Changes whenever a batch, a rollback or a target changes: the cache key of results."""
    return catalog.data_version(con)


@st.cache_data(show_spinner=False, max_entries=64)
def _dispatch(db_path: str, period: str, version: tuple, _settings: Settings, settings_key: tuple) -> pd.DataFrame:
    with _connection(db_path).cursor() as con:
        return dispatch_table(con, period, _settings)


def dispatch(con: Connection, period: str) -> pd.DataFrame:
    """The dispatch table of ``period``, cached until the data changes."""
    s = settings()
    key = (s.pacing, s.done_at, s.lagging_from_pp)
    return _dispatch(str(Path(s.db_path).resolve()), period, data_version(con), s, key)


# ---------------------------------------------------------------- who is signed in

_SESSION, _GRANT, _CLEAR = "_signed_in", "_cookie_grant", "_cookie_clear"
SESSION_STATE_KEY = _SESSION  # where a tab keeps its session (tests sign in through it)


@st.cache_resource(show_spinner=False)
def _session_key(path: str) -> bytes:
    return sessions.load_key(Path(path))


def _key() -> bytes:
    s = settings()
    return _session_key(str(sessions.key_path(Path(s.db_path).resolve(), s.session_key_file)))


def signed_in() -> Actor | None:
    """The signed-in user of this browser tab: its session (checked on every run — ended
    by signing out elsewhere, expired or a disabled account reads as signed out), else
    the one a reload's session cookie names (``accounts.sessions``); None = signed out."""
    con, held = db(), st.session_state.get(_SESSION)
    if held is not None:
        session = sessions.check(con, held.digest, now=now())
    else:
        session = sessions.resume(con, _key(), st.context.cookies.get(sessions.COOKIE_NAME), now=now())
    if session is None:
        st.session_state.pop(_SESSION, None)
        return None
    st.session_state[_SESSION] = session
    return session.actor


def sign_in(login: str, password: str) -> Actor:
    """Check the password (``SignInFailed`` otherwise), start a session and have the
    browser fetch its cookie on the next run (``cookie_sync``)."""
    actor = users.authenticate(db(), login.strip(), password, now=now())
    session = sessions.start(db(), actor, _key(), hours=settings().session_hours, now=now())
    st.session_state[_SESSION] = session
    st.session_state[_GRANT] = sessions.grant(session, now=now())
    return actor


def sign_out() -> None:
    held = st.session_state.pop(_SESSION, None)
    if held is not None:
        sessions.end(db(), held, now=now())
    st.session_state[_CLEAR] = True


def cookie_sync() -> None:
    """Set or clear the HttpOnly session cookie: the page posts a one-time grant to
    ``/session/grant`` (or asks ``/session/end``); the cookie never passes through JavaScript."""
    grant = st.session_state.get(_GRANT)
    if grant is not None and not sessions.pending(grant):  # exchanged (or run out)
        grant = st.session_state.pop(_GRANT) and None
    if grant is not None:  # shown on every run until the page has exchanged it
        body = json.dumps(grant)
        st.html(f"<script>fetch('{routes.GRANT_PATH}', {{method: 'POST', body: {body}, "
                f"credentials: 'same-origin'}});</script>", unsafe_allow_javascript=True)
    if st.session_state.pop(_CLEAR, False):
        st.html(f"<script>fetch('{routes.END_PATH}', {{method: 'POST', credentials: 'same-origin'}});</script>",
                unsafe_allow_javascript=True)


def actor() -> Actor:
    """The signed-in user (the router lets no page run without one)."""
    held = st.session_state.get(_SESSION)
    if held is None:
        st.warning("请先登录。", icon="🔒")
        st.stop()
    return held.actor


def allowed(action: str) -> bool:
    """May the signed-in user do ``action`` (to show only what the role may do)?"""
    held = st.session_state.get(_SESSION)
    return held is not None and permissions.allowed(held.actor, action)


def require(*actions: str) -> Actor:
    """The signed-in user when their role may do one of ``actions``; otherwise the page
    stops with a Chinese line saying so (the domain refuses the write anyway)."""
    who = actor()
    if not any(permissions.allowed(who, a) for a in actions):
        st.error(f"{who.display}无权使用本页（{'、'.join(permissions.ACTIONS[a] for a in actions)}）。"
                 f"您的角色可做：{permissions.can_do_text(who.role)}。", icon="🔒")
        st.stop()
    return who


def read_return_with_status(con: Connection, data: bytes, name: str, limits: Limits) -> ReturnReading:
    """Read and check an uploaded return (``returns.pipeline.read_return``) inside a status
    box that says each step: 读取 → 校验 → 预览."""
    shown = md_text(name)
    with st.status(f"正在处理「{shown}」……", expanded=False) as status:
        status.update(label=f"读取「{shown}」……")
        st.write(f"读取：{len(data) / 1024:,.1f} KB")
        status.update(label=f"校验「{shown}」……")
        reading = pipeline.read_return(data, name, con, today=today(), limits=limits)
        s = reading.summary()
        st.write(f"校验：{s['rows']:,} 条数值，{s['errors']} 处错误，{s['warnings']} 条警告")
        status.update(label=f"预览「{shown}」……")
        counts = pipeline.diff_counts(pipeline.preview_diff(con, reading))
        st.write("预览：新增 {新增}，修改 {修改}，不变 {不变}".format(**counts))
        status.update(label=f"「{shown}」已读取并校验（读取 → 校验 → 预览）",
                      state="error" if not reading.ok else "complete")
    return reading


# ---------------------------------------------------------------- filters and URL state

@dataclass(frozen=True)
class Filters:
    period: str | None  # as-of month YYYY-MM
    unit: str | None  # org unit code (None: the city)
    unit_name: str | None
    has_data: bool  # the as-of month has values of its own
    briefing: bool
    default: str | None = None  # the month the page opens on (views.month_menu)
    note: str | None = None  # why the default is not the latest due month
    controls: object = None  # where a page adds its own filters (sidebar, or the briefing expander)




def _url_state(name: str, options: list, default, fallback: Callable | None = None, format_func=str):
    """The value of filter ``name``: the URL wins (a bookmark or a shared link), then what
    this session chose on another page, then ``default``. A URL value that does not exist
    (``?month=2030-01``, ``?unit=NOPE``) is replaced by ``fallback(value)`` → (value,
    notice) or the default, with a visible Chinese notice; the URL is then corrected."""
    q = st.query_params.get(name)
    if q is not None and q in options:
        value = q
    elif q is not None and options:
        value, notice = fallback(q) if fallback else (None, None)
        if value not in options:
            value = default
        if notice is None:
            notice = views.unknown_in_url(name, q[:40], format_func(value) if value is not None else None)
        _url_notices().append(notice)
        if _NOTICE_SLOT.get() is not None:  # the page header is drawn already: show it there
            _show_notice(_NOTICE_SLOT.get(), notice)
    elif st.session_state.get(f"_f_{name}") in options:
        value = st.session_state[f"_f_{name}"]
    else:
        value = default
    st.session_state[f"_f_{name}"] = value
    return value


def _url_notices() -> list[str]:
    """This run's notices about URL values that do not exist (``page_header`` shows them)."""
    return st.session_state.setdefault("_url_notices", [])  # emptied by script_run


def _write_url(name: str, value, default) -> None:
    if value is None or value == default:
        if name in st.query_params:
            del st.query_params[name]
    elif st.query_params.get(name) != str(value):
        st.query_params[name] = str(value)


def _on_change(name: str, default) -> None:
    value = st.session_state[f"w_{name}"]
    st.session_state[f"_f_{name}"] = value
    _write_url(name, value, default)


def synced_selectbox(label: str, name: str, options: list, *, format_func=str, help: str | None = None,
                     placeholder: str = "暂无", default=None, fallback: Callable | None = None):
    """A selectbox whose value lives in ``?name=code`` and survives page switches.
    Streamlit's own ``bind="query-params"`` writes the displayed label into the URL; the
    dispatch URLs carry codes (``?month=2026-10&unit=330106&ind=RD01``). ``default``
    (else the first option) is what a URL without ``name`` means."""
    default = default if default in options else (options[0] if options else None)
    value = _url_state(name, options, default, fallback, format_func)
    st.session_state[f"w_{name}"] = value
    st.selectbox(label, options, key=f"w_{name}", format_func=format_func, help=help, placeholder=placeholder,
                 on_change=_on_change, args=(name, default))
    _write_url(name, value, default)
    return value


def _briefing_state() -> bool:
    """``?briefing=1`` wins; otherwise the session remembers the toggle across pages."""
    q = st.query_params.get("briefing")
    if q is not None:
        st.session_state["_f_briefing"] = q in ("1", "true", "True")
    on = bool(st.session_state.get("_f_briefing", False))
    _write_url("briefing", "1" if on else None, None)
    return on


def _set_briefing() -> None:
    on = bool(st.session_state.get("w_briefing"))
    st.session_state["_f_briefing"] = on
    _write_url("briefing", "1" if on else None, None)


def filters(con: Connection, *, unit: bool = True) -> Filters:
    """The shared sidebar: as-of month, unit, briefing toggle. Month and unit live in the
    URL (``?month=2026-10&unit=330106``) so a view can be bookmarked and shared; in
    briefing mode (``?briefing=1``) they move to a small expander at the bottom of the page."""
    briefing = _briefing_state()
    apply_briefing_css(briefing)
    box = st.sidebar if not briefing else st.container(key="briefing_controls")
    have = catalog.periods(con)
    months, default, note = views.month_menu(have, latest_due_month())
    with box:
        controls = st.expander("⚙ 汇报设置（月份、单位、指标、退出汇报模式）") if briefing else st.container()
        with controls:
            period = synced_selectbox(
                "数据截至月份", "month", months, placeholder="暂无数据", default=default,
                help="默认为最近一个已过报送截止日的月份（尚无数据时为其前最近有数据的月份）",
                fallback=lambda q: views.month_from_url(q, months, have, default),
                format_func=lambda p: month_label(p) + ("" if p in have else "（无数据）"))
            code = None
            if unit:
                opts = views.unit_options(con)
                labels = dict(zip(opts["code"], opts["label"]))
                code = synced_selectbox("单位", "unit", opts["code"].tolist(), placeholder="暂无单位",
                                        format_func=lambda c: labels.get(c, c),
                                        help="选择市级查看全市与各区县；选择区县查看该区县及其下级")
            st.session_state["w_briefing"] = briefing
            st.toggle("汇报模式（16:9 截图）", key="w_briefing", on_change=_set_briefing,
                      help="隐藏侧栏与菜单，图表按 16:9 大字号排版，便于截图放入幻灯片。网址加 ?briefing=1 亦可。")
    names = views.unit_options(con).set_index("code")["name"] if unit else pd.Series(dtype=object)
    return Filters(period=period, unit=code, unit_name=names.get(code) if code else None,
                   has_data=period in have, briefing=briefing, controls=controls, default=default, note=note)


def chart_context(f: Filters, source: str | None = None) -> ChartContext:
    return ChartContext(as_of=f.period, source=source or settings().source_label, briefing=f.briefing)


# ---------------------------------------------------------------- guards and messages

def require_data(con: Connection, f: Filters | None = None) -> bool:
    """Stop the page with a helpful message when there is nothing to show."""
    if catalog.is_empty(con):
        st.info("数据库中还没有指标设置。请由管理员导入设置工作簿，或在命令行运行 "
                "`indicators init --demo --db 文件名` 载入示例市后重新打开。", icon="ℹ️")
        return False
    if f is not None and f.period is None:
        st.info("还没有任何报送数据。请在「数据报送」页上传本月报表，或用命令行 `indicators import 文件` 导入。", icon="ℹ️")
        return False
    if f is not None and not f.has_data:
        st.warning(f"{month_label(f.period)} 尚无报送数据。请选择其他月份，或在「数据报送」页上传该月报表。", icon="⚠️")
        return False
    if f is not None and f.note and f.period == f.default:
        st.info(f.note, icon="ℹ️")
    return True


# ---------------------------------------------------------------- rendering helpers

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
    st.html(ui_chrome.PRINT_CSS)
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
    [data-testid="stDataFrame"] * { font-size: 1.05rem; }
    .st-key-briefing_controls { opacity: 0.55; }
    </style>""")


def _light(status: str) -> bool:
    return status in ("not_due", "no_target", "lagging")


def badge_html(status: str) -> str:
    color = STATUS_COLORS.get(status, "#999999")
    cls = "badge light" if _light(status) else "badge"
    return f'<span class="{cls}" style="background:{color}">{html.escape(status_badge(status))}</span>'


# where this run's page header put URL notices (a page filter chosen after the header)
_NOTICE_SLOT: ContextVar[object] = ContextVar("indicators_notice_slot", default=None)


def _show_notice(where, notice: str) -> None:
    where.html(f'<div class="url-notice">⚠️ {html.escape(notice)}</div>')


def url_notices() -> None:
    """Say which URL values did not exist and what is shown instead (the URL is corrected)."""
    slot = st.container()
    _NOTICE_SLOT.set(slot)
    for notice in _url_notices():
        _show_notice(slot, notice)


def page_header(title: str, f: Filters | None = None, extra: str = "", source: str | None = None) -> None:
    url_notices()
    st.title(md_text(title))  # an indicator's name is typed by someone: text, not markdown
    if f is not None and f.period:
        scope = f.unit_name or ""
        st.html(f'<div class="asof">数据截至 {month_label(f.period)}{("　·　" + html.escape(scope)) if scope else ""}'
                f'{("　·　" + html.escape(extra)) if extra else ""}　·　来源：{html.escape(source or settings().source_label)}</div>')


def headline_cards(cards: pd.DataFrame, per_row: int = 4) -> None:
    """Indicator cards (``views.headline_cards``): the first line large, the others small,
    then 同比 and 排名, the partial and comparable notes, and the rule as a caption."""
    if cards.empty:
        st.info("该单位没有需要调度的重点指标（未设定目标或未分配牵头科室）。")
        return
    for start in range(0, len(cards), per_row):
        cols = st.columns(per_row)
        for col, card in zip(cols, cards.iloc[start:start + per_row].itertuples(index=False)):
            col.html(f'<div class="ind-card" style="--c:{card.color}"><h4>{html.escape(card.name)}</h4>'
                     f'{badge_html(card.status)} {_card_body(card)}</div>')


def _card_body(card) -> str:
    esc = html.escape
    lines = list(card.lines or [])
    if not lines:
        body = f'<div class="v">—</div><div class="note">{esc(card.note)}</div>'
        return body + (f'<div class="m">目标 {esc(card.target_text)}</div>' if card.target_text != "—" else "")
    (label, first), rest = lines[0], lines[1:]
    body = f'<div class="m">{esc(label)}</div><div class="v">{esc(first)}</div>'
    body += "".join(f'<div class="m">{esc(k)} <b>{esc(v)}</b></div>' for k, v in rest)
    for extra in (card.yoy_text and card.yoy_text != "—" and f"同比 {card.yoy_arrow} {card.yoy_text}",
                  card.rank_text and f"排名 {card.rank_text}"):
        if extra:
            body += f'<div class="m">{esc(extra)}</div>'
    for note in (card.note, card.partial_text, card.review_text, card.comparable_text):
        if note:
            body += f'<div class="note">※ {esc(note)}</div>'
    if card.caption:
        body += f'<div class="note rule">{esc(card.caption)}</div>'
    return body


def status_column_config() -> dict:
    return {"status": None, "gap_pp": None, "code": None}


def briefing_on() -> bool:
    return bool(st.session_state.get("_f_briefing", False))


def table(frame: pd.DataFrame, *, height: int | str = "auto", key: str | None = None) -> None:
    """A read-only table; raw helper columns (status, gap_pp, code) are hidden. Tall enough
    for every row (paged 第 x / y 页 in briefing mode): nothing hides inside a box."""
    if frame.empty:
        st.caption("（无）")
        return
    rows, fitted = ui_chrome.shown_rows(frame, key=key or ui_chrome.next_table_key(), briefing=briefing_on())
    st.dataframe(rows, hide_index=True, column_config=status_column_config(), placeholder="—",
                 height=fitted if height == "auto" else height, key=key)


def chart(fig, title: str, f: Filters, *, key: str | None = None, source: str | None = None) -> None:
    """Show a figure with the export config (PNG 2×, Chinese file name). In briefing mode
    the figure has a fixed 16:9 size and is not stretched."""
    cfg = export_config(title, chart_context(f, source))
    st.plotly_chart(fig, width="content" if f.briefing else "stretch", config=cfg, key=key, theme=None)


def toned_table(frame: pd.DataFrame, colors: dict[str, str], *, column: str = "状态", key: str | None = None) -> None:
    """A read-only table whose ``column`` cells take the colour of the row's ``tone``
    (the label stays in the cell: colour is never the only signal)."""
    if frame.empty:
        st.caption("（无）")
        return
    tones = frame["tone"].tolist()
    shown = frame.drop(columns=["tone"])

    def paint(col: pd.Series) -> list[str]:
        if col.name != column:
            return [""] * len(col)
        return [f"background-color: {colors.get(t, '#999999')}; color: {'#1F2933' if t in ('lagging', 'not_started') else '#FFFFFF'}; font-weight: 600"
                for t in tones]

    # tall enough for every row: a board cut off after ten rows hides what a leader must see
    st.dataframe(shown.style.apply(paint), hide_index=True, key=key, placeholder="—", height=ui_chrome.rows_height(len(shown)))


def supervision_tables(sl, what: str) -> None:
    """The 督办 list (``views.supervision.SupervisionList``): the summary per owner (most
    to chase first), then each owner's indicators (with where their explanations stand)
    and key tasks."""
    from indicators.theme import TASK_STATUS_COLORS
    from indicators.views.supervision import owner_indicators, owner_tasks
    if sl.summary.empty:
        st.info(f"还没有分配{what}的重点指标或重点任务。")
        return
    table(sl.summary)
    for owner in sl.owners:
        inds, tasks = owner_indicators(sl, owner), owner_tasks(sl, owner)
        st.markdown(f"**{owner}** · 指标 {len(inds)} 项 · 任务 {len(tasks)} 项")
        if len(inds):
            table(inds)
        if len(tasks):
            toned_table(tasks, TASK_STATUS_COLORS)


def delivery_log(log: pd.DataFrame, *, key: str) -> None:
    """The delivery log (``views.delivery_log``): status and error wide enough to read."""
    st.dataframe(log.drop(columns=["key", "problem"]), hide_index=True, key=key, column_config={
        "更新时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
        "状态": st.column_config.TextColumn(width="medium"), "错误": st.column_config.TextColumn(width="large"),
        "次数": st.column_config.NumberColumn(width="small")})
