"""User accounts in the app's own database: add, list, sign in (with lockout), change
and reset passwords, disable.

A row of ``app_user`` holds the login, display name, role, the unit (区县填报员) or
department (科室) the user is bound to, the argon2id hash, a disabled flag and the
failed-attempt counter. 5 failed sign-ins in a row lock the account for 15 minutes
(the 6th try, even with the right password, is refused until then). Every change is
audited with the acting user; no function here accepts a password into a message, an
audit row or an exception.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from indicators.accounts import passwords, permissions
from indicators.accounts.roles import ROLE_NAMES, ROLES, Actor
from indicators.db.audit import audit
from indicators.db.connection import Connection
from indicators.errors import PermissionDenied, RejectedInput, SignInFailed

MAX_FAILED = 5
LOCK_MINUTES = 15
LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,31}$")
USER_COLUMNS = ["login", "name", "role", "org_unit", "department", "disabled", "failed_attempts", "locked_until",
                "must_change_password", "created_at", "created_by", "password_changed_at", "last_sign_in"]
WRONG = "登录名或密码不正确。"


# A sign-in's time is its session's (``user_session.created_at``): a sign-in does not write
# its account's row (``_succeeded``). app_user.last_sign_in holds the time of sign-ins made
# before that; the later of the two is the last.
_LAST_SIGN_IN = ("greatest(u.last_sign_in, (SELECT max(s.created_at) FROM user_session s WHERE s.login = u.login))"
                 " AS last_sign_in")
_SELECT_USER = ", ".join(_LAST_SIGN_IN if c == "last_sign_in" else "u." + c for c in USER_COLUMNS)


def list_users(con: Connection) -> pd.DataFrame:
    """Every account (``USER_COLUMNS`` plus role_name, unit_name, department_name); never the hash."""
    frame = con.execute(f"""
        SELECT {_SELECT_USER}, o.name AS unit_name, d.name AS department_name
        FROM app_user u LEFT JOIN org_unit o ON o.code = u.org_unit LEFT JOIN department d ON d.code = u.department
        ORDER BY u.login""").df()
    frame["role_name"] = frame["role"].map(ROLE_NAMES)
    return frame


def has_users(con: Connection) -> bool:
    return con.execute("SELECT count(*) FROM app_user").fetchone()[0] > 0


def actor_for(con: Connection, login: str) -> Actor:
    """The ``Actor`` of an enabled account (the CLI's ``--as``); refused otherwise."""
    row = find(con, login)
    if row is None:
        raise PermissionDenied(f"没有登录名为「{login}」的用户。用 `indicators user list` 查看。")
    if row["disabled"]:
        raise PermissionDenied(f"用户「{login}」已停用。")
    return actor_from(row)


def find(con: Connection, login: str) -> dict | None:
    # not the last sign-in (list_users): a sign-in and every session check read this row
    cur = con.execute(f"""
        SELECT {', '.join('u.' + c for c in USER_COLUMNS if c != "last_sign_in")}, u.password_hash, o.name AS unit_name,
               d.name AS department_name
        FROM app_user u LEFT JOIN org_unit o ON o.code = u.org_unit LEFT JOIN department d ON d.code = u.department
        WHERE u.login = ?""", [login.strip().lower()])
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cur.description], row))


def actor_from(row: dict) -> Actor:
    return Actor(login=row["login"], name=row["name"], role=row["role"], unit=row["org_unit"],
                 department=row["department"], unit_name=row["unit_name"], department_name=row["department_name"])


# ---------------------------------------------------------------- admin

def add_user(con: Connection, actor: Actor, login: str, role: str, *, name: str | None = None,
             unit: str | None = None, department: str | None = None, password: str | None = None,
             password_hash: str | None = None, at: dt.datetime) -> tuple[Actor, str | None]:
    """Create an account. Without ``password`` one is generated and returned (to be shown
    once; the user is asked to change it). Returns the new user's Actor and that password.
    ``password_hash``: ``passwords.hash_password(password)`` made beforehand, for accounts
    that share one published password (the demo city's: one argon2 hash, not one each)."""
    permissions.require(actor, "user_admin")
    login = login.strip().lower()
    _check_new(con, login, role, unit, department)
    generated = None
    if password is None:
        password = generated = passwords.generate()
    bad = passwords.problems(password, login)
    if bad:
        raise RejectedInput("密码不符合要求：" + "；".join(bad) + "。未创建用户。")
    stored = passwords.hash_password(password) if password_hash is None or generated else password_hash
    def work(tx: Connection) -> Actor:
        tx.execute("""INSERT INTO app_user (login, name, role, org_unit, department, password_hash, disabled,
                           failed_attempts, must_change_password, created_at, created_by, password_changed_at)
                       VALUES (?, ?, ?, ?, ?, ?, false, 0, ?, ?, ?, ?)""",
                    [login, (name or login).strip(), role, unit if role == "district" else None,
                     department if role == "department" else None, stored,
                     generated is not None, at, actor.login, at])
        user = actor_for(tx, login)
        audit(tx, actor, "user_add", f"新建用户 {login}：{user.display}", at=at)
        return user
    user = con.write(work)  # one write unit: run again whole if another writer got there first
    return user, generated


