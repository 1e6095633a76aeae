"""Accounts: users and roles, the permission table, password hashes, sign-in with
lockout, and the web session cookie.

    roles.py        Actor (who is acting) and the five roles
    permissions.py  role × action, and the unit / department scope of bound users
    passwords.py    argon2id hashes, generated passwords, password rules
    users.py        the accounts table: add, list, sign in, change/reset, disable
    sessions.py     signed session cookies, their key file, one-time grants
    routes.py       the HTTP routes that set and clear the cookie (Starlette)
"""

from indicators.accounts.roles import ROLE_NAMES, ROLES, Actor, operator, system

__all__ = ["ROLE_NAMES", "ROLES", "Actor", "operator", "system"]
