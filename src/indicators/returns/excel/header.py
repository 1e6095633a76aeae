"""Finding the table on a sheet: the header row under the title rows, two-row headers
built from merged cells, the unit of measure written in a header, whether a value column
holds the month's own figure (本月) or the year to date (累计), what the title or the
sheet name says (year, period, reporting unit, unit of measure), and where the notes
below begin.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePath

import pandas as pd

from indicators.returns.excel.matching import Catalog, norm, split_unit
from indicators.returns.excel.periods import find_in_text, is_annual_title, looks_like_period
from indicators.returns.excel.sources import RawSheet, column_letter

SCAN_ROWS = 30  # the header is somewhere in the first rows
NOTE_SCAN_ROWS = 200  # and the notes in the last ones

# Header words by role, compared on the normalised key with a bracket unit removed.
ROLE_WORDS: dict[str, set[str]] = {
    "period": {"期间", "月份", "时间", "报告期", "统计期", "年月", "所属期", "日期", "期别", "统计时间",
               "报送期间", "统计月份", "报告期间", "所属期间", "月度", "年份", "年度", "年", "统计年度", "报告年度",
               # the period as forms name it (not 填报日期 / 报送时间: the day it was filled in)
               "报送期", "填报期", "填报期间", "报表期", "报表期间", "数据期", "数据期间", "统计期间", "期次",
               "报送月份", "填报月份", "报告月份", "所属月份", "数据月份", "报表月份", "月份名称",
               "报送年月", "填报年月", "统计年月", "所属年月", "报告年月", "数据年月"},
    "unit": {"单位", "单位名称", "区县", "区县名称", "地区", "填报单位", "区域", "县区", "单位代码",
             "县(市、区)", "县(市区)", "县市区", "区(县)", "区县(市)", "地区名称", "报送单位", "责任单位"},
    "indicator": {"指标", "指标名称", "指标代码", "项目", "指标项", "指标名", "项目名称", "统计指标"},
    "value": {"数值", "填报值", "本月值", "本期值", "完成值", "数据", "值", "累计值", "本月累计", "实际完成",
              "完成数", "累计完成", "金额", "本年累计", "1-本月累计", "本月数", "本期数", "实际值", "完成情况"},
    "measure": {"计量单位", "单位(计量)", "计量"},
}
# Headers that are never data to store (a column of them is skipped silently).
IGNORE_WORDS = ("序号", "备注", "说明", "排名", "排序", "同比", "增长", "增速", "环比", "比上年", "较上年",
                "上月", "上年", "参考", "目标", "完成率", "进度", "序时", "去年", "同期", "占比变化", "联系人", "电话")
# A value column's flavour: the month's own figure, or 1–m月累计 (``flavour``).
MONTH_WORDS = {"本月", "当月", "本期", "本月数", "本月值", "当月数", "当月值", "本期数", "本期值", "本月完成",
               "当月完成", "本月实际", "当月实际", "本月完成数", "当月完成数"}
YTD_WORDS = {"累计", "累计数", "累计值", "本年累计", "1-本月累计", "本月累计", "累计完成", "年累计", "1至本月累计",
             "自年初累计", "本年累计数", "年初至今", "今年累计", "1-本月", "累计完成数", "本年累计完成", "全年累计"}
_RANGE = re.compile(r"(?:\d{1,2}|[一二三四五六七八九十]+)[-~～至到—–](?:\d{1,2}|[一二三四五六七八九十]+)月")
_NOTE = re.compile(r"^\s*(注|说明|备注|填表人|填报人|审核人|负责人|联系人|联系电话|制表|数据来源|资料来源|单位负责人|统计负责人)")
_REPORTER = re.compile(r"(?:填报|报送|填表)单位[:：]\s*([^\s:：]+)")
# a whole date (2026-11-05, 2026.11.05, 2026年11月5日, 20261105) in a file's name is the day
# it was exported or sent, not the month it reports: such a name gives no period or unit
_DAY = re.compile(r"(?<!\d)20\d\d(?:([-./_])\d{1,2}\1\d{1,2}|年\d{1,2}月\d{1,2}日?|(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))(?!\d)")
_MEASURE = re.compile(r"(?:计量)?单位[:：]\s*([^\s:：,，;；]+)")


@dataclass
class HeaderCell:
    """One table column: position, header text (two header rows joined with '/'),
    the header parts, the unit of measure in brackets, and the recognised role."""

    index: int
    text: str
    parts: tuple[str, ...]
    unit: str | None = None
    role: str | None = None  # period | unit | indicator | value | measure | ignore | None
    flavour: str = ""  # 'month' (本月), 'ytd' (累计, 1-10月) or '' (not said)

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass
class Table:
    """Where a table sits on a sheet and what its title says. Rows are 0-based grid
    rows; ``data_rows`` excludes empty rows and the notes under the table."""

    sheet: RawSheet
    header_row: int
    data_start: int
    data_end: int  # exclusive
    columns: list[HeaderCell]
    title: str = ""
    title_year: int | None = None
    title_period: str | None = None
    title_unit: str | None = None  # org unit code named by 填报单位：
    title_unit_text: str | None = None
    title_measure: str | None = None  # 单位：万元 above the table
    notes: list[str] = field(default_factory=list)
    unknown_headers: int = 0  # counted by the layouts, to bound the near-miss search
    title_annual: bool = False  # the title names a year's figure (2019年度)
    unit_conflict: tuple[str, str] | None = None  # two units the title and the names disagree on
    title_indicator: str | None = None  # the one indicator the title or the sheet name names
    title_indicator_measure: str | None = None  # its unit of measure in a bracket there （家）

    @property
    def title_period_text(self) -> str:
        """The period a table without a period column or header belongs to, as text: the
        title's month, else its year alone (a year's figure), else ''."""
        if self.title_period:
            return f"{self.title_year}年度" if self.title_annual and self.title_year else self.title_period
        return f"{self.title_year}年" if self.title_year else ""

    def block(self) -> pd.DataFrame:
        """The data cells (object dtype), index = 0-based grid row, columns = grid column.
        Empty rows stay: their cells read as empty values, which are never stored."""
        grid = self.sheet.grid
        cols = [c.index for c in self.columns]
        if cols == list(range(grid.shape[1])):  # every grid column: a row slice, no copy
            return grid.iloc[self.data_start:self.data_end]
        return grid.iloc[self.data_start:self.data_end, cols]


def value_flavour(parts: tuple[str, ...]) -> str:
    """'ytd' for 累计 / 1-10月, 'month' for 本月 / 当月, '' when the header does not say."""
    for part in reversed(parts):
        key = split_unit(part)[0]
        if key in YTD_WORDS or _RANGE.search(key):
            return "ytd"
        if key in MONTH_WORDS:
            return "month"
    return ""


def header_role(text: str) -> str | None:
    key, _unit = split_unit(text)
    key = key.split("/")[-1] if key not in _ALL_WORDS else key
    for role, words in ROLE_WORDS.items():
        if key in words:
            return role
    full = norm(text)
    if any(w in full for w in IGNORE_WORDS):
        return "ignore"
    if "单位" in key and "计量" not in key:
        return "unit"
    if "计量" in key:
        return "measure"
    if key.startswith("指标"):
        return "indicator"
    return None


_ALL_WORDS = set().union(*ROLE_WORDS.values())


def _row_score(values: list, catalog: Catalog) -> int:
    """How header-like a row is: recognised roles, indicator names and month headers."""
    seen = {v.strip() if isinstance(v, str) else v for v in values if isinstance(v, str) and v.strip()}
    score = 0
    for v in seen:
        role = header_role(v)
        if role in ("period", "unit", "indicator", "value", "measure"):
            score += 2
        elif catalog.indicator_code(v)[0]:
            score += 2
        elif looks_like_period(v):
            score += 1
    return score


def locate(sheet: RawSheet, catalog: Catalog, file_name: str = "", period: str | None = None) -> Table | None:
    """The table on ``sheet``, or None when no row looks like a header. What the title
    and the sheet name leave open is looked for in ``file_name`` (东城区2026年10月.xlsx),
    and a period still unknown is ``period`` (the one the user declared), if given."""
    grid = sheet.grid
    if grid.empty:
        return None
    top = grid.iloc[:SCAN_ROWS]
    scores = [_row_score(list(top.iloc[r]), catalog) for r in range(len(top))]
    best = max(range(len(scores)), key=lambda r: (scores[r], -r)) if scores else 0
    if not scores or scores[best] < 2:
        return None
    h = best
    first_row = [str(v).strip() if v is not None else "" for v in grid.iloc[h]]
    parts = [(t,) for t in first_row]
    data_start = h + 1
    if _has_second_header_row(sheet, h):
        second = [str(v).strip() if v is not None else "" for v in grid.iloc[h + 1]]
        parts = [(a,) if (a == b or not b) else ((b,) if not a else (a, b)) for a, b in zip(first_row, second)]
        data_start = h + 2
    columns = []
    for i, p in enumerate(parts):
        text = "/".join(p)
        if not text:
            continue
        unit = next((u for u in (catalog.split_unit(x)[1] for x in reversed(p)) if u), None)
        role = header_role(p[-1]) or header_role(text)
        if role == "value" and len(p) == 2 and (looks_like_period(p[0]) or catalog.indicator_code(p[0])[0]):
            role = None  # 本月累计 under a month or an indicator: one of that group's data columns
        columns.append(HeaderCell(i, text, p, unit, role, value_flavour(p)))
    title_lines = _title_lines(grid, h)
    table = Table(sheet, h, data_start, len(grid), columns, title="\n".join(title_lines))
    _read_title(table, title_lines, catalog)
    stem = PurePath(file_name).stem
    if not _DAY.search(unicodedata.normalize("NFKC", stem)):  # 报表(2026.11.05导出): the day it was saved
        _read_name(table, stem, catalog, weak=True)
    if table.title_period is None and period:
        table.title_period = period
    _cut_notes(table)
    return table


def _has_second_header_row(sheet: RawSheet, h: int) -> bool:
    """A merged cell in the header row spanning columns (or rows) means the row under
    it names the sub-columns — when that row holds labels and no numbers."""
    spans = [m for m in sheet.merged if m[0][0] == h and (m[1][1] > m[0][1] or m[1][0] > h)]
    if not spans or h + 1 >= len(sheet.grid):
        return False
    row = [v for v in sheet.grid.iloc[h + 1] if v not in ("", None)]
    return bool(row) and all(isinstance(v, str) for v in row)


def _title_lines(grid: pd.DataFrame, h: int) -> list[str]:
    lines = []
    for r in range(h):
        seen = []
        for v in grid.iloc[r]:
            if isinstance(v, str) and v.strip() and v.strip() not in seen:
                seen.append(v.strip())
        if seen:
            lines.append("  ".join(seen))
    return lines


def _read_title(table: Table, lines: list[str], catalog: Catalog) -> None:
    """Year, period, reporting unit and unit of measure from the title lines; what the
    title leaves open is looked for in the sheet name (a sheet named 青溪县 or 2019年度)."""
    for line in lines:
        text = unicodedata.normalize("NFKC", line)
        year, period = find_in_text(text)
        if year and table.title_year is None:
            table.title_year = year
        if period and table.title_period is None:
            table.title_period = period
            table.title_annual = year is not None and is_annual_title(text)
        m = _REPORTER.search(text)
        if m and table.title_unit is None:
            table.title_unit_text = m.group(1)
            table.title_unit = catalog.unit_code(m.group(1))
        for m in _MEASURE.finditer(text):
            word = norm(m.group(1))
            if word in catalog.measures and table.title_measure is None:
                table.title_measure = word
            elif table.title_unit is None and catalog.unit_code(word):
                table.title_unit = catalog.unit_code(word)
                table.title_unit_text = m.group(1)
    if table.title_unit is None and table.title_unit_text is None:
        table.title_unit = catalog.unit_in_text(" ".join(lines))
    table.title_indicator, table.title_indicator_measure = catalog.indicator_in_text(" ".join(lines))
    _read_name(table, table.sheet.name, catalog)


def _read_name(table: Table, name: str, catalog: Catalog, weak: bool = False) -> None:
    """The unit and the period a name (the sheet's, then the file's) gives, where the
    title gave none: a sheet named 青溪县 or 2019年度, a file named 东城区2026年10月.xlsx.
    A sheet name naming another unit than the title is a conflict; a file's name
    (``weak``: a copy of last month's file keeps its old name) only fills a gap."""
    if not name:
        return
    named = catalog.unit_in_text(name)
    if table.title_indicator is None:
        table.title_indicator, table.title_indicator_measure = catalog.indicator_in_text(name)
    if table.title_unit is None and table.title_unit_text is None:
        table.title_unit = named
    elif named and table.title_unit and named != table.title_unit:
        if not weak and catalog.within(named, table.title_unit):  # 示例市… over a sheet 东城区: the district
            table.title_unit = named
        elif not weak and not catalog.within(table.title_unit, named) and table.unit_conflict is None:
            table.unit_conflict = (table.title_unit, named)  # 北山县 in the title, 青溪县 as the sheet: not guessed
    if table.title_period is None:
        year, period = find_in_text(name)
        table.title_period = period
        table.title_annual = period is not None and is_annual_title(name)
        table.title_year = table.title_year or year


def _cut_notes(table: Table) -> None:
    """The table ends at the first row whose first cell starts a note (注：…, 填表人…)."""
    grid = table.sheet.grid
    if table.data_start >= len(grid) or not table.columns:
        return
    # notes sit under the table: looking at its last rows keeps this cheap on 100k rows
    start = max(table.data_start, len(grid) - NOTE_SCAN_ROWS)
    first = grid.iloc[start:, :table.columns[-1].index + 1]
    lead = first.iloc[:, 0].astype(str)
    for c in range(1, min(first.shape[1], 3)):  # notes may start in B when A is a 序号 column
        lead = lead.where(lead.str.strip() != "", first.iloc[:, c].astype(str))
    hits = lead.str.match(_NOTE.pattern)
    if hits.any():
        end = int(hits.idxmax())
        table.data_end = end
        table.notes = [s for s in lead.loc[end:].tolist() if s.strip()]
