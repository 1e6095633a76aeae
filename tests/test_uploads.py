"""indicators.uploads: page data for 数据报送, 报送记录 and 设置管理, on copies of the demo city.
Return workbooks are built in code (``long_return``, also used by the page and browser tests)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
from actors import ADMIN
from testdate import AS_OF, AS_OF_YEAR, AT, SETTINGS, TODAY

from indicators import views
from indicators.db import catalog, connection
from indicators.errors import RejectedInput
from indicators.returns import pipeline
from indicators.rules import due, periods
from indicators.settings import Settings
from indicators.setup import workbook

# the demo city is built up to AS_OF, the latest due month of the suite's day TODAY
PREV = periods.shift(AS_OF, -1)
DEADLINE = due.deadline(AS_OF, 5)  # AS_OF's return was due then
AFTER_DEADLINE = dt.datetime.combine(TODAY, dt.time(12, 0))
BEFORE_DEADLINE = DEADLINE - dt.timedelta(days=2)


HEADER = ["期间", "单位代码", "单位名称", "指标代码", "指标名称", "数值"]


def long_return(rows: list[tuple], title: str = f"示例市 {periods.label(AS_OF)} 科技重点指标报送表", header=HEADER) -> bytes:
    """A long-format return with a title row: 期间 | 单位代码 | 单位名称 | 指标代码 | 指标名称 | 数值."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "报送"
    ws.append([title])
    ws.append(header)
    for r in rows:
        ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# 青溪县 (QX) has not reported AS_OF in the demo city
QX_ROWS = [(AS_OF, "QX", "青溪县", "JSHT", "技术合同成交额", 12.5),
           (AS_OF, "QX", "青溪县", "GXQY", "高新技术企业数", 88)]
BAD_ROWS = [(AS_OF, "QX", "青溪县", "JSHT", "技术合同成交额", "十二"),
            (AS_OF, "ZZ", "不存在县", "GXQY", "高新技术企业数", 3)]


@pytest.fixture
def con(demo_db):
    c = connection.connect(demo_db)
    yield c
    c.close()


def read(con, rows, name="return.xlsx"):
    return pipeline.read_return(long_return(rows), name, con, today=TODAY)


# ---------------------------------------------------------------- template


def test_template_periods_default_to_last_month():
    months, default = views.template_periods(dt.date(2026, 12, 1))  # November is being reported now
    assert months[0] == "2026-12" and months[default] == "2026-11" and months[-1] == "2025-12"


def test_template_bytes_read_back_as_the_month_with_nothing_filled(con):
    data = views.template_bytes(con, AS_OF, "QX", today=TODAY, settings=Settings())
    assert data[:2] == b"PK"
    reading = pipeline.read_return(data, views.template_file_name(AS_OF, "青溪县"), con, today=TODAY)
    assert reading.ok and reading.expected_period == AS_OF and reading.values.empty
    assert views.import_verdict(reading, None)[0] == "empty"
    assert views.template_file_name("2026-10") == "月调度报送模板_2026-10_全部单位.xlsx"


def test_filled_template_imports(con):
    data = views.template_bytes(con, AS_OF, "QX", today=TODAY, settings=Settings())
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["报送数据"]
    filled = 0
    for row in ws.iter_rows(min_row=1):
        if row[2].value and str(row[2].value).startswith("技术合同成交额"):
            row[5].value = 9.5
            filled += 1
    assert filled == 1
    out = io.BytesIO()
    wb.save(out)
    reading = pipeline.read_return(out.getvalue(), "filled.xlsx", con, today=TODAY)
    assert reading.ok, reading.problems
    assert reading.values[["indicator_code", "org_unit", "value"]].values.tolist() == [["JSHT", "QX", 9.5]]


# ---------------------------------------------------------------- a reading, for display


def test_reading_facts_and_diff_of_a_new_return(con):
    reading = read(con, QX_ROWS)
    facts = dict(views.reading_facts(reading).itertuples(index=False))
    assert facts["识别格式"].startswith("长表") and facts["数值条数"] == "2" and facts["期间"] == periods.label(AS_OF)
    assert views.import_verdict(reading, None)[0] == "ready"
    diff = pipeline.preview_diff(con, reading)
    assert pipeline.diff_counts(diff) == {"新增": 2, "修改": 0, "不变": 0}
    table = views.diff_table(diff)
    assert list(table.columns) == ["变化", "期间", "单位", "指标", "原值", "新值"]
    assert set(table["单位"]) == {"青溪县"} and set(table["原值"]) == {"—"} and set(table["期间"]) == {periods.label(AS_OF)}
    assert sorted(table["新值"]) == ["12.5", "88"]


