"""Tasks through the setup workbook (update by code, with history), plan drafts and
their confirmation, monthly progress and the board."""

import datetime as dt

import pandas as pd
import pytest
from actors import ADMIN
from indicators.accounts import Actor
from builders import AT, tiny_setup

from indicators.db import connection
from indicators.errors import RejectedInput
from indicators.setup import workbook
from indicators.tasks import board, drafts
from indicators.tasks import store as task_store
from indicators.tasks.plan import parse_text

SHEET_TASKS = [
    dict(code="RW01", name="高企培育倍增", category="高企培育", lead_department="高新技术科", leader="张局长",
         support_departments="D2", org_units="甲区；乙县", annual_goal="新增高企 20 家", nodes="3:完成摸排;11:认定",
         deadline="2026-12-31"),
    dict(code="RW02", name="技术合同登记", category="成果转化", lead_department="D2", leader="L2",
         nodes="6：年中过半", deadline=dt.date(2026, 12, 31)),
]


def _book(tmp_path, tasks):
    frames = {**tiny_setup(), "task": pd.DataFrame(tasks)}
    return workbook.write_workbook(tmp_path / "setup.xlsx", frames)


@pytest.fixture
def con():
    c = connection.connect(":memory:")
    workbook.load_setup(c, tiny_setup(), actor=ADMIN, at=AT)
    yield c
    c.close()


def test_setup_workbook_tasks_by_name_or_code(tmp_path, con):
    frames = workbook.read_workbook(_book(tmp_path, SHEET_TASKS))
    workbook.load_setup(con, frames, actor=ADMIN, at=AT)
    got = task_store.tasks(con).set_index("code")
    assert got.loc["RW01", "lead_department"] == "D1"
    assert got.loc["RW01", "leader_name"] == "张局长"
    assert got.loc["RW01", "org_units"] == "A；B"
    assert got.loc["RW01", "nodes"] == "3:完成摸排;11:认定"
    assert got.loc["RW02", "nodes"] == "6:年中过半"
    assert pd.Timestamp(got.loc["RW02", "deadline"]).date() == dt.date(2026, 12, 31)
    assert set(got["state"]) == {"active"}


def test_loading_again_updates_by_code_with_history(tmp_path, con):
    first, second = (Actor(login=ADMIN.login, name=n, role="admin") for n in ("甲", "乙"))
    workbook.load_setup(con, workbook.read_workbook(_book(tmp_path, SHEET_TASKS)), actor=first, at=AT)
    changed = [{**SHEET_TASKS[0], "annual_goal": "新增高企 25 家"}, SHEET_TASKS[1]]
    workbook.load_setup(con, workbook.read_workbook(_book(tmp_path, changed)), actor=second,
                        at=AT + dt.timedelta(hours=1))
    assert task_store.tasks(con).set_index("code").loc["RW01", "annual_goal"] == "新增高企 25 家"
    history = _revisions(con, "RW01")
    assert list(history["annual_goal"]) == ["新增高企 20 家", "新增高企 25 家"]
    assert list(history["revised_by"]) == ["甲", "乙"]
    assert list(history["how"]) == ["setup", "setup"]
    assert len(_revisions(con, "RW02")) == 1  # unchanged: no new version


def _revisions(con, code):
    """The versions of a task as stored (no page or command shows them yet)."""
    return con.execute("SELECT * FROM task_revision WHERE code = ? ORDER BY revised_at", [code]).df()


def test_a_workbook_without_the_task_sheet_still_loads(tmp_path, con):
    path = workbook.write_workbook(tmp_path / "old.xlsx", tiny_setup())
    import openpyxl
    wb = openpyxl.load_workbook(path)
    del wb["重点任务"]
    wb.save(path)
    assert "task" not in workbook.read_workbook(path)


@pytest.mark.parametrize("bad, message", [
    (dict(lead_department="没有这个科"), "科室「没有这个科」不存在"),
    (dict(nodes="13:年后"), "月度节点"),
    (dict(deadline="明年"), "截止日期「明年」应为日期"),
    (dict(org_units="丙县"), "单位「丙县」不存在"),
])
def test_task_sheet_problems_are_located(tmp_path, bad, message):
    with pytest.raises(RejectedInput, match=message) as err:
        workbook.read_workbook(_book(tmp_path, [{**SHEET_TASKS[0], **bad}]))
    assert "工作表「重点任务」第2行" in str(err.value)


