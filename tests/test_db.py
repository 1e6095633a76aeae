"""Opening, migrating, batches, supersede and rollback (indicators.db) — on the DuckDB
file and on PostgreSQL (``both_stores``: every test that takes ``store``/``new_db``)."""

import subprocess
import sys

import duckdb
import pandas as pd
import pytest
from actors import ADMIN
from builders import AT

from indicators.db import batches, connection, schema
from indicators.db.schema import MIGRATIONS, SCHEMA_VERSION
from indicators.errors import DatabaseInvalid, DatabaseMissing, DatabaseTooNew

pytestmark = pytest.mark.both_stores


def test_new_database_is_at_current_version(tmp_path):
    con = connection.connect(tmp_path / "a.duckdb", create=True)
    assert schema.schema_version(con) == SCHEMA_VERSION
    con.close()


def test_every_migration_runs_on_a_raw_postgres_database(pg_server):
    """What DuckDB cannot do on PostgreSQL (sequences, ALTER … DEFAULT) runs there natively;
    the schema comes out the same as on the DuckDB file."""
    from stores import drop_postgres, fresh_postgres
    name, url = fresh_postgres(pg_server)
    try:
        with connection.connect(url, create=True) as con, connection.connect(":memory:") as mem:
            assert schema.schema_version(con) == SCHEMA_VERSION
            assert schema.tables(con) == schema.tables(mem)
            columns = "SELECT table_name, column_name FROM information_schema.columns " \
                      "WHERE table_catalog = current_database() AND table_schema = current_schema() ORDER BY ALL"
            assert con.execute(columns).fetchall() == mem.execute(columns).fetchall()
            assert con.next_id("batch_id_seq") == 1 and con.next_id("batch_id_seq") == 2
    finally:
        drop_postgres(pg_server, name)


def test_database_from_version_1_is_upgraded(tmp_path):
    path = tmp_path / "old.duckdb"
    raw = duckdb.connect(str(path))
    raw.execute("CREATE TABLE schema_version (version INTEGER, applied_at TIMESTAMP DEFAULT current_timestamp)")
    for stmt in MIGRATIONS[1]:
        raw.execute(stmt)
    raw.execute("INSERT INTO schema_version (version) VALUES (1)")
    raw.execute("INSERT INTO org_unit (code, name) VALUES ('C', '老市')")
    raw.close()
    con = connection.connect(path)
    assert schema.schema_version(con) == SCHEMA_VERSION
    assert con.execute("SELECT name, aliases FROM org_unit").fetchall() == [("老市", None)]


def test_newer_database_is_refused(new_db):
    with connection.connect(new_db, create=True) as con:
        con.execute("INSERT INTO schema_version (version) VALUES (99)")
    with pytest.raises(DatabaseTooNew, match="99"):
        connection.connect(new_db)


def test_missing_database(tmp_path):
    with pytest.raises(DatabaseMissing, match="indicators init"):
        connection.connect(tmp_path / "none.duckdb")


def _open_in_child(path, wait: float):
    """Open ``path`` from another process, waiting ``wait`` seconds for its lock."""
    code = (
        "import sys, time\n"
        "from indicators.db import connection\n"
        "from indicators.errors import DatabaseLocked\n"
        "t = time.monotonic()\n"
        f"try:\n    connection.connect({str(path)!r}, wait={wait}).close()\n"
        "except DatabaseLocked as e:\n    print('LOCKED', round(time.monotonic() - t, 1), e); sys.exit(3)\n"
        "print('OPENED', round(time.monotonic() - t, 1))\n"
    )
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_second_process_waits_a_bounded_time_then_says_so(tmp_path):
    path = tmp_path / "locked.duckdb"
    holder = connection.connect(path, create=True)
    try:
        out, err = _open_in_child(path, wait=1.5).communicate(timeout=60)
    finally:
        holder.close()
    assert out.startswith("LOCKED"), err
    waited = float(out.split()[1])
    assert 1.5 <= waited < 10, out
    assert "占用" in out and "已等待 1.5 秒" in out and "INDICATORS_LOCK_WAIT" in out


