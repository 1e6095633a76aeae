"""Generating 示例市's figures: 2024-01 … 2026-10 monthly values and 2024–2026 targets.

Deterministic (one ``numpy.random.default_rng(SEED)`` drawn in a fixed order). Each
district series follows its indicator's yearly rhythm (``demo_setup.RHYTHMS``): YTD
values for cumulative indicators, month-end levels with batch recognitions for stocks.
2024 and 2025 are "history"; for 2026 every district series is *aimed* at a status for
the as-of month 2026-10 (done / on track / lagging / far behind), judged with the
product's own rules (``indicators.rules.progress``), so the demo shows a realistic mix: 高新区
leads, 北山县 lags, 青溪县 has not sent its October return at all.

City values are not generated (they roll up), except the ones a city reports itself:
地区生产总值 (市统计局's figure is below the sum of the districts, as in real life) and
每万人发明专利拥有量 (a ratio without components, reported at every level).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from indicators.demo.city import (
    CITY,
    DISTRICTS,
    HIGH_TECH_SHARE,
    INDICATORS,
    MILESTONES_2026,
    PATENTS_PER_10K,
    POPULATION,
    RD_INTENSITY,
    RHYTHMS,
    STRENGTH,
    UNIT_SHARES,
)
from indicators.rules import periods, progress
from indicators.settings import Settings

SEED = 20261123
YEARS = (2024, 2025, 2026)
AS_OF = "2026-10"
MISSING_UNIT = "QX"  # 青溪县: no return for 2026-10
SET_BY = "综合科"

IND = {i["code"]: i for i in INDICATORS}
DERIVED = [c for c in IND if IND[c]["kind"] == "ratio" and IND[c]["numerator_code"]]
# generation order: components before what is computed from them; derived ratios are not generated
_FIRST = ["GDP", "GSGYCZ", "GXCZ", "RDJF"]
ORDER = _FIRST + [c for c in IND if c not in _FIRST and c not in DERIVED]

# Mid-year revisions of 2026 targets: (indicator, unit) → (factor on the planned progress, reason)
REVISIONS = {
    ("JSHT", "BS"): (0.85, "年中调整：县内重大技术合同项目延期至明年签订，目标下调"),
    ("GXQY", "GXQ"): (1.15, "年中调整：高企培育入库企业增加，目标上调"),
}


@dataclass
class Demo:
    values: dict = field(default_factory=dict)  # (indicator, unit) → {period: value}
    targets: list = field(default_factory=list)  # target rows as first set
    revisions: list = field(default_factory=list)  # later target rows
    design: list = field(default_factory=list)  # what each 2026 series was aimed at


def _months(year: int) -> range:
    return range(1, 11) if year == 2026 else range(1, 13)


def _reports_in(frequency: str, month: int) -> bool:
    return month % periods.FREQ_STEP[frequency] == 0


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


def _judge(ind: dict, value: float, target: float, baseline, e: float) -> tuple[str, float]:
    """Status and completion with the product's rules (DESIGN §4) and default thresholds."""
    s = Settings()
    c = progress.completion([ind["kind"]], [ind["direction"]], [value], [target], [baseline]).iloc[0]
    gap = (c - e) * 100
    st = progress.status([ind["frequency"]], [10], [value], [target], [c], [gap],
                         done_at=s.done_at, lagging_from_pp=s.lagging_from_pp).iloc[0]
    return str(st), float(c)


def _expected(ind: dict, series: dict, due: int, milestones: str | None) -> float:
    """序时进度 as ``indicators.rules.progress`` computes it: milestones, else last year's share."""
    nodes = progress.parse_milestones(milestones)
    if nodes:
        return progress.milestone_share(nodes, due)
    ly, end, end2 = series.get(periods.make(2025, due)), series.get("2025-12"), series.get("2024-12")
    share = progress.last_year_share([ind["kind"]], [ly], [end], [end2]).iloc[0]
    if not np.isnan(share) and 0 <= share <= 1.5:
        return min(max(float(share), 0.0), 1.0)
    return due / 12


