"""``indicators migrate`` — move a bureau's whole database to another store.

    indicators migrate --from data/indicators.duckdb --to postgresql://USER@HOST:PORT/DB [--as LOGIN] [--json]

Every table is copied (setup, batches, superseded values, audit, tasks, explanations …)
in one transaction on the target, which must be new or empty; nothing is written when
it is refused. The source stays as it was. Afterwards point ``INDICATORS_DB`` at the
target.

Like every writing command it acts as the machine's operator (a 管理员) or as the user
``--as`` names — looked up in the source, whose accounts the target receives — who must
be allowed to migrate (管理员); the target's audit log gets one row for the migration.
"""

from __future__ import annotations

import json
import sys

from indicators import clock
from indicators.cli.args import EXIT_OK, acting, add_as_arg, database_arg


def add_parsers(sub) -> None:
    p = sub.add_parser("migrate", help="把整个数据库复制到另一个库（如从 DuckDB 文件迁到 PostgreSQL）")
    p.add_argument("--from", dest="source", required=True, type=database_arg,
                   help="源数据库：DuckDB 文件或 postgresql://…")
    p.add_argument("--to", dest="target", required=True, type=database_arg,
                   help="目标数据库（须为新库或空库）：postgresql://用户@主机:端口/库名 或 DuckDB 文件")
    add_as_arg(p)
    p.add_argument("--json", action="store_true", help="以 JSON 输出各表复制的行数")
    p.set_defaults(func=cmd_migrate)


def cmd_migrate(args) -> int:
    from indicators.db import backend, transfer
    from indicators.db.connection import connect
    wait = args.settings.lock_wait
    with connect(args.source, read_only=True, wait=wait) as src:
        actor = acting(args, src)  # the accounts are the source's: the target is empty
    copied = transfer.copy_database(args.source, args.target, actor=actor, at=clock.now(args.settings), wait=wait)
    if args.json:
        json.dump({"from": backend.shown(args.source), "to": backend.shown(args.target), "rows": copied.rows,
                   "by": actor.login}, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return EXIT_OK
    print(f"已复制 {backend.shown(args.source)} → {backend.shown(args.target)}："
          f"{len(copied.rows)} 张表，共 {copied.total:,} 行"
          f"（其中数值 {copied.rows.get('observation', 0):,} 条，批次 {copied.rows.get('batch', 0):,} 个），"
          f"已记入目标库的审计日志（{actor.display}）。请把 INDICATORS_DB 改为新库。")
    return EXIT_OK
