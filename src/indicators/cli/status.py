"""``indicators status`` — the dispatch table of a month (text, ``--json``, ``--csv``)."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from indicators.cli.args import EXIT_OK, add_db_arg, add_period_arg, as_of, open_db, unit_arg
from indicators.cli.output import json_rows, json_text, print_json_chunks
from indicators.errors import RejectedInput
from indicators.rules import periods
from indicators.rules.ranking import MEASURES


def _status_keys() -> list[str]:
    """The keys of ``status --json`` (README: "status --json keys"): the dispatch table's
    columns but the display-order helpers (and ``explanation_required``, ``explanation``)."""
    from indicators.dispatch import COLUMNS
    return [c for c in COLUMNS if c not in ("unit_order", "indicator_order", "support_departments")]


STATUS_JSON_KEYS = _status_keys()


def add_parsers(sub) -> None:
    p = sub.add_parser("status", help="某月调度表")
    add_db_arg(p)
    add_period_arg(p)
    p.add_argument("--unit", help="只看该单位及其下级（单位代码、名称或别名）")
    p.add_argument("--rank-by", choices=list(MEASURES), default=None,
                   help="排名依据：value 数值（按指标方向）/ completion 完成率 / gap 与序时进度差距 / yoy 同比；"
                        "默认：同级单位都有目标时按完成率，否则按数值")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--csv", action="store_true")
    p.set_defaults(func=cmd_status)


def cmd_status(args) -> int:
    from indicators import explanations
    from indicators.dispatch import dispatch_table
    period = as_of(args)
    with open_db(args, read_only=True) as con:
        unit = unit_arg(con, args.unit)
        table = explanations.attach(con, dispatch_table(con, period, args.settings, unit=unit, rank_by=args.rank_by))
        if unit and table.empty:
            raise RejectedInput(f"单位 {args.unit} 在 {periods.label(period)} 没有数据")
        if args.period is None and table["value"].isna().all():
            _say_newest_with_data(con, period)
        rows = json_rows(con, table, STATUS_JSON_KEYS, {
            "explanation_required": ["true" if b else "false" for b in table["explanation_required"].astype(bool)],
            "explanation": _explanation_json(table)}) if args.json else None
    if rows is not None:
        print_json_chunks(rows)
    elif args.csv:  # for people: Excel/WPS open it right (BOM), and no cell is a formula
        from indicators.safe_text import csv_text
        sys.stdout.write(csv_text(table[STATUS_JSON_KEYS]))
    else:
        print(_status_text(table, period))
    return EXIT_OK


def _say_newest_with_data(con, period: str) -> None:
    """On stderr, as the pages' note says it: the latest due month (the default) has no data
    yet — a bureau whose returns are late — and which month has (the output is unchanged)."""
    from indicators.db import catalog
    from indicators.views.scope import month_menu
    _months, default, note = month_menu(catalog.periods(con), period)
    if note and default:  # the page's rule for the month to show instead
        print(f"{periods.label(period)}的报送截止日已过，但还没有任何报送数据；最近有数据的是 "
              f"{periods.label(default)}（--period {default}）。", file=sys.stderr)


def _explanation_json(table: pd.DataFrame) -> list[str]:
    """Each row's ``explanation`` object as JSON text: null but where one was given
    (``explanations.explanation_record`` of those rows only)."""
    from indicators import explanations
    out = ["null"] * len(table)
    given = np.flatnonzero(table["explanation_state"].eq("given").to_numpy(dtype=bool, na_value=False))
    for i, row in zip(given, table.iloc[given].to_dict(orient="records")):
        out[i] = json_text(explanations.explanation_record(row))
    return out


def _progress_words(r) -> str:
    """A level judged by its change since last year-end (``change``) is compared with 序时
    on that progress, not on 完成 (V ÷ T): shown, so the gap is progress − 序时 as printed."""
    from indicators.formatting import fmt_pct
    return f"增量进度 {fmt_pct(r.progress):>7}\t" if r.status_rule == "change" else ""


def _done_word(r) -> str:
    """完成, or 已用 for an annual limit (越低越好: the share of the limit used), as the cards say."""
    return "已用" if r.status_rule == "cumulative_limit" else "完成"


def _partial_words(r) -> str:
    """A partial total says so and names who is missing, as on every page and slide; one
    judged like for like shows the comparable figures its 完成 and gap are taken from."""
    from indicators.cards import comparable_text, partial_text
    row = r._asdict()
    return "".join(f"\t{text}" for text in (partial_text(row), comparable_text(row)) if text)


def _status_text(table: pd.DataFrame, period: str) -> str:
    from indicators.formatting import fmt_pct, fmt_pp, fmt_value
    lines = [f"调度表 · 数据截至 {periods.label(period)} · {len(table)} 行"]
    if table.empty:
        return lines[0] + f"\n{periods.label(period)}没有任何目标或报送数据：请检查 --period。"
    counts = table["status_label"].value_counts()
    lines.append("  ".join(f"{k} {v}" for k, v in counts.items()))
    for r in table.itertuples(index=False):
        rank = f"第{int(r.rank)}/{int(r.rank_of)}" if pd.notna(r.rank) else "—"
        lines.append(
            f"{r.indicator_name[:14]:<14}\t{r.org_unit_name:<6}\t{fmt_value(r.value, r.unit, r.decimals):>14}\t"
            f"目标 {fmt_value(r.target, r.unit, r.decimals):>14}\t{_done_word(r)} {fmt_pct(r.completion):>7}\t"
            f"{_progress_words(r)}序时 {fmt_pct(r.expected):>7}\t{fmt_pp(r.gap_pp):>10}\t{r.status_label}\t排名 {rank}"
            + _partial_words(r))
    return "\n".join(lines)
