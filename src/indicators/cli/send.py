"""``indicators send`` — 催报 and the monthly pack by email, DingTalk and WeCom, once.

    indicators send reminders --period 2026-10 [--to email dingtalk wecom] [--dry-run]
    indicators send pack --period 2026-10 --to email dingtalk [--dry-run] [--resend]
    indicators send due [--dry-run]            # what the timer runs (deploy/): due today + retries
    indicators send test --to email [--address 某人@example.invalid]
    indicators send log [--period 2026-10] [--json]
    indicators send channels                   # what is configured (never a secret)
    indicators send retry KEY                  # send a given-up or interrupted message again

Every message is claimed in the delivery table before it is sent, so running a command
twice — or two timers at once — sends nothing twice. Exit 0 when everything went (or
nothing was due), 1 when something failed (it is recorded and retried on the next run)
or the input was refused, 2 on a usage error.
"""

from __future__ import annotations

import pandas as pd

from indicators.cli.args import EXIT_OK, EXIT_REJECTED, acting, add_as_arg, add_db_arg, db_path, period_arg
from indicators.cli.output import print_json, records
from indicators.settings import CHANNELS

OUTCOME_LABELS = {"sent": "已发送", "failed": "失败", "skipped": "跳过", "planned": "演练"}


def add_parsers(sub) -> None:
    p = sub.add_parser("send", help="发送催报和月调度材料（邮件、钉钉、企业微信），每条只发一次")
    cmds = p.add_subparsers(dest="send_command", required=True, parser_class=type(p))

    q = cmds.add_parser("reminders", help="向仍未报齐的单位发送催报")
    _common(q, period=True)
    q.add_argument("--to", nargs="+", choices=CHANNELS, help="发送渠道（默认 INDICATORS_REMIND_TO 中已配置的）")
    q.set_defaults(func=cmd_reminders)

    q = cmds.add_parser("pack", help="发送月调度材料：通报正文 + 调度表、汇报幻灯片、通报 PDF")
    _common(q, period=True)
    q.add_argument("--to", nargs="+", choices=CHANNELS, required=True, help="发送渠道")
    q.add_argument("--resend", action="store_true", help="已发过也再发一次（记为一次新的发送）")
    q.set_defaults(func=cmd_pack)

    q = cmds.add_parser("due", help="发送今天到期的催报、月调度材料和到期的重试（定时任务运行此命令）")
    _common(q)
    q.set_defaults(func=cmd_due)

    q = cmds.add_parser("test", help="发送一条测试消息")
    _common(q, dry_run=False)
    q.add_argument("--to", choices=CHANNELS, required=True)
    q.add_argument("--address", help="邮件测试的收件人（默认发件人自己）")
    q.set_defaults(func=cmd_test)

    q = cmds.add_parser("log", help="发送记录")
    _common(q, dry_run=False)
    q.add_argument("--period", type=period_arg)
    q.add_argument("--limit", type=int, default=50)
    q.set_defaults(func=cmd_log)

    q = cmds.add_parser("channels", help="各发送渠道的配置情况（不显示密钥）")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_channels)

    q = cmds.add_parser("retry", help="让一条已放弃或发送中断的消息在下次运行时重发")
    add_db_arg(q)
    add_as_arg(q)
    q.add_argument("key", help="发送记录中的键（indicators send log --json 的 key）")
    q.set_defaults(func=cmd_retry)


def _common(p, *, period: bool = False, dry_run: bool = True) -> None:
    add_db_arg(p)
    if period:
        p.add_argument("--period", required=True, type=period_arg, help="数据月份 YYYY-MM")
    if dry_run:
        p.add_argument("--dry-run", action="store_true", help="只显示将发往何处，不发送、不记录")
    p.add_argument("--json", action="store_true")
    add_as_arg(p)


def _context(args):
    from indicators import clock
    from indicators.delivery.database import ShortConnections
    s = args.settings
    return s, ShortConnections(db_path(args), s.db_wait), clock.now(s)


def _actor(args, db):
    """Who sends: the ``--as`` user (who must be allowed to send), else the machine's operator."""
    with db() as con:
        return acting(args, con)


def _channels(args, s, default: tuple[str, ...]) -> list[str]:
    from indicators.delivery import channels
    if args.to:
        channels.require(s, args.to)
        return [c for c in CHANNELS if c in args.to]
    return channels.usable(s, default)


