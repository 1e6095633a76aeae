"""The connection object (indicators.db.connection): transactions that nest, DataFrame
registration, cursors, the retry of a whole write, and opening errors as one line."""

import subprocess
import sys

import pandas as pd
import pytest

from indicators.db import connection
from indicators.errors import DatabaseInvalid, WriteConflict


@pytest.fixture
def con():
    c = connection.connect(":memory:")
    c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)")
    yield c
    c.close()


def rows(con):
    return con.execute("SELECT id, v FROM t ORDER BY id").fetchall()


def test_execute_delegates_to_duckdb(con):
    con.execute("INSERT INTO t VALUES (?, ?)", [1, 10])
    assert con.execute("SELECT v FROM t WHERE id = ?", [1]).fetchone() == (10,)
    assert con.execute("SELECT * FROM t").df().to_dict(orient="records") == [{"id": 1, "v": 10}]
    assert list(con.execute("SELECT id FROM t").fetchnumpy()["id"]) == [1]


def test_transaction_commits_or_writes_nothing(con):
    with con.transaction():
        con.execute("INSERT INTO t VALUES (1, 1)")
    with pytest.raises(ZeroDivisionError):
        with con.transaction():
            con.execute("INSERT INTO t VALUES (2, 2)")
            1 / 0
    assert rows(con) == [(1, 1)]
    assert not con.in_transaction


def test_nested_transactions_are_one_unit(con):
    """One import command of several files: the second file's failure undoes the first."""
    def one_file(i):
        with con.transaction():
            con.execute("INSERT INTO t VALUES (?, ?)", [i, i])
            if i == 3:
                raise ValueError("file 3 is bad")

    with pytest.raises(ValueError):
        with con.transaction():
            for i in (1, 2, 3):
                one_file(i)
    assert rows(con) == []
    with con.transaction():  # and without the failure every inner unit commits with the outer
        one_file(1)
        one_file(2)
        assert con.in_transaction
    assert rows(con) == [(1, 1), (2, 2)]


def test_an_inner_failure_that_is_swallowed_still_rolls_back(con):
    with pytest.raises(RuntimeError, match="rolled back"):
        with con.transaction():
            con.execute("INSERT INTO t VALUES (1, 1)")
            try:
                with con.transaction():
                    con.execute("INSERT INTO t VALUES (1, 2)")  # duplicate key
            except Exception:
                pass
    assert rows(con) == []


def test_registered_frame_is_visible_only_inside_the_block(con):
    frame = pd.DataFrame({"id": [5, 6], "v": [50, 60]})
    with con.registered("_incoming", frame) as name:
        assert name == "_incoming"
        con.execute("INSERT INTO t SELECT id, v FROM _incoming")
    assert rows(con) == [(5, 50), (6, 60)]
    with pytest.raises(Exception, match="_incoming"):
        con.execute("SELECT * FROM _incoming").fetchall()
    with pytest.raises(ValueError):
        with con.registered("x; DROP TABLE t", frame):
            pass


def test_cursor_closes_at_the_end_of_its_block(con):
    con.execute("INSERT INTO t VALUES (1, 1)")
    with con.cursor() as cur:
        assert cur.execute("SELECT count(*) FROM t").fetchone() == (1,)
    with pytest.raises(Exception, match="closed"):
        cur.execute("SELECT 1")
    assert con.execute("SELECT 1").fetchone() == (1,)  # the connection itself stays open


def _conflicting_write(con, other, tries: list, conflicts: int):
    """A unit of work that loses to ``other``'s committed update ``conflicts`` times."""
    def work(tx):
        tries.append(1)
        tx.execute("SELECT v FROM t WHERE id = 1").fetchall()  # the transaction has started
        if len(tries) <= conflicts:
            other.execute("UPDATE t SET v = v + 100 WHERE id = 1")  # commits first
        tx.execute("UPDATE t SET v = v + 1 WHERE id = 1")
        return len(tries)
    return work


def test_write_runs_the_whole_unit_again_after_a_conflict(con):
    con.execute("INSERT INTO t VALUES (1, 0)")
    tries = []
    with con.cursor() as other:
        assert con.write(_conflicting_write(con, other, tries, conflicts=1)) == 2
    assert rows(con) == [(1, 101)]  # the other writer's +100, then this unit's +1 once


def test_write_gives_up_with_one_line_after_bounded_attempts(con):
    con.execute("INSERT INTO t VALUES (1, 0)")
    tries = []
    with con.cursor() as other, pytest.raises(WriteConflict, match="未写入任何数据"):
        con.write(_conflicting_write(con, other, tries, conflicts=99), attempts=3)
    assert len(tries) == 3
    assert rows(con) == [(1, 300)]  # only the other writer's commits


def test_write_inside_a_transaction_joins_it(con):
    with pytest.raises(ValueError):
        with con.transaction():
            con.write(lambda tx: tx.execute("INSERT INTO t VALUES (1, 1)"))
            raise ValueError
    assert rows(con) == []


@pytest.mark.parametrize("make", [
    lambda p: p.write_text("not a database"),
    lambda p: p.write_bytes(b""),
    lambda p: p.mkdir(),
], ids=["text file", "empty file", "directory"])
def test_a_file_that_is_not_a_database_is_one_line(tmp_path, make):
    path = tmp_path / "x.duckdb"
    make(path)
    with pytest.raises(DatabaseInvalid, match="不是指标月调度的数据库文件"):
        connection.connect(path)


def test_cli_says_one_line_for_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "notes.duckdb"
    path.write_text("meeting notes")
    out = subprocess.run([sys.executable, "-m", "indicators", "status", "--period", "2026-10", "--db", str(path)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert out.stderr.strip().count("\n") == 0, out.stderr
    assert "不是指标月调度的数据库文件" in out.stderr
