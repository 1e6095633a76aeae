"""``indicators setup-template`` / ``setup-import`` — the setup workbook."""

from __future__ import annotations

from pathlib import Path

from indicators import clock
from indicators.cli.args import EXIT_OK, acting, add_as_arg, add_db_arg, open_db


def add_parsers(sub) -> None:
    p = sub.add_parser("setup-template", help="写出空白设置工作簿")
    p.add_argument("--out", required=True, type=Path)
    p.set_defaults(func=cmd_setup_template)

    p = sub.add_parser("setup-import", help="导入设置工作簿（单位、科室、领导、指标、责任分工、目标）")
    add_db_arg(p)
    p.add_argument("file", type=Path)
    add_as_arg(p)
    p.set_defaults(func=cmd_setup_import)


def cmd_setup_template(args) -> int:
    from indicators.setup.workbook import write_workbook
    path = write_workbook(args.out)
    print(f"已写出空白设置工作簿：{path}")
    return EXIT_OK


def cmd_setup_import(args) -> int:
    from indicators.setup.workbook import load_setup, read_workbook
    frames = read_workbook(args.file)
    with open_db(args, create=True) as con:
        load_setup(con, frames, actor=acting(args, con), at=clock.now(args.settings))
    print(f"已导入设置：{len(frames['org_unit'])} 个单位，{len(frames['indicator'])} 项指标，{len(frames['target'])} 条目标")
    return EXIT_OK
