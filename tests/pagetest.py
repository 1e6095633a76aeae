"""Running page scripts under Streamlit's AppTest (shared by the page tests).

Import ``fresh_caches`` into a test module to clear Streamlit's caches around every
test there: ``st.cache_resource`` outlives an AppTest and would hand the next test the
previous test's database connection.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from indicators.db import store

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60


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
    at = AppTest.from_file(str(ROOT / page), default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def with_db(db: Path, fn):
    """``fn(con)`` on the database file a page test used. The page's cached connection
    holds DuckDB's file lock, so it is released first."""
    st.cache_resource.clear()
    con = store.connect(db, create=True)
    try:
        return fn(con)
    finally:
        con.close()
