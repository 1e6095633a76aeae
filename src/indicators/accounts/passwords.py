"""Password hashes (argon2id) and the rules a new password must meet.

Only the hash is ever stored; the clear text exists in memory while a request is being
checked and is never logged, audited or put into an exception message. The hash is
argon2id (argon2-cffi) with OWASP's recommended parameters (Password Storage Cheat
Sheet: m=19 MiB, t=2, p=1): ≈ 40 ms of one core per check here — what makes a stolen
database expensive to attack, and what keeps fifty leaders signing in at nine o'clock
from queueing. argon2-cffi's default (RFC 9106's second set, m=64 MiB, t=3, p=4) took
≈ 240 ms of two cores per check on this 2-core server: fifty sign-ins at once were
twelve seconds of both cores, and every click behind them waited (bench/bench_load.py).
The parameters are stored inside each hash, so hashes made with other ones still
verify and are rewritten with these at the account's next sign-in (``users``).
"""

from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)  # argon2id, OWASP's parameters
MIN_LENGTH = 8
# generated passwords avoid look-alikes (0/O, 1/l/I) so they can be read out on the phone
_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
# a valid hash of a random text nobody kept (made once with HASHER's parameters, which a
# test holds it to): checked against when the login does not exist, so an unknown login
# costs the same time as a wrong password. A constant, not hashed at import: every process
# that imports this module — each command, the demo's first start — would pay an argon2 hash.
_DUMMY = "$argon2id$v=19$m=19456,t=2,p=1$3UTfE567gwecYJYbtCIMvQ$+UlJFtT+LTDyVQzMqhk7EBd3B4ZYINU+aYQf1xcU3dM"


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored_hash`` (None: no such user — still hashes)."""
    try:
        return HASHER.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return HASHER.check_needs_rehash(stored_hash)


def generate(length: int = 12) -> str:
    """A random password with upper and lower letters and digits."""
    while True:
        pw = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if any(c.islower() for c in pw) and any(c.isupper() for c in pw) and any(c.isdigit() for c in pw):
            return pw


# the most used passwords of leaked lists (and their like); a password among them is refused
COMMON = frozenset({
    "12345678", "123456789", "1234567890", "87654321", "11111111", "00000000", "88888888", "66666666",
    "password", "password1", "passw0rd", "iloveyou", "qwertyui", "qwerty123", "1qaz2wsx", "abc12345",
    "abcd1234", "a1234567", "aa123456", "admin123", "admin888", "woaini1314", "1q2w3e4r", "123123123",
    "zxcvbnm1", "11223344", "asdfghjk", "changeme", "welcome1", "letmein1"})


def problems(password: str, login: str = "") -> list[str]:
    """Why ``password`` is not acceptable (empty when it is). NIST SP 800-63B's rules:
    long enough, not a commonly used one, not the login — and no composition rules
    (they make passwords harder to remember, not to guess). Messages never echo it."""
    out = []
    if len(password) < MIN_LENGTH:
        out.append(f"密码至少 {MIN_LENGTH} 位")
    if password.strip() != password:
        out.append("密码首尾不能有空格")
    if password.lower() in COMMON or len(set(password)) <= 2:
        out.append("密码过于常见，请换一个")
    if login and password.lower() == login.lower():
        out.append("密码不能与登录名相同")
    return out
