"""The briefing deck stays a briefing whatever the city's size: each section of
``pptx_deck`` gets at most ``SLIDES[section]`` slides (``MAX_SLIDES`` in all). When a
section would need more, it shows the most-behind items; every indicator without a slide
or a row of its own is listed on the 附表 pages (``appendix``), most behind first, and the
附 slide says what was left out and where it is — the 附表 or the same month's 调度表
(XLSX), which holds every row. Nothing is measured or built past what can be shown, so the
deck costs the same for a city of any size. Nothing here draws; it picks and words.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from indicators.report.summary import LAGGING, Summary

MAX_SLIDES = 30  # the whole deck, whatever the city's size
# slides per section; with the title, the overview and the 附 slide: MAX_SLIDES
SLIDES = {"lagging": 2, "explanations": 3, "tasks": 2, "charts": 10, "table": 3, "matrix": 4, "appendix": 3}
assert 2 + sum(SLIDES.values()) + 1 == MAX_SLIDES
XLSX = "同期调度表（XLSX）"
APPENDIX = "附表「其余指标」"


@dataclass(frozen=True)
class Left:
    """One section's rows not on its slides: ``what`` they are, how many, where they are."""

    what: str
    count: int
    where: str
    names: str = ""  # for a few items: which ones

    unit: str = "项"

    def kicker(self) -> str:
        """The short words under a cut section's title (the 附 slide has the long ones)."""
        return f"其余{self.count}{self.unit}见{self.where.replace(XLSX, '调度表')}"


def row_cap(section: str, min_height: int, max_height: int, per_row: int = 1) -> int:
    """How many items a section's slides can hold at most (a row is at least ``min_height``
    tall, the header too; ``per_row`` items side by side): only these are worded and
    measured, the rest are counted."""
    return SLIDES[section] * max(1, int((max_height - min_height) // min_height)) * per_row


def keep_pages(pages: list[list[int]], section: str, total: int | None = None) -> tuple[list[list[int]], int]:
    """The first pages a section may show, and how many rows are left out: those of the
    other pages, or of ``total`` rows when only the first ``row_cap`` were paginated."""
    kept = pages[:SLIDES[section]]
    shown = sum(len(p) for p in kept)
    return kept, (sum(len(p) for p in pages) if total is None else total) - shown


def behind_first(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows most behind first: far behind, lagging, then the rest, each by gap (smallest
    first); rows without a gap last. Stable, so equal rows keep their order."""
    severity = frame["status"].map({"far_behind": 0, "lagging": 1}).fillna(2)
    gap = pd.to_numeric(frame["gap_pp"], errors="coerce")
    order = pd.DataFrame({"s": severity, "g": gap.fillna(float("inf"))}, index=frame.index)
    return frame.loc[order.sort_values(["s", "g"], kind="stable").index]


def most_behind(s: Summary, codes: list[str]) -> list[str]:
    """``codes`` most behind first: ``behind_first`` on the scope's status and gap, equal
    ones by how many districts lag on them (most first), then in the given order."""
    scope = s.indicators.drop_duplicates("indicator_code").set_index("indicator_code")
    lag_kids = s.children[s.children["status"].isin(LAGGING)].groupby("indicator_code").size()
    rows = pd.DataFrame({
        "code": codes,
        "status": scope["status"].reindex(codes).fillna("").to_numpy(),
        "gap_pp": scope["gap_pp"].reindex(codes).to_numpy(),
        "kids": -lag_kids.reindex(codes).fillna(0).astype(int).to_numpy(),
    })
    return behind_first(rows.sort_values("kids", kind="stable"))["code"].tolist()


def chart_picks(s: Summary) -> tuple[list[str], list[str]]:
    """The chart indicators with a slide of their own (``most_behind``), in the deck's
    order, and the codes of the rest (most behind first: they lead the 附表)."""
    codes = list(s.chart_indicators)
    if len(codes) <= SLIDES["charts"]:
        return codes, []
    ranked = most_behind(s, codes)
    chosen = set(ranked[:SLIDES["charts"]])
    return [c for c in codes if c in chosen], ranked[SLIDES["charts"]:]


def appendix_codes(s: Summary, shown: set[str]) -> list[str]:
    """The indicators a leader needs — the scope's key indicators and every chart
    indicator — that have neither a slide (chart) nor a row (滞后指标, 调度表) of their own,
    most behind first: the 附表."""
    codes = list(dict.fromkeys([*s.key_rows["indicator_code"], *s.chart_indicators]))
    return most_behind(s, [c for c in codes if c not in shown])


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
