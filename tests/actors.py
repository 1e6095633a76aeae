"""Who the tests act as: ``ADMIN`` for setting data up (a 管理员, like the CLI's operator),
and helpers to make real accounts of every role on a database."""

from __future__ import annotations

from indicators.accounts import Actor, users
from indicators.accounts.roles import SYSTEM_LOGIN

ADMIN = Actor(login=SYSTEM_LOGIN, name="测试", role="admin")
PASSWORD = "Test-pass-2026"


def add_user(con, login: str, role: str, *, unit: str | None = None, department: str | None = None,
             at) -> Actor:
    """An account of ``role`` with ``PASSWORD``; returns its Actor."""
    user, _ = users.add_user(con, ADMIN, login, role, name=f"{login} 测试", unit=unit, department=department,
                             password=PASSWORD, at=at)
    return user
