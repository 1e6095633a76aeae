"""Accounts: adding, signing in with lockout, changing and resetting passwords, disabling."""

from __future__ import annotations

import datetime as dt

import pytest
from actors import ADMIN, PASSWORD
from testdate import AT

from indicators.accounts import users
from indicators.errors import PermissionDenied, RejectedInput, SignInFailed


def count(con, sql):
    return con.execute(sql).fetchone()[0]


def test_add_binds_district_and_department_users(con):
    user, generated = users.add_user(con, ADMIN, "QX_Zhang", "district", name="青溪 张三", unit="B", at=AT)
    assert (user.login, user.role, user.unit, user.unit_name, user.display) == \
        ("qx_zhang", "district", "B", "乙县", "青溪 张三（区县填报员·乙县）")
    assert generated is not None and len(generated) == 12  # shown once, stored as a hash only
    row = con.execute("SELECT password_hash, must_change_password FROM app_user WHERE login = 'qx_zhang'").fetchone()
    assert row[0].startswith("$argon2id$") and generated not in row[0] and row[1] is True
    dept, none = users.add_user(con, ADMIN, "d2b", "department", department="D2", password="Dept-pass-2026", at=AT)
    assert dept.display == "d2b（科室·成果转化科）" and none is None


@pytest.mark.parametrize("login,role,unit,dept,message", [
    ("x", "leader", None, None, "登录名「x」无效"),
    ("Bad Name", "leader", None, None, "无效"),
    ("adm", "leader", None, None, "已存在"),
    ("newd", "district", None, None, "须绑定一个单位"),
    ("newd", "district", "NOPE", None, "单位代码「NOPE」不存在"),
    ("newk", "department", None, None, "须绑定一个科室"),
    ("newk", "department", None, "DX", "科室代码「DX」不存在"),
    ("newl", "leader", "A", None, "只有区县填报员绑定单位"),
    ("newo", "office", None, "D1", "只有科室用户绑定科室"),
    ("newr", "boss", None, None, "角色「boss」无效"),
])
def test_add_refuses_bad_accounts_and_writes_nothing(con, login, role, unit, dept, message):
    before = count(con, "SELECT count(*) FROM app_user")
    with pytest.raises(RejectedInput, match=message):
        users.add_user(con, ADMIN, login, role, unit=unit, department=dept, password="Good-pass-2026", at=AT)
    assert count(con, "SELECT count(*) FROM app_user") == before


def test_only_an_admin_manages_users(con):
    office = users.actor_for(con, "off")
    before = count(con, "SELECT count(*) FROM app_user")
    with pytest.raises(PermissionDenied, match="无权管理用户"):
        users.add_user(con, office, "new1", "leader", at=AT)
    with pytest.raises(PermissionDenied):
        users.reset_password(con, office, "lead", at=AT)
    with pytest.raises(PermissionDenied):
        users.set_disabled(con, office, "lead", at=AT)
    assert count(con, "SELECT count(*) FROM app_user") == before
    assert count(con, "SELECT count(*) FROM app_user WHERE disabled") == 0


def test_sign_in_right_and_wrong_and_unknown_read_the_same(con):
    assert users.authenticate(con, "dist_a", PASSWORD, now=AT).unit == "A"
    assert users.authenticate(con, " DIST_A ".strip(), PASSWORD, now=AT).login == "dist_a"  # logins are lower case
    with pytest.raises(SignInFailed) as wrong:
        users.authenticate(con, "dist_a", "nope-nope-1", now=AT)
    with pytest.raises(SignInFailed) as unknown:
        users.authenticate(con, "nobody", "nope-nope-1", now=AT)
    assert str(wrong.value) == str(unknown.value) == "登录名或密码不正确。"


def test_a_hash_of_other_parameters_verifies_and_is_rewritten_at_sign_in(con):
    from argon2 import PasswordHasher
    old = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4).hash(PASSWORD)  # the hashes of before
    con.execute("UPDATE app_user SET password_hash = ? WHERE login = 'dist_a'", [old])
    assert users.authenticate(con, "dist_a", PASSWORD, now=AT).login == "dist_a"
    stored = con.execute("SELECT password_hash FROM app_user WHERE login = 'dist_a'").fetchone()[0]
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$") and stored != old
    assert users.authenticate(con, "dist_a", PASSWORD, now=AT).login == "dist_a"  # and the new one verifies