def test_diff_shows_changed_old_to_new_and_hides_unchanged(con):
    sql = "SELECT value FROM current_observation WHERE indicator_code = ? AND org_unit = 'DC' AND period = ?"
    old = con.execute(sql, ["JSHT", AS_OF]).fetchone()[0]
    gx = con.execute(sql, ["GXQY", AS_OF]).fetchone()[0]
    reading = read(con, [(AS_OF, "DC", "东城区", "JSHT", "技术合同成交额", old + 1),
                         (AS_OF, "DC", "东城区", "GXQY", "高新技术企业数", gx)])
    diff = pipeline.preview_diff(con, reading)
    assert pipeline.diff_counts(diff) == {"新增": 0, "修改": 1, "不变": 1}
    shown = views.diff_table(diff)
    assert shown[["变化", "原值", "新值"]].values.tolist() == [
        ["修改", views.number_text(old), views.number_text(old + 1)]]
    assert len(views.diff_table(diff, include_unchanged=True)) == 2


def test_errors_come_first_located_in_chinese_and_block_import(con):
    reading = read(con, BAD_ROWS, "bad.xlsx")
    kind, message = views.import_verdict(reading, None)
    assert kind == "error" and "未导入" in message and "没有任何改动" in message
    table = views.problems_table(reading)
    assert list(table.columns) == ["级别", "工作表", "行", "列", "单元格内容", "问题类型", "说明", "修改方法"]
    assert table["级别"].iloc[0] == "错误"
    bad_number = table[table["单元格内容"] == "十二"].iloc[0]
    assert (bad_number["工作表"], bad_number["行"], bad_number["列"]) == ("报送", 3, "F")
    assert bad_number["问题类型"] == "不是数字" and bad_number["修改方法"]
    assert (table["单元格内容"] == "ZZ").any()
    before = con.execute("SELECT count(*) FROM batch").fetchone()[0]
    with pytest.raises(RejectedInput):
        pipeline.commit(con, reading, actor=ADMIN, settings=SETTINGS, at=AT)
    assert con.execute("SELECT count(*) FROM batch").fetchone()[0] == before


def test_unit_conversion_is_listed(con):
    data = long_return([(AS_OF, "QX", "青溪县", "JSHT", "技术合同成交额", 125000)],
                       header=HEADER[:-1] + ["数值（万元）"])
    reading = pipeline.read_return(data, "wan.xlsx", con, today=TODAY)
    assert reading.ok and reading.warnings.empty, reading.problems
    conv = views.conversions_table(con, reading)
    assert conv[["指标", "填写的单位", "换算为", "系数"]].values.tolist() == [["技术合同成交额", "万元", "亿元", "×0.0001"]]
    assert reading.values["value"].iloc[0] == pytest.approx(12.5)


def test_duplicate_upload_is_recognised_until_rolled_back(con):
    data = long_return(QX_ROWS)
    sha = views.sha256_of(data)
    assert views.duplicate_of(con, sha) is None
    batch = pipeline.commit(con, pipeline.read_return(data, "qx.xlsx", con, today=TODAY), actor=ADMIN, settings=SETTINGS, at=AT)
    dup = views.duplicate_of(con, sha)
    assert dup["id"] == batch and dup["file_name"] == "qx.xlsx" and dup["uploaded_by"] == "测试"
    again = pipeline.read_return(data, "qx-again.xlsx", con, today=TODAY)
    kind, message = views.import_verdict(again, dup)
    assert kind == "duplicate" and f"批次 {batch}" in message and "qx.xlsx" in message
    with pytest.raises(RejectedInput):  # the duplicate is a warning: not re-imported silently
        pipeline.commit(con, again, actor=ADMIN, settings=SETTINGS, at=AT)
    pipeline.rollback(con, batch, actor=ADMIN, settings=SETTINGS, at=AT)
    assert views.duplicate_of(con, sha) is None


@pytest.mark.parametrize("value,text", [(None, "—"), (float("nan"), "—"), (88.0, "88"), (1234.5, "1,234.5"),
                                        (-0.125, "-0.125"), (1e-7, "0"), (12345678.0, "12,345,678")])
def test_number_text(value, text):
    assert views.number_text(value) == text


# ---------------------------------------------------------------- 报送记录


def test_batches_table_and_labels(con):
    batch = pipeline.commit(con, read(con, QX_ROWS), actor=ADMIN, settings=SETTINGS, at=AT)
    pipeline.rollback(con, batch, actor=ADMIN, settings=SETTINGS, at=AT + dt.timedelta(minutes=1))
    table = views.batches_table(con)
    assert list(table.columns) == ["批次", "文件", "报送人", "报送时间", "条数", "期间", "单位数", "状态", "审核", "备注",
                                   "status", "review", "unit_codes"]
    top = table.iloc[0]
    assert (top["批次"], top["报送人"], top["条数"], top["期间"], top["状态"], top["审核"]) == \
        (batch, "测试", 2, AS_OF, "已撤回", "—")
    # the demo: 东城区's user re-sent two figures (待审核); everything before was loaded by the system
    assert table.iloc[1][["报送人", "审核"]].tolist() == ["东城区科技局 赵磊（区县填报员·东城区）", "待审核"]
    assert table.iloc[2]["审核"] == "已通过"
    assert views.batch_label(table.iloc[1]).startswith(f"批次 {batch - 1} · ")


