"""Short connections to the database file, waiting a bounded time for its lock.

The embedded DuckDB file is held by one process at a time. ``indicators send`` opens it
for each step (plan, claim, record) and closes it again, so two ``send due`` processes
— two timers, or a timer and a hand-run command — take turns; when the file is busy,
the step waits up to ``INDICATORS_DB_WAIT`` seconds (default 60) before it gives up
with one clear line. (A bounded wait for every command belongs to ``db.connection``
— issue 14; until it has one, this is where ``send`` gets it.)
"""

from __future__ import annotations

import contextlib
import random
import time
from pathlib import Path

from indicators.db.connection import connect
from indicators.errors import DatabaseLocked


def connect_waiting(path: Path, wait_s: float):
    """``connect(path)``, retrying while another process holds the file."""
    give_up = time.monotonic() + wait_s
    pause = 0.05
    while True:
        try:
            return connect(path)
        except DatabaseLocked:
            if time.monotonic() >= give_up:
                raise DatabaseLocked(f"数据库 {path} 被另一个进程占用，等待 {wait_s:g} 秒后仍未释放；"
                                     "本次未发送任何消息，下次运行时会再试。") from None
        time.sleep(pause * random.uniform(0.5, 1.5))  # jitter: two waiters do not retry in lock step
        pause = min(pause * 2, 1.0)


class FileDatabase:
    """A ``Database`` (see ``outbox``) over a file: each ``with db() as con`` opens and closes."""

    def __init__(self, path: Path, wait_s: float):
        self.path, self.wait_s = Path(path), wait_s

    @contextlib.contextmanager
    def __call__(self):
        con = connect_waiting(self.path, self.wait_s)
        try:
            yield con
        finally:
            con.close()
