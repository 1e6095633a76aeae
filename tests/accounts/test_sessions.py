"""Session cookies: signed, expiring, ended on the server; the key file; one-time grants."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest
from actors import PASSWORD
from testdate import AT

from indicators.accounts import sessions, users

KEY = b"0123456789abcdef0123456789abcdef"


def started(con, login="dist_a", hours=10.0):
    return sessions.start(con, users.actor_for(con, login), KEY, hours=hours, now=AT)


def test_a_cookie_brings_the_user_back(con):
    s = started(con)
    back = sessions.resume(con, KEY, s.cookie, now=AT + dt.timedelta(hours=9))
    assert back is not None and back.actor.login == "dist_a" and back.actor.unit == "A"
    row = con.execute("SELECT digest FROM user_session").fetchone()[0]
    assert s.cookie.split(".")[1] not in row  # the database keeps only a hash of the id


def _flip(text: str, i: int) -> str:
    return text[:i] + ("A" if text[i] != "A" else "B") + text[i + 1:]


@pytest.mark.parametrize("tamper", [
    lambda c: c[:-1] + ("A" if c[-1] != "A" else "B"),        # signature
    lambda c: _flip(c, 5),                                     # session id
    lambda c: c.replace(c.split(".")[2], "209912312359"),     # expiry pushed out
    lambda c: "v2" + c[2:],                                    # version
    lambda c: c + ".x",                                        # shape
    lambda c: "",
])
def test_a_tampered_cookie_is_signed_out(con, tamper):
    s = started(con)
    assert sessions.resume(con, KEY, tamper(s.cookie), now=AT) is None


def test_another_key_is_signed_out(con):
    s = started(con)
    assert sessions.resume(con, b"another-key-another-key-another-k", s.cookie, now=AT) is None


def test_an_expired_cookie_is_signed_out(con):
    s = started(con, hours=10)
    assert sessions.resume(con, KEY, s.cookie, now=AT + dt.timedelta(hours=10, minutes=1)) is None


def test_signing_out_ends_the_session_on_the_server(con):
    s = started(con)
    sessions.end(con, s, now=AT)
    assert sessions.resume(con, KEY, s.cookie, now=AT) is None  # a copy of the cookie is worth nothing


def test_password_change_and_disabling_end_sessions(con):
    s = started(con)
    users.change_own_password(con, s.actor, PASSWORD, "New-pass-2027", at=AT)
    assert sessions.resume(con, KEY, s.cookie, now=AT) is None
    t = started(con, "dist_b")
    users.set_disabled(con, users.actor_for(con, "adm"), "dist_b", at=AT)
    assert sessions.check(con, t.digest, now=AT) is None


def test_the_key_file_is_made_once_with_mode_0600(tmp_path):
    path = sessions.key_path(tmp_path / "x.duckdb")
    assert path == tmp_path / "x.duckdb.session-key"
    key = sessions.load_key(path)
    assert len(key) == 64 and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    os.chmod(path, 0o644)
    assert sessions.load_key(path) == key and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert sessions.key_path(tmp_path / "x.duckdb", tmp_path / "shared.key") == tmp_path / "shared.key"


def test_a_postgresql_database_keeps_its_key_under_data_named_by_server_and_database():
    """No file to sit beside: one key per server and database, never the password in the name."""
    assert sessions.key_path("postgresql://app:secret@db.example:6543/bureau") == \
        Path("data") / "postgresql-db.example-6543-bureau.session-key"
    assert sessions.key_path("postgresql://app@127.0.0.1/bureau") == Path("data") / "postgresql-127.0.0.1-5432-bureau.session-key"


def test_a_grant_is_redeemed_once_and_runs_out(con, monkeypatch):
    s = started(con)
    token = sessions.grant(s, now=AT)
    assert sessions.pending(token)
    value, max_age = sessions.redeem(token)
    assert value == s.cookie and 9 * 3600 < max_age <= 10 * 3600
    assert sessions.redeem(token) is None and not sessions.pending(token)
    late = sessions.grant(s, now=AT)
    clock = sessions.time.monotonic() + sessions.GRANT_SECONDS + 1
    monkeypatch.setattr(sessions.time, "monotonic", lambda: clock)
    assert not sessions.pending(late) and sessions.redeem(late) is None
