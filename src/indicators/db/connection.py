"""The connection object every module is handed: opening, cursors, transactions,
DataFrame registration — and the one place database errors become Chinese lines.

    con = connect("data/indicators.duckdb", read_only=True)
    with con.cursor() as cur: ...            # a cursor for another thread, closed at the end
    with con.transaction(): ...              # all or nothing; a nested one joins the outermost
    with con.registered("_keys", frame): ... # a DataFrame visible to SQL as _keys
    batch = con.write(lambda tx: ...)        # one write unit, run again on a write conflict
    con.write(lambda tx: ..., data=False)    # … that changes only bookkeeping (sessions, ledger)

``execute`` delegates to DuckDB, so ``con.execute(sql, params).df()`` / ``.fetchone()``
/ ``.fetchnumpy()`` work as on a DuckDB connection.

Why one object: transactions have to nest (one ``indicators import`` of several files is
one all-or-nothing unit, while each batch written is a unit of its own when written
alone), and every way a database can refuse — missing, locked by the running web app,
not a database at all, made by newer code, a concurrent write — must reach the user as
one line (``indicators.errors``), never a traceback.

The target is a DuckDB file (or ``":memory:"``) or a PostgreSQL URL
(``postgresql://USER@HOST:PORT/DB``) attached through DuckDB's postgres extension: the
SQL keeps running in DuckDB either way, and the few places the two differ (opening,
generated ids, some DDL, what a conflict looks like) are ``indicators.db.backend``.

Write units are serialized: each one first takes the write turn (one row of
``write_turn``), so two writers never interleave — the later one, in another process or
replica or another session of the app, meets the conflict at its first statement,
and ``write`` runs it again from a fresh snapshot after a short, jittered pause, for up
to ``wait`` seconds (``INDICATORS_LOCK_WAIT``). That is what keeps "the current value of
each key" single even when two returns for the same district land at once.

The turn is also the database's version: row 1 moves with every write unit, row 2 (the
data turn) only with those that change what results are computed from. A unit that
writes only bookkeeping no result reads — a sign-out, the delivery ledger — says
``data=False``, so the app's caches (keyed by the data turn, ``catalog``) survive it.

One kind of unit takes no turn at all (``turn=False``): a sign-in's. It only adds rows of
its own — a session keyed by a fresh random id, an audit line (the log has no key) —
and at most clears its own account's failure count; so nothing another unit writes can
interleave with it into a wrong state (a second writer of the same row still meets the
conflict, and the unit runs again), and no answer anyone has cached changes: a session
check (``sessions.lookup``, cached by row 1) reads the failure count of nobody and the
new session's id was never looked up before. So a crowd signing in at nine o'clock never
queues behind an import, nor behind each other, for the one turn.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import duckdb
import pandas as pd

from indicators.db import backend as backends
from indicators.errors import DatabaseInvalid, WriteConflict
from indicators.settings import DEFAULT_LOCK_WAIT

if TYPE_CHECKING:
    import pyarrow as pa

T = TypeVar("T")
MEMORY = ":memory:"
MIN_ATTEMPTS = 3  # a whole write unit is tried at least this often when another writer got there first
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# INSERT … VALUES (?, ?, …) [ON CONFLICT …]: the one row of placeholders is group 2
_INSERT_VALUES = re.compile(r"^(\s*INSERT\s+INTO\s[^;]*?\bVALUES\s*)(\((?:\s*\?\s*,)*\s*\?\s*\))([^;?]*)$",
                            re.IGNORECASE | re.DOTALL)
_ROWS_PER_INSERT = 1000


class Connection:
    """A DuckDB connection (or one of its cursors) with nesting transactions.

    Each cursor has its own transaction state, as DuckDB gives each cursor its own; a
    cursor is what another thread (a Streamlit session) uses.
    """

    def __init__(self, raw: duckdb.DuckDBPyConnection, target: str, *, read_only: bool = False,
                 store: backends.Embedded | None = None, wait: float = DEFAULT_LOCK_WAIT):
        self._raw = raw
        self.target = target
        self.read_only = read_only
        self.store = store or backends.for_target(target)  # what differs between DuckDB and PostgreSQL
        self.wait = wait  # seconds a write waits for another writer before giving up
        self._depth = 0  # open transaction() blocks on this cursor
        self._doomed = False  # an inner block failed: the outermost one must roll back
        self._has_turn = False  # this transaction holds the write turn
        self._in_unit = False  # this transaction is a write unit (with the turn, or one that needs none)
        self._data_turned = False  # … and has moved the data turn

    @property
    def kind(self) -> str:
        """``"duckdb"`` or ``"postgres"``."""
        return self.store.kind

    # ------------------------------------------------------------ statements

    def execute(self, sql: str, params: list | tuple | dict | None = None) -> duckdb.DuckDBPyConnection:
        """Run one statement; the result is DuckDB's (``.df()``, ``.fetchone()``, ...)."""
        return self._guarded(self._raw.execute, sql, *([] if params is None else [params]))

    def executemany(self, sql: str, rows: list) -> duckdb.DuckDBPyConnection:
        """One statement for each parameter row in ``rows``. An ``INSERT … VALUES (?, …)``
        runs as one statement with a row of values per parameter row (chunks of
        ``_ROWS_PER_INSERT``): DuckDB's executemany runs the statement row by row, a few
        milliseconds each."""
        one = _INSERT_VALUES.match(sql)
        if one is None or not rows:
            return self._guarded(self._raw.executemany, sql, rows)
        head, values, tail = one.groups()
        result = None
        for start in range(0, len(rows), _ROWS_PER_INSERT):
            chunk = rows[start:start + _ROWS_PER_INSERT]
            result = self._guarded(self._raw.execute, head + ", ".join([values] * len(chunk)) + tail,
                                   [v for row in chunk for v in row])
        return result

    def _guarded(self, run, *args):
        try:
            return run(*args)
        except duckdb.Error as exc:
            self._doomed = self._depth > 0  # DuckDB has aborted the open transaction
            if self.store.is_conflict(exc):
                raise WriteConflict(_CONFLICT_MESSAGE) from exc
            raise

    def next_id(self, sequence: str) -> int:
        """The next value of ``sequence`` (e.g. ``batch_id_seq``): unique across every
        process writing to the database. Used instead of ``INSERT … RETURNING``, which
        DuckDB cannot run on PostgreSQL."""
        return self._guarded(self.store.next_id, self._raw, sequence)

    def advance_sequence(self, sequence: str, past: int) -> None:
        """Make a fresh ``sequence`` hand out ids above ``past`` (a copied database)."""
        self._guarded(self.store.advance_sequence, self._raw, sequence, past)

    def attach_read_only(self, other: str | Path, alias: str) -> str:
        """Database ``other`` readable in this connection's SQL, read-only, as ``alias``;
        returns the prefix of its tables (``alias.main`` / ``alias.public``)."""
        if not _IDENTIFIER.match(alias):
            raise ValueError(f"not an SQL identifier: {alias!r}")
        return self._guarded(backends.for_target(str(other)).attach_read_only, self._raw, alias)

    def migration_statement(self, stmt: str) -> None:
        """One statement of a schema migration (``db.schema``), run where it can run."""
        self._guarded(self.store.migration_statement, self._raw, stmt)

    @contextmanager
    def registered(self, name: str, frame: pd.DataFrame | pa.Table) -> Iterator[str]:
        """``frame`` (or an Arrow table, as it is) readable in SQL as the table ``name``
        inside the block (names are fixed identifiers in the code, never user input)."""
        if not _IDENTIFIER.match(name):
            raise ValueError(f"not an SQL identifier: {name!r}")
        if isinstance(frame, pd.DataFrame):
            # a text column with no values (an empty reading) would register as INTEGER and
            # fail a join against a text column once PostgreSQL's rows are scanned
            # (the first cell answers for almost every column: a full isna of 100k texts is ≈ 30 ms)
            blank = [c for c in frame.columns if frame[c].dtype == object
                     and (frame.empty or pd.isna(frame[c].iat[0])) and frame[c].isna().all()]
            frame = frame.astype(dict.fromkeys(blank, "str")) if blank else frame
        self._raw.register(name, frame)
        try:
            yield name
        finally:
            self._raw.unregister(name)

    # ------------------------------------------------------------ transactions

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    @property
    def in_write_unit(self) -> bool:
        """Inside ``write``: the statements now sent are part of a write unit."""
        return self._in_unit

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """All statements in the block commit together or not at all. Inside another
        ``transaction()`` on the same cursor the block joins it: a failure anywhere rolls
        back the whole outermost unit."""
        if self._depth:
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._doomed = True
                raise
            finally:
                self._depth -= 1
            return
        self._raw.execute("BEGIN TRANSACTION")
        self._depth, self._doomed, self._has_turn, self._data_turned, self._in_unit = 1, False, False, False, False
        try:
            yield self
        except BaseException:
            self._rollback()
            raise
        else:
            if self._doomed:  # an inner failure was caught and ignored: do not commit half
                self._rollback()
                raise RuntimeError("a nested transaction failed; the whole transaction was rolled back")
            self._commit()
        finally:
            self._depth, self._doomed, self._has_turn, self._data_turned, self._in_unit = 0, False, False, False, False

    def write(self, work: Callable[[Connection], T], *, attempts: int | None = None,
              data: bool = True, turn: bool = True) -> T:
        """``work(con)`` as one transaction that holds the write turn. When another writer
        holds it or committed first, the whole unit runs again after a short pause —
        for up to ``self.wait`` seconds (at least ``MIN_ATTEMPTS`` tries), or exactly
        ``attempts`` tries when given — then ``WriteConflict``, with nothing written.
        Inside an open transaction it joins it (taking the turn if the transaction has
        not yet): only the outermost unit can be retried. ``data=False``: the unit
        writes only bookkeeping that no computed result reads (sessions, sign-in lines,
        the delivery ledger) and leaves the data turn where it is. ``turn=False``: a
        sign-in's unit, which only adds rows of its own and clears its own account's
        failures (see the module's notes): it neither waits for the turn nor moves it,
        and is run again on a conflict like any other."""
        if data and not turn:
            raise ValueError("a write unit of data takes the write turn")
        if self._depth:
            with self.transaction():
                self._begin_unit(self.wait, data, turn)
                return work(self)
        deadline = time.monotonic() + self.wait
        attempt = 0
        while True:
            attempt += 1
            try:
                with self.transaction():
                    self._begin_unit(max(0.05, deadline - time.monotonic()), data, turn)
                    return work(self)
            except WriteConflict:
                if attempts is not None and attempt >= attempts or \
                        attempts is None and attempt >= MIN_ATTEMPTS and time.monotonic() >= deadline:
                    raise WriteConflict(_gave_up(self.wait if attempts is None else None)) from None
            time.sleep(backends.backoff(attempt))

    def _begin_unit(self, wait: float, data: bool, turn: bool) -> None:
        if turn:
            self._take_write_turn(wait, data)
        elif not self._in_unit:  # no turn, but a row another writer holds is waited for a bounded time
            self._guarded(self.store.begin_write, self._raw, wait)
        self._in_unit = True

    def _take_write_turn(self, wait: float, data: bool) -> None:
        if not self._has_turn:
            self._guarded(self.store.begin_write, self._raw, wait)
            self.execute(f"UPDATE write_turn SET turn = turn + 1 WHERE id {'IN (1, 2)' if data else '= 1'}")
            self._has_turn, self._data_turned = True, data
        elif data and not self._data_turned:  # a data unit joining a bookkeeping one
            self.execute("UPDATE write_turn SET turn = turn + 1 WHERE id = 2")
            self._data_turned = True

    def _commit(self) -> None:
        try:
            self._raw.execute("COMMIT")
        except duckdb.Error as exc:
            self._rollback()
            if self.store.is_conflict(exc):
                raise WriteConflict(_CONFLICT_MESSAGE) from exc
            raise

    def _rollback(self) -> None:
        try:
            self._raw.execute("ROLLBACK")
        except duckdb.Error:
            pass  # DuckDB already ended a transaction a failed COMMIT aborted

    # ------------------------------------------------------------ lifetime

    def cursor(self) -> Connection:
        """A new cursor on the same database (use it as ``with con.cursor() as cur``)."""
        raw = self._raw.cursor()
        self.store.on_cursor(raw)
        return Connection(raw, self.target, read_only=self.read_only, store=self.store, wait=self.wait)

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Connection({backends.shown(self.target)!r}{', read_only' if self.read_only else ''})"


