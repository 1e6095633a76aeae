"""The briefing deck stays a briefing whatever the city's size: each section of
``pptx_deck`` gets at most ``SLIDES[section]`` slides (at most ``MAX_SLIDES`` in all).
When a section would need more, it shows the most-behind items and the deck's last slide
(附) says what was left out and where it is — the same month's 调度表 (XLSX), which holds
every row. Nothing here draws; it picks and words.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from indicators.report.summary import LAGGING, Summary

# slides per section; with the title, the overview and the appendix: 29 at most
SLIDES = {"lagging": 2, "explanations": 3, "tasks": 2, "charts": 12, "table": 3, "matrix": 4}
MAX_SLIDES = 2 + sum(SLIDES.values()) + 1
XLSX = "同期调度表（XLSX）"


@dataclass(frozen=True)
class Left:
    """One section's rows not on its slides: ``what`` they are, how many, where they are."""

    what: str
    count: int
    where: str
    names: str = ""  # for a few items: which ones

    def kicker(self) -> str:
        """The short words under a cut section's title (the 附 slide has the long ones)."""
        return f"其余{self.count}{self.unit}见{self.where.replace(XLSX, '调度表')}"

    @property
    def unit(self) -> str:
        return "个单位" if self.what == "各区县完成情况" else "项"


def keep_pages(pages: list[list[int]], section: str) -> tuple[list[list[int]], int]:
    """The first pages a section may show, and how many rows the rest would have held."""
    budget = SLIDES[section]
    return pages[:budget], sum(len(p) for p in pages[budget:])


def behind_first(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows most behind first: far behind, lagging, then the rest, each by gap (smallest
    first); rows without a gap last. Stable, so equal rows keep their order."""
    severity = frame["status"].map({"far_behind": 0, "lagging": 1}).fillna(2)
    gap = pd.to_numeric(frame["gap_pp"], errors="coerce")
    order = pd.DataFrame({"s": severity, "g": gap.fillna(float("inf"))}, index=frame.index)
    return frame.loc[order.sort_values(["s", "g"], kind="stable").index]


def chart_picks(s: Summary) -> tuple[list[str], list[str]]:
    """The chart indicators with a slide of their own (the most behind at the scope, then
    those with most lagging districts), in the deck's order, and the names of the rest."""
    codes = list(s.chart_indicators)
    if len(codes) <= SLIDES["charts"]:
        return codes, []
    scope = s.indicators.set_index("indicator_code")
    lag_kids = s.children[s.children["status"].isin(LAGGING)].groupby("indicator_code").size()
    rows = pd.DataFrame({
        "code": codes,
        "status": [scope["status"].get(c, "") for c in codes],
        "gap_pp": [scope["gap_pp"].get(c) for c in codes],
        "kids": [-int(lag_kids.get(c, 0)) for c in codes],
    })
    rows = behind_first(rows.sort_values("kids", kind="stable"))
    chosen = set(rows["code"].head(SLIDES["charts"]))
    names = s.indicators.set_index("indicator_code")["indicator_name"]
    left = [str(names.get(c, s.children.loc[s.children["indicator_code"] == c, "indicator_name"].iloc[0]))
            for c in codes if c not in chosen]
    return [c for c in codes if c in chosen], left


def matrix_units(kids: pd.DataFrame, units: pd.DataFrame, fits: int) -> tuple[pd.DataFrame, int]:
    """At most ``fits`` of the matrix's units: those with the most lagging indicators
    (ties in the units' order), shown in the units' order; and how many are left out."""
    if len(units) <= fits:
        return units, 0
    lagging = kids[kids["status"].isin(LAGGING)].groupby("org_unit_code").size()
    ranked = units.assign(_lag=[-int(lagging.get(c, 0)) for c in units["org_unit_code"]])
    chosen = set(ranked.sort_values(["_lag", "unit_order"], kind="stable")["org_unit_code"].head(fits))
    return units[units["org_unit_code"].isin(chosen)], len(units) - len(chosen)


def appendix_rows(left: list[Left]) -> list[list[str]]:
    """The appendix slide's table: section, how many left out (and which, for a few), where."""
    return [[x.what, f"{x.count}{x.unit}" + (f"：{x.names}" if x.names else ""), x.where] for x in left]