def test_second_process_gets_the_file_once_the_first_lets_go(tmp_path):
    """The web app holds the file only while a page runs: a command waiting meanwhile
    gets it as soon as the run ends, instead of failing."""
    import time
    path = tmp_path / "busy.duckdb"
    holder = connection.connect(path, create=True)
    child = _open_in_child(path, wait=30)
    time.sleep(1.0)  # the child is waiting now
    holder.close()
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0 and out.startswith("OPENED"), (out, err)


def _values(rows):
    return pd.DataFrame(rows, columns=["indicator_code", "org_unit", "period", "value"])


def current(con):
    return {tuple(r[:3]): r[3] for r in con.execute(
        "SELECT indicator_code, org_unit, period, value FROM current_observation").fetchall()}


def test_reupload_supersedes_and_keeps_history(new_db):
    con = connection.connect(new_db, create=True)
    b1 = batches.write_batch(con, _values([("a", "x", "2026-01", 1.0), ("a", "x", "2026-02", 2.0)]), file_name="1.xlsx", actor=ADMIN, at=AT)
    b2 = batches.write_batch(con, _values([("a", "x", "2026-01", 5.0)]), file_name="2.xlsx", actor=ADMIN, at=AT)
    assert current(con) == {("a", "x", "2026-01"): 5.0, ("a", "x", "2026-02"): 2.0}
    history = con.execute("SELECT value, batch_id, superseded_by FROM observation ORDER BY batch_id, period").fetchall()
    assert history == [(1.0, b1, b2), (2.0, b1, None), (5.0, b2, None)]


def test_rollback_restores_replaced_values(new_db):
    con = connection.connect(new_db, create=True)
    batches.write_batch(con, _values([("a", "x", "2026-01", 1.0)]), file_name="1.xlsx", actor=ADMIN, at=AT)
    b2 = batches.write_batch(con, _values([("a", "x", "2026-01", 5.0), ("a", "y", "2026-01", 7.0)]), file_name="2.xlsx", actor=ADMIN, at=AT)
    assert batches.rollback_batch(con, b2, actor=ADMIN, at=AT) == 1
    assert current(con) == {("a", "x", "2026-01"): 1.0}
    assert con.execute("SELECT status FROM batch WHERE id = ?", [b2]).fetchone()[0] == "rolled_back"
    actions = [r[0] for r in con.execute("SELECT action FROM audit ORDER BY logged_at").fetchall()]
    assert actions == ["import", "import", "rollback"]


def test_rollback_of_older_batch_keeps_newer_values(new_db):
    con = connection.connect(new_db, create=True)
    b1 = batches.write_batch(con, _values([("a", "x", "2026-01", 1.0)]), file_name="1", actor=ADMIN, at=AT)
    b2 = batches.write_batch(con, _values([("a", "x", "2026-01", 2.0)]), file_name="2", actor=ADMIN, at=AT)
    b3 = batches.write_batch(con, _values([("a", "x", "2026-01", 3.0)]), file_name="3", actor=ADMIN, at=AT)
    batches.rollback_batch(con, b2, actor=ADMIN, at=AT)
    assert current(con) == {("a", "x", "2026-01"): 3.0}
    batches.rollback_batch(con, b3, actor=ADMIN, at=AT)
    # b2 is rolled back already, so undoing b3 brings back b1's value, not b2's
    assert current(con) == {("a", "x", "2026-01"): 1.0}
    assert b1 < b2 < b3
    assert batches.rollback_batch(con, b3, actor=ADMIN, at=AT) == 0  # twice is harmless


def test_failed_batch_writes_nothing(new_db):
    con = connection.connect(new_db, create=True)
    bad = _values([("a", "x", "2026-01", 1.0)]).drop(columns=["period"])
    with pytest.raises(KeyError):
        batches.write_batch(con, bad, file_name="bad", actor=ADMIN, at=AT)
    assert con.execute("SELECT count(*) FROM batch").fetchone()[0] == 0


def test_version_4_drops_the_unused_setting_table(tmp_path):
    path = tmp_path / "v3.duckdb"
    raw = duckdb.connect(str(path))
    raw.execute("CREATE TABLE schema_version (version INTEGER, applied_at TIMESTAMP DEFAULT current_timestamp)")
    for version in (1, 2, 3):
        for stmt in MIGRATIONS[version]:
            raw.execute(stmt)
        raw.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
    raw.close()
    with connection.connect(path) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert "setting" not in tables and "org_unit" in tables


