"""The demo city's accounts — one per role — and how a database knows it is the demo.

``load_demo`` writes the marker ``app_info('demo_city')``; the sign-in page lists these
accounts (with their shared password) only on such a database. A real database never
has them: it gets one ``admin`` with a generated password (``accounts.users.first_admin``).
"""

from __future__ import annotations

import datetime as dt


from indicators.accounts import passwords, users
from indicators.accounts.roles import Actor
from indicators.db.connection import Connection

DEMO_PASSWORD = "Shifan-2026"  # 示范; shown on the demo's sign-in page, never on a real database
MARKER = "demo_city"
# login, role, display name, unit, department
DEMO_ACCOUNTS = [
    ("admin", "admin", "系统管理员", None, None),
    ("zhk", "office", "综合科 周敏", None, None),
    ("gxjs", "department", "高新技术科 刘洋", None, "GXJS"),
    ("dc", "district", "东城区科技局 赵磊", "DC", None),
    ("leader", "leader", "王建国", None, None),
]


def add_demo_accounts(con: Connection, actor: Actor, *, at: dt.datetime, password_hash: str | None = None) -> int:
    """Create the demo accounts and mark the database as the demo city. They share the
    published password, so it is hashed once (argon2 is slow on purpose: ~0.2 s a hash);
    ``password_hash``: that hash made beforehand (``load_demo`` makes it beside the build)."""
    shared = password_hash or passwords.hash_password(DEMO_PASSWORD)
    for login, role, name, unit, department in DEMO_ACCOUNTS:
        users.add_user(con, actor, login, role, name=name, unit=unit, department=department,
                       password=DEMO_PASSWORD, password_hash=shared, at=at)
    con.write(lambda tx: tx.execute(
        "INSERT INTO app_info (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [MARKER, "示例市"]))
    return len(DEMO_ACCOUNTS)


def is_demo(con: Connection) -> bool:
    return con.execute("SELECT count(*) FROM app_info WHERE key = ?", [MARKER]).fetchone()[0] > 0


def demo_accounts(con: Connection) -> list[dict]:
    """For the sign-in page: the demo accounts that still exist and are enabled (an
    admin may have disabled one), with role names; empty on a real database."""
    if not is_demo(con):
        return []
    frame = users.list_users(con)
    logins = [a[0] for a in DEMO_ACCOUNTS]
    frame = frame[frame["login"].isin(logins) & ~frame["disabled"].astype(bool)]
    return [{"login": r.login, "name": r.name, "role_name": r.role_name,
             "scope": r.unit_name if isinstance(r.unit_name, str) else
             (r.department_name if isinstance(r.department_name, str) else "")}
            for r in frame.set_index("login").loc[[x for x in logins if x in set(frame["login"])]]
            .reset_index().itertuples(index=False)]
