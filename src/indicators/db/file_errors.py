"""Why a DuckDB file could not be opened, as the one line a user reads (``backend.Embedded``)."""

from __future__ import annotations

from indicators.errors import DatabaseInvalid, DatabaseLocked, DataFileGiven


def data_file(target: str) -> DataFileGiven:
    """DuckDB opens an existing CSV, TSV, JSON or Parquet file (by its name) as an
    in-memory database showing the file as a view — not a database to keep anything in."""
    return DataFileGiven(f"{target} 是数据文件（CSV、JSON 或 Parquet 等），不是指标月调度的数据库文件（DuckDB）。"
                           "请检查 --db 或 INDICATORS_DB；数据文件请用 `indicators import` 导入。")


def _said(exc: Exception, target: str) -> str:
    """DuckDB's message, lower case, without the file's path in it: a folder named
    ``sqlite_backup`` or ``clock`` must not make a lock error read as a SQLite file, nor
    any error as a lock."""
    return str(exc).lower().replace(str(target).lower(), "")


def is_lock(exc: Exception, target: str) -> bool:
    """Whether opening ``target`` failed on a lock another connection holds (worth waiting for)."""
    return any(s in _said(exc, target) for s in ("lock", "unique file handle conflict"))


def opening_error(target: str, exc: Exception, wait: float, *, read_only: bool) -> Exception:
    """The ``IndicatorsError`` for DuckDB's ``exc`` on opening ``target`` (a lock still held
    after ``wait`` seconds, a file that is no database …), or ``exc`` itself when none fits."""
    text, locked = _said(exc, target), is_lock(exc, target)
    if "in-memory database in read-only mode" in text:  # a data file opened to read
        return data_file(target)
    if "sqlite" in text:  # DuckDB would need its sqlite extension to open one
        return DatabaseInvalid(f"{target} 是 SQLite 数据库文件，不是指标月调度的数据库文件（DuckDB）。"
                               "请检查 --db 或 INDICATORS_DB。")
    if "handle conflict" in text:  # this process's own: a database of it not yet let go
        return DatabaseLocked(
            f"数据库 {target} 在本程序内仍未释放（上一次打开它的连接尚未关闭），已等待 {wait:g} 秒。"
            "请稍后重试（等待时间由 INDICATORS_LOCK_WAIT 设置）；如反复出现，请重新启动网页应用。")
    if locked and read_only:  # status / report: they would only have read
        return DatabaseLocked(
            f"数据库 {target} 正忙：另一个进程（如正在写入的网页应用或命令）正在使用它，已等待 {wait:g} 秒仍未释放。"
            "本命令只读取数据、不会写入，但 DuckDB 文件被写入占用时无法同时打开。请稍后重试（等待时间由 "
            "INDICATORS_LOCK_WAIT 设置），或复制一份数据库文件用 --db 指向副本，或改用 PostgreSQL 共享数据库。")
    if locked:
        return DatabaseLocked(
            f"数据库 {target} 正被另一个进程（如正在写入的网页应用或命令）占用，已等待 {wait:g} 秒仍未释放。"
            "请稍后重试（等待时间由 INDICATORS_LOCK_WAIT 设置），或改用 PostgreSQL 共享数据库。")
    if "not a valid duckdb database" in text or "is a directory" in text:
        return DatabaseInvalid(f"{target} 不是指标月调度的数据库文件（DuckDB），或已损坏。请检查 --db 或 INDICATORS_DB。")
    if "permission denied" in text:
        return DatabaseInvalid(f"没有权限打开数据库文件 {target}。请检查文件权限。")
    return exc
