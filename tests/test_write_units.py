"""The suite's own check that every write of the product runs inside a write unit
(tests/write_units.py) catches a write outside one and lets the same write inside one."""

from __future__ import annotations

import pytest
from actors import ADMIN
from builders import AT

from indicators.db import audit, connection


@pytest.fixture
def con():
    c = connection.connect(":memory:")
    yield c
    c.close()


def lines(con) -> int:
    return con.execute("SELECT count(*) FROM audit").fetchone()[0]


def test_a_product_write_outside_a_write_unit_is_caught(con, writes_inside_units):
    audit.audit(con, ADMIN, "测试", at=AT)
    assert writes_inside_units == ["indicators/db/audit.py changes rows outside a write unit (con.write): "
                                   "INSERT INTO audit (logged_at, who, login, role, action, detail) "
                                   "VALUES (?, ?, ?, ?, ?, ?)"]
    writes_inside_units.clear()  # caught: this test is about the catch, not a fault


def test_the_same_write_inside_a_write_unit_passes(con, writes_inside_units):
    con.write(lambda tx: audit.audit(tx, ADMIN, "测试", at=AT))
    assert writes_inside_units == []
    assert lines(con) == 1


def test_a_plain_transaction_is_not_a_write_unit(con, writes_inside_units):
    """Only ``write`` takes the turn that serialises writers; ``transaction`` alone does not."""
    with con.transaction():
        audit.audit(con, ADMIN, "测试", at=AT)
    assert len(writes_inside_units) == 1
    writes_inside_units.clear()


def test_the_tests_own_setup_statements_are_not_checked(con, writes_inside_units):
    con.execute("INSERT INTO audit (logged_at, who, login, role, action, detail) "
                "VALUES (?, '测试', 'x', 'admin', '测试', '')", [AT])
    assert writes_inside_units == []
    assert lines(con) == 1


def test_the_products_own_write_units_pass(tiny_con, writes_inside_units):
    """``tiny_con`` was built by ``workbook.load_setup`` and ``batches.write_batch``, each a
    write unit of the product: the turn they take and the rows they write pass."""
    assert tiny_con.execute("SELECT count(*) FROM batch").fetchone()[0] == 1
    assert writes_inside_units == []
