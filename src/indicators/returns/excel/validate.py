"""Located validation of a return: every problem is one row of a tidy DataFrame that a
page shows as it is and the CLI prints line by line.

Problem columns (``PROBLEM_COLUMNS``): file, sheet, row (Excel row number, NA for a
whole-sheet problem), column (letter, '' when none), value (the text seen), rule (code),
rule_name (Chinese), message (Chinese, names the place and the value), fix (what to do),
severity ('error' rejects the file, 'warning' needs confirmation).

Checks take the resolved long frame (columns of ``layouts.RAW_COLUMNS`` plus
indicator_code, org_unit, period, value, percent, empty, ok, is_total, formula_error,
has_indicator, has_org_unit)
and build messages with column arithmetic, never a Python loop over rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.returns.excel.matching import Catalog
from indicators.returns.limits import CONTROL, Limits, clip, visible
from indicators.rules import periods as calendar
from indicators.rules.due import FREQ_STEP, is_due

ECHO = Limits.echo_chars
FREQUENCY_NAMES = {"monthly": "月度", "quarterly": "季度", "annual": "年度"}
FREQUENCY_MONTHS = {"monthly": "每月", "quarterly": "3、6、9、12 月", "annual": "12 月"}

PROBLEM_COLUMNS = ["file", "sheet", "row", "column", "value", "rule", "rule_name", "message", "fix", "severity"]

RULES: dict[str, tuple[str, str]] = {  # code → (name, default fix)
    "no_table": ("未找到数据表", "请使用系统生成的填报模板，或确保表头含 期间/单位/指标/数值 等列名。"),
    "missing_column": ("缺少必要列", "补上缺少的列，或使用系统生成的填报模板。"),
    "unknown_indicator": ("未知指标", "改成指标库中的指标名称或代码（可在指标设置中添加别名）。"),
    "unknown_unit": ("未知单位", "改成单位库中的单位名称或代码（可在单位设置中添加别名）。"),
    "missing_key": ("缺少单位/指标", "补填该行的单位或指标。"),
    "not_number": ("不是数字", "填写数字（可带千分位或%），无数据请留空或填“—”。"),
    "negative": ("不应为负数", "该指标不允许负值：请核对数值和符号。"),
    "bad_period": ("期间无法识别", "写成 2026年10月、2026-10 或 202610 等格式。"),
    "missing_period": ("缺少期间", "在表中加“期间”列，或在标题、工作表名或文件名中写明年月（如“2026年1-10月”）。"),
    "future_period": ("期间晚于当前月份", "核对年份和月份。"),
    "period_mismatch": ("期间与模板不符", "本模板只收该期间的数据：请下载对应期间的模板重新填写。"),
    "duplicate": ("重复数据", "同一单位、指标、期间只能填一次：删除多余的行。"),
    "task_status": ("任务状态无效", "从下拉框选择：已完成 / 按计划推进 / 滞后 / 未启动。"),
    "unknown_task": ("未知任务", "使用系统生成的模板，不要改动「任务代码」列。"),
    "extra_fields": ("字段多于表头", "带逗号的数字请加英文引号（\"1,600.5\"）或去掉千分位，或在 Excel 中另存为 .xlsx 后上传。"),
    "value_too_large": ("数值过大", "核对数值和计量单位（如把元填成了亿元的列）。"),
    "title_period_differs": ("标题与期间列不符", "核对标题和期间列，改正写错的一处后重新上传；确认按期间列导入后，确认警告即可。"),
    "quarter_as_ytd": ("季度按累计读取", "累计指标请填年初至季末的累计数（如 1-9月）；核对无误后确认警告即可。"),
    "ignored_sheet": ("工作表未读取", "要导入的数值请填在填报模板的数据表（或一张未隐藏的表）中；确认其中的数值无需导入后，确认警告即可导入。"),
    "unit_conflict": ("报送单位不一致", "在表中加“单位”列，或改正标题、工作表名或文件名中的单位。"),
    "unit_mismatch": ("计量单位不符", "按指标的计量单位填写，或在表头写明可换算的单位（元/万元/亿元）。"),
    "total_mismatch": ("合计不等于分项之和", "核对合计行或各单位数值。合计行不会被导入。"),
    "cumulative_fell": ("累计值比上月减少", "累计值（1至本月）通常不应减少：核对本月或上月数值。"),
    "outlier": ("数值远超该单位历史", "核对数值和计量单位（元/万元/亿元）。"),
    "percent_fraction": ("疑似小数形式的百分比", "该指标以%计：如 0.25 表示 25%，请填 25。"),
    "xls_truncated": (".xls 表格可能被截断", ".xls 格式最多 65,536 行：请另存为 .xlsx 后重新上传。"),
    "formula_error": ("公式错误值", "修正公式（如除数为零、引用失效），或改填数值后重新上传。"),
    "formula_uncached": ("公式没有计算结果", "在 Excel 或 WPS 中打开文件、确认公式已计算后保存（或把公式粘贴为数值）再上传。"),
    "formula_cached": ("含公式单元格", "已按文件中保存的计算结果读取：核对这些数值；如不需要公式，可粘贴为数值后再上传。"),
    "file_refused": ("文件未读取", "按提示处理后重新上传。"),
    "sheet_unreadable": ("工作表无法读取", "在 Excel 中打开该工作表检查内容，另存为 .xlsx 后重新上传。"),
    "off_frequency": ("该月不报送此指标", "核对期间：季度指标只报 3、6、9、12 月，年度指标只报 12 月；如频度设错，请在指标设置中修改。"),
    "open_period": ("月份尚未结束", "本月尚未结束：核对期间是否应为上月；如确为本月的阶段数，确认后导入。"),
    "annual_as_december": ("年度数计入12月", "核对：该指标按月或按季报送，年度数已计入该年12月（1—12月累计或年末数）。"),
    "ignored_column": ("未识别的列", "如该列需要报送，请把表头改成指标库中的名称。"),
    "duplicate_file": ("重复上传", "该文件已导入过；确认后将再次导入（数值相同则不变）。"),
}


_EMPTY = pd.DataFrame({c: pd.Series(dtype="Int64" if c == "row" else "str") for c in PROBLEM_COLUMNS})


def empty_problems() -> pd.DataFrame:
    return _EMPTY.copy()


def blank(cells: pd.Series) -> pd.Series:
    """True where a key cell is empty or only spaces (decided once per distinct text)."""
    codes, uniques = pd.factorize(pd.Series(cells, dtype=object))
    flags = np.array([not str(u).strip() for u in uniques] + [True], dtype=bool)
    return pd.Series(flags[codes], index=cells.index)


def one(rule: str, message: str, *, sheet: str = "", row=None, column: str = "", value: str = "",
        severity: str = "error", fix: str | None = None) -> dict:
    """A single problem (sheet-level or header-level)."""
    return {"sheet": sheet, "row": row, "column": column, "value": clip(value), "rule": rule,
            "rule_name": RULES[rule][0], "message": message, "fix": fix or RULES[rule][1], "severity": severity}


def cell_text(cells: pd.Series) -> pd.Series:
    """How a raw cell reads back to the user: 1234.0 → '1234', None → '', a long text cut
    to ``ECHO`` characters (a 1 MB cell must not become a 1 MB message)."""
    text = pd.Series(cells, dtype=object).astype("str")
    text = text.str.replace(r"^(-?\d+)\.0$", r"\1", regex=True)
    text = text.where(~text.isin(["None", "nan", "NaN", "<NA>"]), "")
    controlled = text.str.contains(CONTROL.pattern, regex=True, na=False)
    if controlled.any():  # an ESC in a unit's name would drive the terminal that shows the message
        text = text.where(~controlled, text[controlled].map(visible))
    long = text.str.len() > ECHO
    if long.any():
        text = text.where(~long, text[long].map(clip))
    return text


WHERE_KEEP = 10_000  # problems built per check and rule (the most INDICATORS_MAX_PROBLEMS can list)


def where(frame: pd.DataFrame, mask, rule: str, message, *, severity: str = "error", column: str = "column",
          value: str | None = None, fix=None) -> pd.DataFrame:
    """Problems for the rows of ``frame`` under ``mask``. ``message`` is one string or a
    function of the selected rows returning a Series (so text is only built for the
    rows that fail); ``column``/``value`` name the columns holding the cell address
    letter and the text to show."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return empty_problems()
    # a return lists a few hundred problems per rule: messages are built for the first
    # WHERE_KEEP rows only, and the last one carries how many more there were ("more")
    hits = np.flatnonzero(mask)
    more = max(0, len(hits) - WHERE_KEEP)
    sub = frame.iloc[hits[:WHERE_KEEP]] if more else frame[mask]
    if callable(message):
        message = message(sub)
    out = pd.DataFrame({
        "sheet": sub["sheet"].astype("str"),
        "row": sub["row"].astype("Int64"),
        "column": sub[column].astype("str"),
        "value": cell_text(sub["cell"] if value is None else sub[value]),
        "rule": rule, "rule_name": RULES[rule][0],
        "message": message, "fix": RULES[rule][1] if fix is None else fix, "severity": severity,
    })
    if more:
        out["more"] = 0
        out.iloc[-1, out.columns.get_loc("more")] = more
    return out


