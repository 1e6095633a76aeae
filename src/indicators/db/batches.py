"""Batches: writing a return's values, rolling a batch back, and reading the history.

Every upload is a batch; a value for an (indicator, unit, period) that already has a
current one supersedes it (the old row stays, with ``superseded_by`` set), so history
and rollback stay possible.
"""

from __future__ import annotations

import datetime as dt

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pandas as pd

from indicators.accounts.roles import Actor
from indicators.db.audit import audit
from indicators.db.connection import Connection


def write_batch(
    con: Connection,
    values: pd.DataFrame,
    *,
    file_name: str,
    sha256: str | None = None,
    actor: Actor,
    note: str | None = None,
    at: dt.datetime,
    before_commit: Callable[[Connection, int], None] | None = None,
    review: str = "approved",
) -> int:
    """Store a batch of observations, uploaded at ``at`` (the bureau's local time,
    ``indicators.clock.now``), in one transaction and return its id.

    ``values`` has columns ``indicator_code, org_unit, period, value``. Inside the
    caller's ``con.transaction()`` the batch joins it (one import of several files is
    one unit); alone it is a unit of its own. ``before_commit(tx, batch_id)`` runs in
    the same unit; the batch records ``actor``. ``review`` is its starting review state:
    the import pipeline starts a batch 'pending' and approves in ``before_commit`` what
    the uploader may approve (``returns.review``); written directly it is 'approved'.
    """
    frame = values[["indicator_code", "org_unit", "period", "value"]]
    if frame["value"].dtype != "float64":
        frame = frame.assign(value=pd.to_numeric(frame["value"], errors="coerce").astype("float64"))
    def work(tx: Connection) -> int:
        batch_id = _insert_batch(tx, frame, file_name, sha256, actor, note, at, review)
        if before_commit is not None:
            before_commit(tx, batch_id)
        return batch_id

    return con.write(work)


def _insert_batch(con: Connection, frame: pd.DataFrame, file_name: str, sha256: str | None,
                  actor: Actor, note: str | None, at: dt.datetime, review: str) -> int:
    batch_id = con.next_id("batch_id_seq")
    con.execute(
        """INSERT INTO batch (id, file_name, sha256, uploaded_at, uploaded_by, uploader_login, uploader_role, rows,
                              note, review)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [batch_id, file_name, sha256, at, actor.display, actor.login, actor.role, len(frame), note, review],
    )
    with con.registered("_incoming", frame):
        con.execute(
            """UPDATE observation AS o SET superseded_by = ?
               FROM _incoming AS i
               WHERE o.superseded_by IS NULL AND o.indicator_code = i.indicator_code
                 AND o.org_unit = i.org_unit AND o.period = i.period""",
            [batch_id],
        )
        with _one_thread(con):
            con.execute(
                """INSERT INTO observation (indicator_code, org_unit, period, value, batch_id)
                   SELECT indicator_code, org_unit, period, value, ? FROM _incoming""",
                [batch_id],
            )
    audit(con, actor, "import", f"批次 {batch_id}：{file_name}，{len(frame)} 条数值" + (f"（{note}）" if note else ""),
          at=at)
    return int(batch_id)


@contextmanager
def _one_thread(con: Connection) -> Iterator[None]:
    """DuckDB's INSERT of a registered frame on one thread, then the thread count as it was.
    Its parallel insert costs three times the CPU of one thread for a return's 100k rows
    (≈ 90 ms against 30 ms on the import benchmark, same rows stored, same WAL). The
    setting is the database's: a query of another cursor meanwhile runs on one thread too.
    PostgreSQL's rows go through the postgres extension and are left as they are."""
    if con.kind != "duckdb":
        yield
        return
    threads = int(con.execute("SELECT current_setting('threads')").fetchone()[0])
    con.execute("SET threads = 1")
    try:
        yield
    finally:
        try:
            con.execute(f"SET threads = {threads}")
        except Exception:  # the INSERT failed and DuckDB aborted the transaction: set it from outside
            with con.cursor() as cur:
                cur.execute(f"SET threads = {threads}")


def rollback_batch(con: Connection, batch_id: int, *, actor: Actor, at: dt.datetime, action: str = "rollback",
                   detail: str = "", before_commit: Callable[[Connection], None] | None = None) -> int:
    """Undo a batch: its rows stop counting and, for every value it touched, the newest
    value from a batch that is still active counts again (so rolling back batches in
    any order gives the same result). Returns how many values were restored. A review's
    退回 is the same undo (``action="return"``; ``before_commit(tx)`` records the decision
    in the same unit).
    """
    status = con.execute("SELECT status FROM batch WHERE id = ?", [batch_id]).fetchone()
    if status is None:
        raise ValueError(f"批次 {batch_id} 不存在")
    if status[0] == "rolled_back":
        return 0
    def work(tx: Connection) -> int:
        restored = _undo_batch(tx, batch_id, actor, at, action, detail)
        if before_commit is not None:
            before_commit(tx)
        return restored

    return con.write(work)


def _undo_batch(con: Connection, batch_id: int, actor: Actor, at: dt.datetime, action: str, detail: str) -> int:
    con.execute("UPDATE batch SET status = 'rolled_back' WHERE id = ?", [batch_id])
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _winner AS
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
    audit(con, actor, action, f"批次 {batch_id}，恢复 {restored} 个被覆盖的旧值" + (f"；{detail}" if detail else ""),
          at=at)
    return int(restored)


# ---------------------------------------------------------------- reading batches


def batch_list(con: Connection) -> pd.DataFrame:
    """The upload history, newest first. Columns: id, file_name, uploaded_at,
    uploaded_by, uploader_login, rows, status, review, note, periods (e.g.
    '2026-09、2026-10'), units (count), unit_codes (list)."""
    return con.execute("""
        SELECT b.id, b.file_name, b.uploaded_at, b.uploaded_by, b.uploader_login, b.rows, b.status, b.review,
               b.note, string_agg(DISTINCT o.period, '、' ORDER BY o.period) AS periods,
               count(DISTINCT o.org_unit) AS units, list(DISTINCT o.org_unit) AS unit_codes
        FROM batch b LEFT JOIN observation o ON o.batch_id = b.id
        GROUP BY ALL ORDER BY b.id DESC""").df()


def active_batch_with_file(con: Connection, sha256: str) -> dict | None:
    """The newest active batch whose file had exactly these bytes: id, file_name,
    uploaded_at, uploaded_by; None when there is none (or its batch was rolled back)."""
    # fetchall: DuckDB keeps a half-read result open and refuses the next statement
    rows = con.execute("""SELECT id, file_name, uploaded_at, uploaded_by FROM batch
                          WHERE sha256 = ? AND status = 'active' ORDER BY id DESC LIMIT 1""", [sha256]).fetchall()
    return dict(zip(("id", "file_name", "uploaded_at", "uploaded_by"), rows[0])) if rows else None
