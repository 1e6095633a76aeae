"""The audit log: one line per write — import, rollback, review, setup load, target
change, unlock, user change, sign-in — with the acting user's login and role."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from indicators.accounts.roles import Actor
from indicators.db.connection import Connection


def audit(con: Connection, actor: Actor, action: str, detail: str = "", *, at: dt.datetime) -> None:
    """One line of the audit log at ``at`` (``indicators.clock.now``): the acting user's
    login and role (``indicators.accounts.Actor`` — never text typed into a box), how
    they are shown, and ``detail`` in Chinese, as shown to admins. Written inside the
    caller's transaction, so the line exists exactly when the change does."""
    audit_all(con, [(actor, action, detail)], at=at)


def audit_all(con: Connection, lines: list[tuple[Actor, str, str]], *, at: dt.datetime) -> None:
    """Several lines of the audit log at ``at``, each (actor, action, detail) as ``audit``
    writes one, in one statement."""
    if lines:
        con.executemany("INSERT INTO audit (logged_at, who, login, role, action, detail) VALUES (?, ?, ?, ?, ?, ?)",
                        [[at, actor.display, actor.login, actor.role, action, detail]
                         for actor, action, detail in lines])


def audit_log(con: Connection, limit: int = 50) -> pd.DataFrame:
    """The newest ``limit`` lines: logged_at, who, login, role, action, detail. Lines logged
    at the same moment (a demo's or a migration's batch of them) come in one fixed order —
    by action, login and detail — so every store shows the same lines (PostgreSQL keeps no
    insertion order, and the table has no id)."""
    return con.execute("SELECT logged_at, who, login, role, action, detail FROM audit "
                       "ORDER BY logged_at DESC, action, login, detail LIMIT ?", [int(limit)]).df()