def test_five_failures_lock_for_fifteen_minutes(con):
    for i in range(1, 5):
        with pytest.raises(SignInFailed, match="登录名或密码不正确"):
            users.authenticate(con, "lead", "wrong-pass-1", now=AT + dt.timedelta(seconds=i))
    with pytest.raises(SignInFailed, match="账户已锁定 15 分钟（至 10:15）"):
        users.authenticate(con, "lead", "wrong-pass-1", now=AT + dt.timedelta(seconds=5))
    # locked: even the right password is refused until then
    with pytest.raises(SignInFailed, match="请于 10:15 后再试"):
        users.authenticate(con, "lead", PASSWORD, now=AT + dt.timedelta(minutes=14))
    assert users.authenticate(con, "lead", PASSWORD, now=AT + dt.timedelta(minutes=16)).login == "lead"
    assert con.execute("SELECT failed_attempts, locked_until FROM app_user WHERE login = 'lead'").fetchone() == \
        (0, None)
    audit = con.execute("SELECT detail FROM audit WHERE login = 'lead' AND action = 'signin_failed' "
                        "ORDER BY logged_at").fetchall()
    assert [d for (d,) in audit][-1] == "密码错误（连续第 5 次），账户锁定 15 分钟"


def test_four_failures_then_success_resets_the_count(con):
    for i in range(4):
        with pytest.raises(SignInFailed):
            users.authenticate(con, "off", "wrong-pass-1", now=AT)
    users.authenticate(con, "off", PASSWORD, now=AT)
    with pytest.raises(SignInFailed, match="登录名或密码不正确。$"):  # counting starts again: no warning yet
        users.authenticate(con, "off", "wrong-pass-1", now=AT)


def test_disabled_accounts_cannot_sign_in_and_the_last_admin_stays(con):
    users.set_disabled(con, ADMIN, "lead", at=AT)
    with pytest.raises(SignInFailed, match="已停用"):
        users.authenticate(con, "lead", PASSWORD, now=AT)
    with pytest.raises(PermissionDenied, match="已停用"):
        users.actor_for(con, "lead")  # nor be acted as (--as)
    users.set_disabled(con, ADMIN, "lead", False, at=AT)
    assert users.authenticate(con, "lead", PASSWORD, now=AT).role == "leader"
    adm = users.actor_for(con, "adm")
    with pytest.raises(RejectedInput, match="不能停用自己"):
        users.set_disabled(con, adm, "adm", at=AT)
    with pytest.raises(RejectedInput, match="最后一个可用的管理员"):
        users.set_disabled(con, ADMIN, "adm", at=AT)


def test_change_own_password_checks_the_old_one(con):
    me = users.actor_for(con, "dist_b")
    with pytest.raises(RejectedInput, match="原密码不正确"):
        users.change_own_password(con, me, "wrong-pass-1", "New-pass-2027", at=AT)
    with pytest.raises(RejectedInput, match="至少 8 位"):
        users.change_own_password(con, me, PASSWORD, "short1", at=AT)
    users.change_own_password(con, me, PASSWORD, "New-pass-2027", at=AT)
    with pytest.raises(SignInFailed):
        users.authenticate(con, "dist_b", PASSWORD, now=AT)
    assert users.authenticate(con, "dist_b", "New-pass-2027", now=AT).login == "dist_b"


def test_admin_reset_shows_a_new_password_once(con):
    new = users.reset_password(con, ADMIN, "dep1", at=AT)
    assert new and users.authenticate(con, "dep1", new, now=AT).login == "dep1"
    assert users.must_change_password(con, "dep1")
    given = users.reset_password(con, ADMIN, "dep1", password="Chosen-pass-1", at=AT)
    assert given is None and users.authenticate(con, "dep1", "Chosen-pass-1", now=AT)


def test_first_admin_only_on_a_database_without_accounts(tmp_path):
    from indicators.db import connection
    with connection.connect(tmp_path / "real.duckdb", create=True) as con:
        password = users.first_admin(con, ADMIN, at=AT)
        assert password and users.authenticate(con, "admin", password, now=AT).role == "admin"
        assert users.first_admin(con, ADMIN, at=AT) is None
