"""What every ``indicators`` command group shares: exit codes, the database argument
and opening it, the period, who is acting.

``main`` reads the settings once (``indicators.settings.load``) and hands them to every
command as ``args.settings``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from indicators import clock
from indicators.accounts.roles import Actor, operator
from indicators.rules import due, periods
from indicators.settings import database

if TYPE_CHECKING:
    from indicators.db.connection import Connection

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


def period_arg(text: str) -> str:
    """argparse type for a month, as ``YYYY-MM``: also written as a return's period cell
    is read (2026年10月, 2026.10, 2026/10, 2026年第三季度 → 2026-09); anything else is a
    usage error, exit 2."""
    try:
        periods.parse(text)
        return text
    except ValueError as exc:
        from indicators.returns.excel.periods import parse_period
        read = parse_period(text.strip())
        if read is None:
            raise argparse.ArgumentTypeError(str(exc)) from None
        return read


def database_arg(text: str) -> Path | str:
    """argparse type for ``--db``: a DuckDB file or ``postgresql://…`` (exit 2 if bad)."""
    try:
        return database(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_db_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", type=database_arg, default=None,
                   help="数据库：DuckDB 文件或 postgresql://用户@主机:端口/库名（默认 data/indicators.duckdb 或 $INDICATORS_DB）")


def db_path(args) -> Path | str:
    return args.db or args.settings.db_path


def open_db(args, *, read_only: bool = False, create: bool = False) -> Connection:
    """The database of ``--db`` (or the setting), for ``with open_db(args) as con:``;
    a file another process holds, or another writer, is waited for ``INDICATORS_LOCK_WAIT``
    seconds."""
    from indicators.db import connection  # not needed for --help
    return connection.connect(db_path(args), read_only=read_only, create=create, wait=args.settings.lock_wait)


def add_period_arg(p: argparse.ArgumentParser, what: str = "数据截至月份") -> None:
    """``--period YYYY-MM``, by default the latest due month (``as_of``)."""
    p.add_argument("--period", type=period_arg, default=None,
                   help=f"{what} YYYY-MM（默认为最近一个已过报送截止日的月份）")


def as_of(args) -> str:
    """``--period``, or the newest month whose return deadline has passed today."""
    s = args.settings
    return args.period or due.latest_due_month(clock.today(s), s.deadline_day)


def add_as_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as", dest="as_login", default=None, metavar="LOGIN",
                   help="以该用户的身份和权限执行（默认：本机操作员，即管理员）")


def acting(args, con) -> Actor:
    """Who the command acts as: the user ``--as LOGIN`` names (their role and scope then
    apply), else the machine's operator, a 管理员. Audit rows record it."""
    if getattr(args, "as_login", None):
        from indicators.accounts.users import actor_for
        return actor_for(con, args.as_login)
    return operator()


def unit_arg(con, text: str | None) -> str | None:
    """The org unit code ``--unit`` names: its code, name or an alias, as a return's unit
    column is read (``returns.excel.matching``); a unit that is not there is refused with
    the nearest names (None stays None: every unit)."""
    if text is None:
        return None
    from indicators.errors import RejectedInput
    from indicators.returns.excel.matching import Catalog
    found = Catalog.from_db(con)
    code = found.unit_code(text)
    if code is not None:
        return code
    near = found.org.suggest(text)
    raise RejectedInput(f"单位「{text}」不存在" + (f"，是否指：{'、'.join(near)}？" if near else "。")
                        + "--unit 可写单位代码、名称或别名。")
