"""报送记录 in AppTest: batch list, rollback through the page, the completeness grid,
the 催报 text and the audit log; an empty database and a setup without any batch."""

from __future__ import annotations

from actors import ADMIN
from builders import tiny_setup
from pagetest import fresh_caches, open_page, with_db  # noqa: F401 (fixture)
from streamlit.testing.v1 import AppTest
from test_uploads import PREV, QX_ROWS, long_return
from testdate import AS_OF, AT, SETTINGS, TODAY

from indicators.returns import pipeline
from indicators.rules import periods
from indicators.setup import workbook

PAGE = "pages/batches.py"


def frame_with(at: AppTest, column: str):
    """The first table showing ``column`` (AppTest does not expose dataframe keys)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_renders_on_demo(demo_db, monkeypatch):
    at = open_page(PAGE, demo_db, monkeypatch)
    assert not at.exception
    assert at.title[0].value == "报送记录"
    assert [t.label for t in at.tabs] == ["报送批次", "报送完整性与催报", "发送记录", "操作日志"]
    batches = frame_with(at, "批次")
    assert batches["批次"].iloc[0] == batches["批次"].max() and set(batches["状态"]) == {"有效"}
    grid = frame_with(at, periods.label(AS_OF))
    assert grid.columns[0] == "单位" and len(grid.columns) == 7
    # 催报 opens on the latest due month, the one worth chasing
    assert at.selectbox(key="chase_month").value == AS_OF
    assert at.code[0].value.startswith(f"关于报送{periods.label(AS_OF)}") and "青溪县" in at.code[0].value
    log = frame_with(at, "操作人")
    assert 0 < len(log) <= 50 and log["时间"].is_monotonic_decreasing


def test_rollback_through_the_page(demo_db, monkeypatch):
    batch = with_db(demo_db, lambda con: pipeline.commit(
        con, pipeline.read_return(long_return(QX_ROWS), "qx.xlsx", con, today=TODAY), actor=ADMIN,
        settings=SETTINGS, at=AT))
    at = open_page(PAGE, demo_db, monkeypatch)
    chooser = next(sb for sb in at.selectbox if sb.label == "选择要撤回的批次")
    assert chooser.value == batch
    assert at.button(key="rb_go").disabled
    at.checkbox(key=f"rb_ok_{batch}").check().run()
    at.button(key="rb_go").click().run()
    assert not at.exception
    assert f"已撤回批次 {batch}" in at.success[0].value and "2 条数值不再计入" in at.success[0].value
    assert frame_with(at, "批次").iloc[0]["状态"] == "已撤回"
    log = frame_with(at, "操作人")
    # the rollback's row, wherever it sorts: the page writes at the pinned day's real hour, the
    # fixture imported at its 10:00 (before 10:00 in the bureau's zone the import sorts newer)
    rolled = log[log["操作"] == "撤回批次"]
    assert rolled.iloc[0][["操作人", "登录名", "操作"]].tolist() == ["系统管理员（管理员）", "admin", "撤回批次"]
    assert with_db(demo_db, lambda con: con.execute("SELECT status FROM batch WHERE id = ?", [batch]).fetchone()[0]) \
        == "rolled_back"
    # the rolled-back batch is no longer offered
    chooser = next(sb for sb in at.selectbox if sb.label == "选择要撤回的批次")
    assert chooser.value != batch
    assert not [o for o in chooser.options if o.startswith(f"批次 {batch} ·")]


def test_chase_month_can_change(demo_db, monkeypatch):
    at = open_page(PAGE, demo_db, monkeypatch)
    at.selectbox(key="chase_month").set_value(PREV).run()
    assert not at.exception
    assert periods.label(PREV) in at.code[0].value


def test_renders_on_empty_db(tmp_path, monkeypatch):
    at = open_page(PAGE, tmp_path / "empty.duckdb", monkeypatch)
    assert not at.exception
    assert "还没有指标设置" in at.info[0].value


def test_setup_without_batches(tmp_path, monkeypatch):
    db = tmp_path / "setup_only.duckdb"
    with_db(db, lambda con: workbook.load_setup(con, tiny_setup(), actor=ADMIN, at=AT))
    at = open_page(PAGE, db, monkeypatch)
    assert not at.exception
    assert any("还没有任何报送批次" in i.value for i in at.info)
