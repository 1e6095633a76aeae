"""Opening the DuckDB file, migrating it forward, and the writes every path shares.

One process owns the file for writing (DuckDB locks it); a second one gets a clear
``DatabaseLocked`` at once instead of a hang or a traceback.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from indicators.db.schema import MIGRATIONS, SCHEMA_VERSION
from indicators.errors import DatabaseLocked, DatabaseMissing, DatabaseTooNew


def connect(path: str | Path, *, create: bool = False, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and migrate) the database at ``path``; ``":memory:"`` for a throwaway one."""
    path_s = str(path)
    if path_s != ":memory:":
        p = Path(path_s)
        if not p.exists() and not create:
            raise DatabaseMissing(f"数据库不存在：{p}。请先运行 `indicators init --db {p}`（加 --demo 载入示例市）。")
        if create:
            p.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(path_s, read_only=read_only and path_s != ":memory:")
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseLocked(
                f"数据库 {path_s} 正被另一个进程（如正在运行的网页应用）占用，无法写入。"
                "请关闭该进程后重试，或使用另一个数据库文件。"
            ) from None
        raise
    try:
        migrate(con, read_only=read_only)
    except Exception:
        con.close()
        raise
    return con


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    has = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()[0]
    if not has:
        return 0
    row = con.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(con: duckdb.DuckDBPyConnection, *, read_only: bool = False) -> int:
    """Bring the schema up to ``SCHEMA_VERSION``; refuse a database from newer code."""
    current = schema_version(con)
    if current > SCHEMA_VERSION:
        raise DatabaseTooNew(
            f"数据库结构版本为 {current}，高于本程序支持的 {SCHEMA_VERSION}。请升级程序后再打开。"
        )
    if current == SCHEMA_VERSION or read_only:
        return current
    con.execute("BEGIN")
    try:
        if current == 0:
            con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER, applied_at TIMESTAMP DEFAULT current_timestamp)")
        for version in range(current + 1, SCHEMA_VERSION + 1):
            for stmt in MIGRATIONS[version]:
                con.execute(stmt)
            con.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return SCHEMA_VERSION


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN … COMMIT, or ROLLBACK when the block raises."""
    con.execute("BEGIN")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def audit(con: duckdb.DuckDBPyConnection, who: str | None, action: str, detail: str = "", *,
          at: dt.datetime) -> None:
    """One line of the audit log at ``at`` (``indicators.clock.now``); ``detail`` is
    Chinese, as shown to admins."""
    con.execute("INSERT INTO audit (logged_at, who, action, detail) VALUES (?, ?, ?, ?)",
                [at, who, action, detail])


def write_batch(
    con: duckdb.DuckDBPyConnection,
    values: pd.DataFrame,
    *,
    file_name: str,
    sha256: str | None = None,
    uploaded_by: str | None = None,
    note: str | None = None,
    at: dt.datetime,
) -> int:
    """Store a batch of observations, uploaded at ``at`` (the bureau's local time,
    ``indicators.clock.now``), in one transaction and return its id.

    ``values`` has columns ``indicator_code, org_unit, period, value``. A value for a
    (indicator, unit, period) that already has a current one supersedes it: the old
    row is kept with ``superseded_by`` set, so history and rollback stay possible.
    The caller opens no transaction; this function owns one.
    """
    frame = values[["indicator_code", "org_unit", "period", "value"]]
    if frame["value"].dtype != "float64":
        frame = frame.assign(value=pd.to_numeric(frame["value"], errors="coerce").astype("float64"))
    con.execute("BEGIN")
    try:
        batch_id = con.execute(
            """INSERT INTO batch (file_name, sha256, uploaded_at, uploaded_by, rows, note)
               VALUES (?, ?, ?, ?, ?, ?) RETURNING id""",
            [file_name, sha256, at, uploaded_by, len(frame), note],
        ).fetchone()[0]
        con.register("_incoming", frame)
        con.execute(
            """UPDATE observation AS o SET superseded_by = ?
               FROM _incoming AS i
               WHERE o.superseded_by IS NULL AND o.indicator_code = i.indicator_code
                 AND o.org_unit = i.org_unit AND o.period = i.period""",
            [batch_id],
        )
        con.execute(
            """INSERT INTO observation (indicator_code, org_unit, period, value, batch_id)
               SELECT indicator_code, org_unit, period, value, ? FROM _incoming""",
            [batch_id],
        )
        con.unregister("_incoming")
        audit(con, uploaded_by, "import", f"批次 {batch_id}：{file_name}，{len(frame)} 条数值", at=at)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return int(batch_id)


def rollback_batch(con: duckdb.DuckDBPyConnection, batch_id: int, *, who: str | None = None,
                   at: dt.datetime) -> int:
    """Undo a batch: its rows stop counting and, for every value it touched, the newest
    value from a batch that is still active counts again (so rolling back batches in
    any order gives the same result). Returns how many values were restored.
    """
    status = con.execute("SELECT status FROM batch WHERE id = ?", [batch_id]).fetchone()
    if status is None:
        raise ValueError(f"批次 {batch_id} 不存在")
    if status[0] == "rolled_back":
        return 0
    con.execute("BEGIN")
    try:
        con.execute("UPDATE batch SET status = 'rolled_back' WHERE id = ?", [batch_id])
        con.execute(
            """CREATE TEMP TABLE _winner AS
               SELECT o.indicator_code, o.org_unit, o.period,
                      max(o.batch_id) FILTER (WHERE b.status = 'active') AS winner
               FROM observation o JOIN batch b ON b.id = o.batch_id
               WHERE (o.indicator_code, o.org_unit, o.period) IN (
                   SELECT indicator_code, org_unit, period FROM observation WHERE batch_id = ?)
               GROUP BY ALL""",
            [batch_id],
        )
        # rows of rolled-back batches point at their own batch: kept, never current
        con.execute(
            """UPDATE observation AS o SET superseded_by = CASE
                   WHEN o.batch_id = w.winner THEN NULL
                   WHEN b.status = 'rolled_back' THEN o.batch_id
                   ELSE w.winner END
               FROM _winner w, batch b
               WHERE b.id = o.batch_id AND o.indicator_code = w.indicator_code
                 AND o.org_unit = w.org_unit AND o.period = w.period"""
        )
        restored = con.execute("SELECT count(winner) FROM _winner").fetchone()[0]
        con.execute("DROP TABLE _winner")
        audit(con, who, "rollback", f"批次 {batch_id}，恢复 {restored} 个被覆盖的旧值", at=at)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return int(restored)
