"""``indicators init`` — create a database, optionally with the demo city."""

from __future__ import annotations

from pathlib import Path

from indicators import clock
from indicators.cli.args import EXIT_OK, add_db_arg, db_path, open_db
from indicators.errors import DatabaseLocked, IndicatorsError, RejectedInput


def add_parsers(sub) -> None:
    p = sub.add_parser("init", help="创建数据库（--demo 载入示例市）")
    add_db_arg(p)
    p.add_argument("--demo", action="store_true", help="载入示例市数据")
    p.add_argument("--force", action="store_true", help="删除已有数据库后重建")
    p.set_defaults(func=cmd_init)


def _remove_database(path: Path) -> None:
    """``init --force``: delete the file — but never one another process has open (the
    running app would go on writing into a deleted file). Opening it for writing is the
    test: DuckDB refuses while anyone holds it."""
    from indicators.db import connection
    if path.is_dir():
        raise RejectedInput(f"{path} 是一个文件夹，不是数据库文件，未删除。请检查 --db。")
    try:
        connection._open(str(path), create=False, read_only=False).close()
    except DatabaseLocked:
        raise RejectedInput(f"数据库 {path} 正被另一个进程（如正在运行的网页应用）使用，未删除也未重建。"
                            "请先关闭该进程，再运行 indicators init --force。") from None
    except IndicatorsError:
        pass  # not a database (or damaged): --force may replace it
    path.unlink()
    Path(str(path) + ".wal").unlink(missing_ok=True)


def cmd_init(args) -> int:
    path = db_path(args)
    if args.force and path.exists():
        _remove_database(path)
    from indicators.db import catalog
    with open_db(args, create=True) as con:
        if args.demo:
            if not catalog.is_empty(con):
                raise RejectedInput(f"数据库 {path} 已有数据，未载入示例市。如需重建请加 --force。")
            from indicators.demo.load import load_demo
            summary = load_demo(con, args.settings)
            print(f"已创建 {path}，载入示例市：{summary}")
        else:
            print(f"已创建 {path}（结构版本已是最新）")
            _first_admin(con, args)
    return EXIT_OK


def _first_admin(con, args) -> None:
    """A real database's first account: ``admin`` with a generated password, shown once."""
    from indicators.accounts import operator
    from indicators.accounts.users import first_admin
    password = first_admin(con, operator(), at=clock.now(args.settings))
    if password is not None:
        print(f"已创建管理员账户 admin，初始密码（只显示这一次，请登录后修改）：{password}")
