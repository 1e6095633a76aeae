"""Shared fixtures: small databases built in code through the real setup and batch paths."""

from __future__ import annotations

import pytest
from builders import tiny_observations, tiny_setup

from indicators.db import store
from indicators.setup import workbook


@pytest.fixture
def tiny_con():
    con = store.connect(":memory:")
    workbook.load_setup(con, tiny_setup())
    store.write_batch(con, tiny_observations(), file_name="tiny.xlsx", uploaded_by="test")
    yield con
    con.close()


@pytest.fixture(scope="session")
def demo_db_master(tmp_path_factory):
    """A demo database built once per test session through `indicators init --demo`'s
    code path; copy it (``demo_db``) before writing to it."""
    from indicators.demo.load import load_demo
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    con = store.connect(path, create=True)
    load_demo(con)
    con.execute("CHECKPOINT")
    con.close()
    return path


@pytest.fixture
def demo_db(demo_db_master, tmp_path):
    """A private copy of the demo database (a path), safe to modify."""
    import shutil
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_master, path)
    return path
