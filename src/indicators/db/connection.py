"""The connection object every module is handed: opening, cursors, transactions,
DataFrame registration — and the one place database errors become Chinese lines.

    con = connect("data/indicators.duckdb", read_only=True)
    with con.cursor() as cur: ...            # a cursor for another thread, closed at the end
    with con.transaction(): ...              # all or nothing; a nested one joins the outermost
    with con.registered("_keys", frame): ... # a DataFrame visible to SQL as _keys
    batch = con.write(lambda tx: ...)        # one write unit, run again on a write conflict

``execute`` delegates to DuckDB, so ``con.execute(sql, params).df()`` / ``.fetchone()``
/ ``.fetchnumpy()`` work as on a DuckDB connection.

Why one object: transactions have to nest (one ``indicators import`` of several files is
one all-or-nothing unit, while each batch written is a unit of its own when written
alone), and every way a database can refuse — missing, locked by the running web app,
not a database at all, made by newer code, a concurrent write — must reach the user as
one line (``indicators.errors``), never a traceback.

The target is a path (or ``":memory:"``) today. A later backend opens the same object
over PostgreSQL attached through DuckDB's postgres extension (``connect(url)``): the SQL
keeps running in DuckDB, ``_open`` grows a branch, ``_is_conflict`` learns the
serialization-failure message, and ``write`` is where the bounded retry of a whole unit
already lives.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import duckdb
import pandas as pd

from indicators.errors import (
    DatabaseInvalid,
    DatabaseLocked,
    DatabaseMissing,
    WriteConflict,
)

T = TypeVar("T")
MEMORY = ":memory:"
WRITE_ATTEMPTS = 3  # a whole write unit is tried this often when another writer got there first
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Connection:
    """A DuckDB connection (or one of its cursors) with nesting transactions.

    Each cursor has its own transaction state, as DuckDB gives each cursor its own; a
    cursor is what another thread (a Streamlit session) uses.
    """

    def __init__(self, raw: duckdb.DuckDBPyConnection, target: str, *, read_only: bool = False):
        self._raw = raw
        self.target = target
        self.read_only = read_only
        self._depth = 0  # open transaction() blocks on this cursor
        self._doomed = False  # an inner block failed: the outermost one must roll back

    # ------------------------------------------------------------ statements

    def execute(self, sql: str, params: list | tuple | dict | None = None) -> duckdb.DuckDBPyConnection:
        """Run one statement; the result is DuckDB's (``.df()``, ``.fetchone()``, ...)."""
        return self._guarded(self._raw.execute, sql, *([] if params is None else [params]))

    def executemany(self, sql: str, rows: list) -> duckdb.DuckDBPyConnection:
        """One statement for each parameter row in ``rows``."""
        return self._guarded(self._raw.executemany, sql, rows)

    def _guarded(self, run, *args):
        try:
            return run(*args)
        except duckdb.Error as exc:
            self._doomed = self._depth > 0  # DuckDB has aborted the open transaction
            if _is_conflict(exc):
                raise WriteConflict(_CONFLICT_MESSAGE) from exc
            raise

    @contextmanager
    def registered(self, name: str, frame: pd.DataFrame) -> Iterator[str]:
        """``frame`` readable in SQL as the table ``name`` inside the block (names are
        fixed identifiers in the code, never user input)."""
        if not _IDENTIFIER.match(name):
            raise ValueError(f"not an SQL identifier: {name!r}")
        self._raw.register(name, frame)
        try:
            yield name
        finally:
            self._raw.unregister(name)

    # ------------------------------------------------------------ transactions

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

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
        self._depth, self._doomed = 1, False
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
            self._depth, self._doomed = 0, False

    def write(self, work: Callable[[Connection], T], *, attempts: int = WRITE_ATTEMPTS) -> T:
        """``work(con)`` as one transaction. When a concurrent writer changed the same rows
        first, the whole unit runs again, up to ``attempts`` times, then ``WriteConflict``.
        Inside an open transaction it joins it: only the outermost unit can be retried."""
        if self._depth:
            with self.transaction():
                return work(self)
        for attempt in range(1, attempts + 1):
            try:
                with self.transaction():
                    return work(self)
            except WriteConflict:
                if attempt == attempts:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _commit(self) -> None:
        try:
            self._raw.execute("COMMIT")
        except duckdb.Error as exc:
            self._rollback()
            if _is_conflict(exc):
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
        return Connection(self._raw.cursor(), self.target, read_only=self.read_only)

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Connection({self.target!r}{', read_only' if self.read_only else ''})"


