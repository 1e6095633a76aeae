"""Copying a bureau's whole database to another store — from the embedded DuckDB file
to PostgreSQL when it outgrows one machine (``indicators migrate``), or back.

Driven by the schema, not by a list written here: every table the source's schema has
is copied (setup, batches with their superseded observations, audit, tasks,
explanations, and whatever tables later versions add), in one transaction on the
target, and checked row for row by count afterwards. The target must be new or empty;
both databases are brought to the current schema version first, so their tables agree.
Generated ids go on where the source stopped (``schema.SEQUENCES``).

A migration is a write like any other: it is done by an ``Actor`` who may ``migrate``
(管理员; the CLI's ``--as`` user is looked up in the source, where the accounts are), and
it leaves one audit row on the target, written in the same transaction as the copy —
who, when, from where, how many rows of each table — after the copied history's own
audit rows, which arrive unchanged. The source is only read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from indicators.accounts import permissions
from indicators.accounts.roles import Actor
from indicators.db import backend, schema
from indicators.db.audit import audit
from indicators.db.connection import Connection, connect
from indicators.errors import RejectedInput
from indicators.settings import DEFAULT_LOCK_WAIT

SOURCE = "_source"  # the alias the source is attached under on the target's connection


@dataclass(frozen=True)
class Copied:
    """What a copy moved: rows per table (bookkeeping tables left out)."""

    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def copy_database(source: str | Path, target: str | Path, *, actor: Actor, at: dt.datetime,
                  wait: float = DEFAULT_LOCK_WAIT) -> Copied:
    """Copy every table of ``source`` into the empty database ``target`` (created when
    it is a new DuckDB file), by ``actor`` at ``at`` (``indicators.clock.now``). Raises
    ``PermissionDenied`` or ``RejectedInput`` with one line, writing nothing, when the
    actor may not migrate, the target has data or the two schemas differ."""
    permissions.require(actor, "migrate")
    if str(source) == str(target):
        raise RejectedInput("源数据库和目标数据库是同一个，未复制。")
    with connect(source, read_only=True, wait=wait) as src:  # migrates an older source first
        tables = _copied_tables(src)
        counts = {t: _count(src, t) for t in tables}
    with connect(target, create=True, wait=wait) as dst:
        _check_target(dst, tables, target)
        prefix = dst.attach_read_only(source, SOURCE)
        try:
            copied = dst.write(lambda tx: _copy_all(tx, prefix, tables, source, actor, at))
        finally:
            dst.execute(f"DETACH {SOURCE}")
    if copied != counts:  # pragma: no cover - the transaction makes this impossible
        raise RuntimeError(f"copy incomplete: {counts} vs {copied}")
    return Copied(copied)


def audit_detail(source: str | Path, copied: dict[str, int]) -> str:
    """The migration's audit line: where from, and the rows of each table (the biggest first)."""
    tables = sorted(copied.items(), key=lambda kv: (-kv[1], kv[0]))
    return (f"从 {backend.shown(source)} 迁入：{len(copied)} 张表，共 {sum(copied.values()):,} 行（"
            + "、".join(f"{t} {n:,}" for t, n in tables) + "）")


def _copied_tables(con: Connection) -> list[str]:
    return [t for t in schema.tables(con) if t not in schema.BOOKKEEPING]


def _check_target(dst: Connection, tables: list[str], target) -> None:
    have = _copied_tables(dst)
    if have != tables:
        missing, extra = sorted(set(tables) - set(have)), sorted(set(have) - set(tables))
        raise RejectedInput(f"目标数据库 {backend.shown(target)} 的表与源数据库不一致"
                            f"（缺少：{'、'.join(missing) or '无'}；多出：{'、'.join(extra) or '无'}），未复制。")
    filled = [t for t in have if _count(dst, t)]
    if filled:
        raise RejectedInput(f"目标数据库 {backend.shown(target)} 已有数据（{'、'.join(filled)}），未复制。"
                            "请换一个新的空数据库。")


def _copy_all(dst: Connection, prefix: str, tables: list[str], source, actor: Actor,
              at: dt.datetime) -> dict[str, int]:
    """The copy, its counts, then its own audit row (so the counts are the source's)."""
    for table in tables:
        cols = ", ".join(f'"{c}"' for c in _columns(dst, table))
        dst.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {prefix}.{table}")
    for sequence, (table, column) in schema.SEQUENCES.items():
        top = dst.execute(f'SELECT max("{column}") FROM {table}').fetchone()[0]
        if top:
            dst.advance_sequence(sequence, int(top))
    copied = {t: _count(dst, t) for t in tables}
    audit(dst, actor, "migrate", audit_detail(source, copied), at=at)
    return copied


def _columns(con: Connection, table: str) -> list[str]:
    return [r[0] for r in con.execute(
        """SELECT column_name FROM information_schema.columns
           WHERE table_name = ? AND table_catalog = current_database() AND table_schema = current_schema()
           ORDER BY ordinal_position""", [table]).fetchall()]


def _count(con: Connection, table: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
