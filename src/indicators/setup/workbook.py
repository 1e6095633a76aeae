"""The setup workbook: units, departments, leaders, indicators, responsibilities, targets,
and the contacts who receive 催报 and the monthly pack.

One sheet per kind with Chinese headers. Everything about a particular city lives in
such a workbook, never in code. ``SHEETS`` is the single description used to write the
blank template, to read a filled one and to document the columns in the README. Sheets
in ``OPTIONAL_SHEETS`` may be left out of a workbook: what they hold is then kept as is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from indicators.accounts import permissions
from indicators.accounts.roles import Actor
from indicators.db.audit import audit
from indicators.db.connection import Connection
from indicators.delivery import contacts
from indicators.errors import RejectedInput
from indicators.safe_text import quote_risky_cells


@dataclass(frozen=True)
class Column:
    header: str  # Chinese header in the workbook
    name: str  # column in the table
    required: bool = False
    help: str = ""


KIND_WORDS = {"累计值": "cumulative", "期末值": "stock", "比率": "ratio"}
DIRECTION_WORDS = {"越高越好": "higher", "越低越好": "lower"}
FREQUENCY_WORDS = {"月度": "monthly", "季度": "quarterly", "年度": "annual"}
YES_WORDS = {"是": True, "否": False}
# what a target means (DESIGN §4): a stock or ratio target is a year-end level (年末达到) or
# an increase on last year-end (年内新增); a cumulative target is the year's total
BASIS_WORDS = {"年末达到": "level", "年内新增": "increase"}
TOTAL_WORDS = ("全年累计", "年度累计")

SHEETS: dict[str, tuple[str, list[Column]]] = {
    "org_unit": ("单位", [
        Column("单位代码", "code", True, "唯一代码，如 330100"),
        Column("单位名称", "name", True, "如 高新区"),
        Column("上级单位代码", "parent_code", False, "市级单位留空"),
        Column("别名", "aliases", False, "其他写法，用；分隔"),
        Column("排序", "sort_order", False, "显示顺序，数字"),
    ]),
    "department": ("科室", [
        Column("科室代码", "code", True),
        Column("科室名称", "name", True),
    ]),
    "leader": ("领导", [
        Column("领导代码", "code", True),
        Column("姓名", "name", True),
        Column("职务", "title", False, "如 副局长"),
    ]),
    "indicator": ("指标", [
        Column("指标代码", "code", True),
        Column("指标名称", "name", True),
        Column("别名", "aliases", False, "报表中的其他写法，用；分隔"),
        Column("类别", "category", False, "如 创新主体、研发投入"),
        Column("计量单位", "unit", False, "如 家、亿元、万元、%"),
        Column("指标类型", "kind", True, "累计值 / 期末值 / 比率"),
        Column("方向", "direction", False, "越高越好（默认）/ 越低越好"),
        Column("频度", "frequency", False, "月度（默认）/ 季度 / 年度"),
        Column("小数位", "decimals", False, "默认 2"),
        Column("分子指标代码", "numerator_code", False, "派生比率的分子"),
        Column("分母指标代码", "denominator_code", False, "派生比率的分母"),
        Column("系数", "factor", False, "派生比率 = 分子/分母 × 系数，百分比填 100"),
        Column("口径说明", "description", False),
        Column("数据来源", "source", False),
        Column("允许负值", "allow_negative", False, "是 / 否（默认）"),
        Column("排序", "sort_order", False),
    ]),
    "responsibility": ("责任分工", [
        Column("指标代码", "indicator_code", True),
        Column("牵头科室代码", "lead_department", False),
        Column("分管领导代码", "leader", False),
        Column("配合科室代码", "support_departments", False, "用；分隔"),
        Column("备注", "note", False),
    ]),
    "target": ("目标", [
        Column("指标代码", "indicator_code", True),
        Column("单位代码", "org_unit", True),
        Column("年度", "year", True),
        Column("目标值", "value", True, "全年目标，计量单位同指标"),
        Column("目标口径", "basis", False, "期末值、比率指标：年末达到（默认，目标值为年末应达到的水平）/ "
               "年内新增（目标值为较上年末的增加量，比率为提高的百分点或单位数）；累计值指标留空或填 全年累计"),
        Column("月度节点", "milestones", False, "可选，各月末累计应完成进度%，如 3:15；6:40；9:70；12:100"),
        Column("设定人", "set_by", False),
        Column("调整原因", "reason", False),
    ]),
    "contact": ("联系人", [
        Column("单位代码", "org_unit", False, "填报单位代码；留空为局内人员（局领导、综合科）"),
        Column("姓名", "name", True),
        Column("邮箱", "email", False, "催报、月调度材料发往此邮箱"),
        Column("手机", "mobile", False, "钉钉群消息中 @ 此人"),
        Column("企业微信账号", "wecom_id", False, "企业微信群消息中 @ 此人（成员账号 userid）"),
        Column("接收", "receives", False, "催报 / 通报 / 催报；通报。默认：有单位代码的收催报，无单位代码的收通报"),
        Column("排序", "sort_order", False),
    ]),
}
OPTIONAL_SHEETS = {"contact"}  # older workbooks have no 联系人 sheet: the contacts stay

_INT_COLUMNS = {"sort_order", "decimals", "year"}
_FLOAT_COLUMNS = {"factor", "value"}


def blank_frames() -> dict[str, pd.DataFrame]:
    return {t: pd.DataFrame(columns=[c.name for c in cols]) for t, (_, cols) in SHEETS.items()}


def write_workbook(path: str | Path, frames: dict[str, pd.DataFrame] | None = None) -> Path:
    """Write a setup workbook (blank when ``frames`` is None) with a 说明 sheet."""
    path = Path(path)
    frames = frames or blank_frames()
    notes = []
    for table, (sheet, cols) in SHEETS.items():
        for c in cols:
            notes.append({"工作表": sheet, "列": c.header, "必填": "是" if c.required else "", "说明": c.help})
    from indicators.tasks.sheet import task_notes, write_task_sheet
    notes.extend(task_notes())
    # names and 口径 are typed by people: strings stay strings, and formula-like ones get
    # Excel's quote prefix (safe_text), so the workbook can be downloaded and loaded again
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with pd.ExcelWriter(path, engine="xlsxwriter", engine_kwargs={"options": options}) as xw:
        quoted = xw.book.add_format({"quote_prefix": True})
        pd.DataFrame(notes).to_excel(xw, sheet_name="说明", index=False)
        xw.sheets["说明"].set_column(0, 1, 16)
        xw.sheets["说明"].set_column(3, 3, 60)
        for table, (sheet, cols) in SHEETS.items():
            frame = frames.get(table, pd.DataFrame())
            out = pd.DataFrame({c.header: _to_words(table, c.name, frame[c.name]) if c.name in frame else None
                                for c in cols}, index=frame.index)
            out.to_excel(xw, sheet_name=sheet, index=False)
            quote_risky_cells(xw.sheets[sheet], out, quoted)
            xw.sheets[sheet].freeze_panes(1, 0)
            xw.sheets[sheet].set_column(0, len(cols) - 1, 14)
        write_task_sheet(xw, frames.get("task"))
    return path


def _to_words(table: str, name: str, series: pd.Series) -> pd.Series:
    reverse = {"kind": KIND_WORDS, "direction": DIRECTION_WORDS, "frequency": FREQUENCY_WORDS,
               "allow_negative": YES_WORDS}.get(name)
    if table == "indicator" and reverse:
        back = {v: k for k, v in reverse.items()}
        return series.map(lambda v: back.get(v, v))
    if table == "contact" and name == "receives":
        return series.map(lambda v: contacts.receives_words(v) if isinstance(v, str) else v)
    if table == "target" and name == "basis":
        back = {v: k for k, v in BASIS_WORDS.items()}
        return series.map(lambda v: back.get(v, v))
    return series


def read_workbook(path: str | Path) -> dict[str, pd.DataFrame]:
    """Read a filled setup workbook into frames named by table; raise on any problem."""
    book = pd.read_excel(path, sheet_name=None, engine="calamine", dtype=object)
    frames: dict[str, pd.DataFrame] = {}
    problems: list[str] = []
    for table, (sheet, cols) in SHEETS.items():
        if sheet not in book:
            if table not in OPTIONAL_SHEETS:
                problems.append(f"缺少工作表「{sheet}」")
            continue
        raw = book[sheet]
        raw.columns = [str(c).strip() for c in raw.columns]
        missing = [c.header for c in cols if c.required and c.header not in raw.columns]
        if missing:
            problems.append(f"工作表「{sheet}」缺少列：{'、'.join(missing)}")
            continue
        # object columns holding None for blanks: pandas 3 would turn None into NaN in `str` columns
        frame = pd.DataFrame({c.name: pd.Series([None if _blank(v) else v for v in raw[c.header]], dtype=object)
                              if c.header in raw.columns else pd.Series([None] * len(raw), dtype=object)
                              for c in cols})
        frame = frame[frame.notna().any(axis=1)].reset_index(drop=True)
        for i, row in frame.iterrows():
            for c in cols:
                if c.required and _blank(row[c.name]):
                    problems.append(f"工作表「{sheet}」第{i + 2}行「{c.header}」不能为空")
        frames[table] = _normalise(table, frame, sheet, problems)
    from indicators.tasks.sheet import read_task_sheet
    task_frame, task_problems = read_task_sheet(book, frames)
    problems.extend(task_problems)
    if task_frame is not None:
        frames["task"] = task_frame
    if problems:
        raise RejectedInput("设置工作簿有误，未导入：\n" + "\n".join(problems))
    _check_references(frames)
    return frames


def _normalise(table: str, frame: pd.DataFrame, sheet: str, problems: list[str]) -> pd.DataFrame:
    frame = frame.copy()
    for col in frame.columns:
        if col in _INT_COLUMNS:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("Int64")
        elif col in _FLOAT_COLUMNS:
            frame[col] = pd.to_numeric(frame[col], errors="coerce")
        elif col not in ("allow_negative",):
            frame[col] = pd.Series([None if _blank(v) else _text(v) for v in frame[col]], dtype=object)
    if table == "indicator":
        for col, words, default in (("kind", KIND_WORDS, None), ("direction", DIRECTION_WORDS, "higher"),
                                    ("frequency", FREQUENCY_WORDS, "monthly")):
            frame[col] = pd.Series([_coded(v, words, default, problems,
                                           f"工作表「{sheet}」：「{v}」不是有效的{col}，可选 {' / '.join(words)}")
                                    for v in frame[col]], dtype=object)
        frame["allow_negative"] = [False if _blank(v) else bool(YES_WORDS.get(str(v).strip(), v))
                                   for v in frame["allow_negative"]]
        frame["decimals"] = frame["decimals"].fillna(2)
        frame["factor"] = frame["factor"].fillna(1.0)
    if "sort_order" in frame:
        frame["sort_order"] = frame["sort_order"].fillna(pd.Series(range(len(frame)), dtype="Int64"))
    if table == "target" and frame["value"].isna().any():
        problems.append(f"工作表「{sheet}」中有目标值不是数字")
    if table == "target":
        frame["basis"] = pd.Series([_basis(v, i, sheet, problems) for i, v in enumerate(frame["basis"])], dtype=object)
    if table == "contact":
        _normalise_contacts(frame, sheet, problems)
    return frame


def _normalise_contacts(frame: pd.DataFrame, sheet: str, problems: list[str]) -> None:
    """Receives words to codes; every address checked (a typo would be a silent non-delivery)."""
    from indicators.delivery.mail import valid_address
    codes = []
    for i, (unit, email, words) in enumerate(zip(frame["org_unit"], frame["email"], frame["receives"])):
        code = contacts.parse_receives(words, unit)
        if code is None:
            problems.append(f"工作表「{sheet}」第{i + 2}行「接收」应为 催报、通报 或 催报；通报，收到「{words}」")
        if email is not None and not valid_address(email):
            problems.append(f"工作表「{sheet}」第{i + 2}行「邮箱」不是有效的邮箱地址：「{email}」")
        codes.append(code)
    frame["receives"] = pd.Series(codes, dtype=object, index=frame.index)


def _basis(v, i: int, sheet: str, problems: list[str]):
    if _blank(v) or v in TOTAL_WORDS:
        return None
    return _coded(v, BASIS_WORDS, None, problems,
                  f"工作表「{sheet}」第{i + 2}行：目标口径「{v}」无效，可选 {' / '.join(BASIS_WORDS)}（累计值指标留空）")


def _coded(v, words: dict[str, str], default, problems: list[str], problem: str):
    """A setup cell's word (or its code already) as the code; blank → ``default``;
    anything else adds ``problem`` and gives ``default``."""
    if _blank(v):
        return default
    if v in words.values():
        return v
    if v in words:
        return words[v]
    problems.append(problem)
    return default


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA or str(v).strip() == ""


def _text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _check_references(frames: dict[str, pd.DataFrame]) -> None:
    problems = []
    units = set(frames["org_unit"]["code"])
    inds = set(frames["indicator"]["code"])
    deps = set(frames["department"]["code"])
    leaders = set(frames["leader"]["code"])
    for p in frames["org_unit"]["parent_code"]:
        if _blank(p):
            continue
        if p not in units:
            problems.append(f"单位：上级单位代码 {p} 不存在")
    for _, r in frames["indicator"].iterrows():
        for col in ("numerator_code", "denominator_code"):
            if not _blank(r[col]) and r[col] not in inds:
                problems.append(f"指标 {r['code']}：{col} {r[col]} 不存在")
        if r["kind"] == "ratio" and _blank(r["numerator_code"]) != _blank(r["denominator_code"]):
            problems.append(f"指标 {r['code']}：派生比率须同时填写分子与分母")
    for _, r in frames["responsibility"].iterrows():
        if r["indicator_code"] not in inds:
            problems.append(f"责任分工：指标代码 {r['indicator_code']} 不存在")
        if not _blank(r["lead_department"]) and r["lead_department"] not in deps:
            problems.append(f"责任分工：科室代码 {r['lead_department']} 不存在")
        if not _blank(r["leader"]) and r["leader"] not in leaders:
            problems.append(f"责任分工：领导代码 {r['leader']} 不存在")
    kinds = dict(zip(frames["indicator"]["code"], frames["indicator"]["kind"]))
    lower = set(frames["indicator"].loc[frames["indicator"]["direction"] == "lower", "code"])
    for _, r in frames["target"].iterrows():
        if r["indicator_code"] not in inds:
            problems.append(f"目标：指标代码 {r['indicator_code']} 不存在")
        elif not _blank(r.get("basis")) and kinds.get(r["indicator_code"]) == "cumulative":
            problems.append(f"目标：{r['indicator_code']} 是累计值指标，目标即全年累计，目标口径请留空")
        elif r.get("basis") == "increase" and r["indicator_code"] in lower:
            problems.append(f"目标：{r['indicator_code']} 越低越好，目标请按 年末达到 填写应控制到的水平")
        if r["org_unit"] not in units:
            problems.append(f"目标：单位代码 {r['org_unit']} 不存在")
    for unit in frames.get("contact", pd.DataFrame(columns=["org_unit"]))["org_unit"]:
        if not _blank(unit) and unit not in units:
            problems.append(f"联系人：单位代码 {unit} 不存在")
    if problems:
        raise RejectedInput("设置工作簿有误，未导入：\n" + "\n".join(problems[:50]))


def unit_levels(units: pd.DataFrame) -> pd.Series:
    """Depth of each unit in the tree (the city is 0)."""
    parent = dict(zip(units["code"], units["parent_code"]))
    def depth(code, seen=()):
        p = parent.get(code)
        if p is None or p not in parent or code in seen:
            return 0
        return 1 + depth(p, seen + (code,))
    return units["code"].map(depth).astype(int)


def load_setup(con: Connection, frames: dict[str, pd.DataFrame], *, actor: Actor,
               at: dt.datetime) -> None:
    """Load setup frames in one transaction (``at``: when, ``indicators.clock.now``); only
    a 管理员 may (``PermissionDenied`` otherwise, nothing written).

    Units, departments, leaders, indicators and responsibilities are replaced (upsert by
    code); targets are appended only where they differ from the latest one, so the
    history of target changes is kept.
    """
    permissions.require(actor, "setup_import")
    units = frames["org_unit"].copy()
    units["level"] = unit_levels(units)
    con.write(lambda tx: _replace_setup(tx, {**frames, "org_unit": units}, actor, at))


def _replace_setup(con: Connection, frames: dict[str, pd.DataFrame], actor: Actor, at: dt.datetime) -> None:
    for table in ("org_unit", "department", "leader", "indicator", "responsibility"):
        frame = frames[table]
        key = "indicator_code" if table == "responsibility" else "code"
        # column names come from the fixed SHEETS list, never from the frame handed in
        allowed = [c.name for c in SHEETS[table][1]] + (["level"] if table == "org_unit" else [])
        cols = [c for c in allowed if c in frame.columns]
        with con.registered("_setup", frame[cols]):
            con.execute(f"DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM _setup)")
            con.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM _setup")
    added = _append_targets(con, frames["target"], actor.display, at)
    if "task" in frames:
        from indicators.tasks.store import save_tasks
        save_tasks(con, frames["task"], actor=actor, how="setup", at=at)
    note = ""
    if "contact" in frames:  # no codes: the sheet is the whole list
        contacts.replace_all(con, frames["contact"])
        note = f"，联系人 {len(frames['contact'])} 人"
    audit(con, actor, "setup", f"{len(frames['org_unit'])} 个单位、{len(frames['indicator'])} 个指标，新设目标 {added} 条"
          f"{note}", at=at)


_APPEND_TARGETS = """
    INSERT INTO target (indicator_code, org_unit, year, value, basis, milestones, set_at, set_by, reason)
    SELECT t.indicator_code, t.org_unit, t.year, t.value, t.basis, t.milestones,
           CAST(? AS TIMESTAMP) + (t._n * INTERVAL 1 MICROSECOND), coalesce(t.set_by, ?), t.reason
    FROM _targets t LEFT JOIN (
        SELECT * FROM target QUALIFY row_number() OVER (
            PARTITION BY indicator_code, org_unit, year ORDER BY set_at DESC) = 1
    ) cur USING (indicator_code, org_unit, year)
    WHERE cur.value IS NULL OR cur.value <> t.value
       OR coalesce(cur.milestones, '') <> coalesce(t.milestones, '')
       OR coalesce(cur.basis, 'level') <> coalesce(t.basis, 'level')"""


def _append_targets(con: Connection, targets: pd.DataFrame, who: str, at: dt.datetime) -> int:
    """Append targets that differ from the latest one for their key (history is kept:
    a changed target is a new row and the latest counts)."""
    frame = targets.reindex(columns=["indicator_code", "org_unit", "year", "value", "basis", "milestones",
                                     "set_by", "reason"]).copy()
    frame["basis"] = frame["basis"].astype(object).where(frame["basis"].notna(), None)
    frame["_n"] = range(len(frame))
    with con.registered("_targets", frame):
        return int(con.execute(_APPEND_TARGETS, [at, who]).fetchall()[0][0])


def revise_targets(con: Connection, targets: pd.DataFrame, *, actor: Actor,
                   at: dt.datetime) -> int:
    """Record changed targets (target-sheet columns), set by ``actor`` (a 管理员; refused
    otherwise); returns how many rows were added."""
    permissions.require(actor, "target_edit")
    targets = targets.assign(set_by=actor.display)  # who set it is the signed-in user, not a typed name

    def revise(tx: Connection) -> int:
        added = _append_targets(tx, targets, actor.display, at)
        audit(tx, actor, "targets", f"调整目标 {added} 条", at=at)
        return added
    return con.write(revise)
