"""AppTest for 重点任务, 工作安排导入 and 滞后说明 on the demo city: they render, filter,
and their forms write what the CLI then reads back."""

from __future__ import annotations

from pathlib import Path

import pytest
import testdate
from actors import ADMIN
from builders import AT, tiny_observations, tiny_setup
from pagetest import fresh_caches, open_page, with_db  # noqa: F401 (fixture)

from indicators import explanations
from indicators.db import batches, connection
from indicators.setup import workbook
from indicators.dispatch import dispatch_table
from indicators.tasks import store as task_store

SEED = Path(__file__).parent / "data" / "zjg_2022_03_plan.txt"


@pytest.fixture
def tiny_db_path(tmp_path):
    """The tiny city as a database file (no tasks)."""
    path = tmp_path / "tiny.duckdb"
    con = connection.connect(path, create=True)
    workbook.load_setup(con, tiny_setup(), actor=ADMIN, at=AT)
    batches.write_batch(con, tiny_observations(), file_name="tiny.xlsx", actor=ADMIN, at=AT)
    con.close()
    return path


def texts(at) -> str:
    parts = [e.value for e in (*at.info, *at.warning, *at.success, *at.markdown, *at.caption, *at.title,
                               *at.subheader, *at.error)]
    return "\n".join(str(p) for p in parts)


def _frame(at, column: str):
    """The page's table that has ``column`` (AppTest keeps no key on a styled table)."""
    return next(d for d in at.dataframe if column in d.value.columns)


def test_task_board_shows_lagging_first_and_filters(demo_db, monkeypatch):
    at = open_page("pages/tasks.py", demo_db, monkeypatch)
    assert not at.exception, at.exception
    board = _frame(at, "任务").value
    assert len(board) == 24
    assert board["状态"].iloc[0].startswith("▼ 滞后（逾期）")
    assert {m.label for m in at.metric} >= {"任务数", "滞后", "按计划推进"}
    at = open_page("pages/tasks.py", demo_db, monkeypatch, leader="陈志强")
    narrowed = _frame(at, "任务").value
    assert 0 < len(narrowed) < 24 and set(narrowed["分管领导"]) == {"陈志强"}


def test_progress_form_writes_a_report(demo_db, monkeypatch):
    at = open_page("pages/tasks.py", demo_db, monkeypatch)
    at.selectbox(key="w_task_month").set_value(testdate.AS_OF).run()
    code = at.selectbox(key="w_task_code").value
    form = at.get("form")[0]
    assert form is not None
    at.radio[0].set_value("已完成")
    at.text_area[0].set_value("本月按期完成")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert "已保存" in texts(at)
    got = with_db(demo_db, lambda con: task_store.latest_progress(con, testdate.AS_OF))
    mine = got[(got["task_code"] == code) & (got["period"] == testdate.AS_OF)].iloc[-1]
    assert (mine["status"], mine["progress"], mine["reported_by"]) == ("done", "本月按期完成", "系统管理员（管理员）")


def test_plan_page_imports_the_seed_and_confirms(demo_db, monkeypatch):
    at = open_page("pages/task_plan.py", demo_db, monkeypatch)
    assert not at.exception, at.exception
    assert "没有待确认的任务" in texts(at)
    # AppTest cannot upload a file: the page's import is the same call the CLI test makes
    from indicators import clock
    from indicators.tasks.drafts import draft_plan
    from indicators.tasks.plan import read_plan
    period = at.selectbox(key="w_plan_period").value
    with_db(demo_db, lambda con: draft_plan(con, read_plan(SEED.read_bytes()), period, actor=ADMIN,
                                            at=clock.now(testdate.SETTINGS)))
    at = open_page("pages/task_plan.py", demo_db, monkeypatch)
    editor = at.get("arrow_data_frame")
    assert "25 项待确认" in texts(at)
    assert at.button(key="plan_confirm").label == "确认这 25 项任务"
    at.button(key="plan_confirm").click().run()
    assert not at.exception, at.exception
    # five drafts have no suggestion (重要活动 …): confirming all is refused, nothing written
    assert "未指定牵头科室" in texts(at)
    assert with_db(demo_db, lambda con: (task_store.tasks(con, state="draft")["plan_period"] == period).sum()) == 25
    assert editor is not None


def test_explain_page_counts_and_saves(demo_db, monkeypatch):
    at = open_page("pages/explain.py", demo_db, monkeypatch)
    assert not at.exception, at.exception
    metrics = {m.label: int(m.value) for m in at.metric}
    attached = with_db(demo_db, lambda con: explanations.attach(
        con, dispatch_table(con, testdate.AS_OF, testdate.SETTINGS)))
    need = attached[attached["explanation_required"]]
    assert metrics == {"应说明": len(need), "已说明": int(need["explanation_state"].eq("given").sum()),
                       "待补充": int(need["explanation_state"].eq("missing").sum())}
    assert _frame(at, "滞后原因").value["说明"].iloc[0] == "待补充"  # missing first
    at = open_page("pages/explain.py", demo_db, monkeypatch, state="待补充")
    # the first missing row of the demo lagged last month too: its text is offered
    assert any("已带入" in i.value for i in at.info)
    reason = at.text_area[0].value
    assert reason
    at.text_area[1].set_value("加大督导力度")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert "已保存" in texts(at)
    after = with_db(demo_db, lambda con: explanations.attach(
        con, dispatch_table(con, testdate.AS_OF, testdate.SETTINGS)))
    assert int(after["explanation_state"].eq("given").sum()) == metrics["已说明"] + 1
    assert "加大督导力度" in set(after["measures"].dropna())


def test_task_page_on_empty_tasks(tiny_db_path, monkeypatch):
    at = open_page("pages/tasks.py", tiny_db_path, monkeypatch)
    assert not at.exception, at.exception
    assert "还没有已确认的重点任务" in texts(at)


def test_report_page_lists_missing_explanations_by_leader(demo_db, monkeypatch):
    at = open_page("pages/report.py", demo_db, monkeypatch)
    assert not at.exception, at.exception
    attached = with_db(demo_db, lambda con: explanations.attach(
        con, dispatch_table(con, testdate.AS_OF, testdate.SETTINGS)))
    missing = attached[attached["explanation_state"] == "missing"]
    assert f"还有 {len(missing)} 项未说明" in texts(at)
    table = _frame(at, "说明责任方").value
    assert len(table) == len(missing)
    assert set(table["分管领导"]) == set(missing["leader"])
    assert len(at.get("download_button")) == 6  # pptx, xlsx, docx, md, the notice PDF and the A3 简报
    at.toggle(key="w_complete_only").set_value(True).run()
    assert not at.exception, at.exception
    assert any("待补充" in e.value for e in at.error)
    assert len(at.get("download_button")) == 0  # nothing to download until complete
