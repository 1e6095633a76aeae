"""``indicators init`` — create a database, optionally with the demo city."""

from __future__ import annotations

from pathlib import Path

from indicators.cli.args import EXIT_OK, add_db_arg, db_path, open_db
from indicators.errors import RejectedInput


def add_parsers(sub) -> None:
    p = sub.add_parser("init", help="创建数据库（--demo 载入示例市）")
    add_db_arg(p)
    p.add_argument("--demo", action="store_true", help="载入示例市数据")
    p.add_argument("--force", action="store_true", help="删除已有数据库后重建")
    p.set_defaults(func=cmd_init)


def cmd_init(args) -> int:
    path = db_path(args)
    if args.force and path.exists():
        path.unlink()
        Path(str(path) + ".wal").unlink(missing_ok=True)
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
    return EXIT_OK
