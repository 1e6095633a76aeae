"""The returns import pipeline: read → locate table → normalise → validate → store.

Reading and checking a file is :mod:`indicators.returns.reading` (``read_return``,
``ReturnReading``, ``problem_lines``, re-exported here); this module holds what
happens after reading. Nothing is written until ``commit``, and then in one
transaction through ``db.batches.write_batch``. A page does::

    reading = read_return(uploaded.getvalue(), uploaded.name, con, today=clock.today(settings))
    show(reading.problems)                  # tidy table, Chinese, located
    show(preview_diff(con, reading))        # 新增 / 修改 / 不变
    check_allowed(con, reading, actor, settings=settings, at=clock.now(settings))  # before offering 确认导入
    batch_id = commit(con, reading, actor=actor, settings=settings, at=clock.now(settings), confirm_warnings=ticked)
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from indicators.accounts import permissions
from indicators.accounts.roles import Actor
from indicators.db import batches, catalog
from indicators.db.connection import Connection
from indicators.errors import RejectedInput
from indicators.returns import review
from indicators.returns.lock import refuse_locked
from indicators.returns.reading import ReturnReading, problem_lines, read_return
from indicators.settings import Settings
from indicators.tasks.progress_sheet import summary_text
from indicators.tasks.store import record_progress

__all__ = ["ReturnReading", "read_return", "problem_lines", "preview_diff", "diff_counts", "change_counts",
           "check_allowed",
           "commit", "commit_all", "refusal", "rollback"]


def preview_diff(con: Connection, reading: ReturnReading) -> pd.DataFrame:
    """What committing would change. Columns: indicator_code, indicator_name, org_unit,
    org_unit_name, period, old_value, new_value, change ('新增' | '修改' | '不变')."""
    return _diff(con, reading)


# a new value against the current one: the change a row of the diff shows
_CURRENT = "LEFT JOIN current_observation c USING (indicator_code, org_unit, period)"
_CHANGE = """CASE WHEN c.indicator_code IS NULL THEN '新增'
                        WHEN c.value IS NOT DISTINCT FROM n.value
                             OR abs(c.value - n.value) <= 1e-9 * greatest(abs(c.value), 1) THEN '不变'
                        ELSE '修改' END"""

_DIFF_ORDER = [("_change_order", "ascending"), ("period", "ascending"), ("_i_order", "ascending"),
               ("indicator_code", "ascending"), ("_u_order", "ascending"), ("org_unit", "ascending"),
               ("_pos", "ascending")]


def _diff(con: Connection, reading: ReturnReading) -> pd.DataFrame:
    """``preview_diff``'s rows.

    Joined in SQL, sorted in Arrow (``Table.sort_by``, stable: texts by their bytes
    as DuckDB compares them, empty sort orders last as DuckDB puts NULLs) — DuckDB's
    ORDER BY over 100k texts scanned from pandas took ten times the join. Fetched through
    Arrow: ``.df()`` builds pandas' string columns about four times slower (the same
    frame, dtypes and all). Rows of the same key (a file with duplicates) keep the file's
    order, as DuckDB's sort left them."""
    v = reading.values[["indicator_code", "org_unit", "period", "value"]].assign(_pos=np.arange(len(reading.values)))
    with con.registered("_new", v):
        table = con.execute(f"""
            SELECT n.indicator_code, i.name AS indicator_name, n.org_unit, u.name AS org_unit_name, n.period,
                   c.value AS old_value, n.value AS new_value,
                   {_CHANGE} AS change,
                   CASE change WHEN '修改' THEN 0 WHEN '新增' THEN 1 ELSE 2 END AS _change_order,
                   i.sort_order AS _i_order, u.sort_order AS _u_order, n._pos
            FROM _new n {_CURRENT}
            LEFT JOIN indicator i ON i.code = n.indicator_code
            LEFT JOIN org_unit u ON u.code = n.org_unit""").to_arrow_table()
    frame = table.sort_by(_DIFF_ORDER).drop_columns(["_i_order", "_u_order", "_pos", "_change_order"]).to_pandas()
    if frame.empty:  # as .df() gives an empty result: text columns of object dtype
        frame = frame.astype({c: object for c in frame.columns if frame[c].dtype == "str"})
    return frame


def diff_counts(diff: pd.DataFrame) -> dict[str, int]:
    return _by_change(diff["change"].value_counts())


