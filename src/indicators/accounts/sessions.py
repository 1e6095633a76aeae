"""Web sessions: a signed, HttpOnly cookie that keeps a user signed in for a working day.

The cookie holds ``v1.<session id>.<expiry>.<signature>``: a random session id, its
expiry (bureau time, to the minute) and an HMAC-SHA256 over both with a secret that is
generated at first start and kept beside the database (``<db>.session-key``, mode 0600;
``INDICATORS_SESSION_KEY_FILE`` names another place, e.g. one shared by replicas). The
database keeps only a SHA-256 of the id (``user_session``), so a copy of the database
cannot be turned into a cookie, and signing out, a password change or disabling the
account ends the session on the server — a copied cookie stops working too. A cookie
that is tampered with, expired or ended reads as signed out.

The browser cannot be given an HttpOnly cookie over Streamlit's websocket, so signing in
hands the page a one-time *grant* (random, valid for 60 s, held in this process's
memory); the page posts it to ``/session/grant`` (``accounts.routes``), whose response
sets the cookie. The cookie value itself never reaches page JavaScript.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from indicators.accounts.roles import Actor
from indicators.accounts.users import actor_from, find
from indicators.db import backend
from indicators.db.audit import audit
from indicators.db.connection import Connection

COOKIE_NAME = "indicators_session"
GRANT_SECONDS = 60
_STAMP = "%Y%m%d%H%M"


# ---------------------------------------------------------------- the secret

def key_path(db_path: str | Path, configured: Path | None = None) -> Path:
    """Where the signing key lives: ``configured``, else beside the database file — for a
    PostgreSQL database, which has no file, in the working folder's ``data/``, named by
    server and database (replicas on other machines are given one shared file)."""
    if configured is not None:
        return Path(configured)
    if backend.is_postgres(db_path):
        parts = urlsplit(str(db_path))
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{parts.hostname}-{parts.port or 5432}-{parts.path.strip('/')}")
        return Path("data") / f"postgresql-{name}.session-key"
    db = Path(str(db_path))
    return db.with_name(db.name + ".session-key")


def load_key(path: Path) -> bytes:
    """The signing key at ``path``, created (32 random bytes, mode 0600) when missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    os.chmod(path, 0o600)  # a key copied in by hand may have come with wider rights
    key = path.read_text().strip()
    if len(key) < 32:
        raise ValueError(f"会话密钥文件 {path} 内容无效；删除该文件后重启即可重新生成（所有用户需重新登录）。")
    return key.encode()


# ---------------------------------------------------------------- cookie values

def _sign(key: bytes, payload: str) -> str:
    mac = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def cookie_value(key: bytes, session_id: str, expires: dt.datetime) -> str:
    payload = f"v1.{session_id}.{expires.strftime(_STAMP)}"
    return f"{payload}.{_sign(key, payload)}"


def read_cookie(key: bytes, value: str | None, now: dt.datetime) -> str | None:
    """The session id of a well-signed, unexpired cookie; None for anything else."""
    if not value or value.count(".") != 3:
        return None
    version, session_id, stamp, sig = value.split(".")
    if version != "v1" or not hmac.compare_digest(_sign(key, f"v1.{session_id}.{stamp}"), sig):
        return None
    try:
        expires = dt.datetime.strptime(stamp, _STAMP)
    except ValueError:
        return None
    return session_id if expires > now else None


# ---------------------------------------------------------------- sessions in the database

@dataclass(frozen=True)
class Session:
    actor: Actor
    digest: str  # SHA-256 of the session id, the key of user_session
    expires: dt.datetime
    cookie: str | None = None  # only right after start(): what the grant will set


