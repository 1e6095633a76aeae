"""The demo city 示例市: built up to the latest due month of the suite's day
(``testdate.AS_OF``), deterministic, in the shapes real data takes, and — loaded through
the real import path (``demo_db_master``) — a dispatch table that shows every status and
the standing it was aimed at. tests/test_any_day.py builds it on other days."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from testdate import AS_OF, AS_OF_YEAR, SETTINGS

from indicators import demo
from indicators.db import catalog, connection
from indicators.demo.city import CITY, DISTRICTS
from indicators.demo.simulate import _simulate, rules_of
from indicators.dispatch import dispatch_table
from indicators.rules import periods, progress
from indicators.setup import workbook

YEARS = (AS_OF_YEAR - 2, AS_OF_YEAR - 1, AS_OF_YEAR)
LAST_YEAR = AS_OF_YEAR - 1
MONTH = periods.parse(AS_OF)[1]
# In December 序时 is 100 %: reaching it is completing the year, so 达序时 cannot show (DESIGN §4)
STATUSES = ["done", "lagging", "far_behind", "missing", "not_due"] + (["on_track"] if MONTH != 12 else [])


@pytest.fixture(scope="module")
def frames():
    return demo.demo_setup_frames(AS_OF, SETTINGS)


@pytest.fixture(scope="module")
def obs():
    return demo.demo_observations(AS_OF, SETTINGS)


@pytest.fixture(scope="module")
def inds(frames):
    return frames["indicator"].set_index("code")


@pytest.fixture(scope="module")
def table(demo_db_master):
    """The dispatch table of the demo as `indicators init --demo` loads it."""
    con = connection.connect(demo_db_master, read_only=True)
    try:
        return dispatch_table(con, AS_OF, SETTINGS)
    finally:
        con.close()


# --- the as-of month -----------------------------------------------------------------

def test_built_up_to_the_latest_due_month(obs, demo_db_master):
    assert demo.as_of_month(SETTINGS) == AS_OF
    assert obs["period"].max() == AS_OF
    con = connection.connect(demo_db_master, read_only=True)
    try:
        assert catalog.latest_period(con) == AS_OF
    finally:
        con.close()


# --- determinism ------------------------------------------------------------------

def test_calls_are_equal(frames, obs):
    pd.testing.assert_frame_equal(obs, demo.demo_observations(AS_OF, SETTINGS))
    again = demo.demo_setup_frames(AS_OF, SETTINGS)
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(frame, again[name])


def test_a_fresh_generator_gives_the_same_data():
    """The cache must not hide randomness: a second run from the seed is identical."""
    first, second = (_simulate.__wrapped__(AS_OF, rules_of(SETTINGS)) for _ in range(2))
    assert first.values == second.values
    assert first.targets == second.targets and first.revisions == second.revisions
    assert first.design == second.design


def test_return_files_are_byte_identical(tmp_path):
    a = demo.demo_return_files(tmp_path / "a", AS_OF, SETTINGS)
    b = demo.demo_return_files(tmp_path / "b", AS_OF, SETTINGS)
    assert [(p.name, t) for p, t in a] == [(p.name, t) for p, t in b]
    for (pa, _), (pb, _) in zip(a, b):
        assert hashlib.sha256(pa.read_bytes()).digest() == hashlib.sha256(pb.read_bytes()).digest()


# --- shapes -------------------------------------------------------------------------

def test_setup_frames_have_the_sheet_columns(frames):
    assert list(frames) == list(workbook.SHEETS)
    for table_name, (_, cols) in workbook.SHEETS.items():
        assert list(frames[table_name].columns) == [c.name for c in cols], table_name
        for c in cols:
            if c.required:
                assert frames[table_name][c.name].notna().all(), (table_name, c.name)


def test_setup_sizes_and_words(frames, inds):
    units = frames["org_unit"]
    assert units.loc[units["parent_code"].isna(), "code"].tolist() == [CITY]
    assert 7 <= len(units) - 1 <= 10
    assert units["code"].str.fullmatch(r"[A-Z]{2,5}").all()
    assert units["sort_order"].is_unique
    assert 4 <= len(frames["department"]) <= 6 and 3 <= len(frames["leader"]) <= 4
    assert 15 <= len(inds) <= 20
    assert set(inds["kind"]) == {"cumulative", "stock", "ratio"}
    assert set(inds["direction"]) == {"higher", "lower"}
    assert set(inds["frequency"]) == {"monthly", "quarterly", "annual"}
    assert inds["allow_negative"].map(type).eq(bool).all()
    assert inds["aliases"].notna().all() and inds["description"].notna().all() and inds["source"].notna().all()
    assert {"创新主体", "研发投入", "成果转化", "产业", "平台载体", "人才", "资金"} <= set(inds["category"])
    derived = inds[inds["numerator_code"].notna()]
    assert set(derived.index) == {"RDQD", "GXZB"}
    assert (derived["factor"] == 100).all()


def test_every_indicator_has_a_responsibility(frames, inds):
    resp = frames["responsibility"].set_index("indicator_code")
    assert set(resp.index) == set(inds.index)
    assert resp["lead_department"].isin(frames["department"]["code"]).all()
    assert resp["leader"].isin(frames["leader"]["code"]).all()
    for supports in resp["support_departments"].dropna():
        assert set(supports.split("；")) <= set(frames["department"]["code"])


def test_every_indicator_and_unit_has_targets_for_three_years(frames, inds):
    t = frames["target"]
    assert not t.duplicated(["indicator_code", "org_unit", "year"]).any()
    have = set(zip(t["indicator_code"], t["org_unit"], t["year"]))
    units = frames["org_unit"]["code"]
    assert have == {(i, u, y) for i in inds.index for u in units for y in YEARS}
    assert (t["value"] >= 0).all()
    for text in t["milestones"].dropna():
        nodes = progress.parse_milestones(text)
        assert nodes[12] == 1.0 and list(nodes.values()) == sorted(nodes.values())
    assert t["milestones"].notna().sum() >= 9  # a few indicators, every unit
    assert set(t.loc[t["milestones"].notna(), "year"]) == {AS_OF_YEAR}


def test_city_targets_are_about_the_sum_of_districts(frames, inds):
    t = frames["target"].query("year == @AS_OF_YEAR").set_index(["indicator_code", "org_unit"])["value"]
    for code in inds.index[inds["kind"].isin(["cumulative", "stock"])]:
        if inds.loc[code, "direction"] == "lower":
            continue
        total = sum(t[(code, u)] for u in DISTRICTS)
        assert 0.9 * total <= t[(code, CITY)] <= 1.05 * total, code


def test_target_revisions_become_current(frames, demo_db_master):
    rev = demo.demo_target_revisions(AS_OF, SETTINGS)
    assert len(rev) == 2 and (rev["year"] == AS_OF_YEAR).all() and rev["reason"].str.contains("调整：").all()
    first = frames["target"].set_index(["indicator_code", "org_unit", "year"])["value"]
    con = connection.connect(demo_db_master, read_only=True)
    try:
        current = catalog.current_targets(con, AS_OF_YEAR).set_index(["indicator_code", "org_unit"])["value"]
        for r in rev.itertuples():
            assert first[(r.indicator_code, r.org_unit, AS_OF_YEAR)] != r.value
            assert current[(r.indicator_code, r.org_unit)] == r.value
            hist = catalog.target_history(con, r.indicator_code, r.org_unit).query("year == @AS_OF_YEAR")
            assert hist["value"].tolist() == [first[(r.indicator_code, r.org_unit, AS_OF_YEAR)], r.value]
    finally:
        con.close()


def test_setup_round_trips_through_the_workbook(frames, tmp_path):
    path = workbook.write_workbook(tmp_path / "示例市设置.xlsx", frames)
    back = workbook.read_workbook(path)
    for table_name, frame in frames.items():
        got = back[table_name]
        assert list(got.columns) == list(frame.columns)
        assert len(got) == len(frame), table_name
        for col in frame.columns:
            a = [None if pd.isna(v) else v for v in frame[col]]
            b = [None if pd.isna(v) else v for v in got[col]]
            if col in ("value", "factor"):
                assert b == pytest.approx(a), (table_name, col)
            else:
                assert [str(v) if v is not None else None for v in b] == \
                       [str(v) if v is not None else None for v in a], (table_name, col)


def test_observation_columns_and_range(obs, frames, inds):
    assert list(obs.columns) == ["indicator_code", "org_unit", "period", "value"]
    assert obs["value"].notna().all() and (obs["value"] >= 0).all()
    assert not obs.duplicated(["indicator_code", "org_unit", "period"]).any()
    assert set(obs["indicator_code"]) <= set(inds.index)
    assert set(obs["org_unit"]) <= set(frames["org_unit"]["code"])
    # two full calendar years of history, then this year up to the as-of month
    assert sorted(obs["period"].unique()) == [periods.make(y, m) for y in YEARS for m in range(1, 13)
                                              if periods.make(y, m) <= AS_OF]
    dec = obs["indicator_code"].map(inds["decimals"]).astype(int)
    assert all(round(v, d) == v for v, d in zip(obs["value"], dec))


def test_derived_ratios_and_the_city(obs, inds):
    derived = inds.index[inds["numerator_code"].notna()]
    assert not obs["indicator_code"].isin(derived).any()
    city = obs[obs["org_unit"] == CITY]
    assert set(city["indicator_code"]) == {"GDP", "WRFMZL"}
    districts = obs[obs["org_unit"] != CITY]
    assert set(districts["org_unit"]) == set(DISTRICTS)
    per_unit = districts.groupby("org_unit")["indicator_code"].nunique()
    assert (per_unit == len(inds) - len(derived)).all()


@pytest.mark.parametrize("frequency, months", [("quarterly", {3, 6, 9, 12}), ("annual", {12})])
def test_frequency_is_respected(obs, inds, frequency, months):
    codes = inds.index[inds["frequency"] == frequency]
    rows = obs[obs["indicator_code"].isin(codes)]
    assert len(rows) and set(rows["period"].str[5:].astype(int)) == months


def test_rd_spending_is_published_late(obs):
    rd = obs[obs["indicator_code"] == "RDJF"]
    assert set(rd["period"]) == {f"{AS_OF_YEAR - 2}-12", f"{LAST_YEAR}-12"}


def test_monthly_indicators_report_every_month(obs, inds):
    monthly = inds.index[inds["frequency"] == "monthly"]
    rows = obs[obs["indicator_code"].isin(monthly) & (obs["org_unit"] != demo.MISSING_UNIT)]
    assert (rows.groupby(["indicator_code", "org_unit"]).size() == 24 + MONTH).all()


def test_one_district_misses_its_latest_return(obs):
    latest = obs[obs["period"] == AS_OF]
    assert set(latest["org_unit"]) == set(DISTRICTS) - {demo.MISSING_UNIT} | {CITY}
    assert obs[obs["org_unit"] == demo.MISSING_UNIT]["period"].max() == periods.shift(AS_OF, -1)


def test_cumulative_values_never_fall_within_a_year(obs, inds):
    cum = inds.index[inds["kind"] == "cumulative"]
    rows = obs[obs["indicator_code"].isin(cum)].assign(year=lambda f: f["period"].str[:4])
    rows = rows.sort_values("period")
    steps = rows.groupby(["indicator_code", "org_unit", "year"])["value"].diff().dropna()
    assert (steps >= 0).all()


def test_seasonality_looks_real(obs):
    """技术合同 spikes in December; 高企 jump in November–December; January–February is slow."""
    def city(code, period):
        return obs.query("indicator_code == @code and period == @period and org_unit != @CITY")["value"].sum()
    y = LAST_YEAR
    dec = city("JSHT", f"{y}-12") - city("JSHT", f"{y}-11")
    assert dec > 2 * (city("JSHT", f"{y}-11") / 11)
    gain = city("GXQY", f"{y}-12") - city("GXQY", f"{y - 1}-12")
    assert city("GXQY", f"{y}-12") - city("GXQY", f"{y}-10") > 0.8 * gain
    ytd = city("GSGYCZ", f"{y}-02") / city("GSGYCZ", f"{y}-12")
    assert 0.09 < ytd < 2 / 12


def test_magnitudes_fit_a_mid_size_city(obs):
    def city(code, period):
        return obs.query("indicator_code == @code and period == @period and org_unit != @CITY")["value"].sum()
    end = f"{LAST_YEAR}-12"
    gdp = obs.query("indicator_code == 'GDP' and org_unit == @CITY and period == @end")["value"].item()
    assert 2000 < gdp < 6000  # 亿元
    assert 1.5 < city("RDJF", end) / gdp * 100 < 4  # R&D intensity, %
    assert 500 < city("GXQY", end) < 3000  # 家
    assert 30 < city("JSHT", end) < 300  # 亿元


def test_return_files_hold_the_observations(obs, tmp_path):
    """A workbook per month for the last six months (title row, then the header), sent
    on the deadline day — two of them late — and the months before as one CSV of history."""
    files = demo.demo_return_files(tmp_path, AS_OF, SETTINGS)
    monthly = [(p, t) for p, t in files if p.suffix == ".xlsx"]
    history = [p for p, _ in files if p.suffix == ".csv"]
    assert [p.name for p, _ in monthly] == [f"示例市科技创新重点指标月报_{periods.shift(AS_OF, i)}.xlsx"
                                           for i in range(-5, 1)]
    assert len(history) == 1 and files[0][0] == history[0]
    sent = {p.stem[-7:]: t for p, t in monthly}
    assert sent[AS_OF].day == 5 and sent[AS_OF].month == periods.parse(periods.shift(AS_OF, 1))[1]
    assert sent[periods.shift(AS_OF, -1)].day == 6 and sent[periods.shift(AS_OF, -2)].day == 8  # late
    latest = [p for p, _ in monthly if AS_OF in p.name][0]
    raw = pd.read_excel(latest, header=None, engine="calamine")
    assert "示例市" in str(raw.iloc[0, 0]) and periods.label(AS_OF) in str(raw.iloc[0, 0])
    assert raw.iloc[1].tolist() == demo.RETURN_HEADER
    tables = [pd.read_excel(p, header=1, engine="calamine", dtype={"期间": str}) for p, _ in monthly]
    tables.append(pd.read_csv(history[0], dtype={"期间": str}, encoding="utf-8-sig"))
    got = pd.concat(tables).rename(columns={"期间": "period", "单位代码": "org_unit", "指标代码": "indicator_code",
                                            "数值": "value"})
    merged = obs.merge(got, on=["indicator_code", "org_unit", "period"], suffixes=("", "_file"))
    assert len(got) == len(obs) == len(merged)
    assert merged["value"].to_numpy() == pytest.approx(merged["value_file"].to_numpy())


# --- loaded: the dispatch table of the as-of month -----------------------------------

def test_dispatch_shows_every_status(table):
    counts = table["status"].value_counts()
    for status in STATUSES:
        assert counts.get(status, 0) >= 3, (status, counts.to_dict())
    assert "no_target" not in counts


def test_every_series_gets_the_status_it_was_aimed_at(table):
    """The aims were chosen on a scratch copy before any file was written; the demo as
    loaded from its files, revisions included, must land on every one of them."""
    table = table.rename(columns={"org_unit_code": "org_unit"})
    design = demo.demo_design(AS_OF, SETTINGS)
    merged = design.drop(columns="status").merge(table, on=["indicator_code", "org_unit"], how="left")
    assert len(merged) == len(design) and len(design) >= 100
    diff = merged[merged["aimed"] != merged["status"]]
    assert diff.empty, diff[["indicator_code", "org_unit", "aimed", "status"]]


def test_dispatch_ranks_one_district_first_and_one_last(table):
    good = table[table["parent_code"] == CITY].assign(
        ok=lambda f: f["status"].isin(["done", "on_track"]), bad=lambda f: f["status"].eq("far_behind"))
    per = good.groupby("org_unit_code")[["ok", "bad"]].sum()
    assert per["ok"].idxmax() == "GXQ" and per["ok"].max() > per["ok"].drop("GXQ").max()
    assert per["bad"].idxmax() == "BS" and per["bad"].max() > per["bad"].drop("BS").max()
    missing = table[table["org_unit_code"] == demo.MISSING_UNIT]
    monthly = missing[missing["frequency"] == "monthly"]
    assert (monthly["status"] == "missing").all()
    assert (table.loc[table["indicator_code"].isin(["RDJF", "RDQD"]), "status"] == "not_due").all()