def place(frame: pd.DataFrame, column: str = "column") -> pd.Series:
    """'表1!C5' style address, for messages."""
    return "「" + frame["sheet"].astype("str") + "」" + frame[column].astype("str") + frame["row"].astype("str")


def _comma_words(cells: pd.Series) -> pd.Series:
    """Why a number with a comma is not one: a comma is only a thousands separator."""
    comma = cells.astype("str").str.contains("[,，]", regex=True)
    return comma.map({True: "（逗号只能用作千分位，如 1,234.5；小数点请写“.”）", False: ""}).astype("str")


# no figure of a bureau's returns comes near this in its own unit (a country's GDP is ~1.3×10^14 元);
# beyond it a typo or a hostile file, and sums of such values overflow (1e308 + 1e308 = inf)
MAX_VALUE = 1e15


def check_cells(w: pd.DataFrame, catalog: Catalog) -> list[pd.DataFrame]:
    """Non-numeric values; negatives for indicators that do not allow them; values past
    ``MAX_VALUE`` in the indicator's unit."""
    out = []
    bad = ~w["ok"] & ~w["formula_error"]
    out.append(where(w, bad, "not_number", lambda s: "单元格内容「" + cell_text(s["cell"]) + "」不是数字"
                     + _comma_words(s["cell"])))
    out.append(where(w, w["formula_error"], "formula_error",
                     lambda s: "单元格为公式错误值 " + cell_text(s["cell"]) + "，没有可用的数值"))
    allow = catalog.indicators["allow_negative"].fillna(False).astype(bool)
    neg = (w["value"] < 0) & w["indicator_code"].isin(set(allow[~allow].index)) & ~w["is_total"]
    names = catalog.indicators["name"].to_dict()
    out.append(where(w, neg, "negative", lambda s: "指标「" + s["indicator_code"].map(names).astype("str")
                     + "」不允许负数，此处为 " + cell_text(s["value"])))
    huge = w["value"].abs() >= MAX_VALUE  # NaN compares False
    out.append(where(w, huge, "value_too_large", lambda s: "数值 " + cell_text(s["cell"]) + " 超出合理范围（绝对值应小于 "
                     + f"{MAX_VALUE:.0e}".replace("e+", "×10^") + "）"))
    return out


