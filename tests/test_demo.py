"""The demo city 示例市: deterministic, in the shapes real data takes, and — loaded into a
database — a dispatch table for 2026-10 that shows every status."""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
import pytest
from builders import AT

from indicators import demo
from indicators.db import batches, catalog, connection
from indicators.demo.city import CITY, DISTRICTS
from indicators.demo.simulate import _Generator
from indicators.rules import periods, progress
from indicators.settings import Settings
from indicators.setup import workbook

AS_OF = demo.AS_OF
STATUSES = ["done", "on_track", "lagging", "far_behind", "missing", "not_due"]


@pytest.fixture(scope="module")
def frames():
    return demo.demo_setup_frames()


@pytest.fixture(scope="module")
def obs():
    return demo.demo_observations()


@pytest.fixture(scope="module")
def inds(frames):
    return frames["indicator"].set_index("code")


def _load(frames, obs):
    con = connection.connect(":memory:")
    workbook.load_setup(con, frames, at=AT)
    workbook.load_setup(con, {**frames, "target": demo.demo_target_revisions()}, at=AT + dt.timedelta(seconds=1))
    batches.write_batch(con, obs, file_name="demo", at=AT)
    return con


@pytest.fixture(scope="module")
def con(frames, obs):
    c = _load(frames, obs)
    yield c
    c.close()


# --- determinism ------------------------------------------------------------------

def test_calls_are_equal(frames, obs):
    pd.testing.assert_frame_equal(obs, demo.demo_observations())
    again = demo.demo_setup_frames()
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(frame, again[name])
    pd.testing.assert_frame_equal(demo.demo_target_revisions(), demo.demo_target_revisions())


def test_a_fresh_generator_gives_the_same_data():
    """The cache must not hide randomness: a second run from the seed is identical."""
    first, second = _Generator().run(), _Generator().run()
    assert first.values == second.values
    assert first.targets == second.targets
    assert first.revisions == second.revisions


def test_return_files_are_byte_identical(tmp_path):
    a = demo.demo_return_files(tmp_path / "a")
    b = demo.demo_return_files(tmp_path / "b")
    assert [p.name for p in a] == [p.name for p in b]
    for pa, pb in zip(a, b):
        assert hashlib.sha256(pa.read_bytes()).digest() == hashlib.sha256(pb.read_bytes()).digest()


# --- shapes -------------------------------------------------------------------------

def test_setup_frames_have_the_sheet_columns(frames):
    assert list(frames) == list(workbook.SHEETS)
    for table, (_, cols) in workbook.SHEETS.items():
        assert list(frames[table].columns) == [c.name for c in cols], table
        for c in cols:
            if c.required:
                assert frames[table][c.name].notna().all(), (table, c.name)


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
    assert have == {(i, u, y) for i in inds.index for u in units for y in (2024, 2025, 2026)}
    assert (t["value"] >= 0).all()
    for text in t["milestones"].dropna():
        nodes = progress.parse_milestones(text)
        assert nodes[12] == 1.0 and list(nodes.values()) == sorted(nodes.values())
    assert t["milestones"].notna().sum() >= 9  # a few indicators, every unit


def test_city_targets_are_about_the_sum_of_districts(frames, inds):
    t = frames["target"].query("year == 2026").set_index(["indicator_code", "org_unit"])["value"]
    for code in inds.index[inds["kind"].isin(["cumulative", "stock"])]:
        if inds.loc[code, "direction"] == "lower":
            continue
        total = sum(t[(code, u)] for u in DISTRICTS)
        assert 0.9 * total <= t[(code, CITY)] <= 1.05 * total, code


def test_target_revisions_become_current(frames, con):
    rev = demo.demo_target_revisions()
    assert len(rev) >= 1 and (rev["year"] == 2026).all() and rev["reason"].str.contains("年中调整").all()
    first = frames["target"].set_index(["indicator_code", "org_unit", "year"])["value"]
    current = catalog.current_targets(con, 2026).set_index(["indicator_code", "org_unit"])["value"]
    for r in rev.itertuples():
        assert first[(r.indicator_code, r.org_unit, 2026)] != r.value
        assert current[(r.indicator_code, r.org_unit)] == r.value
        hist = catalog.target_history(con, r.indicator_code, r.org_unit).query("year == 2026")
        assert hist["value"].tolist() == [first[(r.indicator_code, r.org_unit, 2026)], r.value]


def test_setup_round_trips_through_the_workbook(frames, tmp_path):
    path = workbook.write_workbook(tmp_path / "示例市设置.xlsx", frames)
    back = workbook.read_workbook(path)
    for table, frame in frames.items():
        got = back[table]
        assert list(got.columns) == list(frame.columns)
        assert len(got) == len(frame), table
        for col in frame.columns:
            a = [None if pd.isna(v) else v for v in frame[col]]
            b = [None if pd.isna(v) else v for v in got[col]]
            if col in ("value", "factor"):
                assert b == pytest.approx(a), (table, col)
            else:
                assert [str(v) if v is not None else None for v in b] == \
                       [str(v) if v is not None else None for v in a], (table, col)


def test_observation_columns_and_range(obs, frames, inds):
    assert list(obs.columns) == ["indicator_code", "org_unit", "period", "value"]
    assert obs["value"].notna().all() and (obs["value"] >= 0).all()
    assert not obs.duplicated(["indicator_code", "org_unit", "period"]).any()
    assert set(obs["indicator_code"]) <= set(inds.index)
    assert set(obs["org_unit"]) <= set(frames["org_unit"]["code"])
    assert sorted(obs["period"].unique()) == [periods.make(y, m) for y in (2024, 2025, 2026)
                                              for m in range(1, 13) if (y, m) <= (2026, 10)]
    dec = obs["indicator_code"].map(inds["decimals"]).astype(int)
    assert all(round(v, d) == v for v, d in zip(obs["value"], dec))


