"""The numbers a briefing pack needs, computed once from the dispatch table.

Pure DataFrame in, plain data out: the slides, the Excel table and the notice all read
the same ``Summary`` so that they can never disagree with each other or with
``indicators status``.

Scope: the report is about one unit (the city by default, or ``--unit``) and its direct
children (the districts). An indicator counts as a 重点指标 of the scope when the scope
unit has a target for it (its status is anything but ``no_target``).

Frames of a ``Summary``:

- ``indicators`` — the scope unit's rows of the dispatch table, one per indicator, in
  display order (all columns of the dispatch table).
- ``counts`` — int per status of ``theme.STATUS_ORDER`` except ``no_target``.
- ``lagging`` — scope rows with status lagging/far_behind, worst gap first; columns
  indicator_code, indicator_name, unit, decimals, value, target, completion, expected,
  gap_pp, status, status_label, lead_department, leader, lagging_units (list of child
  unit names that lag on it), completion_text, gap_text, partial_text, gap_change_text
  (差距较上月, '' where none is counted).
- ``ranking`` — one row per child unit, ``rules.ranking.unit_ranking`` (the same rule as
  调度总览): org_unit_code, org_unit_name, unit_order, due (indicators with a target that
  are due), reported, done, on_track, on_track_total (done + on_track), lagging,
  far_behind, missing, on_track_share (fraction of due), mean_gap_pp, rank (1 = best;
  ties share; NA for a unit with nothing due or nothing reported), rank_of, note,
  rank_last, rank_move (+ = places gained since last month), mean_gap_pp_last, gap_change_pp.
- ``reporting`` — one row per child unit: org_unit_code, org_unit_name, unit_order, due
  (indicators due this period, with or without a target), missing (how many of them
  were not reported), missing_indicators (their names, in display order).
- ``partial`` — the scope's figures that are partial roll-ups: indicator_code,
  indicator_name, missing_units.
- ``children`` — the child units' rows of the dispatch table.
- ``chart_indicators`` — indicator codes that get a chart: lagging at the scope, or
  with at least one lagging child, in display order.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from indicators import cards
from indicators.errors import RejectedInput
from indicators.rules import periods
from indicators.rules.due import unreported
from indicators.rules.month_change import unit_ranking_moves
from indicators.theme import STATUS_ORDER
from indicators.views.scope import child_rows, key_indicators

COUNTED = [s for s in STATUS_ORDER if s != "no_target"]
ON_TRACK = ("done", "on_track")
LAGGING = ("lagging", "far_behind")


@dataclass(frozen=True)
class Summary:
    period: str
    scope_code: str
    scope_name: str
    source: str
    indicators: pd.DataFrame
    children: pd.DataFrame
    counts: dict[str, int]
    lagging: pd.DataFrame
    ranking: pd.DataFrame
    reporting: pd.DataFrame = field(default_factory=pd.DataFrame)
    key_codes: list[str] = field(default_factory=list)  # the indicators the pack is about (views.scope)
    partial: pd.DataFrame = field(default_factory=pd.DataFrame)
    chart_indicators: list[str] = field(default_factory=list)
    # explanations and key tasks (report.supervision.Supervision), added by report.supervise
    supervision: object | None = None

    @property
    def period_label(self) -> str:
        return periods.label(self.period)

    @property
    def month(self) -> int:
        return periods.parse(self.period)[1]

    @property
    def key_rows(self) -> pd.DataFrame:
        """The scope's rows of the indicators the pack is about, targets or not."""
        return self.indicators[self.indicators["indicator_code"].isin(self.key_codes)]

    @property
    def total(self) -> int:
        """N: the scope's key indicators (those with a target)."""
        return int(sum(self.counts.values()))

    @property
    def has_targets(self) -> bool:
        """Whether any of the scope's key indicators has a target this year (a year of
        published statistics has none: values, 同比 and ranks by value only)."""
        return bool(self.key_rows["target_basis"].notna().any())

    @property
    def untargeted(self) -> int:
        """The scope's key indicators due without a target (无目标)."""
        return int(self.key_rows["status"].eq("no_target").sum())

    @property
    def on_track_total(self) -> int:
        return self.counts["done"] + self.counts["on_track"]

    @property
    def lagging_total(self) -> int:
        return self.counts["lagging"] + self.counts["far_behind"]

    @property
    def child_names(self) -> list[str]:
        return self.ranking.sort_values("unit_order")["org_unit_name"].tolist() if not self.ranking.empty else []


def scope_unit(table: pd.DataFrame, unit: str | None = None) -> tuple[str, str]:
    """(code, name) of the report's scope: ``unit`` or the top unit of the table."""
    if unit:
        rows = table[table["org_unit_code"] == unit]
        if rows.empty:
            raise RejectedInput(f"单位 {unit} 不存在或该月没有数据，未生成报告")
    elif table.empty:
        raise RejectedInput("该月没有任何指标数据，未生成报告")
    else:
        top = table["level"].min()
        rows = table[table["level"] == top].sort_values(["unit_order", "org_unit_code"])
    return str(rows["org_unit_code"].iloc[0]), str(rows["org_unit_name"].iloc[0])