def check_keys(w: pd.DataFrame, catalog: Catalog) -> list[pd.DataFrame]:
    """Unknown or missing indicators and units, one problem per key cell."""
    out = []
    has_value = ~_bools(w["empty"]) | ~_bools(w["ok"])
    no_code, no_org = ~_bools(w["has_indicator"]), ~_bools(w["has_org_unit"])
    is_total = _bools(w["is_total"])
    # a blank key text never matches the catalogue, so blankness is only looked at
    # where no code was found (usually no row at all)
    no_ind, no_unit = _blank_among(w["indicator_text"], no_code), _blank_among(w["unit_text"], no_org)
    unknown_ind = no_code & ~no_ind & has_value
    out.append(_unknown(w, unknown_ind, "unknown_indicator", "indicator_text", "indicator_column", "指标", catalog.ind))
    unknown_unit = no_org & ~no_unit & has_value & ~is_total
    out.append(_unknown(w, unknown_unit, "unknown_unit", "unit_text", "unit_column", "单位", catalog.org))
    missing = (no_ind | (no_unit & ~is_total)) & has_value
    out.append(where(w, missing, "missing_key", lambda s: "该行有数值但没有填写" + pd.Series(
        np.where(s["indicator_text"].astype("str").fillna("").str.strip() == "", "指标", "单位"), index=s.index)))
    return out


