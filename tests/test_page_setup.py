"""设置管理 in AppTest: renders on the demo city and on an empty database; a setup
workbook uploaded, previewed and loaded into an empty database; a broken one rejected
in Chinese. (Edits in st.data_editor are covered by tests/test_uploads.py.)"""

from __future__ import annotations

from pathlib import Path

from builders import AT, tiny_setup
from pagetest import fresh_caches, open_page, with_db  # noqa: F401 (fixture)
from test_uploads import QX_ROWS, long_return
from testdate import AS_OF_YEAR

from indicators import views

PAGE = "pages/setup.py"
XLSX = views.XLSX_MIME


def count(db: Path, sql: str):
    return with_db(db, lambda con: con.execute(sql).fetchone()[0])


def test_renders_on_demo(demo_db, monkeypatch):
    at = open_page(PAGE, demo_db, monkeypatch)
    assert not at.exception
    assert at.title[0].value == "设置管理"
    assert [t.label for t in at.tabs] == ["设置工作簿", "调整目标", "目标调整历史"]
    assert [b.label for b in at.download_button] == ["下载当前设置", "下载空白设置工作簿"]
    assert at.selectbox(key="tgt_year").value == AS_OF_YEAR  # the year of the latest due month
    editor = at.data_editor[0].value
    assert len(editor) == count(demo_db, f"""SELECT count(*) FROM (SELECT DISTINCT indicator_code, org_unit
                                             FROM target WHERE year = {AS_OF_YEAR})""")
    history = next(d.value for d in at.dataframe if "调整原因" in d.value.columns)
    assert history["当前"].tolist().count("✓") == history["年度"].nunique()


def test_history_follows_the_chosen_indicator_and_unit(demo_db, monkeypatch):
    at = open_page(PAGE, demo_db, monkeypatch)
    at.selectbox(key="hist_ind").set_value("JSHT").run()
    at.selectbox(key="hist_unit").set_value("DC").run()
    assert not at.exception
    history = next(d.value for d in at.dataframe if "调整原因" in d.value.columns)
    assert AS_OF_YEAR in set(history["年度"])


def test_target_filter(demo_db, monkeypatch):
    at = open_page(PAGE, demo_db, monkeypatch)
    at.multiselect(key="tgt_only").set_value(["GXQY"]).run()
    assert not at.exception
    assert set(at.data_editor[0].value["indicator_code"]) == {"GXQY"}


def test_empty_db_loads_a_setup_workbook(tmp_path, monkeypatch):
    monkeypatch.setenv("INDICATORS_TODAY", AT.date().isoformat())  # the tiny setup's targets are for that year
    db = tmp_path / "empty.duckdb"
    at = open_page(PAGE, db, monkeypatch)
    assert not at.exception
    assert any("请先在「设置工作簿」中导入" in i.value for i in at.info)
    at.file_uploader(key="setup_file").set_value(("setup.xlsx", views.setup_workbook_bytes(tiny_setup()), XLSX)).run()
    assert not at.exception
    preview = at.dataframe[0].value.set_index("工作表")
    assert preview.loc["单位", "新增"] == 4 and preview.loc["指标", "新增"] == 8
    assert at.button(key="setup_go").disabled
    at.checkbox[0].check().run()
    at.button(key="setup_go").click().run()
    assert not at.exception
    assert "已导入设置工作簿" in at.success[0].value
    assert len(at.data_editor) == 1  # the targets are editable now
    assert count(db, "SELECT count(*) FROM indicator") == 8
    # an empty database has no accounts: the test signs in as an admin it makes, "admin 测试"
    assert count(db, "SELECT who || ' ' || login || ' ' || role FROM audit WHERE action = 'setup'") == \
        "admin 测试（管理员） admin admin"


def test_broken_setup_workbook_is_rejected(demo_db, monkeypatch):
    at = open_page(PAGE, demo_db, monkeypatch)
    at.file_uploader(key="setup_file").set_value(("not-setup.xlsx", long_return(QX_ROWS), XLSX)).run()
    assert not at.exception
    assert "设置工作簿有误，未导入" in at.error[0].value and "缺少工作表「单位」" in at.error[0].value
    assert not [b for b in at.button if b.key == "setup_go"]



def test_a_loaded_setup_shows_on_the_pages_at_once(demo_db, monkeypatch):
    """A setup workbook that only renames an indicator — no count changes — shows on an
    open 调度总览 at its next run: loading it is a write of data, which moves the version
    every page cache is keyed by (no cache is cleared by hand; the page reruns with its
    caches as they are, no ``with_db`` in between, which would clear them)."""
    from actors import ADMIN

    from indicators.db import connection
    from indicators.setup import workbook

    def texts(at) -> str:
        assert not at.exception
        return " ".join([m.value for m in at.markdown] + [h.proto.body for h in at.get("html")])

    at = open_page("pages/overview.py", demo_db, monkeypatch)
    assert "高新技术企业数" in texts(at) and "高企总数（改名）" not in texts(at)
    with connection.connect(demo_db) as con:  # 设置管理 in another tab or replica
        frames = views.setup_frames(con)
        frames["indicator"].loc[frames["indicator"]["code"] == "GXQY", "name"] = "高企总数（改名）"
        workbook.load_setup(con, frames, actor=ADMIN, at=AT)
    at.run()
    assert "高企总数（改名）" in texts(at) and "高新技术企业数" not in texts(at)
