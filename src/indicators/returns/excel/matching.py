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

# Units of measure. A written unit converts into the indicator's own when both are the
# same base word with a size prefix (元/万元/亿元, 人/万人, 平方米/万平方米), both are
# percentages (% and ‰), or both count things (家 and 个 are the same thing said
# differently); anything else (家 into 亿元, 分 into 家) cannot convert.
MULTIPLIERS = {"十": 10.0, "百": 100.0, "千": 1e3, "万": 1e4, "十万": 1e5, "百万": 1e6, "千万": 1e7, "亿": 1e8,
               "十亿": 1e9, "百亿": 1e10, "千亿": 1e11, "万亿": 1e12}
PERCENT = {"%": 1.0, "％": 1.0, "百分比": 1.0, "百分点": 1.0, "‰": 0.1}
COUNTING = {"家", "个", "项", "件", "人", "人次", "名", "台", "套", "次", "篇", "户", "所", "座", "支", "批"}
BASE_WORDS = COUNTING | {"元", "分", "美元", "平方米", "亩", "吨", "千瓦时", "小时", "天", "年", "岁"}
MONEY = {"元": 1.0, **{p + "元": f for p, f in MULTIPLIERS.items()}}
MEASURE_WORDS = frozenset(BASE_WORDS | set(MONEY) | set(PERCENT) | {
    p + b for p in ("万", "亿", "千", "十万", "百万") for b in ("人", "人次", "件", "个", "家", "项", "美元", "平方米", "亩", "吨")})

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


def split_unit(text, measures=MEASURE_WORDS) -> tuple[str, str | None]:
    """``'技术合同成交额（亿元）'`` → ``('技术合同成交额', '亿元')``, on the normalised key.
    A bracket that does not hold a unit of measure (one of ``measures``) stays part of
    the name."""
    key = norm(text)
    m = _TRAILING_BRACKET.match(key)
    if m and m.group(1):
        inner = m.group(2).replace("单位:", "").replace("单位", "").strip(":")
        if inner in measures:
            return m.group(1), inner
    return key, None


def is_total(text) -> bool:
    """A 合计 / 总计 / 小计 row label."""
    return is_total_key(norm(text))


def is_total_key(key: str) -> bool:
    """``is_total`` of a label already normalised (``norm``)."""
    return bool(_TOTAL.search(key))


def split_aliases(aliases) -> list[str]:
    if aliases is None or (isinstance(aliases, float) and np.isnan(aliases)):
        return []
    return [a.strip() for a in _SPLIT_ALIASES.split(str(aliases)) if a.strip()]


def is_percent_unit(unit) -> bool:
    return norm(unit) in {norm(p) for p in PERCENT if PERCENT[p] == 1.0}


def _scaled(unit: str) -> tuple[str, float]:
    """(base word, size) of a normalised unit: 亿元 → (元, 1e8), 万人 → (人, 1e4), 家 → (家, 1)."""
    for prefix in sorted(MULTIPLIERS, key=len, reverse=True):
        rest = unit[len(prefix):]
        if unit.startswith(prefix) and rest and rest in BASE_WORDS:
            return rest, MULTIPLIERS[prefix]
    return unit, 1.0


