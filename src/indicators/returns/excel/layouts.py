"""The three table layouts of DESIGN §5, each turned into one long frame of raw texts.

- **long**: one row per (期间, 单位, 指标, 数值);
- **wide by indicator**: one row per unit, one column per indicator;
- **wide by month**: one row per indicator, one column per month (one unit's return).

``to_long`` returns the cells still as written (matching and parsing come next) with
the address of every value, so each later problem can point at its cell. Columns of the
result (``RAW_COLUMNS``): sheet, row (Excel row number), column (letter of the value
cell), cell (raw value), indicator_text / indicator_column, unit_text / unit_column,
period_text / period_column, measure_text (unit of measure written for the value),
flavour ('month' / 'ytd' when the header says 本月 or 累计, else '': where a table gives
both for one key, the pipeline keeps the one that matches the indicator's kind).
Header-level problems (a column header that looks like a misspelt indicator …) come
back as a list of dicts in the ``problems`` module's shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from indicators.returns.excel.header import HeaderCell, Table
from indicators.returns.excel.matching import Catalog, norm
from indicators.returns.excel.periods import looks_like_period
from indicators.returns.excel.validate import RULES
from indicators.returns.limits import clip

RAW_COLUMNS = ["sheet", "row", "column", "cell", "indicator_text", "indicator_column", "unit_text",
               "unit_column", "period_text", "period_column", "measure_text", "flavour"]

LAYOUT_NAMES = {"long": "长表（每行一个数值）", "wide_by_indicator": "宽表（每行一个单位，每列一个指标）",
                "wide_by_month": "宽表（每行一个指标，每列一个月份）"}


@dataclass
class Shaped:
    layout: str
    frame: pd.DataFrame
    problems: list[dict] = field(default_factory=list)


def _content_share(table: Table, col: HeaderCell, catalog: Catalog, what: str, block: pd.DataFrame) -> float:
    return catalog.share_matching(block[col.index].head(500), what)


def _pick(cols: list[HeaderCell], role: str) -> HeaderCell | None:
    return next((c for c in cols if c.role == role), None)


def _classify_unit_columns(table: Table, catalog: Catalog, block: pd.DataFrame) -> None:
    """'单位' is both an org unit and a unit of measure in Chinese: decide by content."""
    for c in table.columns:
        if c.role in ("unit", "measure", None) and len(block):
            if c.role is None and _content_share(table, c, catalog, "unit", block) >= 0.6:
                c.role = "unit"
            elif c.role == "unit" and _content_share(table, c, catalog, "measure", block) > \
                    _content_share(table, c, catalog, "unit", block):
                c.role = "measure"
        if c.role is None and len(block) and _content_share(table, c, catalog, "indicator", block) >= 0.6:
            c.role = "indicator"


def _period_part(col: HeaderCell) -> str | None:
    return next((p for p in col.parts if looks_like_period(p)), None)


def detect(table: Table, catalog: Catalog, block: pd.DataFrame) -> str:
    _classify_unit_columns(table, catalog, block)
    free = [c for c in table.columns if c.role is None]
    by_ind = [c for c in free if catalog.indicator_code(c.parts[-1])[0] or catalog.indicator_code(c.parts[0])[0]]
    by_month = [c for c in free if _period_part(c)]
    if by_ind and len(by_ind) >= len(by_month):
        return "wide_by_indicator"
    if by_month and (_pick(table.columns, "indicator") or table.title_indicator):
        return "wide_by_month"  # an indicator per row, or the one the title names (units by months)
    return "long"


def to_long(table: Table, catalog: Catalog) -> Shaped:
    """Turn a located table into the raw long frame (see module docstring)."""
    block = table.block()
    layout = detect(table, catalog, block)
    if layout == "wide_by_indicator":
        shaped = _wide_by_indicator(table, catalog, block)
    elif layout == "wide_by_month":
        shaped = _wide_by_month(table, catalog, block)
    else:
        shaped = _long(table, catalog, block)
    if table.unit_conflict and (shaped.frame["unit_column"] == "").any():
        names = "」和「".join(str(catalog.units["name"].get(c, c)) for c in table.unit_conflict)
        shaped.problems.append(_header_problem(
            table, None, "unit_conflict", f"标题和工作表名写的是不同的单位（「{names}」），无法确定报送单位",
            RULES["unit_conflict"][1]))
    return shaped


def _const(n: int, value) -> np.ndarray:
    """``n`` references to one object. (``np.full(n, text, dtype=object)`` would make n
    separate copies of the text: slower, and every later hash starts from scratch.)"""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


def _base(table: Table, block: pd.DataFrame, value: HeaderCell) -> dict:
    n = len(block)
    return {"sheet": _const(n, table.sheet.name),
            "row": block.index.to_numpy() + 1,
            "column": _const(n, value.letter),
            "cell": block[value.index].to_numpy()}


def _key(table: Table, block: pd.DataFrame, col: HeaderCell | None, default, n: int):
    """(texts, column letter) for a key column, or the title's value when absent."""
    if col is not None:
        return block[col.index].to_numpy(), col.letter
    return _const(n, default if default is not None else ""), ""