def _bools(col: pd.Series) -> np.ndarray:
    return col.to_numpy(dtype=bool)


def _blank_among(cells: pd.Series, rows: np.ndarray) -> np.ndarray:
    """``blank(cells)`` evaluated on ``rows`` only (False elsewhere)."""
    out = np.zeros(len(cells), dtype=bool)
    if rows.any():
        out[rows] = blank(cells[rows]).to_numpy(dtype=bool)
    return out


SUGGESTED_TEXTS = 200  # distinct unknown texts given a did-you-mean (a return lists at most 200 per rule)


def _unknown(w, mask, rule, text_col, col_col, what, lookup) -> pd.DataFrame:
    if not np.asarray(mask).any():
        return empty_problems()
    sub = w[mask].drop_duplicates(["sheet", "row", col_col, text_col])

    def message(s: pd.DataFrame) -> pd.Series:
        # suggestions cost a difflib pass each: only for the texts that will be listed
        texts = s[text_col].astype("str")
        hints = {t: lookup.suggest(t) if len(t) <= 100 else [] for t in texts.unique()[:SUGGESTED_TEXTS]}
        hint = texts.map(lambda t: "，您是否要填「" + "」或「".join(hints[t]) + "」？" if hints.get(t) else "")
        return what + "「" + cell_text(texts) + f"」不在{what}库中" + hint

    return where(sub, np.ones(len(sub), bool), rule, message, column=col_col, value=text_col)


def check_periods(w: pd.DataFrame, *, current_month: str, expected: str | None) -> list[pd.DataFrame]:
    out = []
    has_value = ~_bools(w["empty"])
    # few distinct periods: compare those and spread the answers back by code
    codes, uniques = pd.factorize(w["period"].to_numpy(dtype=object))
    uniques = list(uniques)
    read = codes >= 0
    unread = ~read & has_value
    no_text = _blank_among(w["period_text"], unread)
    out.append(where(w, unread & ~no_text, "bad_period",
                     lambda s: "期间「" + cell_text(s["period_text"]) + "」无法识别",
                     column="period_column", value="period_text"))
    out.append(where(w, unread & no_text, "missing_period", "找不到该数值所属的期间"))
    future = np.array([p > current_month for p in uniques] + [False], dtype=bool)[codes] & has_value
    annual = _bools(w["annual_text"]) if "annual_text" in w else np.zeros(len(w), dtype=bool)
    out.append(where(w, future & ~annual, "future_period",
                     lambda s: "期间 " + s["period"] + " 晚于当前月份 " + current_month,
                     column="period_column", value="period_text"))
    out.append(where(w, future & annual, "missing_period",
                     lambda s: "「" + cell_text(s["period_text"]) + "」只写了年份：年度数计入该年 12 月，但该年尚未结束，"
                     "请写明月份（如 " + calendar.label(current_month) + "）",
                     column="period_column", value="period_text"))
    now = np.array([p == current_month for p in uniques] + [False], dtype=bool)[codes] & has_value
    out.append(where(w, now, "open_period",
                     lambda s: "期间 " + s["period"].map(calendar.label) + " 尚未结束（月份尚未结束）",
                     column="period_column", value="period_text", severity="warning"))
    if expected:
        off = np.array([p != expected for p in uniques] + [False], dtype=bool)[codes] & has_value & ~future
        out.append(where(w, off, "period_mismatch",
                         lambda s: "期间 " + s["period"] + f" 与模板期间 {expected} 不符",
                         column="period_column", value="period_text"))
    return [_dedupe(p) for p in out]