# ---------------------------------------------------------------- opening


def connect(target: str | Path, *, create: bool = False, read_only: bool = False) -> Connection:
    """Open the database at ``target`` and bring its schema up to date (``":memory:"``
    for a throwaway one). Raises ``DatabaseMissing`` (and ``create`` is false),
    ``DatabaseLocked``, ``DatabaseInvalid`` or ``DatabaseTooNew``, each one line.

    A read-only open of a database from older code migrates it first (briefly
    read-write), so ``indicators status`` on last year's file reads the tables this
    code expects instead of failing on a missing one."""
    from indicators.db import schema  # schema needs nothing from here

    target = str(target)
    read_only = read_only and target != MEMORY
    con = _open(target, create=create, read_only=read_only)
    try:
        version = schema.schema_version(con)
        if version == 0 and con.execute("SELECT count(*) FROM information_schema.tables").fetchone()[0]:
            raise DatabaseInvalid(f"{target} 是别的 DuckDB 数据库，不是指标月调度的数据库。请检查 --db 或 INDICATORS_DB。")
        if read_only and version < schema.SCHEMA_VERSION:
            con.close()
            connect(target).close()
            con = _open(target, create=False, read_only=True)
        schema.migrate(con)
    except BaseException:
        con.close()
        raise
    return con


def _open(target: str, *, create: bool, read_only: bool) -> Connection:
    if target != MEMORY:
        path = Path(target)
        if not path.exists() and not create:
            raise DatabaseMissing(f"数据库不存在：{path}。请先运行 `indicators init --db {path}`（加 --demo 载入示例市）。")
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
    try:
        raw = duckdb.connect(target, read_only=read_only and target != MEMORY)
    except duckdb.Error as exc:
        raise _opening_error(exc, target, read_only) from None
    return Connection(raw, target, read_only=read_only)


def _opening_error(exc: duckdb.Error, target: str, read_only: bool = False) -> Exception:
    """What went wrong opening ``target``, as the user should read it."""
    text = str(exc).lower()
    if "lock" in text and read_only:  # status / report: they would only have read
        return DatabaseLocked(
            f"数据库 {target} 正忙：另一个进程（如正在运行的网页应用）正在使用它。本命令只读取数据、不会写入，"
            "但 DuckDB 文件被占用时无法同时打开。请稍后重试，或先关闭网页应用；也可以复制一份数据库文件，用 --db 指向副本。")
    if "lock" in text:
        return DatabaseLocked(
            f"数据库 {target} 正被另一个进程（如正在运行的网页应用）占用，无法写入。"
            "请关闭该进程后重试，或使用另一个数据库文件。")
    if "not a valid duckdb database" in text or "is a directory" in text:
        return DatabaseInvalid(f"{target} 不是指标月调度的数据库文件（DuckDB），或已损坏。请检查 --db 或 INDICATORS_DB。")
    if "permission denied" in text:
        return DatabaseInvalid(f"没有权限打开数据库文件 {target}。请检查文件权限。")
    return exc


_CONFLICT_MESSAGE = "数据库正被另一项操作同时修改，本次操作未写入任何数据。请稍后重试。"

# What a single statement meets when another connection wrote the same key in the same
# instant (DuckDB's optimistic concurrency: a conflict, or a duplicate key it could not see
# yet). For a caller whose statement is a claim that may simply lose (delivery.ledger.claim);
# named here so that duckdb's names stay in this module.
LOST_RACE: tuple[type[Exception], ...] = (WriteConflict, duckdb.TransactionException, duckdb.ConstraintException)


def _is_conflict(exc: duckdb.Error) -> bool:
    """A write that lost to a concurrent one (DuckDB's optimistic concurrency)."""
    return isinstance(exc, duckdb.TransactionException) and "conflict" in str(exc).lower()
