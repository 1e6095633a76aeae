"""The 重点任务进展 sheet: in the department's template, filled, read back by the import
pipeline (one transaction with the batch), located errors, rollback takes it back."""

import openpyxl
import pytest
import testdate
from actors import ADMIN

from indicators.db import connection
from indicators.accounts import Actor
from indicators.returns import pipeline
from indicators.returns.template import write_template
from indicators.tasks.board import task_board

PERIOD = testdate.AS_OF

# the 成果转化科 account: reports progress on the tasks it leads
HZZH = Actor(login="hzzh", name="王五", role="department", department="HZZH", department_name="成果转化科")


@pytest.fixture
def con(demo_db):
    c = connection.connect(demo_db)
    yield c
    c.close()


def _template(con, tmp_path, **kw):
    return write_template(con, tmp_path / "t.xlsx", period=PERIOD, settings=testdate.SETTINGS,
                          today=testdate.TODAY, **kw)


def _fill(path, rows: dict[str, tuple[str, str]]):
    """Fill 状态 / 进展情况 for task codes in the 重点任务进展 sheet."""
    wb = openpyxl.load_workbook(path)
    ws = wb["重点任务进展"]
    for r in range(4, ws.max_row + 1):
        code = ws.cell(r, 1).value
        if code in rows:
            ws.cell(r, 5).value, ws.cell(r, 6).value = rows[code]
    wb.save(path)
    return path


def test_department_template_lists_its_tasks(con, tmp_path):
    path = _template(con, tmp_path, unit="SLS", department="HZZH")
    wb = openpyxl.load_workbook(path)
    assert "重点任务进展" in wb.sheetnames
    ws = wb["重点任务进展"]
    assert [c.value for c in ws[3]] == ["任务代码", "任务名称", "本月节点", "上月状态（参考）", "状态", "进展情况",
                                        "存在问题", "下步措施"]
    codes = [ws.cell(r, 1).value for r in range(4, ws.max_row + 1)]
    board = task_board(con, PERIOD)
    assert sorted(codes) == sorted(board.loc[board["lead_department"] == "HZZH", "code"])
    assert ws.protection.sheet and ws.cell(4, 1).protection.locked and not ws.cell(4, 5).protection.locked


def test_unit_template_without_department_has_no_task_sheet(con, tmp_path):
    assert "重点任务进展" not in openpyxl.load_workbook(_template(con, tmp_path, unit="DC")).sheetnames


def test_filled_sheet_is_imported_with_the_return_and_rolled_back_with_it(con, tmp_path):
    board = task_board(con, PERIOD)
    code = board.loc[board["lead_department"] == "HZZH", "code"].iloc[0]
    path = _fill(_template(con, tmp_path, unit="SLS", department="HZZH"), {code: ("已完成", "对接会已举办")})
    reading = pipeline.read_return(path, con=con, today=testdate.TODAY)
    assert reading.ok, pipeline.problem_lines(reading)
    assert reading.values.empty and len(reading.task_progress) == 1  # progress only: still importable
    batch = pipeline.commit(con, reading, actor=HZZH, settings=testdate.SETTINGS, at=testdate.AT)
    after = task_board(con, PERIOD).set_index("code")
    assert after.loc[code, "reported_label"] == "已完成"
    assert after.loc[code, "progress"] == "对接会已举办"
    assert after.loc[code, "reported_by"] == HZZH.display
    pipeline.rollback(con, batch, actor=ADMIN, settings=testdate.SETTINGS, at=testdate.AT)
    back = task_board(con, PERIOD).set_index("code")
    assert back.loc[code, "progress"] != "对接会已举办"


def test_bad_status_and_unknown_code_are_located_errors(con, tmp_path):
    board = task_board(con, PERIOD)
    codes = board.loc[board["lead_department"] == "HZZH", "code"].tolist()
    path = _fill(_template(con, tmp_path, unit="SLS", department="HZZH"), {codes[0]: ("差不多", "x")})
    wb = openpyxl.load_workbook(path)
    wb["重点任务进展"].protection.sheet = False
    wb["重点任务进展"].cell(5, 1).value = "RW99"
    wb["重点任务进展"].cell(5, 5).value = "滞后"
    wb.save(path)
    reading = pipeline.read_return(path, con=con, today=testdate.TODAY)
    errors = reading.errors.set_index("rule")
    assert errors.loc["task_status", "message"] == "状态「差不多」无效"
    assert (errors.loc["task_status", "sheet"], int(errors.loc["task_status", "row"]),
            errors.loc["task_status", "column"]) == ("重点任务进展", 4, "E")
    assert errors.loc["unknown_task", "message"] == "任务代码「RW99」不存在"
    with pytest.raises(Exception, match="错误"):
        pipeline.commit(con, reading, actor=ADMIN, settings=testdate.SETTINGS, at=testdate.AT)
