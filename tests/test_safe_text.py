"""Names typed by someone reach every export and page as text: no formula in a CSV or a
workbook (OWASP CSV injection), no markup in HTML or markdown; CSV for people has a BOM."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import zipfile

import openpyxl
import pytest
from actors import ADMIN
from builders import tiny_observations, tiny_setup
from testdate import AT, SETTINGS, TODAY

from indicators.db import batches, connection
from indicators.dispatch import dispatch_table
from indicators.report import render
from indicators.report.summary import summarize
from indicators.safe_text import csv_text, html_text, is_formula_like, md_text, neutral
from indicators.setup import workbook

PERIOD = "2026-10"
EVIL_UNIT = '=HYPERLINK("http://evil.example/x","点我")'
EVIL_DISTRICT = "<img src=x onerror=alert(1)>乙县"
EVIL_INDICATOR = "@SUM(1+1)*cmd|' /C calc'!A0"
EVIL_TEXT = "[点我](javascript:alert(1)) ![x](http://evil.example/x.png) **粗** <b>x</b>"


@pytest.mark.parametrize("text, formula", [
    ("=1+2", True), ("+86", True), ("-3", True), ("@SUM(A1)", True), ("\t=1", True), ("\r=1", True),
    ("技术合同", False), ("R&D经费", False), ("", False), (None, False), (12, False),
])
def test_formula_like(text, formula):
    assert is_formula_like(text) is formula
    assert neutral(text) == ("'" + text if formula else text)


@pytest.mark.parametrize("text, shown", [
    ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
    ("[点我](javascript:alert(1))", "\\[点我\\](javascript:alert(1))"),
    ("![x](http://e/x.png)", "\\!\\[x\\](http://e/x.png)"),
    ("**粗** _斜_ `码`", "\\*\\*粗\\*\\* \\_斜\\_ \\`码\\`"),
    ("# 标题\n- 条目", "\\# 标题\n\\- 条目"),
    ("1-10月累计 R&D", "1-10月累计 R&D"),  # a bare & is text in markdown: no &amp; in the notice
    ("&lt;b&gt; &#60;", "&amp;lt;b&amp;gt; &amp;#60;"),
    ("$x$ | ~删~", "\\$x\\$ \\| \\~删\\~"),
])
def test_markdown_text(text, shown):
    assert md_text(text) == shown


def test_html_text():
    assert html_text('<a href="x">&</a>') == "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"


def test_csv_text_has_a_bom_and_no_formula():
    import pandas as pd
    out = csv_text(pd.DataFrame({"名称": [EVIL_UNIT, "东城区"], "值": [-1.5, 2.0]}))
    assert out.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(out.removeprefix("\ufeff"))))
    assert rows == [["名称", "值"], ["'" + EVIL_UNIT, "-1.5"], ["东城区", "2.0"]]


# ---------------------------------------------------------------- every export of a hostile city


@pytest.fixture(scope="module")
def evil_db(tmp_path_factory):
    frames = tiny_setup()
    frames["org_unit"]["name"] = frames["org_unit"]["name"].replace({"测试市": EVIL_UNIT, "乙县": EVIL_DISTRICT})
    frames["indicator"]["name"] = frames["indicator"]["name"].replace({"技术合同成交额": EVIL_INDICATOR})
    frames["indicator"]["description"] = EVIL_TEXT
    frames["indicator"]["source"] = "<script>alert(1)</script>"
    frames["department"]["name"] = frames["department"]["name"].replace({"成果转化科": "=成果转化科"})
    path = tmp_path_factory.mktemp("evil") / "evil.duckdb"
    con = connection.connect(path, create=True)
    workbook.load_setup(con, frames, actor=ADMIN, at=AT)
    batches.write_batch(con, tiny_observations(), file_name="tiny.xlsx", actor=ADMIN, at=AT)
    con.close()
    return path


@pytest.fixture(scope="module")
def evil_summary(evil_db):
    con = connection.connect(evil_db, read_only=True)
    try:
        return summarize(dispatch_table(con, PERIOD, SETTINGS), PERIOD)
    finally:
        con.close()


def test_status_csv_neutralises_names(evil_db):
    out = subprocess.run([sys.executable, "-m", "indicators", "status", "--period", PERIOD, "--db", str(evil_db),
                          "--csv"], capture_output=True, timeout=120)
    assert out.returncode == 0, out.stderr.decode()
    text = out.stdout.decode("utf-8")
    assert text.startswith("\ufeff")
    cells = [c for row in csv.reader(io.StringIO(text.removeprefix("\ufeff"))) for c in row]
    assert "'" + EVIL_UNIT in cells and "'" + EVIL_INDICATOR in cells
    assert not any(is_formula_like(c) for c in cells if not _number(c)), [c for c in cells if is_formula_like(c)]


def _number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _cells(data: bytes):
    book = openpyxl.load_workbook(io.BytesIO(data))
    for ws in book.worksheets:
        for row in ws.iter_rows():
            yield from row


def test_report_xlsx_has_no_formula_and_quotes_names(evil_summary):
    cells = list(_cells(render(evil_summary, "xlsx", issued=TODAY, deadline_day=5)))
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    risky = [c for c in cells if is_formula_like(c.value)]
    assert risky and all(c.quotePrefix for c in risky)
    assert EVIL_INDICATOR in {c.value for c in risky}  # shown as written, not with an apostrophe


def test_pptx_chart_data_has_no_formula(evil_summary):
    data = render(evil_summary, "pptx", issued=TODAY, deadline_day=5)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        embedded = [n for n in z.namelist() if n.endswith(".xlsx")]
        assert embedded
        for name in embedded:
            assert not [c.coordinate for c in _cells(z.read(name)) if c.data_type == "f"], name


def test_notice_markdown_escapes_html(evil_summary):
    md = render(evil_summary, "md", issued=TODAY, deadline_day=5).decode("utf-8")
    assert "<img" not in md and "&lt;img src=x onerror=alert(1)&gt;" in md


def test_template_and_setup_workbook_keep_names_as_text(evil_db, tmp_path):
    from indicators.returns import template
    from indicators.views.setup import read_setup, setup_frames, setup_workbook_bytes
    con = connection.connect(evil_db, read_only=True)
    try:
        tpl = template.write_template(con, tmp_path / "t.xlsx", period=PERIOD, settings=SETTINGS, today=TODAY)
        current = setup_workbook_bytes(setup_frames(con))  # 设置管理 → 下载当前设置
    finally:
        con.close()
    for data in (tpl.read_bytes(), current):
        cells = list(_cells(data))
        assert not [c.coordinate for c in cells if c.data_type == "f"]
        assert any(c.value == EVIL_UNIT and c.quotePrefix for c in cells)
    assert EVIL_UNIT in set(read_setup(current)["org_unit"]["name"])  # loads back as written


def test_pages_render_names_as_text(evil_db):
    from indicators.views.indicator import indicator_detail
    from indicators.views.responsibility import district_scorecard
    con = connection.connect(evil_db, read_only=True)
    try:
        table = dispatch_table(con, PERIOD, SETTINGS)
        card = district_scorecard(table, "B", "C")
        detail = indicator_detail(con, table, "TC", PERIOD, "C")
    finally:
        con.close()
    assert "<img" not in card.headline_html and "&lt;img src=x onerror=alert(1)&gt;乙县" in card.headline_html
    assert "\\[点我\\](javascript" in detail.definition and "[点我](" not in detail.definition
    assert "<script>" not in detail.definition
