"""``indicators user add|list|passwd|disable|enable`` — accounts from the command line.

A generated password is printed once (and only its hash is stored); ``--password-stdin``
reads the password from the first line of standard input instead, so it never appears
in the shell history or the process list. Managing users needs 管理员 (the machine's
operator is one; ``--as`` makes another user's role apply).
"""

from __future__ import annotations

import sys

from indicators import clock
from indicators.accounts import ROLES, users
from indicators.cli.args import EXIT_OK, acting, add_as_arg, add_db_arg, open_db
from indicators.cli.output import print_json
from indicators.errors import RejectedInput


def _stdin_password() -> str:
    line = sys.stdin.readline()
    password = line.rstrip("\r\n")
    if not password:
        raise RejectedInput("标准输入中没有密码（--password-stdin 读取第一行）。未做任何改动。")
    return password


def cmd_add(args) -> int:
    password = _stdin_password() if args.password_stdin else None
    with open_db(args) as con:
        user, generated = users.add_user(con, acting(args, con), args.login, args.role, name=args.name,
                                         unit=args.unit, department=args.department, password=password,
                                         at=clock.now(args.settings))
    print(f"已创建用户 {user.login}：{user.display}")
    if generated:
        print(f"初始密码（只显示这一次，请转告本人并要求登录后修改）：{generated}")
    return EXIT_OK


def cmd_list(args) -> int:
    with open_db(args, read_only=True) as con:
        frame = users.list_users(con)
    if args.json:
        keys = ["login", "name", "role", "role_name", "org_unit", "unit_name", "department", "department_name",
                "disabled", "locked_until", "last_sign_in"]
        out = [{k: (None if _na(v) else (str(v) if k in ("locked_until", "last_sign_in") else v))
                for k, v in row.items()} for row in frame[keys].astype(object).to_dict(orient="records")]
        print_json(out)
        print()
        return EXIT_OK
    print(f"共 {len(frame)} 个用户")
    for r in frame.itertuples(index=False):
        scope = r.unit_name if isinstance(r.unit_name, str) else (r.department_name if isinstance(r.department_name, str) else "")
        state = "已停用" if r.disabled else ("已锁定" if not _na(r.locked_until) else "")
        print(f"{r.login:<16}\t{r.name:<8}\t{r.role_name}\t{scope}\t{state}")
    return EXIT_OK


def _na(v) -> bool:
    try:
        import pandas as pd
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def cmd_passwd(args) -> int:
    password = _stdin_password() if args.password_stdin else None
    with open_db(args) as con:
        generated = users.reset_password(con, acting(args, con), args.login, password=password,
                                         at=clock.now(args.settings))
    print(f"已重设用户 {args.login} 的密码，其已登录的会话全部失效。")
    if generated:
        print(f"新密码（只显示这一次）：{generated}")
    return EXIT_OK


def cmd_disable(args, disabled: bool = True) -> int:
    with open_db(args) as con:
        users.set_disabled(con, acting(args, con), args.login, disabled, at=clock.now(args.settings))
    print(f"已{'停用' if disabled else '启用'}用户 {args.login}。")
    return EXIT_OK


def add_parsers(subparsers) -> None:
    user = subparsers.add_parser("user", help="用户账户：新建、列表、重设密码、停用")
    sub = user.add_subparsers(dest="user_command", required=True, parser_class=type(user))

    p = sub.add_parser("add", help="新建用户（不加 --password-stdin 时生成初始密码并只显示一次）")
    p.add_argument("login", help="登录名（小写字母、数字、_ . -）")
    p.add_argument("--role", required=True, choices=ROLES,
                   help="admin 管理员 / office 综合科 / department 科室 / district 区县填报员 / leader 领导")
    p.add_argument("--unit", help="区县填报员绑定的单位代码")
    p.add_argument("--department", help="科室用户绑定的科室代码")
    p.add_argument("--name", help="姓名（显示名）")
    p.add_argument("--password-stdin", action="store_true", help="从标准输入第一行读取密码")
    add_db_arg(p)
    add_as_arg(p)
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("list", help="列出用户")
    p.add_argument("--json", action="store_true")
    add_db_arg(p)
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("passwd", help="重设用户密码（生成新密码并只显示一次）")
    p.add_argument("login")
    p.add_argument("--password-stdin", action="store_true", help="从标准输入第一行读取新密码")
    add_db_arg(p)
    add_as_arg(p)
    p.set_defaults(func=cmd_passwd)

    p = sub.add_parser("disable", help="停用用户（其会话立即失效）")
    p.add_argument("login")
    add_db_arg(p)
    add_as_arg(p)
    p.set_defaults(func=cmd_disable)

    p = sub.add_parser("enable", help="重新启用用户")
    p.add_argument("login")
    add_db_arg(p)
    add_as_arg(p)
    p.set_defaults(func=lambda args: cmd_disable(args, disabled=False))