def cmd_reminders(args) -> int:
    from indicators.delivery import outbox
    s, db, now = _context(args)
    report = outbox.send_reminders(db, args.period, _channels(args, s, s.remind_to), s, now, actor=_actor(args, db),
                                   dry_run=args.dry_run)
    return _finish(report, args)


def cmd_pack(args) -> int:
    from indicators.delivery import outbox
    s, db, now = _context(args)
    slot = outbox.resend_slot(now) if args.resend else ""
    report = outbox.send_pack(db, args.period, _channels(args, s, s.pack_to), s, now, actor=_actor(args, db),
                              slot=slot, dry_run=args.dry_run)
    return _finish(report, args)


def cmd_due(args) -> int:
    from indicators.delivery import outbox
    s, db, now = _context(args)
    return _finish(outbox.send_due(db, s, now, actor=_actor(args, db), dry_run=args.dry_run), args)


def cmd_test(args) -> int:
    from indicators.delivery import channels, outbox
    s, db, now = _context(args)
    channels.require(s, [args.to])
    return _finish(outbox.send_test(db, args.to, s, now, address=args.address, actor=_actor(args, db)), args)


def _finish(report, args) -> int:
    """Print what happened (or, in a dry run, what would) and the exit code."""
    if args.json:
        print_json({"lines": report.lines, "results": [_result_json(r) for r in report.results]})
    else:
        print(_report_text(report, getattr(args, "dry_run", False)))
    return EXIT_REJECTED if report.failed else EXIT_OK


def _result_json(r) -> dict:
    s = r.slot
    return {"key": s.key, "kind": s.kind, "period": s.period, "channel": s.channel, "recipient": s.recipient,
            "recipient_name": s.recipient_name, "address": s.address, "slot": s.slot, "subject": s.subject,
            "outcome": r.outcome, "detail": r.detail, "attachments": list(r.attachments)}


def _report_text(report, dry_run: bool) -> str:
    from indicators.delivery.channels import CHANNEL_LABELS
    lines = list(report.lines)
    if dry_run:
        lines.append("（演练：以下消息均未发送，也未记录）")
    for r in report.results:
        who = r.slot.recipient_name + (f" <{r.slot.address}>" if r.slot.address else "")
        line = f"  {OUTCOME_LABELS[r.outcome]}  {CHANNEL_LABELS[r.slot.channel]} → {who}"
        lines.append(line + (f"：{r.detail}" if r.detail else ""))
        if dry_run:
            lines.append(f"      主题：{r.slot.subject}")
            if r.attachments:
                lines.append(f"      附件：{'、'.join(r.attachments)}")
    if not report.results:
        lines.append("  没有需要发送的消息。")
    return "\n".join(lines)


def cmd_log(args) -> int:
    from indicators import clock
    from indicators.delivery import ledger
    from indicators.delivery.database import connect_waiting
    s = args.settings
    con = connect_waiting(db_path(args), s.db_wait)
    try:
        frame = ledger.log(con, args.limit, args.period)
    finally:
        con.close()
    now = clock.now(s)
    frame["status_text"] = [ledger.status_text(r, now, s.send_max_attempts) for r in frame.to_dict("records")]
    if args.json:
        print_json(records(frame, list(frame.columns)))
        return EXIT_OK
    from indicators.delivery.channels import CHANNEL_LABELS
    if frame.empty:
        print("还没有发送记录。")
    for r in frame.itertuples(index=False):
        when = pd.Timestamp(r.updated_at).strftime("%Y-%m-%d %H:%M")
        print(f"{when}  {ledger.KIND_LABELS[r.kind]} {r.period or ''}  {CHANNEL_LABELS[r.channel]} → "
              f"{r.recipient_name}  {r.status_text}" + (f"：{r.error}" if isinstance(r.error, str) and r.error else ""))
    return EXIT_OK


def cmd_channels(args) -> int:
    from indicators.delivery import channels
    table = channels.describe(args.settings)
    if args.json:
        print_json(records(table, list(table.columns)))
    else:
        for r in table.itertuples(index=False):
            print(f"{r.渠道}：{r.状态}  {r.地址}  {r.安全}  {r.说明}")
    return EXIT_OK


def cmd_retry(args) -> int:
    from indicators.delivery import outbox
    from indicators.errors import RejectedInput
    s, db, now = _context(args)
    ok = outbox.requeue(db, _actor(args, db), args.key, now)
    if not ok:
        raise RejectedInput(f"没有可重发的记录「{args.key}」（已发送的不会重发；发送中的须等 30 分钟）。")
    print(f"已重新排队：{args.key}，将在下次 `indicators send due` 时发送。")
    return EXIT_OK
