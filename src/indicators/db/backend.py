"""Where the two stores differ — and nothing else: the embedded DuckDB file (the
default) and PostgreSQL, the shared store, attached through DuckDB's postgres extension.

Everything above this module runs the same DuckDB SQL on both: DuckDB executes every
statement, and on PostgreSQL it reads and writes the attached catalog (``USE pg``), so
DataFrame registration, temp tables, ``QUALIFY``, ``FILTER`` and the views of the schema
work unchanged. What DuckDB cannot do on an attached PostgreSQL — sequences, ``INSERT …
RETURNING``, ``ALTER TABLE … ADD COLUMN … DEFAULT`` — is the short list below, each with
its one replacement: ``next_id`` for generated ids, ``migration_statement`` for DDL that
must run in PostgreSQL itself (the same text is valid there).

Concurrency differs too. A DuckDB file has one writing process (the file lock): another
process waits for it a bounded time (``open``'s ``wait``) and then says so. PostgreSQL
has any number of writers, at REPEATABLE READ (DuckDB's default for an attached
PostgreSQL): a write that meets a concurrent one fails with a serialization error and the
connection runs the whole unit again (``is_conflict``); ``begin_write`` bounds how long it
waits for a row another writer holds.
"""

from __future__ import annotations

import gc
import itertools
import random
import re
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import duckdb

from indicators.db import file_errors
from indicators.db.pg_ddl import native_ddl, needs_native_ddl
from indicators.errors import (
    DatabaseLocked,
    DataFileGiven,
    DatabaseMissing,
    DatabaseUnreachable,
    IndicatorsError,
    RejectedInput,
)

MEMORY = ":memory:"
CATALOG = "pg"  # the name the PostgreSQL database is attached under
_URL = re.compile(r"^postgres(ql)?://", re.IGNORECASE)
_SEQUENCE = re.compile(r"^[a-z_][a-z0-9_]*$")


def is_postgres(target: str | Path) -> bool:
    """``postgresql://USER@HOST:PORT/DB`` (or ``postgres://``) names a PostgreSQL database;
    anything else is a DuckDB file (or ``:memory:``)."""
    return bool(_URL.match(str(target)))


def for_target(target: str | Path) -> Embedded | Postgres:
    return Postgres(str(target)) if is_postgres(target) else Embedded(str(target))


def shown(target: str | Path) -> str:
    """``target`` as messages show it: a PostgreSQL URL without its password."""
    text = str(target)
    if not is_postgres(text):
        return text
    parts = urlsplit(text)
    if parts.password is None:
        return text
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def backoff(attempt: int) -> float:
    """Seconds to sleep before try ``attempt + 1``: 20 ms doubling to 1 s, with jitter so
    that writers who collided do not collide again in step."""
    return min(1.0, 0.02 * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)