def _frame(parts: dict) -> pd.DataFrame:
    # one column per array, put side by side without copying: the key and value columns
    # are views of the sheet grid. Explicit object dtype: pandas 3 would otherwise convert
    # each text column to Arrow strings, which costs more at 100k rows than all the
    # matching that follows.
    n = len(parts["row"])
    columns = []
    for k in RAW_COLUMNS:
        v = parts[k]
        if k == "row":
            columns.append(pd.Series(np.asarray(v, dtype="int64"), name=k))
        else:
            columns.append(pd.Series(v if isinstance(v, np.ndarray) else _const(n, v), dtype=object, name=k, copy=False))
    return pd.concat(columns, axis=1)


def _value_columns(cols: list[HeaderCell]) -> list[HeaderCell]:
    """The value column of a long table — or its 本月 and 累计 columns when it has both."""
    flavoured = [c for c in cols if c.role in ("value", None) and c.flavour]
    if len({c.flavour for c in flavoured}) >= 2:
        return flavoured
    value = _pick(cols, "value")
    if value is None:  # the last column not otherwise used
        rest = [c for c in cols if c.role is None]
        value = rest[-1] if rest else None
    return [value] if value is not None else []


def _long(table: Table, catalog: Catalog, block: pd.DataFrame) -> Shaped:
    cols = table.columns
    ind = _pick(cols, "indicator")
    values = _value_columns(cols)
    problems: list[dict] = []
    if ind is None or not values:
        missing = "、".join(w for w, c in (("指标", ind), ("数值", values[0] if values else None)) if c is None)
        problems.append(_header_problem(table, None, "missing_column", f"表头中找不到「{missing}」列",
                                        "长表须有 期间、单位、指标、数值 四列；或使用系统生成的填报模板。"))
        return Shaped("long", pd.DataFrame(columns=RAW_COLUMNS), problems)
    n = len(block)
    frames = []
    for value in values:
        parts = _base(table, block, value)
        parts["indicator_text"], parts["indicator_column"] = _key(table, block, ind, None, n)
        parts["unit_text"], parts["unit_column"] = _key(table, block, _pick(cols, "unit"),
                                                        table.title_unit or table.title_unit_text, n)
        parts["period_text"], parts["period_column"] = _key(table, block, _pick(cols, "period"),
                                                            table.title_period_text, n)
        measure = _pick(cols, "measure")
        if measure is not None:
            parts["measure_text"] = block[measure.index].to_numpy()
        else:
            parts["measure_text"] = _const(n, value.unit or table.title_measure or "")
        parts["flavour"] = value.flavour if len(values) > 1 else ""
        frames.append(_frame(parts))
    return Shaped("long", pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0], problems)


