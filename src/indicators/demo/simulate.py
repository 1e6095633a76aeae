"""Generating 示例市's figures for an as-of month: two full earlier years of monthly
history with their targets, and the current year up to the as-of month.

Deterministic for a given as-of month and rules (one ``numpy.random.default_rng(SEED)``
drawn in a fixed order). Each district series follows its indicator's yearly rhythm
(``indicators.demo.city.RHYTHMS``): YTD values for cumulative indicators, month-end levels
with batch recognitions for stocks. The two earlier years are history; the current year
runs on its natural path, and its as-of month is then *aimed* by ``indicators.demo.aim``
at a status judged by the product's own dispatch table, so the demo shows the full mix in
any month: 高新区 leads, 北山县 lags, 青溪县 has not sent the as-of month's return at all.

City values are not generated (they roll up), except the ones a city reports itself:
地区生产总值 (市统计局's figure is below the sum of the districts, as in real life) and
每万人发明专利拥有量 (a ratio without components, reported at every level).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from indicators.demo.city import (
    CITY,
    DISTRICTS,
    HIGH_TECH_SHARE,
    INDICATORS,
    MILESTONES,
    PATENTS_PER_10K,
    POPULATION,
    RD_INTENSITY,
    RHYTHMS,
    UNIT_SHARES,
)
from indicators.rules import periods
from indicators.rules.due import is_due
from indicators.settings import Settings

SEED = 20261123
MISSING_UNIT = "QX"  # 青溪县: no return for the as-of month
SET_BY = "综合科"

IND = {i["code"]: i for i in INDICATORS}
DERIVED = [c for c in IND if IND[c]["kind"] == "ratio" and IND[c]["numerator_code"]]
# generation order: components before what is computed from them; derived ratios are not generated
_FIRST = ["GDP", "GSGYCZ", "GXCZ", "RDJF"]
ORDER = _FIRST + [c for c in IND if c not in _FIRST and c not in DERIVED]

# Revisions of the current year's targets: (indicator, unit) → (factor on the planned progress, why)
REVISIONS = {
    ("JSHT", "BS"): (0.85, "县内重大技术合同项目延期至明年签订，目标下调"),
    ("GXQY", "GXQ"): (1.15, "高企培育入库企业增加，目标上调"),
}


@dataclass
class Demo:
    as_of: str
    values: dict = field(default_factory=dict)  # (indicator, unit) → {period: value}
    targets: list = field(default_factory=list)  # target rows as first set
    revisions: list = field(default_factory=list)  # later target rows (the current year's)
    design: list = field(default_factory=list)  # what each as-of series was aimed at, and got
    natural: dict = field(default_factory=dict)  # (indicator, unit) → the current year's 12 natural values
    current_targets: dict = field(default_factory=dict)  # (indicator, unit) → this year's target, revised


def reports_in(frequency: str, month: int) -> bool:
    """Whether an indicator of ``frequency`` has a value for calendar month ``month``."""
    return bool(is_due(frequency, month))


def _curve(rng, weights, noise: float = 0.12) -> np.ndarray:
    """Cumulative share of the year's flow by month end (12 values, ends at 1)."""
    w = np.asarray(weights, dtype=float) * rng.lognormal(0.0, noise, 12)
    return np.cumsum(w) / w.sum()


def _nice(x: float, decimals: int) -> float:
    """A target as bureaus write them: three significant digits, no finer than the unit."""
    if x == 0:
        return 0.0
    digits = max(-decimals, int(np.floor(np.log10(abs(x)))) - 2)
    return float(round(x, -digits))


