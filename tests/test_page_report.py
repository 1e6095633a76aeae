"""AppTest smoke test of pages/report.py on a small database file."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import streamlit as st
from pagetest import open_page


def _make_db(path: Path) -> Path:
    spec = importlib.util.spec_from_file_location("_report_fixtures", Path(__file__).parent / "report" / "conftest.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.make_db(path)


@pytest.fixture
def page_db(tmp_path):
    db = _make_db(tmp_path / "page.duckdb")
    st.cache_resource.clear()
    st.cache_data.clear()
    yield db
    st.cache_resource.clear()
    st.cache_data.clear()


def test_report_page_offers_every_download(page_db, monkeypatch):
    at = open_page("pages/report.py", page_db, monkeypatch)
    assert not at.exception, at.exception
    text = " ".join(e.value for e in at.info)
    assert "截至2026年10月，测试市3项重点指标中，1项达到序时进度，2项滞后" in text
    labels = [b.proto.label for b in at.get("download_button")]
    for fmt in ("pptx", "xlsx", "docx", "md"):
        assert any(f".{fmt}" in label for label in labels), labels
    assert at.selectbox(key="png_indicator").value == "TC"