PLAN = "示例市2026年10月份重点工作安排\n一、高新技术企业培育\n1.开展高企申报辅导；\n2.完成高企摸排\n二、成果转化\n1.技术合同登记培训\n"


def test_plan_drafts_confirm_and_reimport(con):
    reading = parse_text(PLAN)
    got = drafts.draft_plan(con, reading, "2026-10", actor=ADMIN, at=AT)
    assert list(got["code"]) == ["202610-01", "202610-02", "202610-03"]
    assert list(got["category"]) == ["高新技术企业培育", "高新技术企业培育", "成果转化"]
    assert list(got["nodes"]) == ["10:开展高企申报辅导", "10:完成高企摸排", "10:技术合同登记培训"]
    assert set(got["deadline"]) == {dt.date(2026, 10, 31)}
    # suggested from the responsibility table: 高新技术企业数 → D1; the department 成果转化科 → D2
    assert list(got["lead_department"]) == ["D1", "D1", "D2"]
    assert set(task_store.tasks(con)["state"]) == {"draft"}
    assert board.task_board(con, "2026-10").empty  # drafts are not on the board
    with pytest.raises(RejectedInput, match="未指定牵头科室"):
        task_store.confirm_tasks(con, pd.DataFrame({"code": ["202610-01"], "lead_department": [None],
                                                    "leader": [None]}), actor=ADMIN, at=AT)
    task_store.confirm_tasks(con, got[["code", "lead_department", "leader"]], actor=ADMIN, at=AT)
    assert set(task_store.tasks(con)["state"]) == {"active"}
    again = drafts.draft_plan(con, parse_text(PLAN + "2.成果登记\n"), "2026-10", actor=ADMIN, at=AT)
    assert list(again["is_new"]) == [False, False, False, True]
    assert again["code"].iloc[-1] == "202610-04"


def test_progress_and_board(con):
    drafts.draft_plan(con, parse_text(PLAN), "2026-10", actor=ADMIN, at=AT)
    task_store.confirm_tasks(con, task_store.tasks(con)[["code", "lead_department", "leader"]], actor=ADMIN, at=AT)
    task_store.record_progress(con, pd.DataFrame([
        dict(task_code="202610-01", period="2026-10", status="已完成", progress="辅导 3 场", problems=None,
             next_steps=None),
        dict(task_code="202610-02", period="2026-10", status="按计划推进", progress="摸排过半", problems="企业配合度低",
             next_steps="上门走访"),
    ]), actor=ADMIN, source="页面", at=AT)
    b = board.task_board(con, "2026-10").set_index("code")
    assert b.loc["202610-01", "status"] == "done"
    # past its node (October) without 已完成: lagging, whatever was said
    assert b.loc["202610-02", ["status", "overdue", "reported_label"]].tolist() == ["lagging", True, "按计划推进"]
    assert b.loc["202610-03", "status"] == "lagging"  # nothing reported, node passed
    assert list(board.task_board(con, "2026-10")["code"])[-1] == "202610-01"  # overdue first, done last
    nov = board.task_board(con, "2026-11")
    assert set(nov["code"]) == {"202610-02", "202610-03"}  # the done one left the board


def test_progress_refuses_unknown_status_and_task(con):
    with pytest.raises(RejectedInput, match="任务代码不存在"):
        task_store.record_progress(con, pd.DataFrame([dict(task_code="X", period="2026-10", status="滞后",
                                                           progress=None, problems=None, next_steps=None)]),
                                   actor=ADMIN, source="test", at=AT)
    drafts.draft_plan(con, parse_text(PLAN), "2026-10", actor=ADMIN, at=AT)
    with pytest.raises(RejectedInput, match="状态「差不多」无效"):
        task_store.record_progress(con, pd.DataFrame([dict(task_code="202610-01", period="2026-10", status="差不多",
                                                           progress=None, problems=None, next_steps=None)]),
                                   actor=ADMIN, source="test", at=AT)
