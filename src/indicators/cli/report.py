"""``indicators report`` — the monthly briefing pack from the command line.

    indicators report [--period 2026-10] --format pptx --out 汇报.pptx [--unit CODE]
    indicators report --period 2026-10 --format png --indicator TC --out tc.png
"""

from __future__ import annotations

from pathlib import Path

from indicators import clock
from indicators.cli.args import add_db_arg, add_period_arg, as_of, open_db, unit_arg
from indicators.errors import RejectedInput
from indicators.rules import periods

FORMAT_CHOICES = ("pptx", "xlsx", "docx", "md", "pdf", "brief", "png")


def add_parsers(sub) -> None:
    p = sub.add_parser("report", help="生成月调度材料：汇报幻灯片、调度表、通报草稿、图表图片")
    add_db_arg(p)
    add_period_arg(p)
    p.add_argument("--format", required=True, choices=FORMAT_CHOICES,
                   help="pptx 汇报幻灯片 / xlsx 调度表 / docx、md、pdf 通报（红头）/ brief 一页 A3 简报（PDF）/ png 某指标完成率图")
    p.add_argument("--out", required=True, type=Path, help="输出文件")
    p.add_argument("--unit", help="报告范围：该单位及其下级（单位代码、名称或别名；默认全市）")
    p.add_argument("--indicator", help="png：指标代码（默认第一个滞后指标）")
    p.add_argument("--require-explanations", action="store_true",
                   help="滞后说明齐全才生成（默认：缺的说明标【待补充】）")
    p.set_defaults(func=cmd_report)


def cmd_report(args) -> int:
    from indicators import report
    settings, period = args.settings, as_of(args)
    with open_db(args, read_only=True) as con:
        summary = report.build_summary(con, period, unit=unit_arg(con, args.unit), settings=settings)
        if args.format == "png":
            from indicators.report.png import indicator_sources
            sources = indicator_sources(con)
    if summary.indicators.empty:
        raise RejectedInput(f"{periods.label(period)} 没有{summary.scope_name}的指标数据，未生成报告")
    if args.format == "png":
        data = _png(summary, args.indicator, settings, sources)
    else:
        data = report.render(summary, args.format, issued=clock.today(settings), deadline_day=settings.deadline_day,
                             complete_only=args.require_explanations)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    sup = summary.supervision
    marks = f"；滞后说明待补充 {len(sup.missing)} 项，已标【待补充】" if sup is not None and len(sup.missing) else ""
    counts = (f"{summary.total}项重点指标：{summary.on_track_total}项达序时，{summary.lagging_total}项滞后"
              if summary.has_targets or not summary.untargeted else f"{summary.untargeted}项指标均未设定年度目标")
    print(f"已生成 {args.out}（{summary.scope_name} · 数据截至{summary.period_label} · {counts}{marks}）")
    return 0


def _png(summary, code: str | None, settings, sources: dict[str, str]) -> bytes:
    import pandas as pd

    from indicators.report.png import completion_figure, figure_png
    table = pd.concat([summary.indicators, summary.children])
    if code is None:
        if not summary.chart_indicators:
            raise RejectedInput("没有滞后指标；请用 --indicator 指定要导出的指标代码")
        code = summary.chart_indicators[0]
    if code not in set(table["indicator_code"]):
        raise RejectedInput(f"指标 {code} 不存在或该月没有数据")
    fig = completion_figure(table, summary.period, code, parent=summary.scope_code,
                            source=sources.get(code, summary.source))
    return figure_png(fig, browser=settings.browser_path)
