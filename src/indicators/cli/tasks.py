"""``indicators tasks …`` — key tasks (重点任务) from the command line.

    indicators tasks import-plan 3月重点工作安排.docx --period 2026-03 [--dry-run] [--json]
    indicators tasks confirm --period 2026-03 [--assign 202603-01=GXJS/L02 …]
    indicators tasks progress --period 2026-03 --task 202603-01 --status 已完成 [--progress …]
    indicators tasks status --period 2026-03 [--department CODE] [--leader CODE] [--json]
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from indicators import clock
from indicators.cli.args import (
    EXIT_OK,
    acting,
    add_as_arg,
    add_db_arg,
    open_db,
    period_arg,
)
from indicators.cli.output import print_json, records
from indicators.errors import RejectedInput
from indicators.rules import periods
from indicators.rules.task_status import REPORTED_WORDS

BOARD_JSON_KEYS = ["code", "name", "category", "lead_department", "lead_department_name", "leader", "leader_name",
                   "support_departments", "org_units", "nodes", "deadline", "plan_period", "period", "status",
                   "status_label", "overdue", "reason", "reported_label", "progress", "problems", "next_steps",
                   "reported_by", "node_due", "next_node"]


def add_parsers(sub) -> None:
    tasks = sub.add_parser("tasks", help="重点任务：导入工作安排、确认、填报进展、查看状态")
    tsub = tasks.add_subparsers(dest="tasks_command", required=True, parser_class=type(tasks))

    p = tsub.add_parser("import-plan", help="把月度重点工作安排（文本或 .docx）导入为该月的待确认任务")
    add_db_arg(p)
    add_as_arg(p)
    p.add_argument("file", type=Path)
    p.add_argument("--period", required=True, type=period_arg, help="工作安排所属月份 YYYY-MM")
    p.add_argument("--dry-run", action="store_true", help="只解析、不写入")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import_plan)

    p = tsub.add_parser("confirm", help="确认某月的待确认任务（按建议或 --assign 指定牵头科室/分管领导）")
    add_db_arg(p)
    add_as_arg(p)
    p.add_argument("--period", required=True, type=period_arg)
    p.add_argument("--assign", action="append", default=[], metavar="代码=科室[/领导]",
                   help="指定牵头科室和分管领导（代码），可重复")
    p.set_defaults(func=cmd_confirm)

    p = tsub.add_parser("progress", help="填报某任务某月的进展")
    add_db_arg(p)
    add_as_arg(p)
    p.add_argument("--period", required=True, type=period_arg)
    p.add_argument("--task", required=True, help="任务代码")
    p.add_argument("--status", required=True, choices=list(REPORTED_WORDS), help="本月状态")
    p.add_argument("--progress", default=None, help="进展情况")
    p.add_argument("--problems", default=None, help="存在问题")
    p.add_argument("--next-steps", default=None, help="下步措施")
    p.set_defaults(func=cmd_progress)

    p = tsub.add_parser("status", help="某月重点任务看板（滞后在前）")
    add_db_arg(p)
    p.add_argument("--period", required=True, type=period_arg)
    p.add_argument("--department", help="只看该牵头科室（代码）")
    p.add_argument("--leader", help="只看该分管领导（代码）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)


def cmd_import_plan(args) -> int:
    from indicators.tasks import drafts
    from indicators.tasks.plan import read_plan
    if not args.file.exists() or args.file.is_dir():
        raise RejectedInput(f"文件不存在：{args.file}")
    reading = read_plan(args.file.read_bytes(), args.file.name)
    with open_db(args, read_only=args.dry_run) as con:
        got = drafts.plan_drafts(con, reading, args.period) if args.dry_run else \
            drafts.draft_plan(con, reading, args.period, actor=acting(args, con), at=clock.now(args.settings))
        names = _names(con)
    if args.json:
        out = {"period": args.period, "title": reading.title, "period_hint": reading.period_hint,
               "written": not args.dry_run, "sections": reading.counts(), "items": len(reading.items),
               "drafts": _records(got.assign(lead_department_name=got["lead_department"].map(names["department"]),
                                             leader_name=got["leader"].map(names["leader"])),
                                  ["code", "category", "name", "nodes", "deadline", "lead_department",
                                   "lead_department_name", "leader", "leader_name", "suggestion_basis", "is_new"]),
               "skipped": [{"line": n, "text": t, "why": w} for n, t, w in reading.skipped]}
        print_json(out)
        return EXIT_OK
    print(f"{reading.title or args.file.name}：{len(reading.sections)} 个部分，{len(reading.items)} 项"
          + ("（试读，未写入）" if args.dry_run else f"，新增待确认任务 {int(got['is_new'].sum())} 项"))
    if reading.period_hint and reading.period_hint != args.period:
        print(f"注意：标题中的月份是 {periods.label(reading.period_hint)}，导入为 {periods.label(args.period)}")
    for section, n in reading.counts().items():
        print(f"  {section}：{n} 项")
    for r in got.itertuples(index=False):
        lead = names["department"].get(r.lead_department, "（未指定）")
        print(f"    {r.code or '（已有）'}\t{r.category}\t{lead}\t{r.suggestion_basis}\t{r.name[:30]}")
    for n, text, why in reading.skipped:
        print(f"  未采用 第{n}行：{why}：{text[:30]}")
    return EXIT_OK


def cmd_confirm(args) -> int:
    from indicators.tasks import store as task_store
    with open_db(args) as con:
        pending = task_store.tasks(con, state="draft")
        pending = pending[pending["plan_period"] == args.period]
        if pending.empty:
            raise RejectedInput(f"{periods.label(args.period)}没有待确认的任务")
        edits = pending[["code", "lead_department", "leader"]].set_index("code")
        for item in args.assign:
            code, _, who = item.partition("=")
            dept, _, leader = who.partition("/")
            if code not in edits.index or not dept:
                raise RejectedInput(f"--assign「{item}」：应为 待确认任务代码=科室代码[/领导代码]")
            edits.loc[code, "lead_department"] = dept
            edits.loc[code, "leader"] = leader or edits.loc[code, "leader"]
        _check_codes(con, edits)
        n = task_store.confirm_tasks(con, edits.reset_index(), actor=acting(args, con), at=clock.now(args.settings))
    print(f"已确认{periods.label(args.period)}重点任务 {n} 项")
    return EXIT_OK


def _check_codes(con, edits: pd.DataFrame) -> None:
    names = _names(con)
    for code, r in edits.iterrows():
        if pd.notna(r["lead_department"]) and r["lead_department"] not in names["department"]:
            raise RejectedInput(f"任务 {code}：科室代码 {r['lead_department']} 不存在")
        if pd.notna(r["leader"]) and r["leader"] not in names["leader"]:
            raise RejectedInput(f"任务 {code}：领导代码 {r['leader']} 不存在")


def cmd_progress(args) -> int:
    from indicators.tasks import store as task_store
    row = pd.DataFrame([dict(task_code=args.task, period=args.period, status=args.status, progress=args.progress,
                             problems=args.problems, next_steps=args.next_steps)])
    with open_db(args) as con:
        task_store.record_progress(con, row, actor=acting(args, con), source="命令行", at=clock.now(args.settings))
    print(f"已记录 {args.task} {periods.label(args.period)}进展：{args.status}")
    return EXIT_OK


def cmd_status(args) -> int:
    from indicators.tasks.board import status_counts, task_board
    with open_db(args, read_only=True) as con:
        board = task_board(con, args.period)
    if args.department:
        board = board[board["lead_department"] == args.department]
    if args.leader:
        board = board[board["leader"] == args.leader]
    if args.json:
        print_json(_records(board, BOARD_JSON_KEYS))
        return EXIT_OK
    counts = "  ".join(f"{k} {v}" for k, v in status_counts(board).items() if v)
    print(f"重点任务 · {periods.label(args.period)} · {len(board)} 项  {counts}")
    for r in board.itertuples(index=False):
        why = f"（{r.reason}）" if r.reason else ""
        print(f"{r.code}\t{r.status_label}{why}\t{r.lead_department_name or '—'}\t{r.leader_name or '—'}\t{r.name[:30]}")
    return EXIT_OK


def _names(con) -> dict[str, dict[str, str]]:
    from indicators.db import catalog
    return {"department": dict(zip(*catalog.departments(con)[["code", "name"]].T.values)),
            "leader": dict(zip(*catalog.leaders(con)[["code", "name"]].T.values))}


def _records(frame: pd.DataFrame, keys: list[str]) -> list[dict]:
    return records(frame.reindex(columns=keys), keys)
