"""Running page scripts under Streamlit's AppTest (shared by the page tests).

A page runs the way ``app.py`` runs it: through ``st.navigation`` inside
``ui.script_run()``, which owns the run's database cursor.

Import ``fresh_caches`` into a test module to clear Streamlit's caches around every
test there: ``st.cache_resource`` outlives an AppTest and would hand the next test the
previous test's database connection.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from indicators.db import connection

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60
# app.py's router reduced to one page (app.py itself would build the demo city on a
# database file that does not exist yet, and tests want empty ones too)
ROUTER = """
import streamlit as st
from indicators import ui
with ui.script_run():
    st.navigation([st.Page({page!r})], position="hidden").run()
"""


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def open_page(page: str, db: Path, monkeypatch, **query) -> AppTest:
    """Run ``pages/<page>`` (absolute path: AppTest resolves relative to the caller)
    against the database ``db``, with URL query parameters ``query``."""
    monkeypatch.setenv("INDICATORS_DB", str(db))
    at = AppTest.from_string(ROUTER.format(page=str(ROOT / page)), default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def with_db(db: Path, fn):
    """``fn(con)`` on the database file a page test used. The page's cached connection
    holds DuckDB's file lock, so it is released first."""
    st.cache_resource.clear()
    with connection.connect(db, create=True) as con:
        return fn(con)
