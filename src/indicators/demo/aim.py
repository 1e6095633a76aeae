"""Aiming the demo's as-of month at statuses, judged by the product's own dispatch table.

The demo does not know the rules. For every district series due in the as-of month it
tries a spread of values around the series' natural path; the tries are loaded into a
scratch database as sibling units (one per try, each with the district's history and
targets) and ``indicators.dispatch.dispatch_table`` says which status each try gets under
the bureau's settings. A plan then picks, per series, the status its district's standing
calls for (高新区 leads, 北山县 lags) where a value not far from its natural path reaches it
— the nearest reachable status otherwise — makes sure every status shows at least
``MIN_EACH`` times whatever the month, and takes the middle of the values that reach it,
clear of the thresholds. Whatever the rules become, the demo follows them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.accounts import system
from indicators.db import batches, connection
from indicators.demo.city import CITY, DISTRICTS, RHYTHMS, STRENGTH, setup_tables
from indicators.demo.simulate import IND, MISSING_UNIT, ORDER, Demo, reports_in
from indicators.dispatch import dispatch_table
from indicators.rules import periods
from indicators.rules.due import due_month
from indicators.settings import Settings
from indicators.setup import workbook

JUDGED = ("done", "on_track", "lagging", "far_behind")  # best first
ACTOR = system("示例数据")  # the demo's judging writes, like its loading
SHARES = (0.15, 0.3, 0.3, 0.25)  # of the aimed series, by standing
MIN_EACH = 3
BAND = np.linspace(-1.0, 1.0, 25)  # tries near the natural path (cost = |position| ≤ 1)
WIDE = np.concatenate([np.linspace(-4.0, -1.2, 5), np.linspace(1.2, 6.0, 8)])  # only to force a status
TRIES = np.concatenate([BAND, WIDE])
ROOT = "CAND"


@dataclass
class Series:
    code: str  # the indicator whose status is aimed (GXZB for 高新技术产业产值)
    unit: str
    due: int  # the month of the current year its value is for
    natural: float
    values: np.ndarray  # one per try
    cost: np.ndarray  # distance from the natural path (≤ 1 inside the band)
    score: float = 0.0
    statuses: np.ndarray | None = None
    chosen: int | None = None
    aimed: str | None = None


def aim_as_of(demo: Demo, gen, rules: Settings) -> None:
    """Give every district's current year its path up to the as-of month (``gen`` is the
    generator that made ``demo``; ``rules`` the settings statuses are judged under)."""
    series = _series(demo, gen)
    _judge(series, demo, gen, rules)
    _plan(series)
    _write_paths(series, demo, gen)
    _design(series, demo, gen)


# ---------------------------------------------------------------- the tries

def _series(demo: Demo, gen) -> list[Series]:
    out = []
    for code in ORDER:
        freq = IND[code]["frequency"]
        due = due_month(freq, gen.month)
        if freq == "annual" or due == 0:
            continue  # published late / nothing due yet: no value this year
        for unit in DISTRICTS:
            rhythm = RHYTHMS[code]
            noise = rhythm.spread * (STRENGTH[unit] + rhythm.ease + gen.rng.normal(0, 5))
            if unit == MISSING_UNIT and due == gen.month:
                continue  # its as-of return never arrives: the natural path will do
            s = _tries(demo, gen, "GXZB" if code == "GXCZ" else code, unit, due)
            s.score = noise
            out.append(s)
    return out


def _tries(demo: Demo, gen, code: str, unit: str, due: int) -> Series:
    ind = IND[code]
    spread = min(1.0, 2 * RHYTHMS[code].spread)  # GDP moves by a few points, not tens
    target = demo.current_targets[(code, unit)]
    if code == "GXZB":  # the share of two natural paths, in %
        natural = demo.natural[("GXCZ", unit)][due - 1] / demo.natural[("GSGYCZ", unit)][due - 1] * 100
        dec = 4
    else:
        natural, dec = float(demo.natural[(code, unit)][due - 1]), int(ind["decimals"])
    if ind["kind"] == "cumulative":  # YTD: tries by factor, from a third to three times the path
        base = max(natural, 0.01 * target, 10.0 ** -dec)
        values = base * np.exp(TRIES * spread * np.log(3))
    else:  # a level: tries by the year's planned change
        last_dec = _level(demo, code, unit, periods.make(gen.year - 1, 12))
        scale = max(abs(target - last_dec), 3 * 10.0 ** -min(dec, 2))
        values = natural + TRIES * spread * scale
    values = np.maximum(np.round(values, dec), 0.0)
    return Series(code, unit, due, natural, values, np.abs(TRIES))


def _level(demo: Demo, code: str, unit: str, period: str) -> float:
    v = demo.values
    if code == "GXZB":
        return v[("GXCZ", unit)][period] / v[("GSGYCZ", unit)][period] * 100
    return v[(code, unit)][period]


def _try_unit(unit: str, k: int) -> str:
    return f"{unit}_{k:02d}"


def _try_units(unit: str) -> list[str]:
    return [_try_unit(unit, k) for k in range(len(TRIES))]


def _judge(series: list[Series], demo: Demo, gen, rules: Settings) -> None:
    """Every try of every series judged at once: each try is a sibling unit in a scratch
    database, and the dispatch table of the as-of month gives its status."""
    con = connection.connect(":memory:")
    try:
        at = dt.datetime(gen.year, gen.month, 1)
        workbook.load_setup(con, _world_setup(demo, gen), actor=ACTOR, at=at)
        batches.write_batch(con, _world_values(series, demo, gen), file_name="候选值", actor=ACTOR, at=at)
        table = dispatch_table(con, periods.make(gen.year, gen.month), rules, last_month=False)  # statuses only
    finally:
        con.close()
    rows = table[table["parent_code"] == ROOT]
    status = dict(zip(zip(rows["indicator_code"], rows["org_unit_code"]), rows["status"]))
    for s in series:
        s.statuses = np.array([status.get((s.code, u), "?") for u in _try_units(s.unit)], dtype=object)


def _world_setup(demo: Demo, gen) -> dict[str, pd.DataFrame]:
    frames = setup_tables()
    units = [dict(code=ROOT, name="候选", parent_code=None, aliases=None, sort_order=0)]
    units += [dict(code=_try_unit(u, k), name=f"{u}候选{k}", parent_code=ROOT, aliases=None, sort_order=i + 1)
              for i, (u, k) in enumerate((u, k) for u in DISTRICTS for k in range(len(TRIES)))]
    frames["org_unit"] = pd.DataFrame(units, columns=frames["org_unit"].columns)
    rows = []
    for t in demo.targets:
        if t["org_unit"] not in DISTRICTS:
            continue
        value = demo.current_targets[(t["indicator_code"], t["org_unit"])] if t["year"] == gen.year else t["value"]
        rows += [{**t, "org_unit": _try_unit(t["org_unit"], k), "value": value} for k in range(len(TRIES))]
    frames["target"] = pd.DataFrame(rows)
    return frames


def _world_values(series: list[Series], demo: Demo, gen) -> pd.DataFrame:
    """Each try unit: its district's history the rules look at — last year and the
    December before it (序时 from last year's shares, progress from last year's end) —
    plus the try's value in the due month."""
    since = periods.make(gen.year - 2, 12)
    history = pd.DataFrame([(code, unit, p, v) for (code, unit), h in demo.values.items() if unit in DISTRICTS
                            for p, v in h.items() if p >= since], columns=["indicator_code", "unit", "period", "value"])
    tries = pd.DataFrame({"unit": np.repeat(DISTRICTS, len(TRIES)),
                          "org_unit": [u for d in DISTRICTS for u in _try_units(d)]})
    frames = [history.merge(tries, on="unit").drop(columns="unit")]
    by = {(s.code, s.unit): s for s in series}
    for s in series:
        values = s.values
        if s.code == "GXZB":  # 高新技术产业产值 = the try's 规上工业总产值 × the try's share
            values = np.round(by[("GSGYCZ", s.unit)].values * s.values / 100, 2)
        frames.append(pd.DataFrame({"indicator_code": "GXCZ" if s.code == "GXZB" else s.code,
                                    "period": periods.make(gen.year, s.due), "value": values,
                                    "org_unit": _try_units(s.unit)}))
    return pd.concat(frames, ignore_index=True)[["indicator_code", "org_unit", "period", "value"]]


