"""The audit log: one line per import, rollback, setup load and target change."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from indicators.db.connection import Connection


def audit(con: Connection, who: str | None, action: str, detail: str = "", *, at: dt.datetime) -> None:
    """One line of the audit log at ``at`` (``indicators.clock.now``); ``detail`` is
    Chinese, as shown to admins. Written inside the caller's transaction, so the line
    exists exactly when the change does."""
    con.execute("INSERT INTO audit (logged_at, who, action, detail) VALUES (?, ?, ?, ?)",
                [at, who, action, detail])


def audit_log(con: Connection, limit: int = 50) -> pd.DataFrame:
    """The newest ``limit`` lines: logged_at, who, action, detail."""
    return con.execute("SELECT logged_at, who, action, detail FROM audit ORDER BY logged_at DESC LIMIT ?",
                       [int(limit)]).df()
