"""数据报送 in AppTest: renders on the demo city and an empty database, and the upload
flow through st.file_uploader: check → preview → confirm; errors write nothing;
duplicates and warnings need an explicit tick."""

from __future__ import annotations

from pathlib import Path

from pagetest import fresh_caches, open_page, with_db  # noqa: F401 (fixture)
from streamlit.testing.v1 import AppTest
from test_uploads import BAD_ROWS, QX_ROWS, long_return
from testdate import AS_OF, SETTINGS

from indicators import demo

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
    # no type= for Streamlit (it would refuse a wrong file in English): the page checks kinds itself
    assert not uploader.allowed_type
    assert uploader.accept_multiple_files


def test_a_wrong_kind_of_file_is_refused_in_chinese_and_not_read(demo_db, monkeypatch):
    before = batches(demo_db)
    at = open_page(PAGE, demo_db, monkeypatch)
    at.file_uploader(key="upload_files").set_value(("会议通知.docx", b"PK\x03\x04", "application/msword"))
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "「会议通知.docx」是「.docx」文件，这里只接受 .xlsx、.xlsm、.xls、.csv、.txt。请另存为其中一种格式后重新上传。"]
    assert not at.button  # nothing to confirm
    assert batches(demo_db) == before


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
    assert commit.label == "确认导入" and not commit.disabled  # who uploads is the signed-in user
    assert any(c.value == "报送人：系统管理员（管理员）（记入报送记录与操作日志）" for c in at.caption)
    at.button[0].click().run()
    assert not at.exception
    assert "已导入：批次" in at.success[0].value and "审核状态：已通过" in at.success[0].value
    rows = batches(demo_db)
    assert len(rows) == n + 1 and rows[-1][1:] == ("青溪县报送.xlsx", "系统管理员（管理员）", 2, "active")
    assert f"**{rows[-1][0]}**" in at.success[0].value


def test_excels_unicode_text_is_accepted_and_read(demo_db, monkeypatch):
    """Excel's 「另存为 → Unicode 文本 (*.txt)」: UTF-16 with its BOM, tab-separated — the
    same two values as the workbook above."""
    from test_uploads import HEADER
    lines = ["\t".join(map(str, r)) for r in [HEADER, *QX_ROWS]]
    data = b"\xff\xfe" + ("\r\n".join(lines) + "\r\n").encode("utf-16-le")
    at = open_page(PAGE, demo_db, monkeypatch)
    at.file_uploader(key="upload_files").set_value(("青溪县报送.txt", data, "text/plain"))
    at.run()
    assert not at.exception and not at.error
    assert [m.value for m in at.metric] == ["2", "0", "0"]  # 新增 / 修改 / 不变
    assert at.button[0].label == "确认导入" and not at.button[0].disabled


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
    at.button[0].click().run()
    first = batches(demo_db)
    again = upload(open_page(PAGE, demo_db, monkeypatch), "qx-copy.xlsx", data)  # a new session
    assert not again.exception
    assert any("内容完全相同" in w.value and f"批次 {first[-1][0]}" in w.value for w in again.warning)
    assert again.button[0].disabled
    assert again.checkbox[0].label.startswith("我已核对")
    again.checkbox[0].check().run()
    assert not again.button[0].disabled
    assert len(batches(demo_db)) == len(first)  # nothing re-imported without the click


def test_warning_then_confirmed_import(demo_db, monkeypatch):
    """Twenty times 青溪县's largest 技术合同成交额 so far (万元 sent for 亿元): a warning in
    any month of the year (a fallen cumulative value would be none in January)."""
    obs = demo.demo_observations(AS_OF, SETTINGS)
    largest = obs[(obs["indicator_code"] == "JSHT") & (obs["org_unit"] == "QX")]["value"].max()
    at = upload(open_page(PAGE, demo_db, monkeypatch), "unit_mixup.xlsx",
                long_return([(AS_OF, "QX", "青溪县", "JSHT", "技术合同成交额", round(20 * largest, 2))]))
    assert any("警告" in w.value for w in at.warning)
    assert any("相差十倍以上" in d.value.to_csv() for d in at.dataframe)  # the row says which warning
    at.checkbox[0].check().run()
    at.button[0].click().run()
    assert not at.exception and "已导入" in at.success[0].value
    assert batches(demo_db)[-1][2:] == ("系统管理员（管理员）", 1, "active")


def upload_many(at: AppTest, files: list[tuple[str, bytes]]) -> AppTest:
    at.file_uploader(key="upload_files").set_value([(name, data, XLSX) for name, data in files])
    return at.run()


DC_ROWS = [("2026-10", "DC", "东城区", "JSHT", "技术合同成交额", 30.5)]


def test_one_bad_file_holds_the_whole_upload(demo_db, monkeypatch):
    n = len(batches(demo_db))
    at = upload_many(open_page(PAGE, demo_db, monkeypatch),
                     [("qx.xlsx", long_return(QX_ROWS)), ("bad.xlsx", long_return(BAD_ROWS))])
    assert not at.exception
    assert any("「bad.xlsx」不能导入" in e.value and "要么全部导入，要么都不导入" in e.value for e in at.error)
    assert not [b for b in at.button if b.label.startswith("确认导入")]
    assert len(batches(demo_db)) == n


def test_two_files_giving_one_figure_two_values_hold_the_upload(demo_db, monkeypatch):
    """Committed together, the later file would win; the page says so before the button."""
    n = len(batches(demo_db))
    other = [(*QX_ROWS[0][:5], 13.5)]
    at = upload_many(open_page(PAGE, demo_db, monkeypatch),
                     [("qx.xlsx", long_return(QX_ROWS)), ("qx2.xlsx", long_return(other))])
    assert not at.exception
    [held] = [e.value for e in at.error if "不一致" in e.value]
    assert "「qx.xlsx」报送 F3 为 12.5，「qx2.xlsx」报送 F3 为 13.5" in held and "移除有误的文件" in held
    assert not [b for b in at.button if b.label.startswith("确认导入")]
    assert len(batches(demo_db)) == n


def test_an_upload_of_several_files_is_one_unit(demo_db, monkeypatch):
    n = len(batches(demo_db))
    at = upload_many(open_page(PAGE, demo_db, monkeypatch),
                     [("qx.xlsx", long_return(QX_ROWS)), ("dc.xlsx", long_return(DC_ROWS))])
    [button] = [b for b in at.button if b.label == "确认导入全部 2 个文件"]
    button.click().run()
    assert not at.exception and len([s for s in at.success if "已导入：批次" in s.value]) == 2
    rows = batches(demo_db)
    assert len(rows) == n + 2 and {r[1] for r in rows[-2:]} == {"qx.xlsx", "dc.xlsx"}


def test_a_failure_while_writing_the_second_file_writes_neither(demo_db, monkeypatch):
    from indicators.db import batches as batch_store
    real = batch_store.write_batch
    calls = []

    def failing(con, values, **kw):
        calls.append(kw["file_name"])
        if len(calls) == 2:
            raise OSError("disk full")
        return real(con, values, **kw)

    n = len(batches(demo_db))
    at = upload_many(open_page(PAGE, demo_db, monkeypatch),
                     [("qx.xlsx", long_return(QX_ROWS)), ("dc.xlsx", long_return(DC_ROWS))])
    monkeypatch.setattr(batch_store, "write_batch", failing)
    [b for b in at.button if b.label == "确认导入全部 2 个文件"][0].click().run()
    assert len(calls) == 2 and len(batches(demo_db)) == n  # the first file's batch was rolled back too
