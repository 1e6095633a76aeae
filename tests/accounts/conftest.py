"""A tiny city with one account per role (``accounts_db``): a file copied for each test."""

from __future__ import annotations

import shutil

import pytest
from actors import ADMIN, add_user
from builders import tiny_observations, tiny_setup
from testdate import AT

from indicators.db import batches, connection
from indicators.setup import workbook

# login → (role, unit, department); D1 leads 高新技术企业数 (HT), D2 技术合同成交额 (TC)
ACCOUNTS = {"adm": ("admin", None, None), "off": ("office", None, None), "dep1": ("department", None, "D1"),
            "dep2": ("department", None, "D2"), "dist_a": ("district", "A", None),
            "dist_b": ("district", "B", None), "lead": ("leader", None, None)}


@pytest.fixture(scope="session")
def accounts_master(tmp_path_factory):
    path = tmp_path_factory.mktemp("accounts") / "accounts.duckdb"
    with connection.connect(path, create=True) as con:
        workbook.load_setup(con, tiny_setup(), actor=ADMIN, at=AT)
        batches.write_batch(con, tiny_observations(), file_name="tiny.xlsx", actor=ADMIN, at=AT)
        for login, (role, unit, dept) in ACCOUNTS.items():
            add_user(con, login, role, unit=unit, department=dept, at=AT)
        con.execute("CHECKPOINT")
    return path


@pytest.fixture
def accounts_db(accounts_master, tmp_path):
    path = tmp_path / "accounts.duckdb"
    shutil.copy(accounts_master, path)
    return path


@pytest.fixture
def con(accounts_db):
    with connection.connect(accounts_db) as c:
        yield c
