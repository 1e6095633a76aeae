"""``indicators review`` (审核: approve or return a batch, list what waits) and
``indicators unlock`` (open a locked month for one unit for some hours).

    indicators review --list [--json] [--as LOGIN]          # batches waiting for this user's review
    indicators review --batch 12 --approve [--as LOGIN]
    indicators review --batch 12 --return --reason "…" [--as LOGIN]
    indicators unlock --period 2026-09 --unit DC --hours 4 [--reason "…"]
"""

from __future__ import annotations

import sys

from indicators import clock
from indicators.cli.args import EXIT_OK, EXIT_USAGE, acting, add_as_arg, add_db_arg, open_db, period_arg, unit_arg
from indicators.cli.output import print_json


def cmd_review(args) -> int:
    from indicators.returns import review
    if args.list:
        return _list(args)
    if args.batch is None or args.approve == args.send_back:
        print("indicators review: 用法错误：需要 --batch N 以及 --approve 或 --return（二选一），或 --list",
              file=sys.stderr)
        return EXIT_USAGE
    with open_db(args) as con:
        actor = acting(args, con)
        now = clock.now(args.settings)
        if args.approve:
            result = review.approve(con, actor, args.batch, at=now)
        else:
            result = review.return_batch(con, actor, args.batch, args.reason or "", settings=args.settings, at=now)
    if args.json:
        print_json(result)
    elif result["state"] == "returned":
        print(f"已退回批次 {args.batch}：其数值不再计入，恢复 {result['restored']} 个被它覆盖的旧值。填报单位可看到退回原因。")
    else:
        tail = "整批已通过。" if result["state"] == "approved" else f"另有 {result['remaining']} 项指标待其他科室审核。"
        print(f"已审核通过批次 {args.batch} 的 {result['approved']} 项指标，{tail}")
    return EXIT_OK


def _list(args) -> int:
    from indicators.returns import review
    with open_db(args, read_only=True) as con:
        actor = acting(args, con)
        waiting = review.queue(con, actor)
        returned = review.returned_to(con, actor)
    if args.json:
        out = {"waiting": [{"batch_id": int(r.batch_id), "file_name": r.file_name, "uploaded_by": r.uploaded_by,
                            "uploaded_at": str(r.uploaded_at), "periods": r.periods, "units": r.units,
                            "indicators": int(r.indicators), "mine": int(r.mine)}
                           for r in waiting.itertuples(index=False)],
               "returned": [{"batch_id": int(r.batch_id), "file_name": r.file_name, "reason": r.reason,
                             "decided_by": r.decided_by, "decided_at": str(r.decided_at)}
                            for r in returned.itertuples(index=False)]}
        print_json(out)
        print()
        return EXIT_OK
    print(f"待您审核的批次：{len(waiting)} 个")
    for r in waiting.itertuples(index=False):
        print(f"  批次 {r.batch_id}\t{r.file_name}\t{r.uploaded_by}\t{r.periods}\t{r.units}\t待审 {r.mine}/{r.indicators} 项")
    if len(returned):
        print(f"被退回的批次：{len(returned)} 个")
        for r in returned.itertuples(index=False):
            print(f"  批次 {r.batch_id}\t{r.file_name}\t退回原因：{r.reason}（{r.decided_by}）")
    return EXIT_OK


def cmd_unlock(args) -> int:
    from indicators.returns import lock
    with open_db(args) as con:
        unit = unit_arg(con, args.unit)
        until = lock.unlock(con, acting(args, con), period=args.period, unit=unit, hours=args.hours,
                            settings=args.settings, now=clock.now(args.settings), reason=args.reason)
    print(f"已为单位 {args.unit} 解锁 {args.period}，至 {until:%Y-%m-%d %H:%M} 可上传或撤回。")
    return EXIT_OK


def add_parsers(subparsers) -> None:
    p = subparsers.add_parser("review", help="审核报送批次：通过或退回（--list 查看待审）")
    p.add_argument("--batch", type=int, help="批次号")
    act = p.add_mutually_exclusive_group()
    act.add_argument("--approve", action="store_true", help="审核通过（科室只通过本科室牵头的指标）")
    act.add_argument("--return", dest="send_back", action="store_true", help="退回（须 --reason），批次不再计入")
    p.add_argument("--reason", help="退回原因（填报单位可见）")
    p.add_argument("--list", action="store_true", help="列出待审核和被退回的批次")
    p.add_argument("--json", action="store_true")
    add_db_arg(p)
    add_as_arg(p)
    p.set_defaults(func=cmd_review)

    p = subparsers.add_parser("unlock", help="为一个单位临时解锁已锁定的月份（管理员）")
    p.add_argument("--period", required=True, type=period_arg, help="月份 YYYY-MM")
    p.add_argument("--unit", required=True, help="单位代码、名称或别名")
    p.add_argument("--hours", required=True, type=float, help="解锁时长（小时，1–72）")
    p.add_argument("--reason", help="解锁原因（记入操作日志）")
    add_db_arg(p)
    add_as_arg(p)
    p.set_defaults(func=cmd_unlock)
