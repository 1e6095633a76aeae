"""Both stores under test: the embedded DuckDB file and PostgreSQL (a pytest plugin,
loaded by conftest.py).

A test module marked ``pytestmark = pytest.mark.both_stores`` runs each of its tests
that use the ``store`` fixture — directly or through ``tiny_con``, ``demo_db``,
``new_db`` — once per store (ids ``[duckdb]`` / ``[postgres]``). PostgreSQL is one
throwaway server per test session (``deploy/localpg.py``: initdb in a temporary
directory, a free 127.0.0.1 port), each test gets a database of its own. Without the
PostgreSQL binaries the postgres half skips — and fails in CI (``needs``).
"""

from __future__ import annotations

import itertools
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "deploy"))
from localpg import LocalPostgres, find_bin  # noqa: E402

from needs import need  # noqa: E402

STORES = ("duckdb", "postgres")
_names = itertools.count(1)


def pytest_configure(config):
    config.addinivalue_line("markers", "both_stores: run on the DuckDB file and on PostgreSQL")


def pytest_generate_tests(metafunc):
    if metafunc.definition.get_closest_marker("both_stores") and "store" in metafunc.fixturenames:
        metafunc.parametrize("store", STORES, indirect=True)


@pytest.fixture(scope="session")
def pg_server():
    """One PostgreSQL server for the whole session, removed at its end."""
    if find_bin() is None:
        need("PostgreSQL（apt-get install postgresql）")
    server = LocalPostgres().start()
    yield server
    server.stop()


@pytest.fixture
def store(request) -> str:
    """``"duckdb"`` or ``"postgres"`` (``"duckdb"`` outside ``both_stores`` modules)."""
    return getattr(request, "param", "duckdb")


def fresh_postgres(server: LocalPostgres, template: str | None = None) -> tuple[str, str]:
    """A new database on ``server`` (a copy of ``template``): (name, URL)."""
    name = f"t{next(_names)}"
    return name, server.create_database(name, template=template)


def drop_postgres(server: LocalPostgres, name: str) -> None:
    from indicators.db import connection
    connection.release(server.url(name))  # this process's pooled connections first
    server.drop_database(name)


@pytest.fixture(scope="session")
def empty_pg_master(pg_server):
    """An empty PostgreSQL database at the current schema version: copied for each test
    (migrating a new one takes a second; ``test_db`` migrates a raw one itself)."""
    from indicators.db import connection
    name, url = fresh_postgres(pg_server)
    connection.connect(url, create=True).close()
    connection.release(url)  # a template must have no connections
    return name


@pytest.fixture
def new_db(store, request, tmp_path):
    """A new, empty database on the test's store: a file path (not created yet), or a
    PostgreSQL URL (an empty database at the current schema version)."""
    if store == "duckdb":
        yield tmp_path / "t.duckdb"
        return
    server = request.getfixturevalue("pg_server")
    name, url = fresh_postgres(server, template=request.getfixturevalue("empty_pg_master"))
    yield url
    drop_postgres(server, name)


@pytest.fixture(scope="session")
def demo_pg_master(request, demo_db_master):
    """The demo city on PostgreSQL, once per session: the DuckDB demo copied over with
    ``db.transfer`` (``indicators migrate``, whose own audit row is taken out again), a
    template for each test's copy."""
    from actors import ADMIN
    from builders import AT

    from indicators.db import connection, transfer
    server = request.getfixturevalue("pg_server")
    name, url = fresh_postgres(server)
    transfer.copy_database(demo_db_master, url, actor=ADMIN, at=AT)
    with connection.connect(url) as con:  # the demo exactly as on the file: the same audit log on both stores
        con.write(lambda tx: tx.execute("DELETE FROM audit WHERE action = 'migrate'"))
    connection.release(url)  # a template must have no connections
    return name


@pytest.fixture
def demo_db(store, request, demo_db_master, tmp_path):
    """A private copy of the demo database, safe to modify: a file path on DuckDB, a
    PostgreSQL URL on PostgreSQL."""
    if store == "duckdb":
        path = tmp_path / "demo.duckdb"
        shutil.copy(demo_db_master, path)
        yield path
        return
    server = request.getfixturevalue("pg_server")
    name, url = fresh_postgres(server, template=request.getfixturevalue("demo_pg_master"))
    yield url
    drop_postgres(server, name)