class _Generator:
    def __init__(self, as_of: str) -> None:
        self.year, self.month = periods.parse(as_of)
        self.years = (self.year - 2, self.year - 1, self.year)
        self.history = self.years[:2]
        self.rng = np.random.default_rng(SEED)
        self.demo = Demo(as_of=as_of)
        self.natural: dict = {}  # (indicator, unit) → {year: 12 natural month-end values}
        self.flows: dict = {}  # (indicator, unit) → {year: flow}; the year before the history: the start level

    def months(self, year: int) -> range:
        return range(1, (self.month if year == self.year else 12) + 1)

    # --- one district series ------------------------------------------------------
    def series(self, code: str, unit: str, start: float, flows: dict[int, float]) -> None:
        """Natural paths for all years; ``start`` is the level before the history (0 for cumulative)."""
        ind, rhythm = IND[code], RHYTHMS[code]
        level = start
        paths = {}
        for y in self.years:
            curve = _curve(self.rng, rhythm.weights, 0.12 * rhythm.spread)  # statistics run smoother
            if ind["kind"] == "cumulative":
                paths[y] = flows[y] * curve
            else:
                paths[y] = level + flows[y] * curve
                level = paths[y][-1]
        self.natural[(code, unit)] = paths
        self.flows[(code, unit)] = {**flows, self.years[0] - 1: start}

    def share_series(self, unit: str) -> None:
        """高新技术产业产值 as 规上工业总产值 × a share rising smoothly through each year."""
        rng, gs = self.rng, self.natural[("GSGYCZ", unit)]
        start = HIGH_TECH_SHARE[unit] - RHYTHMS["GXCZ"].growth
        paths, months = {}, np.arange(1, 13)
        for y in self.years:
            end = HIGH_TECH_SHARE[unit] + RHYTHMS["GXCZ"].growth * (y - self.years[0]) + rng.normal(0, 0.003)
            paths[y] = gs[y] * (start + (end - start) * months / 12 + rng.normal(0, 0.0004, 12))
            start = end
        self.natural[("GXCZ", unit)] = paths
        self.flows[("GXCZ", unit)] = {self.years[0] - 1: 0.0, **{y: float(paths[y][-1]) for y in self.years}}

    def history_and_targets(self, code: str, unit: str) -> None:
        """Round the history, set the three years' targets (and this year's revision)."""
        ind, rhythm, rng = IND[code], RHYTHMS[code], self.rng
        dec, paths, flows = ind["decimals"], self.natural[(code, unit)], self.flows[(code, unit)]
        first, last, this = self.years
        out = {}
        for y in self.history:
            for m in range(1, 13):
                if reports_in(ind["frequency"], m):
                    out[periods.make(y, m)] = round(float(paths[y][m - 1]), dec)
        cumulative = ind["kind"] == "cumulative"
        ends = {first - 1: flows[first - 1], first: out.get(periods.make(first, 12)),
                last: out.get(periods.make(last, 12))}
        targets = {}
        for y in self.years:
            if cumulative:
                base = flows[last] * (1 + rhythm.ambition) if y == this else flows[y]
                targets[y] = _nice(base * rng.uniform(0.93, 1.07) if y < this else base * rng.uniform(0.97, 1.03), dec)
            else:
                b = ends[y - 1]
                step = flows[last] * (1 + rhythm.ambition) if y == this else flows[y]
                targets[y] = self._level_target(b, step * rng.uniform(0.85, 1.15), dec, ind["direction"])
        milestones = MILESTONES.get(code)
        for y, t in targets.items():
            self.demo.targets.append(dict(indicator_code=code, org_unit=unit, year=y, value=t,
                                          milestones=milestones if y == this else None,
                                          set_by=SET_BY, reason="年初下达"))
        if (code, unit) in REVISIONS:
            targets[this] = self._revise(code, unit, targets[this], 0.0 if cumulative else ends[last], milestones)
        self.demo.values[(code, unit)] = out
        self.demo.natural[(code, unit)] = paths[this]
        self.demo.current_targets[(code, unit)] = targets[this]
        if code == "GXCZ":
            self.share_targets(unit)

    def _revise(self, code: str, unit: str, target: float, base: float, milestones: str | None) -> float:
        ind = IND[code]
        factor, why = REVISIONS[(code, unit)]
        dec = ind["decimals"]
        if ind["kind"] == "cumulative":
            revised = _nice(base + (target - base) * factor, dec)
        else:
            revised = self._level_target(base, (target - base) * factor, dec, ind["direction"])
        when = "年中调整" if self.month >= 6 else "年初调整"
        self.demo.revisions.append(dict(indicator_code=code, org_unit=unit, year=self.year, value=revised,
                                        milestones=milestones, set_by=SET_BY, reason=f"{when}：{why}"))
        return revised

    @staticmethod
    def _level_target(base: float, step: float, dec: int, direction: str) -> float:
        unit_step = 10.0 ** -dec
        if direction == "lower":
            step = -abs(step)
        t = _nice(base + step, dec)
        if (direction == "lower" and t >= base) or (direction == "higher" and t <= base):
            t = round(base + np.sign(step) * max(abs(step), unit_step), dec)
        return max(t, 0.0)

    def share_targets(self, unit: str) -> None:
        """高新技术产业产值占比 (derived) is what gets aimed for 高新技术产业产值: its
        targets, and the share's natural path this year."""
        v, first, last = self.demo.values, *self.history
        gs, gx = v[("GSGYCZ", unit)], v[("GXCZ", unit)]
        self.ratio_targets("GXZB", unit, gx[periods.make(first, 12)] / gs[periods.make(first, 12)] * 100,
                           gx[periods.make(last, 12)] / gs[periods.make(last, 12)] * 100)

    def ratio_targets(self, code: str, unit: str, level_first: float, level_last: float) -> float:
        """Targets of a derived ratio: a step up from last year's level. Returns this year's."""
        small = IND[code]["frequency"] == "annual"  # R&D intensity moves in tenths of a point
        lo, hi = (0.05, 0.25) if small else (0.5, 1.8)
        rng, (first, last, this) = self.rng, self.years
        rows = {first: level_first + rng.uniform(-hi / 2, hi / 2),
                last: level_first + rng.uniform(lo, hi), this: level_last + rng.uniform(lo, hi)}
        for y, t in rows.items():
            self.demo.targets.append(dict(indicator_code=code, org_unit=unit, year=y,
                                          value=round(t, 2 if small else 1), milestones=None,
                                          set_by=SET_BY, reason="年初下达"))
        self.demo.current_targets[(code, unit)] = round(rows[this], 2 if small else 1)
        return self.demo.current_targets[(code, unit)]

    # --- the whole city -----------------------------------------------------------
    def run(self) -> Demo:
        """History and targets; the as-of month is aimed afterwards (``indicators.demo.aim``)."""
        for code in ORDER:
            for unit in DISTRICTS:
                if code == "GXCZ":
                    self.share_series(unit)
                else:
                    self.series(code, unit, *self._scale(code, unit, RHYTHMS[code]))
        for code in ORDER:
            for unit in DISTRICTS:
                self.history_and_targets(code, unit)
        self.city_reported(self.history)
        self.derived_targets()
        self.city_targets()
        return self.demo

    def _scale(self, code: str, unit: str, rhythm) -> tuple[float, dict[int, float]]:
        """(level before the history, {year: flow}) of one district series."""
        u = self.rng.uniform(0.9, 1.1)
        g, (first, last, this) = rhythm.growth, self.years
        jitter = {y: self.rng.uniform(0.95, 1.05) for y in self.years}
        if code == "RDJF":
            gdp = self.flows[("GDP", unit)]
            return 0.0, {y: gdp[y] * (RD_INTENSITY[unit] + 0.1 * (y - first)) / 100 * jitter[y] for y in self.years}
        if IND[code]["kind"] == "cumulative":
            f_last = rhythm.size * UNIT_SHARES[rhythm.shares][unit] * u
            return 0.0, {first: f_last / (1 + g) * jitter[first], last: f_last, this: f_last * (1 + g) * jitter[this]}
        start = PATENTS_PER_10K[unit] * u if code == "WRFMZL" else rhythm.size * UNIT_SHARES[rhythm.shares][unit] * u
        sign = -1 if IND[code]["direction"] == "lower" else 1
        flows, level = {}, start
        for y in self.years:
            flows[y] = sign * level * g * jitter[y]
            level += flows[y]
        return start, flows

    def city_reported(self, years) -> None:
        """The city's own GDP (市统计局, a little below the districts' sum) and patents per
        10,000 people (population-weighted) for ``years``."""
        v = self.demo.values
        gdp, pat = v.setdefault(("GDP", CITY), {}), v.setdefault(("WRFMZL", CITY), {})
        pop = sum(POPULATION.values())
        for y in years:
            k = 0.975 + self.rng.uniform(-0.002, 0.002)  # the districts' sum runs above the city's figure
            for m in self.months(y):
                p = periods.make(y, m)
                parts = [v[("GDP", u)].get(p) for u in DISTRICTS]
                if all(x is not None for x in parts):
                    gdp[p] = round(sum(parts) * k, 2)
                if all(p in v[("WRFMZL", u)] for u in DISTRICTS):
                    pat[p] = round(sum(v[("WRFMZL", u)][p] * POPULATION[u] for u in DISTRICTS) / pop, 2)

    def derived_targets(self) -> None:
        """Targets of derived ratios from their components' levels (districts of GXZB
        were set with 高新技术产业产值)."""
        v, (first, last) = self.demo.values, self.history
        for code in DERIVED:
            ind = IND[code]
            num, den = ind["numerator_code"], ind["denominator_code"]
            for unit in [CITY, *DISTRICTS]:
                if code == "GXZB" and unit != CITY:
                    continue

                def level(y: int) -> float:
                    p = periods.make(y, 12)
                    if unit != CITY:
                        return v[(num, unit)][p] / v[(den, unit)][p] * ind["factor"]
                    n = sum(v[(num, u)][p] for u in DISTRICTS)
                    d = v[(den, CITY)][p] if (den, CITY) in v else sum(v[(den, u)][p] for u in DISTRICTS)
                    return n / d * ind["factor"]
                self.ratio_targets(code, unit, level(first), level(last))

    def city_targets(self) -> None:
        """City targets: about the sum of the districts' (a little below: the districts
        are given a margin) — population-weighted for patents per 10,000 people."""
        rng = self.rng
        by_key = {(t["indicator_code"], t["org_unit"], t["year"]): t["value"] for t in self.demo.targets}
        pop = sum(POPULATION.values())
        for code in ORDER:
            ind = IND[code]
            for y in self.years:
                parts = [by_key[(code, u, y)] for u in DISTRICTS]
                if ind["kind"] == "ratio":
                    t = round(sum(p * POPULATION[u] for p, u in zip(parts, DISTRICTS)) / pop, 1)
                else:
                    t = _nice(sum(parts) * rng.uniform(0.955, 0.975 if code == "GDP" else 1.0), ind["decimals"])
                self.demo.targets.append(dict(indicator_code=code, org_unit=CITY, year=y, value=t,
                                              milestones=MILESTONES.get(code) if y == self.year else None,
                                              set_by=SET_BY, reason="年初下达"))
                if y == self.year:
                    self.demo.current_targets[(code, CITY)] = t


def rules_of(settings: Settings) -> Settings:
    """``settings`` without what cannot change a status — database, date, zone, labels,
    browser — so that the cached demo does not depend on them (any other setting, one
    added later included, reaches the judge as the bureau set it)."""
    d = Settings()
    return replace(settings, db_path=d.db_path, today=d.today, tz=d.tz, source_label=d.source_label,
                   browser_path=d.browser_path)


@lru_cache(maxsize=4)
def _simulate(as_of: str, rules: Settings) -> Demo:
    from indicators.demo.aim import aim_as_of
    gen = _Generator(as_of)
    demo = gen.run()
    aim_as_of(demo, gen, rules)
    gen.city_reported([gen.year])
    return demo


def simulate(as_of: str, settings: Settings) -> Demo:
    """The whole demo up to ``as_of``, its statuses aimed under ``settings``' rules;
    computed once per process for each (as-of month, rules)."""
    return _simulate(as_of, rules_of(settings))
