"""``indicators`` — the command line (DESIGN §6).

Exit codes: 0 success, 1 rejected input (nothing written), 2 usage error. Known
failures (missing, locked or too-new database; rejected files) print one line, not a
traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import pandas as pd

from indicators import clock
from indicators.cli.args import (
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_USAGE,
    add_db_arg,
    add_period_arg,
    as_of,
    db_path,
)
from indicators.errors import IndicatorsError, RejectedInput
from indicators.rules import periods
from indicators.settings import SettingError, load

STATUS_JSON_KEYS = [
    "indicator_code", "indicator_name", "org_unit_code", "org_unit_name", "period", "value_period",
    "kind", "unit", "value", "period_value", "target", "baseline", "completion", "expected",
    "expected_basis", "gap_pp", "status", "status_label", "yoy", "yoy_pp", "mom", "rank", "rank_of",
    "projection", "projection_reaches", "lead_department", "leader", "provenance", "batch_id",
    "missing_units",
]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors exit 2 with one line
        self.print_usage(sys.stderr)
        print(f"{self.prog}: 用法错误：{message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def cmd_init(args) -> int:
    from indicators.db import connection
    path = db_path(args)
    if args.force and path.exists():
        path.unlink()
        Path(str(path) + ".wal").unlink(missing_ok=True)
    con = connection.connect(path, create=True)
    try:
        has_data = con.execute("SELECT count(*) FROM indicator").fetchone()[0] > 0
        if args.demo:
            if has_data:
                raise RejectedInput(f"数据库 {path} 已有数据，未载入示例市。如需重建请加 --force。")
            from indicators.demo.load import load_demo
            summary = load_demo(con, args.settings)
            print(f"已创建 {path}，载入示例市：{summary}")
        else:
            print(f"已创建 {path}（结构版本已是最新）")
    finally:
        con.close()
    return EXIT_OK


def _clean(v):
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float):
        # sums of floats carry noise (1830.9699999999998); 10 decimals is far below any unit
        return None if (math.isnan(v) or math.isinf(v)) else round(v, 10)
    if hasattr(v, "item"):
        return _clean(v.item())
    return v


def records(frame: pd.DataFrame, keys: list[str]) -> list[dict]:
    return [{k: _clean(v) for k, v in row.items()} for row in frame[keys].to_dict(orient="records")]


def cmd_status(args) -> int:
    from indicators import explanations
    from indicators.db import connection
    from indicators.dispatch import dispatch_table
    period = as_of(args)
    con = connection.connect(db_path(args), read_only=True)
    try:
        table = explanations.attach(con, dispatch_table(con, period, args.settings, unit=args.unit))
    finally:
        con.close()
    if args.unit and table.empty:
        raise RejectedInput(f"单位 {args.unit} 不存在或没有数据")
    if args.json:
        out = records(table, STATUS_JSON_KEYS)
        for rec, row in zip(out, table.to_dict(orient="records")):
            rec["explanation_required"] = bool(row["explanation_required"])
            rec["explanation"] = explanations.explanation_record(row)
        json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
        print()
    elif args.csv:
        table[STATUS_JSON_KEYS].to_csv(sys.stdout, index=False)
    else:
        print(_status_text(table, period))
    return EXIT_OK


def _status_text(table: pd.DataFrame, period: str) -> str:
    from indicators.formatting import fmt_pct, fmt_pp, fmt_value
    lines = [f"调度表 · 数据截至 {periods.label(period)} · {len(table)} 行"]
    counts = table["status_label"].value_counts()
    lines.append("  ".join(f"{k} {v}" for k, v in counts.items()))
    for r in table.itertuples(index=False):
        lines.append(
            f"{r.indicator_name[:14]:<14}\t{r.org_unit_name:<6}\t{fmt_value(r.value, r.unit, r.decimals):>14}\t"
            f"目标 {fmt_value(r.target, r.unit, r.decimals):>14}\t完成 {fmt_pct(r.completion):>7}\t"
            f"序时 {fmt_pct(r.expected):>7}\t{fmt_pp(r.gap_pp):>10}\t{r.status_label}")
    return "\n".join(lines)


def cmd_setup_template(args) -> int:
    from indicators.setup.workbook import write_workbook
    path = write_workbook(args.out)
    print(f"已写出空白设置工作簿：{path}")
    return EXIT_OK


def cmd_setup_import(args) -> int:
    from indicators.db import connection
    from indicators.setup.workbook import load_setup, read_workbook
    frames = read_workbook(args.file)
    con = connection.connect(db_path(args), create=True)
    try:
        load_setup(con, frames, who=args.who, at=clock.now(args.settings))
    finally:
        con.close()
    print(f"已导入设置：{len(frames['org_unit'])} 个单位，{len(frames['indicator'])} 项指标，{len(frames['target'])} 条目标")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="indicators", description="指标月调度：科技局重点指标月度调度")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("init", help="创建数据库（--demo 载入示例市）")
    add_db_arg(p)
    p.add_argument("--demo", action="store_true", help="载入示例市数据")
    p.add_argument("--force", action="store_true", help="删除已有数据库后重建")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("status", help="某月调度表")
    add_db_arg(p)
    add_period_arg(p)
    p.add_argument("--unit", help="只看该单位及其下级")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--csv", action="store_true")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("setup-template", help="写出空白设置工作簿")
    p.add_argument("--out", required=True, type=Path)
    p.set_defaults(func=cmd_setup_template)

    p = sub.add_parser("setup-import", help="导入设置工作簿（单位、科室、领导、指标、责任分工、目标）")
    add_db_arg(p)
    p.add_argument("file", type=Path)
    p.add_argument("--who", default=None)
    p.set_defaults(func=cmd_setup_import)

    from indicators.cli import (  # the other command groups
        explain,
        report,
        returns,
        tasks,
    )
    returns.add_parsers(sub)
    report.add_parsers(sub)
    tasks.add_parsers(sub)
    explain.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.settings = load()  # the one place the command line reads the environment
    except SettingError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except RejectedInput as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_REJECTED
    except IndicatorsError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_REJECTED
    except FileNotFoundError as exc:
        print(f"文件不存在：{exc.filename}", file=sys.stderr)
        return EXIT_REJECTED


if __name__ == "__main__":
    raise SystemExit(main())
