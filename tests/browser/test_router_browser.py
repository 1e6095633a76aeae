"""The router's one workaround (``ui._leave_legacy_pages``), in a real browser: a fresh
server whose first request is a bookmarked sub-page still runs it through ``app.py``'s
router — its menu of titled sections, wide layout — not Streamlit's old ``pages/`` mode
with a menu of file names."""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import ROOT, _need_browser, free_port, start_app, stop_app, wait_healthy
from waiting import PATIENCE, sign_in, wait_idle

pytestmark = pytest.mark.browser

ROUTER_MENU = ["调度总览", "指标详情", "责任分解"]  # titles from app.py's PAGES
FILE_NAMES = ["overview", "indicator", "responsibility"]  # what the old pages/ mode lists


@pytest.fixture
def fresh_app(demo_db_file, tmp_path):
    """A server of its own, on its own copy of the demo (the shared server holds the demo
    file: DuckDB lets one process open it): nothing has called st.navigation in it yet."""
    _need_browser()
    port = free_port()
    db = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db_file, db)
    proc = start_app(ROOT / "serve.py", {**os.environ, "INDICATORS_DB": str(db)}, port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(proc, url)
        yield url
    finally:
        stop_app(proc)


def test_a_bookmarked_page_opened_first_after_a_restart_runs_through_the_router(signed_out, fresh_app):
    page = signed_out
    sign_in(page, f"{fresh_app}/indicator", "admin")  # the bookmark opens after signing in
    page.wait_for_selector('[data-testid="stSidebarNav"]', state="attached")
    wait_idle(page)
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert all(title in nav for title in ROUTER_MENU), nav
    assert not any(name in nav.split() for name in FILE_NAMES), nav
    assert page.url.rstrip("/").endswith("/indicator")  # the same page, now through the router
    assert page.locator('[data-testid="stException"]').count() == 0


def test_first_sign_in_after_start(signed_out, fresh_app):
    """The first click of the first session after a start signs in (it used to come back as
    an empty form: the session was made in Streamlit's old pages/ mode)."""
    from indicators.demo.accounts import DEMO_PASSWORD
    page = signed_out
    page.goto(fresh_app)
    wait_idle(page)
    page.get_by_role("textbox", name="登录名").fill("admin")
    page.get_by_role("textbox", name="密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.locator('[data-testid="stSidebar"]').get_by_text("已登录：").wait_for(state="attached", timeout=PATIENCE)
