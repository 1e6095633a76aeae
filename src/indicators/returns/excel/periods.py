"""Periods as returns write them, read to ``YYYY-MM``.

Accepted: ``2026年10月``, ``2026-10``, ``2026/10``, ``2026.10``, ``202610``, ``2026-10-31``,
``2026年1-10月`` (a 1–m月累计 is the period m), ``10月`` / ``1-10月`` / ``十月`` with the
year taken from the title, ``2026年第三季度`` (→ 09), ``2026年度`` (→ 12), and real dates
or Excel date serials; ``2026.1-10`` / ``2026/1-10`` (1–10月); the parts of a year that
run from January — ``一季度`` (→ 03), ``上半年`` (→ 06), ``前三季度`` / ``1-3季度`` (→ 09),
in a cell or a title (下半年 is not one, nor a bare 全年: beside 1-10月 it heads the target). A number ``2026.1`` is refused:
Excel turns a typed ``2026.10`` into it, so it may mean January or October; so is
``2026-1-10`` (10 January, or 1–10月?).

A year alone (``2019``, ``2019年``, and ``2019年度``) is a year's figure: it belongs to
December, the month in which every kind of indicator holds its year — 1–12月累计 for a
cumulative one, the year-end level for a stock. ``bare_years`` finds the first two
(``parse_period`` gives None for them) and ``annual_texts`` all three, so that the
pipeline can say where a year's figure of a monthly indicator went.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

import numpy as np
import pandas as pd

_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
           "十一": 11, "十二": 12}
_CN = "(?:十[一二]?|[一二三四五六七八九])"
_DASH = r"[-~～至到—–_]"
_YEAR = r"((?:19|20)\d\d)"
# a year's parts that run from January (so a cumulative figure is the year to date): the
# month they end in. 下半年, 二季度 alone etc. are not (7–12月 is not a year to date)
_PART_MONTHS = {"一季度": 3, "第一季度": 3, "1季度": 3, "第1季度": 3, "上半年": 6, "前两季度": 6, "前二季度": 6,
                "1-2季度": 6, "一至二季度": 6, "前三季度": 9, "1-3季度": 9, "一至三季度": 9}
# (a bare 全年 is not one: beside 1-10月 it heads the year's target; 2025年全年 is a year's figure)
_PARTS = "|".join(sorted((re.escape(k) for k in _PART_MONTHS), key=len, reverse=True))

# Whole-cell patterns, tried in order; each yields (year or None, month).
_FULL = [
    (re.compile(rf"^{_YEAR}年?(\d{{1,2}}|{_CN}){_DASH}(\d{{1,2}}|{_CN})月(?:份)?(?:累计|末)?$"), "y-range"),
    # 2026.1-10 / 2026/1-10: 1–10月 (a date repeats its first separator: 2026.1.10, 2026-1-10)
    (re.compile(rf"^{_YEAR}[./](\d{{1,2}}){_DASH}(\d{{1,2}})(?:月(?:份)?)?(?:累计)?$"), "y-range"),
    (re.compile(rf"^{_YEAR}([年\-/\.])(\d{{1,2}})(?:月份?|月末)?(?:\2(\d{{1,2}})日?)?(?:\d\d:\d\d(?::\d\d)?)?$"), "y-sep-m"),
    (re.compile(rf"^{_YEAR}年({_CN})月(?:份)?(?:末)?$"), "y-m"),
    (re.compile(rf"^{_YEAR}(0[1-9]|1[0-2])$"), "y-m"),
    (re.compile(rf"^{_YEAR}年?第?([1-4一二三四])季度?$"), "y-q"),
    # the parts of a year that are a 1–m月累计: 一季度 (1–3月), 上半年, 前三季度, 1-3季度
    (re.compile(rf"^{_YEAR}?年?(?:度)?({_PARTS})(?:累计)?$"), "y-part"),
    (re.compile(rf"^{_YEAR}年?(?:度|全年|年度)$"), "y-annual"),
    (re.compile(rf"^(\d{{1,2}}|{_CN}){_DASH}(\d{{1,2}}|{_CN})月(?:份)?(?:累计|末)?$"), "range"),
    (re.compile(rf"^(\d{{1,2}}|{_CN})月(?:份)?(?:末|累计)?$"), "m"),
]

# Patterns searched inside a title such as "2026年1-10月全市科技指标完成情况".
_IN_TITLE = [
    re.compile(rf"{_YEAR}年度?\s*(?:\d{{1,2}}|{_CN})\s*{_DASH}\s*(\d{{1,2}}|{_CN})\s*月"),
    re.compile(rf"{_YEAR}\s*年度?\s*(\d{{1,2}}|{_CN})\s*月"),
    re.compile(rf"{_YEAR}[-/.](0[1-9]|1[0-2])(?!\d)"),
]
_PART_IN_TITLE = re.compile(rf"{_YEAR}\s*年\s*(?:度\s*)?({_PARTS})")
_YEAR_IN_TITLE = re.compile(rf"{_YEAR}\s*年")
_ANNUAL_IN_TITLE = re.compile(rf"{_YEAR}\s*(?:年度|年全年|全年)")
_BARE_YEAR = re.compile(rf"^{_YEAR}年?$")
_ANNUAL = re.compile(rf"^{_YEAR}年?(?:度|全年|年度)?$")


def _month(text: str) -> int | None:
    m = int(text) if text.isdigit() else _CN_NUM.get(text)
    return m if m is not None and 1 <= m <= 12 else None


def _fmt(year: int | None, month: int | None) -> str | None:
    if year is None or month is None or not (1 <= month <= 12) or not (1900 <= year <= 2199):
        return None
    return f"{year:04d}-{month:02d}"


def _from_number(x: float, default_year: int | None) -> str | None:
    if not math.isfinite(x):
        return None
    if x.is_integer():
        n = int(x)
        if 190001 <= n <= 219912:
            return _fmt(n // 100, n % 100)
        if 1 <= n <= 12:
            return _fmt(default_year, n)
        if 20000 <= n <= 80000:  # an Excel date serial (1954–2119)
            d = dt.date(1899, 12, 30) + dt.timedelta(days=n)
            return _fmt(d.year, d.month)
        return None
    year = int(x)
    month = round((x - year) * 100)
    if not (1900 <= year <= 2199) or abs((x - year) * 100 - month) > 1e-6:
        return None
    if month == 10 or month == 1:  # 2026.1: Excel's 2026.10 or a January? refuse to guess
        return None
    return _fmt(year, month)


def parse_period(cell, *, default_year: int | None = None) -> str | None:
    """One cell → ``'YYYY-MM'`` or None when it is not a recognisable period.

    ``default_year`` supplies the year for ``10月`` / ``1-10月`` (taken from the title).
    """
    if cell is None or isinstance(cell, bool):
        return None
    if isinstance(cell, (dt.date, dt.datetime, pd.Timestamp)):
        return None if pd.isna(cell) else _fmt(cell.year, cell.month)
    if isinstance(cell, (int, float, np.integer, np.floating)):
        return _from_number(float(cell), default_year)
    if not isinstance(cell, str):
        return None
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", cell))
    for pattern, kind in _FULL:
        m = pattern.match(text)
        if not m:
            continue
        g = m.groups()
        if kind == "y-range":
            return _fmt(int(g[0]), _month(g[2]) if _month(g[1]) else None)
        if kind == "y-m":
            return _fmt(int(g[0]), _month(g[1]))
        if kind == "y-sep-m":
            if g[2] == "1" and g[3] and 2 <= int(g[3]) <= 12:
                return None  # 2026-1-10: 10 January, or 1–10月? refuse to guess (January would be overwritten)
            return _fmt(int(g[0]), _month(g[2]))
        if kind == "y-part":
            return _fmt(int(g[0]) if g[0] else default_year, _PART_MONTHS[g[1]])
        if kind == "y-q":
            q = int(g[1]) if g[1].isdigit() else _CN_NUM[g[1]]
            return _fmt(int(g[0]), q * 3)
        if kind == "y-annual":
            return _fmt(int(g[0]), 12)
        if kind == "range":
            return _fmt(default_year, _month(g[1]) if _month(g[0]) else None)
        if kind == "m":
            return _fmt(default_year, _month(g[0]))
    return None


def parse_periods(cells: pd.Series, *, default_year: int | None = None) -> pd.Series:
    """Vectorised ``parse_period``: a column holds few distinct periods, so each distinct
    cell is parsed once and the results are spread back (object dtype, None where unread)."""
    s = pd.Series(cells, dtype=object)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    parsed = np.array([parse_period(u, default_year=default_year) for u in uniques] + [None], dtype=object)
    return pd.Series(parsed[codes], index=s.index, dtype=object)


def looks_like_period(cell) -> bool:
    """Whether a header cell names a month (``10月``, ``2026年10月``…), any year."""
    return parse_period(cell, default_year=2000) is not None


# the day a form was filled in, sent or printed (填报日期：2026年11月5日, 2026-11-05报送) is
# not the month it reports: left out of a title before its period is looked for
_DATE = r"20\d\d\s*(?:[-./年]\s*\d{1,2}\s*(?:[-./月]\s*\d{1,2}\s*日?|月)?)?"
_SUBMITTED = re.compile(r"(?:填报|报送|填表|制表|打印|导出|上报|报出|提交|编制|印发)(?:日期|时间)\s*[:：]?\s*(?:" + _DATE + ")?"
                        r"|20\d\d\s*[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,2}\s*日?\s*(?:填报|报送|填表|制表|打印|导出|上报|报出|提交|印发)")


def without_submission_dates(text: str) -> str:
    """``text`` (NFKC) without the day it was filled in, sent or printed."""
    return _SUBMITTED.sub(" ", unicodedata.normalize("NFKC", str(text)))


def find_in_text(text: str) -> tuple[int | None, str | None]:
    """(year, period) mentioned in a title line or a sheet name; either may be None.
    ``2019年度各地区……`` names the year's figure: period 2019-12. The day the form was
    filled in or sent (填报日期：2026年11月5日) is not its period."""
    text = without_submission_dates(text)
    for pattern in _IN_TITLE:
        m = pattern.search(text)
        if m:
            p = _fmt(int(m.group(1)), _month(m.group(2)))
            if p:
                return int(m.group(1)), p
    m = _PART_IN_TITLE.search(text)
    if m:
        return int(m.group(1)), _fmt(int(m.group(1)), _PART_MONTHS[m.group(2)])
    m = _ANNUAL_IN_TITLE.search(text)
    if m:
        return int(m.group(1)), _fmt(int(m.group(1)), 12)
    m = _YEAR_IN_TITLE.search(text)
    return (int(m.group(1)), None) if m else (None, None)


def is_annual_title(text: str) -> bool:
    """Whether the period ``find_in_text`` reads from ``text`` is a year's figure (2019年度)."""
    text = without_submission_dates(text)
    part = _PART_IN_TITLE.search(text)
    return not any(p.search(text) for p in _IN_TITLE) and not part and bool(_ANNUAL_IN_TITLE.search(text))


