"""The delivery table: every message claimed under its unique key before it is sent.

A key is ``kind|period|channel|recipient|slot`` (slot: the day of a reminder, ``''`` for
the one pack of a month, a time for a test or a resend). ``claim`` inserts the row with
``INSERT … ON CONFLICT DO NOTHING`` and looks at how many rows went in: only the one
process whose insert landed sends. A failed row is claimed again by a compare-and-set
``UPDATE … WHERE status = 'failed' AND next_attempt_at <= now``, so of two processes
retrying at once exactly one wins.

Every write here is a write unit of ``Connection.write``, like every other write of the
product: it takes the write turn, so two claims of one key never interleave, and one that
met another writer runs again from a fresh snapshot, within ``INDICATORS_LOCK_WAIT``. The
statements alone would not be enough on PostgreSQL: DuckDB runs ``ON CONFLICT`` and
``UPDATE`` on an attached PostgreSQL as a read followed by a write, so two processes
claiming the same key at once met a duplicate-key error instead of "not inserted"
(issue 14, session 5). Each unit commits before the message goes out — the claim is
durable first, and nothing holds the database while a message is on its way. The ledger
is bookkeeping no computed result reads (``data=False``): a send does not make the app
compute its dispatch tables again.

Statuses: ``sending`` (claimed; a row left so by a crashed process stays visible as
发送中断 and is not resent automatically — it may have arrived), ``sent``, ``failed``
(retried with backoff up to ``send_max_attempts``), ``cancelled`` (no longer needed,
e.g. the unit reported before the retry).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import socket
from dataclasses import dataclass

import pandas as pd

from indicators.db.connection import Connection

STATUS_LABELS = {"sending": "发送中", "sent": "已发送", "failed": "失败待重试", "cancelled": "已取消"}
KIND_LABELS = {"reminder": "催报", "pack": "月调度材料", "test": "测试消息"}
STALE_AFTER = dt.timedelta(minutes=30)  # a claim older than this without an outcome: the sender died
LOG_COLUMNS = ["key", "kind", "period", "channel", "recipient", "recipient_name", "slot", "address", "subject",
               "status", "attempts", "parts_sent", "error", "created_at", "claimed_at", "sent_at", "next_attempt_at",
               "updated_at"]


@dataclass(frozen=True)
class Slot:
    """Where one message goes: the columns that make its key, and what to show."""
    kind: str
    period: str
    channel: str
    recipient: str  # a unit code, an address, or "group"
    slot: str = ""
    recipient_name: str = ""
    address: str = ""
    subject: str = ""

    @property
    def key(self) -> str:
        return "|".join((self.kind, self.period, self.channel, self.recipient, self.slot))

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.key.encode("utf-8")).hexdigest()[:24]


def worker() -> str:
    """Who claimed a row: host and process id (shown when a claim was left behind)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _count(cursor) -> int:
    row = cursor.fetchone()
    return int(row[0]) if row else 0


def claim(con: Connection, slot: Slot, now: dt.datetime, max_attempts: int) -> bool:
    """Claim ``slot`` for sending: True when this caller won it (new, or a failed row whose
    retry is due); False when it is sent, being sent, cancelled, or waiting for its retry.
    One write unit, committed when this returns."""
    return con.write(lambda tx: _claim(tx, slot, now, max_attempts), data=False)


def _claim(con: Connection, slot: Slot, now: dt.datetime, max_attempts: int) -> bool:
    inserted = _count(con.execute(
        """INSERT INTO delivery (key, kind, period, channel, recipient, recipient_name, slot, address, subject,
                                 status, attempts, parts_sent, created_at, claimed_at, claimed_by, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'sending', 1, 0, ?, ?, ?, ?)
           ON CONFLICT DO NOTHING""",  # parts_sent given: DuckDB's ON CONFLICT on PostgreSQL sends NULL for its default
        [slot.key, slot.kind, slot.period, slot.channel, slot.recipient, slot.recipient_name, slot.slot,
         slot.address, slot.subject, now, now, worker(), now]))
    if inserted:
        return True
    return _count(con.execute(
        """UPDATE delivery SET status = 'sending', attempts = attempts + 1, claimed_at = ?, claimed_by = ?,
                               address = ?, subject = ?, updated_at = ?
           WHERE key = ? AND status = 'failed' AND attempts < ? AND next_attempt_at <= ?""",
        [now, worker(), slot.address, slot.subject, now, slot.key, int(max_attempts), now])) == 1