def _check_new(con: Connection, login: str, role: str, unit: str | None,
               department: str | None) -> None:
    if not LOGIN_PATTERN.match(login):
        raise RejectedInput(f"登录名「{login}」无效：应为 2–32 位小写字母、数字或 _ . -，以字母或数字开头。")
    if role not in ROLES:
        raise RejectedInput(f"角色「{role}」无效：应为 {' / '.join(f'{k}（{v}）' for k, v in ROLE_NAMES.items())}。")
    if find(con, login) is not None:
        raise RejectedInput(f"登录名「{login}」已存在。")
    _check_binding(con, role, unit, "unit")
    _check_binding(con, role, department, "department")


# what a user can be bound to: the role that must be (and alone may be), the table that
# holds the codes, how the bureau names the thing, its CLI option; and who that role is
_BINDINGS = {
    "unit": ("district", "org_unit", "单位", "--unit", "区县填报员"),
    "department": ("department", "department", "科室", "--department", "科室用户"),
}


def _check_binding(con: Connection, role: str, code: str | None, binding: str) -> None:
    """A user of ``binding``'s role is bound to one existing code; any other role to none."""
    bound_role, table, what, option, holder = _BINDINGS[binding]
    if role != bound_role:
        if code:
            raise RejectedInput(f"只有{holder}绑定{what}；{ROLE_NAMES[role]}不需要 {option}。")
        return
    if not code:
        raise RejectedInput(f"{holder}须绑定一个{what}（{option} {what}代码）。")
    # the table's name comes from the fixed _BINDINGS, never from the caller
    if con.execute(f"SELECT count(*) FROM {table} WHERE code = ?", [code]).fetchone()[0] == 0:
        raise RejectedInput(f"{what}代码「{code}」不存在。")


def reset_password(con: Connection, actor: Actor, login: str, *, password: str | None = None,
                   at: dt.datetime) -> str | None:
    """An admin sets a user's password (generated when not given, returned to be shown
    once). The user's sessions end and the lockout is cleared."""
    permissions.require(actor, "user_admin")
    user = _existing(con, login)
    generated = None
    if password is None:
        password = generated = passwords.generate()
    bad = passwords.problems(password, user["login"])
    if bad:
        raise RejectedInput("密码不符合要求：" + "；".join(bad) + "。密码未修改。")
    def work(tx: Connection) -> None:
        _set_password(tx, user["login"], password, must_change=actor.login != user["login"], at=at)
        audit(tx, actor, "user_passwd", f"重设用户 {user['login']} 的密码", at=at)
    con.write(work)  # one write unit: run again whole if another writer got there first
    return generated


def change_own_password(con: Connection, actor: Actor, old: str, new: str, *,
                        at: dt.datetime) -> None:
    """A signed-in user changes their own password (the old one is checked)."""
    user = _existing(con, actor.login)
    if not passwords.verify(user["password_hash"], old):
        raise RejectedInput("原密码不正确，密码未修改。")
    bad = passwords.problems(new, user["login"])
    if old == new:
        bad.append("新密码不能与原密码相同")
    if bad:
        raise RejectedInput("新密码不符合要求：" + "；".join(bad) + "。密码未修改。")
    def work(tx: Connection) -> None:
        _set_password(tx, user["login"], new, must_change=False, at=at)
        audit(tx, actor, "user_passwd", "修改本人密码", at=at)
    con.write(work)  # one write unit: run again whole if another writer got there first


def _set_password(con, login: str, password: str, *, must_change: bool, at: dt.datetime) -> None:
    con.execute("""UPDATE app_user SET password_hash = ?, must_change_password = ?, password_changed_at = ?,
                       failed_attempts = 0, locked_until = NULL WHERE login = ?""",
                [passwords.hash_password(password), must_change, at, login])
    con.execute("UPDATE user_session SET ended_at = ? WHERE login = ? AND ended_at IS NULL", [at, login])


def set_disabled(con: Connection, actor: Actor, login: str, disabled: bool = True, *,
                 at: dt.datetime) -> None:
    """Disable (or enable again) an account; a disabled user's sessions end at once."""
    permissions.require(actor, "user_admin")
    user = _existing(con, login)
    if disabled and user["login"] == actor.login:
        raise RejectedInput("不能停用自己正在使用的账户。")
    if disabled and user["role"] == "admin" and _enabled_admins(con) <= 1:
        raise RejectedInput("这是最后一个可用的管理员账户，不能停用。")
    def work(tx: Connection) -> None:
        tx.execute("UPDATE app_user SET disabled = ?, failed_attempts = 0, locked_until = NULL WHERE login = ?",
                    [disabled, user["login"]])
        if disabled:
            tx.execute("UPDATE user_session SET ended_at = ? WHERE login = ? AND ended_at IS NULL",
                        [at, user["login"]])
        audit(tx, actor, "user_disable" if disabled else "user_enable",
              f"{'停用' if disabled else '启用'}用户 {user['login']}", at=at)
    con.write(work)  # one write unit: run again whole if another writer got there first