def _text_of(cell) -> str | None:
    if isinstance(cell, bool):
        return None
    if isinstance(cell, (int, np.integer)) or (isinstance(cell, (float, np.floating)) and float(cell).is_integer()):
        return str(int(cell))
    if isinstance(cell, str):
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", cell))
    return None


def bare_years(cells: pd.Series) -> pd.Series:
    """The year of cells that hold a year and nothing else (``2019``, ``'2019年'``), else 0."""
    s = pd.Series(cells, dtype=object)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    found = []
    for u in uniques:
        m = _BARE_YEAR.match(_text_of(u) or "")
        found.append(int(m.group(1)) if m else 0)
    return pd.Series(np.array(found + [0], dtype="int64")[codes], index=s.index)


def annual_texts(cells: pd.Series) -> pd.Series:
    """True where a cell names a whole year (``2019``, ``2019年``, ``2019年度``, ``2019全年``)."""
    s = pd.Series(cells, dtype=object)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    found = [bool(_ANNUAL.match(_text_of(u) or "")) for u in uniques]
    return pd.Series(np.array(found + [False], dtype=bool)[codes], index=s.index)


def month_of(day: dt.date | dt.datetime) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def latest_periods(texts: pd.Series, today: dt.date) -> pd.Series:
    """Periods where nothing gives the year of a bare 10月 / 1-10月: the latest such month
    not after today's — read in January, 12月 is last December, not a December to come."""
    this_year = parse_periods(texts, default_year=today.year)
    bare = this_year.ne(parse_periods(texts, default_year=today.year - 1)).to_numpy(dtype=bool)
    later = bare & (this_year.fillna("").astype(str).to_numpy() > f"{today.year:04d}-{today.month:02d}")
    if later.any():
        this_year = this_year.where(~later, parse_periods(texts[later], default_year=today.year - 1))
    return this_year


_SINGLE_QUARTER = re.compile(rf"^(?:{_YEAR}年?)?第?([2-4二三四])季度?$")


def single_quarters(texts: pd.Series) -> np.ndarray:
    """Where a period text names one quarter after the first (``2026年第三季度``, ``三季度``):
    read as its last month — for a cumulative figure 1–9月, though 第三季度 may mean 7–9月."""
    codes, uniques = pd.factorize(pd.Series(texts, dtype=object))
    hit = [isinstance(u, str) and bool(_SINGLE_QUARTER.match(_text_of(u))) for u in uniques]
    return np.append(np.array(hit, dtype=bool), False)[codes]
