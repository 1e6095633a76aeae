"""Running page scripts under Streamlit's AppTest (shared by the page tests).

A page runs the way ``app.py`` runs it: through ``st.navigation`` inside
``ui.script_run()``, which owns the run's database cursor.

Import ``fresh_caches`` into a test module to clear Streamlit's caches around every
test there: ``st.cache_resource`` outlives an AppTest and would hand the next test the
previous test's database connection.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from actors import add_user
from testdate import AT

from indicators import clock, ui
from indicators.accounts import sessions, users
from indicators.db import connection
from indicators.settings import SettingError
from indicators.settings import load

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60
# app.py's router reduced to one page (app.py itself would build the demo city on a
# database file that does not exist yet, and tests want empty ones too); the page runs
# only for a signed-in user, as in app.py
ROUTER = """
import streamlit as st
from indicators import ui
with ui.script_run():
    if ui.signed_in() is None:
        st.stop()
    st.navigation([st.Page({page!r})], position="hidden").run()
"""
ROLES = {"admin": ("admin", None, None), "zhk": ("office", None, None), "gxjs": ("department", None, "GXJS"),
         "dc": ("district", "DC", None), "leader": ("leader", None, None)}


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def open_page(page: str, db: Path, monkeypatch, *, as_login: str | None = "admin", **query) -> AppTest:
    """Run ``pages/<page>`` (absolute path: AppTest resolves relative to the caller)
    against the database ``db``, signed in as ``as_login`` (made with the demo's role
    when the database lacks it; None: signed out), with URL query parameters ``query``."""
    monkeypatch.setenv("INDICATORS_DB", str(db))
    at = AppTest.from_string(ROUTER.format(page=str(ROOT / page)), default_timeout=TIMEOUT)
    if as_login is not None:
        at.session_state[ui.SESSION_STATE_KEY] = with_db(db, lambda con: session_for(con, as_login))
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def session_for(con, login: str):
    """A signed-in session of ``login`` (an account of the demo's role for that login is
    made first when the database has none)."""
    if users.find(con, login) is None:
        role, unit, department = ROLES.get(login, ("admin", None, None))
        add_user(con, login, role, unit=unit, department=department, at=AT)
    # from the start of the day the page will live on (INDICATORS_TODAY, which a test may
    # move) for two days: whatever the hour the suite runs at
    try:
        today = clock.today(load())
    except SettingError:  # a test of a bad setting (the page shows it): the session needs only the day
        today = clock.today(load({k: v for k, v in os.environ.items() if k in ("INDICATORS_TODAY", "INDICATORS_TZ")}))
    start = dt.datetime.combine(today, dt.time(0, 0))
    return sessions.start(con, users.actor_for(con, login), b"k" * 32, hours=48, now=start)


def with_db(db: Path, fn):
    """``fn(con)`` on the database file a page test used. The page's cached connection
    holds DuckDB's file lock, so it is released first."""
    st.cache_resource.clear()
    with connection.connect(db, create=True) as con:
        return fn(con)
