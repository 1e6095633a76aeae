"""The router (app.py) and the run-scoped database cursor of ``indicators.ui``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pagetest import ROOT, TIMEOUT, fresh_caches  # noqa: F401 (fixture)
from streamlit.testing.v1 import AppTest

from indicators import ui
from indicators.db import connection


@pytest.fixture
def empty_db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "empty.duckdb"
    connection.connect(path, create=True).close()
    monkeypatch.setenv("INDICATORS_DB", str(path))
    return path


def test_a_missing_page_is_an_error_not_a_shorter_menu(tmp_path, empty_db):
    app = tmp_path / "app"
    shutil.copytree(ROOT / "pages", app / "pages")
    shutil.copy(ROOT / "app.py", app / "app.py")
    (app / "pages" / "report.py").unlink()
    at = AppTest.from_file(str(app / "app.py"), default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == ["缺少页面文件：pages/report.py。安装不完整，请重新获取程序。"]
    assert not at.title  # no page ran


def test_one_cursor_per_script_run_closed_when_the_run_ends(empty_db):
    with ui.script_run():
        cur = ui.db()
        assert ui.db() is cur  # every call in the run gets the same cursor
        assert cur.execute("SELECT count(*) FROM indicator").fetchone() == (0,)
    with pytest.raises(Exception, match="closed"):
        cur.execute("SELECT 1")
    with ui.script_run():
        assert ui.db() is not cur


def test_db_outside_a_script_run_is_a_programming_error(empty_db):
    with pytest.raises(RuntimeError, match="script_run"):
        ui.db()


def test_a_deferred_download_opens_its_own_cursor_after_the_run(empty_db):
    with ui.script_run():
        make = ui.deferred(lambda cur: cur.execute("SELECT count(*) FROM org_unit").fetchone())
    assert make() == (0,)  # the run's cursor is closed by now; the download still works