def _enabled_admins(con) -> int:
    return con.execute("SELECT count(*) FROM app_user WHERE role = 'admin' AND NOT disabled").fetchone()[0]


def _existing(con, login: str) -> dict:
    user = find(con, login)
    if user is None:
        raise RejectedInput(f"没有登录名为「{login}」的用户。")
    return user


# ---------------------------------------------------------------- signing in

def authenticate(con: Connection, login: str, password: str, *, now: dt.datetime) -> Actor:
    """The Actor of ``login`` when ``password`` is right and the account is usable; else
    ``SignInFailed``. Counts failures: the ``MAX_FAILED``-th locks the account for
    ``LOCK_MINUTES`` minutes. An unknown login and a wrong password read the same."""
    user = find(con, login or "")
    if user is None:
        passwords.verify(None, password)  # the same cost as a real check
        raise SignInFailed(WRONG)
    locked = user["locked_until"]
    if locked is not None and locked > now:
        raise SignInFailed(f"账户已因连续 {MAX_FAILED} 次密码错误被锁定，请于 {locked:%H:%M} 后再试，"
                           "或请管理员重设密码。")
    if not passwords.verify(user["password_hash"], password):
        _failed(con, user, now)
    if user["disabled"]:
        raise SignInFailed("该账户已停用，请联系管理员。")
    _succeeded(con, user, password, now)
    return actor_from(user)


def _failed(con, user: dict, now: dt.datetime) -> None:
    expired = user["locked_until"] is not None  # a lock that has run out starts a new count
    count = 1 if expired else int(user["failed_attempts"]) + 1
    lock_until = now + dt.timedelta(minutes=LOCK_MINUTES) if count >= MAX_FAILED else None
    actor = actor_from(user)
    def work(tx: Connection) -> None:
        tx.execute("UPDATE app_user SET failed_attempts = ?, locked_until = ? WHERE login = ?",
                    [0 if lock_until else count, lock_until, user["login"]])
        audit(tx, actor, "signin_failed", f"密码错误（连续第 {count} 次）" + ("，账户锁定 15 分钟" if lock_until else ""),
              at=now)
    con.write(work, data=False)  # one write unit of bookkeeping: run again whole if another writer got there first
    if lock_until is not None:
        raise SignInFailed(f"密码连续 {MAX_FAILED} 次错误，账户已锁定 {LOCK_MINUTES} 分钟（至 {lock_until:%H:%M}）。")
    raise SignInFailed(WRONG + (f"再错 {MAX_FAILED - count} 次账户将被锁定 {LOCK_MINUTES} 分钟。"
                                if MAX_FAILED - count <= 2 else ""))


def _succeeded(con, user: dict, password: str, now: dt.datetime) -> None:
    """The sign-in's audit line, and the account's failures cleared when it has any (or its
    hash upgraded): a unit of its own rows that takes no write turn (``Connection.write``),
    so a crowd signing in does not queue for it — nor for this account's row, which is
    written only when it changes (the sign-in's time is its session's, ``list_users``)."""
    rehash = passwords.hash_password(password) if passwords.needs_rehash(user["password_hash"]) else None
    def work(tx: Connection) -> None:
        if rehash is not None:
            # only while the hash is still the one checked: of a crowd signing in to one account
            # with an old hash, one rewrites it and the others (run again) find nothing to do
            tx.execute("""UPDATE app_user SET failed_attempts = 0, locked_until = NULL, password_hash = ?
                          WHERE login = ? AND password_hash = ?""", [rehash, user["login"], user["password_hash"]])
        else:
            tx.execute("""UPDATE app_user SET failed_attempts = 0, locked_until = NULL
                          WHERE login = ? AND (failed_attempts <> 0 OR locked_until IS NOT NULL)""", [user["login"]])
        audit(tx, actor_from(user), "signin", "登录", at=now)
    con.write(work, data=False, turn=False)  # run again whole if another writer got there first


def must_change_password(con: Connection, login: str) -> bool:
    row = con.execute("SELECT must_change_password FROM app_user WHERE login = ?", [login]).fetchone()
    return bool(row and row[0])


# ---------------------------------------------------------------- first start

def first_admin(con: Connection, actor: Actor, *, at: dt.datetime) -> str | None:
    """On a database without any account, create ``admin`` with a generated password and
    return it (printed once on the console, stored only as a hash). None when accounts
    exist already."""
    if has_users(con):
        return None
    _, password = add_user(con, actor, "admin", "admin", name="管理员", at=at)
    return password