def _by_change(counts) -> dict[str, int]:
    """新增 / 修改 / 不变 (0 for a change no row has) from counts by change."""
    return {k: int(counts.get(k, 0)) for k in ("新增", "修改", "不变")}


def change_counts(con: Connection, reading: ReturnReading) -> dict[str, int]:
    """``diff_counts(preview_diff(con, reading))`` counted in SQL, without building the
    diff (what ``indicators import`` prints; the 100k-row diff frame cost ≈ 60 ms)."""
    v = reading.values[["indicator_code", "org_unit", "period", "value"]]
    with con.registered("_new", v):
        counts = dict(con.execute(f"SELECT {_CHANGE} AS change, count(*) FROM _new n {_CURRENT} GROUP BY change")
                      .fetchall())
    return _by_change(counts)


def check_allowed(con: Connection, reading: ReturnReading, actor: Actor, *, settings: Settings,
                  at: dt.datetime, indicators: pd.DataFrame | None = None) -> str | None:
    """Refuse (``PermissionDenied`` / ``PeriodLocked``, nothing written) a return the
    acting user may not store: no right to import, any row outside their unit or their
    department's indicators (the whole file is refused, the rows named), or a locked
    month. Returns the audit note of an admin's change to a locked month. The page calls
    it before offering 确认导入; ``commit`` calls it again.

    The lock freezes figures that were reported: a value that would *change* a current
    one (修改) in a locked month is refused. A unit's first, late figures for the month
    (新增) still come in — the 催报 list chases them until the next month is due — and
    resending an unchanged value changes nothing. ``indicators``: ``catalog.indicators(con)``
    when the caller has it already."""
    permissions.require(actor, "import")
    if reading.values.empty:
        return None
    inds = catalog.indicators(con) if indicators is None else indicators
    permissions.refuse_rows(actor, reading.values, inds, catalog.org_units(con),
                            what=f"文件「{reading.file_name}」")
    return refuse_locked(con, actor, _changed_pairs(con, reading), settings=settings, now=at)


def _changed_pairs(con: Connection, reading: ReturnReading) -> pd.DataFrame:
    """The distinct (org_unit, period) of the rows that would change a current value
    (修改): what the lock looks at. Without the names, sort and frame of the diff the page
    shows (≈ 10–40 ms of a 100k-row import)."""
    v = reading.values[["indicator_code", "org_unit", "period", "value"]]
    with con.registered("_new", v):
        return con.execute(f"""SELECT DISTINCT org_unit, period FROM (
                                   SELECT n.org_unit, n.period, {_CHANGE} AS change FROM _new n {_CURRENT})
                               WHERE change = '修改'""").df()


def commit(con: Connection, reading: ReturnReading, *, actor: Actor, settings: Settings,
           at: dt.datetime, confirm_warnings: bool = False, note: str | None = None) -> int:
    """Store the reading as one batch uploaded by ``actor`` at ``at`` (``indicators.clock.now``)
    and return its id. Refuses (RejectedInput, nothing written) when the reading has
    errors, unconfirmed warnings, or no values, and when ``check_allowed`` refuses. The
    batch starts 待审核 except for what the uploader may approve themselves
    (``review.approve_on_upload``)."""
    return commit_all(con, [reading], actor=actor, settings=settings, at=at, confirm_warnings=confirm_warnings,
                      note=note)[0]


def commit_all(con: Connection, readings: list[ReturnReading], *, actor: Actor, settings: Settings,
               at: dt.datetime, confirm_warnings: bool = False, note: str | None = None) -> list[int]:
    """Store several readings — one import command, or the files of one upload — as one
    unit: a batch per file, all in one transaction, so every file lands or none does (a
    crash or a kill half-way leaves the database as it was). Every reading is checked
    before anything is written — contents, and what ``actor`` may store
    (``check_allowed``); one that cannot be committed refuses them all."""
    reason = refusal(readings, confirm_warnings=confirm_warnings)
    if reason:
        raise RejectedInput(reason)
    # one write unit: when another writer got there first, all files are checked and written again
    def unit(tx: Connection) -> list[int]:
        inds = catalog.indicators(tx)  # once for the checks and the approvals of every file
        locked_notes = [check_allowed(tx, r, actor, settings=settings, at=at, indicators=inds) for r in readings]
        return [_write(tx, r, actor=actor, at=at, note=note, locked_note=ln, indicators=inds)
                for r, ln in zip(readings, locked_notes)]
    return con.write(unit)