def _wide_by_indicator(table: Table, catalog: Catalog, block: pd.DataFrame) -> Shaped:
    cols = table.columns
    unit = _pick(cols, "unit")
    period = _pick(cols, "period")
    n = len(block)
    frames, problems = [], []
    for c in cols:
        if c.role is not None:
            continue
        code = None
        for p in reversed(c.parts):
            code = code or catalog.indicator_code(p)[0]
        if code is None:
            if not _period_part(c) or len(c.parts) > 1:
                problems.append(_unknown_header(table, c, catalog))
            continue
        parts = _base(table, block, c)
        parts["indicator_text"] = _const(n, code)
        parts["indicator_column"] = _const(n, c.letter)
        parts["unit_text"], parts["unit_column"] = _key(table, block, unit, table.title_unit or table.title_unit_text, n)
        header_period = _period_part(c)
        if period is not None:
            parts["period_text"], parts["period_column"] = block[period.index].to_numpy(), period.letter
        else:
            parts["period_text"] = _const(n, header_period or table.title_period_text)
            parts["period_column"] = c.letter if header_period else ""
        written = next((u for u in (catalog.indicator_code(p)[1] for p in reversed(c.parts)) if u), None)
        parts["measure_text"] = _const(n, written or c.unit or table.title_measure or "")
        parts["flavour"] = c.flavour
        frames.append(_frame(parts))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=RAW_COLUMNS)
    return Shaped("wide_by_indicator", frame, [p for p in problems if p])


def _wide_by_month(table: Table, catalog: Catalog, block: pd.DataFrame) -> Shaped:
    cols = table.columns
    ind = _pick(cols, "indicator")
    unit = _pick(cols, "unit")
    measure = _pick(cols, "measure")
    n = len(block)
    frames, problems = [], []
    for c in cols:
        if c.role is not None:
            continue
        month = _period_part(c)
        if month is None:
            problems.append(_unknown_header(table, c, catalog))
            continue
        parts = _base(table, block, c)
        parts["indicator_text"], parts["indicator_column"] = _key(table, block, ind, table.title_indicator, n)
        parts["unit_text"], parts["unit_column"] = _key(table, block, unit, table.title_unit or table.title_unit_text, n)
        parts["period_text"] = _const(n, month)
        parts["period_column"] = _const(n, c.letter)
        if measure is not None:
            parts["measure_text"] = block[measure.index].to_numpy()
        else:
            from_title = table.title_indicator_measure if ind is None else None  # 「高新技术企业数（家）」
            parts["measure_text"] = _const(n, table.title_measure or from_title or "")
        parts["flavour"] = c.flavour
        frames.append(_frame(parts))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=RAW_COLUMNS)
    return Shaped("wide_by_month", frame, [p for p in problems if p])


def _header_problem(table: Table, col: HeaderCell | None, rule: str, message: str, fix: str,
                    severity: str = "error") -> dict:
    return {"sheet": table.sheet.name, "row": table.header_row + 1, "column": col.letter if col else "",
            "value": clip(col.text) if col else "", "rule": rule, "message": message, "fix": fix, "severity": severity}


SUGGESTED_HEADERS = 200  # unknown headers checked against the catalogue; the rest are only skipped


def _unknown_header(table: Table, col: HeaderCell, catalog: Catalog) -> dict | None:
    """A header that is neither a known indicator nor a known column: a near miss of an
    indicator name is an error (the column would be lost), anything else is skipped.
    Past the first ``SUGGESTED_HEADERS`` of a sheet no near miss is looked for (a sheet
    of 16,000 junk headers would otherwise cost a minute of difflib)."""
    if not norm(col.text):
        return None
    table.unknown_headers += 1
    hints = catalog.ind.suggest(col.parts[-1]) if table.unknown_headers <= SUGGESTED_HEADERS else []
    close = [h for h in hints if _similar(col.parts[-1], h)]
    text = clip(col.text)
    if close:
        return _header_problem(table, col, "unknown_indicator",
                               f"表头「{text}」不是已登记的指标，您是否要填「{'」或「'.join(close)}」？",
                               "把表头改成指标库中的指标名称（或在指标设置中把它加为别名）。")
    return _header_problem(table, col, "ignored_column", f"列「{text}」未识别为指标或月份，已忽略。",
                           "如该列是需要报送的指标，请把表头改成指标库中的名称。", "warning")


def _similar(a: str, b: str) -> bool:
    import difflib
    return difflib.SequenceMatcher(None, norm(a), norm(b)).ratio() >= 0.6
