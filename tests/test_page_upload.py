"""数据报送 in AppTest: renders on the demo city and an empty database, and the upload
flow through st.file_uploader: check → preview → confirm; errors write nothing;
duplicates and warnings need an explicit tick."""

from __future__ import annotations

from pathlib import Path

from pagetest import fresh_caches, open_page, with_db  # noqa: F401 (fixture)
from streamlit.testing.v1 import AppTest
from test_uploads import BAD_ROWS, QX_ROWS, long_return
from testdate import AS_OF

PAGE = "pages/upload.py"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="upload_files").set_value((name, data, XLSX))
    return at.run()


def batches(db: Path) -> list[tuple]:
    return with_db(db, lambda con: con.execute(
        "SELECT id, file_name, uploaded_by, rows, status FROM batch ORDER BY id").fetchall())


def test_renders_on_demo(demo_db, monkeypatch):
    at = open_page(PAGE, demo_db, monkeypatch)
    assert not at.exception
    assert at.title[0].value == "数据报送"
    assert [s.value for s in at.subheader] == ["① 下载填报模板", "② 上传报表"]
    assert at.selectbox(key="tpl_period").index == 1  # last month: the one being reported now
    assert at.selectbox(key="tpl_unit").value is None  # all units
    assert at.download_button[0].label == "下载 Excel 模板"
    uploader = at.file_uploader(key="upload_files")
    assert {t.strip(".") for t in uploader.allowed_type} == {"xlsx", "xlsm", "xls", "csv"}
    assert uploader.accept_multiple_files


def test_renders_on_empty_db(tmp_path, monkeypatch):
    at = open_page(PAGE, tmp_path / "empty.duckdb", monkeypatch)
    assert not at.exception
    assert "还没有指标设置" in at.info[0].value


def test_upload_preview_confirm(demo_db, monkeypatch):
    n = len(batches(demo_db))
    at = upload(open_page(PAGE, demo_db, monkeypatch), "青溪县报送.xlsx", long_return(QX_ROWS))
    assert not at.exception
    assert [m.value for m in at.metric] == ["2", "0", "0"]  # 新增 / 修改 / 不变
    assert any("识别格式：长表" in c.value for c in at.caption)
    commit = at.button[0]
    assert commit.label == "确认导入" and commit.disabled  # no name yet
    at.text_input(key="w_upload_who").set_value("青溪县 张三").run()
    at.button[0].click().run()
    assert not at.exception
    assert "已导入：批次" in at.success[0].value
    rows = batches(demo_db)
    assert len(rows) == n + 1 and rows[-1][1:] == ("青溪县报送.xlsx", "青溪县 张三", 2, "active")
    assert f"**{rows[-1][0]}**" in at.success[0].value


def test_errors_are_located_and_nothing_is_written(demo_db, monkeypatch):
    n = len(batches(demo_db))
    at = upload(open_page(PAGE, demo_db, monkeypatch), "bad.xlsx", long_return(BAD_ROWS))
    assert not at.exception
    assert "整份文件未导入" in at.error[0].value and "没有任何改动" in at.error[0].value
    problems = at.dataframe[0].value
    assert problems["级别"].iloc[0] == "错误" and "十二" in set(problems["单元格内容"])
    assert not [b for b in at.button if b.label == "确认导入"]
    assert len(batches(demo_db)) == n


def test_duplicate_needs_an_explicit_tick(demo_db, monkeypatch):
    data = long_return(QX_ROWS)
    at = upload(open_page(PAGE, demo_db, monkeypatch), "qx.xlsx", data)
    at.text_input(key="w_upload_who").set_value("张三").run()
    at.button[0].click().run()
    first = batches(demo_db)
    again = upload(open_page(PAGE, demo_db, monkeypatch), "qx-copy.xlsx", data)  # a new session
    assert not again.exception
    assert any("内容完全相同" in w.value and f"批次 {first[-1][0]}" in w.value for w in again.warning)
    again.text_input(key="w_upload_who").set_value("张三").run()
    assert again.button[0].disabled
    assert again.checkbox[0].label.startswith("我已核对")
    again.checkbox[0].check().run()
    assert not again.button[0].disabled
    assert len(batches(demo_db)) == len(first)  # nothing re-imported without the click


def test_warning_then_confirmed_import(demo_db, monkeypatch):
    # 青溪县's cumulative 技术合同成交额 was 1.73 in September: 1.0 in October fell
    at = upload(open_page(PAGE, demo_db, monkeypatch), "fell.xlsx",
                long_return([(AS_OF, "QX", "青溪县", "JSHT", "技术合同成交额", 1.0)]))
    assert any("警告" in w.value for w in at.warning)
    at.text_input(key="w_upload_who").set_value("张三").run()
    at.checkbox[0].check().run()
    at.button[0].click().run()
    assert not at.exception and "已导入" in at.success[0].value
    assert batches(demo_db)[-1][2:] == ("张三", 1, "active")
