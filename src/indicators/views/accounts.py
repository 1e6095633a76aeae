"""Page data for accounts: the demo accounts of the sign-in page, the user list of
用户管理, what a role may do. No streamlit here."""

from __future__ import annotations

import pandas as pd

from indicators.accounts import permissions, users
from indicators.accounts.roles import ROLE_NAMES
from indicators.db import catalog
from indicators.db.connection import Connection
from indicators.demo.accounts import DEMO_PASSWORD, demo_accounts

__all__ = ["DEMO_PASSWORD", "demo_accounts_table", "department_options", "users_table", "role_table"]


def demo_accounts_table(con: Connection) -> pd.DataFrame:
    """登录名, 角色, 姓名, 范围 of the demo accounts; empty on a real database."""
    rows = demo_accounts(con)
    return pd.DataFrame({"登录名": [r["login"] for r in rows], "角色": [r["role_name"] for r in rows],
                         "姓名": [r["name"] for r in rows], "范围": [r["scope"] for r in rows]})


def users_table(con: Connection) -> pd.DataFrame:
    """The accounts for 用户管理: 登录名, 姓名, 角色, 范围, 状态, 最近登录 (plus raw login)."""
    u = users.list_users(con)
    scope = u["unit_name"].where(u["unit_name"].notna(), u["department_name"]).fillna("")
    state = ["已停用" if d else ("已锁定" if pd.notna(lk) else "正常") for d, lk in zip(u["disabled"], u["locked_until"])]
    return pd.DataFrame({"登录名": u["login"], "姓名": u["name"], "角色": u["role_name"], "范围": scope,
                         "状态": state, "最近登录": pd.to_datetime(u["last_sign_in"])})


def role_table() -> pd.DataFrame:
    """角色 × 可做的事 — the permission table as users read it."""
    return pd.DataFrame({"角色": list(ROLE_NAMES.values()),
                         "可做": [permissions.can_do_text(r) for r in ROLE_NAMES]})


def department_options(con: Connection) -> pd.DataFrame:
    """code, name of the departments (to bind a 科室 user)."""
    return catalog.departments(con)