def record_progress(con: Connection, key: str, parts_sent: int, now: dt.datetime) -> None:
    """A long webhook message goes in parts: remember how many arrived, so a retry resumes."""
    con.write(lambda tx: tx.execute(
        "UPDATE delivery SET parts_sent = ?, updated_at = ? WHERE key = ? AND status = 'sending'",
        [int(parts_sent), now, key]), data=False)


def record_sent(con: Connection, key: str, now: dt.datetime, note: str | None = None) -> None:
    con.write(lambda tx: tx.execute(
        """UPDATE delivery SET status = 'sent', sent_at = ?, error = ?, next_attempt_at = NULL, updated_at = ?
           WHERE key = ?""", [now, note, now, key]), data=False)


def record_failed(con: Connection, key: str, now: dt.datetime, error: str,
                  retry_minutes: int | None) -> dt.datetime | None:
    """Mark a failure; the next attempt waits ``retry_minutes`` × 2^(attempts − 1)
    (None: never retried by itself, as a test message)."""
    def work(tx: Connection) -> dt.datetime | None:
        attempts = tx.execute("SELECT attempts FROM delivery WHERE key = ?", [key]).fetchone()[0]
        nxt = None
        if retry_minutes is not None:
            nxt = now + dt.timedelta(minutes=retry_minutes * 2 ** min(max(int(attempts) - 1, 0), 16))
        tx.execute("""UPDATE delivery SET status = 'failed', error = ?, next_attempt_at = ?, updated_at = ?
                      WHERE key = ?""", [error, nxt, now, key])
        return nxt
    return con.write(work, data=False)


def record_cancelled(con: Connection, key: str, now: dt.datetime, reason: str) -> None:
    con.write(lambda tx: tx.execute(
        """UPDATE delivery SET status = 'cancelled', error = ?, next_attempt_at = NULL, updated_at = ?
           WHERE key = ? AND status = 'failed'""", [reason, now, key]), data=False)


def requeue(con: Connection, key: str, now: dt.datetime) -> bool:
    """Allow a failed, given-up or interrupted message to be sent again on the next run
    (attempts start over). True when the row existed and was not sent."""
    return con.write(lambda tx: _count(tx.execute(
        """UPDATE delivery SET status = 'failed', attempts = 0, next_attempt_at = ?, updated_at = ?,
                               error = coalesce(error, '') || '（已重新排队）'
           WHERE key = ? AND (status IN ('failed', 'cancelled') OR (status = 'sending' AND claimed_at < ?))""",
        [now, now, key, now - STALE_AFTER])) == 1, data=False)


def rows(con: Connection, keys: list[str]) -> dict[str, dict]:
    """The current rows of ``keys`` (for a dry run: what is already sent or waiting)."""
    if not keys:
        return {}
    marks = ", ".join("?" for _ in keys)
    frame = con.execute(f"SELECT * FROM delivery WHERE key IN ({marks})", list(keys)).df()
    return {r["key"]: r for r in frame.to_dict(orient="records")}


def retries_due(con: Connection, now: dt.datetime, max_attempts: int) -> pd.DataFrame:
    """Failed rows whose next attempt is due (``LOG_COLUMNS``), oldest first."""
    return con.execute(f"""SELECT {', '.join(LOG_COLUMNS)} FROM delivery
                           WHERE status = 'failed' AND attempts < ? AND next_attempt_at <= ?
                           ORDER BY created_at, key""", [int(max_attempts), now]).df()


def log(con: Connection, limit: int = 200, period: str | None = None) -> pd.DataFrame:
    """The newest ``limit`` rows (``LOG_COLUMNS``), optionally of one period."""
    where, params = ("WHERE period = ?", [period]) if period else ("", [])
    return con.execute(f"SELECT {', '.join(LOG_COLUMNS)} FROM delivery {where} "
                       "ORDER BY updated_at DESC, key LIMIT ?", params + [int(limit)]).df()


def status_text(row: dict, now: dt.datetime, max_attempts: int) -> str:
    """The status as 综合科 reads it: 已发送, 失败待重试（第 n 次，下次 11-06 09:40）, 已放弃, 发送中断."""
    status = row["status"]
    if status == "sending":
        claimed = pd.Timestamp(row["claimed_at"]).to_pydatetime()
        return "发送中断（结果不明，未自动重发）" if now - claimed > STALE_AFTER else "发送中"
    if status == "failed":
        nxt = row["next_attempt_at"]
        if nxt is None or pd.isna(nxt):
            return "失败（不自动重试）"
        if int(row["attempts"]) >= max_attempts:
            return f"已放弃（失败 {int(row['attempts'])} 次）"
        return f"失败待重试（已试 {int(row['attempts'])} 次，下次 {pd.Timestamp(nxt):%m-%d %H:%M}）"
    return STATUS_LABELS.get(status, status)