def summarize(table: pd.DataFrame, period: str, unit: str | None = None,
              source: str = "市科技局指标月调度系统") -> Summary:
    """Everything a report shows, from a dispatch table (``dispatch.dispatch_table``)."""
    code, name = scope_unit(table, unit)
    scope = table[table["org_unit_code"] == code].copy()
    scope = scope.sort_values(["indicator_order", "indicator_code"]).reset_index(drop=True)
    children = table[table["parent_code"] == code].copy()
    children = children.sort_values(["indicator_order", "indicator_code", "unit_order", "org_unit_code"])
    children = children.reset_index(drop=True)

    vc = scope["status"].value_counts()
    counts = {s: int(vc.get(s, 0)) for s in COUNTED}

    lag_units = (children[children["status"].isin(LAGGING)]
                 .groupby("indicator_code")["org_unit_name"].agg(list))
    lagging = scope[scope["status"].isin(LAGGING)].sort_values("gap_pp", kind="stable").copy()
    lagging["lagging_units"] = [lag_units.get(c, []) for c in lagging["indicator_code"]]
    recs = lagging.to_dict(orient="records")
    lagging["completion_text"] = [cards.completion_text(r) for r in recs]
    lagging["gap_text"] = [cards.gap_text(r) for r in recs]
    lagging["partial_text"] = [cards.partial_text(r) for r in recs]  # the card's, without the card
    lagging["gap_change_text"] = [cards.gap_change_text(r) for r in recs]
    lagging = lagging[[
        "indicator_code", "indicator_name", "kind", "unit", "decimals", "value", "target", "completion",
        "expected", "gap_pp", "status", "status_label", "lead_department", "leader", "lagging_units",
        "completion_text", "gap_text", "partial_text", "gap_change_text",
    ]].reset_index(drop=True)

    with_lagging_child = set(lag_units.index)
    chart = [c for c, s in zip(scope["indicator_code"], scope["status"])
             if s in LAGGING or c in with_lagging_child]
    # indicators with no target at the scope but lagging districts still deserve a chart
    chart += [c for c in children["indicator_code"].drop_duplicates()
              if c in with_lagging_child and c not in chart]

    return Summary(period=period, scope_code=code, scope_name=name, source=source,
                   indicators=scope, children=children, counts=counts, lagging=lagging,
                   ranking=district_ranking(table, code), reporting=reporting(children),
                   partial=scope.loc[scope["provenance"].eq("partial"),
                                     ["indicator_code", "indicator_name", "missing_units"]].reset_index(drop=True),
                   key_codes=list(key_indicators(table)), chart_indicators=chart)


def district_ranking(table: pd.DataFrame, parent: str) -> pd.DataFrame:
    """``rules.ranking.unit_ranking`` over the key-indicator rows of ``parent``'s children —
    the very call 调度总览 makes (``views.overview.district_ranking``), against last month
    (``rules.month_change``: rank_last, rank_move, mean_gap_pp_last, gap_change_pp) —
    plus on_track_total = done + on_track."""
    out = unit_ranking_moves(child_rows(table, parent))
    out["on_track_total"] = out["done"] + out["on_track"] if not out.empty else pd.Series(dtype=int)
    return out


def unit_categories(rows: pd.DataFrame) -> list[str]:
    """A chart's unit labels: 「青溪县（未报送）」 where nothing was sent, 「示例市（部分汇总）」
    for a partial total — one wording for the slides and the brief."""
    late = unreported(rows).to_numpy(dtype=bool)
    return [f"{n}（未报送）" if no else (f"{n}（部分汇总）" if pv == "partial" else n)
            for n, no, pv in zip(rows["org_unit_name"], late, rows["provenance"])]


def reporting(children: pd.DataFrame) -> pd.DataFrame:
    """Who reported what was due this period (报送情况): per child unit, how many due
    figures and which are missing."""
    cols = ["org_unit_code", "org_unit_name", "unit_order", "due", "missing", "missing_indicators"]
    if children.empty:
        return pd.DataFrame(columns=cols)
    due = children[~children["status"].eq("not_due")]
    units = children[["org_unit_code", "org_unit_name", "unit_order"]].drop_duplicates("org_unit_code")
    late = due[unreported(due)].sort_values("indicator_order")
    out = units.assign(
        due=units["org_unit_code"].map(due.groupby("org_unit_code").size()).fillna(0).astype(int),
        missing=units["org_unit_code"].map(late.groupby("org_unit_code").size()).fillna(0).astype(int),
        missing_indicators=units["org_unit_code"].map(late.groupby("org_unit_code")["indicator_name"].agg(list)))
    out["missing_indicators"] = [v if isinstance(v, list) else [] for v in out["missing_indicators"]]
    return out.sort_values("unit_order")[cols].reset_index(drop=True)


def with_timeliness(summary: Summary, late: pd.DataFrame) -> Summary:
    """``summary`` whose 报送情况 also says who sent late: per child unit, ``sent_late`` —
    how many of its due figures first came after the deadline (``late``: the pairs
    ``returns.completeness.sent_late`` gives, org_unit and indicator_code) — and which
    (``late_indicators``). A unit that sent everything, some of it late, has not sent
    everything on time."""
    rep = summary.reporting
    if rep.empty:
        return summary
    children = summary.children
    sent = children[~children["status"].eq("not_due") & children["value"].notna()]
    keys = set(zip(late["org_unit"], late["indicator_code"])) if len(late) else set()
    hit = sent[[k in keys for k in zip(sent["org_unit_code"], sent["indicator_code"])]].sort_values("indicator_order")
    names = hit.groupby("org_unit_code")["indicator_name"].agg(list)
    rep = rep.assign(sent_late=rep["org_unit_code"].map(names.str.len()).fillna(0).astype(int),
                     late_indicators=[names.get(c, []) for c in rep["org_unit_code"]])
    return replace(summary, reporting=rep)


def key_figures(summary: Summary, limit: int = 8) -> pd.DataFrame:
    """The scope's first ``limit`` due indicators with a target (display order) for the
    overview; in a year without any target, those without (their value and 同比)."""
    s = summary.indicators
    s = s[s["status"] != "not_due"]
    s = s[s["status"] != "no_target"] if (s["status"] != "no_target").any() else s
    return s.head(limit).reset_index(drop=True)
