"""Password hashes and rules (accounts.passwords)."""

from __future__ import annotations

import pytest

from indicators.accounts import passwords


def test_hash_is_argon2id_and_verifies():
    h = passwords.hash_password("Qx-pass-2026")
    assert h.startswith("$argon2id$") and "Qx-pass-2026" not in h
    assert passwords.verify(h, "Qx-pass-2026")
    assert not passwords.verify(h, "qx-pass-2026")
    assert passwords.hash_password("Qx-pass-2026") != h  # salted


def test_no_user_and_a_broken_hash_never_verify():
    assert not passwords.verify(None, "anything")
    assert not passwords.verify("not-a-hash", "anything")


def test_an_unknown_login_is_checked_against_a_hash_of_todays_parameters():
    # the stand-in hash costs what a real one costs only while its parameters are the hasher's
    assert passwords._DUMMY.startswith("$argon2id$") and not passwords.needs_rehash(passwords._DUMMY)


@pytest.mark.parametrize("password,login,expected", [
    ("Qx-pass-2026", "qx", []),
    ("short1", "", ["密码至少 8 位"]),
    ("abcdefgh", "", []),  # no composition rules (NIST SP 800-63B)
    ("12345678", "", ["密码过于常见，请换一个"]),
    ("Password", "", ["密码过于常见，请换一个"]),
    ("aaaaaaaaaaaa", "", ["密码过于常见，请换一个"]),
    (" Abcdefg1", "", ["密码首尾不能有空格"]),
    ("zhangsan1", "ZhangSan1", ["密码不能与登录名相同"]),
    ("1234", "", ["密码至少 8 位"]),
])
def test_password_rules(password, login, expected):
    assert passwords.problems(password, login) == expected


def test_generated_passwords_meet_the_rules():
    for _ in range(50):
        pw = passwords.generate()
        assert len(pw) == 12 and passwords.problems(pw) == []
        assert not set(pw) & set("0O1lI")


def test_hashes_are_made_with_owasps_argon2id_parameters():
    assert passwords.hash_password("Qx-pass-2026").startswith("$argon2id$v=19$m=19456,t=2,p=1$")