def test_recent_periods_end_at_the_due_month_or_newest_data(con):
    assert views.recent_periods(con, PREV, 3) == [AS_OF, PREV, periods.shift(AS_OF, -2)]  # newest data wins
    later = periods.shift(AS_OF, 3)  # a due month past the newest data
    assert views.recent_periods(con, later, 2) == [later, periods.shift(AS_OF, 2)]


def _on_time_text(con, period: str) -> str:
    """What a unit that reported everything through the demo's batch of ``period`` shows."""
    at = con.execute("""SELECT min(b.uploaded_at) FROM batch b JOIN observation o ON o.batch_id = b.id
                        WHERE o.period = ? AND o.org_unit = 'DC'""", [period]).fetchone()[0]
    return "已报·按时" if at <= due.deadline(period, 5) else "已报·逾期"


@pytest.mark.parametrize("now,qx", [(AFTER_DEADLINE, "未报"), (BEFORE_DEADLINE, "待报")])
def test_completeness_grid_cells(con, now, qx):
    grid = views.completeness_grid(con, [AS_OF, PREV], now=now, settings=Settings()).set_index("单位")
    assert list(grid.columns) == [periods.label(PREV), periods.label(AS_OF)]  # oldest first
    assert grid.loc["青溪县", periods.label(AS_OF)] == qx  # the demo's 青溪县 has not reported AS_OF
    for period in (PREV, AS_OF):
        assert grid.loc["东城区", views.periods.label(period)] == _on_time_text(con, period)
    assert views.grid_cell_style(qx).startswith("background-color")
    assert views.grid_cell_style("部分 2/15").startswith("background-color")


def test_grid_after_a_late_partial_return(con):
    pipeline.commit(con, read(con, QX_ROWS), actor=ADMIN, settings=SETTINGS, at=AT)
    grid = views.completeness_grid(con, [AS_OF], now=AFTER_DEADLINE, settings=Settings()).set_index("单位")
    cell = grid.loc["青溪县", periods.label(AS_OF)]
    assert cell.startswith("部分 2/") and cell.endswith("·逾期")


def test_completeness_detail_and_chase_text(con):
    summary, chase, text = views.completeness_detail(con, AS_OF, now=AFTER_DEADLINE, settings=Settings())
    assert summary.set_index("单位").loc["青溪县", "及时性"] == "未报送"
    assert "青溪县" in set(chase["单位"])
    assert text.startswith(f"关于报送{periods.label(AS_OF)}") and "青溪县" in text
    assert f"{DEADLINE.year}年{DEADLINE.month}月5日" in text


def test_audit_log_newest_first_in_chinese(con):
    batch = pipeline.commit(con, read(con, QX_ROWS), actor=ADMIN, settings=SETTINGS, at=AT)
    pipeline.rollback(con, batch, actor=ADMIN, settings=SETTINGS, at=AT + dt.timedelta(minutes=1))
    log = views.audit_log(con, 50)
    assert len(log) <= 50 and list(log.columns) == ["时间", "操作人", "登录名", "操作", "详情"]
    assert log.iloc[0][["操作人", "登录名", "操作"]].tolist() == ["测试", "@system", "撤回批次"]
    assert log.iloc[1][["操作人", "登录名", "操作"]].tolist() == ["测试", "@system", "导入报送"]
    assert len(views.audit_log(con, 3)) == 3
    # 青溪县's figures of AS_OF are its first (新增): no lock note even when the month is locked
    assert log.iloc[1]["详情"] == f"批次 {batch}：return.xlsx，2 条数值"


# ---------------------------------------------------------------- 设置管理


def test_setup_frames_round_trip_changes_nothing(con):
    frames = views.setup_frames(con)
    for table, (_, cols) in workbook.SHEETS.items():
        assert list(frames[table].columns) == [c.name for c in cols]
    assert len(frames["org_unit"]) == 9 and len(frames["responsibility"]) > 0
    back = views.read_setup(views.setup_workbook_bytes(frames))
    preview = views.setup_preview(con, back).set_index("工作表")
    assert preview.loc["单位", "新增"] == 0 and preview.loc["单位", "覆盖已有"] == 9
    assert preview.loc["目标", ["新增", "覆盖已有"]].tolist() == [0, 0]
    targets = con.execute("SELECT count(*) FROM target").fetchone()[0]
    workbook.load_setup(con, back, actor=ADMIN, at=AT)
    assert con.execute("SELECT count(*) FROM target").fetchone()[0] == targets