def _aim(status: str, e: float, rng, spread: float = 1.0) -> tuple[str, float]:
    """A completion for ``status`` that keeps clear of the thresholds (±2.5 points,
    less for indicators with a small ``spread`` such as GDP)."""
    margin = 0.025 * min(1.0, 2 * spread)
    if status == "on_track" and e + margin > 1 - margin:
        status = "done"
    if status == "done":
        return status, 1 + rng.uniform(0.01, 0.12)
    if status == "on_track":
        return status, rng.uniform(e + margin, min(1 - margin, e + margin + 0.065 * spread))
    if status == "lagging":
        return status, rng.uniform(e - margin - 0.05 * spread, e - margin)
    return status, e - rng.uniform(0.13, 0.13 + 0.17 * spread)


def _nudge(value: float, decimals: int, floor: float, ok) -> float:
    """The nearest value to ``value`` (in steps of the last decimal, not below
    ``floor``) for which ``ok(value)``; ``value`` itself when there is none near."""
    step = 10.0 ** -decimals
    for k in range(0, 12):
        for v in (value + k * step, value - k * step):
            v = round(v, decimals)
            if v >= floor and ok(v):
                return v
    return value


def _first_status(e: float, gap_pp: float) -> str:
    c = e + gap_pp / 100
    return "done" if c >= 1 else "on_track" if gap_pp >= 0 else "lagging" if gap_pp >= -10 else "far_behind"