def conversion_factor(source_unit: str | None, target_unit: str | None) -> float | None:
    """Multiply a value written in ``source_unit`` by this to get ``target_unit``.

    1.0 when no unit was written or both are the same; None when they cannot convert
    (``家`` into ``亿元``, ``%`` into ``万元``, ``分`` into ``家``)."""
    src, dst = norm(source_unit), norm(target_unit)
    if not src or not dst or src == dst:
        return 1.0
    pct = {norm(p): f for p, f in PERCENT.items()}
    if src in pct or dst in pct:
        return pct[src] / pct[dst] if src in pct and dst in pct else None
    (b_src, f_src), (b_dst, f_dst) = _scaled(src), _scaled(dst)
    if b_src == b_dst or (b_src in COUNTING and b_dst in COUNTING):
        return f_src / f_dst
    return None


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

    ``indicators`` needs columns code, name, aliases, unit, kind, allow_negative (and
    frequency for the calendar checks); ``units`` needs code, name, aliases, parent_code.
    ``measures`` are the unit-of-measure words a header bracket may hold: the usual ones
    and every unit the catalogue uses.
    """

    def __init__(self, indicators: pd.DataFrame, units: pd.DataFrame):
        self.indicators = indicators.set_index("code", drop=False)
        self.units = units.set_index("code", drop=False)
        # plain dicts for the walks below: a DataFrame .at per step cost ≈ 0.1 s for 200 units
        self._parent = dict(zip(self.units.index, self.units["parent_code"]))
        self._name = dict(zip(self.units.index, self.units["name"]))
        self.measures = MEASURE_WORDS | {norm(u) for u in indicators["unit"] if norm(u)}
        self.ind = Lookup()
        self.org = Lookup()
        for passes in range(2):  # codes and names first, aliases after: a name beats an alias
            for r in indicators.itertuples(index=False):
                if passes == 0:
                    self.ind.add(r.code, r.code, r.name)
                    self.ind.add(r.name, r.code, r.name)
                    self.ind.add(self.split_unit(r.name)[0], r.code, r.name)
                else:
                    for a in split_aliases(r.aliases):
                        self.ind.add(a, r.code, r.name)
                        self.ind.add(self.split_unit(a)[0], r.code, r.name)
            for r in units.itertuples(index=False):
                if passes == 0:
                    self.org.add(r.code, r.code, r.name)
                    self.org.add(r.name, r.code, r.name)
                else:
                    for a in split_aliases(r.aliases):
                        self.org.add(a, r.code, r.name)
        self._labels = self._unit_labels()
        self._whole_area_word()
        self._depth = self._unit_depths()
        # last: a unit written with its city in front (示例市东城区) — every ancestor's
        # name or alias followed by the unit's own, never beating a real name or alias
        for code, own in self._labels.items():
            for ancestor in self._ancestors(code):
                for a in self._labels.get(ancestor, []):
                    for u in own:
                        self.org.add(a + u, code, self._name[code])

    def _whole_area_word(self) -> None:
        """全市 (全区, 全县, 全省 …) for the one top-level unit, as a bureau's own tables head its
        total row, unless a unit's name or alias already is that word: without it, a return's
        全市 row was refused as an unknown unit unless the setup gave the alias."""
        roots = [c for c, p in self._parent.items() if not isinstance(p, str) or not p.strip()]
        if len(roots) != 1:
            return
        name = str(self._name[roots[0]])
        if name[-1:] in ("市", "区", "县", "省", "州", "盟", "旗"):
            word = "全" + name[-1]
            self.org.add(word, roots[0], name)
            if self.org.codes.get(norm(word)) == roots[0] and norm(word) not in self._labels[roots[0]]:
                self._labels[roots[0]].append(norm(word))

    def _unit_labels(self) -> dict[str, list[str]]:
        """Names and aliases (not codes) of each unit, normalised."""
        out: dict[str, list[str]] = {}
        for r in self.units.itertuples(index=False):
            labels = [norm(r.name), *(norm(a) for a in split_aliases(r.aliases))]
            out[r.code] = list(dict.fromkeys(x for x in labels if x))
        return out

    def within(self, code: str, ancestor: str) -> bool:
        """Whether unit ``code`` lies under ``ancestor`` (at any depth)."""
        return ancestor in self._ancestors(code)

    def _ancestors(self, code: str) -> list[str]:
        out, seen = [], {code}
        parents = self._parent
        parent = parents.get(code)
        while isinstance(parent, str) and parent and parent not in seen and parent in parents:
            out.append(parent)
            seen.add(parent)
            parent = parents[parent]
        return out

    def _unit_depths(self) -> dict[str, int]:
        return {code: len(self._ancestors(code)) for code in self.units.index}

    def split_unit(self, text) -> tuple[str, str | None]:
        return split_unit(text, self.measures)

    def indicator_in_text(self, text) -> tuple[str | None, str | None]:
        """(code, unit of measure) of the one indicator a title or sheet name names
        (「丁市高新技术企业数（家）」 → GQ, 家), the unit being a bracket right after the name;
        (None, None) for none or several. Names and aliases of 3+ characters, not codes: a
        code's letters turn up in any title."""
        t = norm(text)
        if not t:
            return None, None
        kept = _named_spans(t, ((key, code) for key, code in self.ind.codes.items()
                                if len(key) >= 3 and not key.isascii()))
        codes = {c for _, _, c in kept}
        if len(codes) != 1:
            return None, None
        end = max(e for _, e, _ in kept)
        bracket = re.match(r"[(\[]([^()\[\]]{1,8})[)\]]", t[end:])
        measure = bracket.group(1) if bracket and bracket.group(1) in self.measures else None
        return codes.pop(), measure

    def unit_in_text(self, text) -> str | None:
        """The org unit a title or sheet name names (「青溪县 2026年1-10月月度报表」), or None.
        A name inside a longer one counts once (东城 in 东城区); of several units the
        deepest wins (示例市东城区… names 东城区); two at the same depth are ambiguous."""
        t = norm(text)
        if not t:
            return None
        kept = _named_spans(t, ((label, code) for code, labels in self._labels.items()
                                for label in labels if len(label) >= 2))
        codes = {c for _, _, c in kept}
        if not codes:
            return None
        deepest = max(self._depth.get(c, 0) for c in codes)
        codes = {c for c in codes if self._depth.get(c, 0) == deepest}
        return codes.pop() if len(codes) == 1 else None

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
        key, unit = self.split_unit(text)
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
            hit = sum(1 for t in texts if t in self.measures)
        return hit / len(texts)


def _named_spans(text: str, labels) -> list[tuple[int, int, str]]:
    """(start, end, code) of every (label, code) found in ``text``, but those inside a
    longer one found (东城 inside 东城区 counts once, as 东城区)."""
    spans = []
    for label, code in labels:
        start = text.find(label)
        while start != -1:
            spans.append((start, start + len(label), code))
            start = text.find(label, start + 1)
    return [s for s in spans if not any(o[0] <= s[0] and s[1] <= o[1] and (o[1] - o[0]) > (s[1] - s[0]) for o in spans)]
