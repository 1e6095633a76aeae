"""预计全年 (indicators.rules.projection) and its words (indicators.sentences): one rule for
every kind, the basis stated so the sum can be redone. Expected values worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from indicators import sentences
from indicators.rules import projection

nan = float("nan")


def one(kind, value, share, due, *, baseline=nan, frequency="monthly", partial=False):
    out = projection.projection([kind], [frequency], pd.Series([value]), [baseline], [share], [due], partial=[partial])
    r = out.iloc[0]
    return (None if pd.isna(r["projection"]) else round(float(r["projection"]), 6),
            r["projection_basis"] or r["projection_none"],
            None if pd.isna(r["projection_share"]) else round(float(r["projection_share"]), 6))


@pytest.mark.parametrize("args,kw,expected", [
    # cumulative: YTD ÷ last year's share at the month — 80 ÷ 0.8 = 100
    (("cumulative", 80, 0.8, 10), {}, (100.0, "last_year", 0.8)),
    # no (or no usable) share last year: the time share — 50 ÷ 6/12 = 100
    (("cumulative", 50, nan, 6), {}, (100.0, "linear", 0.5)),
    (("cumulative", 50, 1.4, 6), {}, (100.0, "linear", 0.5)),  # a share above 1 is no pace
    (("cumulative", 50, 0.0, 6), {}, (100.0, "linear", 0.5)),
    # stock: B + (V − B) ÷ s — 1,412 + 78 ÷ 10/12 = 1,505.6
    (("stock", 1490, nan, 10), {"baseline": 1412}, (1505.6, "linear", round(10 / 12, 6))),
    # 1,412 + 78 ÷ 0.65 = 1,532
    (("stock", 1490, 0.65, 10), {"baseline": 1412}, (1532.0, "last_year", 0.65)),
    # a falling stock keeps falling at the same pace: 40 + (36 − 40) ÷ 0.5 = 32
    (("stock", 36, nan, 6), {"baseline": 40}, (32.0, "linear", 0.5)),
    # December is the year itself
    (("stock", 1600, 0.9, 12), {"baseline": 1412}, (1600.0, "year_end", None)),
    (("cumulative", 155, 0.9, 12), {}, (155.0, "year_end", None)),
    # none, and why: a stock without 上年末, a ratio, an annual figure, a partial sum, no value,
    # nothing due, a falling count whose pace goes below zero (4 + (1 − 4) ÷ 0.5 = −2)
    (("stock", 1490, 0.65, 10), {}, (None, "no_baseline", None)),
    (("ratio", 2.6, 0.8, 10), {"baseline": 2.4}, (None, "ratio", None)),
    (("cumulative", 80, 0.8, 12), {"frequency": "annual"}, (None, "annual", None)),
    (("cumulative", 80, 0.8, 10), {"partial": True}, (None, "partial", None)),
    (("cumulative", nan, 0.8, 10), {}, (None, "no_value", None)),
    (("cumulative", 80, 0.8, 0), {"frequency": "quarterly"}, (None, "not_due", None)),
    (("stock", 1, 0.5, 10), {"baseline": 4}, (None, "below_zero", None)),
])
def test_projection(args, kw, expected):
    assert one(*args, **kw) == expected


@pytest.mark.parametrize("none,status,reason", [
    ("ratio", "lagging", "比率：随分子、分母变化，不单独推算"),
    ("no_baseline", "on_track", "缺上年末数，无法推算"),
    ("annual", "on_track", "年度指标：全年只报一次，不做推算"),
    ("partial", "on_track", "部分汇总，不作全年预计"),
    ("below_zero", "done", "推算为负，不推算"),
    ("no_value", "missing", "未报送，无法推算"),
    ("ratio", "missing", "未报送，无法推算"),  # not sent says so first
    ("not_due", "not_due", "未到报送期"),
    (None, "on_track", "数据不足，无法推算"),
])
def test_no_projection_says_why(none, status, reason):
    assert projection.no_projection_reason(none, status) == reason


@pytest.mark.parametrize("status,missing,reason", [
    ("on_track", "北山县", "部分汇总（缺 北山县），不作全年预计"),
    ("lagging", "北山县、青溪县", "部分汇总（缺 北山县、青溪县），不作全年预计"),
    ("on_track", None, "部分汇总，不作全年预计"),  # who is missing not known: the reason alone
    ("missing", "北山县", "未报送，无法推算"),  # the unit itself not sent says so first
])
def test_a_partial_roll_up_names_who_is_missing(status, missing, reason):
    assert projection.no_projection_reason("partial", status, missing) == reason


def test_a_reason_other_than_partial_ignores_the_missing_units():
    assert projection.no_projection_reason("ratio", "on_track", "北山县") == "比率：随分子、分母变化，不单独推算"


def test_reaches_respects_direction():
    out = projection.reaches(["higher", "lower", "higher"], pd.Series([100, 100, nan]), [90, 90, 90])
    assert list(out) == [True, False, None]


def row(**kw):
    return {"kind": "stock", "frequency": "monthly", "unit": "家", "decimals": 0, "value_period": "2026-10",
            "value": 1490.0, "baseline": 1412.0, "projection": 1505.6, "projection_basis": "linear",
            "projection_share": 10 / 12} | kw


@pytest.mark.parametrize("r,text,cell", [
    (row(), "预计全年 1,506 家（按时间进度：上年末 1,412 家 + 较上年末新增 78 家 ÷ 10/12）", "时间进度 10/12"),
    (row(projection=1532.0, projection_basis="last_year", projection_share=0.65),
     "预计全年 1,532 家（按上年同期进度：上年末 1,412 家 + 较上年末新增 78 家 ÷ 65.0%）", "上年同期进度 65.0%"),
    (row(kind="cumulative", unit="亿元", decimals=2, value=80.0, projection=100.0, projection_basis="last_year",
         projection_share=0.8), "预计全年 100.00 亿元（按上年同期进度：1—10月累计 80.00 亿元 ÷ 80.0%）", "上年同期进度 80.0%"),
    (row(value=1600.0, value_period="2026-12", projection=1600.0, projection_basis="year_end", projection_share=nan),
     "全年 1,600 家（12月即全年）", "12月即全年"),
    (row(projection=nan, projection_basis=None), "", ""),
])
def test_projection_words(r, text, cell):
    assert sentences.projection_text(r) == text
    assert sentences.projection_basis_text(r) == cell
