"""The DuckDB file as the web app's process holds it: one connection per file, shared
by the sessions' script runs at work at once (a cursor each), opened by the first run
that needs the file and closed by the last one still using it — so between runs the
file is free for the CLI (``ui_data``).

One, not one per run: a run that opened the file while another run's close was still
letting go of it met DuckDB's "Unique file handle conflict" (the database being shut
down still held the file) — 16 refusals in 50 sessions of the load benchmark.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from indicators.db import connection
from indicators.db.connection import Connection


class _Held:
    """One file as this process holds it."""

    def __init__(self):
        self.con: Connection | None = None
        self.users = 0  # runs using it now
        self.failed: BaseException | None = None  # why opening it failed
        self.opened = threading.Event()


_FILES: dict[str, _Held] = {}
_FILES_LOCK = threading.Lock()


@contextmanager
def cursor(target: str, wait: float) -> Iterator[Connection]:
    """A cursor of ``target``'s connection for as long as the block runs. The first run
    opens it — waiting up to ``wait`` seconds for another process — while the runs that
    come meanwhile wait for that one opening (and share its refusal), not each in turn;
    a close happens under the lock, so no run opens the file while it is let go."""
    with _FILES_LOCK:
        held = _FILES.get(target)
        opener = held is None
        if opener:
            held = _FILES[target] = _Held()
        held.users += 1
    try:
        if opener:
            try:
                held.con = connection.connect(target, create=True, wait=wait)
            except BaseException as exc:
                held.failed = exc
                raise
            finally:
                held.opened.set()
        else:
            held.opened.wait()
            if held.failed is not None:
                raise copy.copy(held.failed)
        with held.con.cursor() as cur:
            yield cur
    finally:
        with _FILES_LOCK:
            held.users -= 1
            if held.users == 0 and _FILES.get(target) is held:
                del _FILES[target]
                if held.con is not None:
                    held.con.close()
            elif held.failed is not None and _FILES.get(target) is held:
                del _FILES[target]  # the next run tries afresh