# ---------------------------------------------------------------- opening


def connect(target: str | Path, *, create: bool = False, read_only: bool = False,
            wait: float = DEFAULT_LOCK_WAIT) -> Connection:
    """Open the database at ``target`` — a DuckDB file, ``":memory:"`` for a throwaway
    one, or ``postgresql://USER@HOST:PORT/DB`` — and bring its schema up to date.
    ``wait`` bounds, in seconds, how long opening waits for a file another process
    holds, and how long a write waits for another writer (``INDICATORS_LOCK_WAIT``).
    Raises ``DatabaseMissing`` (and ``create`` is false), ``DatabaseLocked``,
    ``DatabaseInvalid``, ``DatabaseUnreachable`` or ``DatabaseTooNew``, each one line.

    A read-only open of a database from older code migrates it first (briefly
    read-write), so ``indicators status`` on last year's file reads the tables this
    code expects instead of failing on a missing one."""
    from indicators.db import schema  # schema needs nothing from here

    target = str(target)
    read_only = read_only and target != MEMORY
    con = _open(target, create=create, read_only=read_only, wait=wait)
    try:
        version = schema.schema_version(con)
        if version == 0 and schema.tables(con):
            what = "DuckDB" if con.kind == "duckdb" else "PostgreSQL"
            raise DatabaseInvalid(f"{backends.shown(target)} 是别的 {what} 数据库（已有别的程序的表），"
                                  "不是指标月调度的数据库。请检查 --db 或 INDICATORS_DB。")
        if read_only and version < schema.SCHEMA_VERSION:
            con.close()
            connect(target, wait=wait).close()
            con = _open(target, create=False, read_only=True, wait=wait)
            version = None  # migrated meanwhile: read again
        schema.migrate(con, current=version)
    except BaseException:
        con.close()
        raise
    return con


def _open(target: str, *, create: bool, read_only: bool, wait: float) -> Connection:
    store = backends.for_target(target)
    raw = store.open(create=create, read_only=read_only, wait=wait)
    return Connection(raw, target, read_only=read_only, store=store, wait=wait)


_CONFLICT_MESSAGE = "数据库正被另一项操作同时修改，本次操作未写入任何数据。请稍后重试。"

def _gave_up(waited: float | None) -> str:
    if waited is None:
        return _CONFLICT_MESSAGE
    return (f"数据库正被其他写入占用，已等待 {waited:g} 秒仍未轮到，本次操作未写入任何数据。"
            "请稍后重试（等待时间由 INDICATORS_LOCK_WAIT 设置）。")


def release(target: str | Path) -> None:
    """Let go of what this process keeps open for ``target`` between connections — on
    PostgreSQL the attached instance and its pooled connections (before dropping the
    database, say); nothing for a DuckDB file."""
    backends.for_target(str(target)).release()
