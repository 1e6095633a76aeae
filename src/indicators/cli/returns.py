"""``indicators import FILE…`` and ``indicators template`` — monthly returns.

``import`` checks every file first and writes nothing unless all pass: an error in any
file, or a warning without ``--yes``, exits 1 with located messages on stderr (or in
``--json``). What passes is written in one transaction (``pipeline.commit_all``): all
files or none, even when the process is killed half-way.
"""

from __future__ import annotations

import sys
from pathlib import Path

from indicators import clock
from indicators.cli.args import EXIT_OK, EXIT_REJECTED, acting, add_as_arg, add_db_arg, open_db, period_arg, unit_arg
from indicators.cli.output import print_json


def cmd_import(args) -> int:
    from indicators.errors import RejectedInput
    from indicators.returns import pipeline
    from indicators.returns.limits import Limits
    today = clock.today(args.settings)
    limits = Limits.from_settings(args.settings)
    with open_db(args, read_only=args.dry_run) as con:
        actor = acting(args, con)
        readings = []
        for f in args.files:
            if not Path(f).exists():
                raise RejectedInput(f"文件不存在：{f}")
            readings.append(pipeline.read_return(Path(f), con=con, today=today, expected_period=args.period,
                                                 limits=limits))
        changes = [pipeline.change_counts(con, r) for r in readings]  # 新增 / 修改 / 不变 per file
        batch_ids: list[int | None] = [None] * len(readings)
        now = clock.now(args.settings)
        # a dry run only checks: warnings and empty files refuse only a real import
        refusal = pipeline.refusal(readings, confirm_warnings=args.yes or args.dry_run,
                                   allow_empty=args.dry_run)
        rejected = refusal is not None
        if rejected or args.dry_run:
            for r in readings:  # another unit's rows or a locked month in any file: refused before anything else
                pipeline.check_allowed(con, r, actor, settings=args.settings, at=now)
        else:  # one transaction: every file lands, or none; commit_all runs check_allowed inside it, first
            batch_ids = pipeline.commit_all(con, readings, actor=actor, settings=args.settings, at=now,
                                            confirm_warnings=args.yes)
    if args.json:
        out = {"ok": not rejected, "dry_run": args.dry_run, "written": not rejected and not args.dry_run,
               "refused": refusal,
               "files": [{**r.summary(), "changes": c, "batch_id": b,
                          "conversions": r.conversions.to_dict(orient="records"),
                          "problems": _problem_records(r)}
                         for r, c, b in zip(readings, changes, batch_ids)]}
        print_json(out)
    else:
        _print_text(readings, changes, batch_ids, args, refusal)
    return EXIT_REJECTED if rejected else EXIT_OK


def _problem_records(reading) -> list[dict]:
    recs = reading.problems.astype(object).where(reading.problems.notna(), None).to_dict(orient="records")
    for r in recs:
        if r.get("row") is not None:
            r["row"] = int(r["row"])
    return recs


def _refused_whole(reading) -> str | None:
    """The one line saying why a file was not read at all (a folder, a pipe, too large, not
    a workbook …), or None when it was read."""
    rules = list(reading.problems["rule"]) if len(reading.problems) else []
    return str(reading.problems["message"].iloc[0]) if rules == ["file_refused"] else None


def _print_text(readings, changes, batch_ids, args, refusal: str | None) -> None:
    from indicators.returns import pipeline
    rejected = refusal is not None
    whole = [_refused_whole(r) for r in readings]
    if rejected and len(readings) == 1 and whole[0]:  # a file that could not be read at all: one line
        print(f"{whole[0]}未导入任何数据。", file=sys.stderr)
        return
    for r, c, b, why in zip(readings, changes, batch_ids, whole):
        if why:
            print(why, file=sys.stderr)
            continue
        s = r.summary()
        periods = f"（{'、'.join(s['periods'])}）" if s["periods"] else ""
        head = (f"{r.file_name}：{r.layout_name or '未识别'}，{s['rows']} 个数值{periods}，"
                f"新增 {c['新增']}，修改 {c['修改']}，不变 {c['不变']}；错误 {s['errors']}，警告 {s['warnings']}")
        print(head, file=sys.stderr if rejected else sys.stdout)
        for conv in r.conversions.itertuples(index=False):
            print(f"  换算：{conv.indicator_code} {conv.from_unit}→{conv.to_unit} ×{conv.factor:g}（{conv.rows} 个数值）")
        for line in pipeline.problem_lines(r, limit=None if args.all else 50):
            print("  " + line, file=sys.stderr)
        if b is not None:
            print(f"  已导入：批次 {b}")
    if rejected:
        if any(not r.ok for r in readings):
            print("有错误，未导入任何数据。请按提示修改后重新导入。", file=sys.stderr)
        elif any(len(r.warnings) for r in readings) and not args.yes:
            print("有警告需要确认：核对后加 --yes 重新运行以导入。未导入任何数据。", file=sys.stderr)
        else:
            print(refusal, file=sys.stderr)
    elif args.dry_run:
        print("校验完成（--dry-run，未写入数据库）。")


def cmd_template(args) -> int:
    from indicators.returns import template
    with open_db(args, read_only=True) as con:
        unit = template.unit_for(acting(args, con), unit_arg(con, args.unit))
        path = template.write_template(con, args.out, period=args.period, unit=unit,
                                       settings=args.settings, today=clock.today(args.settings),
                                       department=args.department)
    print(f"已写出 {args.period} 报送模板：{path}")
    return EXIT_OK


def add_parsers(subparsers) -> None:
    p = subparsers.add_parser("import", help="导入报送文件（.xlsx/.xls/.csv），有错误则整份不导入")
    p.add_argument("files", nargs="+", metavar="FILE")
    add_db_arg(p)
    p.add_argument("--dry-run", action="store_true", help="只校验，不写入")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.add_argument("--yes", action="store_true", help="确认警告并导入")
    add_as_arg(p)
    p.add_argument("--period", type=period_arg, default=None,
                   help="只接受该期间（YYYY-MM）；文件中未写明期间的，按该期间读取")
    p.add_argument("--all", action="store_true", help="列出全部问题（默认最多 50 条）")
    p.set_defaults(func=cmd_import)

    p = subparsers.add_parser("template", help="生成某月的报送模板（.xlsx）")
    p.add_argument("--period", required=True, type=period_arg, help="报送期间 YYYY-MM")
    p.add_argument("--unit", default=None, help="只为该单位生成（单位代码、名称或别名）；默认全部单位")
    p.add_argument("--department", default=None, help="附上该科室（代码）牵头任务的「重点任务进展」表")
    p.add_argument("--out", required=True, type=Path)
    add_db_arg(p)
    add_as_arg(p)
    p.set_defaults(func=cmd_template)