def test_derived_ratios_and_the_city(obs, inds):
    derived = inds.index[inds["numerator_code"].notna()]
    assert not obs["indicator_code"].isin(derived).any()
    city = obs[obs["org_unit"] == CITY]
    assert set(city["indicator_code"]) == {"GDP", "WRFMZL"}
    # every district reports every non-derived indicator
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
    assert set(rd["period"]) == {"2024-12", "2025-12"}


def test_monthly_indicators_report_every_month(obs, inds):
    monthly = inds.index[inds["frequency"] == "monthly"]
    rows = obs[obs["indicator_code"].isin(monthly) & (obs["org_unit"] != demo.MISSING_UNIT)]
    assert (rows.groupby(["indicator_code", "org_unit"]).size() == 34).all()


def test_one_district_misses_its_october_return(obs):
    latest = obs[obs["period"] == AS_OF]
    assert demo.MISSING_UNIT not in set(latest["org_unit"])
    assert set(latest["org_unit"]) == set(DISTRICTS) - {demo.MISSING_UNIT} | {CITY}
    assert (obs[(obs["org_unit"] == demo.MISSING_UNIT)]["period"].max()) == "2026-09"


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
    dec = city("JSHT", "2025-12") - city("JSHT", "2025-11")
    assert dec > 2 * (city("JSHT", "2025-11") / 11)
    gain = city("GXQY", "2025-12") - city("GXQY", "2024-12")
    assert city("GXQY", "2025-12") - city("GXQY", "2025-10") > 0.8 * gain
    ytd = city("GSGYCZ", "2025-02") / city("GSGYCZ", "2025-12")
    assert 0.09 < ytd < 2 / 12


def test_magnitudes_fit_a_mid_size_city(obs):
    def city(code, period):
        return obs.query("indicator_code == @code and period == @period and org_unit != @CITY")["value"].sum()
    gdp = obs.query("indicator_code == 'GDP' and org_unit == @CITY and period == '2025-12'")["value"].item()
    assert 2000 < gdp < 6000  # 亿元
    assert 1.5 < city("RDJF", "2025-12") / gdp * 100 < 4  # R&D intensity, %
    assert 500 < city("GXQY", "2025-12") < 3000  # 家
    assert 30 < city("JSHT", "2025-12") < 300  # 亿元


def test_return_files_are_long_tables_with_a_title(obs, tmp_path):
    paths = demo.demo_return_files(tmp_path)
    assert len(paths) == obs["period"].nunique()
    oct_file = [p for p in paths if AS_OF in p.name][0]
    raw = pd.read_excel(oct_file, header=None, engine="calamine")
    assert "示例市" in str(raw.iloc[0, 0]) and "2026年10月" in str(raw.iloc[0, 0])
    assert raw.iloc[1].tolist() == demo.RETURN_HEADER
    table = pd.read_excel(oct_file, header=1, engine="calamine", dtype={"期间": str})
    want = obs[obs["period"] == AS_OF]
    assert len(table) == len(want)
    got = table.rename(columns={"期间": "period", "单位代码": "org_unit", "指标代码": "indicator_code", "数值": "value"})
    merged = want.merge(got, on=["indicator_code", "org_unit", "period"], suffixes=("", "_file"))
    assert len(merged) == len(want)
    assert merged["value"].to_numpy() == pytest.approx(merged["value_file"].to_numpy())


# --- loaded: the dispatch table for 2026-10 ----------------------------------------

def _dispatch(con):
    dispatch = pytest.importorskip("indicators.dispatch")
    return dispatch.dispatch_table(con, AS_OF, Settings())


def test_dispatch_shows_every_status(con):
    table = _dispatch(con)
    counts = table["status"].value_counts()
    for status in STATUSES:
        assert counts.get(status, 0) >= 3, (status, counts.to_dict())
    assert "no_target" not in counts


def test_dispatch_agrees_with_the_design(con):
    table = _dispatch(con).rename(columns={"org_unit_code": "org_unit"})
    design = demo.demo_design()
    merged = design.merge(table, on=["indicator_code", "org_unit"], suffixes=("_design", ""))
    assert len(merged) == len(design)
    diff = merged[merged["status_design"] != merged["status"]]
    assert diff.empty, diff[["indicator_code", "org_unit", "status_design", "status"]]


def test_dispatch_ranks_one_district_first_and_one_last(con):
    table = _dispatch(con)
    good = table[table["parent_code"] == CITY].assign(
        ok=lambda f: f["status"].isin(["done", "on_track"]), bad=lambda f: f["status"].eq("far_behind"))
    per = good.groupby("org_unit_code")[["ok", "bad"]].sum()
    assert per["ok"].idxmax() == "GXQ" and per["ok"].max() > per["ok"].drop("GXQ").max()
    assert per["bad"].idxmax() == "BS" and per["bad"].max() > per["bad"].drop("BS").max()
    missing = table[table["org_unit_code"] == demo.MISSING_UNIT]
    monthly = missing[missing["frequency"] == "monthly"]
    assert (monthly["status"] == "missing").all()
    assert (table.loc[table["indicator_code"].isin(["RDJF", "RDQD"]), "status"] == "not_due").all()
