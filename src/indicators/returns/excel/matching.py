"""Matching what a return writes against the catalogue: indicators, org units, units
of measure.

Names are compared after normalising: full-width → half-width (NFKC), spaces removed,
lower case, list numbering (``1.``、``（一）``) dropped, and a trailing bracket holding a
unit of measure (``技术合同成交额（亿元）``) split off and kept as the unit the writer used.
Matching works on the distinct texts of a column, so 100k rows cost a few hundred
look-ups. Unknown texts get did-you-mean suggestions from ``difflib``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from indicators.db.connection import Connection

# Money units convert into each other; the factor is the size of one unit in 元.
MONEY = {"元": 1.0, "千元": 1e3, "万元": 1e4, "十万元": 1e5, "百万元": 1e6, "千万元": 1e7, "亿元": 1e8}
PERCENT = {"%", "％", "百分比", "百分点"}
MEASURE_WORDS = set(MONEY) | PERCENT | {"家", "个", "项", "件", "人", "人次", "名", "台", "套", "平方米", "万平方米", "亩", "次", "篇", "户", "所"}

_SPACES = re.compile(r"\s+")
_SPLIT_ALIASES = re.compile(r"[；;,，、]")
_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*[\.、)]|[(][一二三四五六七八九十\d]+[)]|[一二三四五六七八九十]+、)")
_TRAILING_BRACKET = re.compile(r"^(.*?)[(\[]([^()\[\]]*)[)\]]$")
_TOTAL = re.compile(r"(合计|总计|小计|汇总)$|^(合计|总计|小计|汇总)")


def norm(text) -> str:
    """The comparison key of a label."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)  # a code typed as a number: 330100.0 → '330100'
    t = unicodedata.normalize("NFKC", str(text))
    t = _SPACES.sub("", t).lower()
    t = t.replace("【", "[").replace("】", "]")
    return _NUMBERING.sub("", t)


def split_unit(text) -> tuple[str, str | None]:
    """``'技术合同成交额（亿元）'`` → ``('技术合同成交额', '亿元')``, on the normalised key.
    A bracket that does not hold a unit of measure stays part of the name."""
    key = norm(text)
    m = _TRAILING_BRACKET.match(key)
    if m and m.group(1):
        inner = m.group(2).replace("单位:", "").replace("单位", "").strip(":")
        if inner in MEASURE_WORDS or inner in {"%"}:
            return m.group(1), inner
    return key, None


def is_total(text) -> bool:
    """A 合计 / 总计 / 小计 row label."""
    return bool(_TOTAL.search(norm(text)))


def split_aliases(aliases) -> list[str]:
    if aliases is None or (isinstance(aliases, float) and np.isnan(aliases)):
        return []
    return [a.strip() for a in _SPLIT_ALIASES.split(str(aliases)) if a.strip()]


def is_percent_unit(unit) -> bool:
    return norm(unit) in {norm(p) for p in PERCENT}


def conversion_factor(source_unit: str | None, target_unit: str | None) -> float | None:
    """Multiply a value written in ``source_unit`` by this to get ``target_unit``.

    1.0 when no unit was written or both are the same; None when they cannot convert
    (``家`` into ``亿元``, ``%`` into ``万元``). Only money converts (元/万元/亿元 …);
    counting words (家/个/项) are taken as the same thing said differently."""
    src, dst = norm(source_unit), norm(target_unit)
    if not src or not dst or src == dst:
        return 1.0
    if src in MONEY and dst in MONEY:
        return MONEY[src] / MONEY[dst]
    pct = {norm(p) for p in PERCENT}
    if (src in MONEY) != (dst in MONEY) or (src in pct) != (dst in pct):
        return None
    return 1.0


@dataclass
class Lookup:
    """Key → code, and key → display name for suggestions."""

    codes: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def add(self, label, code: str, display: str) -> None:
        key = norm(label)
        if key and key not in self.codes:
            self.codes[key] = code
            self.names[key] = display

    def suggest(self, text, n: int = 3) -> list[str]:
        key = split_unit(text)[0]
        hits = difflib.get_close_matches(key, list(self.codes), n=n * 3, cutoff=0.5)
        # also a label that contains / is contained in the text (高新区 vs 高新技术开发区)
        hits += [k for k in self.codes if key and len(key) >= 2 and (key in k or k in key)]
        seen: list[str] = []
        for k in hits:
            if self.names[k] not in seen:
                seen.append(self.names[k])
        return seen[:n]