def start(con: Connection, actor: Actor, key: bytes, *, hours: float,
          now: dt.datetime) -> Session:
    """A new session for a user who has just signed in."""
    session_id = secrets.token_urlsafe(32)
    expires = (now + dt.timedelta(hours=hours)).replace(second=0, microsecond=0)
    def work(tx: Connection) -> None:
        tx.execute("INSERT INTO user_session (digest, login, created_at, expires_at) VALUES (?, ?, ?, ?)",
                    [_digest(session_id), actor.login, now, expires])
    # a row of its own, keyed by a fresh random id: no write turn (``Connection.write``), so
    # sign-ins never queue for it; run again whole if another writer got there first
    con.write(work, data=False, turn=False)
    return Session(actor, _digest(session_id), expires, cookie_value(key, session_id, expires))


def resume(con: Connection, key: bytes, cookie: str | None, *, now: dt.datetime) -> Session | None:
    """The session a browser's cookie names, when it is genuine, current and its user
    still enabled; None otherwise (= signed out)."""
    digest = cookie_digest(key, cookie, now)
    return None if digest is None else check(con, digest, now=now)


def cookie_digest(key: bytes, cookie: str | None, now: dt.datetime) -> str | None:
    """The ``user_session`` key of a well-signed, unexpired cookie; None for anything else."""
    session_id = read_cookie(key, cookie, now)
    return None if session_id is None else _digest(session_id)


def check(con: Connection, digest: str, *, now: dt.datetime) -> Session | None:
    """The session ``digest`` if it is still valid (not ended or expired, user enabled)."""
    return current(lookup(con, digest), now=now)


def lookup(con: Connection, digest: str) -> Session | None:
    """The session ``digest`` unless it was ended or its user disabled — expired or not
    (``current`` asks the clock). It changes only by a write that takes the write turn, so
    the app may cache it by the write version (every such unit moves it, ``db.connection``);
    a sign-in's units take none, and change no session but the new one, never looked up
    before."""
    row = con.execute("""SELECT s.login, s.expires_at FROM user_session s JOIN app_user u ON u.login = s.login
                         WHERE s.digest = ? AND s.ended_at IS NULL AND NOT u.disabled""", [digest]).fetchone()
    if row is None:
        return None
    return Session(actor_from(find(con, row[0])), digest, row[1])


def current(session: Session | None, *, now: dt.datetime) -> Session | None:
    """``session`` while it has not expired at ``now``."""
    return session if session is not None and session.expires > now else None


def end(con: Connection, session: Session, *, now: dt.datetime) -> None:
    """Sign out: the session stops working on the server, whatever the browser keeps."""
    def work(tx: Connection) -> None:
        tx.execute("UPDATE user_session SET ended_at = ? WHERE digest = ? AND ended_at IS NULL",
                    [now, session.digest])
        audit(tx, session.actor, "signout", "退出登录", at=now)
    con.write(work, data=False)  # one write unit of bookkeeping: run again whole if another writer got there first


# ---------------------------------------------------------------- one-time grants

_grants: dict[str, tuple[str, int, float]] = {}
_grants_lock = threading.Lock()


def grant(session: Session, *, now: dt.datetime) -> str:
    """A one-time token the page exchanges for the session cookie (``routes``)."""
    token = secrets.token_urlsafe(24)
    max_age = max(60, int((session.expires - now).total_seconds()))
    with _grants_lock:
        deadline = time.monotonic()
        for t in [t for t, (_, _, d) in _grants.items() if d < deadline]:
            del _grants[t]
        _grants[token] = (session.cookie or "", max_age, deadline + GRANT_SECONDS)
    return token


def pending(token: str) -> bool:
    """Has the page not yet exchanged this grant (and may it still)?"""
    with _grants_lock:
        entry = _grants.get(token)
    return entry is not None and entry[2] >= time.monotonic()


def redeem(token: str) -> tuple[str, int] | None:
    """The cookie value and max-age of a grant, once; None when unknown or too old."""
    with _grants_lock:
        entry = _grants.pop(token, None)
    if entry is None or entry[2] < time.monotonic() or not entry[0]:
        return None
    return entry[0], entry[1]
