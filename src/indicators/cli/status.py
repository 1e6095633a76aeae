"""``indicators status`` — the dispatch table of a month (text, ``--json``, ``--csv``)."""

from __future__ import annotations

import sys

import pandas as pd

from indicators.cli.args import EXIT_OK, add_db_arg, add_period_arg, as_of, open_db
from indicators.cli.output import print_json, records
from indicators.errors import RejectedInput
from indicators.rules import periods

STATUS_JSON_KEYS = [
    "indicator_code", "indicator_name", "org_unit_code", "org_unit_name", "period", "value_period",
    "kind", "unit", "value", "period_value", "target", "baseline", "completion", "expected",
    "expected_basis", "gap_pp", "status", "status_label", "yoy", "yoy_pp", "mom", "rank", "rank_of",
    "projection", "projection_reaches", "lead_department", "leader", "provenance", "batch_id",
    "missing_units",
]


def add_parsers(sub) -> None:
    p = sub.add_parser("status", help="某月调度表")
    add_db_arg(p)
    add_period_arg(p)
    p.add_argument("--unit", help="只看该单位及其下级")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--csv", action="store_true")
    p.set_defaults(func=cmd_status)


def cmd_status(args) -> int:
    from indicators import explanations
    from indicators.dispatch import dispatch_table
    period = as_of(args)
    with open_db(args, read_only=True) as con:
        table = explanations.attach(con, dispatch_table(con, period, args.settings, unit=args.unit))
    if args.unit and table.empty:
        raise RejectedInput(f"单位 {args.unit} 不存在或没有数据")
    if args.json:
        out = records(table, STATUS_JSON_KEYS)
        for rec, row in zip(out, table.to_dict(orient="records")):
            rec["explanation_required"] = bool(row["explanation_required"])
            rec["explanation"] = explanations.explanation_record(row)
        print_json(out)
    elif args.csv:  # for people: Excel/WPS open it right (BOM), and no cell is a formula
        from indicators.safe_text import csv_text
        sys.stdout.write(csv_text(table[STATUS_JSON_KEYS]))
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
