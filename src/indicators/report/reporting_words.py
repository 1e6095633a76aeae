"""The notice's 报送情况 (who sent what was due, on time, late or not at all): the
paragraph under 一、总体情况 and the sentence of 五、报送情况. Whether a figure came late
is ``returns.completeness``' rule (the first upload still in force against the deadline),
brought in by ``summary.with_timeliness``; a summary without it says nothing of 按时."""

from __future__ import annotations

from indicators.report.summary import Summary
from indicators.rules.due import unreported


def reporting_sentence(s: Summary) -> str:
    """报送情况: who has sent this month's figures on time, who late, who not (from the
    statuses, and the upload times ``summary.with_timeliness`` adds)."""
    rows = s.children if not s.children.empty else s.indicators
    due = rows[~rows["status"].isin(["not_due", "no_target"])]
    if due.empty:
        return f"{s.period_label}没有到期应报送的重点指标。"
    missing = due[unreported(due)].groupby("org_unit_name", sort=False).size()
    units = list(dict.fromkeys(due["org_unit_name"]))
    if s.children.empty:
        return f"本月{s.scope_name}应报送{len(due)}项指标，已报送{len(due) - int(missing.sum())}项。"
    late = _sent_late(s)
    full = [u for u in units if u not in missing.index]
    if late is None:  # when each figure came is not known here: no word on 按时
        text = f"本月应报送数据的{len(units)}个区县中，{len(full)}个已全部报送"
    else:
        text = f"本月应报送数据的{len(units)}个区县中，{sum(u not in late for u in full)}个已按时全部报送"
        if late:
            text += "；" + "、".join(f"{u}逾期报送{n}项" for u, n in late.items())
    if len(missing):
        text += "；" + "、".join(f"{u}未报送{n}项指标" for u, n in missing.items()) + "，请抓紧补报"
    return text + "。"


def _sent_late(s: Summary) -> dict[str, int] | None:
    """Child unit name → how many of its figures first came after the deadline (those
    with any); None when the summary does not know (``summary.with_timeliness``)."""
    rep = s.reporting
    if "sent_late" not in rep.columns:
        return None
    return {r.org_unit_name: int(r.sent_late) for r in rep.itertuples(index=False) if r.sent_late}


def reporting_paragraphs(s: Summary) -> list[str]:
    """报送情况: which units reported everything due, which are late and with what, and
    the figures above that are therefore partial."""
    rep = s.reporting
    if rep.empty:
        return []
    due = rep[rep["due"] > 0]
    late = due[due["missing"] > 0]
    full = due[due["missing"] == 0]
    sent_late = _sent_late(s)
    text = f"报送情况：本月应报送的{len(due)}个单位中，"
    text += (f"{len(full)}个已全部报送（{'、'.join(full['org_unit_name'])}）" if len(full) else "没有单位全部报送")
    if sent_late:
        items = [f"{r.org_unit_name}（{_some(r.late_indicators)}）" for r in due.itertuples(index=False)
                 if r.sent_late]
        text += f"；{len(items)}个逾期报送：{'；'.join(items)}"
    if late.empty:
        text += "，无漏报。" if sent_late or sent_late is None else "，无迟报、漏报。"
    else:
        items = [f"{r.org_unit_name}（缺{_some(r.missing_indicators)}）" for r in late.itertuples(index=False)]
        text += f"；{len(late)}个未报齐：{'；'.join(items)}。"
    paragraphs = [text]
    if not s.partial.empty:
        names = "、".join(f"{r.indicator_name}（缺{r.missing_units}）" if r.missing_units else r.indicator_name
                         for r in s.partial.itertuples(index=False))
        paragraphs.append(f"因上述单位未报送，以下{s.scope_name}数据为部分汇总：{names}；"
                          "其同比等比较按可比口径（剔除未报单位）计算。")
    return paragraphs


def _some(names: list[str]) -> str:
    """Up to three indicator names, then 等N项."""
    return "、".join(names[:3]) + (f"等{len(names)}项" if len(names) > 3 else "")
