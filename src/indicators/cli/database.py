"""``indicators init`` — create a database, optionally with the demo city."""

from __future__ import annotations

from indicators import clock
from indicators.cli.args import EXIT_OK, add_db_arg, db_path, open_db
from indicators.errors import RejectedInput


def add_parsers(sub) -> None:
    p = sub.add_parser("init", help="创建数据库（--demo 载入示例市）")
    add_db_arg(p)
    p.add_argument("--demo", action="store_true", help="载入示例市数据")
    p.add_argument("--force", action="store_true", help="删除已有数据库后重建")
    p.set_defaults(func=cmd_init)


def cmd_init(args) -> int:
    from indicators.db import backend, catalog
    path = db_path(args)
    if args.force:  # the file (never one another process holds), or on PostgreSQL the schema's tables
        backend.for_target(path).wipe()
    shown = backend.shown(path)  # a PostgreSQL address without its password
    with open_db(args, create=True) as con:
        if args.demo:
            if not catalog.is_empty(con):
                raise RejectedInput(f"数据库 {shown} 已有数据，未载入示例市。如需重建请加 --force。")
            from indicators.demo.load import load_demo
            summary = load_demo(con, args.settings)
            print(f"已创建 {shown}，载入示例市：{summary}")
        else:
            print(f"已创建 {shown}（结构版本已是最新）")
            _first_admin(con, args)
    return EXIT_OK


def _first_admin(con, args) -> None:
    """A real database's first account: ``admin`` with a generated password, shown once."""
    from indicators.accounts import operator
    from indicators.accounts.users import first_admin
    password = first_admin(con, operator(), at=clock.now(args.settings))
    if password is not None:
        print(f"已创建管理员账户 admin，初始密码（只显示这一次，请登录后修改）：{password}")