def _dedupe(p: pd.DataFrame) -> pd.DataFrame:
    """A bad key cell shared by many values (a month header) is reported once; a month
    not yet over, once per sheet and month."""
    if not len(p):
        return p
    if (p["rule"] == "open_period").all():
        return p.drop_duplicates(["sheet", "message"])
    return p.drop_duplicates(["sheet", "row", "column", "rule"])


def check_frequency(w: pd.DataFrame, catalog: Catalog) -> list[pd.DataFrame]:
    """A value for a month in which its indicator is not reported (a quarterly one in
    October, an annual one before December) is refused: it would be stored and shown
    nowhere. A year's figure of a monthly or quarterly indicator is taken as its
    December value, and said so (once per sheet and indicator)."""
    if "frequency" not in catalog.indicators:
        return []
    # each distinct code looked up once, spread back by its factorized code (a Series.map
    # of 100k codes cost ≈ 0.2 s); the same values and dtype as mapping the whole column
    i_codes, i_uniques = pd.factorize(w["indicator_code"].to_numpy(dtype=object))
    per_code = pd.Series(i_uniques, dtype=object).map(catalog.indicators["frequency"]).fillna("monthly")
    per_code = pd.concat([per_code, pd.Series(["monthly"], dtype=per_code.dtype)], ignore_index=True)
    of_row = np.where(i_codes < 0, len(i_uniques), i_codes)  # row → its code's place in per_code
    # factorize leaves NA out (code -1) exactly where isna is True: the codes say which rows
    # have an indicator and a period without an isna pass over 100k objects each
    p_codes, p_uniques = pd.factorize(w["period"].to_numpy(dtype=object))
    live = ~_bools(w["empty"]) & (p_codes >= 0) & (i_codes >= 0)
    # the month of each distinct period, and is_due once per distinct (frequency, month)
    # pair, spread back by integer codes (a MultiIndex of 100k pairs cost ≈ 0.2 s)
    p_month = pd.to_numeric(pd.Series(p_uniques, dtype=object).astype("str").str.slice(5, 7),
                            errors="coerce").fillna(0).astype(int).to_numpy()
    month = np.append(p_month, 0)[p_codes]  # no period (code -1): month 0, as a blank text gave
    # each row's frequency by the code of its indicator (the frequencies of the few codes factorized)
    fc_codes, f_uniques = pd.factorize(per_code.to_numpy(dtype=object))
    f_codes = fc_codes[of_row]
    low = int(month.min(initial=0))
    span = int(month.max(initial=0)) - low + 1
    codes, uniques = pd.factorize(f_codes.astype("int64") * span + (month - low))
    pairs = [(f_uniques[k // span], int(k % span) + low) for k in uniques]
    due = np.array([bool(is_due(f, m)) if f in FREQ_STEP and m else True for f, m in pairs] + [True],
                   dtype=bool)[codes]
    names = catalog.indicators["name"].to_dict()
    off = live & ~due
    def freq_of(s: pd.DataFrame) -> pd.Series:  # the frequency of the rows a message names
        return pd.Series(per_code.take(of_row[w.index.get_indexer(s.index)]).to_numpy(), index=s.index,
                         dtype=per_code.dtype)
    out = [where(w, off, "off_frequency", lambda s: "指标「" + s["indicator_code"].map(names).astype("str") + "」为"
                 + freq_of(s).map(FREQUENCY_NAMES) + "指标（" + freq_of(s).map(FREQUENCY_MONTHS)
                 + "报送），" + s["period"].map(calendar.label) + " 不报送该指标，此数值不会显示在任何页面",
                 column="period_column", value="period_text")]
    if "annual_text" in w:
        not_annual = np.array([f != "annual" for f in f_uniques], dtype=bool)[f_codes]
        yearly = live & due & _bools(w["annual_text"]) & not_annual
        p = where(w, yearly, "annual_as_december", lambda s: "「" + cell_text(s["period_text"]) + "」是全年数：指标「"
                  + s["indicator_code"].map(names).astype("str") + "」为" + freq_of(s).map(FREQUENCY_NAMES)
                  + "指标，已计入 " + s["period"].map(calendar.label) + "（1—12月累计或年末数）",
                  column="period_column", value="period_text", severity="warning")
        out.append(p.drop_duplicates(["sheet", "message"]) if len(p) else p)
    return out


def check_duplicates(w: pd.DataFrame) -> list[pd.DataFrame]:
    keys = ["indicator_code", "org_unit", "period"]
    live = ~_bools(w["empty"]) & ~_bools(w["is_total"])
    # duplicates on one integer key built from factorized codes: far cheaper than on 3 text columns
    key = np.zeros(len(w), dtype="int64")
    for col in keys:
        codes, uniq = pd.factorize(w[col].to_numpy(dtype=object))
        live &= codes >= 0
        key = key * (len(uniq) + 1) + codes + 1
    dup = np.zeros(len(w), dtype=bool)
    dup[live] = pd.Series(key[live]).duplicated(keep=False).to_numpy(dtype=bool)
    if not dup.any():
        return []
    d = w[dup].sort_values(["sheet", "row", "column"], kind="stable")
    g = d.groupby(keys, sort=False)
    d["first_row"] = g["row"].transform("first")
    d["first_sheet"] = g["sheet"].transform("first")
    d["first_column"] = g["column"].transform("first")
    later = d.duplicated(keys, keep="first")
    return [where(d, later, "duplicate", lambda s: "与「" + s["first_sheet"].astype("str") + "」"
                  + s["first_column"].astype("str") + s["first_row"].astype("str")
                  + " 重复（同一单位、指标、期间）")]


def check_totals(totals: pd.DataFrame, parts: pd.DataFrame, catalog: Catalog) -> list[pd.DataFrame]:
    """合计 rows against the sum of the unit rows of the same indicator and period
    (ratios do not add up and are skipped)."""
    if totals.empty:
        return []
    kinds = catalog.indicators["kind"].to_dict()
    t = totals[totals["indicator_code"].map(kinds).isin(["cumulative", "stock"]) & totals["value"].notna()]
    if t.empty:
        return []
    sums = parts.groupby(["sheet", "indicator_code", "period"])["value"].sum(min_count=1).rename("sum").reset_index()
    t = t.merge(sums, on=["sheet", "indicator_code", "period"], how="left")
    bad = t["sum"].notna() & ~np.isclose(t["value"], t["sum"], rtol=1e-3, atol=0.011)
    return [where(t, bad, "total_mismatch", lambda s: "合计 " + cell_text(s["value"]) + " 与各单位之和 "
                  + s["sum"].map(lambda v: f"{v:.6g}") + " 不一致", severity="warning")]


# --- the table a reading carries -----------------------------------------------------

def problem_table(problems: list, file_name: str) -> tuple[pd.DataFrame, dict[str, int]]:
    """All problems as one sorted table, and per rule how many more a check counted
    (``validate.where``'s "more")."""
    frames = [pd.DataFrame([p]) if isinstance(p, dict) else p for p in problems]
    frames = [f for f in frames if len(f)]
    table = pd.concat(frames, ignore_index=True) if frames else empty_problems()
    counted = {}
    if "more" in table:
        more = table.groupby("rule")["more"].sum()
        counted = {str(rule): int(n) for rule, n in more.items() if n > 0}
    table["file"] = file_name
    table = table.reindex(columns=PROBLEM_COLUMNS)
    table["row"] = table["row"].astype("Int64")
    order = table["severity"].map({"error": 0, "warning": 1})
    table = table.assign(_o=order).sort_values(["_o", "sheet", "row", "column"], kind="stable", na_position="first")
    table = table.drop(columns="_o").reset_index(drop=True)
    for c in ("sheet", "column", "value", "rule", "rule_name", "message", "fix", "severity", "file"):
        table[c] = table[c].astype(object).where(table[c].notna(), "").astype("str")
    return table, counted


def cap_problems(table: pd.DataFrame, per_rule: int) -> tuple[pd.DataFrame, dict[str, tuple[str, int]]]:
    """The first ``per_rule`` problems of each rule (in table order); the rest counted."""
    rank = table.groupby("rule", sort=False).cumcount()
    over = rank >= per_rule
    if not over.any():
        return table, {}
    dropped = table[over]
    omitted = {rule: (str(g["severity"].iloc[0]), int(len(g))) for rule, g in dropped.groupby("rule", sort=False)}
    return table[~over].reset_index(drop=True), omitted