def test_read_only_open_of_an_older_database_migrates_it_first(tmp_path):
    """``indicators status`` (read-only) on a file from before the task tables."""
    path = tmp_path / "v2.duckdb"
    raw = duckdb.connect(str(path))
    raw.execute("CREATE TABLE schema_version (version INTEGER, applied_at TIMESTAMP DEFAULT current_timestamp)")
    for version in (1, 2):
        for stmt in MIGRATIONS[version]:
            raw.execute(stmt)
        raw.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
    raw.close()
    with connection.connect(path, read_only=True) as con:
        assert schema.schema_version(con) == SCHEMA_VERSION
        assert con.execute("SELECT count(*) FROM explanation").fetchone() == (0,)
    out = subprocess.run([sys.executable, "-m", "indicators", "status", "--period", "2026-10", "--db", str(path)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr


def test_another_programs_duckdb_file_is_refused_not_taken_over(tmp_path):
    path = tmp_path / "other.duckdb"
    raw = duckdb.connect(str(path))
    raw.execute("CREATE TABLE sales (id INTEGER)")
    raw.close()
    for read_only in (False, True):
        with pytest.raises(DatabaseInvalid, match="别的 DuckDB 数据库"):
            connection.connect(path, read_only=read_only)
    raw = duckdb.connect(str(path), read_only=True)
    assert raw.execute("SELECT table_name FROM information_schema.tables").fetchall() == [("sales",)]
    raw.close()


def test_another_programs_postgres_database_is_refused_not_taken_over(pg_server):
    from stores import drop_postgres, fresh_postgres

    from indicators.errors import DatabaseInvalid
    name, url = fresh_postgres(pg_server)
    pg_server.psql("CREATE TABLE sales (id INTEGER)", database=name)
    try:
        with pytest.raises(DatabaseInvalid, match="别的 PostgreSQL 数据库"):
            connection.connect(url, create=True)
        assert pg_server.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", database=name).strip() == "1"
    finally:
        drop_postgres(pg_server, name)


def _writes(con):
    """Each kind of write the product makes, as (name, call)."""
    from actors import PASSWORD, add_user
    from builders import tiny_setup

    from indicators.accounts import sessions, users
    from indicators.returns import review
    from indicators.setup import workbook
    frame = pd.DataFrame([("JS", "D1", "2026-09", 7.0)], columns=["indicator_code", "org_unit", "period", "value"])
    target = tiny_setup()["target"].head(1).assign(value=999.0)
    last = lambda: int(con.execute("SELECT max(id) FROM batch").fetchone()[0])  # noqa: E731
    return [
        ("batch", lambda: batches.write_batch(con, frame, file_name="v.xlsx", actor=ADMIN, at=AT)),
        ("rollback", lambda: batches.rollback_batch(con, last(), actor=ADMIN, at=AT)),
        ("targets", lambda: workbook.revise_targets(con, target, actor=ADMIN, at=AT)),
        ("setup", lambda: workbook.load_setup(con, tiny_setup(), actor=ADMIN, at=AT)),
        ("pending batch", lambda: batches.write_batch(con, frame, file_name="p.xlsx", actor=ADMIN, at=AT,
                                                      review="pending")),
        ("review", lambda: review.approve(con, ADMIN, last(), at=AT)),
        ("user", lambda: add_user(con, "tester", "office", at=AT)),
        ("sign-in", lambda: users.authenticate(con, "tester", PASSWORD, now=AT)),
        ("session", lambda: sessions.start(con, users.actor_for(con, "tester"), b"k" * 32, hours=1, now=AT)),
        ("sign-out", lambda: sessions.end(con, sessions.lookup(con, con.execute(
            "SELECT digest FROM user_session WHERE ended_at IS NULL").fetchone()[0]), now=AT)),
    ]


BOOKKEEPING_WRITES = {"sign-in", "session", "sign-out"}  # change no data any result is computed from
SIGN_IN_WRITES = {"sign-in", "session"}  # … nor any session but the new one: they take no write turn


def test_every_write_moves_the_write_version_and_every_write_of_data_the_data_version(tiny_con):
    """Pages cache what they compute by ``catalog.data_version`` (the data turn) and whether
    a session holds by the write version (the write turn): a data write that did not
    move the first would leave every replica showing old numbers, a sign-in that moved
    it would make every replica compute its dispatch tables again, and a sign-out that
    did not move the second would leave the session working on the other replicas. A
    sign-in's units take no turn at all (``Connection.write(turn=False)``): they add a new
    session and an audit line, which no cached answer holds."""
    from indicators.db import catalog
    for name, write in _writes(tiny_con):
        (w0, d0) = catalog.versions(tiny_con)
        write()
        (w1, d1) = catalog.versions(tiny_con)
        assert (w1 == w0) == (name in SIGN_IN_WRITES), name
        assert (d1 == d0) == (name in BOOKKEEPING_WRITES), name
    before = catalog.versions(tiny_con)
    assert tiny_con.execute("SELECT count(*) FROM batch").fetchone()[0] >= 2  # reads alone move neither
    assert catalog.versions(tiny_con) == before


def test_a_write_of_data_joining_a_bookkeeping_unit_moves_the_data_version(tiny_con):
    from indicators.db import catalog
    before = catalog.data_version(tiny_con)

    def bookkeeping(tx):
        tx.write(lambda inner: inner.execute("UPDATE org_unit SET name = name"))  # data, inside
    tiny_con.write(bookkeeping, data=False)
    assert catalog.data_version(tiny_con) == (before[0] + 1,)
    tiny_con.write(lambda tx: tx.execute("UPDATE user_session SET ended_at = ended_at"), data=False)
    assert catalog.data_version(tiny_con) == (before[0] + 1,)


def test_a_write_of_data_always_takes_the_turn(tiny_con):
    with pytest.raises(ValueError, match="takes the write turn"):
        tiny_con.write(lambda tx: tx.execute("UPDATE org_unit SET name = name"), turn=False)


def test_opening_the_file_while_another_thread_closes_it_tries_again(tmp_path, monkeypatch):
    """DuckDB refuses to open a file while a database of it that nobody holds any more —
    another thread closing it, or garbage in a reference cycle — still has it open
    (``Unique file handle conflict``); the app's sessions open and close the file for every
    page run, so opening collects the garbage and tries again."""
    from indicators.db import backend
    path = tmp_path / "t.duckdb"
    connection.connect(path, create=True).close()
    real, refused = duckdb.connect, []

    def closing_elsewhere(*args, **kwargs):
        if len(refused) < 2:
            refused.append(1)
            raise duckdb.BinderException(f'Binder Error: Unique file handle conflict: Cannot attach "t" - the '
                                         f'database file "{path}" is already attached by database "t"')
        return real(*args, **kwargs)

    collected = []
    monkeypatch.setattr(backend.duckdb, "connect", closing_elsewhere)
    monkeypatch.setattr(backend.gc, "collect", lambda: collected.append(1))
    with connection.connect(path, wait=5) as con:
        assert con.execute("SELECT 1").fetchone() == (1,) and len(refused) == 2
    assert len(collected) == 2  # garbage holding the file's last database is let go each time


def test_a_file_this_process_never_lets_go_is_not_blamed_on_another_process(tmp_path, monkeypatch):
    from indicators.db import backend
    from indicators.errors import DatabaseLocked
    path = tmp_path / "t.duckdb"
    connection.connect(path, create=True).close()

    def never(*args, **kwargs):
        raise duckdb.BinderException(f'Binder Error: Unique file handle conflict: Cannot attach "t" - the '
                                     f'database file "{path}" is already attached by database "t"')

    monkeypatch.setattr(backend.duckdb, "connect", never)
    monkeypatch.setattr(backend.gc, "collect", lambda: None)
    with pytest.raises(DatabaseLocked) as refused:
        connection.connect(path, wait=0.3)
    assert str(refused.value) == (f"数据库 {path} 在本程序内仍未释放（上一次打开它的连接尚未关闭），已等待 0.3 秒。"
                                  "请稍后重试（等待时间由 INDICATORS_LOCK_WAIT 设置）；如反复出现，请重新启动网页应用。")
