import pandas as pd
import pytest

from indicators.returns.excel.matching import (
    Catalog,
    conversion_factor,
    is_total,
    norm,
    split_unit,
)

IND = pd.DataFrame({"code": ["JS", "GQ", "RD"], "name": ["技术合同成交额", "高新技术企业数", "R&D经费占GDP比重"],
                    "aliases": ["技术交易额；技术合同额", "高企数,高企", None], "unit": ["亿元", "家", "%"],
                    "kind": ["cumulative", "stock", "ratio"], "allow_negative": [False, False, False]})
ORG = pd.DataFrame({"code": ["C", "D1", "330102"], "name": ["示范市", "高新区", "东城区"],
                    "aliases": ["全市", "高新技术产业开发区", None], "parent_code": [None, "C", "C"]})
CAT = Catalog(IND, ORG)


@pytest.mark.parametrize("text, code, unit", [
    ("技术合同成交额", "JS", None),
    ("技术合同成交额（亿元）", "JS", "亿元"),
    ("技术合同成交额(万元)", "JS", "万元"),
    (" 技术合同 成交额 ", "JS", None),
    ("1.技术合同成交额", "JS", None),
    ("（一）高企数", "GQ", None),
    ("技术交易额", "JS", None),
    ("js", "JS", None),
    ("R＆D经费占GDP比重（％）", "RD", "%"),
    ("高企", "GQ", None),
    ("专利数", None, None),
])
def test_indicator_matching(text, code, unit):
    assert CAT.indicator_code(text) == (code, unit)


@pytest.mark.parametrize("text, code", [
    ("高新区", "D1"), ("高新技术产业开发区", "D1"), ("全市", "C"), ("东城区", "330102"), (330102.0, "330102"),
    ("东城", None),
])
def test_unit_matching(text, code):
    assert CAT.unit_code(text) == code


def test_suggestions():
    assert CAT.org.suggest("东城") == ["东城区"]
    assert "技术合同成交额" in CAT.ind.suggest("技术合同额度")


@pytest.mark.parametrize("src, dst, factor", [
    ("万元", "亿元", 1e-4), ("元", "万元", 1e-4), ("亿元", "万元", 1e4), (None, "亿元", 1.0), ("家", "家", 1.0),
    ("个", "家", 1.0), ("家", "亿元", None), ("%", "万元", None), ("％", "%", 1.0),
])
def test_conversion_factor(src, dst, factor):
    got = conversion_factor(src, dst)
    assert got == (pytest.approx(factor) if factor is not None else None)


@pytest.mark.parametrize("text, total", [("合计", True), ("全市合计", True), ("总计", True), ("小计", True),
                                          ("高新区", False), ("全市", False)])
def test_is_total(text, total):
    assert is_total(text) is total


def test_norm_and_split():
    assert norm("ＡＢＣ 1") == "abc1"
    assert split_unit("成交额（亿元）") == ("成交额", "亿元")
    assert split_unit("经费投入（全社会）") == ("经费投入(全社会)", None)


def test_the_whole_area_word_names_the_one_top_level_unit():
    """A bureau's total row is 全市 (全县 for a county): it names the top-level unit without
    an alias in the setup; not when there are several top-level units, nor over a unit that
    is called that."""
    units = pd.DataFrame({"code": ["Q", "W", "N"], "name": ["青山市", "吴兴区", "南浔区"], "aliases": [None] * 3,
                          "parent_code": [None, "Q", "Q"]})
    cat = Catalog(IND, units)
    assert (cat.unit_code("全市"), cat.unit_code("全市吴兴区"), cat.unit_code("全县")) == ("Q", "W", None)
    county = Catalog(IND, pd.DataFrame({"code": ["X", "T"], "name": ["安吉县", "递铺街道"], "aliases": [None] * 2,
                                        "parent_code": [None, "X"]}))
    assert county.unit_code("全县") == "X"
    two_roots = Catalog(IND, pd.DataFrame({"code": ["A", "B"], "name": ["甲市", "乙市"], "aliases": [None] * 2,
                                           "parent_code": [None, None]}))
    assert two_roots.unit_code("全市") is None
    taken = Catalog(IND, pd.DataFrame({"code": ["Q", "Z"], "name": ["青山市", "全市"], "aliases": [None] * 2,
                                       "parent_code": [None, "Q"]}))
    assert taken.unit_code("全市") == "Z"
