"""Fixtures for the report tests: the tiny city of tests/conftest.py as a database file
(the CLI and the page open files), plus a variant whose names look like formulas."""

from __future__ import annotations

from pathlib import Path

import pytest
from actors import ADMIN
from builders import AT

from indicators.db import batches, connection
from indicators.dispatch import dispatch_table
from indicators.settings import Settings
from indicators.setup import workbook

PERIOD = "2026-10"


def _tiny():
    """The tiny city of tests/conftest.py (loaded by path: ``conftest`` is this module)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("_root_conftest", Path(__file__).parents[1] / "conftest.py")
    root = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(root)
    return root.tiny_setup(), root.tiny_observations()


def make_db(path: Path, rename: dict[str, str] | None = None,
            values: dict[tuple[str, str, str], float] | None = None) -> Path:
    """The tiny city as a file; ``rename`` indicator names, ``values`` replaces reported
    values by (indicator, unit, period)."""
    frames, obs = _tiny()
    if rename:
        frames["indicator"]["name"] = frames["indicator"]["name"].replace(rename)
    for (code, unit, period), v in (values or {}).items():
        at = (obs["indicator_code"] == code) & (obs["org_unit"] == unit) & (obs["period"] == period)
        assert at.sum() == 1, (code, unit, period)
        obs.loc[at, "value"] = v
    con = connection.connect(path, create=True)
    try:
        workbook.load_setup(con, frames, actor=ADMIN, at=AT)
        batches.write_batch(con, obs, file_name="tiny.xlsx", actor=ADMIN, at=AT)
    finally:
        con.close()
    return path


@pytest.fixture(scope="session")
def tiny_db(tmp_path_factory) -> Path:
    return make_db(tmp_path_factory.mktemp("report") / "tiny.duckdb")


@pytest.fixture(scope="session")
def tiny_table(tiny_db):
    con = connection.connect(tiny_db, read_only=True)
    try:
        return dispatch_table(con, PERIOD, Settings())
    finally:
        con.close()


@pytest.fixture(scope="session")
def tiny_summary(tiny_table):
    from indicators.report.summary import summarize
    return summarize(tiny_table, PERIOD)


@pytest.fixture
def make_tiny_db():
    """``make_tiny_db(path, rename={old name: new name})`` → a database file."""
    return make_db