def test_setup_preview_counts_a_changed_target_and_a_new_unit(con):
    frames = views.setup_frames(con)
    frames["target"].loc[0, "value"] = frames["target"].loc[0, "value"] + 10
    frames["org_unit"] = pd.concat([frames["org_unit"], pd.DataFrame(
        [{"code": "NEW", "name": "新区", "parent_code": "SLS", "sort_order": 99}])], ignore_index=True)
    back = views.read_setup(views.setup_workbook_bytes(frames))
    preview = views.setup_preview(con, back).set_index("工作表")
    assert preview.loc["目标", "覆盖已有"] == 1 and preview.loc["单位", "新增"] == 1


def test_blank_and_broken_setup_workbooks_are_rejected_in_chinese():
    blank = views.setup_workbook_bytes()
    frames = views.read_setup(blank)
    assert all(f.empty for f in frames.values())
    with pytest.raises(RejectedInput, match="设置工作簿有误"):
        views.read_setup(long_return(QX_ROWS))


def _editor(con):
    return views.target_editor_frame(con, AS_OF_YEAR)


def test_target_editor_frame(con):
    frame = _editor(con)
    assert list(frame.columns) == views.TARGET_EDIT_COLUMNS + views.MONTH_COLUMNS  # 月度节点 month by month
    assert len(frame) == len(catalog.current_targets(con, AS_OF_YEAR))
    assert frame["indicator_name"].notna().all() and frame["org_unit_name"].notna().all()
    assert views.target_years(con, TODAY)[0] == TODAY.year  # this year's targets are set in it


@pytest.mark.parametrize("edit,n,problems", [
    ({"value": 999.0}, 1, 0),
    ({"m11": 99.9}, 1, 0),
    ({"m3": 50.0, "m6": 20.0}, 1, 1),  # cumulative nodes never go down
    ({"reason": "只改原因"}, 0, 0),
    ({"value": None}, 0, 1),
])
def test_changed_targets(con, edit, n, problems):
    before = _editor(con)
    after = before.copy()
    for col, v in edit.items():
        after[col] = after[col].astype(object)
        after.loc[3, col] = v
    changed, found = views.changed_targets(before, after, reason="年中调整")
    assert len(changed) == n and len(found) == problems
    assert list(changed.columns) == ["indicator_code", "org_unit", "year", "value", "basis", "milestones", "set_by",
                                     "reason"]
    if n:
        assert changed["reason"].iloc[0] == "年中调整"  # the old reason described the old target
        assert changed[["indicator_code", "org_unit"]].values.tolist() == [before.loc[3, ["indicator_code", "org_unit"]].tolist()]


def test_milestones_edited_month_by_month_are_saved_as_nodes(con):
    before = _editor(con)
    after = before.copy()
    after.loc[1, views.MONTH_COLUMNS] = [None, None, 20.0, None, None, 45.5, None, None, 75.0, None, None, 100.0]
    changed, problems = views.changed_targets(before, after, reason="按季度设节点")
    assert problems == [] and changed["milestones"].tolist() == ["3:20;6:45.5;9:75;12:100"]
    workbook.revise_targets(con, changed, actor=ADMIN, at=AT)
    again = _editor(con)
    assert again.loc[1, ["m3", "m6", "m9", "m12"]].tolist() == [20.0, 45.5, 75.0, 100.0]
    assert again.loc[1, ["m1", "m2", "m4"]].isna().all()
    assert views.milestones_label(again.loc[1, "milestones"]) == "3月 20%　6月 45.5%　9月 75%　12月 100%"


def test_revised_target_enters_the_history(con):
    before = _editor(con)
    after = before.copy()
    after.loc[0, "value"] = before.loc[0, "value"] + 5
    after.loc[0, "reason"] = "市政府下达新目标"
    changed, _ = views.changed_targets(before, after)
    assert workbook.revise_targets(con, changed, actor=ADMIN, at=AT) == 1
    hist = views.target_history_table(con, before.loc[0, "indicator_code"], before.loc[0, "org_unit"])
    assert hist["月度节点"].iloc[0] == views.milestones_label(before.loc[0, "milestones"])  # unchanged nodes kept
    this_year = hist[hist["年度"] == AS_OF_YEAR]
    assert this_year["目标值"].tolist() == [before.loc[0, "value"] + 5, before.loc[0, "value"]]
    assert this_year["当前"].tolist() == ["✓", ""]
    assert this_year.iloc[0][["设定人", "调整原因"]].tolist() == ["测试", "市政府下达新目标"]
    assert views.target_history_table(con, "GXQY", "NOPE").empty