class Catalog:
    """The indicators and org units a return is matched against.

    ``indicators`` needs columns code, name, aliases, unit, kind, allow_negative;
    ``units`` needs code, name, aliases, parent_code.
    """

    def __init__(self, indicators: pd.DataFrame, units: pd.DataFrame):
        self.indicators = indicators.set_index("code", drop=False)
        self.units = units.set_index("code", drop=False)
        self.ind = Lookup()
        self.org = Lookup()
        for passes in range(2):  # codes and names first, aliases after: a name beats an alias
            for r in indicators.itertuples(index=False):
                if passes == 0:
                    self.ind.add(r.code, r.code, r.name)
                    self.ind.add(r.name, r.code, r.name)
                    self.ind.add(split_unit(r.name)[0], r.code, r.name)
                else:
                    for a in split_aliases(r.aliases):
                        self.ind.add(a, r.code, r.name)
                        self.ind.add(split_unit(a)[0], r.code, r.name)
            for r in units.itertuples(index=False):
                if passes == 0:
                    self.org.add(r.code, r.code, r.name)
                    self.org.add(r.name, r.code, r.name)
                else:
                    for a in split_aliases(r.aliases):
                        self.org.add(a, r.code, r.name)

    @classmethod
    def from_db(cls, con: Connection) -> "Catalog":
        ind = con.execute("""SELECT code, name, aliases, unit, kind, coalesce(allow_negative, false) AS allow_negative,
                                    frequency, decimals, numerator_code FROM indicator ORDER BY sort_order, code""").df()
        org = con.execute("SELECT code, name, aliases, parent_code, level FROM org_unit ORDER BY level, sort_order, code").df()
        return cls(ind, org)

    # --- scalar look-ups (headers, titles) ---
    def indicator_code(self, text) -> tuple[str | None, str | None]:
        """(code, unit written in a trailing bracket) for one label; code None if unknown."""
        full = norm(text)
        if full in self.ind.codes:
            return self.ind.codes[full], None
        key, unit = split_unit(text)
        return self.ind.codes.get(key), unit

    def unit_code(self, text) -> str | None:
        return self.org.codes.get(norm(text))

    # --- column look-ups ---
    def match_indicators(self, cells: pd.Series) -> pd.DataFrame:
        """Per cell: ``code`` (None if unknown) and ``written_unit`` (bracket unit or None)."""
        codes, uniques = pd.factorize(pd.Series(cells, dtype=object))
        pairs = [self.indicator_code(u) for u in uniques] + [(None, None)]
        code = np.array([p[0] for p in pairs], dtype=object)[codes]
        unit = np.array([p[1] for p in pairs], dtype=object)[codes]
        # object dtype on purpose: building Arrow-backed str columns of 100k rows costs
        # more than the whole match
        return pd.DataFrame({"code": code, "written_unit": unit}, index=cells.index)

    def match_units(self, cells: pd.Series) -> pd.Series:
        """Per cell the org unit code (None if unknown)."""
        codes, uniques = pd.factorize(pd.Series(cells, dtype=object))
        found = np.array([self.unit_code(u) for u in uniques] + [None], dtype=object)[codes]
        return pd.Series(found, index=cells.index, dtype=object)

    def share_matching(self, cells: pd.Series, what: str) -> float:
        """Share of the distinct non-empty texts of a column that name an indicator
        (``what='indicator'``), an org unit (``'unit'``) or a unit of measure (``'measure'``)."""
        texts = {norm(v) for v in pd.unique(pd.Series(cells, dtype=object)) if norm(v)}
        texts = {t for t in texts if not _TOTAL.search(t)}
        if not texts:
            return 0.0
        if what == "indicator":
            hit = sum(1 for t in texts if self.indicator_code(t)[0])
        elif what == "unit":
            hit = sum(1 for t in texts if t in self.org.codes)
        else:
            hit = sum(1 for t in texts if t in MEASURE_WORDS)
        return hit / len(texts)
