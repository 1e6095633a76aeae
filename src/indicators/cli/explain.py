"""``indicators explain`` — lagging explanations (滞后说明).

    indicators explain --period 2026-10 [--json]            # required / given / missing
    indicators explain --period 2026-10 --indicator JSHT --unit BS \\
        --reason … --measures … [--catch-up 2026-12] [--as bs_user]

Every indicator × unit that is 滞后 or 严重滞后 in the month needs one; the list is the
lagging rows of ``indicators status --period …`` exactly, with who must explain, the
responsible leader, and the explanation given (or the one last given, as the starting
text).
"""

from __future__ import annotations

import pandas as pd

from indicators import clock
from indicators.cli.args import (
    EXIT_OK,
    acting,
    add_as_arg,
    add_db_arg,
    open_db,
    period_arg,
    unit_arg,
)
from indicators.cli.output import print_json, records
from indicators.errors import RejectedInput
from indicators.rules import periods

EXPLAIN_JSON_KEYS = ["indicator_code", "indicator_name", "org_unit_code", "org_unit_name", "period", "status",
                     "status_label", "gap_pp", "responsible", "lead_department", "leader", "explanation_state",
                     "prev_period", "prev_reason", "prev_measures", "prev_catch_up"]


def add_parsers(sub) -> None:
    p = sub.add_parser("explain", help="滞后说明：列出应说明/已说明/待补充，或填写一条说明")
    add_db_arg(p)
    add_as_arg(p)
    p.add_argument("--period", required=True, type=period_arg, help="数据截至月份 YYYY-MM")
    p.add_argument("--indicator", help="指标代码（填写说明时）")
    p.add_argument("--unit", help="单位代码、名称或别名（填写说明时）")
    p.add_argument("--reason", help="滞后原因")
    p.add_argument("--measures", help="整改措施")
    p.add_argument("--catch-up", type=period_arg, default=None, help="预计赶上月份 YYYY-MM")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_explain)


def explained_table(con, period: str, settings) -> pd.DataFrame:
    """The dispatch table of ``period`` with the explanation columns."""
    from indicators import explanations
    from indicators.dispatch import dispatch_table
    return explanations.attach(con, dispatch_table(con, period, settings))


def cmd_explain(args) -> int:
    giving = any(v is not None for v in (args.indicator, args.unit, args.reason, args.measures, args.catch_up))
    if giving and not (args.indicator and args.unit):
        raise RejectedInput("填写滞后说明需要 --indicator 和 --unit（以及 --reason、--measures）")
    settings = args.settings
    with open_db(args, read_only=not giving) as con:
        table = explained_table(con, args.period, settings)
        if giving:
            return _give(con, table, args)
    rows = table[table["explanation_required"]]
    if args.json:
        print_json(explain_records(rows))
        return EXIT_OK
    print(_text(rows, args.period))
    return EXIT_OK


def explain_records(rows: pd.DataFrame) -> list[dict]:
    from indicators import explanations
    out = records(rows, EXPLAIN_JSON_KEYS)
    for rec, row in zip(out, rows.to_dict(orient="records")):
        rec["explanation"] = explanations.explanation_record(row)
    return out


def _give(con, table: pd.DataFrame, args) -> int:
    from indicators import explanations
    row = explanations.give(con, table, indicator_code=args.indicator, org_unit=unit_arg(con, args.unit),
                            reason=args.reason or "", measures=args.measures or "", catch_up=args.catch_up,
                            actor=acting(args, con), at=clock.now(args.settings))
    if args.json:
        print_json(explain_records(pd.DataFrame([row]))[0])
    else:
        print(f"已保存 {row['indicator_name']} · {row['org_unit_name']} {periods.label(args.period)}滞后说明")
    return EXIT_OK


def _text(rows: pd.DataFrame, period: str) -> str:
    given = int(rows["explanation_state"].eq("given").sum())
    lines = [f"滞后说明 · {periods.label(period)} · 应说明 {len(rows)} 项，已说明 {given} 项，待补充 {len(rows) - given} 项"]
    for r in rows.sort_values(["explanation_state", "leader"], ascending=[False, True]).itertuples(index=False):
        state = "已说明" if r.explanation_state == "given" else "待补充"
        lines.append(f"{state}\t{r.indicator_name[:14]}\t{r.org_unit_name}\t{r.status_label}\t"
                     f"说明：{r.responsible}\t分管：{r.leader or '—'}")
        if r.explanation_state == "given":
            lines.append(f"\t原因：{r.reason}\t措施：{r.measures}\t预计赶上：{r.catch_up or '—'}")
    return "\n".join(lines)
