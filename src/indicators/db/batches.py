"""Batches: writing a return's values, rolling a batch back, and reading the history.

Every upload is a batch; a value for an (indicator, unit, period) that already has a
current one supersedes it (the old row stays, with ``superseded_by`` set), so history
and rollback stay possible.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from indicators.db.audit import audit
from indicators.db.connection import Connection


def write_batch(
    con: Connection,
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

    ``values`` has columns ``indicator_code, org_unit, period, value``. Inside the
    caller's ``con.transaction()`` the batch joins it (one import of several files is
    one unit); alone it is a unit of its own.
    """
    frame = values[["indicator_code", "org_unit", "period", "value"]]
    if frame["value"].dtype != "float64":
        frame = frame.assign(value=pd.to_numeric(frame["value"], errors="coerce").astype("float64"))
    return con.write(lambda tx: _insert_batch(tx, frame, file_name, sha256, uploaded_by, note, at))


def _insert_batch(con: Connection, frame: pd.DataFrame, file_name: str, sha256: str | None,
                  uploaded_by: str | None, note: str | None, at: dt.datetime) -> int:
    batch_id = con.execute(
        """INSERT INTO batch (file_name, sha256, uploaded_at, uploaded_by, rows, note)
           VALUES (?, ?, ?, ?, ?, ?) RETURNING id""",
        [file_name, sha256, at, uploaded_by, len(frame), note],
    ).fetchone()[0]
    with con.registered("_incoming", frame):
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
    audit(con, uploaded_by, "import", f"批次 {batch_id}：{file_name}，{len(frame)} 条数值", at=at)
    return int(batch_id)


def rollback_batch(con: Connection, batch_id: int, *, who: str | None = None, at: dt.datetime) -> int:
    """Undo a batch: its rows stop counting and, for every value it touched, the newest
    value from a batch that is still active counts again (so rolling back batches in
    any order gives the same result). Returns how many values were restored.
    """
    status = con.execute("SELECT status FROM batch WHERE id = ?", [batch_id]).fetchone()
    if status is None:
        raise ValueError(f"批次 {batch_id} 不存在")
    if status[0] == "rolled_back":
        return 0
    return con.write(lambda tx: _undo_batch(tx, batch_id, who, at))


def _undo_batch(con: Connection, batch_id: int, who: str | None, at: dt.datetime) -> int:
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
    audit(con, who, "rollback", f"批次 {batch_id}，恢复 {restored} 个被覆盖的旧值", at=at)
    return int(restored)


# ---------------------------------------------------------------- reading batches


def batch_list(con: Connection) -> pd.DataFrame:
    """The upload history, newest first. Columns: id, file_name, uploaded_at,
    uploaded_by, rows, status, note, periods (e.g. '2026-09、2026-10'), units (count)."""
    return con.execute("""
        SELECT b.id, b.file_name, b.uploaded_at, b.uploaded_by, b.rows, b.status, b.note,
               string_agg(DISTINCT o.period, '、' ORDER BY o.period) AS periods,
               count(DISTINCT o.org_unit) AS units
        FROM batch b LEFT JOIN observation o ON o.batch_id = b.id
        GROUP BY ALL ORDER BY b.id DESC""").df()


def active_batch_with_file(con: Connection, sha256: str) -> dict | None:
    """The newest active batch whose file had exactly these bytes: id, file_name,
    uploaded_at, uploaded_by; None when there is none (or its batch was rolled back)."""
    # fetchall: DuckDB keeps a half-read result open and refuses the next statement
    rows = con.execute("""SELECT id, file_name, uploaded_at, uploaded_by FROM batch
                          WHERE sha256 = ? AND status = 'active' ORDER BY id DESC LIMIT 1""", [sha256]).fetchall()
    return dict(zip(("id", "file_name", "uploaded_at", "uploaded_by"), rows[0])) if rows else None