# ---------------------------------------------------------------- the plan

def _reach(s: Series, status: str, forced: bool = False) -> int | None:
    """The try in the middle of those near the path that get ``status`` (any try when
    ``forced``, the nearest ones first); None when none does."""
    hit = np.flatnonzero(s.statuses == status)
    if not forced:
        hit = hit[s.cost[hit] <= 1.0]
    elif len(hit):
        hit = hit[s.cost[hit] <= s.cost[hit].min() + 0.5]
    if not len(hit):
        return None
    order = hit[np.argsort(s.values[hit], kind="stable")]
    return int(order[len(order) // 2])


def _plan(series: list[Series]) -> None:
    """Statuses by standing (the best fifth done, …), the nearest reachable one where a
    series cannot get there, then at least MIN_EACH of each."""
    ranked = sorted(series, key=lambda s: -s.score)
    bounds = np.cumsum(SHARES) * len(ranked)
    for i, s in enumerate(ranked):
        wanted = JUDGED[int(np.searchsorted(bounds, i, side="right"))]
        for status in sorted(JUDGED, key=lambda x: (abs(JUDGED.index(x) - JUDGED.index(wanted)), JUDGED.index(x))):
            k = _reach(s, status)
            if k is not None:
                s.chosen, s.aimed = k, status
                break
        else:  # nothing near the path: keep the natural value
            s.chosen = int(np.argmin(s.cost))
            s.aimed = str(s.statuses[s.chosen])
    for status in JUDGED:
        _at_least(series, status)


def _at_least(series: list[Series], status: str) -> None:
    count = sum(s.aimed == status for s in series)
    spare = {st: sum(s.aimed == st for s in series) for st in JUDGED}
    options = []
    for s in series:
        k = _reach(s, status, forced=True)
        if s.aimed != status and k is not None:
            options.append((float(s.cost[k]), -s.score if status in JUDGED[:2] else s.score, s.unit, s.code, s, k))
    for *_, s, k in sorted(options, key=lambda o: o[:4]):
        if count >= MIN_EACH:
            return
        if s.aimed in JUDGED and spare[s.aimed] <= MIN_EACH:
            continue
        spare[s.aimed] = spare.get(s.aimed, 0) - 1
        s.chosen, s.aimed = k, status
        count += 1


# ---------------------------------------------------------------- the chosen paths

def _write_paths(series: list[Series], demo: Demo, gen) -> None:
    """The current year up to the as-of month for every district series: natural, bent
    towards the chosen value of the due month."""
    chosen = {(s.code, s.unit): s for s in series}
    for code in ORDER:
        ind = IND[code]
        for unit in DISTRICTS:
            s = chosen.get(("GXZB" if code == "GXCZ" else code, unit))
            if code == "GXCZ":
                _write_share(demo, gen, unit, s)
            elif ind["frequency"] != "annual":
                _write_path(demo, gen, code, unit, s)


def _report_months(gen, code: str) -> list[int]:
    return [m for m in gen.months(gen.year) if reports_in(IND[code]["frequency"], m)]


def _write_path(demo: Demo, gen, code: str, unit: str, s: Series | None) -> None:
    ind, nat = IND[code], demo.natural[(code, unit)]
    dec, months = int(ind["decimals"]), _report_months(gen, code)
    if not months:
        return
    due = months[-1]
    goal = float(s.values[s.chosen]) if s is not None else round(float(nat[due - 1]), dec)
    out = demo.values[(code, unit)]
    for m in months:
        if ind["kind"] == "cumulative":
            v = nat[m - 1] * goal / nat[due - 1] if nat[due - 1] > 0 else 0.0
        else:
            v = nat[m - 1] + (goal - nat[due - 1]) * m / due
        out[periods.make(gen.year, m)] = round(float(max(v, 0.0)), dec)
    out[periods.make(gen.year, due)] = goal


def _write_share(demo: Demo, gen, unit: str, s: Series | None) -> None:
    """高新技术产业产值 follows 规上工业总产值 at a share moving from last year's end to
    the chosen share of the due month."""
    months = _report_months(gen, "GXCZ")
    gs, gx = demo.values[("GSGYCZ", unit)], demo.values[("GXCZ", unit)]
    nat_gx, nat_gs = demo.natural[("GXCZ", unit)], demo.natural[("GSGYCZ", unit)]
    due = months[-1]
    start = _level(demo, "GXZB", unit, periods.make(gen.year - 1, 12))
    goal = float(s.values[s.chosen]) if s is not None else nat_gx[due - 1] / nat_gs[due - 1] * 100
    for m in months:
        p = periods.make(gen.year, m)
        share = start + (goal - start) * m / due + (gen.rng.normal(0, 0.03) if m < due else 0.0)
        gx[p] = round(gs[p] * share / 100, 2)


def _design(series: list[Series], demo: Demo, gen) -> None:
    """What each as-of series was aimed at (and the status its try got), plus the rows
    that are missing (青溪县's as-of return) or not yet due."""
    for s in series:
        demo.design.append(dict(indicator_code=s.code, org_unit=s.unit, period=periods.make(gen.year, s.due),
                                value=float(s.values[s.chosen]), target=demo.current_targets[(s.code, s.unit)],
                                aimed=s.aimed, status=str(s.statuses[s.chosen])))
    for code, ind in IND.items():
        freq = ind["frequency"]
        if freq != "annual" and reports_in(freq, gen.month):
            demo.design.append(dict(indicator_code=code, org_unit=MISSING_UNIT, period=demo.as_of,
                                    aimed="missing", status="missing"))
        if freq == "annual" or due_month(freq, gen.month) == 0:
            for unit in [CITY, *DISTRICTS]:
                demo.design.append(dict(indicator_code=code, org_unit=unit, period=demo.as_of,
                                        aimed="not_due", status="not_due"))
