"""Short connections to the database, one for each step of a send.

``indicators send`` opens the database (the embedded DuckDB file or PostgreSQL) for each
step — plan, claim, record — and closes it again, so nothing holds it while a message is
on its way, and two ``send due`` processes on the embedded file take turns. Opening and
writing wait a bounded time like every command (``db.connection``: the file lock, the
write turn); for ``send`` that time is ``INDICATORS_DB_WAIT`` seconds (default 60: a timer
can afford to wait for an import), then one clear line.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from indicators.db import backend
from indicators.db.connection import Connection, connect
from indicators.errors import DatabaseLocked


def connect_waiting(target: str | Path, wait_s: float) -> Connection:
    """``connect(target)``, waiting up to ``wait_s`` seconds for a file another process holds
    (and as long for another writer's turn)."""
    try:
        return connect(target, wait=wait_s)
    except DatabaseLocked:
        raise DatabaseLocked(f"数据库 {backend.shown(target)} 被另一个进程占用，等待 {wait_s:g} 秒后仍未释放；"
                             "本次未发送任何消息，下次运行时会再试。") from None


class ShortConnections:
    """A ``Database`` (see ``outbox``) over ``--db``: each ``with db() as con`` opens and closes.
    ``target`` is kept as given: a PostgreSQL URL is not a path."""

    def __init__(self, target: str | Path, wait_s: float):
        self.target, self.wait_s = target, wait_s

    @contextlib.contextmanager
    def __call__(self):
        con = connect_waiting(self.target, self.wait_s)
        try:
            yield con
        finally:
            con.close()