class _Generator:
    def __init__(self) -> None:
        self.rng = np.random.default_rng(SEED)
        self.demo = Demo()
        self.natural: dict = {}  # (indicator, unit) → {year: 12 unrounded values}
        self.flows: dict = {}  # (indicator, unit) → {year: flow}

    # --- one district series ------------------------------------------------------
    def series(self, code: str, unit: str, start: float, flows: dict[int, float]) -> None:
        """Natural paths for all years; ``start`` is the 2023-12 level (0 for cumulative)."""
        ind, rhythm = IND[code], RHYTHMS[code]
        level = start
        paths = {}
        for y in YEARS:
            curve = _curve(self.rng, rhythm.weights, 0.12 * rhythm.spread)  # statistics run smoother
            if ind["kind"] == "cumulative":
                paths[y] = flows[y] * curve
            else:
                paths[y] = level + flows[y] * curve
                level = paths[y][-1]
        self.natural[(code, unit)] = paths
        self.flows[(code, unit)] = {**flows, 2023: start}

    def share_series(self, unit: str) -> None:
        """高新技术产业产值 as 规上工业总产值 × a share rising smoothly through each year."""
        rng, gs = self.rng, self.natural[("GSGYCZ", unit)]
        start = HIGH_TECH_SHARE[unit] - RHYTHMS["GXCZ"].growth
        paths, months = {}, np.arange(1, 13)
        for y in YEARS:
            end = HIGH_TECH_SHARE[unit] + RHYTHMS["GXCZ"].growth * (y - 2024) + rng.normal(0, 0.003)
            paths[y] = gs[y] * (start + (end - start) * months / 12 + rng.normal(0, 0.0004, 12))
            start = end
        self.natural[("GXCZ", unit)] = paths
        self.flows[("GXCZ", unit)] = {2023: 0.0, **{y: float(paths[y][-1]) for y in YEARS}}

    def history_and_targets(self, code: str, unit: str) -> None:
        """Round 2024–2025, set the three years' targets, then aim 2026 and round it."""
        ind, rhythm, rng = IND[code], RHYTHMS[code], self.rng
        dec, paths, flows = ind["decimals"], self.natural[(code, unit)], self.flows[(code, unit)]
        out = {}
        for y in (2024, 2025):
            for m in range(1, 13):
                if _reports_in(ind["frequency"], m):
                    out[periods.make(y, m)] = round(float(paths[y][m - 1]), dec)
        cumulative = ind["kind"] == "cumulative"
        ends = {2023: flows[2023], 2024: out.get("2024-12"), 2025: out.get("2025-12")}
        targets = {}
        for y in YEARS:
            if cumulative:
                base = flows[2025] * (1 + rhythm.ambition) if y == 2026 else flows[y]
                targets[y] = _nice(base * rng.uniform(0.93, 1.07) if y < 2026 else base * rng.uniform(0.97, 1.03), dec)
            else:
                b = ends[y - 1]
                step = flows[2025] * (1 + rhythm.ambition) if y == 2026 else flows[y]
                targets[y] = self._level_target(b, step * rng.uniform(0.85, 1.15), dec, ind["direction"])
        milestones = MILESTONES_2026.get(code)
        for y, t in targets.items():
            self.demo.targets.append(dict(indicator_code=code, org_unit=unit, year=y, value=t,
                                          milestones=milestones if y == 2026 else None,
                                          set_by=SET_BY, reason="年初下达"))
        if (code, unit) in REVISIONS:
            factor, reason = REVISIONS[(code, unit)]
            b = 0.0 if cumulative else ends[2025]
            t = targets[2026]
            targets[2026] = _nice(b + (t - b) * factor, dec) if cumulative else \
                self._level_target(b, (t - b) * factor, dec, ind["direction"])
            self.demo.revisions.append(dict(indicator_code=code, org_unit=unit, year=2026, value=targets[2026],
                                            milestones=milestones, set_by=SET_BY, reason=reason))
        self.demo.values[(code, unit)] = out
        if code == "GXCZ":
            self.aim_share_2026(unit, targets[2026])
        elif ind["frequency"] != "annual":
            self.aim_2026(code, unit, targets[2026], milestones)

    @staticmethod
    def _level_target(base: float, step: float, dec: int, direction: str) -> float:
        unit_step = 10.0 ** -dec
        if direction == "lower":
            step = -abs(step)
        t = _nice(base + step, dec)
        if (direction == "lower" and t >= base) or (direction == "higher" and t <= base):
            t = round(base + np.sign(step) * max(abs(step), unit_step), dec)
        return max(t, 0.0)

    def aim_2026(self, code: str, unit: str, target: float, milestones: str | None) -> None:
        ind, rhythm, rng = IND[code], RHYTHMS[code], self.rng
        dec, out = ind["decimals"], self.demo.values[(code, unit)]
        due = periods.due_month(ind["frequency"], 10)
        cumulative = ind["kind"] == "cumulative"
        baseline = None if cumulative else out["2025-12"]
        e = _expected(ind, out, due, milestones)
        gap = rhythm.spread * (STRENGTH[unit] + rhythm.ease + rng.normal(0, 5))
        wanted, c = _aim(_first_status(e, gap), e, rng, rhythm.spread)
        goal = c * target if cumulative else baseline + c * (target - baseline)
        nat = self.natural[(code, unit)][2026]
        months = [m for m in range(1, due + 1) if _reports_in(ind["frequency"], m)]
        if cumulative:
            path = {m: nat[m - 1] * goal / nat[due - 1] for m in months}
        else:
            shift = goal - nat[due - 1]
            path = {m: nat[m - 1] + shift * m / due for m in months}
        path = {m: round(float(max(v, 0.0)), dec) for m, v in path.items()}
        floor = path[months[-2]] if cumulative and len(months) > 1 else 0.0
        path[due] = _nudge(path[due], dec, floor, lambda v: _judge(ind, v, target, baseline, e)[0] == wanted)
        for m, v in path.items():
            out[periods.make(2026, m)] = v
        status, completion = _judge(ind, path[due], target, baseline, e)
        self.demo.design.append(dict(indicator_code=code, org_unit=unit, period=periods.make(2026, due),
                                     value=path[due], target=target, expected=e, completion=completion,
                                     aimed=wanted, status=status))

    def aim_share_2026(self, unit: str, gx_target: float) -> None:
        """高新技术产业产值 in 2026 follows 规上工业总产值 at a share aimed like any
        indicator: the share (高新技术产业产值占比) is what gets a status."""
        ratio, rhythm, rng, v = IND["GXZB"], RHYTHMS["GXZB"], self.rng, self.demo.values
        gs, gx = v[("GSGYCZ", unit)], v[("GXCZ", unit)]
        r = {p: gx[p] / gs[p] * 100 for p in gx}
        target = self.ratio_targets("GXZB", unit, r["2024-12"], r["2025-12"])
        baseline, e = r["2025-12"], _expected(ratio, r, 10, None)
        gap = rhythm.spread * (STRENGTH[unit] + rhythm.ease + rng.normal(0, 5))
        wanted, c = _aim(_first_status(e, gap), e, rng, rhythm.spread)
        goal = baseline + c * (target - baseline)
        for m in range(1, 11):
            p = periods.make(2026, m)
            share = baseline + (goal - baseline) * m / 10 + (rng.normal(0, 0.03) if m < 10 else 0)
            gx[p] = round(gs[p] * share / 100, 2)
        gx[AS_OF] = _nudge(gx[AS_OF], 2, gx["2026-09"],
                           lambda x: _judge(ratio, x / gs[AS_OF] * 100, target, baseline, e)[0] == wanted)
        value = gx[AS_OF] / gs[AS_OF] * 100
        status, completion = _judge(ratio, value, target, baseline, e)
        self.demo.design.append(dict(indicator_code="GXZB", org_unit=unit, period=AS_OF, value=value,
                                     target=target, expected=e, completion=completion, aimed=wanted, status=status))
        e_gx = _expected(IND["GXCZ"], gx, 10, None)
        status, completion = _judge(IND["GXCZ"], gx[AS_OF], gx_target, None, e_gx)
        self.demo.design.append(dict(indicator_code="GXCZ", org_unit=unit, period=AS_OF, value=gx[AS_OF],
                                     target=gx_target, expected=e_gx, completion=completion, aimed=None,
                                     status=status))

    def ratio_targets(self, code: str, unit: str, level_2024: float, level_2025: float) -> float:
        """Targets of a derived ratio: a step up from last year's level. Returns 2026's."""
        small = IND[code]["frequency"] == "annual"  # R&D intensity moves in tenths of a point
        lo, hi = (0.05, 0.25) if small else (0.5, 1.8)
        rng = self.rng
        rows = {2024: level_2024 + rng.uniform(-hi / 2, hi / 2),
                2025: level_2024 + rng.uniform(lo, hi), 2026: level_2025 + rng.uniform(lo, hi)}
        for y, t in rows.items():
            self.demo.targets.append(dict(indicator_code=code, org_unit=unit, year=y,
                                          value=round(t, 2 if small else 1), milestones=None,
                                          set_by=SET_BY, reason="年初下达"))
        return round(rows[2026], 2 if small else 1)

    # --- the whole city -----------------------------------------------------------
    def run(self) -> Demo:
        for code in ORDER:
            for unit in DISTRICTS:
                if code == "GXCZ":
                    self.share_series(unit)
                else:
                    self.series(code, unit, *self._scale(code, unit, RHYTHMS[code]))
        for code in ORDER:
            for unit in DISTRICTS:
                self.history_and_targets(code, unit)
        self.city_reported()
        self.derived_targets()
        self.city_targets()
        for code in IND:
            if IND[code]["frequency"] == "monthly":
                self.demo.design.append(dict(indicator_code=code, org_unit=MISSING_UNIT, period=AS_OF,
                                             aimed="missing", status="missing"))
        for code in ("RDJF", "RDQD"):
            for unit in [CITY, *DISTRICTS]:
                self.demo.design.append(dict(indicator_code=code, org_unit=unit, period=AS_OF,
                                             aimed="not_due", status="not_due"))
        self.demo.design = [d for d in self.demo.design
                            if not (d["org_unit"] == MISSING_UNIT and d["period"] == AS_OF and d["aimed"] != "missing")]
        return self.demo

    def _scale(self, code: str, unit: str, rhythm) -> tuple[float, dict[int, float]]:
        """(2023-12 level, {year: flow}) of one district series."""
        u = self.rng.uniform(0.9, 1.1)
        g = rhythm.growth
        jitter = {y: self.rng.uniform(0.95, 1.05) for y in YEARS}
        if code == "RDJF":
            gdp = self.flows[("GDP", unit)]
            return 0.0, {y: gdp[y] * (RD_INTENSITY[unit] + 0.1 * (y - 2024)) / 100 * jitter[y] for y in YEARS}
        if IND[code]["kind"] == "cumulative":
            f25 = rhythm.size * UNIT_SHARES[rhythm.shares][unit] * u
            return 0.0, {2024: f25 / (1 + g) * jitter[2024], 2025: f25, 2026: f25 * (1 + g) * jitter[2026]}
        start = PATENTS_PER_10K[unit] * u if code == "WRFMZL" else rhythm.size * UNIT_SHARES[rhythm.shares][unit] * u
        sign = -1 if IND[code]["direction"] == "lower" else 1
        flows, level = {}, start
        for y in YEARS:
            flows[y] = sign * level * g * jitter[y]
            level += flows[y]
        return start, flows

    def city_reported(self) -> None:
        """The city's own GDP (市统计局) and patents per 10,000 people."""
        gdp = {}
        for y in YEARS:
            k = 0.975 + self.rng.uniform(-0.002, 0.002)  # the districts' sum runs above the city's figure
            for m in _months(y):
                p = periods.make(y, m)
                parts = [self.demo.values[("GDP", u)].get(p) for u in DISTRICTS]
                if all(v is not None for v in parts):
                    gdp[p] = round(sum(parts) * k, 2)
        self.demo.values[("GDP", CITY)] = gdp
        pop = sum(POPULATION.values())
        pat = {}
        for p in self.demo.values[("WRFMZL", DISTRICTS[0])]:
            pat[p] = round(sum(self.demo.values[("WRFMZL", u)][p] * POPULATION[u] for u in DISTRICTS) / pop, 2)
        self.demo.values[("WRFMZL", CITY)] = pat

    def derived_targets(self) -> None:
        """Targets of derived ratios from their components' levels (districts of GXZB
        were set while aiming the share)."""
        v = self.demo.values
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
                self.ratio_targets(code, unit, level(2024), level(2025))

    def city_targets(self) -> None:
        """City targets: about the sum of the districts' (a little below: the districts
        are given a margin) — population-weighted for patents per 10,000 people."""
        rng = self.rng
        by_key = {(t["indicator_code"], t["org_unit"], t["year"]): t["value"] for t in self.demo.targets}
        pop = sum(POPULATION.values())
        for code in ORDER:
            ind = IND[code]
            for y in YEARS:
                parts = [by_key[(code, u, y)] for u in DISTRICTS]
                if ind["kind"] == "ratio":
                    t = round(sum(p * POPULATION[u] for p, u in zip(parts, DISTRICTS)) / pop, 1)
                else:
                    t = _nice(sum(parts) * rng.uniform(0.955, 0.975 if code == "GDP" else 1.0), ind["decimals"])
                self.demo.targets.append(dict(indicator_code=code, org_unit=CITY, year=y, value=t,
                                              milestones=MILESTONES_2026.get(code) if y == 2026 else None,
                                              set_by=SET_BY, reason="年初下达"))
        targets = {(t["indicator_code"], t["org_unit"], t["year"]): t["value"] for t in self.demo.targets}
        for code in ("GDP", "WRFMZL"):  # the two series the city reports itself: record their status
            ind, target = IND[code], targets[(code, CITY, 2026)]
            series = self.demo.values[(code, CITY)]
            due = periods.due_month(ind["frequency"], 10)
            e = _expected(ind, series, due, None)
            baseline = None if ind["kind"] == "cumulative" else series["2025-12"]
            value = series[periods.make(2026, due)]
            status, c = _judge(ind, value, target, baseline, e)
            self.demo.design.append(dict(indicator_code=code, org_unit=CITY, period=periods.make(2026, due),
                                         value=value, target=target, expected=e, completion=c,
                                         aimed=None, status=status))


@lru_cache(maxsize=1)
def simulate() -> Demo:
    """The whole demo, computed once per process (callers get copies via ``indicators.demo``)."""
    return _Generator().run()