class Embedded:
    """A DuckDB database file, or ``:memory:``."""

    kind = "duckdb"
    # the tables (not views) of the database's own schema, by name
    tables_sql = """SELECT table_name FROM information_schema.tables
                    WHERE table_type = 'BASE TABLE' AND table_catalog = current_database()
                      AND table_schema = current_schema() ORDER BY table_name"""

    def __init__(self, target: str):
        self.target = target

    # ------------------------------------------------------------ opening

    def open(self, *, create: bool, read_only: bool, wait: float) -> duckdb.DuckDBPyConnection:
        """Open the file; while another process holds its lock, try again for up to
        ``wait`` seconds, then ``DatabaseLocked`` saying how long it waited."""
        read_only = read_only and self.target != MEMORY
        if self.target != MEMORY:
            path = Path(self.target)
            if not path.exists() and not create:
                raise DatabaseMissing(f"数据库不存在：{path}。请先运行 `indicators init --db {path}`（加 --demo 载入示例市）。")
            if create:
                path.parent.mkdir(parents=True, exist_ok=True)
        deadline, attempt = time.monotonic() + wait, 0
        while True:
            attempt += 1
            try:
                # no extension fetched from the internet to open a file (a SQLite file would ask for one)
                raw = duckdb.connect(self.target, read_only=read_only, config={"autoinstall_known_extensions": False})
            except duckdb.Error as exc:
                if not file_errors.is_lock(exc, self.target) or time.monotonic() >= deadline:
                    raise self._opening_error(exc, wait, read_only) from None
                if "handle conflict" in str(exc):  # held by this process: a database of it nobody holds any more
                    gc.collect()  # (being closed by another thread, or garbage in a cycle: the app opens the file per run)
            else:
                return self._file_backed(raw)
            time.sleep(min(0.5, backoff(attempt) * 5, max(0.0, deadline - time.monotonic())))

    def _file_backed(self, raw: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
        """``raw`` when it holds the file itself. DuckDB opens an existing CSV, TSV, JSON or
        Parquet file (by its name) as an in-memory database showing the file as a view:
        ``init`` would then report a database created, and an import would write into
        memory and be lost at exit."""
        if self.target == MEMORY:
            return raw
        path = raw.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
        if path is not None and path[0] is not None:
            return raw
        raw.close()
        raise file_errors.data_file(self.target)

    def _opening_error(self, exc: duckdb.Error, wait: float, read_only: bool = False) -> Exception:
        return file_errors.opening_error(self.target, exc, wait, read_only=read_only)

    def on_cursor(self, raw: duckdb.DuckDBPyConnection) -> None:
        """Prepare a new cursor (nothing to do for a file)."""

    def release(self) -> None:
        """Let go of what this process keeps open for the database (nothing for a file:
        each ``connect`` opens it, the last ``close`` releases it)."""

    def stamp(self) -> tuple | None:
        """The file's and its WAL's (mtime, size): changes with every committed write, so a
        page can tell that nothing changed without opening the file. None for ``:memory:``."""
        if self.target == MEMORY:
            return None
        out = []
        for p in (Path(self.target), Path(self.target + ".wal")):
            try:
                st = p.stat()
                out += [st.st_mtime_ns, st.st_size]
            except FileNotFoundError:
                out += [0, 0]
        return tuple(out)

    # ------------------------------------------------------------ what SQL differs

    def next_id(self, raw: duckdb.DuckDBPyConnection, sequence: str) -> int:
        return int(raw.execute(f"SELECT nextval('{_sequence(sequence)}')").fetchone()[0])

    def advance_sequence(self, raw: duckdb.DuckDBPyConnection, sequence: str, past: int) -> None:
        """Make a fresh ``sequence`` hand out ids above ``past`` (a copied database goes on
        numbering where its source stopped). DuckDB has no setval: draw ``past`` values."""
        raw.execute(f"SELECT count(nextval('{_sequence(sequence)}')) FROM range(?)", [int(past)]).fetchall()

    def attach_read_only(self, raw: duckdb.DuckDBPyConnection, alias: str) -> str:
        """Attach this database to ``raw`` as ``alias``, read-only (the source of a copy);
        returns the qualified prefix of its tables."""
        raw.execute(f"ATTACH '{_literal(self.target)}' AS {alias} (READ_ONLY)")
        return f"{alias}.main"

    def migration_statement(self, raw: duckdb.DuckDBPyConnection, stmt: str) -> None:
        raw.execute(stmt)

    def begin_write(self, raw: duckdb.DuckDBPyConnection, wait: float) -> None:
        """Called first in a write unit: DuckDB reports a conflicting writer at once."""

    def is_conflict(self, exc: duckdb.Error) -> bool:
        """A write that lost to a concurrent one (DuckDB's optimistic concurrency)."""
        return isinstance(exc, duckdb.TransactionException) and "conflict" in str(exc).lower()

    def wipe(self) -> None:
        """Delete the database file (``indicators init --force``) — but never one another
        process has open (the running app would go on writing into a deleted file).
        Opening it for writing is the test: DuckDB refuses while anyone holds it."""
        path = Path(self.target)
        if self.target == MEMORY or not path.exists():
            return
        if path.is_dir():
            raise RejectedInput(f"{path} 是一个文件夹，不是数据库文件，未删除。请检查 --db。")
        try:
            self.open(create=False, read_only=False, wait=0).close()
        except DatabaseLocked:
            raise RejectedInput(f"数据库 {path} 正被另一个进程（如正在运行的网页应用）使用，未删除也未重建。"
                                "请先关闭该进程，再运行 indicators init --force。") from None
        except DataFileGiven as exc:  # someone's returns, not a database gone bad: kept
            raise RejectedInput(f"{exc}（--force 不删除数据文件。）") from None
        except IndicatorsError:
            pass  # not a database (or damaged): --force may replace it
        path.unlink()
        Path(self.target + ".wal").unlink(missing_ok=True)


class Postgres(Embedded):
    """A PostgreSQL database, attached to this process's in-memory DuckDB (the host) and
    made each cursor's default catalog, so unqualified table names are PostgreSQL's.

    The host is made once per process: loading the extension costs ≈ 0.7 s (DuckDB
    checks its signature), attaching a database a few milliseconds. Each database stays
    attached, with its pool of PostgreSQL connections, until ``release``; a connection
    is a cursor on the host."""

    kind = "postgres"

    def __init__(self, target: str):
        super().__init__(target)
        self.alias = CATALOG  # set by open: the name this database is attached under

    @property
    def tables_sql(self) -> str:
        # DuckDB lists PostgreSQL's views as tables: ask PostgreSQL
        return (f"SELECT * FROM postgres_query('{self.alias}', 'SELECT table_name::varchar FROM "
                "information_schema.tables WHERE table_schema = current_schema() "
                "AND table_type = ''BASE TABLE'' ORDER BY 1')")

    def open(self, *, create: bool, read_only: bool, wait: float) -> duckdb.DuckDBPyConnection:
        key = (self.target, read_only)
        with _HOST_LOCK:
            host = _host()
            if key not in _ATTACHED:
                _ATTACHED[key] = self._attach(host, read_only, next(_ALIASES), wait)
            self.alias = _ATTACHED[key]
            raw = host.cursor()
        try:
            self.on_cursor(raw)
        except duckdb.Error as exc:
            raw.close()
            raise self._opening_error(exc, wait) from None
        return raw

    def _attach(self, host: duckdb.DuckDBPyConnection, read_only: bool, n: int, wait: float) -> str:
        alias = CATALOG if n == 0 else f"{CATALOG}_{n}"
        mode = ", READ_ONLY" if read_only else ""
        try:
            host.execute(f"ATTACH '{_literal(self.target)}' AS {alias} (TYPE postgres{mode})")
        except duckdb.Error as exc:
            raise self._opening_error(exc, wait) from None
        return alias

    def release(self) -> None:
        """Detach the database from the host (its pooled connections end); cursors still
        open on it stop working."""
        with _HOST_LOCK:
            for key in [k for k in _ATTACHED if k[0] == self.target]:
                alias = _ATTACHED.pop(key)
                _host().execute(f"DETACH DATABASE IF EXISTS {alias}")

    def _opening_error(self, exc: duckdb.Error, wait: float, read_only: bool = False) -> Exception:
        text, where = str(exc), shown(self.target)
        name = urlsplit(self.target).path.lstrip("/") or "（未指定）"
        if "does not exist" in text and "database" in text:
            return DatabaseMissing(f"PostgreSQL 上没有数据库 {name}（{where}）。请先创建它（createdb {name}），"
                                   "再运行 `indicators init --db …`。")
        if "password authentication failed" in text or "no password supplied" in text:
            return DatabaseUnreachable(f"PostgreSQL 拒绝了登录（{where}）：用户名或密码不对。"
                                       "密码可写在 ~/.pgpass 或环境变量 PGPASSWORD 中。")
        line = _first_line(text)
        return DatabaseUnreachable(f"无法连接 PostgreSQL 数据库 {where}：{line}。请检查服务器是否在运行，以及 INDICATORS_DB 或 --db。")

    def on_cursor(self, raw: duckdb.DuckDBPyConnection) -> None:
        raw.execute(f"USE {self.alias}")  # USE is per cursor in DuckDB

    def stamp(self) -> tuple | None:
        return None  # only the database knows: ask it (catalog.data_version)

    def next_id(self, raw: duckdb.DuckDBPyConnection, sequence: str) -> int:
        # DuckDB has no sequences on PostgreSQL; nextval runs in PostgreSQL, in the open
        # transaction's connection, and is unique across every process and replica
        sql = f"SELECT nextval('{_sequence(sequence)}')".replace("'", "''")
        return int(raw.execute(f"SELECT * FROM postgres_query('{self.alias}', '{sql}')").fetchone()[0])

    def advance_sequence(self, raw: duckdb.DuckDBPyConnection, sequence: str, past: int) -> None:
        self._native(raw, f"SELECT setval('{_sequence(sequence)}', {int(past)})")

    def attach_read_only(self, raw: duckdb.DuckDBPyConnection, alias: str) -> str:
        _load_extension(raw)
        raw.execute(f"ATTACH '{_literal(self.target)}' AS {alias} (TYPE postgres, READ_ONLY)")
        return f"{alias}.public"

    def migration_statement(self, raw: duckdb.DuckDBPyConnection, stmt: str) -> None:
        if not needs_native_ddl(stmt):
            raw.execute(stmt)
            return
        self._native(raw, native_ddl(stmt))
        raw.execute("CALL pg_clear_cache()")  # DuckDB's view of the catalog learns the new object

    def begin_write(self, raw: duckdb.DuckDBPyConnection, wait: float) -> None:
        """Wait at most ``wait`` seconds for a row another writer holds (then the unit
        fails as a conflict and is retried or reported, never hangs)."""
        self._native(raw, f"SET LOCAL lock_timeout = {max(1, int(wait * 1000))}")

    def is_conflict(self, exc: duckdb.Error) -> bool:
        text = str(exc).lower()
        return super().is_conflict(exc) or any(s in text for s in (
            "could not serialize access", "deadlock detected", "lock timeout"))

    def wipe(self) -> None:
        """Drop the schema's tables, views and sequences (``indicators init --force``): the
        PostgreSQL database belongs to 指标月调度 alone."""
        raw = self.open(create=False, read_only=False, wait=0)
        try:
            self._native(raw, _DROP_EVERYTHING)
        finally:
            raw.close()
            self.release()  # DuckDB's cached view of the catalog is stale now

    def _native(self, raw: duckdb.DuckDBPyConnection, sql: str) -> None:
        """``sql`` run by PostgreSQL itself, in the cursor's open transaction if any."""
        raw.execute(f"CALL postgres_execute('{self.alias}', ?)", [sql])


_DROP_EVERYTHING = (
    "DO $$ DECLARE r record; BEGIN "
    "FOR r IN SELECT table_name, table_type FROM information_schema.tables "
    "WHERE table_schema = current_schema() LOOP "
    "EXECUTE format(CASE WHEN r.table_type = 'VIEW' THEN 'DROP VIEW IF EXISTS %I CASCADE' "
    "ELSE 'DROP TABLE IF EXISTS %I CASCADE' END, r.table_name); END LOOP; "
    "FOR r IN SELECT sequence_name FROM information_schema.sequences "
    "WHERE sequence_schema = current_schema() LOOP "
    "EXECUTE format('DROP SEQUENCE IF EXISTS %I CASCADE', r.sequence_name); END LOOP; END $$")
_HOST: list[duckdb.DuckDBPyConnection] = []  # the process's DuckDB for PostgreSQL databases
_ATTACHED: dict[tuple[str, bool], str] = {}  # (URL, read-only) → alias on the host
_HOST_LOCK = threading.Lock()
_ALIASES = itertools.count()  # pg, pg_1, pg_2 …


def _host() -> duckdb.DuckDBPyConnection:
    if not _HOST:
        host = duckdb.connect(MEMORY)
        try:
            _load_extension(host)
        except duckdb.Error:
            host.close()
            raise
        _HOST.append(host)
    return _HOST[0]


# ---------------------------------------------------------------- helpers

def _load_extension(raw: duckdb.DuckDBPyConnection) -> None:
    """The postgres extension ships as a wheel (``duckdb-extension-postgres``); INSTALL
    from the internet is never needed. Installed once into DuckDB's extension folder."""
    try:
        raw.execute("LOAD postgres")
        return
    except duckdb.Error:
        pass
    try:
        from duckdb_extensions import import_extension
    except ImportError:  # pragma: no cover - the locks install it
        raise DatabaseUnreachable("缺少 DuckDB 的 postgres 扩展（duckdb-extension-postgres），"
                                  "无法连接 PostgreSQL。请用 python3 dev.py 重新安装依赖。") from None
    import_extension("postgres", con=raw)
    raw.execute("LOAD postgres")


def _literal(text: str) -> str:
    """``text`` inside an SQL string literal (ATTACH takes no bound parameters)."""
    return text.replace("'", "''")


def _sequence(name: str) -> str:
    if not _SEQUENCE.match(name):
        raise ValueError(f"not a sequence name: {name!r}")
    return name


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = line.strip()
        if line and not line.lower().startswith(("io error", "invalid input error")):
            return line.removeprefix("ERROR:").strip()
    return text.strip().splitlines()[0] if text.strip() else "未知错误"
