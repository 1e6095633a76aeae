"""Every write the product makes runs inside a write unit (a pytest plugin, loaded by
conftest.py for the whole suite).

``Connection.write`` is what makes a write safe beside other writers: it takes the write
turn, so two writers never interleave, and on a conflict it runs the whole unit again
(``db.connection``). A statement that changes rows outside it would still work on the
embedded file alone, and then half-write or lose data once two replicas share
PostgreSQL — nothing else would show it. So while the suite runs, each INSERT, UPDATE,
DELETE or MERGE that code under ``src/indicators`` sends outside a write unit (one that
holds the write turn, or a sign-in's, which needs none: ``Connection.write(turn=False)``)
fails the test that made it (at its teardown). Tests' own setup statements are not checked, nor the two
places that write below the write unit: the turn itself (``db/connection.py``) and the
schema migration, which runs before anyone else can see the tables (``db/schema.py``).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from indicators.db import connection

SRC = Path(connection.__file__).resolve().parent.parent  # src/indicators
HERE = Path(__file__).resolve()
CONNECTION = Path(connection.__file__).resolve()
BELOW_THE_UNIT = {SRC / "db" / "connection.py", SRC / "db" / "schema.py"}
CHANGES_ROWS = re.compile(r"\s*(?:WITH\b.*?\)\s*)?(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE | re.DOTALL)


def _sender() -> Path | None:
    """The file of the first frame outside this check and db/connection.py: who sent
    the statement."""
    frame = sys._getframe(1)
    while frame is not None:
        path = Path(frame.f_code.co_filename).resolve()
        if path == CONNECTION and frame.f_code.co_name == "_take_write_turn":
            return CONNECTION  # taking the turn is the first statement of every unit
        if path not in (HERE, CONNECTION):
            return path
        frame = frame.f_back
    return None


def outside_a_unit(con: connection.Connection, sql) -> str | None:
    """Why ``sql`` sent on ``con`` now breaks the rule, or None."""
    if con.in_write_unit or not isinstance(sql, str) or not CHANGES_ROWS.match(sql):
        return None
    sender = _sender()
    if sender is None or SRC not in sender.parents or sender in BELOW_THE_UNIT:
        return None
    return (f"{sender.relative_to(SRC.parent)} changes rows outside a write unit (con.write): "
            f"{' '.join(sql.split())[:120]}")


_seen: list[str] = []  # what broke the rule since the current test began


@pytest.fixture(autouse=True, scope="session")
def _watch_writes():
    """Every statement is looked at; one that breaks the rule is noted (not refused —
    product code that catches errors must not hide it, nor behave differently)."""
    guarded = connection.Connection._guarded

    def watched(self, run, *args):
        why = outside_a_unit(self, args[0] if args else None)
        if why:
            _seen.append(why)
        return guarded(self, run, *args)

    connection.Connection._guarded = watched
    yield
    connection.Connection._guarded = guarded


@pytest.fixture(autouse=True)
def writes_inside_units(_watch_writes):
    """Fails the test (at its teardown) that made a write outside a write unit."""
    _seen.clear()
    yield _seen
    if _seen:
        found = sorted(set(_seen))
        _seen.clear()
        pytest.fail("a write outside a write unit:\n" + "\n".join(found), pytrace=False)