def refusal(readings: list[ReturnReading], *, confirm_warnings: bool, allow_empty: bool = False) -> str | None:
    """Why these readings cannot be committed together (the first reason, one line), or
    None: a file with errors, unconfirmed warnings, or no values refuses them all — and
    so do two files giving one figure two values (``disagreement``)."""
    for reading in readings:
        if not reading.ok:
            return f"文件「{reading.file_name}」有 {reading.count('error'):,} 处错误，未导入任何数据。"
        if len(reading.warnings) and not confirm_warnings:
            return f"文件「{reading.file_name}」有 {reading.count('warning'):,} 条警告，需确认后才能导入，未导入任何数据。"
        if reading.values.empty and reading.task_progress.empty and not allow_empty:
            return f"文件「{reading.file_name}」没有可导入的数值，未导入任何数据。"
    return disagreement(readings)


def disagreement(readings: list[ReturnReading]) -> str | None:
    """The first figure (indicator, unit, month) two of these files give different values,
    as one line, or None. Imported together, the later file would silently win; the same
    value twice (a 补报 file repeating the return) is no disagreement."""
    frames = [r.values[["indicator_code", "org_unit", "period", "value", "sheet", "row", "column"]].assign(file_no=i)
              for i, r in enumerate(readings) if not r.values.empty]
    if len(frames) < 2:
        return None
    both = pd.concat(frames, ignore_index=True)
    keys = ["indicator_code", "org_unit", "period"]
    spread = both.groupby(keys, sort=False)["value"].agg(["min", "max"])
    differ = spread[~np.isclose(spread["min"], spread["max"], rtol=1e-12, atol=0)]
    if differ.empty:
        return None
    key = differ.index[0]
    rows = both[(both[keys] == list(key)).all(axis=1)]
    said = "，".join(f"「{readings[r.file_no].file_name}」{r.sheet} {r.column}{r.row} 为 {r.value:g}"
                    for r in rows.itertuples(index=False))
    code, unit, period = key
    return (f"同一数值在不同文件中不一致（{unit}·{code}·{period}：{said}；共 {len(differ):,} 处）："
            "请核对后只导入正确的文件，未导入任何数据。")


def _write(con: Connection, reading: ReturnReading, *, actor: Actor, at: dt.datetime, note: str | None,
           locked_note: str | None, indicators: pd.DataFrame) -> int:
    """One reading's batch, its review state and its 重点任务进展 rows, in one write unit."""
    progress = reading.task_progress
    warned = f"已确认 {reading.count('warning'):,} 条警告" if len(reading.warnings) else None
    notes = [n for n in (note, warned, summary_text(progress) if len(progress) else None, locked_note) if n]
    codes = set(reading.values["indicator_code"].astype(object).unique())

    def review_and_progress(tx: Connection, batch_id: int) -> None:
        review.approve_on_upload(tx, actor, batch_id, codes, at=at, indicators=indicators)
        if len(progress):  # the 重点任务进展 sheet: in the batch's transaction, rolled back with it
            record_progress(tx, progress, actor=actor, source=f"报表：{reading.file_name}", at=at, batch_id=batch_id)

    return batches.write_batch(con, reading.values, file_name=reading.file_name, sha256=reading.sha256,
                               actor=actor, note="；".join(notes) or None, at=at, review="pending",
                               before_commit=review_and_progress)


def rollback(con: Connection, batch_id: int, *, actor: Actor, settings: Settings, at: dt.datetime) -> int:
    """Undo a batch (its values stop counting; the ones it replaced count again). A
    district user may roll back only batches of their own unit, a 科室 only batches of
    the indicators it leads; a locked month refuses them (``returns.lock``)."""
    if con.execute("SELECT count(*) FROM batch WHERE id = ?", [int(batch_id)]).fetchone()[0] == 0:
        raise RejectedInput(f"批次 {batch_id} 不存在")
    contents = review.batch_contents(con, int(batch_id))
    permissions.refuse_batch(actor, "rollback", int(batch_id), set(contents["org_unit"]),
                             set(contents["indicator_code"]), catalog.indicators(con))
    note = refuse_locked(con, actor, contents, settings=settings, now=at, what="撤回")
    return batches.rollback_batch(con, int(batch_id), actor=actor, at=at, detail=note or "")
