"""Who is acting: the roles of the bureau and the ``Actor`` every write path takes.

An ``Actor`` is a signed-in user (the web app), a user named by ``--as`` (the CLI), or
the machine's operator (the CLI without ``--as``, acting as 管理员). Audit rows, batches,
target revisions, reviews and unlocks record its ``login`` and ``role`` — never text
typed into a box — and show ``display``.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass

# role code → the name users see (issue 12); the order is the order of menus and lists
ROLE_NAMES: dict[str, str] = {
    "admin": "管理员",
    "office": "综合科",
    "department": "科室",
    "district": "区县填报员",
    "leader": "领导",
}
ROLES = tuple(ROLE_NAMES)

# logins of actors that are not user accounts start with '@' (a user's login cannot)
OPERATOR_LOGIN = "@operator"
SYSTEM_LOGIN = "@system"


@dataclass(frozen=True)
class Actor:
    """The acting user. ``unit`` is set for a district user (区县填报员), ``department``
    for a department user (科室); both are codes. ``unit_name``/``department_name`` are
    for messages only."""

    login: str
    name: str
    role: str
    unit: str | None = None
    department: str | None = None
    unit_name: str | None = None
    department_name: str | None = None

    def __post_init__(self):
        if self.role not in ROLE_NAMES:
            raise ValueError(f"unknown role {self.role!r}")

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[self.role]

    @property
    def scope_name(self) -> str | None:
        """The unit or department the actor is bound to, by name."""
        if self.role == "district":
            return self.unit_name or self.unit
        if self.role == "department":
            return self.department_name or self.department
        return None

    @property
    def display(self) -> str:
        """How audit rows and batch lists name the actor: 张三（区县填报员·东城区）; the
        program itself (``system``) by its name alone."""
        if self.login == SYSTEM_LOGIN:
            return self.name
        scope = self.scope_name
        return f"{self.name}（{self.role_name}{'·' + scope if scope else ''}）"

    @property
    def is_account(self) -> bool:
        """A user account (not the CLI operator or the system)."""
        return not self.login.startswith("@")


def operator() -> Actor:
    """The CLI without ``--as``: the person at the server's console, acting as 管理员."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "?"
    return Actor(login=OPERATOR_LOGIN, name=f"命令行操作员 {who}", role="admin")


def system(name: str) -> Actor:
    """Writes made by the program itself (the demo city's loader), acting as 管理员."""
    return Actor(login=SYSTEM_LOGIN, name=name, role="admin")
