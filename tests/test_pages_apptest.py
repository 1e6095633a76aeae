"""One AppTest per dispatch page: demo city, an empty database, a month without data,
units without targets and indicators not yet due. AppTest cannot look inside Plotly
charts (tests/test_charts.py does); here we check that pages render without exceptions
and say the helpful thing."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import AT
from pagetest import fresh_caches, open_page  # noqa: F401 (fixture)
from streamlit.testing.v1 import AppTest
from test_views import build_fixture_db, fixture_frames, fixture_values

from indicators.db import batches, connection
from indicators.setup.workbook import load_setup

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["overview.py", "indicator.py", "responsibility.py"]
TIMEOUT = 60


def run_page(page: str, db: Path, monkeypatch, **query) -> AppTest:
    return open_page(f"pages/{page}", db, monkeypatch, **query)


def texts(at: AppTest) -> str:
    parts = [e.value for e in (*at.info, *at.warning, *at.success, *at.markdown, *at.caption, *at.title, *at.subheader)]
    return "\n".join(str(p) for p in parts)


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory) -> Path:
    return build_fixture_db(tmp_path_factory.mktemp("pages") / "fixture.duckdb")


@pytest.fixture
def empty_db(tmp_path) -> Path:
    path = tmp_path / "empty.duckdb"
    connection.connect(path, create=True).close()
    return path


@pytest.mark.parametrize("page", PAGES)
def test_page_with_demo(page, demo_db, monkeypatch):
    at = run_page(page, demo_db, monkeypatch)
    assert not at.exception, at.exception
    assert at.sidebar.selectbox(key="w_month").value == "2026-10"
    assert "数据截至 2026年10月" in "".join(h.body for h in at.get("html")) or at.title


@pytest.mark.parametrize("page", PAGES)
def test_page_with_empty_database(page, empty_db, monkeypatch):
    at = run_page(page, empty_db, monkeypatch)
    assert not at.exception, at.exception
    assert "还没有指标设置" in texts(at)


@pytest.mark.parametrize("page", PAGES)
def test_page_with_setup_but_no_returns(page, tmp_path, monkeypatch):
    path = tmp_path / "setup_only.duckdb"
    con = connection.connect(path, create=True)
    load_setup(con, fixture_frames(), at=AT)
    con.close()
    at = run_page(page, path, monkeypatch)
    assert not at.exception, at.exception
    assert "还没有任何报送数据" in texts(at)


@pytest.mark.parametrize("page", PAGES)
def test_month_without_data(page, tmp_path, monkeypatch):
    path = tmp_path / "gap.duckdb"
    con = connection.connect(path, create=True)
    load_setup(con, fixture_frames(), at=AT)
    values = fixture_values()
    batches.write_batch(con, values[values["period"] != "2026-05"], file_name="gap.xlsx", at=AT)
    con.close()
    at = run_page(page, path, monkeypatch, month="2026-05")
    assert not at.exception, at.exception
    assert at.sidebar.selectbox(key="w_month").value == "2026-05"
    assert "2026年5月 尚无报送数据" in texts(at)


@pytest.mark.parametrize("page", PAGES)
def test_no_target_and_not_due(page, fixture_db, monkeypatch):
    """高新区 has no 高企 target (无目标); 新型研发机构数 is annual (未到期 in October)."""
    at = run_page(page, fixture_db, monkeypatch, unit="D3")
    assert not at.exception, at.exception
    assert at.sidebar.selectbox(key="w_unit").value == "D3"


def test_indicator_page_states(fixture_db, monkeypatch):
    at = run_page("indicator.py", fixture_db, monkeypatch, ind="NEW")
    assert not at.exception, at.exception
    assert "未到报送期" in texts(at)
    at = run_page("indicator.py", fixture_db, monkeypatch, ind="HT", unit="D3")
    assert not at.exception, at.exception
    assert "未设定本年度目标" in texts(at)


def test_filters_change_and_url_follows(fixture_db, monkeypatch):
    at = run_page("overview.py", fixture_db, monkeypatch)
    at.sidebar.selectbox(key="w_month").set_value("2026-09").run()
    assert not at.exception
    assert at.query_params["month"] == ["2026-09"] or at.query_params["month"] == "2026-09"
    at.sidebar.selectbox(key="w_unit").set_value("D1").run()
    assert not at.exception
    assert "东城区" in texts(at)


def test_briefing_mode_from_url(fixture_db, monkeypatch):
    at = run_page("overview.py", fixture_db, monkeypatch, briefing="1")
    assert not at.exception, at.exception
    assert at.toggle(key="w_briefing").value is True
    assert any("display: none" in h.body for h in at.get("html"))


def test_router_opens_overview_first(demo_db, monkeypatch):
    monkeypatch.setenv("INDICATORS_DB", str(demo_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    assert any(t.value == "调度总览" for t in at.title)
    at.switch_page(str(ROOT / "pages" / "responsibility.py")).run()
    assert not at.exception, at.exception
    assert any(t.value == "责任分解" for t in at.title)
