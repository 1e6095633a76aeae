"""The pages' way into Streamlit: a page's script run (``script_run``), who is signed in
(``require``, ``actor``), the shared filters (month, unit, briefing toggle), the opening of
a page that reads a month's data (``reading_page``) and its guard (``require_data``), the
page header and the chart wrapper. Re-exported here, so that pages call ``ui.…``:
``ui_data`` (the database, the cache and the settings), ``ui_url`` (filter values in the
address) and ``ui_render`` (stylesheets, status badges, cards, tables). Pages import
``ui_actions`` (a working page's opening and writes) and ``ui_chrome`` (Streamlit's own
chrome in Chinese) by name. Nothing here computes a number.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from indicators import ui_chrome, ui_data, views
from indicators.accounts import permissions, routes, sessions, users
from indicators.accounts.roles import Actor
from indicators.charts import ChartContext, export_config
from indicators.db import catalog
from indicators.db.connection import Connection
from indicators.errors import WriteConflict
from indicators.formatting import month_label
from indicators.returns import pipeline
from indicators.returns.limits import Limits
from indicators.returns.pipeline import ReturnReading
from indicators.safe_text import md_text
from indicators.ui_data import (  # noqa: F401 - the app's database and settings, re-exported
    cached,
    cached_until_any_write,
    computed,
    data_version,
    db,
    deferred,
    dispatch,
    dispatch_later,
)
from indicators.ui_settings import (  # noqa: F401 - the app's settings and clock, re-exported
    db_target,
    latest_due_month,
    limits,
    now,
    settings,
    today,
)


@contextmanager
def script_run() -> Iterator[None]:
    """One script run of a page: the router (``app.py``) runs every page inside it. The run's database connection (``ui_data``) is closed when the page is
    done — also when it stops or reruns — and the run's table keys and URL notices start
    empty. A write that waited ``INDICATORS_LOCK_WAIT`` seconds for another writer and
    gave up (``WriteConflict``, nothing written) ends the page with its one line as an
    error box, on every page (a page catches only the refusals it explains itself)."""
    ui_chrome.reset_table_keys()
    st.session_state["_url_notices"] = []
    slot_token = _NOTICE_SLOT.set(None)
    try:
        with ui_data.script_run():
            yield
    except WriteConflict as exc:
        st.error(str(exc), icon="⛔")
    finally:
        _NOTICE_SLOT.reset(slot_token)


# ---------------------------------------------------------------- who is signed in

_SESSION, _GRANT, _CLEAR = "_signed_in", "_cookie_grant", "_cookie_clear"
SESSION_STATE_KEY = _SESSION  # where a tab keeps its session (tests sign in through it)


@st.cache_resource(show_spinner=False)
def _session_key(path: str) -> bytes:
    return sessions.load_key(Path(path))


def _key() -> bytes:
    s = settings()
    return _session_key(str(sessions.key_path(db_target(), s.session_key_file)))


def signed_in() -> Actor | None:
    """The signed-in user of this browser tab: its session (checked on every run — ended
    by signing out elsewhere, expired or a disabled account reads as signed out), else
    the one a reload's session cookie names (``accounts.sessions``); None = signed out."""
    held = st.session_state.get(_SESSION)
    digest = held.digest if held is not None else \
        sessions.cookie_digest(_key(), st.context.cookies.get(sessions.COOKIE_NAME), now())
    # looked up through the page cache: a session ends only by a write, which moves the write version
    session = None if digest is None else \
        sessions.current(cached_until_any_write(sessions.lookup, db(), digest), now=now())
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
        counts = pipeline.change_counts(con, reading)  # the counts only: not the whole diff
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


def filters(con: Connection, *, unit: bool = True) -> Filters:
    """The shared sidebar: as-of month, unit, briefing toggle. Month and unit live in the
    URL (``?month=2026-10&unit=330106``) so a view can be bookmarked and shared; in
    briefing mode (``?briefing=1``) they move to a small expander at the bottom of the page."""
    briefing = _briefing_state()
    apply_briefing_css(briefing)
    box = st.sidebar if not briefing else st.container(key="briefing_controls")
    have = cached(catalog.periods, con)
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
                opts = cached(views.unit_options, con)
                labels = dict(zip(opts["code"], opts["label"]))
                code = synced_selectbox("单位", "unit", opts["code"].tolist(), placeholder="暂无单位",
                                        format_func=lambda c: labels.get(c, c),
                                        help="选择市级查看全市与各区县；选择区县查看该区县及其下级")
            st.session_state["w_briefing"] = briefing
            st.toggle("汇报模式（16:9 截图）", key="w_briefing", on_change=_set_briefing,
                      help="隐藏侧栏与菜单，图表按 16:9 大字号排版，便于截图放入幻灯片。网址加 ?briefing=1 亦可。")
    names = cached(views.unit_options, con).set_index("code")["name"] if unit else pd.Series(dtype=object)
    return Filters(period=period, unit=code, unit_name=names.get(code) if code else None,
                   has_data=period in have, briefing=briefing, controls=controls, default=default, note=note)


def chart_context(f: Filters, source: str | None = None) -> ChartContext:
    return ChartContext(as_of=f.period, source=source or settings().source_label, briefing=f.briefing)


# ---------------------------------------------------------------- guards and messages

def require_data(con: Connection, f: Filters | None = None) -> bool:
    """Stop the page with a helpful message when there is nothing to show."""
    if cached(catalog.is_empty, con):
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


def reading_page(title: str, *, unit: bool = True) -> tuple[Connection, Filters]:
    """Open a page that shows a month's data: its database, the shared filters (``unit``:
    with the unit's), the title with what it shows; and when there is nothing to show,
    ``require_data``'s reason — the page stops there."""
    con = db()
    f = filters(con, unit=unit)
    page_header(title, f)
    if not require_data(con, f):
        st.stop()
    return con, f


# ---------------------------------------------------------------- rendering helpers


def page_header(title: str, f: Filters | None = None, extra: str = "", source: str | None = None) -> None:
    url_notices()
    st.title(md_text(title))  # an indicator's name is typed by someone: text, not markdown
    if f is not None and f.period:
        scope = f.unit_name or ""
        st.html(f'<div class="asof">数据截至 {month_label(f.period)}{("　·　" + html.escape(scope)) if scope else ""}'
                f'{("　·　" + html.escape(extra)) if extra else ""}　·　来源：{html.escape(source or settings().source_label)}</div>')


def chart(fig, title: str, f: Filters, *, key: str | None = None, source: str | None = None) -> None:
    """Show a figure with the export config (PNG 2×, Chinese file name). In briefing mode
    the figure has a fixed 16:9 size and is not stretched."""
    cfg = export_config(title, chart_context(f, source))
    st.plotly_chart(fig, width="content" if f.briefing else "stretch", config=cfg, key=key, theme=None)


# What pages call as ``ui.…``, kept in its own modules: the URL state and how things are
# drawn. Imported last: they use nothing of this module, and this module's functions
# (``filters``, ``page_header``, ``script_run``) call them.
from indicators.ui_chrome import rows_height  # noqa: E402,F401 - a grid tall enough for every row
from indicators.ui_render import (  # noqa: E402,F401
    apply_briefing_css,
    DrawnFigure,
    badge_html,
    delivery_log,
    figure,
    headline_cards,
    html_table,
    print_copy,
    supervision_tables,
    table,
    toned_table,
)
from indicators.ui_url import (  # noqa: E402,F401
    _NOTICE_SLOT,
    _briefing_state,
    _set_briefing,
    synced_selectbox,
    url_notices,
)
