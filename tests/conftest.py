"""Shared fixtures: small databases built in code through the real setup and batch paths,
and the day the suite lives on (``testdate``)."""

from __future__ import annotations

import os

import pytest
from actors import ADMIN
import testdate
from builders import AT, tiny_observations, tiny_setup
from needs import MARK

from indicators.db import batches, connection
from indicators.setup import workbook


def pytest_configure(config):
    """Before any test module is imported: the whole session (and every subprocess it
    starts) lives on ``testdate.TODAY``, whatever the real date."""
    testdate.pin_environment()


pytest_plugins = ("stores", "write_units")  # the store fixtures (tests/stores.py); every write inside a write unit (tests/write_units.py)


def pytest_report_header(config):
    return f"suite day {testdate.TODAY} (latest due month {testdate.AS_OF})"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI a test skipped for a missing program (``needs.need``) fails instead."""
    report = yield
    if os.environ.get("CI") and report.skipped and call.excinfo is not None \
            and str(call.excinfo.value).startswith(MARK):
        report.outcome = "failed"
        report.longrepr = f"{call.excinfo.value}（CI 中不允许跳过：请在 .ci/run 中安装）"
    return report


@pytest.fixture
def tiny_con(store, request):
    """The tiny city with a batch, in memory — or, on PostgreSQL, in a new database."""
    con = connection.connect(":memory:" if store == "duckdb" else request.getfixturevalue("new_db"))
    workbook.load_setup(con, tiny_setup(), actor=ADMIN, at=AT)
    batches.write_batch(con, tiny_observations(), file_name="tiny.xlsx", actor=ADMIN, at=AT)
    yield con
    con.close()


@pytest.fixture(scope="session")
def demo_db_master(tmp_path_factory):
    """A demo database built once per test session through `indicators init --demo`'s
    code path; copy it (``demo_db``) before writing to it."""
    from indicators.demo.load import load_demo
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    con = connection.connect(path, create=True)
    load_demo(con, testdate.SETTINGS)
    con.execute("CHECKPOINT")
    con.close()
    return path
